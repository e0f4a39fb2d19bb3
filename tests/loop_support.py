"""Running an asyncio program from a test, whatever else the test session runs."""

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def call_in_own_thread(function: Callable[[], T]) -> T:
    """``function()`` in a new thread, where it may start an event loop of its own: the browser tests' Playwright
    keeps an event loop running in pytest's thread, where ``asyncio.run`` refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function).result()


def run_in_own_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` in a new thread (see ``call_in_own_thread``)."""
    return call_in_own_thread(lambda: asyncio.run(coroutine))
