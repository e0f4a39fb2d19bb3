"""The states of a training run, and the sets of them that callers ask about.

A ``StrEnum``: each state equals its name as a string, so run files' manifests and JSON keep the plain words.

ready → (compiling →) running ⇄ paused → finished | stopped | failed; ``step()`` goes ready/paused → running →
paused (or finished at the end of the plan).
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    READY = "ready"  # built, not started (or a run opened from a file)
    COMPILING = "compiling"  # threads started while the kernels compile (first run of a process)
    RUNNING = "running"
    PAUSED = "paused"  # can resume or train step by step; also where --stop-after-epoch leaves a run
    FINISHED = "finished"  # trained every planned epoch
    STOPPED = "stopped"  # ended early by the user, a limit or the session's end
    FAILED = "failed"  # an error (e.g. a diverging learning rate): see ``Trainer.error``


ACTIVE = frozenset({State.COMPILING, State.RUNNING})  # training threads are at work
STARTABLE = frozenset({State.READY, State.PAUSED})  # start(), step() and the training queue may run it
TERMINAL = frozenset({State.FINISHED, State.STOPPED, State.FAILED})  # ended for good
ENDED_WITH_VECTORS = frozenset({State.FINISHED, State.STOPPED})  # kept for comparison, continuable
SAVABLE = (State.FINISHED, State.STOPPED, State.PAUSED)  # the states a run file may hold
