"""Runs that last, in the app: download a run as a ``.w2vrun`` file, open one (uploaded, or from the server's
``runs_dir``) as one of the session's runs, and continue training a run when its corpus is at hand."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

from ui.corpus_source import bundled_settings
from ui.corpus_state import bundled_corpus, current_corpus
from ui.current_run import get_trainer, run_corpus_name, run_corpus_source, run_number
from ui.errors import message_of, safe_callback
from ui.limits import limits
from ui.runs import RunRecord
from ui.settings import setting
from ui.text import md_literal, md_message
from ui.training import set_trainer, start_in_queue
from w2v_core.corpus import Corpus, check_trainable
from w2v_core.runfile import EXTENSION, RunFileError, RunState, describe_file, read_run, run_bytes
from w2v_core.states import ENDED_WITH_VECTORS, State
from w2v_core.trainer import Trainer

OPEN_ERROR_KEY = "_open_run_error"
OPEN_NOTICE_KEY = "_open_run_notice"
CONTINUE_ERROR_KEY = "_continue_error"
DOWNLOAD_HELP = ("The whole run in one file (weights, loss and gradient histories, Evolution snapshots, where "
                 "training stands): open it in any session (Compare page) or with the command line, and continue "
                 "training it.")


def run_file_name(number: int, config: dict) -> str:
    """E.g. "w2v-run-3-cbow-negative.w2vrun"."""
    return f"w2v-run-{number}-{config['model']}-{config['loss']}{EXTENSION}"


def download_record_button(container, record: RunRecord) -> None:  # noqa: ANN001 - a Streamlit container
    """"Download run N" for a kept run (the file is written when the button is pressed)."""
    if record.run is None:
        return
    run = record.run
    container.download_button(f"Download run {record.number}", lambda: run_bytes(run),
                              file_name=run_file_name(record.number, run.config), mime="application/octet-stream",
                              on_click="ignore", key=f"download_run_{record.number}", help=DOWNLOAD_HELP)


def download_current_button(container) -> None:  # noqa: ANN001 - a Streamlit container
    """"Download the run" for the session's current run, once it is not training."""
    trainer = get_trainer()
    if trainer is None or trainer.state == State.FAILED or trainer.progress().words_done == 0:
        return
    name, source, number = run_corpus_name(), run_corpus_source(), run_number()
    container.download_button("Download the run", lambda: run_bytes(trainer.run_state(name, source)),
                              file_name=run_file_name(number, trainer.config.to_dict()),
                              mime="application/octet-stream", on_click="ignore", key="download_current_run",
                              help=DOWNLOAD_HELP)


# ------------------------------------------------------------------------------------------------ opening


def open_run(run: RunState, name: str) -> None:
    """Make an opened run the session's current run: every page shows it, Compare keeps it."""
    trainer = Trainer.from_run_state(run)
    set_trainer(trainer, run.corpus.name, source=run.corpus.source)
    st.session_state[OPEN_NOTICE_KEY] = (f"Opened {md_literal(name)}: {md_literal(run.describe())}. Every page now "
                                         "shows this run; continue training it on the Train page.")


@safe_callback(OPEN_ERROR_KEY, "Could not open the run")
def _open_uploaded() -> None:
    upload = st.session_state.get("run_file")
    if upload is None:
        return
    try:
        run = read_run(upload.getvalue(), max_bytes=limits().max_run_bytes, name=upload.name)
    except RunFileError as error:
        st.session_state[OPEN_ERROR_KEY] = md_message(message_of(error))
        return
    open_run(run, upload.name)


@functools.lru_cache(maxsize=256)
def _described(path: str, stamp: int) -> str:
    """What a prepared run is (its manifest only), cached per file version (``stamp``: its mtime)."""
    try:
        return describe_file(path)
    except RunFileError as error:
        return f"cannot be opened: {error}"


def prepared_label(path: Path) -> str:
    try:
        return f"{path.name}: {_described(str(path), path.stat().st_mtime_ns)}"
    except OSError:
        return path.name


def prepared_runs() -> list[Path]:
    """The run files of the server's ``runs_dir`` (none when it is not set or not a folder), by name."""
    folder = limits().runs_dir
    if not folder or not Path(folder).is_dir():
        return []
    return sorted((p for p in Path(folder).iterdir() if p.suffix == EXTENSION and p.is_file()),
                  key=lambda p: p.name.lower())


@st.cache_resource(max_entries=4, show_spinner="Reading the run…")
def _prepared_run(path: str, stamp: int, max_bytes: int) -> RunState:
    """A run of runs_dir, read once for all sessions (its arrays are read-only; ``stamp``: the file's mtime)."""
    return read_run(path, max_bytes=max_bytes)


@safe_callback(OPEN_ERROR_KEY, "Could not open the run")
def _open_prepared() -> None:
    runs = prepared_runs()
    index = st.session_state.get("prepared_run")
    if not isinstance(index, int) or not 0 <= index < len(runs):  # the list is the server's; an index picks
        raise ValueError("that run is no longer offered by this server; choose another.")
    path = runs[index]
    open_run(_prepared_run(str(path), path.stat().st_mtime_ns, limits().max_run_bytes), path.name)


