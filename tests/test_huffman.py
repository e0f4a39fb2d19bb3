import heapq

import numpy as np

from w2v_core.huffman import build_huffman_tree


def _codes(tree):
    return ["".join(map(str, tree.path(w)[1])) for w in range(len(tree.lengths))]


def test_codes_are_prefix_free_and_rare_words_get_longer_codes():
    counts = np.array([500, 300, 120, 60, 60, 20, 7, 3, 1])
    tree = build_huffman_tree(counts)
    codes = _codes(tree)
    for a in codes:
        assert not any(b != a and b.startswith(a) for b in codes)
    assert list(tree.lengths) == sorted(tree.lengths)
    assert all(tree.path(w)[0][0] == len(counts) - 2 for w in range(len(counts)))  # root first


def test_weighted_code_length_is_optimal():
    """Any Huffman construction minimises Σ count × code length; compare with a textbook heap build."""
    rng = np.random.default_rng(0)
    counts = np.sort(rng.zipf(1.5, size=300).clip(max=10_000))[::-1]
    heap = [int(c) for c in counts]
    heapq.heapify(heap)
    optimal_cost = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        optimal_cost += merged
        heapq.heappush(heap, merged)
    assert (build_huffman_tree(counts).lengths * counts).sum() == optimal_cost


def test_single_word_vocabulary_has_a_one_node_path():
    tree = build_huffman_tree(np.array([10]))
    points, codes = tree.path(0)
    assert len(points) == 1 and points[0] == 0
