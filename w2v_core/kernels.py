"""Compiled training kernels (numba, ``nogil=True, cache=True``): one per model × loss.

``train_chunk`` trains one chunk of sentences with plain SGD (Hogwild when several threads call it on shared
weights), taking the steps of docs/derivation.md, section 4. Skip-gram with shared negatives (the default) lets
every context word predict the centre against one set of K noise words per window (Intel's pWord2Vec).
Skip-gram with shared negatives, per-pair negatives or full softmax, and CBOW, take one step per window with the
gradients of the whole window at the same weights, those of the reference losses in ``models``, except that every
CBOW context vector takes the C tool's full ∂J/∂h (C times its gradient) unless ``cbow_full_step`` is off.
Skip-gram with hierarchical softmax has each context word predict the centre's path as the C tool does, one step per
pair in turn, each pair seeing the inner nodes the pair before moved. With several threads, each may step its own
copies of the output rows all threads write most (``HotRows``: the top of the Huffman tree, the most frequent
words), folding its steps into the shared rows every ``Settings.fold_every`` windows (docs/derivation.md, section
4). ``tests/test_kernels.py`` replays chunks with the reference losses. Every term's σ and -log σ are exact (no
lookup table, no clipping at ±6), computed in float32 from the float32 score; the loss is summed in float64.
Negative sampling and hierarchical softmax may tally the loss of one window in ``Settings.loss_every``, drawn at
random, weighted by loss_every: an unbiased estimate that spares a log per term of the other windows (their steps
are the same).

Where one output row takes several terms of a step (a noise word drawn twice, a noise word that is also a context
word), their coefficients are summed first and the row is read and written once: ``grad_hidden += c · u`` and
``u -= alpha · c · hidden`` in one pass (``_Rows``). That is the same step as the reference's, in about a third of
the memory traffic of scoring, accumulating and updating each term apart.

The arrays travel in named tuples:
  ``Text``: ids (N,) int32 and starts (S+1,) int64, the encoded corpus; keep (V,) float32 subsampling
  keep-probabilities.
  ``Weights``: w_in (V, d) float32 input vectors; w_out (V + copies, d) float32 output vectors (softmax, negative
  sampling) or inner-node vectors (V-1 + copies, d) (hierarchical softmax), followed by the threads' copies of
  their hot rows; hot, this thread's ``HotRows``.
  ``Noise``: the noise distribution as an alias table, prob (V,) float32 and alias (V,) int32.
  ``Tree``: Huffman paths, points (V, L) int32, codes (V, L) uint8, lengths (V,) int32.
  ``Tallies``: stats (STATS_SIZE,) float64, added to: words, training examples, positive-part loss (all the
  loss but negative sampling's noise terms), negative-part loss, stopped flag; sums (V, 4) float32, added to:
  per word, the sums of the L2 norms of the gradients applied to its input and output vector and the counts of
  those updates (columns IN_NORM, OUT_NORM, IN_COUNT, OUT_COUNT; one cache line per update; the output columns
  stay 0 for hierarchical softmax, whose inner nodes are not words; skipped when ``Settings.telemetry`` is
  False); control (1,) int32, set to 1 by another thread to stop at the next word.
  ``Trace``: context (T, 2·window), center (T,), negatives (T, 2·window·K) int32: the first T windows (context
  words, centre word, drawn negatives; -1 = none), for tests and the gradient lab.
  ``Settings``: model, loss, window, negative, shared_draws, cbow_full_step, telemetry, loss_every,
  fold_every.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

SKIPGRAM, CBOW = 0, 1
NEGATIVE, HIERARCHICAL, SOFTMAX = 0, 1, 2
STAT_WORDS, STAT_PAIRS, STAT_POSITIVE, STAT_NEGATIVE, STAT_STOPPED = range(5)
STATS_SIZE = 5
IN_NORM, OUT_NORM, IN_COUNT, OUT_COUNT = range(4)  # columns of the telemetry sums

_MULTIPLIER = np.uint64(25214903917)
_INCREMENT = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53

_JIT = {"nogil": True, "cache": True, "fastmath": True, "error_model": "numpy"}  # x/0 -> inf, caught as divergence


class Text(NamedTuple):
    ids: np.ndarray
    starts: np.ndarray
    keep: np.ndarray


class HotRows(NamedTuple):
    """A thread's own copies of the H output rows every thread writes most, the shared rows [first, first + H):
    they are the rows [at, at + H) of ``Weights.w_out``, below the shared ones; base (H, d) float32 holds the
    shared rows as they were at the last fold."""

    base: np.ndarray
    first: int
    at: int


class Weights(NamedTuple):
    w_in: np.ndarray
    w_out: np.ndarray
    hot: HotRows


class Noise(NamedTuple):
    prob: np.ndarray
    alias: np.ndarray


class Tree(NamedTuple):
    points: np.ndarray
    codes: np.ndarray
    lengths: np.ndarray


class Tallies(NamedTuple):
    stats: np.ndarray
    sums: np.ndarray
    control: np.ndarray


class Trace(NamedTuple):
    context: np.ndarray
    center: np.ndarray
    negatives: np.ndarray


class Settings(NamedTuple):
    model: int
    loss: int
    window: int
    negative: int
    shared_draws: int  # skip-gram + negative: K noise words shared by the window's pairs (0: K per pair)
    cbow_full_step: bool  # CBOW: every context vector takes the full ∂J/∂h step (C tool)
    telemetry: bool
    loss_every: int  # tally the loss of one window in this many, at random, × this (1: all; not softmax)
    fold_every: int  # windows between folds of the thread's hot rows into the shared ones (``Weights.hot``)


class _Rows(NamedTuple):
    """One window's distinct output rows (R,): words, where each is in ``Weights.w_out`` (the thread's copy of a hot
    row, or the shared row), scores u·h, σ(score), -log σ(score), summed coefficients."""

    words: np.ndarray
    at: np.ndarray
    scores: np.ndarray
    sigmas: np.ndarray
    losses: np.ndarray
    coefs: np.ndarray


class _Scratch(NamedTuple):
    """Per-chunk scratch: the kept words of a sentence, a window's context words, its centre (targets[0], for CBOW),
    noise draws, the slot of every term in ``rows``, a hidden vector and its gradient (d,) and the window's rows."""

    sentence: np.ndarray
    context: np.ndarray
    targets: np.ndarray
    negatives: np.ndarray
    slots: np.ndarray
    hidden: np.ndarray
    grad: np.ndarray
    grads: np.ndarray
    coefs: np.ndarray
    rows: _Rows


