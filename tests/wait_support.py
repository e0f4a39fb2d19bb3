"""Waiting in a test for something another thread does (a trainer, the training queue, a layout job)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], bool], limit: float = 30.0, poll: float = 0.01) -> bool:
    """Poll ``condition()`` until it holds or ``limit`` seconds have passed; whether it holds now."""
    deadline = time.monotonic() + limit
    while not condition() and time.monotonic() < deadline:
        time.sleep(poll)
    return condition()