def open_run_section(expanded: bool) -> None:
    """Open a saved run: upload a ``.w2vrun`` file, or pick one the server offers (``runs_dir``)."""
    with st.expander("Open a saved run", expanded=expanded):
        trainer = get_trainer()
        if trainer is not None and trainer.is_active:
            st.caption("Opening a run stops the training that runs now (it is kept on this page).")
        offered = prepared_runs()
        left, right = st.columns(2) if offered else (st.container(), None)
        left.file_uploader("Run file (.w2vrun)", type=[EXTENSION.lstrip(".")], key="run_file",
                           on_change=_open_uploaded,
                           help="A run downloaded from this app (Download the run) or saved by the command line "
                                "(train --save-run). It becomes one of this session's runs.")
        if right is not None:
            right.selectbox("Runs prepared on this server", range(len(offered)),
                            format_func=lambda i: prepared_label(offered[i]), key="prepared_run",
                            help="Runs your teacher or administrator left for everyone (read-only: continuing "
                                 "one trains a copy of it).")
            right.button("Open this run", key="open_prepared_run", on_click=_open_prepared)
        error = st.session_state.pop(OPEN_ERROR_KEY, None)
        if error:
            st.error(error)
    notice = st.session_state.pop(OPEN_NOTICE_KEY, None)
    if notice:
        st.success(notice)


# ----------------------------------------------------------------------------------------------- continue


def corpus_of(trainer: Trainer) -> tuple[Corpus, str]:
    """The corpus ``trainer``'s run may continue on, with its name: its own, the bundled corpus it names (built
    again), or the one chosen on the Corpus page (uploaded text); ``Trainer.from_run_state`` checks it."""
    if trainer.trainable:
        return trainer.corpus, run_corpus_name()
    info = trainer.opened_corpus
    settings = bundled_settings(info.source, info.min_count)
    if settings is not None:
        return bundled_corpus(settings).corpus, info.name
    try:
        return current_corpus().corpus, info.name
    except (ValueError, KeyError) as error:
        raise ValueError(f"this run was trained on {info.name}: choose that text on the Corpus page (with "
                         f"min_count {info.min_count}) to continue it. {message_of(error)}") from error


@safe_callback(CONTINUE_ERROR_KEY, "Could not continue the run")
def _continue(more_epochs: int) -> None:
    trainer = get_trainer()
    if trainer is None:
        return
    corpus, name = corpus_of(trainer)
    run = trainer.run_state(name, run_corpus_source())
    if run.next_job >= run.n_jobs and more_epochs == 0:
        raise ValueError(f"the run has trained all its {run.epochs} planned epochs: add at least one epoch.")
    check_trainable(corpus, run.config["window"])
    try:
        continued = Trainer.from_run_state(run, corpus, more_epochs=more_epochs, workers=int(setting("cfg_workers")))
    except RunFileError as error:
        raise ValueError(f"{message_of(error)} It was trained on {run.corpus.name}: choose that text on the Corpus "
                         f"page (upload the same files, min_count {run.corpus.min_count}) to continue it.") from None
    set_trainer(continued, name, source=run.corpus.source)
    start_in_queue(continued)


def continue_section() -> None:
    """Continue training the session's ended run (one trained here, or opened from a file)."""
    trainer = get_trainer()
    if trainer is None or trainer.state not in ENDED_WITH_VECTORS or trainer.progress().words_done == 0:
        return
    progress = trainer.progress()
    planned_left = progress.words_done < progress.words_total
    st.subheader("Continue this run")
    c = trainer.config
    settings = (f"{c.model}, {c.loss}, dim {c.dim}, window {c.window}, {c.epochs} epochs planned, "
                f"{progress.words_done:,} of {progress.words_total:,} words trained")
    if not trainer.trainable:
        st.caption(f"This run was opened from a file: {settings} on {md_literal(trainer.opened_corpus.name)}. It "
                   "keeps these settings (not the ones above) and continues on the same text: a bundled corpus is "
                   "built again; uploaded text must be chosen on the Corpus page.")
    else:
        st.caption(f"It keeps its settings ({settings}); the workers are the ones above.")
    left, right = st.columns([1, 3])
    more = int(left.number_input("Epochs to add", 0, 1000, 0 if planned_left else 1, key="continue_epochs",
                                 help="0: to the end of the planned epochs. More epochs extend the plan: the "
                                      "learning rate follows the longer plan's schedule."))
    right.button("Continue training", key="continue_run", on_click=_continue, args=(more,),
                 help="Train on from where this run stands; the loss chart goes on where it stopped. The run as "
                      "it is now stays on the Compare page.")
    error = st.session_state.pop(CONTINUE_ERROR_KEY, None)
    if error:
        st.error(error)
