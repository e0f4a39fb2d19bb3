"""What every vector-file reader shares: the error it raises, the check of ``limit`` and of the words a format can
store, and the ``Embeddings`` it returns."""

from __future__ import annotations

import numpy as np

from w2v_core.embeddings import Embeddings, EmbeddingsError

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
