"""Compiled training kernels (numba, ``nogil=True, cache=True``) for skip-gram and CBOW with all three losses.

One call trains one chunk of sentences with plain SGD (Hogwild when several threads call it on shared
weights). Updates follow the reference losses of ``losses.py`` exactly (true gradients, CBOW included), so
``tests/test_kernels.py`` can replay a chunk with them. Loss is accumulated in float64 from exact
``log(1 + exp(·))``, not a lookup table.

Shared arguments:
  ids (N,) int32, starts (S+1,) int64: the encoded corpus; sentences [s_begin, s_end) are trained.
  w_in (V, d) float32 input vectors; w_out (V, d) float32 output vectors (softmax / negative sampling) or
  inner-node vectors (V-1, d) for hierarchical softmax.
  keep (V,) float32 subsampling keep-probabilities; alias_prob (V,) float32, alias_idx (V,) int32: the noise
  distribution as an alias table; points (V, L) int32, codes (V, L) uint8, code_lengths (V,) int32: Huffman.
  stats (STATS_SIZE,) float64, added to: words, training examples, positive-part loss (all the loss but
  negative sampling's noise terms), negative-part loss, stopped flag.
  grad_in (V,) / grad_out (V,) float64 and count_in / count_out (V,) int64: per-word sums of gradient L2 norms
  and update counts (skipped when ``telemetry`` is False).
  trace_* : optional record of the first training examples (inputs, target, negatives; -1 = none), for tests
  and the gradient lab; pass arrays with zero rows to disable.
  control (1,) int32: set to 1 by another thread to stop at the next word.
"""

from __future__ import annotations

import math

import numba
import numpy as np

SKIPGRAM, CBOW = 0, 1
NEGATIVE, HIERARCHICAL, SOFTMAX = 0, 1, 2
STAT_WORDS, STAT_PAIRS, STAT_POSITIVE, STAT_NEGATIVE, STAT_STOPPED = range(5)
STATS_SIZE = 5

_MULTIPLIER = np.uint64(25214903917)
_INCREMENT = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53

_JIT = {"nogil": True, "cache": True, "fastmath": True}


@numba.njit(inline="always")
def _next(state: np.uint64) -> np.uint64:
    return state * _MULTIPLIER + _INCREMENT


@numba.njit(inline="always")
def _unit(state: np.uint64) -> float:
    return float(state >> np.uint64(11)) * _TO_UNIT


@numba.njit(inline="always")
def _softplus(x: float) -> float:
    """log(1 + exp(x)), stable: the loss -log σ(-x)."""
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


@numba.njit(inline="always")
def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@numba.njit(**_JIT)
def _dot(a: np.ndarray, b: np.ndarray) -> float:
    total = np.float32(0.0)
    for i in range(a.shape[0]):
        total += a[i] * b[i]
    return total


@numba.njit(**_JIT)
def _norm(a: np.ndarray) -> float:
    return math.sqrt(_dot(a, a))


@numba.njit(**_JIT)
def _predict(hidden, target, w_out, loss_kind, negative, alias_prob, alias_idx, points, codes, code_lengths,
             grad_hidden, alpha, stats, telemetry, grad_out, count_out, state, trace_negatives, trace_row):
    """One prediction of ``target`` from ``hidden`` (d,): updates w_out, accumulates ∂J/∂hidden in grad_hidden.

    Returns the advanced random state.
    """
    hidden_norm = _norm(hidden) if telemetry else 0.0
    dim = hidden.shape[0]
    if loss_kind == NEGATIVE:
        n_words = alias_prob.shape[0]
        for k in range(negative + 1):
            if k == 0:
                word = np.int64(target)
            else:
                state = _next(state)
                slot = np.int64((state >> np.uint64(16)) % np.uint64(n_words))
                state = _next(state)
                word = slot if _unit(state) < alias_prob[slot] else np.int64(alias_idx[slot])
                if word == target:
                    if trace_row >= 0:
                        trace_negatives[trace_row, k - 1] = -1
                    continue
                if trace_row >= 0:
                    trace_negatives[trace_row, k - 1] = word
            score = _dot(hidden, w_out[word])
            if k == 0:
                stats[STAT_POSITIVE] += _softplus(-score)
                coef = _sigmoid(score) - 1.0
            else:
                stats[STAT_NEGATIVE] += _softplus(score)
                coef = _sigmoid(score)
            _accumulate_and_update(hidden, w_out[word], coef, alpha, grad_hidden, dim)
            if telemetry:
                grad_out[word] += abs(coef) * hidden_norm
                count_out[word] += 1
    elif loss_kind == HIERARCHICAL:
        for j in range(code_lengths[target]):
            node = points[target, j]
            score = _dot(hidden, w_out[node])
            label = 1.0 - codes[target, j]
            stats[STAT_POSITIVE] += _softplus(-score) if label > 0.5 else _softplus(score)
            coef = _sigmoid(score) - label
            _accumulate_and_update(hidden, w_out[node], coef, alpha, grad_hidden, dim)
            if telemetry:
                grad_out[node] += abs(coef) * hidden_norm
                count_out[node] += 1
    else:
        n_out = w_out.shape[0]
        scores = np.empty(n_out, dtype=np.float64)
        top = -np.inf
        for w in range(n_out):
            scores[w] = _dot(hidden, w_out[w])
            top = max(top, scores[w])
        total = 0.0
        for w in range(n_out):
            total += math.exp(scores[w] - top)
        log_normalizer = top + math.log(total)
        stats[STAT_POSITIVE] += log_normalizer - scores[target]
        for w in range(n_out):
            coef = math.exp(scores[w] - log_normalizer) - (1.0 if w == target else 0.0)
            _accumulate_and_update(hidden, w_out[w], coef, alpha, grad_hidden, dim)
            if telemetry:
                grad_out[w] += abs(coef) * hidden_norm
                count_out[w] += 1
    return state


