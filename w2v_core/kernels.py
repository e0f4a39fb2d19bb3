"""Compiled training kernels (numba, ``nogil=True, cache=True``) for skip-gram and CBOW with all three losses.

One call trains one chunk of sentences with plain SGD (Hogwild when several threads call it on shared
weights): one step per centre word and window, exactly the step of ``models.skipgram_loss`` /
``models.cbow_loss`` (true gradients, CBOW included), so ``tests/test_kernels.py`` can replay a chunk with the
reference losses. Loss is accumulated in float64 from exact
``log(1 + exp(·))``, not a lookup table.

Shared arguments:
  ids (N,) int32, starts (S+1,) int64: the encoded corpus; sentences [s_begin, s_end) are trained.
  w_in (V, d) float32 input vectors; w_out (V, d) float32 output vectors (softmax / negative sampling) or
  inner-node vectors (V-1, d) for hierarchical softmax.
  keep (V,) float32 subsampling keep-probabilities; alias_prob (V,) float32, alias_idx (V,) int32: the noise
  distribution as an alias table; points (V, L) int32, codes (V, L) uint8, code_lengths (V,) int32: Huffman.
  stats (STATS_SIZE,) float64, added to: words, training examples, positive-part loss (all the loss but
  negative sampling's noise terms), negative-part loss, stopped flag.
  sums (V, 4) float32, added to: per word, the sums of the L2 norms of the gradients applied to its input and
  output vector and the counts of those updates (columns IN_NORM, OUT_NORM, IN_COUNT, OUT_COUNT; 16 bytes per
  word, so an update touches one cache line; one job's sums, exact enough in float32; skipped when
  ``telemetry`` is False).
  trace_context (T, 2·window), trace_center (T,), trace_negatives (T, 2·window·K) int32: a record of the first T
  windows (context words, centre word, drawn negatives; -1 = none), for tests and the gradient lab.
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
IN_NORM, OUT_NORM, IN_COUNT, OUT_COUNT = range(4)  # columns of the telemetry sums

_MULTIPLIER = np.uint64(25214903917)
_INCREMENT = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53

_JIT = {"nogil": True, "cache": True, "fastmath": True, "error_model": "numpy"}  # x/0 -> inf, caught as divergence


@numba.njit(inline="always")
def _next(state: np.uint64) -> np.uint64:
    return state * _MULTIPLIER + _INCREMENT


@numba.njit(inline="always")
def _unit(state: np.uint64) -> float:
    return float(state >> np.uint64(11)) * _TO_UNIT


@numba.njit(inline="always")
def _below(state: np.uint64, n: int) -> int:
    """A draw in [0, n) from the state's high 32 bits (multiply-shift, no division)."""
    return np.int64(((state >> np.uint64(32)) * np.uint64(n)) >> np.uint64(32))


@numba.njit(inline="always")
def _logistic(x: float) -> tuple[float, float]:
    """(σ(x), -log σ(x)) from one exp and one log, stable for any x; -log σ(-x) is then -log σ(x) + x.

    x is a float32 score, so both are evaluated in float32 (log(1 + e) rather than log1p: about 10 % faster
    kernels; it drops terms below 6e-8, under float32 resolution of the loss); callers sum them in float64.
    """
    e = math.exp(-abs(x))
    one_plus = np.float32(1.0) + e
    if x >= 0:
        return 1.0 / one_plus, math.log(one_plus)
    return e / one_plus, math.log(one_plus) - x


@numba.njit(**_JIT)
def _dot(a: np.ndarray, b: np.ndarray) -> float:
    total = np.float32(0.0)
    for i in range(a.shape[0]):
        total += a[i] * b[i]
    return total


