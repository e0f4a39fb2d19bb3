"""The session's trainer: made current, queued for a training slot, resumed and stopped, and its status line.

The trainer and its run number are kept by ``ui/current_run.py``; this module adds its life on the server: the
session's ``TrainerGuard`` (``st.cache_resource`` with session scope, so that the trainers stop when the browser
session ends) and the shared training queue. It keeps no session keys of its own.
"""

from __future__ import annotations

import streamlit as st

from ui.corpus_source import corpus_source
from ui.corpus_state import corpus_settings
from ui.current_run import get_trainer, make_current, run_corpus_name, run_corpus_source, run_number
from ui.runs import record_run
from ui.serving import TrainerGuard, end_trainer, idle_watchdog, training_queue
from ui.uploads import upload_names
from w2v_core.states import TERMINAL, State
from w2v_core.trainer import Trainer


def _release_guard(guard: TrainerGuard) -> None:
    guard.release()
    idle_watchdog().reclaim_soon()


@st.cache_resource(scope="session", on_release=_release_guard, show_spinner=False)
def session_guard() -> TrainerGuard:
    """This session's TrainerGuard (released, and its trainers stopped, when the browser session ends)."""
    guard = TrainerGuard(training_queue())
    idle_watchdog().watch(guard)
    return guard


def set_trainer(trainer: Trainer, corpus_name: str = "", source: dict | None = None) -> None:
    """Make ``trainer`` the session's current trainer, stopping the previous one if it still runs; ``source``
    says how its corpus is built again (saved in its run file; by default the Corpus page's choice)."""
    old = get_trainer()
    if old is not None and old is not trainer and old.state not in TERMINAL:
        end_trainer(old, training_queue())
    if old is not None and old is not trainer:  # a replaced (e.g. paused) run is kept for the Compare page
        record_run(old, run_corpus_name(), run_number(), run_corpus_source())
    if source is None:
        source = corpus_source(corpus_settings(), upload_names())
    make_current(trainer, corpus_name, source)
    session_guard().watch(trainer)


def keep_session_guard() -> None:
    """Mark the session alive and re-register the current trainer with its guard (new after a reconnect)."""
    trainer = get_trainer()
    guard = session_guard()
    guard.touch()
    if trainer is not None and trainer.state not in TERMINAL:
        guard.watch(trainer)


def touch_session() -> None:
    """Mark the session alive (fragments that poll call this: the idle watchdog's heartbeat)."""
    session_guard().touch()


def queue_position(trainer: Trainer | None) -> int | None:
    """k >= 1 while ``trainer`` waits in the k-th place for a free training slot, else None."""
    if trainer is None or trainer.state in TERMINAL or trainer.is_active:
        return None
    return training_queue().position(trainer) or None


def training_phase(trainer: Trainer | None) -> str:
    """"waiting" (queued for a training slot), "active" (compiling or running) or "idle"."""
    if queue_position(trainer):
        return "waiting"
    return "active" if trainer is not None and trainer.is_active else "idle"


def waiting_poll_seconds(trainer: Trainer | None) -> float:
    """How often a page refreshes a queued run: every 2 s in first place, up to every 10 s far back in the queue
    (its place only changes when a run ends, and the run itself starts on the server without waiting for it)."""
    return min(10.0, 1.0 + (queue_position(trainer) or 1))


def start_in_queue(trainer: Trainer) -> int:
    """Start ``trainer`` when a training slot is free (at once if one is); returns its place (0 = running)."""
    guard = session_guard()
    guard.watch(trainer)
    return training_queue().submit(trainer)


def resume_trainer(trainer: Trainer) -> None:
    """Continue a paused run: at once if it still holds its slot, else through the queue (after step mode)."""
    if training_queue().position(trainer) == 0:
        trainer.resume()
    else:
        start_in_queue(trainer)


def stop_notice(trainer: Trainer | None) -> str | None:
    """Why the server stopped ``trainer`` (idle session or run time limit), if it did."""
    return session_guard().notice(trainer)


def stop_trainer(trainer: Trainer) -> None:
    """Stop ``trainer``, or take it out of the queue if it still waits there."""
    end_trainer(trainer, training_queue())


def training_status(trainer: Trainer | None) -> str:
    """One line on the training state, e.g. "running 42% (epoch 2/5, 310k words/s)"."""
    if trainer is None:
        return "not started"
    state = trainer.state
    if state == State.FAILED:
        return "failed: see the Train page"
    position = queue_position(trainer)
    if position:
        return f"waiting for a free training slot (number {position} in the queue)"
    progress = trainer.progress()
    done = f"{progress.fraction:.0%}"
    if state == State.RUNNING:
        return (f"running {done} (epoch {progress.epoch}/{progress.epochs}, "
                f"{progress.words_per_second / 1000:,.0f}k words/s)")
    if state == State.COMPILING:
        return "starting (compiling the training kernels)…"
    if state == State.READY:
        return "ready"
    return f"{state} at {done} ({progress.words_done:,} words)"
