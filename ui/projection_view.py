"""The Projection page's maps: computed maps kept per session, the session's t-SNE/UMAP job (one at a time,
stopped when the session ends) and the server-wide cap on jobs computed at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from ui.limits import limits
from w2v_core.layout_job import LayoutJob, LayoutSnapshot, LayoutState

KEEP_MAPS = 6  # maps and clusterings kept per session


@dataclass(frozen=True)
class KeptMap:
    """A computed map (n, dims) and, for a t-SNE/UMAP stopped early, how far it got."""

    coords: np.ndarray
    stopped_at: tuple[int, int] | None = None  # (iteration, total)


@st.cache_resource(show_spinner=False)
def layout_slots() -> threading.BoundedSemaphore:
    """Slots shared by every session of this server: at most ``max_concurrent_layouts`` maps computed at once."""
    return threading.BoundedSemaphore(limits().layout_slots)


class SessionLayout:
    """A browser session's current t-SNE/UMAP job and what it is for (stopped when the session ends)."""

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.job: LayoutJob | None = None

    def job_for(self, key: tuple, make: Callable[[], LayoutJob]) -> LayoutJob:
        """The job for ``key``: the current one, or a new one started (stopping the previous)."""
        if self.key != key or self.job is None:
            self.release()
            self.key, self.job = key, make().start()
        return self.job

    def forget(self) -> None:
        """Drop the job (after its map was kept), so that the same settings can start again."""
        self.release()
        self.key, self.job = None, None

    def release(self) -> None:
        if self.job is not None:
            self.job.stop()


@st.cache_resource(scope="session", on_release=SessionLayout.release, show_spinner=False)
def session_layout() -> SessionLayout:
    return SessionLayout()


def kept_maps() -> dict:
    return st.session_state.setdefault("_projections", {})


def cached(key: tuple, label: str, make: Callable[[], object]) -> object:
    """``make()`` once per key in this session (projections and clusterings of thousands of words take time)."""
    cache = kept_maps()
    if key not in cache:
        with st.spinner(label):
            cache[key] = make()
        while len(cache) > KEEP_MAPS:
            cache.pop(next(iter(cache)))
    return cache[key]


def keep(key: tuple, kept: KeptMap) -> None:
    cache = kept_maps()
    cache[key] = kept
    while len(cache) > KEEP_MAPS:
        cache.pop(next(iter(cache)))


def start_layout(key: tuple, method: str, vectors: np.ndarray, dims: int) -> LayoutJob:
    """This session's job for ``key`` (t-SNE or UMAP of ``vectors``), started if it is not running yet."""
    return session_layout().job_for(key, lambda: LayoutJob(method, vectors, dims, seed=0, slots=layout_slots()))


def progress_text(name: str, snapshot: LayoutSnapshot, unit: str) -> str:
    """One line on what a job is doing, e.g. "t-SNE: iteration 120 of 600 · 2.3 s"."""
    if snapshot.state == LayoutState.WAITING:
        return (f"{name} waits for a free slot: this server computes {limits().layout_slots} t-SNE/UMAP maps at "
                "once. It starts by itself.")
    if snapshot.state == LayoutState.PREPARING:
        return f"{name}: {snapshot.message or 'preparing'}… {snapshot.seconds:.1f} s"
    return f"{name}: {unit} {snapshot.iteration:,} of {snapshot.total:,} · {snapshot.seconds:.1f} s"
