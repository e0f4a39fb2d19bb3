"""Plotly figure builders of the app: pure functions of arrays and frames (no Streamlit), tested directly.

Words are escaped (``plot_text``) wherever Plotly would read them as HTML, so ``<script>`` shows literally.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#393b79", "#ad494a", "#8ca252", "#bd9e39", "#7b4173", "#3182bd")
WEBGL_ABOVE = 1000  # points; more use Scattergl


def scatter_trace(points: int) -> type[go.Scatter] | type[go.Scattergl]:
    """The 2-D scatter trace for ``points`` points: SVG up to ``WEBGL_ABOVE``, WebGL above (a WebGL context costs
    more to set up than a few hundred SVG markers, and browsers without a GPU emulate it in software)."""
    return go.Scattergl if points > WEBGL_ABOVE else go.Scatter


def plot_text(words: Sequence[str]) -> list[str]:
    """Words safe for Plotly labels and hover text (HTML special characters escaped)."""
    return [html.escape(str(word), quote=False) for word in words]


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title=title, xaxis_visible=False, yaxis_visible=False, height=320,
                      annotations=[{"text": message, "showarrow": False, "font": {"size": 15}}])
    return fig


def log_spaced_ranks(n: int, max_points: int = 2000) -> np.ndarray:
    """(k,) int64 indices 0..n-1, all of them if n <= max_points, else spread evenly on a log scale."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.geomspace(1, n, max_points).astype(np.int64) - 1)


def log_ticks(values: np.ndarray) -> dict:
    """Tick settings of a log axis over ``values`` (positive): one labelled tick per power of ten ("1", "10",
    "1,000") when they span two decades or more, else 1-2-5 steps; Plotly's default labels every minor step
    ("2 1000 5 2 100 5"), which reads as noise on a projector."""
    values = np.asarray(values, dtype=np.float64)
    values = values[values > 0]
    wide = len(values) > 0 and values.max() >= 100 * values.min()
    return {"dtick": 1 if wide else "D2", "tickformat": ",~g"}


def zipf_figure(words: Sequence[str], counts: np.ndarray, min_count: int) -> go.Figure:
    """Rank/frequency on log-log axes of all distinct tokens (counts (T,) descending); kept vs removed."""
    if len(counts) == 0:
        return _empty("Zipf plot", "No words")
    index = log_spaced_ranks(len(counts))
    ranks, selected = index + 1, counts[index]
    kept = selected >= min_count
    labels = np.array(plot_text([words[i] for i in index]), dtype=object)
    fig, trace = go.Figure(), scatter_trace(len(index))
    for mask, name, colour in ((kept, "kept", PALETTE[0]), (~kept, f"removed (count < {min_count})", PALETTE[3])):
        if mask.any():
            fig.add_trace(trace(x=ranks[mask], y=selected[mask], mode="markers", name=name,
                                marker={"size": 5, "color": colour}, hovertext=labels[mask],
                                hovertemplate="%{hovertext}<br>rank %{x}, count %{y}<extra></extra>"))
    fig.update_layout(title="Zipf plot: frequency against rank", height=380, legend={"orientation": "h"})
    fig.update_xaxes(type="log", title="rank", **log_ticks(ranks))
    fig.update_yaxes(type="log", title="count", **log_ticks(selected))
    return fig


def keep_probability_figure(words: Sequence[str], keep: np.ndarray, n: int = 30) -> go.Figure:
    """Bar chart of the subsampling keep-probability (V,) of the ``n`` most frequent words."""
    n = min(n, len(words))
    if n == 0:
        return _empty("Subsampling", "No words")
    labels = plot_text(words[:n])
    fig = go.Figure(go.Bar(x=labels, y=keep[:n], marker_color=PALETTE[0],
                           hovertemplate="%{x}: kept with probability %{y:.3f}<extra></extra>"))
    # a half-width column: a title that fits, and every word labelled (Plotly would skip every other one)
    fig.update_layout(title=f"Keep probability ({n} most frequent words)", height=340,
                      yaxis={"range": [0, 1.05], "title": "keep probability"},
                      xaxis={"tickmode": "array", "tickvals": labels, "tickangle": -90, "tickfont": {"size": 11}})
    return fig


def smooth(values: pd.Series, span: int = 20) -> pd.Series:
    """Exponentially weighted moving average that ignores NaN."""
    return values.ewm(span=max(span, 1), ignore_na=True).mean()


