"""Replay training from the trainer's snapshots: 2-D paths of chosen words, neighbours and analogy accuracy
over time (no Streamlit).

A snapshot holds the input vectors of the most frequent words (``Snapshot.word_ids`` (n,), ``vectors``
(n, d)); the trainer keeps a bounded number of them, thinning old ones, so any run can be replayed.
Two ways keep the motion on screen the motion of the vectors, not of the axes: one PCA basis fitted on the
last snapshot for every frame ("fixed"), or a PCA per snapshot rotated onto the next one by orthogonal
Procrustes, back from the last ("procrustes").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .embeddings import Embeddings, unit_rows
from .evaluation import evaluate_analogies
from .projection import apply_basis, pca_basis, procrustes_align, project
from .recorder import Snapshot

ALIGNMENTS = ("fixed", "procrustes")


class ReplayError(ValueError):
    """Snapshots or words that cannot be replayed, with a message that says what to change."""


def in_order(snapshots: Sequence[Snapshot]) -> list[Snapshot]:
    """Snapshots sorted by words trained (with several workers they may be recorded slightly out of order),
    one per words-trained value."""
    unique = {s.words_done: s for s in snapshots}
    return [unique[w] for w in sorted(unique)]


def snapshot_words(snapshots: Sequence[Snapshot], vocab_words: Sequence[str]) -> list[str]:
    """Words present in every snapshot (the most frequent ones), in vocabulary order."""
    if not snapshots:
        return []
    rows = min(len(s.word_ids) for s in snapshots)
    return [vocab_words[i] for i in snapshots[0].word_ids[:rows]]


def stack_vectors(snapshots: Sequence[Snapshot], rows: Sequence[int], unit: bool = False) -> np.ndarray:
    """(T, n, d) float64 vectors of snapshot rows ``rows`` in each of the T snapshots (optionally unit length)."""
    if not snapshots:
        raise ReplayError("No snapshots yet: they are taken while training runs.")
    limit = min(len(s.word_ids) for s in snapshots)
    if any(not 0 <= r < limit for r in rows):
        raise ReplayError(f"Snapshots hold only the {limit:,} most frequent words.")
    stack = np.stack([s.vectors[list(rows)].astype(np.float64) for s in snapshots])
    return unit_rows(stack).astype(np.float64) if unit else stack


def replay_coordinates(stack: np.ndarray, alignment: str = "fixed") -> np.ndarray:
    """(T, n, 2) coordinates of (T, n, d) vectors: one PCA basis from the last frame, or per-frame PCA aligned
    by Procrustes onto the following frame (the last frame is its own PCA)."""
    if alignment not in ALIGNMENTS:
        raise ReplayError(f"Unknown alignment {alignment!r}; use one of {', '.join(ALIGNMENTS)}.")
    if stack.ndim != 3 or stack.shape[1] < 2:
        raise ReplayError("Choose at least two words to replay.")
    if alignment == "fixed":
        mean, components = pca_basis(stack[-1], dims=2)
        return np.stack([apply_basis(frame, mean, components) for frame in stack]).astype(np.float64)
    coords = np.empty(stack.shape[:2] + (2,))
    coords[-1] = project(stack[-1], "pca", dims=2)
    for t in range(len(stack) - 2, -1, -1):
        coords[t] = procrustes_align(project(stack[t], "pca", dims=2), coords[t + 1])
    return coords


def neighbours_over_time(snapshots: Sequence[Snapshot], words: Sequence[str], word: str,
                         k: int = 5) -> pd.DataFrame:
    """For each snapshot: words trained, epoch, loss and the ``k`` nearest of ``words`` (cosine) to ``word``.

    ``words`` are the snapshot words (``snapshot_words``), in snapshot row order.
    """
    if word not in words:
        raise ReplayError(f"{word!r} is not among the {len(words):,} words kept in the snapshots.")
    rows = []
    for snapshot in snapshots:
        emb = Embeddings(list(words), snapshot.vectors[:len(words)])
        found = emb.most_similar(word, k=k)
        rows.append({"words trained": snapshot.words_done, "epoch": snapshot.epoch, "loss": snapshot.loss,
                     "neighbours": ", ".join(f"{w} ({s:.2f})" for w, s in found)})
    return pd.DataFrame(rows)


def analogy_accuracy_over_time(snapshots: Sequence[Snapshot], words: Sequence[str],
                               questions: Sequence[tuple[str, str, str, str]]) -> pd.DataFrame:
    """Share of ``questions`` answered correctly (3CosAdd among the snapshot words) at each snapshot.

    Only questions whose four words are all snapshot words count; the frame has columns words trained, epoch,
    accuracy, correct, attempted.
    """
    known = set(words)
    usable = [q for q in questions if all(w in known for w in q)]
    rows = []
    for snapshot in snapshots:
        if usable:
            result = evaluate_analogies(Embeddings(list(words), snapshot.vectors[:len(words)]),
                                        {"analogies": usable}, restrict_vocab=None)
            accuracy, correct = result.accuracy, result.correct
        else:
            accuracy, correct = float("nan"), 0
        rows.append({"words trained": snapshot.words_done, "epoch": snapshot.epoch, "accuracy": accuracy,
                     "correct": correct, "attempted": len(usable)})
    return pd.DataFrame(rows)
