"""Huffman tree for hierarchical softmax, built as the word2vec C tool builds it (``CreateBinaryTree``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HuffmanTree:
    """Codes and inner-node paths of every word.

    ``points[w, :lengths[w]]`` are the inner-node ids (0..V-2) from the root down to word w's leaf and
    ``codes[w, :lengths[w]]`` the branch (0/1) taken at each of them. Arrays are padded to the longest code:
    points (V, L) int32, codes (V, L) uint8, lengths (V,) int32.
    """

    points: np.ndarray
    codes: np.ndarray
    lengths: np.ndarray

    def path(self, word: int) -> tuple[np.ndarray, np.ndarray]:
        """(inner-node ids, codes) of one word, root first."""
        length = self.lengths[word]
        return self.points[word, :length], self.codes[word, :length]


def build_huffman_tree(counts: np.ndarray) -> HuffmanTree:
    """Build the tree from word counts sorted in descending order (the vocabulary's order).

    Two queues, as in the C tool: leaves are scanned from the rarest upwards, merged nodes appended in order,
    so ties break the same way. A vocabulary of one word gets a tree with a single inner node.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n_words = len(counts)
    if n_words == 1:
        return HuffmanTree(points=np.zeros((1, 1), np.int32), codes=np.zeros((1, 1), np.uint8),
                           lengths=np.ones(1, np.int32))
    parent, branch = _merge(counts.tolist())
    root = 2 * n_words - 2
    # Walk every leaf up to the root at once, one level a pass: the nodes met, leaf first, then reversed per word.
    node = np.arange(n_words)
    up_points, up_codes = [], []
    while True:
        climbing = node != root
        if not climbing.any():
            break
        up_codes.append(np.where(climbing, branch[node], 0))
        node = np.where(climbing, parent[node], root)
        up_points.append(np.where(climbing, node - n_words, -1))
    lengths = np.sum(np.array(up_points) >= 0, axis=0).astype(np.int32)
    width = len(up_points)
    point_array = np.zeros((n_words, width), dtype=np.int32)
    code_array = np.zeros((n_words, width), dtype=np.uint8)
    words = np.arange(n_words)
    for level, (points, codes) in enumerate(zip(up_points, up_codes, strict=True)):  # level 0 is the leaf's parent
        climbing = points >= 0
        at = lengths[climbing] - 1 - level  # root first
        point_array[words[climbing], at] = points[climbing]
        code_array[words[climbing], at] = codes[climbing]
    return HuffmanTree(points=point_array, codes=code_array, lengths=lengths)


def _merge(counts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The C tool's two-queue merge of counts (descending): parent (2V,) int64 and branch (2V,) uint8 of each node
    (leaves 0..V-1, merged nodes V..2V-2 in the order they are made)."""
    n_words = len(counts)
    node_count = counts + [1 << 62] * n_words
    parent = [0] * (2 * n_words)
    branch = [0] * (2 * n_words)
    leaf, merged = n_words - 1, n_words  # next leaf from the rare end; next merged node
    for new in range(n_words, 2 * n_words - 1):
        if leaf >= 0 and node_count[leaf] < node_count[merged]:
            first, leaf = leaf, leaf - 1
        else:
            first, merged = merged, merged + 1
        if leaf >= 0 and node_count[leaf] < node_count[merged]:
            second, leaf = leaf, leaf - 1
        else:
            second, merged = merged, merged + 1
        node_count[new] = node_count[first] + node_count[second]
        parent[first] = parent[second] = new
        branch[second] = 1
    return np.array(parent, dtype=np.int64), np.array(branch, dtype=np.uint8)
