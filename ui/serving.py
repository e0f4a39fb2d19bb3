"""One server, many sessions: the process-wide training queue, each session's TrainerGuard and the watchdog.

- ``training_queue()``: at most ``Limits.training_slots`` trainings run at once; the rest wait (FIFO).
- ``TrainerGuard``: a session's trainers; released (all stopped, queued ones cancelled) when the browser
  session ends, and touched on every page run and poll as the session's heartbeat.
- ``idle_watchdog()``: one thread that stops the trainers of sessions silent for ``idle_timeout_minutes``
  and runs longer than ``max_run_minutes``, and hands the memory of ended sessions back to the OS.
- ``log_server_time()``: with ``$W2V_PAGE_TIMES`` set (by an operator), the server time of every page run and
  memory reclaim is appended to that file as a JSON line.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import logging
import os
import threading
import time
import weakref

import streamlit as st

from ui.limits import limits
from w2v_core.scheduler import TrainingQueue
from w2v_core.states import TERMINAL, State
from w2v_core.trainer import Trainer

LOG = logging.getLogger(__name__)
CHECK_SECONDS = 15.0
PAGE_TIMES_ENV = "W2V_PAGE_TIMES"
_page_times_lock = threading.Lock()


@st.cache_resource(show_spinner=False)
def training_queue() -> TrainingQueue:
    """The queue shared by every session of this server (its size is read once, at first use)."""
    current = limits()
    return TrainingQueue(current.training_slots, nice=current.training_nice)


def end_trainer(trainer: Trainer, queue: TrainingQueue | None) -> None:
    """Take ``trainer`` out of the queue (freeing its slot) and stop it."""
    if queue is not None:
        queue.cancel(trainer)
    trainer.stop()


class TrainerGuard:
    """Stops a browser session's trainers when the session ends (held by a session-scoped resource cache)."""

    def __init__(self, queue: TrainingQueue | None = None) -> None:
        self._lock = threading.Lock()
        self._trainers: list[Trainer] = []
        self._queue = queue
        self._notices: weakref.WeakKeyDictionary[Trainer, str] = weakref.WeakKeyDictionary()
        self.last_seen = time.monotonic()

    def touch(self) -> None:
        """The session is alive (called on every page run and poll)."""
        self.last_seen = time.monotonic()

    def watch(self, trainer: Trainer) -> None:
        """Remember ``trainer`` (and forget ones that have ended)."""
        with self._lock:
            alive = [t for t in self._trainers if t is not trainer and t.state not in TERMINAL]
            self._trainers = [*alive, trainer]

    def notice(self, trainer: Trainer | None) -> str | None:
        """Why the watchdog stopped ``trainer``, if it did."""
        return None if trainer is None else self._notices.get(trainer)

    def release(self) -> None:
        """Stop every trainer of the session (called from Streamlit's on_release; must not raise)."""
        with self._lock:
            trainers, self._trainers = self._trainers, []
        for trainer in trainers:
            self._end(trainer)

    def enforce(self, idle_seconds: float, run_seconds: float, now: float | None = None) -> int:
        """Stop the trainers holding or awaiting a slot when the session is silent for over ``idle_seconds``,
        and runs that trained longer than ``run_seconds`` (0 = no limit); returns how many were stopped."""
        now = time.monotonic() if now is None else now
        idle = idle_seconds > 0 and now - self.last_seen > idle_seconds
        with self._lock:
            trainers = [t for t in self._trainers if t.state not in TERMINAL]
        stopped = 0
        for trainer in trainers:
            if idle and self._holds_slot(trainer):
                reason = (f"Stopped after {idle_seconds / 60:g} minutes without activity in this tab, to free its "
                          "training slot for others. Its vectors are kept; press Start training for a new run.")
            elif run_seconds > 0 and trainer.progress().elapsed_seconds > run_seconds:
                reason = (f"Stopped after {run_seconds / 60:g} minutes of training, the longest run this server "
                          "allows. Its vectors are kept; use fewer epochs or a smaller corpus for a shorter run.")
            else:
                continue
            self._notices[trainer] = reason
            self._end(trainer)
            stopped += 1
        return stopped

    def _holds_slot(self, trainer: Trainer) -> bool:
        if self._queue is None:
            return trainer.is_active or trainer.state == State.PAUSED
        return self._queue.position(trainer) is not None

    def _end(self, trainer: Trainer) -> None:
        try:
            end_trainer(trainer, self._queue)
        except Exception:  # noqa: BLE001 - a failing stop must not break the release of other sessions
            LOG.exception("stopping a trainer of a closed or idle session failed")


def _find_malloc_trim():  # noqa: ANN202 - a ctypes function, or None
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS, Windows)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _find_malloc_trim()


def reclaim_memory() -> int:
    """Free unreachable objects and give the C heap's free pages back to the OS; returns the objects collected.

    A closed session's objects (its AppSession, corpus views, trainer and vectors) form reference cycles, which
    Python frees only at its next full collection, and glibc keeps the freed heap pages of its threads' arenas
    for reuse: without both steps a server's memory stays near the peak of its busiest hour
    (BENCHMARKS.md, "Memory after fifty sessions twice").
    """
    collected = gc.collect()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)  # ctypes releases the GIL meanwhile
    return collected


class IdleWatchdog:
    """One daemon thread that applies ``TrainerGuard.enforce`` with the current limits to every live guard, and
    runs ``reclaim_memory`` after sessions ended (``reclaim_soon``)."""

    def __init__(self, period: float = CHECK_SECONDS) -> None:
        self.period = period
        self._guards: weakref.WeakSet[TrainerGuard] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._reclaim = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, guard: TrainerGuard) -> None:
        """Check ``guard`` from now on (until it is garbage collected); starts the thread on first use."""
        with self._lock:
            self._guards.add(guard)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="w2v-watchdog", daemon=True)
                self._thread.start()

    def check(self, now: float | None = None) -> int:
        """Enforce the limits on every guard once; returns the trainers stopped."""
        current = limits()
        with self._lock:
            guards = list(self._guards)
        return sum(guard.enforce(current.idle_timeout_minutes * 60, current.max_run_minutes * 60, now)
                   for guard in guards)

    def reclaim_soon(self) -> None:
        """A session ended: reclaim memory at the next check. Streamlit keeps a closed session for
        ``server.disconnectedSessionTTL`` and drops the expired ones when a session disconnects, so every session's
        end is also when earlier ones become garbage."""
        self._reclaim.set()

    def close(self) -> None:
        """End the thread (tests; the server's watchdog lives as long as the process)."""
        self._closed.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._closed.wait(self.period):
            try:
                self.check()
                if self._reclaim.is_set():
                    self._reclaim.clear()
                    started = time.perf_counter()
                    collected = reclaim_memory()
                    log_server_time(time.perf_counter() - started, reclaimed=collected)
            except Exception:  # noqa: BLE001 - the watchdog must outlive a bad limits file or a failed stop
                LOG.exception("the idle watchdog failed a check")


@st.cache_resource(show_spinner=False)
def idle_watchdog() -> IdleWatchdog:
    """The watchdog shared by every session of this server."""
    return IdleWatchdog()


def log_server_time(seconds: float, **event: str | int) -> None:
    """Append {"t": epoch seconds, **event, "seconds"} to ``$W2V_PAGE_TIMES`` (nothing if unset): one page run
    (``page=`` its title) or memory reclaim (``reclaimed=`` the objects collected)."""
    path = os.environ.get(PAGE_TIMES_ENV)
    if not path:
        return
    line = json.dumps({"t": round(time.time(), 3), **event, "seconds": round(seconds, 4)})
    with _page_times_lock, open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")
