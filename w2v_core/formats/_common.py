"""What every vector-file reader shares: the error it raises and the checks of limits, words, lines and numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from w2v_core.embeddings import Embeddings, EmbeddingsError

MAX_LINE_BYTES = 1 << 20
ASCII_SPACE = set(" \t\n\r\x0b\x0c")


class VectorFormatError(ValueError):
    """A word-vector file that cannot be read or written, with the line or word at fault."""


def check_limit(limit: int | None) -> None:
    if limit is not None and limit < 1:
        raise VectorFormatError(f"limit must be at least 1 word (got {limit}).")


def check_storable(emb: Embeddings, what: str, forbidden: set[str] = ASCII_SPACE) -> None:
    """Refuse words that a format cannot store (whitespace separates fields in word2vec files)."""
    for i, word in enumerate(emb.words):
        if forbidden & set(word):
            raise VectorFormatError(f"Word {i + 1} ({word!r}) contains a space, tab or line break, which the "
                                    f"{what} format cannot store. Replace them (e.g. with '_') before saving.")


def to_embeddings(words: list[str], rows: list[np.ndarray] | np.ndarray, counts: np.ndarray | None = None,
                  config: dict | None = None) -> Embeddings:
    """``Embeddings`` from parsed data; their validation errors become ``VectorFormatError``."""
    if len(words) == 0:
        raise VectorFormatError("The file contains no word vectors.")
    try:
        return Embeddings(words, rows, counts, config)
    except EmbeddingsError as error:
        raise VectorFormatError(str(error)) from error


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


def read_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of each line, refusing lines over ``MAX_LINE_BYTES``."""
    line_no = 0
    while raw := stream.readline(MAX_LINE_BYTES):
        line_no += 1
        if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise VectorFormatError(f"Line {line_no} is longer than {MAX_LINE_BYTES >> 20} MB: this is not a "
                                    "text vector file.")
        yield line_no, raw
