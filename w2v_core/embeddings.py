"""Trained word vectors and the questions one asks of them: neighbours, analogies, similarities.

``Embeddings`` holds ``words`` (ordered by descending frequency), ``vectors`` (n, d) float32 and optional
``counts`` (n,) int64. Every query uses cosine similarity over the unit-normalised vectors, computed once and
cached, with one matrix-vector product per query, so a 100k x 300 vocabulary answers in milliseconds. Vectors
larger than ``UNIT_COPY_BYTES``, and memory-mapped ones (from ``formats.open_vectors``), get no unit copy: their
row norms are kept instead and queries run as matrix products over blocks of ``CHUNK_ROWS`` rows, so 3M x 300 vectors
answer without a second 3.6 GB array. Treat an ``Embeddings`` as immutable: the cached unit vectors and norms
are not refreshed if the arrays are changed in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

COSMUL_EPSILON = 1e-3  # Levy & Goldberg (2014), eq. 4
UNIT_COPY_BYTES = 512 << 20  # above this, no unit-vector copy: norms and blockwise products instead
CHUNK_ROWS = 1 << 16  # rows per block of a blockwise product (65,536 x 300 float32 = 79 MB read per block)
ANALOGY_METHODS = ("3cosadd", "3cosmul")

Query = str | np.ndarray


class EmbeddingsError(ValueError):
    """Word vectors that cannot be used, or a query that cannot be answered."""


class UnknownWordError(KeyError):
    """A word that is not in the vocabulary; the message names it."""

    def __init__(self, word: str, vocab_size: int, hint: str | None = None) -> None:
        self.word = word
        message = f"{word!r} is not in the vocabulary ({vocab_size:,} words)"
        self.message = message + (f"; did you mean {hint!r}?" if hint else ".")
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """(n, d) rows scaled to length 1 (all-zero rows stay zero), as float32."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.maximum(norms, np.finfo(np.float32).tiny)


def analogy_scores(unit: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                   method: str = "3cosadd") -> np.ndarray:
    """(B, n) score of every candidate row of ``unit`` (n, d) for the questions a : b :: c : ?.

    ``a``, ``b``, ``c`` are (B,) row indices into ``unit``. "3cosadd" is cos(x, b - a + c) (the word2vec
    vector offset); "3cosmul" is cos'(x, b) cos'(x, c) / (cos'(x, a) + 1e-3) with cos' = (cos + 1) / 2.
    The question words themselves are not excluded here.
    """
    if method not in ANALOGY_METHODS:
        raise EmbeddingsError(f"Unknown analogy method {method!r}; use one of {', '.join(ANALOGY_METHODS)}.")
    if method == "3cosadd":
        return unit_rows(unit[b] - unit[a] + unit[c]) @ unit.T
    size = len(a)
    rows, inverse = np.unique(np.concatenate([a, b, c]), return_inverse=True)
    cosines = unit[rows] @ unit.T  # (distinct question words, n): each compared with the candidates once
    cos_a, cos_b, cos_c = (cosines[inverse[i * size:(i + 1) * size]] for i in range(3))
    # (cos_b + 1)/2 (cos_c + 1)/2 / ((cos_a + 1)/2 + eps) = (cos_b + 1)(cos_c + 1) / (2 cos_a + 2 + 4 eps)
    cos_b += 1.0
    cos_c += 1.0
    cos_b *= cos_c
    cos_a *= 2.0
    cos_a += 2.0 + 4.0 * COSMUL_EPSILON
    cos_b /= cos_a
    return cos_b


def _top_k(scores: np.ndarray, k: int, exclude: set[int]) -> list[int]:
    """Indices of the ``k`` highest ``scores`` (n,) that are not in ``exclude``, best first."""
    wanted = min(k + len(exclude), len(scores))
    if wanted <= 0:
        return []
    best = np.argpartition(-scores, wanted - 1)[:wanted] if wanted < len(scores) else np.arange(len(scores))
    best = best[np.argsort(-scores[best], kind="stable")]
    return [int(i) for i in best if int(i) not in exclude][:k]


