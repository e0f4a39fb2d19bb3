"""Reference losses of word2vec: pure numpy, float64, written to be read next to the derivation.

Notation of ``docs/derivation.md`` (and of the CS224n derivation it extends):

- ``center`` is v_c, the input ("centre") vector of the predicting word, shape (d,).
  For CBOW it is h, the mean of the context words' input vectors.
- ``outside`` is U, the output ("outside") vectors, one row u_w per word, shape (V, d).
- scores are U v_c, shape (V,); ŷ = softmax(U v_c) and y is the one-hot vector of the target word o.
- σ is the logistic sigmoid.

Each function returns ``(loss, grad_center, grad_outside)``: J, ∂J/∂v_c (d,) and ∂J/∂U as a full-shape array
(zero rows where untouched), as in the CS224n assignment.
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    """σ(x) = 1 / (1 + exp(-x)), without overflow for large |x|."""
    x = np.asarray(x, dtype=np.float64)
    positive = x >= 0
    exp_neg_abs = np.exp(-np.abs(x))
    return np.where(positive, 1.0 / (1.0 + exp_neg_abs), exp_neg_abs / (1.0 + exp_neg_abs))


def log_sigmoid(x: np.ndarray | float) -> np.ndarray:
    """log σ(x) = -log(1 + exp(-x)), stable for large |x|."""
    return -np.logaddexp(0.0, -np.asarray(x, dtype=np.float64))


def softmax_loss(center: np.ndarray, target: int, outside: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Full softmax: J = -log ŷ_o with ŷ = softmax(U v_c).

    ∂J/∂v_c = Uᵀ(ŷ - y)   and   ∂J/∂U = (ŷ - y) v_cᵀ.

    Args: center v_c (d,), target o (int), outside U (V, d).
    Returns: loss, grad_center (d,), grad_outside (V, d).
    """
    scores = outside @ center  # (V,)
    shift = scores.max()
    log_normalizer = shift + np.log(np.exp(scores - shift).sum())  # log Σ_w exp(u_w·v_c)
    y_hat = np.exp(scores - log_normalizer)
    loss = float(log_normalizer - scores[target])
    delta = y_hat.copy()
    delta[target] -= 1.0  # ŷ - y
    return loss, outside.T @ delta, np.outer(delta, center)


def negative_sampling_loss(center: np.ndarray, target: int, outside: np.ndarray,
                           negatives: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Negative sampling: J = -log σ(u_o·v_c) - Σ_k log σ(-u_k·v_c).

    ∂J/∂v_c = -(1 - σ(u_o·v_c)) u_o + Σ_k (1 - σ(-u_k·v_c)) u_k
    ∂J/∂u_o = -(1 - σ(u_o·v_c)) v_c,   ∂J/∂u_k = (1 - σ(-u_k·v_c)) v_c, summed over repeated draws; a draw
    equal to the target adds its term to u_o's (the C tool and gensim skip such draws; see docs/derivation.md).

    Args: center v_c (d,), target o, outside U (V, d), negatives k (K,) int, repeats allowed.
    Returns: loss, grad_center (d,), grad_outside (V, d).
    """
    negatives = np.asarray(negatives, dtype=np.int64)
    positive_score = outside[target] @ center
    negative_scores = outside[negatives] @ center  # (K,)
    loss = float(-log_sigmoid(positive_score) - log_sigmoid(-negative_scores).sum())
    positive_coef = sigmoid(positive_score) - 1.0  # -(1 - σ(u_o·v_c))
    negative_coefs = sigmoid(negative_scores)  # 1 - σ(-u_k·v_c) = σ(u_k·v_c)
    grad_center = positive_coef * outside[target] + negative_coefs @ outside[negatives]
    grad_outside = np.zeros_like(outside, dtype=np.float64)
    grad_outside[target] += positive_coef * center
    np.add.at(grad_outside, negatives, negative_coefs[:, None] * center[None, :])
    return loss, grad_center, grad_outside


def hierarchical_softmax_loss(center: np.ndarray, path: np.ndarray, codes: np.ndarray,
                              inner: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Hierarchical softmax (C-tool convention): J = -Σ_j log σ((1 - 2 codes_j) · inner[path_j]·v_c).

    With s_j = inner[path_j]·v_c and g_j = σ(s_j) - (1 - codes_j):
    ∂J/∂v_c = Σ_j g_j inner[path_j]   and   ∂J/∂inner[path_j] = g_j v_c.

    Args: center v_c (d,), path (L,) inner-node ids from the root, codes (L,) 0/1, inner (V-1, d).
    Returns: loss, grad_center (d,), grad_inner (V-1, d).
    """
    path = np.asarray(path, dtype=np.int64)
    codes = np.asarray(codes, dtype=np.float64)
    scores = inner[path] @ center  # (L,)
    signs = 1.0 - 2.0 * codes
    loss = float(-log_sigmoid(signs * scores).sum())
    coefs = sigmoid(scores) - (1.0 - codes)  # g_j
    grad_center = coefs @ inner[path]
    grad_inner = np.zeros_like(inner, dtype=np.float64)
    np.add.at(grad_inner, path, coefs[:, None] * center[None, :])
    return loss, grad_center, grad_inner
