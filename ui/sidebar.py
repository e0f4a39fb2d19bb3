"""The sidebar status shown on every page: current corpus and training state, refreshed while training."""

from __future__ import annotations

import streamlit as st

from ui.corpus_source import LoadedCorpus
from ui.corpus_state import current_corpus
from ui.current_run import get_trainer
from ui.errors import user_errors
from ui.settings import setting
from ui.text import md_literal, plural
from ui.training import touch_session, training_phase, training_status, waiting_poll_seconds
from ui.uploads import refused_uploads, uploads

POLL_SECONDS = 2.0


def show_status() -> None:
    """Write the status lines (a fragment that polls the trainer while it runs)."""
    trainer = get_trainer()
    phase = training_phase(trainer)
    poll = {"active": POLL_SECONDS, "waiting": 2 * waiting_poll_seconds(trainer)}.get(phase)
    st.fragment(run_every=poll)(_safe_status)(phase)


def _safe_status(was: str) -> None:
    with user_errors("Status"):
        _status(was)


def corpus_line() -> tuple[str, LoadedCorpus | None]:
    """The sidebar's corpus line (short: the Corpus page explains problems) and the corpus, if usable."""
    if setting("corpus_source") == "upload":
        if refused_uploads():
            return "**Corpus:** the upload was refused: see the Corpus page", None
        if not uploads():
            return "**Corpus:** none yet: upload text files on the Corpus page", None
    try:
        loaded = current_corpus()
    except (ValueError, KeyError):
        return "**Corpus:** cannot be used: see the Corpus page", None
    vocab = loaded.corpus.vocab
    return (f"**Corpus:** {md_literal(loaded.name)} · {plural(len(vocab), 'word')}, "
            f"{plural(loaded.corpus.n_tokens, 'token')}"), loaded


def _status(was: str) -> None:
    touch_session()  # the idle watchdog's heartbeat, on every page
    trainer = get_trainer()
    line, loaded = corpus_line()
    st.markdown(line, help="Choose or upload the text on the Corpus page.")
    line = f"**Training:** {md_literal(training_status(trainer))}"
    if trainer is not None and not trainer.trainable:
        line += " (a run opened from a file)"
    elif trainer is not None and loaded is not None and trainer.corpus is not loaded.corpus:
        line += " (on a previous corpus)"
    st.markdown(line, help="Start, pause and stop training on the Train page.")
    if training_phase(trainer) != was:
        st.rerun(scope="app")
