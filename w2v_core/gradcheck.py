"""Centred finite-difference gradient checks of the reference losses and their skip-gram/CBOW compositions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .huffman import build_huffman_tree
from .models import LOSSES, MODELS, cbow_loss, skipgram_loss

TOLERANCE = 1e-6


def numerical_gradient(loss_of: Callable[[], float], param: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """∂loss/∂param by centred differences, perturbing ``param`` in place (restored afterwards)."""
    grad = np.zeros_like(param, dtype=np.float64)
    for index in np.ndindex(param.shape):
        saved = param[index]
        param[index] = saved + eps
        plus = loss_of()
        param[index] = saved - eps
        minus = loss_of()
        param[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """max |analytic - numeric| relative to the larger of the two gradients' max-abs (0 when both are 0)."""
    scale = max(np.abs(analytic).max(), np.abs(numeric).max())
    return float(np.abs(analytic - numeric).max() / scale) if scale > 0 else 0.0


@dataclass(frozen=True)
class GradCheckRow:
    model: str
    loss: str
    input_error: float  # relative error of ∂J/∂(input vectors)
    output_error: float  # relative error of ∂J/∂(output or inner-node vectors)

    @property
    def passed(self) -> bool:
        return max(self.input_error, self.output_error) < TOLERANCE


def check_combination(model: str, loss: str, seed: int = 0, n_words: int = 12, dim: int = 6,
                      window: int = 2, n_negatives: int = 4) -> GradCheckRow:
    """Gradient-check one model/loss combination on a random window of a small random vocabulary."""
    rng = np.random.default_rng(seed)
    input_vectors = rng.normal(scale=0.5, size=(n_words, dim))
    n_outputs = n_words - 1 if loss == "hierarchical" else n_words
    output_vectors = rng.normal(scale=0.5, size=(n_outputs, dim))
    counts = np.sort(rng.integers(1, 100, size=n_words))[::-1]
    tree = build_huffman_tree(counts) if loss == "hierarchical" else None
    center = int(rng.integers(n_words))
    context = [int(w) for w in rng.integers(n_words, size=2 * window)]

    if model == "skipgram":
        negatives = [rng.integers(n_words, size=n_negatives) for _ in context]

        def evaluate() -> tuple[float, np.ndarray, np.ndarray]:
            return skipgram_loss(center, context, input_vectors, output_vectors, loss, negatives, tree)
    else:
        drawn = rng.integers(n_words, size=n_negatives)

        def evaluate() -> tuple[float, np.ndarray, np.ndarray]:
            return cbow_loss(context, center, input_vectors, output_vectors, loss, drawn, tree)

    _, grad_input, grad_output = evaluate()
    numeric_input = numerical_gradient(lambda: evaluate()[0], input_vectors)
    numeric_output = numerical_gradient(lambda: evaluate()[0], output_vectors)
    return GradCheckRow(model, loss, relative_error(grad_input, numeric_input),
                        relative_error(grad_output, numeric_output))


def check_all(seed: int = 0) -> list[GradCheckRow]:
    """One row per model × loss combination."""
    return [check_combination(model, loss, seed=seed) for model in MODELS for loss in LOSSES]
