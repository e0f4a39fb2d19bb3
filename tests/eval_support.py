"""Vectors made for the evaluation tests: analogies that (mostly) hold, and the standard sets' words."""

from __future__ import annotations

import numpy as np

from w2v_core.datasets import DATA_DIR
from w2v_core.embeddings import Embeddings
from w2v_core.evaluation import read_analogies


def analogy_embeddings(sections, d: int = 30, seed: int = 0) -> Embeddings:
    """Vectors in which many (not all) analogies hold: y = x + relation(section) + noise for seen pairs."""
    rng = np.random.default_rng(seed)
    vectors: dict[str, np.ndarray] = {}
    for questions in sections.values():
        relation = rng.normal(size=d) * 0.8
        for question in questions:
            for x, y in (question[:2], question[2:]):
                if x not in vectors:
                    vectors[x] = vectors[y] - relation if y in vectors else rng.normal(size=d)
                if y not in vectors:
                    vectors[y] = vectors[x] + relation + rng.normal(size=d) * 0.9
    words = list(vectors)
    rows = [vectors[w] for w in words]
    for w in words[::25]:  # lower-case forms of some words, later in the vocabulary (less frequent)
        if w.lower() != w:
            words.append(w.lower())
            rows.append(vectors[w] + rng.normal(size=d) * 0.05)
    words += [f"distractor{i}" for i in range(300)]
    rows += list(rng.normal(size=(300, d)))
    return Embeddings(words, np.array(rows, dtype=np.float32))


def google_like_vectors() -> Embeddings:
    """Vectors in which many Google analogies hold, plus about half of the word-pair words (random)."""
    emb = analogy_embeddings(read_analogies(DATA_DIR / "questions-words.txt"))
    known = {word.lower() for word in emb.words}
    extra = sorted({line.split("\t")[i].lower() for name in ("wordsim353.tsv", "simlex999.txt")
                    for line in (DATA_DIR / name).read_text().splitlines()[2:] for i in (0, 1)} - known)[::2]
    rows = np.random.default_rng(1).normal(size=(len(extra), emb.dim))
    return Embeddings(emb.words + extra, np.vstack([emb.vectors, rows]).astype(np.float32))
