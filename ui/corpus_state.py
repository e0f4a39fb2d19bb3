"""The corpus chosen on the Corpus page: its settings, and the corpus built from them.

Bundled and server corpora are built once for all sessions (``st.cache_resource``, read-only); uploaded ones
once per session (``ui/uploads.py``). This module keeps no session keys of its own: it reads the settings
(``ui/settings.py``) and the uploads.
"""

from __future__ import annotations

import streamlit as st

from ui import server_files
from ui.corpus_source import CorpusSettings, LoadedCorpus, load_bundled, uploads_fingerprint
from ui.limits import limits
from ui.settings import setting
from ui.uploads import upload_encoding, uploaded_corpus, uploads
from w2v_core.corpus import CorpusError
from w2v_core.phrases import PhraseOptions


@st.cache_resource(max_entries=12, show_spinner="Building the corpus…")
def _bundled_corpus(settings: CorpusSettings) -> LoadedCorpus:
    """Bundled corpora are shared by all sessions (read-only)."""
    return load_bundled(settings)


@st.cache_resource(max_entries=4, show_spinner="Reading the corpus from the server…")
def _server_corpus(settings: CorpusSettings) -> LoadedCorpus:
    """A corpus of the server's ``corpora_dir``, built once for all sessions (read-only)."""
    entry = server_files.find(limits().corpora_dir, "corpora", settings.server_file)
    return server_files.load_server_corpus(entry, settings)


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
                          uploads_id=uploads_fingerprint(uploads()), encoding=upload_encoding(),
                          server_file=server_file, server_stamp=server_stamp,
                          whitespace=bool(setting("whitespace")), nfkc=bool(setting("nfkc")), cjk=str(setting("cjk")),
                          phrases=PhraseOptions(float(setting("phrase_threshold")), int(setting("phrase_min_count")))
                          if setting("phrases") else None)


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
    return uploaded_corpus(settings)
