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
    node_count = np.concatenate([counts, np.full(n_words, np.iinfo(np.int64).max // 4)])
    parent = np.zeros(2 * n_words, dtype=np.int64)
    branch = np.zeros(2 * n_words, dtype=np.uint8)
    leaf, merged = n_words - 1, n_words  # next leaf from the rare end; next merged node
    for a in range(n_words - 1):
        picked = []
        for _ in range(2):
            if leaf >= 0 and node_count[leaf] < node_count[merged]:
                picked.append(leaf)
                leaf -= 1
            else:
                picked.append(merged)
                merged += 1
        node_count[n_words + a] = node_count[picked[0]] + node_count[picked[1]]
        parent[picked[0]] = parent[picked[1]] = n_words + a
        branch[picked[1]] = 1
    root = 2 * n_words - 2
    paths: list[list[int]] = []
    codes: list[list[int]] = []
    for word in range(n_words):
        node, word_codes, word_points = word, [], []
        while node != root:
            word_codes.append(int(branch[node]))
            node = int(parent[node])
            word_points.append(node - n_words)
        paths.append(word_points[::-1])
        codes.append(word_codes[::-1])
    lengths = np.array([len(p) for p in paths], dtype=np.int32)
    width = int(lengths.max())
    point_array = np.zeros((n_words, width), dtype=np.int32)
    code_array = np.zeros((n_words, width), dtype=np.uint8)
    for word, (word_points, word_codes) in enumerate(zip(paths, codes, strict=True)):
        point_array[word, :len(word_points)] = word_points
        code_array[word, :len(word_codes)] = word_codes
    return HuffmanTree(points=point_array, codes=code_array, lengths=lengths)
