"""The session's gradient lab: its own copy of the weights (never the running trainer's arrays), the example
worked out on them and the last SGD step applied to them.

The session keys ``_lab`` (the ``GradientLab``), ``_lab_corpus``, ``_lab_words_done`` (of the trainer copied),
``_lab_reset``, ``_lab_example`` (``(settings key, Example)``), ``_lab_step`` and ``_lab_step_error`` belong to
this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from ui.corpus_state import current_corpus
from ui.current_run import get_trainer, run_corpus_name, run_number
from ui.settings import setting
from ui.text import md_message
from w2v_core.corpus import Corpus
from w2v_core.lab import GradientLab, LabError, StepResult
from w2v_core.lab_example import Example

LAB_KEY = "_lab"
CORPUS_KEY = "_lab_corpus"
WORDS_DONE_KEY = "_lab_words_done"
RESET_KEY = "_lab_reset"
EXAMPLE_KEY = "_lab_example"
STEP_KEY = "_lab_step"
STEP_ERROR_KEY = "_lab_step_error"


@dataclass
class LabSource:
    """Where the lab's weights come from: a trainer's corpus and weights, or the chosen corpus, fresh."""

    corpus: Corpus
    label: str
    words_done: int  # of the trainer copied (0 for fresh weights)


def lab_source() -> LabSource:
    """The trainer's corpus when it has trained some words, else the corpus chosen on the Corpus page."""
    trainer = get_trainer()
    if trainer is not None and trainer.progress().words_done > 0:
        run = run_number()
        words = trainer.progress().words_done
        return LabSource(trainer.corpus, f"run {run} ({trainer.state}) at {words:,} words on "
                                         f"{run_corpus_name() or 'its corpus'}", words)
    loaded = current_corpus()
    return LabSource(loaded.corpus, f"fresh random weights on {loaded.name} (nothing trained yet)", 0)


def _new_lab(source: LabSource) -> GradientLab:
    trainer = get_trainer()
    vocab = source.corpus.vocab
    if source.words_done and trainer is not None:
        w_in = trainer.vectors("input")
        # A consistent copy for output vectors; inner-node vectors are only readable directly (a racy read of
        # a running Hogwild trainer is harmless for a worked example).
        w_out = trainer.vectors("output") if trainer.config.loss != "hierarchical" else np.array(trainer.w_out)
        return GradientLab.from_trained(vocab.words, vocab.counts, w_in, w_out, trainer.config.loss,
                                        source.label, seed=trainer.config.seed)
    lab = GradientLab.fresh_model(vocab.words, vocab.counts, int(setting("cfg_dim")), int(setting("cfg_seed")))
    lab.source = source.label
    return lab


def session_lab(reset: bool = False) -> tuple[GradientLab, Corpus, LabSource]:
    """The session's lab, made on first use or ``reset``, or when its corpus is no longer the source's.

    A lab without steps of its own follows the trainer: it copies the weights again once a run has trained
    (or ended); a lab with steps is kept until ``reset``.
    """
    source = lab_source()
    lab: GradientLab | None = st.session_state.get(LAB_KEY)
    trainer = get_trainer()
    moved_on = (lab is not None and lab.version == 0 and source.words_done != lab_words_done()
                and (not lab.trained or trainer is None or not trainer.is_active))
    if reset or moved_on or lab is None or st.session_state.get(CORPUS_KEY) is not source.corpus:
        lab = _new_lab(source)
        st.session_state[LAB_KEY] = lab
        st.session_state[CORPUS_KEY] = source.corpus
        st.session_state[WORDS_DONE_KEY] = source.words_done
        st.session_state.pop(EXAMPLE_KEY, None)
        st.session_state.pop(STEP_KEY, None)
    return lab, st.session_state[CORPUS_KEY], source


def lab_words_done() -> int:
    """Words the trainer had trained when the lab copied its weights (0 for fresh weights or before any lab)."""
    return st.session_state.get(WORDS_DONE_KEY, 0)


def request_lab_reset() -> None:
    """Callback of "Copy the weights again": the next ``session_lab`` discards the lab's steps."""
    st.session_state[RESET_KEY] = True


def take_lab_reset() -> bool:
    """Whether a reset was asked for since the last call (asking is forgotten)."""
    return st.session_state.pop(RESET_KEY, False)


def worked_example(lab: GradientLab, settings: dict) -> Example:
    """The example for these settings on the lab's current weights (cached until they change)."""
    key = (id(lab), lab.version, tuple(sorted((k, str(v)) for k, v in settings.items())))
    cached = st.session_state.get(EXAMPLE_KEY)
    if cached is not None and cached[0] == key:
        return cached[1]
    with st.spinner("Computing the example and its finite-difference check…"):
        example = lab.example(**settings)
    st.session_state[EXAMPLE_KEY] = (key, example)
    return example


def apply_step(lab: GradientLab, example: Example, alpha: float, watch: list[int], full_step: bool) -> None:
    """Callback of "Apply SGD step": one step on the lab's weights, kept with its effect (or why it failed)."""
    try:
        st.session_state[STEP_KEY] = lab.apply_step(example, alpha, watch, cbow_full_step=full_step)
    except LabError as error:
        st.session_state[STEP_ERROR_KEY] = md_message(str(error))


def last_step() -> StepResult | None:
    """The last SGD step applied to the lab's current weights, if any."""
    return st.session_state.get(STEP_KEY)


def take_step_error() -> str | None:
    """Why the last step could not be applied, once (Markdown-safe), if it could not."""
    return st.session_state.pop(STEP_ERROR_KEY, None)
