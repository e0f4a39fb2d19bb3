"""The text files uploaded in this session, and the corpus built from them.

A ``file_uploader``'s value vanishes when its page is not shown, so the Corpus page copies the files here. The
session keys ``_uploads`` (``(name, bytes)`` pairs), ``_upload_problem`` (why the last files were refused),
``_upload_encoding``, ``_upload_signature`` (the uploader's files last copied) and ``_uploaded_corpus`` belong to
this module.
"""

from __future__ import annotations

import streamlit as st

from ui.corpus_source import CorpusSettings, LoadedCorpus, load_uploaded
from ui.limits import limits

FILES_KEY = "_uploads"
PROBLEM_KEY = "_upload_problem"
ENCODING_KEY = "_upload_encoding"
SIGNATURE_KEY = "_upload_signature"
CORPUS_KEY = "_uploaded_corpus"


def uploads() -> list[tuple[str, bytes]]:
    """The uploaded files as ``(name, bytes)``, in the order given (none before the first upload)."""
    return st.session_state.get(FILES_KEY, [])


def upload_names() -> list[str]:
    """The names of the uploaded files."""
    return [name for name, _ in uploads()]


def refused_uploads() -> str | None:
    """Why the last files chosen were refused (too many, too large), if they were."""
    return st.session_state.get(PROBLEM_KEY)


def upload_encoding() -> str:
    """How the uploaded bytes are decoded: "utf-8" (or a byte-order mark's), or "latin-1" when asked."""
    return st.session_state.get(ENCODING_KEY, "utf-8")


def read_uploads_as_latin1() -> None:
    """Decode the uploaded files as latin-1 from now on (every byte one character)."""
    st.session_state[ENCODING_KEY] = "latin-1"


def is_new_upload(signature: list[tuple]) -> bool:
    """Whether the uploader's files (``(file_id, name, size)`` each) differ from the ones seen last; notes them."""
    if signature == st.session_state.get(SIGNATURE_KEY):
        return False
    st.session_state[SIGNATURE_KEY] = signature
    return True


def set_uploads(files: list[tuple[str, bytes]], problem: str | None = None) -> None:
    """Keep uploaded ``(name, bytes)`` files for this session (file_uploader values vanish on page switch), or
    none and the ``problem`` that stopped them (shown on the Corpus page)."""
    st.session_state[FILES_KEY] = files
    st.session_state[PROBLEM_KEY] = problem
    st.session_state[ENCODING_KEY] = "utf-8"
    st.session_state.pop(CORPUS_KEY, None)


def uploaded_corpus(settings: CorpusSettings) -> LoadedCorpus:
    """The corpus of the uploaded files built with ``settings``, built again only when they change."""
    loaded: LoadedCorpus | None = st.session_state.get(CORPUS_KEY)
    if loaded is None or loaded.settings != settings:
        st.session_state.pop(CORPUS_KEY, None)  # the old corpus can be freed while the new one is built
        with st.spinner("Reading your files…"):
            allowed = limits()
            loaded = load_uploaded(uploads(), settings, allowed.max_corpus_bytes, allowed.max_upload_files)
        st.session_state[CORPUS_KEY] = loaded
    return loaded