@numba.njit(**_JIT)
def _accumulate_and_update(hidden, output_row, coef, alpha, grad_hidden, dim):
    """grad_hidden += coef · u (before u moves), then u -= alpha · coef · hidden (∂J/∂u = coef · hidden)."""
    coef32 = np.float32(coef)
    step = np.float32(alpha * coef)
    for i in range(dim):
        grad_hidden[i] += coef32 * output_row[i]
        output_row[i] -= step * hidden[i]


@numba.njit(**_JIT)
def _subsample(ids, begin, end, keep, sentence, state):
    """Copy the kept words of ids[begin:end] into ``sentence``; returns (length, state)."""
    length = 0
    for p in range(begin, end):
        word = ids[p]
        if keep[word] < 1.0:
            state = _next(state)
            if _unit(state) >= keep[word]:
                continue
        sentence[length] = word
        length += 1
    return length, state


@numba.njit(**_JIT)
def train_chunk(model_kind, loss_kind, ids, starts, s_begin, s_end, w_in, w_out, keep, alias_prob, alias_idx,
                points, codes, code_lengths, window, negative, alpha_begin, alpha_end, seed, stats, telemetry,
                grad_in, grad_out, count_in, count_out, trace_inputs, trace_targets, trace_negatives, control):
    """Train sentences [s_begin, s_end) once; the learning rate falls linearly from alpha_begin to alpha_end."""
    dim = w_in.shape[1]
    state = np.uint64(seed)
    chunk_words = starts[s_end] - starts[s_begin]
    longest = 0
    for s in range(s_begin, s_end):
        longest = max(longest, starts[s + 1] - starts[s])
    sentence = np.empty(longest, dtype=np.int32)
    hidden = np.empty(dim, dtype=np.float32)
    grad_hidden = np.empty(dim, dtype=np.float32)
    context = np.empty(2 * window, dtype=np.int32)
    traced = 0
    words_done = 0
    for s in range(s_begin, s_end):
        alpha = alpha_begin + (alpha_end - alpha_begin) * (words_done / max(chunk_words, 1))
        length, state = _subsample(ids, starts[s], starts[s + 1], keep, sentence, state)
        words_done += starts[s + 1] - starts[s]
        for i in range(length):
            if control[0] != 0:
                stats[STAT_STOPPED] = 1.0
                stats[STAT_WORDS] += words_done
                return
            state = _next(state)
            reduced = window - np.int64((state >> np.uint64(16)) % np.uint64(window))
            lo, hi = max(0, i - reduced), min(length, i + reduced + 1)
            if model_kind == SKIPGRAM:
                center = sentence[i]
                for j in range(lo, hi):
                    if j == i:
                        continue
                    trace_row = traced if traced < trace_targets.shape[0] else -1
                    if trace_row >= 0:
                        trace_inputs[trace_row, 0] = center
                        trace_targets[trace_row] = sentence[j]
                        traced += 1
                    for k in range(dim):
                        hidden[k] = w_in[center, k]
                        grad_hidden[k] = 0.0
                    state = _predict(hidden, sentence[j], w_out, loss_kind, negative, alias_prob, alias_idx,
                                     points, codes, code_lengths, grad_hidden, alpha, stats, telemetry, grad_out,
                                     count_out, state, trace_negatives, trace_row)
                    for k in range(dim):
                        w_in[center, k] -= np.float32(alpha) * grad_hidden[k]
                    if telemetry:
                        grad_in[center] += _norm(grad_hidden)
                        count_in[center] += 1
                    stats[STAT_PAIRS] += 1
            else:
                n_context = 0
                for j in range(lo, hi):
                    if j != i:
                        context[n_context] = sentence[j]
                        n_context += 1
                if n_context == 0:
                    continue
                trace_row = traced if traced < trace_targets.shape[0] else -1
                if trace_row >= 0:
                    trace_inputs[trace_row, :n_context] = context[:n_context]
                    trace_targets[trace_row] = sentence[i]
                    traced += 1
                for k in range(dim):
                    hidden[k] = 0.0
                    grad_hidden[k] = 0.0
                for c in range(n_context):
                    for k in range(dim):
                        hidden[k] += w_in[context[c], k]
                for k in range(dim):
                    hidden[k] /= n_context
                state = _predict(hidden, sentence[i], w_out, loss_kind, negative, alias_prob, alias_idx,
                                 points, codes, code_lengths, grad_hidden, alpha, stats, telemetry, grad_out,
                                 count_out, state, trace_negatives, trace_row)
                step = np.float32(alpha / n_context)
                for c in range(n_context):
                    for k in range(dim):
                        w_in[context[c], k] -= step * grad_hidden[k]
                if telemetry:
                    norm = _norm(grad_hidden) / n_context
                    for c in range(n_context):
                        grad_in[context[c]] += norm
                        count_in[context[c]] += 1
                stats[STAT_PAIRS] += 1
    stats[STAT_WORDS] += words_done


def alias_table(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias table for O(1) sampling from ``probabilities`` (V,): (prob (V,) float32, alias (V,) int32)."""
    n = len(probabilities)
    scaled = np.asarray(probabilities, dtype=np.float64) * n / np.sum(probabilities)
    prob = np.ones(n, dtype=np.float64)
    alias = np.arange(n, dtype=np.int32)
    small = [i for i in range(n) if scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        prob[s], alias[s] = scaled[s], g
        scaled[g] -= 1.0 - scaled[s]
        (small if scaled[g] < 1.0 else large).append(g)
    return prob.astype(np.float32), alias
