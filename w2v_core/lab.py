"""The gradient lab: one training example of word2vec worked through with real numbers (no Streamlit).

A ``GradientLab`` holds its own copy of the weights (input vectors ``w_in`` (V, d), output vectors (V, d) and
Huffman inner-node vectors (V-1, d), all float32) and of the vocabulary. ``example`` builds one skip-gram or CBOW
example: the forward pass (hidden vector h, scores, ŷ / σ / the Huffman path), the loss and the gradients of the
reference losses (``models.skipgram_loss`` / ``models.cbow_loss``; for skip-gram + hierarchical softmax
``models.skipgram_context_loss``, each context word predicting the centre as the trainer does), with a centred
finite-difference check on the touched rows only. ``apply_step`` takes that SGD step on the lab's weights (for
skip-gram + hierarchical softmax one step per pair in turn, as the trainer) and reports what moved.
Notation as ``docs/derivation.md``: v_c input vectors, u_w output vectors, u_{n_j} inner nodes, h the hidden vector.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .config import SHARED_DRAWS_PER_NEGATIVE
from .embeddings import Embeddings
from .gradcheck import numerical_gradient, relative_error
from .huffman import HuffmanTree, build_huffman_tree
from .lab_check import RestrictedLoss
from .lab_example import Check, Example, predicts_centre
from .losses import hierarchical_softmax_loss, log_sigmoid, sigmoid
from .models import (
    LOSSES,
    MODELS,
    cbow_loss,
    initial_input_vectors,
    skipgram_context_loss,
    skipgram_loss,
    skipgram_shared_negatives_loss,
)

MAX_LAB_ELEMENTS = 60_000_000  # V × d of the lab's copy; larger vocabularies are refused with a message
MAX_CHECKED_OUTPUT_ROWS = 24  # output rows checked by finite differences (the first ones shown)
SHOWN_SOFTMAX_ROWS = 12  # rows of ∂J/∂U shown for full softmax (the true words and the largest others)


def _records(rows: list[dict]) -> np.recarray:
    """Rows with the same keys (never none: every example has a target) as one record array, a column per key."""
    names = list(rows[0])
    return np.rec.fromarrays([np.array([row[name] for row in rows]) for name in names], names=names)


class LabError(ValueError):
    """An example that cannot be built, with a message that says what to change."""


def output_kind(loss: str) -> str:
    """Which output matrix a loss uses: "inner" (Huffman inner nodes) or "words" (one output vector per word)."""
    return "inner" if loss == "hierarchical" else "words"


def window_around(sentence: np.ndarray, position: int, window: int) -> tuple[int, list[int]]:
    """Centre word and context (the words within ``window`` on each side) at ``position`` of a sentence (ids)."""
    if not 0 <= position < len(sentence):
        raise LabError(f"Position {position + 1} is outside the line ({len(sentence)} words).")
    lo, hi = max(0, position - window), min(len(sentence), position + window + 1)
    context = [int(sentence[j]) for j in range(lo, hi) if j != position]
    return int(sentence[position]), context


def draw_negatives(noise: np.ndarray, k: int, n_sets: int, seed: int) -> list[np.ndarray]:
    """``n_sets`` arrays of ``k`` words drawn from the noise distribution ``noise`` (V,), repeats allowed."""
    rng = np.random.default_rng(seed)
    drawn = rng.choice(len(noise), size=(n_sets, k), p=noise)
    return [row.astype(np.int64) for row in drawn]


@dataclass
class StepResult:
    """What one SGD step changed: ``moved`` has a row per changed vector (matrix, row, label, change, grad norm)."""

    alpha: float
    loss_before: float
    loss_after: float
    moved: np.recarray  # a row per changed vector: vector, row, word, moved_by, gradient_norm; largest first
    neighbours_before: dict[str, list[tuple[str, float]]]
    neighbours_after: dict[str, list[tuple[str, float]]]
    input_scale: float = 1.0  # C for the C tool's CBOW step, else 1
    pairs_in_turn: int = 0  # skip-gram + hierarchical softmax: the m pairs' steps taken in turn


@dataclass
class GradientLab:
    """The lab's own copy of a model: words (V), counts (V,) int64, w_in (V, d) float32, output matrices by kind.

    Output matrices missing from ``outputs`` are created on first use with small random values (``fresh``
    lists them): the trainer starts output vectors at zero, where every input-vector gradient is zero.
    """

    words: list[str]
    counts: np.ndarray
    w_in: np.ndarray
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    source: str = "fresh random weights"
    seed: int = 1
    trained: bool = False  # copied from a trained model (else drawn fresh)
    fresh: set[str] = field(default_factory=set)
    version: int = 0
    _tree: HuffmanTree | None = field(default=None, repr=False)
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.w_in.shape[0] != len(self.words):
            raise LabError(f"{len(self.words):,} words but {self.w_in.shape[0]:,} input vectors.")
        if self.w_in.size > MAX_LAB_ELEMENTS:
            raise LabError(f"The model is too large for the lab ({len(self.words):,} words × {self.dim} dimensions). "
                           "Use a corpus with a smaller vocabulary (raise min_count) or smaller vectors.")
        self.w_in = np.array(self.w_in, dtype=np.float32)
        self.outputs = {kind: np.array(matrix, dtype=np.float32) for kind, matrix in self.outputs.items()}
        self.counts = np.asarray(self.counts, dtype=np.int64)
        self._index = {word: i for i, word in enumerate(self.words)}

    @classmethod
    def fresh_model(cls, words: list[str], counts: np.ndarray, dim: int, seed: int = 1) -> GradientLab:
        """Random input vectors as the trainer draws them (``models.initial_input_vectors``)."""
        w_in = initial_input_vectors(len(words), dim, seed)
        return cls(list(words), counts, w_in, {}, "fresh random weights (nothing trained yet)", seed)

    @classmethod
    def from_trained(cls, words: list[str], counts: np.ndarray, w_in: np.ndarray, w_out: np.ndarray,
                     trained_loss: str, source: str, seed: int = 1) -> GradientLab:
        """A copy of trained weights; ``w_out`` is the trainer's output (or inner-node) matrix."""
        return cls(list(words), counts, np.array(w_in, np.float32), {output_kind(trained_loss): np.array(w_out)},
                   source, seed, trained=True)

    @property
    def dim(self) -> int:
        return int(self.w_in.shape[1])

    @property
    def tree(self) -> HuffmanTree:
        if self._tree is None:
            self._tree = build_huffman_tree(self.counts)
        return self._tree

    def word_id(self, word: str) -> int:
        try:
            return self._index[word]
        except KeyError:
            raise LabError(f"{word!r} is not in the vocabulary ({len(self.words):,} words).") from None

    def output_matrix(self, loss: str) -> np.ndarray:
        """The output vectors (V, d) or inner-node vectors (V-1, d) of ``loss``, created fresh when missing."""
        kind = output_kind(loss)
        if kind not in self.outputs:
            rows = max(len(self.words) - 1, 1) if kind == "inner" else len(self.words)
            rng = np.random.default_rng(self.seed + (2 if kind == "inner" else 1))
            self.outputs[kind] = ((rng.random((rows, self.dim), dtype=np.float32) - 0.5) / self.dim)
            self.fresh.add(kind)
        return self.outputs[kind]

    def noise(self, exponent: float = 0.75) -> np.ndarray:
        """(V,) P_n(w) = count^exponent / Σ count^exponent."""
        weights = self.counts.astype(np.float64) ** exponent
        return weights / weights.sum()

    def out_label(self, loss: str, row: int) -> str:
        return f"node {row}" if output_kind(loss) == "inner" else self.words[row]

    # ----- the example ---------------------------------------------------------------------------------------
    def example(self, model: str, loss: str, center: int, context: list[int], negative: int = 5,
                shared_negatives: bool = True, seed: int = 0, ns_exponent: float = 0.75, check: bool = True,
                negatives: list[np.ndarray] | None = None, shared: np.ndarray | None = None) -> Example:
        """Forward pass, loss, reference gradients and (``check``) their finite-difference check.

        Negative sampling draws from P_n with ``seed``: K = ``negative`` words per pair (CBOW: per window), or
        for skip-gram with ``shared_negatives`` one set of S = 4K words for the window, each weighted m K / S (the
        trainer's former default; docs/derivation.md). ``negatives`` (one (K,) array per target) or ``shared``
        (S,) replay a draw. Skip-gram + hierarchical softmax is the trainer's form: each context word's vector
        h_j = v_{c+j} predicts the centre's path, all pairs' gradients at the example's weights.
        """
        if model not in MODELS or loss not in LOSSES:
            raise LabError(f"Unknown model {model!r} or loss {loss!r}.")
        if not context:
            raise LabError("The example needs at least one context word.")
        if not all(0 <= int(w) < len(self.words) for w in [center, *context]):
            raise LabError(f"Word ids must be between 0 and {len(self.words) - 1}.")
        started = time.perf_counter()
        w_out = self.output_matrix(loss)
        reversed_pairs = predicts_centre(model, loss)
        targets = [center] * len(context) if reversed_pairs else list(context) if model == "skipgram" else [center]
        shared_mode = loss == "negative" and model == "skipgram" and (shared is not None or (
            negatives is None and shared_negatives))
        weight = 0.0
        if loss != "negative" or shared_mode:
            negatives = []
        elif negatives is not None:
            negatives = [np.asarray(n, dtype=np.int64) for n in negatives]
            if len(negatives) != len(targets):
                raise LabError("Give one array of negatives per predicted word.")
        if loss == "negative" and negative < 1:
            raise LabError("Negative sampling needs at least one negative word.")
        if shared_mode:
            shared = (np.asarray(shared, dtype=np.int64) if shared is not None else
                      draw_negatives(self.noise(ns_exponent), negative * SHARED_DRAWS_PER_NEGATIVE, 1, seed)[0])
            weight = len(targets) * negative / len(shared)
        elif loss == "negative" and not negatives:
            sets = 1 if model == "cbow" else len(targets)
            negatives = draw_negatives(self.noise(ns_exponent), negative, sets, seed)
        else:
            shared = None
        tree = self.tree if loss == "hierarchical" else None
        if shared_mode:
            value, grad_in, grad_out = skipgram_shared_negatives_loss(center, targets, self.w_in, w_out, shared,
                                                                      negative)
            hidden = self.w_in[center].astype(np.float64)
        elif reversed_pairs:
            value, grad_in, grad_out = skipgram_context_loss(center, context, self.w_in, w_out, loss, tree)
            hidden = self.w_in[context].astype(np.float64)  # (m, d): each pair's h_j = v_{c+j}
        elif model == "skipgram":
            value, grad_in, grad_out = skipgram_loss(center, targets, self.w_in, w_out, loss, negatives or None,
                                                     tree)
            hidden = self.w_in[center].astype(np.float64)
        else:
            value, grad_in, grad_out = cbow_loss(context, center, self.w_in, w_out, loss,
                                                 negatives[0] if negatives else None, tree)
            hidden = self.w_in[context].astype(np.float64).mean(axis=0)
        in_rows = np.unique([center] if model == "skipgram" and not reversed_pairs else context).astype(np.int64)
        noise_sets = negatives + ([shared] if shared_mode else [])
        out_rows = self._touched_rows(loss, targets, noise_sets, len(w_out))
        if reversed_pairs:  # each pair's ∂F_j/∂h_j = Σ_i g_ji u_{n_i} (a repeated word's row in grad_in sums them)
            grad_hidden = np.stack([self._path_step(h, center, w_out)[1] for h in hidden])
        elif model == "skipgram":
            grad_hidden = grad_in[center]
        else:  # ∂J/∂v_a = (n_a / C) ∂J/∂h for a context word a occurring n_a times
            n_first = int(np.sum(np.asarray(context) == in_rows[0]))
            grad_hidden = grad_in[in_rows[0]] * len(context) / n_first
        forward, top = self._forward(loss, hidden, targets, negatives, w_out, ns_exponent, shared, weight,
                                     list(context) if reversed_pairs else None)
        shown = self._shown_rows(loss, targets, noise_sets, out_rows, grad_out)
        result = Example(model, loss, center, list(context), targets, negatives, hidden, value, grad_hidden,
                         in_rows, grad_in[in_rows], out_rows, grad_out[out_rows], shown, forward, top,
                         shared=shared, shared_weight=weight, negatives_per_pair=negative if loss == "negative" else 0,
                         version=self.version)
        if check:
            result.check = self._check(result, w_out)
        result.seconds = time.perf_counter() - started
        return result

    def _path_step(self, hidden: np.ndarray, word: int, w_out: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Hierarchical softmax of ``word``'s path from ``hidden`` (d,), reading only the path's rows:
        loss, ∂F/∂h (d,) and ∂F/∂u_{n_i} (L, d) for the path's nodes in order."""
        path, codes = self.tree.path(word)
        local = w_out[path].astype(np.float64)
        return hierarchical_softmax_loss(hidden, np.arange(len(path)), codes, local)

    def _touched_rows(self, loss: str, targets: list[int], negatives: list[np.ndarray], n_rows: int) -> np.ndarray:
        """Output rows the example's loss reads (and its gradient may change): all of them for full softmax."""
        if loss == "softmax":
            return np.arange(n_rows, dtype=np.int64)
        if loss == "negative":
            return np.unique(np.concatenate([np.asarray(targets, np.int64), *negatives])).astype(np.int64)
        return np.unique(np.concatenate([self.tree.path(t)[0] for t in targets])).astype(np.int64)

    def _shown_rows(self, loss: str, targets: list[int], negatives: list[np.ndarray], out_rows: np.ndarray,
                    grad_out: np.ndarray) -> np.ndarray:
        """Touched output rows in a readable order: true words, then negatives (or the largest for softmax)."""
        if loss == "hierarchical":
            paths = [self.tree.path(t)[0] for t in targets]
            ordered = [int(node) for path in paths for node in path]
        else:
            ordered = list(targets) + [int(w) for drawn in negatives for w in drawn]
            if loss == "softmax":
                norms = np.linalg.norm(grad_out, axis=1)
                ordered += [int(r) for r in np.argsort(-norms, kind="stable")[:SHOWN_SOFTMAX_ROWS]]
        touched = set(out_rows.tolist())
        unique = [r for r in dict.fromkeys(ordered) if r in touched]
        limit = SHOWN_SOFTMAX_ROWS + len(set(targets)) if loss == "softmax" else MAX_CHECKED_OUTPUT_ROWS
        return np.array(unique[:limit], dtype=np.int64)

    def _forward(self, loss: str, hidden: np.ndarray, targets: list[int], negatives: list[np.ndarray],
                 w_out: np.ndarray, ns_exponent: float, shared: np.ndarray | None, weight: float,
                 inputs: list[int] | None = None) -> tuple[np.recarray, np.recarray | None]:
        """The forward pass as a record array (one row per score; shared noise words once, with their weight)
        and, for full softmax, the top of ŷ (ui/lab_view.py labels the columns with the derivation's notation).
        ``inputs``: the context word of each pair when each predicts the centre (``hidden`` is then (m, d))."""
        rows: list[dict] = []
        top = None
        if loss == "softmax":
            scores = w_out.astype(np.float64) @ hidden
            shift = scores.max()
            log_z = shift + np.log(np.exp(scores - shift).sum())
            y_hat = np.exp(scores - log_z)
            ranks = np.empty(len(scores), dtype=np.int64)
            ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
            for j, target in enumerate(targets):
                rows.append({"target": j + 1, "word": self.words[target], "score": scores[target],
                             "y_hat": y_hat[target], "rank": int(ranks[target]), "loss_term": log_z - scores[target]})
            best = np.argsort(-scores, kind="stable")[:10]
            top = np.rec.fromarrays([np.arange(1, len(best) + 1), np.array([self.words[i] for i in best]),
                                     scores[best], y_hat[best]], names=["rank", "word", "score", "y_hat"])
        elif loss == "negative":
            noise = self.noise(ns_exponent)
            for j, target in enumerate(targets):
                score = float(w_out[target].astype(np.float64) @ hidden)
                rows.append({"target": str(j + 1), "role": "true word", "word": self.words[target],
                             "noise_p": noise[target], "score": score, "sigma": float(sigmoid(score)),
                             "weight": 1.0, "loss_term": float(-log_sigmoid(score)),
                             "coefficient": float(sigmoid(score)) - 1.0})
                for k in (negatives[j] if negatives else []):
                    rows.append(self._noise_row(j + 1, int(k), w_out, hidden, noise, 1.0, "negative"))
            for k in (shared if shared is not None else []):
                rows.append(self._noise_row("all", int(k), w_out, hidden, noise, weight, "shared negative"))
        else:
            for j, target in enumerate(targets):
                path, codes = self.tree.path(target)
                h = hidden[j] if inputs is not None else hidden
                who = ({"pair": j + 1, "context_word": self.words[inputs[j]]} if inputs is not None else
                       {"target": j + 1, "word": self.words[target]})
                for step, (node, code) in enumerate(zip(path, codes, strict=True)):
                    score = float(w_out[node].astype(np.float64) @ h)
                    sign = 1.0 - 2.0 * float(code)
                    rows.append({**who, "step": step + 1, "node": int(node), "code": int(code), "score": score,
                                 "sigma": float(sigmoid(sign * score)),
                                 "loss_term": float(-log_sigmoid(sign * score)),
                                 "g": float(sigmoid(score)) - (1.0 - float(code))})
        return _records(rows), top

    def _noise_row(self, target: int | str, word: int, w_out: np.ndarray, hidden: np.ndarray, noise: np.ndarray,
                   weight: float, role: str) -> dict:
        """One noise word's term weight · (−log σ(−u·h)) of the forward table."""
        score = float(w_out[word].astype(np.float64) @ hidden)
        return {"target": str(target), "role": role,
                "word": self.words[word], "noise_p": noise[word], "score": score,
                "sigma": float(sigmoid(-score)), "weight": weight,
                "loss_term": weight * float(-log_sigmoid(-score)), "coefficient": weight * float(sigmoid(score))}

    # ----- finite differences ---------------------------------------------------------------------------------
    def _check(self, example: Example, w_out: np.ndarray) -> Check:
        """Centred differences of a loss that reads only the touched rows (other rows are constants)."""
        started = time.perf_counter()
        closure = RestrictedLoss(example, self.w_in, w_out, self.tree)
        numeric_in = numerical_gradient(closure.value, closure.inputs)
        numeric_out = numerical_gradient(closure.value, closure.outputs)
        checked_in = example.grad_input[closure.in_checked]
        input_error = relative_error(checked_in, numeric_in)
        output_error = relative_error(example.grad_output_rows(closure.out_rows), numeric_out)
        return Check(input_error, output_error, closure.inputs.size + closure.outputs.size,
                     time.perf_counter() - started, closure.in_rows, closure.out_rows)

    # ----- the step ---------------------------------------------------------------------------------------------
    def apply_step(self, example: Example, alpha: float, watch: list[int] | None = None, k: int = 8,
                   cbow_full_step: bool = False) -> StepResult:
        """V ← V − α ∂J/∂V and U ← U − α ∂J/∂U on the lab's weights; what moved and the neighbours of ``watch``
        (default: the centre word) before and after.

        With ``cbow_full_step`` (the C tool's and the trainer's default) every CBOW context position takes the full
        ∂F/∂h, i.e. the input rows move C times the gradient step (docs/derivation.md). Skip-gram + hierarchical
        softmax takes one step per (context word, centre) pair in turn, as the trainer and the C tool: a pair's
        gradients are those at the weights the pairs before it left, so the "gradient_norm" of what moved is that of
        the gradients applied (the first pair's equal the example's).
        """
        if example.version != self.version:
            raise LabError("The weights changed since this example was computed; compute it again first.")
        if not 0.0 < alpha <= 10.0:
            raise LabError(f"The learning rate must be in (0, 10] (got {alpha}).")
        watch = [example.center] if watch is None else watch
        before = self._neighbours(watch, k)
        w_out = self.output_matrix(example.loss)
        old_in, old_out = self.w_in[example.in_rows].copy(), w_out[example.out_rows].copy()
        scale = float(len(example.context)) if cbow_full_step and example.model == "cbow" else 1.0
        in_turn = example.predicts_centre
        if in_turn:
            applied_in, applied_out = self._step_pairs(example, alpha, w_out)
        else:
            applied_in, applied_out = scale * example.grad_input, example.grad_output
            self.w_in[example.in_rows] -= (alpha * applied_in).astype(np.float32)
            w_out[example.out_rows] -= (alpha * applied_out).astype(np.float32)
            applied_in = example.grad_input  # the CBOW full step's norm is reported as its gradient's
        self.version += 1
        change_in = np.linalg.norm(self.w_in[example.in_rows].astype(np.float64) - old_in, axis=1)
        change_out = np.linalg.norm(w_out[example.out_rows].astype(np.float64) - old_out, axis=1)
        kind = "inner node" if example.loss == "hierarchical" else "output u_w"
        moved = _records(
            [{"vector": "input v_w", "row": int(r), "word": self.words[r], "moved_by": float(c),
              "gradient_norm": float(np.linalg.norm(g))}
             for r, c, g in zip(example.in_rows, change_in, applied_in, strict=True)]
            + [{"vector": kind, "row": int(r), "word": self.out_label(example.loss, int(r)), "moved_by": float(c),
                "gradient_norm": float(np.linalg.norm(g))}
               for r, c, g in zip(example.out_rows, change_out, applied_out, strict=True)])
        moved = moved[moved["moved_by"] > 0]
        moved = moved[np.argsort(-moved["moved_by"], kind="stable")]
        after = self.example(example.model, example.loss, example.center, example.context, check=False,
                             negative=max(example.negatives_per_pair, 1), negatives=example.negatives or None,
                             shared=example.shared)
        return StepResult(alpha, example.loss_value, after.loss_value, moved, before,
                          self._neighbours(watch, k), scale, len(example.context) if in_turn else 0)

    def _step_pairs(self, example: Example, alpha: float, w_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The trainer's skip-gram + hierarchical softmax step (kernels._skipgram_hierarchical_pairs): for each
        context word in turn, v ← v − α ∂F(w_c, v)/∂v and u_{n_i} ← u_{n_i} − α g_i v on the centre's path, each
        pair at the weights the previous one left. Returns the gradients applied, summed per row, aligned with
        ``in_rows`` (r, d) and ``out_rows`` (s, d)."""
        path = self.tree.path(example.center)[0]
        in_position = {int(r): i for i, r in enumerate(example.in_rows)}
        out_position = np.searchsorted(example.out_rows, path)  # out_rows is the sorted path
        applied_in = np.zeros((len(example.in_rows), self.dim))
        applied_out = np.zeros((len(example.out_rows), self.dim))
        for word in example.context:
            _, grad_hidden, grad_nodes = self._path_step(self.w_in[word].astype(np.float64), example.center, w_out)
            w_out[path] -= (alpha * grad_nodes).astype(np.float32)
            self.w_in[word] -= (alpha * grad_hidden).astype(np.float32)
            applied_in[in_position[int(word)]] += grad_hidden
            applied_out[out_position] += grad_nodes
        return applied_in, applied_out

    def _neighbours(self, rows: list[int], k: int) -> dict[str, list[tuple[str, float]]]:
        emb = Embeddings(self.words, self.w_in)
        return {self.words[r]: emb.most_similar(self.words[r], k=k) for r in rows}

    def neighbours(self, word: str, k: int = 8) -> list[tuple[str, float]]:
        """Nearest words (cosine of input vectors) of ``word`` under the lab's current weights."""
        return self._neighbours([self.word_id(word)], k)[word]