@numba.njit(**_JIT)
def _collect(hidden, w_out, word, coef, grad_hidden, pending_rows, pending_coefs, n_pending, fused_alpha):
    """grad_hidden += coef · u_word (u before any update); remember (word, coef) for the output update.

    With ``fused_alpha`` > 0 the update u_word -= fused_alpha · coef · hidden is made in the same pass (exact
    when no row repeats within the step, which the caller guarantees).
    """
    row = w_out[word]
    c32 = np.float32(coef)
    if fused_alpha > 0.0:
        step = np.float32(fused_alpha * coef)
        for i in range(hidden.shape[0]):
            grad_hidden[i] += c32 * row[i]
            row[i] -= step * hidden[i]
    else:
        for i in range(hidden.shape[0]):
            grad_hidden[i] += c32 * row[i]
    pending_rows[n_pending] = word
    pending_coefs[n_pending] = coef
    return n_pending + 1


@numba.njit(**_JIT)
def _distinct(first, others, n_others):
    """True when ``first`` and others[:n_others] are all different words."""
    for a in range(n_others):
        if others[a] == first:
            return False
        for b in range(a):
            if others[a] == others[b]:
                return False
    return True


@numba.njit(**_JIT)
def _draw(state, alias_prob, alias_idx):
    """One draw from the noise distribution (alias method); returns (word, state)."""
    state = _next(state)
    slot = _below(state, alias_prob.shape[0])
    state = _next(state)
    word = slot if _unit(state) < alias_prob[slot] else np.int64(alias_idx[slot])
    return word, state


@numba.njit(**_JIT)
def _predict(hidden, target, w_out, loss_kind, negatives, n_negatives, points, codes, code_lengths, grad_hidden,
             dense_coefs, pending_rows, pending_coefs, n_pending, stats, fused_alpha):
    """Gradients of predicting ``target`` from ``hidden`` (d,) at the current weights.

    Adds ∂J/∂hidden to grad_hidden and the coefficients of ∂J/∂u_w = coef · hidden to the pending list (or to
    dense_coefs (V,) for full softmax); accumulates the loss in stats. Returns the new pending count. Output rows
    are updated here only when ``fused_alpha`` > 0 (see ``_collect``), else by ``_apply_outputs``.
    """
    dim = hidden.shape[0]
    if loss_kind == NEGATIVE:
        sigma, loss = _logistic(_dot(hidden, w_out[target]))
        stats[STAT_POSITIVE] += loss
        n_pending = _collect(hidden, w_out, target, sigma - 1.0, grad_hidden, pending_rows,
                             pending_coefs, n_pending, fused_alpha)
        for k in range(n_negatives):
            score = _dot(hidden, w_out[negatives[k]])
            sigma, loss = _logistic(score)
            stats[STAT_NEGATIVE] += loss + score
            n_pending = _collect(hidden, w_out, negatives[k], sigma, grad_hidden, pending_rows,
                                 pending_coefs, n_pending, fused_alpha)
    elif loss_kind == HIERARCHICAL:
        for j in range(code_lengths[target]):
            node = points[target, j]
            score = _dot(hidden, w_out[node])
            label = 1.0 - codes[target, j]
            sigma, loss = _logistic(score)
            stats[STAT_POSITIVE] += loss if label > 0.5 else loss + score
            n_pending = _collect(hidden, w_out, node, sigma - label, grad_hidden, pending_rows,
                                 pending_coefs, n_pending, fused_alpha)
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
            dense_coefs[w] += coef
            c32 = np.float32(coef)
            row = w_out[w]
            for i in range(dim):
                grad_hidden[i] += c32 * row[i]
    return n_pending


@numba.njit(**_JIT)
def _apply_outputs(hidden, w_out, alpha, pending_rows, pending_coefs, n_pending, dense_coefs, loss_kind,
                   telemetry, sums, applied, hidden_norm):
    """u_w -= alpha · coef · hidden for every pending (w, coef) (dense for full softmax) unless already
    ``applied`` by a fused pass; telemetry per update (‖∂J/∂u_w‖ = |coef| · ‖hidden‖)."""
    dim = hidden.shape[0]
    if loss_kind == SOFTMAX:
        for w in range(w_out.shape[0]):
            step = np.float32(alpha * dense_coefs[w])
            for i in range(dim):
                w_out[w, i] -= step * hidden[i]
            if telemetry:
                sums[w, OUT_NORM] += abs(dense_coefs[w]) * hidden_norm
                sums[w, OUT_COUNT] += 1.0
            dense_coefs[w] = 0.0
        return
    for p in range(n_pending):
        word = pending_rows[p]
        if not applied:
            step = np.float32(alpha * pending_coefs[p])
            for i in range(dim):
                w_out[word, i] -= step * hidden[i]
        if telemetry:
            sums[word, OUT_NORM] += abs(pending_coefs[p]) * hidden_norm
            sums[word, OUT_COUNT] += 1.0


