"""Compile the training kernels once per server process, in the background, as soon as the app first loads."""

from __future__ import annotations

import threading

import streamlit as st

from w2v_core.trainer import warm_up


@st.cache_resource(show_spinner=False)
def warm_kernels_in_background() -> threading.Thread:
    """Start (once per process) a thread that compiles or loads the kernels, so no user waits for it twice."""
    thread = threading.Thread(target=warm_up, name="w2v-kernel-warm-up", daemon=True)
    thread.start()
    return thread
