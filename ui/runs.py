"""The session's finished and stopped runs, kept for the Compare page: configuration, loss history, final input
vectors and the whole run (to download as a run file). At most ``MAX_RUNS`` are kept; recording one more drops
the oldest, with a notice.

``record_run`` is called where the app sees a run end (``app.py`` on every rerun, and ``ui.training.set_trainer``
when a paused run is replaced). This module must not import ``ui.training`` (which imports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui.charts import PALETTE, merge_partial_chunks, plot_text, smooth_weighted
from ui.current_run import get_trainer, run_corpus_name, run_corpus_source, run_number
from ui.limits import limits
from w2v_core.embeddings import Embeddings
from w2v_core.runfile import RunState
from w2v_core.states import ENDED_WITH_VECTORS
from w2v_core.trainer import TrainConfig, Trainer

MAX_RUNS = limits().max_kept_runs  # max_kept_runs in w2v_lab.toml (5 by default)
RUNS_KEY = "_runs"
MODEL_NAMES = {"skipgram": "skip-gram", "cbow": "CBOW"}
LOSS_NAMES = {"negative": "negative sampling", "hierarchical": "hier. softmax", "softmax": "full softmax"}
# settings that a run uses only with some model or loss (the others are shown as "not used")
USED_WHEN = {
    "negative": lambda c: c.get("loss") == "negative",
    "ns_exponent": lambda c: c.get("loss") == "negative",
    "shared_negatives": lambda c: c.get("loss") == "negative" and c.get("model") == "skipgram",
    "cbow_full_step": lambda c: c.get("model") == "cbow",
    "hot_row_copies": lambda c: c.get("loss") != "softmax" and (c.get("workers") or 1) > 1,
}
NOT_USED = "not used"
NOTICE_KEY = "_runs_notice"


@dataclass
class RunRecord:
    """One ended run: ``history`` is ``Trainer.recorder.loss_history()``, ``emb`` its input vectors at the end, ``run``
    everything a run file holds (``emb`` shares its input weights)."""

    number: int
    corpus_name: str
    config: dict[str, Any]
    state: str
    words_done: int
    words_total: int
    seconds: float
    history: pd.DataFrame
    emb: Embeddings
    run: RunState | None = None

    @property
    def label(self) -> str:
        return f"{self.title} on {self.corpus_name or 'a corpus'} ({self.state})"

    @property
    def title(self) -> str:
        """A short name that fits a select box: number, model, loss, dimensions and window."""
        c = self.config
        return (f"Run {self.number}: {MODEL_NAMES.get(c['model'], c['model'])}, {LOSS_NAMES.get(c['loss'], c['loss'])}"
                f", dim {c['dim']}, window {c['window']}")


def recorded_runs() -> list[RunRecord]:
    """The kept runs, oldest first."""
    return list(st.session_state.get(RUNS_KEY, []))


def runs_notice() -> str | None:
    """Which runs were dropped the last time one too many was kept, if any were."""
    return st.session_state.get(NOTICE_KEY)


def make_record(trainer: Trainer, corpus_name: str, number: int, source: dict | None = None) -> RunRecord | None:
    """A record of ``trainer`` if its run ended (finished or stopped) after training some words, else None;
    ``source`` says how its corpus is built again (see ``runfile.CorpusInfo``)."""
    progress = trainer.progress()
    if trainer.state not in ENDED_WITH_VECTORS or progress.words_done == 0:
        return None
    run = trainer.run_state(corpus_name, source)
    emb = Embeddings(run.words, run.w_in, run.counts, config=run.config)
    return RunRecord(number, corpus_name, trainer.config.to_dict(), trainer.state, progress.words_done,
                     progress.words_total, progress.elapsed_seconds, trainer.recorder.loss_history(), emb, run)


def keep(runs: list[RunRecord], record: RunRecord, limit: int = MAX_RUNS) -> tuple[list[RunRecord], list[RunRecord]]:
    """``runs`` with ``record`` added (replacing a record of the same run number) and the ones dropped to stay
    within ``limit`` (oldest first)."""
    runs = [r for r in runs if r.number != record.number] + [record]
    overflow = max(len(runs) - limit, 0)
    return runs[overflow:], runs[:overflow]


def record_run(trainer: Trainer | None, corpus_name: str, number: int, source: dict | None = None) -> RunRecord | None:
    """Keep the session's run ``number`` once it has ended (once per run); returns the new record, if any."""
    if trainer is None or any(r.number == number for r in recorded_runs()):
        return None
    record = make_record(trainer, corpus_name, number, source)
    if record is None:
        return None
    runs, dropped = keep(recorded_runs(), record)
    st.session_state[RUNS_KEY] = runs
    if dropped:
        names = ", ".join(f"run {r.number}" for r in dropped)
        notice = f"Compare keeps the last {MAX_RUNS} runs: {names} was dropped."
        st.session_state[NOTICE_KEY] = notice
        st.toast(notice)
    return record


def record_current_run() -> RunRecord | None:
    """Record the session's current trainer if its run has ended (called by app.py on every rerun)."""
    return record_run(get_trainer(), run_corpus_name(), run_number(), run_corpus_source())


# ------------------------------------------------------------------------------------------------ compare