@numba.njit(inline="always")
def _step_input(row, grad, step):
    """row -= step · grad for an input vector row (d,); returns ‖grad‖ (telemetry), folded into the same pass."""
    squares = np.float32(0.0)
    for k in range(row.shape[0]):
        row[k] -= step * grad[k]
        squares += grad[k] * grad[k]
    return math.sqrt(squares)


@numba.njit(inline="always")
def _record_input(sums, word, norm):
    """Telemetry: one update of ``word``'s input vector with gradient norm ``norm``."""
    sums[word, IN_NORM] += norm
    sums[word, IN_COUNT] += 1.0


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
                points, codes, code_lengths, window, negative, shared_draws, cbow_full_step, alpha_begin, alpha_end,
                seed, stats, telemetry, sums, trace_context, trace_center,
                trace_negatives, control):
    """Train sentences [s_begin, s_end) once: one SGD step per centre word and window.

    Skip-gram: the step of ``models.skipgram_loss`` (v_c predicts each outside word; gradients at the same
    weights); for hierarchical softmax, as the C tool, each context word predicts the centre's Huffman path,
    one step per pair. With ``shared_draws`` > 0, one set of that many noise words serves the whole window (as Intel's
    pWord2Vec): ``models.skipgram_shared_negatives_loss``, each noise score computed once per window. CBOW: the
    step of ``models.cbow_loss``; with ``cbow_full_step`` every context vector moves by alpha·∂J/∂h, as in the
    C tool (C times its gradient). The learning rate falls linearly from alpha_begin to alpha_end.
    """
    dim = w_in.shape[1]
    state = np.uint64(seed)
    chunk_words = starts[s_end] - starts[s_begin]
    longest = 0
    for s in range(s_begin, s_end):
        longest = max(longest, starts[s + 1] - starts[s])
    sentence = np.empty(longest, dtype=np.int32)
    hidden = np.empty(dim, dtype=np.float32)
    grad_hidden = np.empty(dim, dtype=np.float32)
    context = np.empty(2 * window, dtype=np.int64)
    negatives = np.empty(max(2 * window * negative, shared_draws) + 1, dtype=np.int64)
    max_pending = 2 * window * (negative + 1 + points.shape[1]) + shared_draws
    pending_rows = np.empty(max_pending, dtype=np.int64)
    pending_coefs = np.empty(max_pending, dtype=np.float64)
    dense_coefs = np.zeros(w_out.shape[0] if loss_kind == SOFTMAX else 1, dtype=np.float64)
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
            reduced = window - _below(state, window)
            n_context = 0
            for j in range(max(0, i - reduced), min(length, i + reduced + 1)):
                if j != i:
                    context[n_context] = sentence[j]
                    n_context += 1
            if n_context == 0:
                continue
            center = sentence[i]
            n_drawn = 0
            if loss_kind == NEGATIVE:
                n_drawn = shared_draws if shared_draws > 0 else negative * n_context
                if model_kind == CBOW:
                    n_drawn = negative
                for k in range(n_drawn):
                    negatives[k], state = _draw(state, alias_prob, alias_idx)
            if traced < trace_center.shape[0]:
                trace_context[traced, :n_context] = context[:n_context]
                trace_center[traced] = center
                trace_negatives[traced, :n_drawn] = negatives[:n_drawn]
                traced += 1
            for k in range(dim):
                grad_hidden[k] = 0.0
            n_pending = 0
            if model_kind == SKIPGRAM and loss_kind == HIERARCHICAL:
                for j in range(n_context):  # as the C tool: each context word predicts the centre's path
                    word = context[j]
                    squares = np.float32(0.0)  # norms are folded into passes made anyway (telemetry)
                    row = w_in[word]  # 1-D row views: loops over k vectorize without index arithmetic
                    for k in range(dim):
                        hidden[k] = row[k]
                        grad_hidden[k] = 0.0
                        squares += hidden[k] * hidden[k]
                    n_pending = _predict(hidden, center, w_out, loss_kind, negatives, 0, points, codes,
                                         code_lengths, grad_hidden, dense_coefs, pending_rows, pending_coefs, 0,
                                         stats, alpha)  # a Huffman path has no repeated node: fused is exact
                    _apply_outputs(hidden, w_out, alpha, pending_rows, pending_coefs, n_pending, dense_coefs,
                                   loss_kind, telemetry, sums, True, math.sqrt(squares))
                    norm = _step_input(row, grad_hidden, np.float32(alpha))
                    if telemetry:
                        _record_input(sums, word, norm)
                stats[STAT_PAIRS] += n_context
            elif model_kind == SKIPGRAM:
                squares = np.float32(0.0)
                row = w_in[center]
                for k in range(dim):
                    hidden[k] = row[k]
                    squares += hidden[k] * hidden[k]
                hidden_norm = math.sqrt(squares)
                per_pair = 0 if shared_draws > 0 else negative
                for j in range(n_context):
                    n_pending = _predict(hidden, context[j], w_out, loss_kind, negatives[j * per_pair:],
                                         per_pair, points, codes, code_lengths, grad_hidden, dense_coefs,
                                         pending_rows, pending_coefs, n_pending, stats, 0.0)
                if loss_kind == NEGATIVE and shared_draws > 0:
                    weight = n_context * negative / shared_draws  # each pair's K noise terms, averaged
                    for k in range(shared_draws):  # over the shared draws: computed once per window
                        score = _dot(hidden, w_out[negatives[k]])
                        sigma, loss = _logistic(score)
                        stats[STAT_NEGATIVE] += weight * (loss + score)
                        n_pending = _collect(hidden, w_out, negatives[k], weight * sigma,
                                             grad_hidden, pending_rows, pending_coefs, n_pending, 0.0)
                stats[STAT_PAIRS] += n_context
                _apply_outputs(hidden, w_out, alpha, pending_rows, pending_coefs, n_pending, dense_coefs,
                               loss_kind, telemetry, sums, False, hidden_norm)
                norm = _step_input(row, grad_hidden, np.float32(alpha))
                if telemetry:
                    _record_input(sums, center, norm)
            else:
                for k in range(dim):
                    hidden[k] = 0.0
                for c in range(n_context):
                    row = w_in[context[c]]
                    for k in range(dim):
                        hidden[k] += row[k]
                inverse = np.float32(1.0 / n_context)
                squares = np.float32(0.0)
                for k in range(dim):
                    hidden[k] *= inverse
                    squares += hidden[k] * hidden[k]
                hidden_norm = math.sqrt(squares)
                # one pass per output row when no row repeats (Huffman paths never do)
                fused = loss_kind == HIERARCHICAL or (loss_kind == NEGATIVE and _distinct(center, negatives,
                                                                                            n_drawn))
                n_pending = _predict(hidden, center, w_out, loss_kind, negatives, n_drawn, points, codes,
                                     code_lengths, grad_hidden, dense_coefs, pending_rows, pending_coefs,
                                     n_pending, stats, alpha if fused else 0.0)
                stats[STAT_PAIRS] += 1
                _apply_outputs(hidden, w_out, alpha, pending_rows, pending_coefs, n_pending, dense_coefs,
                               loss_kind, telemetry, sums, fused, hidden_norm)
                step = np.float32(alpha if cbow_full_step else alpha / n_context)
                norm = _step_input(w_in[context[0]], grad_hidden, step)
                for c in range(1, n_context):
                    row = w_in[context[c]]
                    for k in range(dim):
                        row[k] -= step * grad_hidden[k]
                if telemetry:  # the norm of the step direction each context vector took
                    norm *= 1.0 if cbow_full_step else 1.0 / n_context
                    for c in range(n_context):
                        _record_input(sums, context[c], norm)
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