# ----- random numbers (one 64-bit LCG state per job, as the C tool) --------------------------------------------------
@numba.njit(inline="always")
def _next(state):
    return state * _MULTIPLIER + _INCREMENT


@numba.njit(inline="always")
def _unit(state):
    return float(state >> np.uint64(11)) * _TO_UNIT


@numba.njit(inline="always")
def _below(state, n):
    """A draw in [0, n) from the state's high 32 bits (multiply-shift, no division)."""
    return np.int64(((state >> np.uint64(32)) * np.uint64(n)) >> np.uint64(32))


@numba.njit(inline="always")
def _draw(state, noise):
    """One draw from the noise distribution (alias method); returns (word, state)."""
    state = _next(state)
    slot = _below(state, noise.prob.shape[0])
    state = _next(state)
    word = slot if _unit(state) < noise.prob[slot] else np.int64(noise.alias[slot])
    return word, state


# ----- memory hints -------------------------------------------------------------------------------------------------
@intrinsic
def _prefetch(typingctx, vector, at):  # noqa: ARG001 - numba's intrinsic signature
    """Ask the CPU to start loading the cache line of vector[at] (LLVM's prefetch: read, all cache levels); it
    does not wait for it, and an address never used costs one instruction."""

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        array_type = signature.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        index = [context.cast(builder, value, kind, types.intp)
                 for value, kind in zip(args[1:], signature.args[1:], strict=True)]
        pointer = cgutils.get_item_pointer(context, builder, array_type, array, index)
        byte_pointer, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        function = builder.module.declare_intrinsic(
            "llvm.prefetch", [byte_pointer], ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]))
        builder.call(function, [builder.bitcast(pointer, byte_pointer), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(vector, at), codegen


@numba.njit(inline="always")
def _prefetch_row(row):
    """Start loading every cache line (16 float32) of a row (d,)."""
    for at in range(0, row.shape[0], 16):
        _prefetch(row, at)


# ----- output rows: shared, or this thread's copy of a hot one ----------------------------------------------------
@numba.njit(inline="always")
def _out_index(hot, row):
    """Where output row ``row`` is in ``Weights.w_out`` for this thread: its own copy if the row is hot."""
    k = row - hot.first
    return hot.at + k if k >= 0 and k < hot.base.shape[0] else row


@numba.njit(inline="always")
def _out(weights, row):
    """Output row ``row`` (d,) as this thread reads and steps it: its own copy if the row is hot, else the shared.
    (One matrix either way: a view of one of two arrays would cost numba a reference count per row.)"""
    return weights.w_out[_out_index(weights.hot, row)]


@numba.njit(inline="always")
def _fold(weights):
    """Add the steps this thread took on its hot rows since the last fold to the shared rows, and take the shared
    rows (with the other threads' steps) as its copies again."""
    hot = weights.hot
    for k in range(hot.base.shape[0]):
        shared, mine, base = weights.w_out[hot.first + k], weights.w_out[hot.at + k], hot.base[k]
        for i in range(shared.shape[0]):
            value = shared[i] + (mine[i] - base[i])
            shared[i] = value
            mine[i] = value
            base[i] = value


@numba.njit(inline="always")
def _take_hot(weights):
    """Start a job: copy the shared hot rows."""
    hot = weights.hot
    for k in range(hot.base.shape[0]):
        _copy(weights.w_out[hot.at + k], weights.w_out[hot.first + k])
        _copy(hot.base[k], weights.w_out[hot.first + k])


# ----- the math of one term ------------------------------------------------------------------------------------------
@numba.njit(inline="always")
def _logistic(x):
    """(σ(x), -log σ(x)) from one exp and one log, stable for any x; -log σ(-x) is then -log σ(x) + x.

    x is a float32 score, so both are evaluated in float32 (log(1 + e) rather than log1p: it drops terms below
    6e-8, under float32 resolution of the loss); callers sum them in float64.
    """
    e = math.exp(-abs(x))
    one_plus = np.float32(1.0) + e
    if x >= 0:
        return 1.0 / one_plus, math.log(one_plus)
    return e / one_plus, math.log(one_plus) - x


@numba.njit(inline="always")
def _sigmoid(x):
    """σ(x) from one exp, stable for any x (float32 score)."""
    e = math.exp(-abs(x))
    one_plus = np.float32(1.0) + e
    return 1.0 / one_plus if x >= 0 else e / one_plus


@numba.njit(inline="always")
def _dot(a, b):
    total = np.float32(0.0)
    for i in range(a.shape[0]):
        total += a[i] * b[i]
    return total


@numba.njit(inline="always")
def _step_input(row, grad, step):
    """row -= step · grad for an input vector row (d,); returns ‖grad‖ (telemetry), folded into the same pass."""
    squares = np.float32(0.0)
    for k in range(row.shape[0]):
        row[k] -= step * grad[k]
        squares += grad[k] * grad[k]
    return math.sqrt(squares)


@numba.njit(inline="always")
def _record(sums, word, column, norm):
    """Telemetry: one update of ``word``'s input (IN_NORM) or output (OUT_NORM) vector with gradient norm ``norm``."""
    sums[word, column] += norm
    sums[word, column + 2] += 1.0


@numba.njit(inline="always")
def _zero(a):
    for i in range(a.shape[0]):
        a[i] = 0.0


@numba.njit(inline="always")
def _copy(target, source):
    for i in range(target.shape[0]):
        target[i] = source[i]


# ----- a window's output rows, read and written once ----------------------------------------------------------------
@numba.njit(inline="always")
def _add_row(rows, n_rows, word, hot):
    """The slot of ``word`` among the window's distinct output rows, added if new; returns (slot, n_rows).
    A linear search: a window has a few dozen rows at most, all in L1."""
    for slot in range(n_rows):
        if rows.words[slot] == word:
            return slot, n_rows
    rows.words[n_rows] = word
    rows.at[n_rows] = _out_index(hot, word)
    rows.coefs[n_rows] = 0.0
    return n_rows, n_rows + 1


@numba.njit(inline="always")
def _score_rows(rows, n_rows, weights, hidden, sums, telemetry, with_loss):
    """Score u·h, σ and (with_loss) -log σ of every distinct row at the current weights."""
    if telemetry:
        for r in range(n_rows):  # its telemetry line is written after the step: start loading it now
            _prefetch(sums[rows.words[r]], 0)
    for r in range(n_rows):  # the dot products first: independent, the CPU overlaps them
        rows.scores[r] = _dot(hidden, weights.w_out[rows.at[r]])
    if with_loss:
        for r in range(n_rows):
            rows.sigmas[r], rows.losses[r] = _logistic(rows.scores[r])
    else:
        for r in range(n_rows):
            rows.sigmas[r] = _sigmoid(rows.scores[r])


@numba.njit(inline="always")
def _apply_rows(rows, n_rows, weights, hidden, grad, alpha, sums, telemetry):
    """grad += c · u and u -= alpha · c · hidden for every distinct row u with summed coefficient c, in one pass
    (every coefficient was computed before any row moved). Telemetry: ‖∂J/∂u‖ = |c| · ‖h‖."""
    hidden_norm = math.sqrt(_dot(hidden, hidden)) if telemetry else 0.0
    for r in range(n_rows):
        word = rows.words[r]
        row = weights.w_out[rows.at[r]]
        coef = np.float32(rows.coefs[r])
        step = np.float32(alpha * rows.coefs[r])
        for i in range(hidden.shape[0]):
            grad[i] += coef * row[i]
            row[i] -= step * hidden[i]
        if telemetry:
            _record(sums, word, OUT_NORM, abs(rows.coefs[r]) * hidden_norm)


@numba.njit(inline="always")
def _negative_step(hidden, positives, n_positive, scratch, n_noise, weight, weights, alpha, tallies, telemetry,
                   loss_weight):
    """Negative sampling from ``hidden`` (d,): J = Σ_p -log σ(u_p·h) + weight · Σ_k -log σ(-u_k·h) over the
    positive words positives[:n_positive] and the noise words scratch.negatives[:n_noise]. Leaves ∂J/∂h in
    scratch.grad and steps the output rows; adds loss_weight × the loss to the tallies (no log when it is 0)."""
    rows, slots = scratch.rows, scratch.slots
    n_rows = 0
    for p in range(n_positive):
        slots[p], n_rows = _add_row(rows, n_rows, positives[p], weights.hot)
    for k in range(n_noise):
        slots[n_positive + k], n_rows = _add_row(rows, n_rows, scratch.negatives[k], weights.hot)
    _score_rows(rows, n_rows, weights, hidden, tallies.sums, telemetry, loss_weight > 0)
    positive = 0.0
    for p in range(n_positive):
        r = slots[p]
        rows.coefs[r] += rows.sigmas[r] - 1.0
        positive += rows.losses[r]
    negative = 0.0
    for k in range(n_noise):
        r = slots[n_positive + k]
        rows.coefs[r] += weight * rows.sigmas[r]
        negative += weight * (rows.losses[r] + rows.scores[r])  # -log σ(-x) = -log σ(x) + x
    _zero(scratch.grad)
    _apply_rows(rows, n_rows, weights, hidden, scratch.grad, alpha, tallies.sums, telemetry)
    if loss_weight > 0:
        tallies.stats[STAT_POSITIVE] += loss_weight * positive
        tallies.stats[STAT_NEGATIVE] += loss_weight * negative


@numba.njit(inline="always")
def _node_term(score, code, with_loss):
    """A Huffman node's coefficient σ(s) - (1 - b) and, with_loss, its loss -log σ((1 - 2b) s) (else 0, no log)."""
    if with_loss:
        sigma, loss = _logistic(score)
        return sigma - (1.0 - code), loss if code == 0 else loss + score  # label 1 - code
    return _sigmoid(score) - (1.0 - code), 0.0


@numba.njit(inline="always")
def _path_step(hidden, grad, center, weights, tree, alpha, tallies, loss_weight, coefs):
    """Hierarchical softmax from ``hidden`` (d,) along the centre's Huffman path: grad += ∂J/∂h, nodes stepped,
    loss_weight × the loss added to the tallies (its log skipped when the weight is 0). No node repeats, so every
    node is scored first (independent dot products the CPU overlaps), its coefficient kept in coefs (L,) float32,
    then each node is read and written once. Inner nodes are not words: not in the per-word telemetry."""
    length = tree.lengths[center]
    for j in range(length):
        coefs[j] = _dot(hidden, _out(weights, tree.points[center, j]))
    loss_sum = 0.0
    for j in range(length):
        coef, loss = _node_term(coefs[j], tree.codes[center, j], loss_weight > 0)
        coefs[j] = coef
        loss_sum += loss
    for j in range(length):
        row = _out(weights, tree.points[center, j])
        coef = coefs[j]
        step = np.float32(alpha) * coef
        for i in range(hidden.shape[0]):
            grad[i] += coef * row[i]
            row[i] -= step * hidden[i]
    tallies.stats[STAT_POSITIVE] += loss_weight * loss_sum


@numba.njit(**_JIT)
def _softmax_step(hidden, grad, target, w_out, alpha, tallies, telemetry, coefs):
    """Full softmax from ``hidden`` (d,): grad += ∂J/∂h and the softmax coefficients ŷ - y added to coefs (V,)
    (output rows are stepped by ``_apply_dense`` once the window's coefficients are all known)."""
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
    tallies.stats[STAT_POSITIVE] += log_normalizer - scores[target]
    for w in range(n_out):
        coef = math.exp(scores[w] - log_normalizer) - (1.0 if w == target else 0.0)
        coefs[w] += coef
        c32 = np.float32(coef)
        row = w_out[w]
        for i in range(hidden.shape[0]):
            grad[i] += c32 * row[i]


@numba.njit(**_JIT)
def _apply_dense(coefs, w_out, hidden, alpha, sums, telemetry):
    """u_w -= alpha · coefs[w] · hidden for every word (full softmax), then clears coefs."""
    hidden_norm = math.sqrt(_dot(hidden, hidden))
    for w in range(w_out.shape[0]):
        step = np.float32(alpha * coefs[w])
        row = w_out[w]
        for i in range(hidden.shape[0]):
            row[i] -= step * hidden[i]
        if telemetry:
            _record(sums, w, OUT_NORM, abs(coefs[w]) * hidden_norm)
        coefs[w] = 0.0


# ----- one window per model × loss ------------------------------------------------------------------------------------
@numba.njit(inline="always")
def _skipgram_negative(center, n_context, scratch, n_noise, weights, settings, alpha, tallies, loss_weight):
    """v_c predicts every context word against K noise words of its own: the step of ``models.skipgram_loss``."""
    v = weights.w_in[center]
    hidden = scratch.hidden
    _copy(hidden, v)  # the step moves v_c: its loss and gradients are taken at the copy
    _negative_step(hidden, scratch.context, n_context, scratch, n_noise, 1.0, weights, alpha, tallies,
                   settings.telemetry, loss_weight)
    norm = _step_input(v, scratch.grad, np.float32(alpha))
    if settings.telemetry:
        _record(tallies.sums, center, IN_NORM, norm)


@numba.njit(inline="always")
def _shared_coef(noise_terms, sigma, r):
    """C_jr = ∂J/∂(u_r·v_j): noise_terms · σ for row r, plus σ - 1 for the centre (row 0)."""
    return noise_terms * sigma + (sigma - 1.0 if r == 0 else 0.0)


@numba.njit(inline="always")
def _skipgram_negative_shared(center, n_context, scratch, n_noise, weights, settings, alpha, tallies, loss_weight):
    """Every context vector v_j predicts the centre against the window's K noise words, all at the same weights
    (Intel's pWord2Vec), the step of ``models.skipgram_context_negatives_loss``:
    J = Σ_j [-log σ(u_c·v_j) - Σ_k log σ(-u_k·v_j)]. The window's m inputs and 1 + K outputs are read once: an
    m × (1 + K) block of scores C, then ∂J/∂v_j = Σ_r C_jr u_r and ∂J/∂u_r = Σ_j C_jr v_j."""
    w_in, w_out = weights.w_in, weights.w_out
    rows, slots, grads, coefs, combined = scratch.rows, scratch.slots, scratch.grads, scratch.coefs, scratch.grad
    dim = combined.shape[0]
    telemetry = settings.telemetry
    n_rows = 1
    rows.words[0] = center
    rows.at[0] = _out_index(weights.hot, center)
    rows.coefs[0] = 0.0  # here: how many noise terms each row stands for
    for k in range(n_noise):
        slots[k], n_rows = _add_row(rows, n_rows, scratch.negatives[k], weights.hot)
        rows.coefs[slots[k]] += 1.0
    for j in range(n_context):  # the scores first: independent dot products, which the CPU overlaps
        v = w_in[scratch.context[j]]
        for r in range(n_rows):
            coefs[j, r] = _dot(v, w_out[rows.at[r]])
    if loss_weight > 0:  # σ and the loss from one exp and one log; the other windows skip the log
        positive = negative = 0.0
        for j in range(n_context):
            for r in range(n_rows):
                score = np.float32(coefs[j, r])
                sigma, loss = _logistic(score)
                negative += rows.coefs[r] * (loss + score)
                positive += loss if r == 0 else 0.0
                coefs[j, r] = _shared_coef(rows.coefs[r], sigma, r)
        tallies.stats[STAT_POSITIVE] += loss_weight * positive
        tallies.stats[STAT_NEGATIVE] += loss_weight * negative
    else:
        for j in range(n_context):
            for r in range(n_rows):
                coefs[j, r] = _shared_coef(rows.coefs[r], _sigmoid(np.float32(coefs[j, r])), r)
    step = np.float32(alpha)
    for j in range(n_context):
        _zero(grads[j])
    for r in range(n_rows):  # ∂J/∂v_j += C_jr u_r and ∂J/∂u_r = Σ_j C_jr v_j, both before any step
        row = w_out[rows.at[r]]
        _zero(combined)
        for j in range(n_context):
            coef = np.float32(coefs[j, r])
            v = w_in[scratch.context[j]]
            grad_j = grads[j]
            for i in range(dim):
                grad_j[i] += coef * row[i]
                combined[i] += coef * v[i]
        norm = _step_input(row, combined, step)
        if telemetry:
            _record(tallies.sums, rows.words[r], OUT_NORM, norm)
    for j in range(n_context):
        word = scratch.context[j]
        norm = _step_input(w_in[word], grads[j], step)
        if telemetry:
            _record(tallies.sums, word, IN_NORM, norm)


@numba.njit(inline="always")
def _cbow_hidden(scratch, n_context, w_in, settings, sums):
    """h = the mean of the context vectors, into scratch.hidden."""
    hidden = scratch.hidden
    _zero(hidden)
    for c in range(n_context):
        row = w_in[scratch.context[c]]
        if settings.telemetry:  # its telemetry line is written after the step: load it while the rows arrive
            hidden[0] += np.float32(0.0) * sums[scratch.context[c], 0]
        for k in range(hidden.shape[0]):
            hidden[k] += row[k]
    inverse = np.float32(1.0 / n_context)
    for k in range(hidden.shape[0]):
        hidden[k] *= inverse


@numba.njit(inline="always")
def _cbow_step_inputs(scratch, n_context, w_in, settings, alpha, tallies):
    """Every context vector moves by alpha · ∂J/∂h (C tool) or alpha/C · ∂J/∂h (the true gradient)."""
    grad = scratch.grad
    step = np.float32(alpha if settings.cbow_full_step else alpha / n_context)
    norm = _step_input(w_in[scratch.context[0]], grad, step)
    for c in range(1, n_context):
        row = w_in[scratch.context[c]]
        for k in range(grad.shape[0]):
            row[k] -= step * grad[k]
    if settings.telemetry:  # the norm of the step direction each context vector took
        norm *= 1.0 if settings.cbow_full_step else 1.0 / n_context
        for c in range(n_context):
            _record(tallies.sums, scratch.context[c], IN_NORM, norm)


@numba.njit(inline="always")
def _cbow_negative(center, n_context, scratch, n_noise, weights, settings, alpha, tallies, loss_weight):
    """The mean context vector predicts the centre against K noise words: the step of ``models.cbow_loss``."""
    _cbow_hidden(scratch, n_context, weights.w_in, settings, tallies.sums)
    scratch.targets[0] = center
    _negative_step(scratch.hidden, scratch.targets, 1, scratch, n_noise, 1.0, weights, alpha, tallies,
                   settings.telemetry, loss_weight)
    _cbow_step_inputs(scratch, n_context, weights.w_in, settings, alpha, tallies)


@numba.njit(inline="always")
def _cbow_hierarchical(center, n_context, scratch, weights, tree, settings, alpha, tallies, loss_weight):
    """The mean context vector predicts the centre's Huffman path: the step of ``models.cbow_loss``."""
    _cbow_hidden(scratch, n_context, weights.w_in, settings, tallies.sums)
    _zero(scratch.grad)
    _path_step(scratch.hidden, scratch.grad, center, weights, tree, alpha, tallies, loss_weight,
               scratch.rows.sigmas)
    _cbow_step_inputs(scratch, n_context, weights.w_in, settings, alpha, tallies)


@numba.njit(inline="always")
def _skipgram_hierarchical_pairs(center, n_context, scratch, weights, tree, settings, alpha, tallies,
                                 loss_weight):
    """As the C tool: each context vector predicts the centre's Huffman path, one SGD step per pair."""
    for j in range(n_context):
        word = scratch.context[j]
        v = weights.w_in[word]
        _zero(scratch.grad)
        _path_step(v, scratch.grad, center, weights, tree, alpha, tallies, loss_weight, scratch.rows.sigmas)
        norm = _step_input(v, scratch.grad, np.float32(alpha))
        if settings.telemetry:
            _record(tallies.sums, word, IN_NORM, norm)


@numba.njit(inline="always")
def _skipgram_softmax(center, n_context, scratch, weights, settings, alpha, tallies, dense):
    """v_c predicts every context word with full softmax: the step of ``models.skipgram_loss``."""
    v = weights.w_in[center]
    hidden = scratch.hidden
    _copy(hidden, v)  # the step moves v_c: its loss and gradients are taken at the copy
    _zero(scratch.grad)
    for j in range(n_context):
        _softmax_step(hidden, scratch.grad, scratch.context[j], weights.w_out, alpha, tallies, settings.telemetry,
                      dense)
    _apply_dense(dense, weights.w_out, hidden, alpha, tallies.sums, settings.telemetry)
    norm = _step_input(v, scratch.grad, np.float32(alpha))
    if settings.telemetry:
        _record(tallies.sums, center, IN_NORM, norm)


@numba.njit(inline="always")
def _cbow_softmax(center, n_context, scratch, weights, settings, alpha, tallies, dense):
    """The mean context vector predicts the centre with full softmax: the step of ``models.cbow_loss``."""
    _cbow_hidden(scratch, n_context, weights.w_in, settings, tallies.sums)
    _zero(scratch.grad)
    _softmax_step(scratch.hidden, scratch.grad, center, weights.w_out, alpha, tallies, settings.telemetry, dense)
    _apply_dense(dense, weights.w_out, scratch.hidden, alpha, tallies.sums, settings.telemetry)
    _cbow_step_inputs(scratch, n_context, weights.w_in, settings, alpha, tallies)


@numba.njit(inline="always")
def _train_window(center, n_context, scratch, n_noise, weights, tree, settings, alpha, tallies, loss_weight, dense):
    """One window's step: the kernel of its model × loss."""
    skipgram = settings.model == SKIPGRAM
    if skipgram and settings.loss == NEGATIVE and settings.shared_draws > 0:
        _skipgram_negative_shared(center, n_context, scratch, n_noise, weights, settings, alpha, tallies,
                                  loss_weight)
    elif skipgram and settings.loss == NEGATIVE:
        _skipgram_negative(center, n_context, scratch, n_noise, weights, settings, alpha, tallies, loss_weight)
    elif skipgram and settings.loss == HIERARCHICAL:
        _skipgram_hierarchical_pairs(center, n_context, scratch, weights, tree, settings, alpha, tallies, loss_weight)
    elif skipgram:
        _skipgram_softmax(center, n_context, scratch, weights, settings, alpha, tallies, dense)
    elif settings.loss == NEGATIVE:
        _cbow_negative(center, n_context, scratch, n_noise, weights, settings, alpha, tallies, loss_weight)
    elif settings.loss == HIERARCHICAL:
        _cbow_hierarchical(center, n_context, scratch, weights, tree, settings, alpha, tallies, loss_weight)
    else:
        _cbow_softmax(center, n_context, scratch, weights, settings, alpha, tallies, dense)


# ----- the chunk -----------------------------------------------------------------------------------------------------
@numba.njit(inline="always")
def _subsample(text, begin, end, sentence, state):
    """Copy the kept words of ids[begin:end] into ``sentence``; returns (length, state)."""
    length = 0
    for p in range(begin, end):
        word = text.ids[p]
        keep = text.keep[word]
        if keep < 1.0:
            state = _next(state)
            if _unit(state) >= keep:
                continue
        sentence[length] = word
        length += 1
    return length, state


@numba.njit(inline="always")
def _prefetch_ahead(sentence, i, length, weights, tree, settings):
    """Start loading the rows the next window will need from memory: the word that may enter its context and the
    next centre's output row (its input row for skip-gram with the C tool's per-pair negatives, where the centre
    predicts its context) or the inner nodes of its path (hierarchical softmax)."""
    if settings.loss == SOFTMAX:
        return
    centre_predicts = settings.model == SKIPGRAM and settings.loss == NEGATIVE and settings.shared_draws == 0
    if i + 1 + settings.window < length:
        entering = sentence[i + 1 + settings.window]
        _prefetch_row(_out(weights, entering) if centre_predicts else weights.w_in[entering])
    if i + 1 < length:
        centre = sentence[i + 1]
        if settings.loss == HIERARCHICAL:
            for j in range(tree.lengths[centre]):
                _prefetch_row(_out(weights, tree.points[centre, j]))
        else:
            _prefetch_row(weights.w_in[centre] if centre_predicts else _out(weights, centre))


@numba.njit(inline="always")
def _noise_count(settings, n_context):
    """Noise words drawn for a window: K (CBOW), S shared (skip-gram) or K per pair (skip-gram, C tool)."""
    if settings.loss != NEGATIVE:
        return 0
    if settings.model == CBOW:
        return settings.negative
    return settings.shared_draws if settings.shared_draws > 0 else settings.negative * n_context


def _scratch(settings: Settings, longest: int, dim: int, path: int) -> _Scratch:
    width = 2 * settings.window
    draws = max(width * settings.negative, settings.shared_draws) + 1
    terms = max(width + draws + 1, path)  # a window's output rows, or the nodes of a Huffman path
    rows = _Rows(np.empty(terms, np.int64), np.empty(terms, np.int64), np.empty(terms, np.float32),
                 np.empty(terms, np.float32), np.empty(terms, np.float32), np.empty(terms, np.float64))
    return _Scratch(np.empty(longest, np.int32), np.empty(width, np.int64), np.empty(1, np.int64),
                    np.empty(draws, np.int64), np.empty(terms, np.int64), np.empty(dim, np.float32),
                    np.empty(dim, np.float32), np.empty((width, dim), np.float32),
                    np.empty((width, terms), np.float64), rows)


_scratch_jit = numba.njit(cache=True)(_scratch)


@numba.njit(**_JIT)
def train_chunk(text, s_begin, s_end, weights, noise, tree, settings, alpha_begin, alpha_end, seed, tallies,
                trace):
    """Train sentences [s_begin, s_end) once: one SGD step per centre word and window (per pair for hierarchical
    skip-gram, as the C tool). The learning rate falls linearly from alpha_begin to alpha_end; ``seed``
    is the job's random state (subsampling, window sizes, noise draws)."""
    state = np.uint64(seed)
    loss_state = state ^ np.uint64(0x9E3779B97F4A7C15)
    stats = tallies.stats
    chunk_words = text.starts[s_end] - text.starts[s_begin]
    longest = 0
    for s in range(s_begin, s_end):
        longest = max(longest, text.starts[s + 1] - text.starts[s])
    scratch = _scratch_jit(settings, longest, weights.w_in.shape[1], tree.points.shape[1])
    dense = np.zeros(weights.w_out.shape[0] if settings.loss == SOFTMAX else 1, dtype=np.float64)
    traced = 0
    words_done = 0
    windows = 0
    _take_hot(weights)
    for s in range(s_begin, s_end):
        alpha = alpha_begin + (alpha_end - alpha_begin) * (words_done / max(chunk_words, 1))
        length, state = _subsample(text, text.starts[s], text.starts[s + 1], scratch.sentence, state)
        words_done += text.starts[s + 1] - text.starts[s]
        for i in range(length):
            if tallies.control[0] != 0:
                _fold(weights)
                stats[STAT_STOPPED] = 1.0
                stats[STAT_WORDS] += words_done
                return
            state = _next(state)
            reduced = settings.window - _below(state, settings.window)
            n_context = 0
            for j in range(max(0, i - reduced), min(length, i + reduced + 1)):
                if j != i:
                    scratch.context[n_context] = scratch.sentence[j]
                    n_context += 1
            if n_context == 0:
                continue
            center = scratch.sentence[i]
            n_noise = _noise_count(settings, n_context)
            for k in range(n_noise):
                scratch.negatives[k], state = _draw(state, noise)
                _prefetch_row(_out(weights, scratch.negatives[k]))
            _prefetch_ahead(scratch.sentence, i, length, weights, tree, settings)
            loss_weight = 1
            if settings.loss != SOFTMAX and settings.loss_every > 1:  # a log per term is costly
                loss_state = _next(loss_state)  # a stream of its own: the steps stay those of loss_every=1
                loss_weight = settings.loss_every if _below(loss_state, settings.loss_every) == 0 else 0
            if traced < trace.center.shape[0]:
                trace.context[traced, :n_context] = scratch.context[:n_context]
                trace.center[traced] = center
                trace.negatives[traced, :n_noise] = scratch.negatives[:n_noise]
                traced += 1
            stats[STAT_PAIRS] += n_context if settings.model == SKIPGRAM else 1
            _train_window(center, n_context, scratch, n_noise, weights, tree, settings, alpha, tallies, loss_weight,
                          dense)
            windows += 1
            if windows == settings.fold_every:
                _fold(weights)
                windows = 0
    _fold(weights)
    stats[STAT_WORDS] += words_done


def alias_table(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias table for O(1) sampling from ``probabilities`` (V,): (prob (V,) float32, alias (V,) int32)."""
    n = len(probabilities)
    prob, alias = _walker(np.asarray(probabilities, dtype=np.float64) * n / np.sum(probabilities))
    return prob.astype(np.float32), alias


@numba.njit(inline="always")
def _push(stack, size, value):
    stack[size] = value
    return size + 1


@numba.njit(cache=True)
def _walker(scaled):
    """Walker's construction over ``scaled`` (V,) float64 (probabilities × V, consumed): each column below 1 is
    topped up from one above 1, the two taken from the ends of their stacks."""
    n = scaled.shape[0]
    prob = np.ones(n, dtype=np.float64)
    alias = np.arange(n).astype(np.int32)
    small, large = np.empty(n, np.int64), np.empty(n, np.int64)
    n_small = n_large = 0
    for i in range(n):
        if scaled[i] < 1.0:
            n_small = _push(small, n_small, i)
        else:
            n_large = _push(large, n_large, i)
    while n_small > 0 and n_large > 0:
        n_small -= 1
        n_large -= 1
        s, g = small[n_small], large[n_large]
        prob[s], alias[s] = scaled[s], g
        scaled[g] -= 1.0 - scaled[s]
        if scaled[g] < 1.0:
            n_small = _push(small, n_small, g)
        else:
            n_large = _push(large, n_large, g)
    return prob, alias
