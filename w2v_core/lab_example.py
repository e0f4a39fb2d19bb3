"""One worked example of the gradient lab, and its finite-difference check: plain data (no Streamlit).

Built by ``lab.GradientLab.example``; checked by ``lab_check.RestrictedLoss``, which reads only these fields.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gradcheck import TOLERANCE


def predicts_centre(model: str, loss: str) -> bool:
    """Whether the trainer exchanges skip-gram's roles for this loss: with hierarchical softmax each context word's
    vector predicts the centre's Huffman path, one SGD step per pair (the C tool's way; kernels.py)."""
    return model == "skipgram" and loss == "hierarchical"


@dataclass
class Check:
    """Finite-difference check of the touched rows: relative errors (gradcheck.relative_error) and its cost."""

    input_error: float
    output_error: float
    n_parameters: int
    seconds: float
    input_rows: np.ndarray  # input rows checked (at most MAX_CHECKED_INPUT_ROWS)
    output_rows: np.ndarray  # output rows checked

    @property
    def passed(self) -> bool:
        return max(self.input_error, self.output_error) < TOLERANCE


@dataclass
class Example:
    """One worked example. Rows refer to the lab's matrices: ``in_rows`` of w_in, ``out_rows`` of the output
    (or inner-node) matrix; gradients are float64 and hold only those rows."""

    model: str
    loss: str
    center: int
    context: list[int]
    targets: list[int]  # the predicted words: the outside words (skip-gram), [center] (CBOW), or the centre
    # once per pair for skip-gram + hierarchical softmax (each context word predicts it: ``predicts_centre``)
    negatives: list[np.ndarray]  # one (K,) array per target (negative sampling per pair, CBOW), else empty
    hidden: np.ndarray  # (d,) h: v_c (skip-gram) or the context mean (CBOW); (m, d) one h_j = v_{c+j} per pair
    loss_value: float
    grad_hidden: np.ndarray  # (d,) ∂J/∂h (skip-gram: ∂J/∂v_c); (m, d) ∂F_j/∂h_j per pair when predicts_centre
    in_rows: np.ndarray  # (r,) input rows with a gradient
    grad_input: np.ndarray  # (r, d)
    out_rows: np.ndarray  # (s,) output rows with a gradient (every row for full softmax)
    grad_output: np.ndarray  # (s, d)
    shown_rows: np.ndarray  # the output rows to show and check: all touched ones, or the largest for softmax
    forward: np.recarray  # the forward pass, one row per score (columns: lab.GradientLab._forward)
    top_softmax: np.recarray | None  # full softmax: the most probable words under ŷ (rank, word, score, y_hat)
    shared: np.ndarray | None = None  # skip-gram shared negatives: S = 4K noise words for the whole window
    shared_weight: float = 0.0  # each shared noise term's weight m K / S
    negatives_per_pair: int = 0  # K (negative sampling)
    check: Check | None = None
    version: int = 0  # the lab's weights version this example was computed on
    seconds: float = 0.0

    @property
    def predicts_centre(self) -> bool:
        """Each context word's vector predicts the centre (skip-gram + hierarchical softmax, as the trainer)."""
        return predicts_centre(self.model, self.loss)

    def grad_output_rows(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), d) ∂J/∂U for the given output rows (zero where untouched)."""
        position = {int(r): i for i, r in enumerate(self.out_rows)}
        out = np.zeros((len(rows), self.grad_output.shape[1]))
        for i, row in enumerate(rows):
            if int(row) in position:
                out[i] = self.grad_output[position[int(row)]]
        return out