def thin(frame: pd.DataFrame, max_points: int) -> pd.DataFrame:
    """Every k-th row so that at most ``max_points`` remain (the last row always kept)."""
    if len(frame) <= max_points:
        return frame
    step = -(-len(frame) // max_points)
    index = np.unique(np.append(np.arange(0, len(frame), step), len(frame) - 1))
    return frame.iloc[index]


MAX_EPOCH_LABELS = 8
# Live charts get fixed margins: sizing margins to labels and legend is a large share of each Plotly redraw.
FIXED_MARGIN = {"l": 70, "r": 20, "t": 60, "b": 60, "autoexpand": False}


LOSS_COLUMNS = ("loss", "loss_positive", "loss_negative")
PARTIAL_CHUNK = 0.5  # a chunk with fewer pairs than this share of the median is merged into the one before it


def merge_partial_chunks(history: pd.DataFrame, share: float = PARTIAL_CHUNK) -> pd.DataFrame:
    """``history`` with each short chunk (fewer ``pairs`` than ``share`` × the median, such as the last sentences
    of an epoch) merged into the chunk before it: loss columns averaged weighted by pairs, the later words_done
    kept. A chunk of a few hundred pairs is a noisy mean that would show as a spike or a dip."""
    if "pairs" not in history or len(history) < 2:
        return history
    pairs = history["pairs"].to_numpy(dtype=np.float64)
    short = pairs < share * np.median(pairs)
    short[0] = False
    if not short.any():
        return history
    group = np.cumsum(~short) - 1
    frame = history.assign(_group=group)
    weights = frame["pairs"].clip(lower=1)
    merged = frame.groupby("_group", sort=True).last()
    totals = weights.groupby(group).sum()
    for column in LOSS_COLUMNS:
        if column in frame:
            merged[column] = (frame[column] * weights).groupby(group).sum(min_count=1) / totals
    merged["pairs"] = frame["pairs"].groupby(group).sum()
    return merged.reset_index(drop=True)


def smooth_weighted(values: pd.Series, weights: pd.Series | None, span: int = 20) -> pd.Series:
    """Exponentially weighted moving average of ``values`` in which each row also counts by its ``weights``
    (training pairs): Σ decay·pairs·loss / Σ decay·pairs. Without weights, ``smooth``."""
    if weights is None:
        return smooth(values, span)
    weights = weights.where(values.notna(), 0.0).astype(np.float64)
    numerator = (values.fillna(0.0) * weights).ewm(span=max(span, 1)).mean()
    denominator = weights.ewm(span=max(span, 1)).mean()
    return (numerator / denominator).where(denominator > 0)


def loss_figure(history: pd.DataFrame, epoch_ends: Sequence[float] = (), span: int = 20,
                max_points: int = 600) -> go.Figure:
    """Per-chunk loss, its smoothed line and (negative sampling only) the positive/negative parts, with epoch
    boundaries as dotted lines. ``history``: columns words_done, loss, loss_positive, loss_negative and pairs
    (optional); short chunks are merged into the one before (``merge_partial_chunks``), lines are smoothed
    weighted by pairs on every row, then thinned to ``max_points`` (the chart redraws every second while
    training)."""
    title = "Training loss (mean per training pair)"
    empty = history is None or len(history) == 0
    if empty:  # the axes, margins and first traces of a run's chart: a run's first points then only add data
        history = pd.DataFrame({"words_done": [], "loss": []}, dtype=float)
    history = merge_partial_chunks(history)
    weights = history.get("pairs")
    lines = pd.DataFrame({"words_done": history["words_done"], "loss": history["loss"],
                          "smoothed": smooth_weighted(history["loss"], weights, span)})
    # the split into the true word's and the noise words' terms exists only for negative sampling
    sampled = "loss_negative" in history and history["loss_negative"].notna().any()
    parts = [("loss_positive", "positive part (smoothed)", PALETTE[2]),
             ("loss_negative", "negative part (smoothed)", PALETTE[3])] if sampled else []
    for column, _, _ in parts:
        lines[column] = smooth_weighted(history[column], weights, span)
    lines = thin(lines, max_points)
    x = lines["words_done"]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=lines["loss"], mode="lines", name="loss per chunk",
                             line={"color": "rgba(31,119,180,0.35)", "width": 1}))
    fig.add_trace(go.Scatter(x=x, y=lines["smoothed"], mode="lines", name="smoothed",
                             line={"color": PALETTE[0], "width": 3}))
    for column, name, colour in parts:
        fig.add_trace(go.Scatter(x=x, y=lines[column], mode="lines", name=name,
                                 line={"color": colour, "width": 2, "dash": "dot"}))
    label_every = -(-len(epoch_ends) // MAX_EPOCH_LABELS)  # many epochs: label some lines, or the text overlaps
    # shapes and labels as two lists in one layout update: one add_vline per epoch cost ~10 ms each
    shapes = [{"type": "line", "x0": float(end), "x1": float(end), "xref": "x", "y0": 0, "y1": 1,
               "yref": "y domain", "line": {"dash": "dot", "color": "grey", "width": 1}} for end in epoch_ends]
    labels = [{"x": float(end), "xref": "x", "y": 1, "yref": "y domain", "text": f"epoch {number}",
               "showarrow": False, "xanchor": "right", "yanchor": "top", "font": {"size": 11, "color": "grey"}}
              for number, end in enumerate(epoch_ends, start=1) if number % label_every == 0 or number == 1]
    if empty:
        labels = [{"text": "No loss yet: start training", "showarrow": False, "font": {"size": 15},
                   "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}]
        fig.update_xaxes(range=[0, 1], showticklabels=False)
        fig.update_yaxes(range=[0, 1], showticklabels=False)
    fig.update_layout(title=title, height=400, legend={"orientation": "h", "y": -0.2}, shapes=shapes,
                      annotations=labels, xaxis_title="words trained", yaxis_title="loss", uirevision="loss",
                      margin=FIXED_MARGIN | {"b": 110})
    return fig


def alpha_figure(history: pd.DataFrame, words_total: int, alpha: float, min_alpha: float) -> go.Figure:
    """The learning-rate schedule: planned linear decay over ``words_total`` and the values used so far."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, words_total], y=[alpha, min_alpha], mode="lines", name="planned",
                             line={"color": "grey", "dash": "dash"}))
    if history is not None and len(history):
        history = thin(history, 200)
        fig.add_trace(go.Scatter(x=history["words_done"], y=history["alpha"], mode="lines", name="used",
                                 line={"color": PALETTE[1], "width": 3}))
    fig.update_layout(title="Learning rate", height=300, xaxis_title="words trained", yaxis_title="alpha",
                      legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
                      uirevision="alpha", margin=FIXED_MARGIN)
    return fig


def top_gradients_figure(words: Sequence[str], norms: np.ndarray, n: int = 20, title: str = "") -> go.Figure:
    """Horizontal bars of the ``n`` largest gradient norms (V,), largest on top."""
    order = np.argsort(-norms, kind="stable")[:n]
    order = order[norms[order] > 0]
    if len(order) == 0:
        return _empty(title, "No updates in the latest interval")
    fig = go.Figure(go.Bar(x=norms[order][::-1], y=plot_text([words[i] for i in order[::-1]]),
                           orientation="h", marker_color=PALETTE[0],
                           hovertemplate="%{y}: %{x:.4g}<extra></extra>"))
    fig.update_layout(title=title, height=max(300, 22 * len(order) + 100), xaxis_title="mean gradient norm",
                      yaxis={"type": "category"})
    return fig


def gradient_frequency_figure(words: Sequence[str], counts: np.ndarray, input_norm: np.ndarray,
                              output_norm: np.ndarray | None = None, max_points: int = 4000) -> go.Figure:
    """Gradient magnitude against word count (V,) on log-log axes; words without updates are left out.
    Large vocabularies (ordered by count) are thinned to ``max_points`` words spread evenly in log rank."""
    rows = log_spaced_ranks(len(counts), max_points)
    labels = np.array(plot_text([words[i] for i in rows]), dtype=object)
    fig, trace = go.Figure(), scatter_trace(len(rows))
    for norms, name, colour in ((input_norm, "input vectors", PALETTE[0]),
                                (output_norm, "output vectors", PALETTE[1])):
        if norms is None:
            continue
        mask = norms[rows] > 0
        fig.add_trace(trace(x=counts[rows][mask], y=norms[rows][mask], mode="markers", name=name,
                            marker={"size": 5, "color": colour, "opacity": 0.6}, hovertext=labels[mask],
                            hovertemplate="%{hovertext}<br>count %{x}, gradient %{y:.4g}<extra></extra>"))
    if not fig.data or all(len(trace.x) == 0 for trace in fig.data):
        return _empty("Gradient against frequency", "No updates in the latest interval")
    fig.update_layout(title="Gradient magnitude against word frequency", height=420,
                      legend={"orientation": "h", "y": -0.2})
    fig.update_xaxes(type="log", title="count in the corpus", **log_ticks(counts[rows]))
    fig.update_yaxes(type="log", title="mean gradient norm")
    return fig


def gradient_history_figure(history: pd.DataFrame, names: dict[int, str], column: str = "input_norm") -> go.Figure:
    """Gradient norm over training for some words: one line per word_id of ``history``. A norm of 0 means the
    word had no update in that interval (``GradientStats``): the line has a gap there, not a drop to zero."""
    title = f"Gradient over time ({'input' if column == 'input_norm' else 'output'} vectors)"
    if history is None or len(history) == 0:
        return _empty(title, "No gradient history yet for these words")
    fig = go.Figure()
    for number, (word_id, rows) in enumerate(history.groupby("word_id", sort=False)):
        label = plot_text([names.get(int(word_id), str(word_id))])[0]
        norms = rows[column].astype(np.float64)
        fig.add_trace(go.Scatter(x=rows["words_done"], y=norms.where(norms > 0), mode="lines+markers", name=label,
                                 marker={"size": 4}, line={"color": PALETTE[number % len(PALETTE)]},
                                 connectgaps=False))
    fig.update_layout(title=title, height=400, xaxis_title="words trained", yaxis_title="mean gradient norm",
                      legend={"orientation": "h", "y": -0.2})
    return fig
