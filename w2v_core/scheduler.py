"""A process-wide limit on concurrent trainings: the rest wait in a FIFO queue and start by themselves."""

from __future__ import annotations

import contextlib
import os
import threading

from .states import STARTABLE
from .trainer import Trainer


class TrainingQueue:
    """Runs at most ``max_running`` trainers at once (default: the number of CPU cores).

    ``submit`` starts a trainer at once when a slot is free, else queues it; a slot frees when a run ends
    (finished, stopped or failed) and the oldest waiting trainer starts. ``nice`` > 0 runs the trainers'
    threads at that lower OS priority (Linux sets it per thread), so that serving pages stays quick while
    training keeps every core busy. Thread-safe.
    """

    def __init__(self, max_running: int | None = None, nice: int = 0) -> None:
        self.max_running = max(1, max_running or os.cpu_count() or 1)
        self.nice = nice
        self._lock = threading.Lock()
        self._running: list[Trainer] = []
        self._waiting: list[Trainer] = []

    def submit(self, trainer: Trainer) -> int:
        """Start or queue ``trainer``; returns its position (0 = running now, k = k-th in the queue)."""
        with self._lock:
            if trainer in self._running or trainer in self._waiting:
                return self._position(trainer)
            trainer.add_done_callback(self._on_done)
            self._waiting.append(trainer)
        self._start_waiting()
        return self.position(trainer)

    def cancel(self, trainer: Trainer) -> None:
        """Take a trainer out of the queue (a running one is stopped, which frees its slot)."""
        with self._lock:
            if trainer in self._waiting:
                self._waiting.remove(trainer)
                return
        if trainer in self._running:
            trainer.stop()
            self._on_done(trainer)

    def position(self, trainer: Trainer) -> int | None:
        """0 while running, k while k-th in the queue, None when not (or no longer) known here."""
        with self._lock:
            return self._position(trainer)

    def _position(self, trainer: Trainer) -> int | None:
        self._prune()
        if trainer in self._running:
            return 0
        if trainer in self._waiting:
            return self._waiting.index(trainer) + 1
        return None

    @property
    def running(self) -> int:
        with self._lock:
            return len(self._running)

    @property
    def waiting(self) -> int:
        with self._lock:
            self._prune()
            return len(self._waiting)

    def _prune(self) -> None:
        """Forget waiting trainers stopped elsewhere (caller holds the lock), so that positions stay right."""
        self._waiting = [t for t in self._waiting if t.state in STARTABLE]

    def _on_done(self, trainer: Trainer) -> None:
        with self._lock:
            if trainer in self._running:
                self._running.remove(trainer)
        self._start_waiting()

    def _start_waiting(self) -> None:
        to_start = []
        with self._lock:
            while self._waiting and len(self._running) < self.max_running:
                trainer = self._waiting.pop(0)
                if trainer.state in STARTABLE:
                    self._running.append(trainer)
                    to_start.append(trainer)
        for trainer in to_start:
            trainer.start()
            self._lower_priority(trainer)

    def _lower_priority(self, trainer: Trainer) -> None:
        if self.nice <= 0:
            return
        for thread in trainer._threads:  # a thread may have ended already; some systems lack setpriority
            with contextlib.suppress(OSError, AttributeError, TypeError):
                os.setpriority(os.PRIO_PROCESS, thread.native_id, self.nice)
