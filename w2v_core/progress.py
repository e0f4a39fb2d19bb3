"""Progress of the command line's stages (reading, counting, training, writing) on stderr, with tqdm.

On a terminal each stage is a live tqdm bar. When stderr is a file or a pipe (a log, CI), bars would fill it with
carriage returns, so each stage writes one line when it ends instead: what it did, how long it took, how fast.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")
STAGE_LINE = re.compile(r"(reading|counting|training|writing): \S+ \S*\s?in \d")  # a stage's closing line


def is_stage_line(line: str) -> bool:
    """Whether ``line`` (of stderr) is the closing line of a stage, as written when stderr is not a terminal."""
    return STAGE_LINE.match(line) is not None


class Stage:
    """One stage of work: ``update(n)`` as it goes (in ``unit``), ``close()`` (or leave the ``with`` block) at
    its end. ``initial``: work done before (a resumed training); ``enabled=False`` shows nothing (``--quiet``)."""

    def __init__(self, name: str, total: float | None = None, unit: str = "it", unit_scale: bool = True,
                 enabled: bool = True, stream: TextIO | None = None, initial: float = 0) -> None:
        self.name, self.unit, self.unit_scale, self.enabled = name, unit, unit_scale, enabled
        self.stream = stream if stream is not None else sys.stderr
        self.initial = self.done = initial
        self.note = ""
        self.started = time.perf_counter()
        self.live = enabled and _is_terminal(self.stream)
        self.bar = tqdm(total=total, desc=name, unit=unit, unit_scale=unit_scale, file=self.stream, initial=initial,
                        disable=not self.live, dynamic_ncols=True, leave=True)
        self.closed = False

    def update(self, n: float = 1) -> None:
        self.done += n
        if self.live:
            self.bar.update(n)

    def set_note(self, note: str) -> None:
        """A short text after the bar (e.g. the loss), also on the stage's closing line."""
        self.note = note
        if self.live:
            self.bar.set_postfix_str(note, refresh=False)

    def iterate(self, items: Iterable[T]) -> Iterator[T]:
        """``items`` one by one, each counted."""
        for item in items:
            yield item
            self.update()

    def close(self, failed: bool = False) -> None:
        """End the stage: the bar stays on a terminal; elsewhere its line is written (not when it ``failed``)."""
        if self.closed:
            return
        self.closed = True
        self.bar.close()
        if self.enabled and not self.live and not failed:
            print(self.summary(), file=self.stream, flush=True)

    def summary(self) -> str:
        """The closing line: "training: 3.95M words in 4.2 s (941k words/s), loss 2.310"."""
        seconds, done = time.perf_counter() - self.started, self.done - self.initial
        amount = self._amount(done)
        rate = f" ({self._amount(done / seconds)}/s)" if seconds >= 0.05 and done else ""
        return f"{self.name}: {amount} in {seconds:.1f} s{rate}" + (f", {self.note}" if self.note else "")

    def _amount(self, value: float) -> str:
        scaled = self.unit_scale and value >= 1000
        number = tqdm.format_sizeof(value) if scaled else f"{value:,.0f}"  # "14.4k", as the bar writes it
        return f"{number}{self.unit}" if self.unit == "B" else f"{number} {self.unit}"

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.close(failed=exc_type is not None)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False