class Embeddings:
    """Word vectors with cosine-similarity queries.

    words: n distinct strings, most frequent first; vectors: (n, d) float32; counts: (n,) int64 or None;
    config: the training settings (a JSON-serialisable dict) or None.
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray, counts: np.ndarray | None = None,
                 config: dict[str, Any] | None = None) -> None:
        self.words = list(words)
        mapped = isinstance(vectors, np.memmap)  # a file the OS pages in: never copied whole
        try:
            self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        except (TypeError, ValueError) as error:
            raise EmbeddingsError(f"The vectors are not a numeric array ({error}).") from error
        self.counts = None if counts is None else np.asarray(counts)
        self.config = dict(config) if config else {}
        self._unit: np.ndarray | None = None
        self._validate()  # also builds self._index and self._norms
        self._blockwise = mapped or self.vectors.nbytes > UNIT_COPY_BYTES

    def _validate(self) -> None:
        n = len(self.words)
        if self.vectors.ndim != 2:
            raise EmbeddingsError(f"vectors must be a 2-D (words, dimensions) array, got shape {self.vectors.shape}.")
        if n == 0 or self.vectors.shape[1] == 0:
            raise EmbeddingsError(f"Embeddings need at least one word and one dimension (got shape "
                                  f"{self.vectors.shape}).")
        if self.vectors.shape[0] != n:
            raise EmbeddingsError(f"There are {n:,} words but {self.vectors.shape[0]:,} vector rows.")
        bad = next((w for w in self.words if not isinstance(w, str) or not w), None)
        if bad is not None:
            raise EmbeddingsError(f"Every word must be a non-empty string; got {bad!r}.")
        self._index = {word: i for i, word in enumerate(self.words)}
        if len(self._index) != n:
            seen: dict[str, int] = {}
            for i, word in enumerate(self.words):
                if word in seen:
                    raise EmbeddingsError(f"The word {word!r} occurs twice (positions {seen[word]} and {i}).")
                seen[word] = i
        self._norms = self._checked_norms()
        if self.counts is not None:
            if self.counts.shape != (n,) or not np.issubdtype(self.counts.dtype, np.integer):
                raise EmbeddingsError(f"counts must be ({n},) integers, got {self.counts.dtype} "
                                      f"{self.counts.shape}.")
            self.counts = self.counts.astype(np.int64)

    def _checked_norms(self) -> np.ndarray:
        """(n,) row lengths, computed block by block in the same pass that refuses NaN and infinity (one read of
        memory-mapped vectors instead of two); a finite row whose float32 length overflows is measured again in
        float64."""
        norms = np.empty(len(self.words), dtype=np.float32)
        for start in range(0, len(norms), CHUNK_ROWS):
            block = self.vectors[start:start + CHUNK_ROWS]
            with np.errstate(over="ignore", invalid="ignore"):
                lengths = np.sqrt(np.einsum("ij,ij->i", block, block))
            odd = np.flatnonzero(~np.isfinite(lengths))
            if odd.size:
                finite = np.isfinite(block[odd]).all(axis=1)
                if not finite.all():
                    row = start + int(odd[np.argmin(finite)])
                    raise EmbeddingsError(f"The vector of {self.words[row]!r} (row {row}) contains NaN or infinity.")
                lengths[odd] = np.minimum(np.linalg.norm(block[odd].astype(np.float64), axis=1),
                                          np.finfo(np.float32).max)
            norms[start:start + len(block)] = lengths
        return np.maximum(norms, np.finfo(np.float32).tiny)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._index

    def __repr__(self) -> str:
        return f"Embeddings({len(self):,} words x {self.dim} dimensions)"

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def unit_vectors(self) -> np.ndarray:
        """(n, d) float32 vectors scaled to length 1, computed on first use (a full copy: for large vectors
        prefer ``unit_of`` and ``unit_head``)."""
        if self._unit is None:
            self._unit = unit_rows(self.vectors)
        return self._unit

    @property
    def blockwise(self) -> bool:
        """True when queries run block by block over the vectors and their norms, without a unit copy."""
        return self._blockwise

    @property
    def norms(self) -> np.ndarray:
        """(n,) float32 vector lengths (zero rows count as the smallest float), measured while validating."""
        return self._norms

    def unit_of(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """(len(rows), d) unit vectors of the given rows."""
        if not self.blockwise:
            return self.unit_vectors[rows]
        rows = np.asarray(rows, dtype=np.int64)
        return self.vectors[rows] / self.norms[rows, None]

    def unit_head(self, n: int) -> np.ndarray:
        """(min(n, len), d) unit vectors of the first ``n`` words (a view when the unit copy exists)."""
        return self.unit_vectors[:n] if not self.blockwise else unit_rows(self.vectors[:n])

    def cosines(self, queries: np.ndarray, stop: int | None = None) -> np.ndarray:
        """(q, stop) cosine of each unit query (q, d) with each of the first ``stop`` words (default all)."""
        stop = len(self) if stop is None else max(min(stop, len(self)), 0)
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if not self.blockwise:
            return queries @ self.unit_vectors[:stop].T
        out = np.empty((len(queries), stop), dtype=np.float32)
        for start in range(0, stop, CHUNK_ROWS):
            end = min(start + CHUNK_ROWS, stop)
            out[:, start:end] = (queries @ self.vectors[start:end].T) / self.norms[start:end]
        return out

    def index(self, word: str) -> int:
        """Row of ``word``; raises ``UnknownWordError``."""
        try:
            return self._index[word]
        except (KeyError, TypeError):
            hint = word.lower() if isinstance(word, str) and word.lower() in self._index else None
            raise UnknownWordError(str(word), len(self), hint) from None

    def vector(self, word: str) -> np.ndarray:
        """(d,) float32 vector of ``word`` (a view: do not modify it)."""
        return self.vectors[self.index(word)]

    def similarity(self, word1: str, word2: str) -> float:
        """Cosine similarity of two words."""
        unit = self.unit_of([self.index(word1), self.index(word2)])
        return float(unit[0] @ unit[1])

    def _query_vector(self, positive: Sequence[Query], negative: Sequence[Query]) -> tuple[np.ndarray, set[int]]:
        """Unit-length sum of the positive minus the negative unit vectors, and the rows of the query words."""
        total = np.zeros(self.dim, dtype=np.float64)
        rows: set[int] = set()
        for sign, items in ((1.0, positive), (-1.0, negative)):
            for item in items:
                if isinstance(item, str):
                    row = self.index(item)
                    rows.add(row)
                    total += sign * self.unit_of([row])[0]
                else:
                    vector = np.asarray(item, dtype=np.float64)
                    if vector.shape != (self.dim,):
                        raise EmbeddingsError(f"A query vector must have shape ({self.dim},), got {vector.shape}.")
                    total += sign * vector / max(float(np.linalg.norm(vector)), 1e-30)
        norm = float(np.linalg.norm(total))
        if not np.isfinite(norm) or norm < 1e-12:
            raise EmbeddingsError("The query adds up to a zero vector; there is no direction to compare with.")
        return (total / norm).astype(np.float32), rows

    def most_similar(self, positive: Query | Sequence[Query], k: int = 10, *,
                     negative: Query | Sequence[Query] | None = None,
                     restrict: int | None = None) -> list[tuple[str, float]]:
        """The ``k`` words closest (cosine) to sum(positive) - sum(negative) of unit vectors, as in gensim.

        ``positive``/``negative`` are words, (d,) vectors, or lists of them; query words are never returned.
        ``restrict`` searches only the first (most frequent) words.
        """
        positive = [positive] if isinstance(positive, str | np.ndarray) else list(positive)
        negative = [] if negative is None else negative
        negative = [negative] if isinstance(negative, str | np.ndarray) else list(negative)
        if not positive and not negative:
            raise EmbeddingsError("most_similar needs at least one word or vector.")
        query, rows = self._query_vector(positive, negative)
        scores = self.cosines(query, restrict)[0]
        return [(self.words[i], float(scores[i])) for i in _top_k(scores, k, rows)]

    def analogy(self, a: str, b: str, c: str, k: int = 1, method: str = "3cosadd") -> list[tuple[str, float]]:
        """Answers to a : b :: c : ? (e.g. man : king :: woman : queen), best first, excluding a, b and c."""
        rows = np.array([[self.index(a)], [self.index(b)], [self.index(c)]])
        if not self.blockwise:
            scores = analogy_scores(self.unit_vectors, rows[0], rows[1], rows[2], method)[0]
        else:
            scores = self._blockwise_analogy(rows.ravel(), method)
        return [(self.words[i], float(scores[i])) for i in _top_k(scores, k, set(rows.ravel().tolist()))]

    def _blockwise_analogy(self, rows: np.ndarray, method: str) -> np.ndarray:
        """(n,) ``analogy_scores`` from the cosines of a, b, c with every word (one blockwise pass for all three):
        cos(x, b - a + c) = (cos_b - cos_a + cos_c) / |b - a + c| for unit a, b, c."""
        if method not in ANALOGY_METHODS:
            raise EmbeddingsError(f"Unknown analogy method {method!r}; use one of {', '.join(ANALOGY_METHODS)}.")
        unit = self.unit_of(rows)
        cos_a, cos_b, cos_c = self.cosines(unit)
        if method == "3cosadd":
            return (cos_b - cos_a + cos_c) / max(float(np.linalg.norm(unit[1] - unit[0] + unit[2])), 1e-30)
        return (cos_b + 1.0) * (cos_c + 1.0) / (2.0 * cos_a + 2.0 + 4.0 * COSMUL_EPSILON)

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word least similar to the mean of the (unit) vectors of ``words``."""
        if len(words) < 2:
            raise EmbeddingsError("doesnt_match needs at least two words.")
        unit = self.unit_of([self.index(word) for word in words])
        mean = unit_rows(unit.mean(axis=0))
        return words[int(np.argmin(unit @ mean))]

    def top(self, n: int) -> Embeddings:
        """The first (most frequent) ``n`` words as new ``Embeddings`` sharing the same arrays."""
        if n < 1:
            raise EmbeddingsError(f"top(n) needs n >= 1 (got {n}).")
        counts = None if self.counts is None else self.counts[:n]
        return Embeddings(self.words[:n], self.vectors[:n], counts, self.config)
