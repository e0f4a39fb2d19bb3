"""Per-session state: the settings, the corpus and the trainer's life (stopped when the session ends). The current
run's keys belong to ``ui/current_run.py``, the vectors pages explore to ``ui/model_views.py``.

Widget values live under their keys with ``persist_state="session"``; ``setting(key)`` reads one from any page
(falling back to its default until the widget has been shown). Non-widget values use ``_``-prefixed keys,
except ``trainer`` (the current ``Trainer`` or ``None``), which tests poll.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import server_files
from ui.corpus_source import (
    CorpusSettings,
    LoadedCorpus,
    corpus_source,
    load_bundled,
    load_uploaded,
    uploads_fingerprint,
)
from ui.current_run import (
    get_trainer,
    make_current,
    run_corpus_name,
    run_corpus_source,
    run_number,
)
from ui.limits import limits
from ui.runs import record_run
from ui.serving import TrainerGuard, end_trainer, idle_watchdog, training_queue
from w2v_core.corpus import CorpusError
from w2v_core.embeddings import Embeddings
from w2v_core.options import CORPUS_OPTIONS, TRAIN_OPTIONS
from w2v_core.phrases import PhraseOptions
from w2v_core.states import TERMINAL, State
from w2v_core.trainer import TrainConfig, Trainer

DEFAULTS: dict[str, Any] = {
    "corpus_source": "teaching", "server_corpus": "", "model_source": "trained", "vector_kind": "input",
    "step_words": 10_000, **{option.name: option.default for option in CORPUS_OPTIONS},
    **{f"cfg_{option.name}": option.default for option in TRAIN_OPTIONS},
}


def setting(key: str) -> Any:
    """The value of widget ``key`` (kept across pages), or its default before it was first shown."""
    return st.session_state.get(key, DEFAULTS[key])


def remember_queries(page: str, words: list[str], keys: tuple[str, ...]) -> None:
    """Keep a page's typed queries ``keys`` (widgets with ``persist_state="session"``) across page switches, but
    start again from the page's defaults when the vocabulary changes (another corpus or vector file)."""
    vocabulary = (len(words), tuple(words[:20]))
    if st.session_state.get(f"_query_vocabulary_{page}") != vocabulary:
        for key in keys:
            st.session_state.pop(key, None)
        st.session_state[f"_query_vocabulary_{page}"] = vocabulary


# ----------------------------------------------------------------------------------------------- trainer


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
        source = corpus_source(corpus_settings(), [name for name, _ in st.session_state.get("_uploads", [])])
    make_current(trainer, corpus_name, source)
    session_guard().watch(trainer)


def training_config() -> TrainConfig:
    """The TrainConfig of the Train page's widgets (defaults until they were shown)."""
    return TrainConfig.from_dict({option.name: setting(f"cfg_{option.name}") for option in TRAIN_OPTIONS})


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


# ------------------------------------------------------------------------------------------------ corpus


@st.cache_resource(max_entries=12, show_spinner="Building the corpus…")
def _bundled_corpus(settings: CorpusSettings) -> LoadedCorpus:
    """Bundled corpora are shared by all sessions (read-only)."""
    return load_bundled(settings)


def corpus_settings() -> CorpusSettings:
    """The corpus chosen by the Corpus page's widgets."""
    max_vocab = int(setting("max_vocab"))
    source, server_file, server_stamp = setting("corpus_source"), "", ""
    if source == "server":
        server_file = str(setting("server_corpus"))
        entry = next((e for e in server_files.listing(limits().corpora_dir, "corpora") if e.name == server_file),
                     None)
        server_stamp = entry.stamp if entry is not None else ""
    return CorpusSettings(source=source, min_count=int(setting("min_count")),
                          max_vocab=max_vocab or None, lowercase=bool(setting("lowercase")),
                          teaching_sentences=int(setting("teaching_sentences")),
                          uploads_id=uploads_fingerprint(st.session_state.get("_uploads", [])),
                          encoding=st.session_state.get("_upload_encoding", "utf-8"),
                          server_file=server_file, server_stamp=server_stamp,
                          whitespace=bool(setting("whitespace")), nfkc=bool(setting("nfkc")), cjk=str(setting("cjk")),
                          phrases=PhraseOptions(float(setting("phrase_threshold")), int(setting("phrase_min_count")))
                          if setting("phrases") else None)


@st.cache_resource(max_entries=4, show_spinner="Reading the corpus from the server…")
def _server_corpus(settings: CorpusSettings) -> LoadedCorpus:
    """A corpus of the server's ``corpora_dir``, built once for all sessions (read-only)."""
    entry = server_files.find(limits().corpora_dir, "corpora", settings.server_file)
    return server_files.load_server_corpus(entry, settings)


@st.cache_resource(max_entries=3, show_spinner="Opening the vectors on the server…")
def _server_vectors(name: str, stamp: str) -> Embeddings:
    """Vectors of the server's ``vectors_dir``, opened once for all sessions (read-only; ``stamp``: size and
    modification time, so that a replaced file is opened again)."""
    allowed = limits()
    return server_files.open_server_vectors(server_files.find(allowed.vectors_dir, "vectors", name),
                                            allowed.vectors_cache_dir)


def server_vectors(name: str) -> Embeddings:
    """The vectors called ``name`` in the server's ``vectors_dir`` (``ServerFileError`` when gone)."""
    entry = server_files.find(limits().vectors_dir, "vectors", name)
    return _server_vectors(entry.name, entry.stamp)


def bundled_corpus(settings: CorpusSettings) -> LoadedCorpus:
    """A bundled corpus built with ``settings`` (shared by all sessions, read-only)."""
    return _bundled_corpus(settings)


def current_corpus() -> LoadedCorpus:
    """The corpus chosen on the Corpus page, built once per choice; raises CorpusError for unusable ones."""
    settings = corpus_settings()
    if settings.source == "server":
        if not settings.server_file:
            raise CorpusError("Choose one of the server's corpora above.")
        return _server_corpus(settings)
    if settings.source != "upload":
        return _bundled_corpus(settings)
    loaded: LoadedCorpus | None = st.session_state.get("_uploaded_corpus")
    if loaded is None or loaded.settings != settings:
        st.session_state.pop("_uploaded_corpus", None)
        with st.spinner("Reading your files…"):
            allowed = limits()
            loaded = load_uploaded(st.session_state.get("_uploads", []), settings, allowed.max_corpus_bytes,
                                   allowed.max_upload_files)
        st.session_state["_uploaded_corpus"] = loaded
    return loaded


def set_uploads(files: list[tuple[str, bytes]], problem: str | None = None) -> None:
    """Keep uploaded ``(name, bytes)`` files for this session (file_uploader values vanish on page switch), or
    none and the ``problem`` that stopped them (shown on the Corpus page)."""
    st.session_state["_uploads"] = files
    st.session_state["_upload_problem"] = problem
    st.session_state["_upload_encoding"] = "utf-8"
    st.session_state.pop("_uploaded_corpus", None)


# ------------------------------------------------------------------------------------------------- status


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
