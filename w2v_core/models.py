"""Skip-gram and CBOW over one window, composed from the reference losses (pure numpy, float64).

``input_vectors`` holds the input vectors v_w as rows (n, d) (the derivation's V, transposed) and
``output_vectors`` the output vectors u_w (n, d) for softmax and negative sampling, or the inner-node vectors
(n-1, d) for hierarchical softmax. The derivation for CBOW is in ``docs/derivation.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .huffman import HuffmanTree
from .losses import hierarchical_softmax_loss, log_sigmoid, negative_sampling_loss, sigmoid, softmax_loss

MODELS = ("skipgram", "cbow")
LOSSES = ("negative", "hierarchical", "softmax")


def initial_input_vectors(n_words: int, dim: int, seed: int) -> np.ndarray:
    """(n_words, dim) float32 input vectors before training: uniform in [-1/d, 1/d), as gensim 4 draws them (the C
    tool's range is half as wide; docs/derivation.md, section 4)."""
    rng = np.random.default_rng(seed)
    return (rng.random((n_words, dim), dtype=np.float32) * np.float32(2.0) - np.float32(1.0)) / np.float32(dim)


def target_loss(hidden: np.ndarray, target: int, output_vectors: np.ndarray, loss: str,
                negatives: np.ndarray | None = None,
                tree: HuffmanTree | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """Loss of predicting word ``target`` from the hidden vector ``hidden`` (d,) with the chosen loss."""
    if loss == "softmax":
        return softmax_loss(hidden, target, output_vectors)
    if loss == "negative":
        if negatives is None:
            raise ValueError("negative sampling needs the drawn negatives")
        return negative_sampling_loss(hidden, target, output_vectors, negatives)
    if loss == "hierarchical":
        if tree is None:
            raise ValueError("hierarchical softmax needs the Huffman tree")
        path, codes = tree.path(target)
        return hierarchical_softmax_loss(hidden, path, codes, output_vectors)
    raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")


def skipgram_loss(center: int, outside_words: Sequence[int], input_vectors: np.ndarray,
                  output_vectors: np.ndarray, loss: str, negatives: Sequence[np.ndarray] | None = None,
                  tree: HuffmanTree | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """Skip-gram: J = Σ_j F(w_{c+j}, v_c), the centre word predicting each outside word of its window.

    ``negatives[j]`` (K,) are the negatives drawn for outside word j.
    Returns: loss, grad_input (n, d) (only row ``center`` non-zero), grad_output (same shape as output_vectors).
    """
    v_c = input_vectors[center].astype(np.float64)
    total = 0.0
    grad_input = np.zeros(input_vectors.shape, dtype=np.float64)
    grad_output = np.zeros(output_vectors.shape, dtype=np.float64)
    for j, outside in enumerate(outside_words):
        drawn = None if negatives is None else negatives[j]
        loss_j, grad_center, grad_out = target_loss(v_c, outside, output_vectors, loss, drawn, tree)
        total += loss_j
        grad_input[center] += grad_center
        grad_output += grad_out
    return total, grad_input, grad_output


def skipgram_context_loss(center: int, outside_words: Sequence[int], input_vectors: np.ndarray,
                          output_vectors: np.ndarray, loss: str,
                          tree: HuffmanTree | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """Skip-gram with the roles exchanged, as the C tool and the trainer's hierarchical softmax: each outside word's
    input vector predicts the centre, J = Σ_j F(w_c, v_{o_j}), every pair at the same weights.

    The trainer takes these pairs as sequential SGD steps (kernels._skipgram_hierarchical_pairs), so its first
    pair's step is exactly this gradient's term and later pairs see the output rows the earlier ones moved.
    Returns: loss, grad_input (n, d) (the outside words' rows), grad_output (same shape as output_vectors).
    """
    total = 0.0
    grad_input = np.zeros(input_vectors.shape, dtype=np.float64)
    grad_output = np.zeros(output_vectors.shape, dtype=np.float64)
    for word in outside_words:
        loss_j, grad_hidden, grad_out = target_loss(input_vectors[word].astype(np.float64), center, output_vectors,
                                                    loss, None, tree)
        total += loss_j
        grad_input[word] += grad_hidden
        grad_output += grad_out
    return total, grad_input, grad_output


def skipgram_shared_negatives_loss(center: int, outside_words: Sequence[int], input_vectors: np.ndarray,
                                   output_vectors: np.ndarray, shared: np.ndarray,
                                   negatives_per_pair: int) -> tuple[float, np.ndarray, np.ndarray]:
    """Skip-gram with negative sampling where S noise words ``shared`` (S,) serve the whole window.

    Each pair's K noise terms are replaced by their average over the shared draws:
    J = Σ_j -log σ(u_{o_j}·v_c) + (m K / S) Σ_s -log σ(-u_s·v_c), for m outside words.
    Returns: loss, grad_input (n, d), grad_output (n, d).
    """
    no_negatives = [np.zeros(0, dtype=np.int64)] * len(outside_words)
    loss, grad_input, grad_output = skipgram_loss(center, outside_words, input_vectors, output_vectors, "negative",
                                                  no_negatives)
    shared = np.asarray(shared, dtype=np.int64)
    weight = len(outside_words) * negatives_per_pair / len(shared)
    v_c = input_vectors[center].astype(np.float64)
    scores = output_vectors[shared] @ v_c  # (S,)
    loss -= weight * log_sigmoid(-scores).sum()
    coefs = weight * sigmoid(scores)  # ∂J/∂(u_s·v_c)
    grad_input[center] += coefs @ output_vectors[shared]
    np.add.at(grad_output, shared, coefs[:, None] * v_c[None, :])
    return float(loss), grad_input, grad_output


def skipgram_context_negatives_loss(center: int, outside_words: Sequence[int], input_vectors: np.ndarray,
                                    output_vectors: np.ndarray,
                                    negatives: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Skip-gram with one set of K noise words per window (Intel's pWord2Vec): every outside word's input vector
    predicts the centre against the same ``negatives`` (K,):
    J = Σ_j [-log σ(u_c·v_{o_j}) - Σ_k log σ(-u_k·v_{o_j})], the C tool's pairs (context word → centre) with the
    noise words shared by the window.
    Returns: loss, grad_input (n, d) (the outside words' rows), grad_output (n, d).
    """
    total = 0.0
    grad_input = np.zeros(input_vectors.shape, dtype=np.float64)
    grad_output = np.zeros(output_vectors.shape, dtype=np.float64)
    for word in outside_words:
        loss, grad_hidden, grad_out = negative_sampling_loss(input_vectors[word].astype(np.float64), center,
                                                             output_vectors, negatives)
        total += loss
        grad_input[word] += grad_hidden
        grad_output += grad_out
    return total, grad_input, grad_output


def cbow_loss(context_words: Sequence[int], center: int, input_vectors: np.ndarray,
              output_vectors: np.ndarray, loss: str, negatives: np.ndarray | None = None,
              tree: HuffmanTree | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """CBOW: J = F(w_c, h) with h = (1/C) Σ_j v_{c+j}, the mean of the C context input vectors.

    By the chain rule ∂J/∂v_{c+j} = (1/C) ∂J/∂h for every context position j (a word appearing twice in the
    window receives it twice).
    Returns: loss, grad_input (n, d) (context rows non-zero), grad_output.
    """
    context = np.asarray(context_words, dtype=np.int64)
    if len(context) == 0:
        raise ValueError("CBOW needs at least one context word")
    hidden = input_vectors[context].astype(np.float64).mean(axis=0)
    total, grad_hidden, grad_output = target_loss(hidden, center, output_vectors, loss, negatives, tree)
    grad_input = np.zeros(input_vectors.shape, dtype=np.float64)
    np.add.at(grad_input, context, grad_hidden / len(context))
    return total, grad_input, grad_output
