"""The sidebar status shown on every page: current corpus and training state, refreshed while training."""

from __future__ import annotations

import streamlit as st

from ui.errors import message_of, user_errors
from ui.state import current_corpus, get_trainer, training_status
from ui.text import md_literal

POLL_SECONDS = 2.0


def show_status() -> None:
    """Write the status lines (a fragment that polls the trainer while it runs)."""
    trainer = get_trainer()
    active = trainer is not None and trainer.is_active
    st.fragment(run_every=POLL_SECONDS if active else None)(_safe_status)(active)


def _safe_status(was_active: bool) -> None:
    with user_errors("Status"):
        _status(was_active)


def _status(was_active: bool) -> None:
    trainer = get_trainer()
    try:
        loaded = current_corpus()
        vocab = loaded.corpus.vocab
        corpus_line = f"**Corpus:** {md_literal(loaded.name)} · {len(vocab):,} words, {loaded.corpus.n_tokens:,} tokens"
    except (ValueError, KeyError) as error:
        loaded = None
        corpus_line = f"**Corpus:** not usable ({md_literal(message_of(error))})"
    st.markdown(corpus_line, help="Choose or upload the text on the Corpus page.")
    line = f"**Training:** {md_literal(training_status(trainer))}"
    if trainer is not None and loaded is not None and trainer.corpus is not loaded.corpus:
        line += " (on a previous corpus)"
    st.markdown(line, help="Start, pause and stop training on the Train page.")
    if was_active and (trainer is None or not trainer.is_active):
        st.rerun(scope="app")
