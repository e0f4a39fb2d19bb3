"""What the two text formats (word2vec text, projector TSV) share: numbered lines of bounded length, decoded as
UTF-8, blank ones skipped; numbers parsed and checked; a word that comes twice refused."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

import numpy as np

from ._common import VectorFormatError

MAX_LINE_BYTES = 1 << 20


def read_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of each line, refusing lines over ``MAX_LINE_BYTES``."""
    line_no = 0
    while raw := stream.readline(MAX_LINE_BYTES):
        line_no += 1
        if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise VectorFormatError(f"Line {line_no} is longer than {MAX_LINE_BYTES >> 20} MB: this is not a "
                                    "text vector file.")
        yield line_no, raw


def vector_lines(lines: Iterable[tuple[int, bytes]], limit: int | None) -> Iterator[tuple[int, bytes]]:
    """The non-blank ones of numbered ``lines``, each a vector, until one more would pass ``limit``."""
    count = 0
    for no, raw in lines:
        if raw.strip():
            if count == limit:
                return
            count += 1
            yield no, raw


def decode_line(raw: bytes, where: str) -> str:
    """A line of a text file as str; binary data raise ``VectorFormatError``."""
    if b"\x00" in raw:
        raise VectorFormatError(f"{where} contains binary data (NUL bytes): this is not a text vector file. A "
                                "binary word2vec file must be named .bin.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise VectorFormatError(f"{where} is not UTF-8 text (byte {error.start}); a binary word2vec file must "
                                "be named .bin.") from error


def parse_numbers(fields: list[bytes], where: str, word: str | None = None) -> np.ndarray:
    """(len(fields),) float32 from number fields; non-numbers, NaN and infinity raise ``VectorFormatError``."""
    try:
        with np.errstate(over="ignore"):
            values = np.array([float(field) for field in fields], dtype=np.float32)
    except ValueError:
        bad = next(f for f in fields if not _is_float(f))
        raise VectorFormatError(f"{where}: {bad[:30].decode('utf-8', 'replace')!r} is not a number.") from None
    if not np.isfinite(values).all():
        raise VectorFormatError(f"{where}: the vector{f' of {word!r}' if word else ''} contains NaN or infinity "
                                "(or a number too large for float32).")
    return values


def _is_float(field: bytes) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def remember_word(seen: dict[str, int], word: str, line_no: int, where: str) -> None:
    """Note ``word`` as read on line ``line_no``; one already in ``seen`` raises ``VectorFormatError``."""
    if word in seen:
        raise VectorFormatError(f"{where}: the word {word!r} already appeared on line {seen[word]}.")
    seen[word] = line_no
