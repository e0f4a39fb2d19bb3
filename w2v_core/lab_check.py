"""The gradient lab's finite-difference check: the example's loss as a function of its touched rows only, so
that centred differences stay fast for large vocabularies (V = 5000, d = 100 in well under a second)."""

from __future__ import annotations

import numpy as np

from .huffman import HuffmanTree
from .lab_example import Example
from .losses import log_sigmoid

MAX_CHECKED_INPUT_ROWS = 12  # input rows checked (CBOW with a wide window touches many)


class RestrictedLoss:
    """The example's loss as a function of the touched rows only, other rows being constants.

    ``inputs`` (r, d) and ``outputs`` (s, d) are float64 copies of the checked rows (``in_rows`` of w_in,
    ``out_rows`` of the output matrix), perturbed in place by ``numerical_gradient``; ``value`` writes them into
    the local copies of all touched rows before evaluating. For full softmax the untouched output rows enter only
    through their scores u_w·h: those at the unperturbed h plus the change from the components of h that moved.
    """

    def __init__(self, example: Example, w_in: np.ndarray, w_out: np.ndarray, tree: HuffmanTree) -> None:
        self.loss = example.loss
        self.all_in = w_in[example.in_rows].astype(np.float64)
        self.in_checked = np.arange(min(len(example.in_rows), MAX_CHECKED_INPUT_ROWS))
        self.in_rows = example.in_rows[self.in_checked]
        self.inputs = self.all_in[self.in_checked].copy()
        local_in = {int(r): i for i, r in enumerate(example.in_rows)}
        self.per_pair = example.predicts_centre  # each context word's own h_j predicts the centre's path
        source = [example.center] if example.model == "skipgram" and not self.per_pair else example.context
        self.hidden_rows = np.array([local_in[int(w)] for w in source], dtype=np.int64)
        if example.loss == "softmax":  # the checked rows are the local rows; the rest only adds scores
            loss_rows = np.unique(np.concatenate([example.targets, example.shown_rows])).astype(np.int64)
            rest = np.ones(len(w_out), dtype=bool)
            rest[loss_rows] = False
            self.rest_t = np.ascontiguousarray(w_out[rest].T, dtype=np.float64)  # (d, V - s)
            self.base_hidden = self.all_in[self.hidden_rows].mean(axis=0)
            self.base_scores = self.base_hidden @ self.rest_t
        else:
            loss_rows = example.out_rows
        self.all_out = w_out[loss_rows].astype(np.float64)
        local = {int(r): i for i, r in enumerate(loss_rows)}
        checked = example.shown_rows if example.loss != "softmax" else loss_rows
        self.out_checked = np.array([local[int(r)] for r in checked], dtype=np.int64)
        self.out_rows = loss_rows[self.out_checked]
        self.outputs = self.all_out[self.out_checked].copy()
        if example.loss != "hierarchical":
            self.targets = np.array([local[t] for t in example.targets], dtype=np.int64)
        if example.loss == "negative":
            self.negatives = np.array([[local[int(w)] for w in drawn] for drawn in example.negatives] or [[]],
                                      dtype=np.int64)  # (T, K), or (1, 0) with shared negatives
            self.shared = np.array([local[int(w)] for w in (example.shared if example.shared is not None else [])],
                                   dtype=np.int64)
            self.shared_weight = example.shared_weight
        elif example.loss == "hierarchical":
            paths = [tree.path(t) for t in example.targets]
            self.nodes = np.concatenate([[local[int(n)] for n in path] for path, _ in paths]).astype(np.int64)
            self.signs = np.concatenate([1.0 - 2.0 * codes.astype(np.float64) for _, codes in paths])
            self.node_pair = np.concatenate([np.full(len(path), j) for j, (path, _) in enumerate(paths)])

    def value(self) -> float:
        self.all_in[self.in_checked] = self.inputs
        self.all_out[self.out_checked] = self.outputs
        if self.per_pair:  # (m, d): pair j scores the path's nodes with its own h_j = v_{c+j}
            hiddens = self.all_in[self.hidden_rows][self.node_pair]
            scores = np.einsum("nd,nd->n", self.all_out[self.nodes], hiddens)
            return float(-log_sigmoid(self.signs * scores).sum())
        hidden = self.all_in[self.hidden_rows].mean(axis=0)
        if self.loss == "negative":
            positive = self.all_out[self.targets] @ hidden  # (T,)
            negative = self.all_out[self.negatives] @ hidden  # (T, K) per pair, or (0, 0)
            shared = self.all_out[self.shared] @ hidden  # (S,) shared for the window, or (0,)
            return float(-log_sigmoid(positive).sum() - log_sigmoid(-negative).sum()
                         - self.shared_weight * log_sigmoid(-shared).sum())
        if self.loss == "hierarchical":
            return float(-log_sigmoid(self.signs * (self.all_out[self.nodes] @ hidden)).sum())
        changed = np.flatnonzero(hidden != self.base_hidden)  # one component while an input is perturbed
        rest_scores = self.base_scores + (self.rest_t[changed].T @ (hidden - self.base_hidden)[changed])
        scores = np.concatenate([self.all_out @ hidden, rest_scores])
        shift = scores.max()
        log_z = shift + np.log(np.exp(scores - shift).sum())
        return float(len(self.targets) * log_z - scores[self.targets].sum())
