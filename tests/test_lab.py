"""Gradient lab: the worked example matches the reference losses, the check catches wrong gradients, the SGD
step moves exactly the touched rows, and it stays fast for V=5000, d=100."""

import time

import numpy as np
import pytest

from w2v_core import models
from w2v_core.config import SHARED_DRAWS_PER_NEGATIVE
from w2v_core.gradcheck import TOLERANCE
from w2v_core.huffman import build_huffman_tree
from w2v_core.lab import GradientLab, LabError, draw_negatives, window_around
from w2v_core.lab_check import RestrictedLoss
from w2v_core.losses import sigmoid
from w2v_core.models import LOSSES, MODELS

COMBINATIONS = [(model, loss) for model in MODELS for loss in LOSSES]


def make_lab(n_words: int = 40, dim: int = 6, trained_loss: str = "negative", seed: int = 0) -> GradientLab:
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(n_words)]
    counts = np.sort(rng.integers(5, 500, n_words))[::-1]
    n_out = n_words - 1 if trained_loss == "hierarchical" else n_words
    return GradientLab.from_trained(words, counts, rng.normal(scale=0.5, size=(n_words, dim)),
                                    rng.normal(scale=0.5, size=(n_out, dim)), trained_loss, "test weights")


def test_window_around_takes_the_words_on_each_side():
    sentence = np.array([10, 11, 12, 13, 14, 15])
    assert window_around(sentence, 2, 2) == (12, [10, 11, 13, 14])
    assert window_around(sentence, 0, 3) == (10, [11, 12, 13])
    with pytest.raises(LabError, match="outside the line"):
        window_around(sentence, 6, 2)


def test_negatives_are_deterministic_and_follow_the_noise_distribution():
    noise = np.array([0.7, 0.2, 0.1, 0.0])
    first = draw_negatives(noise, 5, 3, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(first, draw_negatives(noise, 5, 3, seed=4), strict=True))
    assert len(first) == 3 and all(len(row) == 5 for row in first)
    many = np.concatenate(draw_negatives(noise, 1000, 4, seed=1))
    assert not (many == 3).any()
    assert np.bincount(many, minlength=4)[:3] / len(many) == pytest.approx(noise[:3], abs=0.02)


@pytest.mark.parametrize(("model", "loss"), COMBINATIONS)
def test_example_matches_the_reference_loss_and_passes_the_check(model, loss):
    lab = make_lab(trained_loss=loss)
    context = [3, 5, 5, 17]
    example = lab.example(model, loss, 9, context, negative=4, seed=2)
    w_out = lab.output_matrix(loss).astype(np.float64)
    w_in = lab.w_in.astype(np.float64)
    tree = build_huffman_tree(lab.counts) if loss == "hierarchical" else None
    if model == "skipgram" and loss == "negative":  # the lab's shared example: S = 4K negatives for the window
        assert len(example.shared) == 4 * SHARED_DRAWS_PER_NEGATIVE and not example.negatives
        value, grad_in, grad_out = models.skipgram_shared_negatives_loss(9, context, w_in, w_out, example.shared, 4)
        assert example.shared_weight == len(context) * 4 / len(example.shared)
    elif model == "skipgram" and loss == "hierarchical":  # the trainer's form: each context word predicts w9
        value, grad_in, grad_out = models.skipgram_context_loss(9, context, w_in, w_out, loss, tree)
        assert np.allclose(example.hidden, w_in[context]) and example.targets == [9] * 4
        assert list(example.in_rows) == [3, 5, 17] and example.predicts_centre
        assert np.allclose(example.grad_hidden[1] + example.grad_hidden[2], grad_in[5])  # w5 twice: both pairs
    elif model == "skipgram":
        value, grad_in, grad_out = models.skipgram_loss(9, context, w_in, w_out, loss, example.negatives or None, tree)
        assert np.allclose(example.hidden, w_in[9])
    else:
        value, grad_in, grad_out = models.cbow_loss(context, 9, w_in, w_out, loss,
                                             example.negatives[0] if example.negatives else None, tree)
        assert np.allclose(example.hidden, w_in[context].mean(axis=0))
        assert np.allclose(grad_in[3] * 4, example.grad_hidden)  # ∂J/∂v_a = (1/C) ∂J/∂h
    assert example.loss_value == pytest.approx(value)
    assert np.allclose(example.grad_input, grad_in[example.in_rows])
    assert np.allclose(example.grad_output, grad_out[example.out_rows])
    assert not np.delete(grad_out, example.out_rows, axis=0).any()  # nothing outside the touched rows
    assert example.check.passed and example.check.n_parameters > 0
    assert max(example.check.input_error, example.check.output_error) < TOLERANCE
    closure = RestrictedLoss(example, lab.w_in, lab.output_matrix(loss), lab.tree)
    assert closure.value() == pytest.approx(value, rel=1e-12)


