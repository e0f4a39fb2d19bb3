"""Compile the training kernels, and UMAP, once per server process, in the background, as soon as the app first
loads."""

from __future__ import annotations

import threading

import streamlit as st

from ui.limits import limits
from w2v_core.trainer import warm_up


@st.cache_resource(show_spinner=False)
def warm_kernels_in_background() -> threading.Thread:
    """Start (once per process) a thread that compiles or loads the kernels, so no user waits for it twice."""
    thread = threading.Thread(target=warm_up, name="w2v-kernel-warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner=False)
def warm_umap_in_background() -> threading.Thread | None:
    """Start (once per process, unless ``warm_umap_at_start`` is off) UMAP's forkserver, which compiles umap-learn
    in its own process: the first UMAP a user asks for then starts at once."""
    if not limits().warm_umap_at_start:
        return None
    thread = threading.Thread(target=_warm_umap, name="w2v-umap-warm-up", daemon=True)
    thread.start()
    return thread


def _warm_umap() -> None:
    from w2v_core.layout_job import warm_umap  # imported here: scikit-learn and openTSNE take a second to load

    warm_umap()
