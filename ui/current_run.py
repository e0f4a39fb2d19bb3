"""The session's current run: its trainer, its number, the name of its corpus and how that corpus is built again.

These session keys belong to this module; every other module reads and sets them through its functions. The
trainer stays under the plain key ``trainer``, which tests poll.
"""

from __future__ import annotations

import streamlit as st

from w2v_core.trainer import Trainer

TRAINER_KEY = "trainer"
NUMBER_KEY = "_run_number"
NAME_KEY = "_run_corpus_name"
SOURCE_KEY = "_run_corpus_source"  # kept in the run's file


def get_trainer() -> Trainer | None:
    """The session's current trainer, or None before the first run."""
    return st.session_state.get(TRAINER_KEY)


def run_number() -> int:
    """The current run's number in this session (1, 2, ...; 0 before the first run)."""
    return st.session_state.get(NUMBER_KEY, 0)


def run_corpus_name() -> str:
    """Name of the corpus the current trainer was started on."""
    return st.session_state.get(NAME_KEY, "")


def run_corpus_source() -> dict | None:
    """How the current run's corpus is built again (``runfile.CorpusInfo.source``), if known."""
    return st.session_state.get(SOURCE_KEY)


def make_current(trainer: Trainer, corpus_name: str, source: dict | None) -> None:
    """``trainer`` becomes the current run, with the next run number."""
    st.session_state[TRAINER_KEY] = trainer
    st.session_state[NAME_KEY] = corpus_name
    st.session_state[SOURCE_KEY] = source
    st.session_state[NUMBER_KEY] = run_number() + 1
