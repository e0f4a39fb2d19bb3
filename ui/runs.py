"""The session's finished and stopped runs, kept for the Compare page: configuration, loss history, final input
vectors and the whole run (to download as a run file). At most ``MAX_RUNS`` are kept; recording one more drops
the oldest, with a notice.

``record_run`` is called where the app sees a run end (``app.py`` on every rerun, and ``ui.state.set_trainer``
when a paused run is replaced). This module must not import ``ui.state`` (which imports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui.charts import PALETTE, plot_text, smooth
from ui.limits import limits
from w2v_core.embeddings import Embeddings
from w2v_core.runfile import RunState
from w2v_core.trainer import Trainer

MAX_RUNS = limits().max_kept_runs  # max_kept_runs in w2v_lab.toml (5 by default)
RECORDED_STATES = ("finished", "stopped")
RUNS_KEY = "_runs"
NOTICE_KEY = "_runs_notice"
SOURCE_KEY = "_run_corpus_source"  # how the current run's corpus is built again (kept in its run file)


@dataclass
class RunRecord:
    """One ended run: ``history`` is ``Trainer.loss_history()``, ``emb`` its input vectors at the end, ``run``
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
        c = self.config
        return (f"Run {self.number}: {c['model']}, {c['loss']}, dim {c['dim']}, window {c['window']} on "
                f"{self.corpus_name or 'a corpus'} ({self.state})")


def recorded_runs() -> list[RunRecord]:
    """The kept runs, oldest first."""
    return list(st.session_state.get(RUNS_KEY, []))


def make_record(trainer: Trainer, corpus_name: str, number: int, source: dict | None = None) -> RunRecord | None:
    """A record of ``trainer`` if its run ended (finished or stopped) after training some words, else None;
    ``source`` says how its corpus is built again (see ``runfile.CorpusInfo``)."""
    progress = trainer.progress()
    if trainer.state not in RECORDED_STATES or progress.words_done == 0:
        return None
    run = trainer.run_state(corpus_name, source)
    emb = Embeddings(run.words, run.w_in, run.counts, config=run.config)
    return RunRecord(number, corpus_name, trainer.config.to_dict(), trainer.state, progress.words_done,
                     progress.words_total, progress.elapsed_seconds, trainer.loss_history(), emb, run)


def keep(runs: list[RunRecord], record: RunRecord, limit: int = MAX_RUNS) -> tuple[list[RunRecord], list[RunRecord]]:
    """``runs`` with ``record`` added (replacing a record of the same run number) and the ones dropped to stay
    within ``limit`` (oldest first)."""
    runs = [r for r in runs if r.number != record.number] + [record]
    overflow = max(len(runs) - limit, 0)
    return runs[overflow:], runs[:overflow]


def record_run(trainer: Trainer | None, corpus_name: str, number: int, source: dict | None = None) -> RunRecord | None:
    """Keep the session's run ``number`` once it has ended (once per run); returns the new record, if any."""
    if trainer is None or any(r.number == number for r in st.session_state.get(RUNS_KEY, [])):
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
    return record_run(st.session_state.get("trainer"), st.session_state.get("_run_corpus_name", ""),
                      st.session_state.get("_run_number", 0), st.session_state.get(SOURCE_KEY))


# ------------------------------------------------------------------------------------------------ compare


def _shown(value: Any) -> str:
    if value is None:
        return "auto"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def config_comparison(a: RunRecord, b: RunRecord) -> pd.DataFrame:
    """Settings side by side: columns setting, run A, run B, differs (bool: a different setup, not outcome).

    The corpus and vocabulary come first, then every training setting, then the outcome (never "differs").
    """
    names = list(dict.fromkeys([*a.config, *b.config]))
    setup = [("corpus", a.corpus_name, b.corpus_name), ("vocabulary", len(a.emb), len(b.emb))]
    setup += [(name, a.config.get(name), b.config.get(name)) for name in names]
    outcome = [("state", a.state, b.state), ("words trained", a.words_done, b.words_done),
               ("seconds", round(a.seconds, 1), round(b.seconds, 1))]
    rows = setup + outcome
    return pd.DataFrame({"setting": [r[0] for r in rows], f"run {a.number}": [_shown(r[1]) for r in rows],
                         f"run {b.number}": [_shown(r[2]) for r in rows],
                         "differs": [r[1] != r[2] for r in setup] + [False] * len(outcome)})


def loss_overlay_figure(runs: list[RunRecord], relative: bool = False, span: int = 20) -> go.Figure:
    """Smoothed loss curves of ``runs`` on one chart, against words trained or the share of the run's total."""
    fig = go.Figure()
    for number, run in enumerate(runs):
        history = run.history
        if len(history) == 0:
            continue
        x = history["words_done"] / max(run.words_total, 1) if relative else history["words_done"]
        colour = PALETTE[number % len(PALETTE)]
        name = plot_text([f"run {run.number}"])[0]
        fig.add_trace(go.Scatter(x=x, y=history["loss"], mode="lines", name=f"{name} per chunk",
                                 line={"color": colour, "width": 1}, opacity=0.3, showlegend=False))
        fig.add_trace(go.Scatter(x=x, y=smooth(history["loss"], span), mode="lines", name=name,
                                 line={"color": colour, "width": 3}))
    fig.update_layout(title="Training loss (mean per training pair, smoothed)", height=420,
                      xaxis_title="share of the run" if relative else "words trained", yaxis_title="loss",
                      legend={"orientation": "h", "y": -0.2})
    if relative:
        fig.update_xaxes(tickformat=".0%")
    return fig
