"""Gradient lab helpers: its formulas (LaTeX in the notation of docs/derivation.md), tables, figures, and the
lines of a corpus as training sees them. The session's lab itself is kept by ``ui/lab_state.py``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.charts import plot_text
from w2v_core.corpus import Corpus
from w2v_core.lab import StepResult
from w2v_core.lab_example import Example

# ------------------------------------------------------------------------------------------------ formulas

HIDDEN = {
    "skipgram": r"h = v_c, \qquad J = \sum_{-m \le j \le m,\ j \ne 0} F(w_{c+j},\, v_c)",
    "skipgram_pairs": r"h_j = v_{w_{c+j}}, \qquad J = \sum_{-m \le j \le m,\ j \ne 0} F(w_c,\, h_j)",
    "cbow": r"h = \frac{1}{C} \sum_{j=1}^{C} v_{w_j}, \qquad J = F(w_c,\, h)",
}
FORWARD = {
    "softmax": r"\hat y = \mathrm{softmax}(U h), \qquad F(o, h) = -\log \hat y_o",
    "negative": r"F(o, h) = -\log\sigma(u_o^T h) - \sum_{k=1}^{K} \log\sigma(-u_k^T h)",
    "hierarchical": r"F(o, h) = -\sum_{j=1}^{L} \log\sigma\big((1-2b_j)\, u_{n_j}^T h\big)",
}
GRADIENT = {
    "softmax": [r"\frac{\partial F}{\partial h} = U^T(\hat y - y), \qquad \frac{\partial F}{\partial U} = "
                r"(\hat y - y)\, h^T"],
    "negative": [r"\frac{\partial F}{\partial h} = -(1-\sigma(u_o^T h))\,u_o + \sum_k (1-\sigma(-u_k^T h))\,u_k",
                 r"\frac{\partial F}{\partial u_o} = -(1-\sigma(u_o^T h))\,h, \qquad "
                 r"\frac{\partial F}{\partial u_k} = (1-\sigma(-u_k^T h))\,h"],
    "hierarchical": [r"s_j = u_{n_j}^T h, \qquad g_j = \sigma(s_j) - (1 - b_j)",
                     r"\frac{\partial F}{\partial h} = \sum_j g_j\, u_{n_j}, \qquad "
                     r"\frac{\partial F}{\partial u_{n_j}} = g_j\, h"],
}
REPEATED_NOISE = (r"\frac{\partial F}{\partial u_w} = \Big[-[w=o]\,\big(1-\sigma(u_w^T h)\big) + n_w\,"
                  r"\sigma(u_w^T h)\Big]\, h \quad (n_w = \text{draws of } w)")
GRADIENT_SHARED = [
    r"\frac{\partial J}{\partial v_c} = \sum_{j=1}^{m} -\big(1-\sigma(u_{w_{c+j}}^T v_c)\big)\,u_{w_{c+j}} + "
    r"\frac{mK}{S} \sum_{s=1}^{S} \sigma(u_s^T v_c)\, u_s",
    r"\frac{\partial J}{\partial u_{w_{c+j}}} = -\big(1-\sigma(u_{w_{c+j}}^T v_c)\big)\, v_c, \qquad "
    r"\frac{\partial J}{\partial u_s} = \frac{mK}{S}\, n_s\, \sigma(u_s^T v_c)\, v_c",
]
STEP_PAIRS = (r"\text{for each pair } j \text{ in turn:} \quad v_{w_{c+j}} \leftarrow v_{w_{c+j}} - \alpha\, "
              r"\frac{\partial F(w_c, h_j)}{\partial h_j}, \qquad u_{n_i} \leftarrow u_{n_i} - \alpha\, g_i\, h_j")
CHAIN = {
    "skipgram": r"\frac{\partial J}{\partial v_c} = \sum_j \frac{\partial F(w_{c+j}, v_c)}{\partial v_c}, \qquad "
                r"\frac{\partial J}{\partial U} = \sum_j \frac{\partial F(w_{c+j}, v_c)}{\partial U}",
    "cbow": r"\frac{\partial J}{\partial v_a} = \frac{n_a}{C}\,\frac{\partial F(w_c, h)}{\partial h}, \qquad "
            r"\frac{\partial J}{\partial U} = \frac{\partial F(w_c, h)}{\partial U}",
    "skipgram_pairs": r"\frac{\partial J}{\partial v_{w_{c+j}}} = \frac{\partial F(w_c, h_j)}{\partial h_j}, \qquad "
                      r"\frac{\partial J}{\partial U} = \sum_j \frac{\partial F(w_c, h_j)}{\partial U}",
}
CHECK = [r"n_i = \frac{J(\theta + \epsilon e_i) - J(\theta - \epsilon e_i)}{2\epsilon} \approx "
         r"a_i = \frac{\partial J}{\partial \theta_i}",
         r"\text{rel. error} = \frac{\max_i |a_i - n_i|}{\max(\max_i |a_i|,\ \max_i |n_i|)}"]
SHARED = (r"J = \sum_{j=1}^{m} -\log\sigma(u_{w_{c+j}}^T v_c) \;+\; \frac{mK}{S} \sum_{s=1}^{S} "
          r"-\log\sigma(-u_s^T v_c), \qquad S = %d K")
CBOW_FULL_STEP = (r"v_{w_j} \leftarrow v_{w_j} - \alpha \frac{\partial F(w_c, h)}{\partial h}"
                  r"\ \text{ for each context position } j \quad (= V - C\alpha\, \partial J/\partial V)")
STEP = (r"V \leftarrow V - \alpha \frac{\partial J}{\partial V}, \qquad "
        r"U \leftarrow U - \alpha \frac{\partial J}{\partial U}")


NOISE = r"k_1, \dots, k_K \sim P_n(w) = \frac{\mathrm{count}(w)^{%s}}{\sum_{w'} \mathrm{count}(w')^{%s}}"


# the lab's columns in the derivation's notation (docs/derivation.md)
FORWARD_LABELS = {
    "negative": {"noise_p": "P_n(w)", "score": "score u·h", "sigma": "σ(±score)", "loss_term": "loss term"},
    "hierarchical": {"step": "step j", "node": "node n_j", "code": "code b_j", "score": "score s_j",
                     "sigma": "σ(t_j s_j)", "loss_term": "loss term", "g": "g_j", "context_word": "context word (h)"},
    "softmax": {"score": "score u·h", "y_hat": "ŷ", "loss_term": "loss −log ŷ"},
}
TOP_SOFTMAX_LABELS = {"score": "score u·h", "y_hat": "ŷ"}
MOVED_LABELS = {"moved_by": "moved by", "gradient_norm": "gradient norm"}


def form(example: Example) -> str:
    """Which formulas of HIDDEN and CHAIN an example follows: its model's, or "skipgram_pairs" when each context
    word predicts the centre (skip-gram + hierarchical softmax, as the trainer)."""
    return "skipgram_pairs" if example.predicts_centre else example.model


def labelled(table: np.ndarray, labels: dict[str, str]) -> pd.DataFrame:
    """A record array as a table whose columns carry the derivation's names (others keep their own)."""
    return pd.DataFrame({labels.get(name, name): table[name] for name in table.dtype.names})


