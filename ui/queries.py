"""The words typed on the exploring pages (Neighbours, Projection), kept across page switches for one vocabulary.

The session keys ``_query_vocabulary_<page>`` (the vocabulary a page's queries were typed for) belong to this
module; the queries themselves are the page's widgets (``persist_state="session"``).
"""

from __future__ import annotations

import streamlit as st

VOCABULARY_KEY = "_query_vocabulary_{page}"
SHOWN_WORDS = 20  # the vocabulary is told apart by its size and its most frequent words


def remember_queries(page: str, words: list[str], keys: tuple[str, ...]) -> None:
    """Keep a page's typed queries ``keys`` (widgets with ``persist_state="session"``) across page switches, but
    start again from the page's defaults when the vocabulary changes (another corpus or vector file)."""
    vocabulary = (len(words), tuple(words[:SHOWN_WORDS]))
    key = VOCABULARY_KEY.format(page=page)
    if st.session_state.get(key) != vocabulary:
        for query in keys:
            st.session_state.pop(query, None)
        st.session_state[key] = vocabulary
