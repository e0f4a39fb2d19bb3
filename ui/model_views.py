"""The vectors a page explores: snapshots of the session's trainer, or vectors opened from a file.

The session keys ``_snapshots`` (the trainer's latest snapshots, by kind), ``_vectors`` (the opened file) and
``_vectors_number`` belong to this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.current_run import get_trainer, run_number
from ui.settings import set_setting
from w2v_core.embeddings import Embeddings
from w2v_core.trainer import Trainer


@dataclass
class ModelView:
    """Word vectors to explore, with where they come from."""

    emb: Embeddings
    label: str  # e.g. "trained model at 1,200,000 words"
    live: bool  # a snapshot of a training that is still running
    key: tuple  # identifies this snapshot (for caching projections)


@dataclass
class OpenedVectors:
    """Vectors opened from a file trained elsewhere."""

    emb: Embeddings
    name: str
    number: int  # counts files opened in this session


def has_output_vectors(trainer: Trainer) -> bool:
    """Hierarchical softmax has no output vector per word."""
    return trainer.config.loss != "hierarchical"


def trained_view(kind: str = "input", refresh: bool = False) -> ModelView | None:
    """A snapshot of the trainer's vectors; while it runs, the same snapshot until ``refresh``."""
    trainer = get_trainer()
    if trainer is None:
        return None
    words_done = trainer.progress().words_done
    if words_done == 0:
        return None
    if kind == "output" and not has_output_vectors(trainer):
        kind = "input"
    run = run_number()
    live = trainer.is_active
    snapshots: dict[str, ModelView] = st.session_state.setdefault("_snapshots", {})
    cached = snapshots.get(kind)
    if cached is not None and cached.key[0] == run and not refresh and (live or cached.key[1] == words_done):
        return cached
    emb = trainer.embeddings(kind=kind)
    state = "" if live else f", {trainer.state}"
    view = ModelView(emb=emb, live=live, key=(run, words_done, kind),
                     label=f"run {run}{state}, {kind} vectors at {words_done:,} words")
    snapshots[kind] = view
    return view


def opened_view() -> ModelView | None:
    """The vectors opened from a file, if any."""
    opened: OpenedVectors | None = st.session_state.get("_vectors")
    if opened is None:
        return None
    return ModelView(emb=opened.emb, live=False, key=("file", opened.number),
                     label=f"{opened.name} ({len(opened.emb.words):,} words)")


def set_opened_vectors(emb: Embeddings, name: str) -> None:
    """Keep vectors opened from a file for this session and explore them."""
    number = st.session_state.get("_vectors_number", 0) + 1
    st.session_state["_vectors_number"] = number
    st.session_state["_vectors"] = OpenedVectors(emb=emb, name=name, number=number)
    set_setting("model_source", "opened")