def forward_table(example: Example) -> pd.DataFrame:
    """The forward pass, one row per score."""
    return labelled(example.forward, FORWARD_LABELS[example.loss])


def top_softmax_table(example: Example) -> pd.DataFrame:
    """Full softmax: the most probable words under ŷ."""
    return labelled(example.top_softmax, TOP_SOFTMAX_LABELS)


def moved_table(result: StepResult) -> pd.DataFrame:
    """The vectors one SGD step moved, largest change first."""
    return labelled(result.moved, MOVED_LABELS)


def forward_formulas(loss: str, exponent: float) -> list[str]:
    """The loss of one prediction; negative sampling adds its noise distribution with the exponent in use."""
    if loss == "negative":
        return [FORWARD[loss], NOISE % (f"{exponent:g}", f"{exponent:g}")]
    return [FORWARD[loss]]


# ------------------------------------------------------------------------------------------------- figures


MIN_HEATMAP_PIXELS = 180  # plot area of a gradient heatmap


def gradient_heatmap(matrix: np.ndarray, labels: list[str], title: str) -> go.Figure:
    """Heatmap of gradient rows (n, d): one row per vector, one column per dimension, zero in white.

    The plot area is at least ``MIN_HEATMAP_PIXELS`` high, so that the colour bar (as long as the plot area)
    stays readable for a single row."""
    limit = float(np.abs(matrix).max()) or 1.0
    fig = go.Figure(go.Heatmap(z=matrix, y=plot_text(labels), x=np.arange(1, matrix.shape[1] + 1),
                               colorscale="RdBu_r", zmin=-limit, zmax=limit,
                               colorbar={"title": {"text": "∂J", "side": "top"}, "thickness": 16},
                               hovertemplate="%{y}, dimension %{x}: %{z:.3g}<extra></extra>"))
    margin = {"t": 60, "b": 50}
    fig.update_layout(title=title, height=max(MIN_HEATMAP_PIXELS, 26 * len(labels)) + margin["t"] + margin["b"],
                      xaxis_title="dimension", margin=margin, yaxis={"type": "category", "autorange": "reversed"})
    return fig


# ------------------------------------------------------------------------------------------------ the lab


def sentence_words(corpus: Corpus, line: int) -> np.ndarray:
    """Word ids of sentence ``line`` (0-based) as training sees them (words below min_count removed)."""
    starts = corpus.sentence_starts
    return corpus.ids[starts[line]:starts[line + 1]]


def first_useful_line(corpus: Corpus, min_words: int = 5, search: int = 200) -> int:
    """The first sentence with at least ``min_words`` words (0 when none of the first ones has)."""
    lengths = np.diff(corpus.sentence_starts[:search + 1])
    long_enough = np.flatnonzero(lengths >= min_words)
    return int(long_enough[0]) if len(long_enough) else 0
