"""t-SNE and UMAP maps computed in the background, with snapshots of the map as it converges and a Stop.

``LayoutJob`` runs one map in its own thread; a page polls ``snapshot()`` and draws the latest map, as the
Embedding Projector does. t-SNE runs in that thread (openTSNE's gradients run in compiled code that releases
the GIL). UMAP runs in a child process forked from a forkserver that has imported umap-learn and compiled its
numba code once: that code holds the GIL, and compiling it takes many CPU seconds on the first call of every
process, which would freeze a web server's other threads. Stopping a UMAP job ends its process.

``slots`` (a semaphore shared by all jobs of a server) caps how many maps are computed at once; a job waits
for a free slot in state ``WAITING``. No Streamlit here.

waiting → preparing (→ running) → finished; stopped or failed from any state before that.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from multiprocessing import context as mp_context
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util

import numpy as np

from w2v_core.projection import ProjectionError, TsneLayout, umap_layout

LAYOUT_METHODS = ("tsne", "umap")
SNAPSHOT_SECONDS = 0.25  # how often a running job publishes its map
_WARM_UP_MODULE = "w2v_core.umap_warmup"


class LayoutState(StrEnum):
    """A layout job's state; a ``StrEnum``, so each state equals its name as a string."""

    WAITING = "waiting"  # for a free slot (``slots``)
    PREPARING = "preparing"  # finding neighbours, or getting UMAP ready
    RUNNING = "running"  # publishing maps as it converges
    FINISHED = "finished"
    STOPPED = "stopped"  # asked to stop: keeps the map it had
    FAILED = "failed"  # see ``LayoutSnapshot.message``


ACTIVE = frozenset({LayoutState.WAITING, LayoutState.PREPARING, LayoutState.RUNNING})  # not ended yet


@dataclass(frozen=True)
class LayoutSnapshot:
    """What a job has so far: the latest map (None before the first), progress and state."""

    coords: np.ndarray | None  # (n, dims) float32
    iteration: int
    total: int
    state: LayoutState
    seconds: float  # since the job started computing (after waiting for a slot)
    message: str = ""  # what it is doing (preparing) or why it failed

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


_context_lock = threading.Lock()
_umap_ready = threading.Event()


class _PopenWithoutMain(popen_forkserver.Popen):
    """Starts a forkserver child without re-running the parent's main module in it: multiprocessing would run
    it as ``__mp_main__``, and under Streamlit the main module is the app script itself. (The body is the
    standard library's ``_launch`` with the main module's entries left out of the preparation data.)"""

    def _launch(self, process_obj: multiprocessing.process.BaseProcess) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        for key in ("init_main_from_path", "init_main_from_name"):
            prep_data.pop(key, None)
        buf = io.BytesIO()
        mp_context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            mp_context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _UmapProcess(mp_context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: multiprocessing.process.BaseProcess) -> _PopenWithoutMain:  # noqa: N802 - stdlib name
        return _PopenWithoutMain(process_obj)


def _umap_process(target: Callable[..., None], *args) -> _UmapProcess:  # noqa: ANN002 - Process arguments
    """A process forked from the forkserver that preloads (imports and compiles) umap-learn."""
    with _context_lock:
        multiprocessing.get_context("forkserver").set_forkserver_preload([_WARM_UP_MODULE])
    return _UmapProcess(target=target, args=args, name="umap-layout", daemon=True)


def warm_umap() -> bool:
    """Start the UMAP forkserver (it imports umap-learn and compiles its code in its own process, never holding
    this process's GIL) and wait until a first child has forked from it, so that the first UMAP job starts warm.
    Returns whether that child ran. Blocking: call it from a background thread."""
    process = _umap_process(_ready_child)
    process.start()
    process.join()
    if process.exitcode == 0:
        _umap_ready.set()
    return process.exitcode == 0


def _ready_child() -> None:
    """A forked child that only shows that the forkserver has finished its preload."""


def umap_is_ready() -> bool:
    """True once a UMAP child process has started in this server (umap-learn is compiled and warm)."""
    return _umap_ready.is_set()