def test_the_check_fails_for_a_wrong_gradient():
    lab = make_lab()
    example = lab.example("skipgram", "negative", 1, [2, 3], check=False)
    example.grad_input = example.grad_input * 1.01
    assert not lab._check(example, lab.output_matrix("negative")).passed
    example = lab.example("cbow", "softmax", 1, [2, 3], check=False)
    example.grad_output[1, 0] += 1e-3  # row 1 is the true word w1, always checked
    check = lab._check(example, lab.output_matrix("softmax"))
    assert check.output_error > TOLERANCE and not check.passed


def test_forward_tables_show_the_scores():
    lab = make_lab(trained_loss="negative")
    example = lab.example("skipgram", "negative", 4, [1, 2], negative=3, seed=7)
    table = example.forward
    shared = 3 * SHARED_DRAWS_PER_NEGATIVE  # one set for the window, each term weighted m K / S
    assert list(table["role"]) == ["true word"] * 2 + ["shared negative"] * shared
    assert (table["weight"][2:] == 2 * 3 / shared).all() and list(table["target"][2:]) == ["all"] * shared
    true_row = table[0]
    score = lab.output_matrix("negative")[1].astype(np.float64) @ example.hidden
    assert true_row["score"] == pytest.approx(score) and true_row["sigma"] == pytest.approx(sigmoid(score))
    assert table["noise_p"][2] == pytest.approx(lab.noise()[example.shared[0]])
    assert table["loss_term"].sum() == pytest.approx(example.loss_value)
    per_pair = lab.example("skipgram", "negative", 4, [1, 2], negative=3, seed=7, shared_negatives=False)
    assert len(per_pair.negatives) == 2 and per_pair.shared is None
    assert list(per_pair.forward["role"]) == ["true word", "negative", "negative", "negative"] * 2
    assert per_pair.forward["loss_term"].sum() == pytest.approx(per_pair.loss_value) and per_pair.check.passed
    unit_weight = lab.example("skipgram", "negative", 4, [1, 2, 3, 5], negative=5)  # m K / S = 4 · 5 / 20 = 1
    assert (unit_weight.forward["role"][4:] == "shared negative").all()

    hs = lab.example("cbow", "hierarchical", 4, [1, 2])
    path, codes = lab.tree.path(4)
    assert list(hs.forward["node"]) == list(path) and list(hs.forward["code"]) == list(codes)
    assert hs.forward["loss_term"].sum() == pytest.approx(hs.loss_value)
    assert list(hs.shown_rows) == list(path)
    pairs = lab.example("skipgram", "hierarchical", 4, [1, 2])  # the trainer's form: context words predict w4
    assert list(pairs.forward["node"]) == list(path) * 2
    assert list(pairs.forward["pair"]) == [1] * len(path) + [2] * len(path)
    assert list(pairs.forward["context_word"]) == ["w1"] * len(path) + ["w2"] * len(path)
    score = lab.output_matrix("hierarchical")[path[0]].astype(np.float64) @ lab.w_in[2]
    assert pairs.forward["score"][len(path)] == pytest.approx(score)  # pair 2 scores with h = v_{w2}
    assert pairs.forward["loss_term"].sum() == pytest.approx(pairs.loss_value) and list(pairs.shown_rows) == list(path)

    sm = lab.example("skipgram", "softmax", 4, [1, 2])
    assert sm.forward["loss_term"].sum() == pytest.approx(sm.loss_value)
    assert (np.diff(sm.top_softmax["y_hat"]) <= 0).all() and len(sm.out_rows) == 40  # monotonic decreasing
    assert {1, 2} <= set(sm.shown_rows.tolist())


