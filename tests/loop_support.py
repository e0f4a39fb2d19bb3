"""Running an asyncio program from a test, whatever else the test session runs."""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def run_in_own_thread(coroutine: Coroutine[Any, Any, Any]) -> Any:  # noqa: ANN401 - the coroutine's result
    """``asyncio.run(coroutine)`` in a new thread: the browser tests' Playwright keeps an event loop running in
    pytest's thread, where ``asyncio.run`` refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
