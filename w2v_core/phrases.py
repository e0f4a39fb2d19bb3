"""Phrases: pairs of words that occur together far more often than chance become one token ("new_york"), as the
word2vec C tool's word2phrase and gensim's ``Phrases`` find them.

score(a, b) = (count(a b) - δ) × N / (count(a) × count(b)), with N the tokens of the corpus and δ = ``min_count``
(a discount that keeps rare pairs out); a pair scoring above ``threshold`` is joined with "_", left to right
(in "a b c" with both pairs above it, "a_b c"). A second pass joins phrases again ("new_york_times"). It works
on the corpus' int32 ids (pairs inside a line only), so the text is not read again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np

PHRASE_THRESHOLD = 100.0  # word2phrase's default
PHRASE_MIN_COUNT = 5
MAX_PASSES = 2


class PhraseError(ValueError):
    """Phrase settings that cannot work, with a message that says what to change."""


@dataclass(frozen=True)
class PhraseOptions:
    """How phrases are found (hashable: part of a corpus' cache key)."""

    threshold: float = PHRASE_THRESHOLD
    min_count: int = PHRASE_MIN_COUNT
    passes: int = 1

    def validate(self) -> None:
        if not self.threshold > 0:
            raise PhraseError(f"The phrase threshold must be above 0 (got {self.threshold}); word2phrase uses 100, "
                              "gensim 10: lower finds more phrases.")
        if isinstance(self.min_count, bool) or not isinstance(self.min_count, int) or self.min_count < 1:
            raise PhraseError(f"The phrase min_count must be a whole number of at least 1 (got {self.min_count}).")
        if self.passes not in range(1, MAX_PASSES + 1):
            raise PhraseError(f"Phrases take 1 or 2 passes (got {self.passes}); the second joins phrases again.")


@dataclass(frozen=True)
class Phrase:
    text: str  # "new_york"
    count: int  # times it was joined
    score: float


def pair_counts(ids: np.ndarray, piece_ends: np.ndarray, counts: np.ndarray,
                min_count: int) -> tuple[np.ndarray, np.ndarray]:
    """(P,) int64 keys (a << 32 | b) of the pairs of neighbours inside a piece whose words both occur at least
    ``min_count`` times, sorted, and (P,) their counts."""
    if len(ids) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    frequent = (counts >= min_count)[ids]
    together = frequent[:-1] & frequent[1:]
    ends = piece_ends[:-1]
    together[ends[ends > 0] - 1] = False  # the last word of a piece and the first of the next
    left = np.flatnonzero(together)
    keys = (ids[left].astype(np.int64) << 32) | ids[left + 1].astype(np.int64)
    del left, together, frequent
    return np.unique(keys, return_counts=True)


@numba.njit(nogil=True, cache=True)
def join_pairs(ids: np.ndarray, piece_ends: np.ndarray, keys: np.ndarray, joined: np.ndarray) -> int:
    """In place, left to right inside each piece: a pair whose key is in ``keys`` (sorted) becomes
    ``joined[k]``; piece_ends are moved. Returns the new number of ids."""
    write, read = 0, 0
    for piece in range(len(piece_ends)):
        end = piece_ends[piece]
        while read < end:
            word = ids[read]
            if read + 1 < end:
                key = (np.int64(word) << 32) | np.int64(ids[read + 1])
                k = np.searchsorted(keys, key)
                if k < len(keys) and keys[k] == key:
                    ids[write] = joined[k]
                    write += 1
                    read += 2
                    continue
            ids[write] = word
            write += 1
            read += 1
        piece_ends[piece] = write
    return write


def find_phrases(ids: np.ndarray, piece_ends: np.ndarray, counts: np.ndarray, spell: Callable[[np.ndarray], list[str]],
                 options: PhraseOptions) -> tuple[int, np.ndarray, list[str], list[Phrase]]:
    """Join, in place, the phrases of the corpus ``ids`` (N,) int32 with pieces ending at ``piece_ends`` (S,)
    (moved too) and word ``counts`` (W,), ``spell`` giving the words of ids. Returns how many ids are left at
    the front of ``ids``, the counts (W + new phrases), the new phrases' words (ids W, W + 1, ...) and the
    phrases found, by score."""
    options.validate()
    n = len(ids)
    extra: list[str] = []
    found: list[Phrase] = []
    n_words = len(counts)

    def words_of(some: np.ndarray) -> list[str]:
        some = np.asarray(some)
        base = iter(spell(some[some < n_words]))
        return [next(base) if i < n_words else extra[i - n_words] for i in some]

    for _ in range(options.passes):
        keys, pair_count = pair_counts(ids[:n], piece_ends, counts, options.min_count)
        first, second = (keys >> 32).astype(np.int64), (keys & 0xFFFFFFFF).astype(np.int64)
        with np.errstate(divide="ignore"):
            score = (pair_count - options.min_count) * float(n) / (counts[first] * counts[second])  # N: this pass
        keep = score > options.threshold
        if not keep.any():
            break
        keys, first, second, score = keys[keep], first[keep], second[keep], score[keep]
        names = [f"{a}_{b}" for a, b in zip(words_of(first), words_of(second), strict=True)]
        # each distinct phrase text gets one new id (a_b from two passes can spell the same)
        known = {word: len(counts) + i for i, word in enumerate(dict.fromkeys(names))}
        joined = np.array([known[name] for name in names], dtype=np.int32)
        extra.extend(known)
        n = join_pairs(ids[:n], piece_ends, keys, joined)
        counts = np.bincount(ids[:n], minlength=len(counts) + len(known)).astype(np.int64)
        found.extend(Phrase(name, int(counts[i]), float(s)) for name, i, s in zip(names, joined, score, strict=True)
                     if counts[i] > 0)  # a pair that always lost to its left neighbour's phrase is not one
    found.sort(key=lambda phrase: -phrase.score)
    return n, counts, extra, found