def test_apply_step_moves_the_touched_rows_by_alpha_times_the_gradient():
    lab = make_lab()
    before_in, before_out = lab.w_in.copy(), lab.output_matrix("negative").copy()
    example = lab.example("skipgram", "negative", 6, [7, 8, 9], negative=2, seed=1)
    result = lab.apply_step(example, alpha=0.05)
    changed_in = np.flatnonzero(np.any(lab.w_in != before_in, axis=1))
    changed_out = np.flatnonzero(np.any(lab.output_matrix("negative") != before_out, axis=1))
    assert list(changed_in) == [6] and set(changed_out) == set(example.out_rows.tolist())
    moved = result.moved
    assert set(moved["row"][moved["vector"] == "input v_w"]) == {6}
    assert np.allclose(moved["moved_by"], 0.05 * moved["gradient_norm"], rtol=1e-4)
    assert result.loss_after < result.loss_before
    assert list(result.neighbours_before) == ["w6"] and len(result.neighbours_after["w6"]) == 8
    assert lab.version == 1
    again = lab.example("skipgram", "negative", 6, [7, 8, 9], negative=2, shared=example.shared)
    assert again.loss_value == pytest.approx(result.loss_after)  # the same draw, replayed
    cbow = lab.example("cbow", "negative", 6, [7, 8, 9], negative=2)
    before_in = lab.w_in.copy()
    full = lab.apply_step(cbow, alpha=0.05, cbow_full_step=True)  # the C tool's step: C times the gradient's
    assert full.input_scale == 3
    assert np.allclose(before_in[7] - lab.w_in[7], 0.05 * 3 * cbow.grad_input[0], atol=1e-6)
    with pytest.raises(LabError, match="compute it again"):
        lab.apply_step(cbow, alpha=0.05)  # the example is stale now
    with pytest.raises(LabError, match="learning rate"):
        lab.apply_step(lab.example("cbow", "negative", 6, [7]), alpha=0.0)


def test_fresh_lab_and_missing_output_matrices():
    words = ["a", "b", "c", "d"]
    lab = GradientLab.fresh_model(words, np.array([9, 5, 3, 1]), dim=8, seed=3)
    assert lab.w_in.shape == (4, 8) and 0.5 / 8 < np.abs(lab.w_in).max() <= 1 / 8  # gensim 4's range
    assert lab.output_matrix("hierarchical").shape == (3, 8) and lab.fresh == {"inner"}
    assert lab.output_matrix("softmax").shape == (4, 8) and lab.fresh == {"inner", "words"}
    assert np.any(lab.output_matrix("negative") != 0)  # small random, so every gradient shows
    trained = make_lab(trained_loss="hierarchical")
    assert trained.output_matrix("hierarchical").shape == (39, 6) and not trained.fresh
    assert trained.output_matrix("negative").shape == (40, 6) and trained.fresh == {"words"}
    with pytest.raises(LabError, match="not in the vocabulary"):
        lab.word_id("zebra")
    with pytest.raises(LabError, match="context"):
        lab.example("skipgram", "negative", 0, [])
    with pytest.raises(LabError, match="Word ids"):
        lab.example("skipgram", "negative", 0, [7])


@pytest.mark.parametrize(("model", "loss"), COMBINATIONS)
def test_large_model_stays_fast(model, loss):
    lab = make_lab(n_words=5000, dim=100, trained_loss=loss, seed=1)
    started = time.process_time()
    example = lab.example(model, loss, 17, [1, 2, 3, 40, 500, 6, 7, 8, 9, 3000])
    elapsed = time.process_time() - started
    assert example.check.passed
    assert elapsed < 3.0, f"{model}/{loss} took {elapsed:.2f} s"  # about 0.1-0.5 s when the machine is idle