class LayoutJob:
    """One t-SNE or UMAP map of (n, d) ``vectors`` computed in a background thread. Thread-safe."""

    def __init__(self, method: str, vectors: np.ndarray, dims: int = 2, seed: int = 0,
                 slots: threading.Semaphore | None = None) -> None:
        if method not in LAYOUT_METHODS:
            raise ProjectionError(f"Unknown layout method {method!r}; use one of {', '.join(LAYOUT_METHODS)}.")
        self.method = method
        self._vectors = np.asarray(vectors, dtype=np.float32)
        self.dims = dims
        self.seed = seed
        self._slots = slots
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._snapshot = LayoutSnapshot(None, 0, 0, LayoutState.WAITING, 0.0)
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name=f"layout-{method}", daemon=True)

    def start(self) -> LayoutJob:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the job to stop; it keeps the map it has so far (state ``STOPPED``)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def snapshot(self) -> LayoutSnapshot:
        with self._lock:
            return self._snapshot

    def _publish(self, **changes) -> None:  # noqa: ANN003 - LayoutSnapshot fields
        with self._lock:
            fields = {**self._snapshot.__dict__, "seconds": time.monotonic() - self._started, **changes}
            self._snapshot = LayoutSnapshot(**fields)

    def _run(self) -> None:
        try:
            if not self._take_slot():
                self._publish(state=LayoutState.STOPPED)
                return
            try:
                self._started = time.monotonic()
                (self._run_tsne if self.method == "tsne" else self._run_umap)()
            finally:
                if self._slots is not None:
                    self._slots.release()
        except ProjectionError as error:
            self._publish(state=LayoutState.FAILED, message=str(error))
        except Exception as error:  # noqa: BLE001 - any failure becomes the job's message, never a crash
            self._publish(state=LayoutState.FAILED, message=f"{type(error).__name__}: {error}")

    def _take_slot(self) -> bool:
        """Wait for a free slot (False if stopped meanwhile)."""
        if self._slots is None:
            return True
        while not self._slots.acquire(timeout=0.1):
            if self._stop.is_set():
                return False
        return True

    def _run_tsne(self) -> None:
        self._publish(state=LayoutState.PREPARING, message="finding each word's neighbours")
        layout = TsneLayout(self._vectors, dims=self.dims, seed=self.seed)
        self._publish(state=LayoutState.RUNNING, coords=layout.coords, total=layout.total, message="")
        chunk = 10
        while not layout.done:
            if self._stop.is_set():
                self._publish(state=LayoutState.STOPPED)
                return
            began = time.monotonic()
            coords = layout.advance(chunk)
            self._publish(coords=coords, iteration=layout.iteration)
            # iterations per snapshot, so that the page gets a new map about every SNAPSHOT_SECONDS
            spent = max(time.monotonic() - began, 1e-3)
            chunk = int(np.clip(chunk * SNAPSHOT_SECONDS / spent, 5, 100))
        self._publish(state=LayoutState.FINISHED)

    def _run_umap(self) -> None:
        ready = umap_is_ready()
        self._publish(state=LayoutState.PREPARING, message="finding each word's neighbours" if ready else
                      "getting UMAP ready (compiling it, once after the server starts)")
        receiver, sender = multiprocessing.Pipe(duplex=False)
        process = _umap_process(_umap_child, sender, self._vectors, self.dims, self.seed)
        try:
            process.start()
            sender.close()
            self._follow_umap(receiver, process)
        finally:
            if process.is_alive():
                process.terminate()
            with contextlib.suppress(ValueError, AssertionError):  # never started
                process.join(5)
            receiver.close()

    def _follow_umap(self, receiver: multiprocessing.connection.Connection,
                     process: multiprocessing.process.BaseProcess) -> None:
        while True:
            if self._stop.is_set():
                self._publish(state=LayoutState.STOPPED)
                return
            if not receiver.poll(0.1):
                if not process.is_alive() and not receiver.poll(0):
                    raise ProjectionError(f"The UMAP process ended unexpectedly (exit code {process.exitcode}).")
                continue
            try:
                kind, *payload = receiver.recv()
            except EOFError:
                raise ProjectionError("The UMAP process ended unexpectedly.") from None
            if kind == "started":
                _umap_ready.set()
                self._publish(message="finding each word's neighbours")
            elif kind == "epoch":
                epoch, total, coords = payload
                self._publish(state=LayoutState.RUNNING, coords=coords, iteration=epoch, total=total, message="")
            elif kind == "done":
                (coords,) = payload
                snapshot = self.snapshot()
                self._publish(state=LayoutState.FINISHED, coords=coords, iteration=snapshot.total or 1,
                              total=snapshot.total or 1, message="")
                return
            elif kind == "error":
                raise ProjectionError(payload[0])


def _umap_child(sender: multiprocessing.connection.Connection, vectors: np.ndarray, dims: int, seed: int) -> None:
    """Body of a UMAP child process: sends ("started",), ("epoch", epoch, total, coords) about every
    SNAPSHOT_SECONDS, then ("done", coords) or ("error", message)."""
    sender.send(("started",))
    last = [0.0]

    def epochs_done(epoch: int, total: int, coords: np.ndarray) -> None:
        now = time.monotonic()
        if now - last[0] >= SNAPSHOT_SECONDS and epoch < total:
            last[0] = now
            sender.send(("epoch", epoch, total, np.array(coords, dtype=np.float32)))

    try:
        coords = umap_layout(vectors, dims=dims, seed=seed, epochs_done=epochs_done)
    except ProjectionError as error:
        sender.send(("error", str(error)))
    except Exception as error:  # noqa: BLE001 - reported to the page, which shows it
        sender.send(("error", f"UMAP failed: {type(error).__name__}: {error}"))
    else:
        sender.send(("done", coords))
    finally:
        sender.close()