def _shown(value: Any) -> str:
    if value is None:
        return "auto"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _setting(config: dict[str, Any], name: str) -> Any:
    """What a run used for ``name``: the value, ``NOT_USED`` for a setting its model or loss ignores, and the
    learning rates that "auto" chose."""
    if name in USED_WHEN and not USED_WHEN[name](config):
        return NOT_USED
    if name in ("alpha", "min_alpha") and config.get(name) is None:
        try:
            chosen = TrainConfig.from_dict(config)
            return f"auto ({_shown(chosen.start_alpha if name == 'alpha' else chosen.end_alpha)})"
        except (TypeError, ValueError):
            return "auto"
    return config.get(name)


def config_comparison(a: RunRecord, b: RunRecord) -> pd.DataFrame:
    """Settings side by side: columns setting, run A, run B, differs (bool: a different setup, not outcome).

    The corpus and vocabulary come first, then every training setting either run uses ("not used" for the
    other, and not counted as a difference: the model or loss row shows that one), then the outcome (never
    "differs").
    """
    names = list(dict.fromkeys([*a.config, *b.config]))
    setup = [("corpus", a.corpus_name, b.corpus_name), ("vocabulary", len(a.emb), len(b.emb))]
    setup += [(name, _setting(a.config, name), _setting(b.config, name)) for name in names]
    setup = [row for row in setup if not row[1] == row[2] == NOT_USED]
    outcome = [("state", a.state, b.state), ("words trained", a.words_done, b.words_done),
               ("seconds", _seconds(a.seconds), _seconds(b.seconds))]
    rows = setup + outcome
    return pd.DataFrame({"setting": [r[0] for r in rows], f"run {a.number}": [_shown(r[1]) for r in rows],
                         f"run {b.number}": [_shown(r[2]) for r in rows],
                         "differs": [r[1] != r[2] and NOT_USED not in (r[1], r[2]) for r in setup]
                         + [False] * len(outcome)})


def _seconds(seconds: float) -> float:
    """Two decimals below 10 s (a small run's 0.04 s read as "0"), else one."""
    return round(seconds, 2) if seconds < 9.995 else round(seconds, 1)


def loss_comparability(a: RunRecord, b: RunRecord) -> str | None:
    """Why the loss curves of two runs cannot be compared by height, or None when they can."""
    ca, cb = a.config, b.config
    if ca.get("loss") != cb.get("loss"):
        return (f"Run {a.number} uses {LOSS_NAMES.get(ca['loss'], ca['loss'])} and run {b.number} "
                f"{LOSS_NAMES.get(cb['loss'], cb['loss'])}: these losses measure different things (a softmax over "
                "all words, a path of binary choices in a tree, or the true word against K noise words), so their "
                "values cannot be compared. Each run has its own axis (run "
                f"{b.number} on the right); compare how fast each falls, and the neighbours and scores below.")
    if ca.get("loss") == "negative" and ca.get("negative") != cb.get("negative"):
        return (f"Run {a.number} draws {ca['negative']} noise words per pair and run {b.number} {cb['negative']}: "
                "the negative-sampling loss adds one term per noise word, so more negatives give a higher loss "
                f"without a worse model. Each run has its own axis (run {b.number} on the right).")
    return None


def loss_overlay_figure(runs: list[RunRecord], relative: bool = False, span: int = 20,
                        separate_axes: bool = False) -> go.Figure:
    """Smoothed loss curves of ``runs`` on one chart, against words trained or the share of the run's total;
    with ``separate_axes`` (losses that cannot be compared) the second run has its own y axis on the right."""
    fig = go.Figure()
    for number, run in enumerate(runs):
        history = merge_partial_chunks(run.history)
        if len(history) == 0:
            continue
        x = history["words_done"] / max(run.words_total, 1) if relative else history["words_done"]
        colour = PALETTE[number % len(PALETTE)]
        name = plot_text([f"run {run.number}"])[0]
        axis = "y2" if separate_axes and number > 0 else "y"
        fig.add_trace(go.Scatter(x=x, y=history["loss"], mode="lines", name=f"{name} per chunk", yaxis=axis,
                                 line={"color": colour, "width": 1}, opacity=0.3, showlegend=False))
        fig.add_trace(go.Scatter(x=x, y=smooth_weighted(history["loss"], history.get("pairs"), span),
                                 mode="lines", name=name, line={"color": colour, "width": 3}, yaxis=axis))
    fig.update_layout(title="Training loss (mean per training pair, smoothed)", height=420,
                      xaxis_title="share of the run" if relative else "words trained", yaxis_title="loss",
                      legend={"orientation": "h", "y": -0.2})
    if separate_axes and len(runs) > 1:
        first, second = (plot_text([f"run {run.number}"])[0] for run in runs[:2])
        fig.update_layout(yaxis={"title": {"text": f"loss of {first}", "font": {"color": PALETTE[0]}}},
                          yaxis2={"title": {"text": f"loss of {second}", "font": {"color": PALETTE[1]}},
                                  "overlaying": "y", "side": "right", "showgrid": False, "tickmode": "auto"})
    if relative:
        fig.update_xaxes(tickformat=".0%")
    return fig
