"""Reference losses: finite-difference gradient checks, stability, and the skip-gram/CBOW compositions."""

import numpy as np
import pytest

from w2v_core.gradcheck import TOLERANCE, check_all, numerical_gradient, relative_error
from w2v_core.losses import hierarchical_softmax_loss, negative_sampling_loss, softmax_loss


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def _check(loss_fn, center, outside, *args):
    loss, grad_center, grad_outside = loss_fn(center, *args[:1], outside, *args[1:])
    numeric_center = numerical_gradient(lambda: loss_fn(center, *args[:1], outside, *args[1:])[0], center)
    numeric_outside = numerical_gradient(lambda: loss_fn(center, *args[:1], outside, *args[1:])[0], outside)
    assert relative_error(grad_center, numeric_center) < TOLERANCE
    assert relative_error(grad_outside, numeric_outside) < TOLERANCE
    assert grad_outside.shape == outside.shape
    return loss


def test_softmax_gradients_and_value(rng):
    center, outside = rng.normal(size=5), rng.normal(size=(7, 5))
    loss = _check(softmax_loss, center, outside, 3)
    scores = outside @ center
    assert loss == pytest.approx(-np.log(np.exp(scores[3]) / np.exp(scores).sum()))


def test_softmax_is_stable_for_huge_scores():
    outside = np.array([[1.0], [-1.0], [0.5]])
    loss_far, grad_center, _ = softmax_loss(np.array([1000.0]), 1, outside)
    assert np.isfinite(loss_far) and loss_far == pytest.approx(2000.0)
    assert np.all(np.isfinite(grad_center))
    loss_near, _, _ = softmax_loss(np.array([-1000.0]), 1, outside)
    assert loss_near == pytest.approx(0.0, abs=1e-12)


def test_negative_sampling_gradients_with_repeated_negatives(rng):
    center, outside = rng.normal(size=4), rng.normal(size=(6, 4))
    negatives = np.array([1, 4, 4, 0])
    loss = _check(negative_sampling_loss, center, outside, 2, negatives)
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    expected = -np.log(sig(outside[2] @ center)) - sum(np.log(sig(-outside[k] @ center)) for k in negatives)
    assert loss == pytest.approx(expected)
    _, _, grad_outside = negative_sampling_loss(center, 2, outside, negatives)
    assert np.allclose(grad_outside[4], 2 * sig(outside[4] @ center) * center)  # drawn twice, counted twice
    assert not grad_outside[3].any() and not grad_outside[5].any()


def test_negative_sampling_stable_for_huge_scores():
    loss, grad_center, _ = negative_sampling_loss(np.array([1000.0]), 0, np.array([[-1.0], [1.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0) and np.all(np.isfinite(grad_center))


def test_hierarchical_softmax_gradients_and_value(rng):
    center, inner = rng.normal(size=4), rng.normal(size=(5, 4))
    path, codes = np.array([4, 2, 0]), np.array([0, 1, 1])
    loss, grad_center, grad_inner = hierarchical_softmax_loss(center, path, codes, inner)
    numeric_center = numerical_gradient(lambda: hierarchical_softmax_loss(center, path, codes, inner)[0], center)
    numeric_inner = numerical_gradient(lambda: hierarchical_softmax_loss(center, path, codes, inner)[0], inner)
    assert relative_error(grad_center, numeric_center) < TOLERANCE
    assert relative_error(grad_inner, numeric_inner) < TOLERANCE
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    s = inner[path] @ center
    assert loss == pytest.approx(-np.log(sig(s[0])) - np.log(sig(-s[1])) - np.log(sig(-s[2])))
    assert not grad_inner[1].any() and not grad_inner[3].any()


def test_hierarchical_probabilities_sum_to_one_over_the_vocabulary(rng):
    from w2v_core.huffman import build_huffman_tree

    counts = np.array([40, 30, 20, 10, 5, 5, 1])
    tree = build_huffman_tree(counts)
    center, inner = rng.normal(size=3), rng.normal(size=(len(counts) - 1, 3))
    probabilities = [np.exp(-hierarchical_softmax_loss(center, *tree.path(w), inner)[0]) for w in range(7)]
    assert sum(probabilities) == pytest.approx(1.0)


@pytest.mark.parametrize("row", check_all(), ids=lambda r: f"{r.model}-{r.loss}")
def test_all_six_combinations_pass_the_gradient_check(row):
    assert row.input_error < TOLERANCE, row
    assert row.output_error < TOLERANCE, row


def test_gradient_check_detects_a_wrong_gradient(rng):
    center, outside = rng.normal(size=3), rng.normal(size=(4, 3))
    _, grad_center, _ = softmax_loss(center, 1, outside)
    numeric = numerical_gradient(lambda: softmax_loss(center, 1, outside)[0], center)
    assert relative_error(grad_center * 1.001, numeric) > TOLERANCE


def test_shared_negatives_composition_passes_the_gradient_check(rng):
    from w2v_core.models import skipgram_shared_negatives_loss

    input_vectors, output_vectors = rng.normal(size=(9, 4)), rng.normal(size=(9, 4))
    outside, shared = [1, 2, 5], np.array([3, 3, 7, 0, 8, 2])

    def evaluate():
        return skipgram_shared_negatives_loss(4, outside, input_vectors, output_vectors, shared, 2)

    loss, grad_input, grad_output = evaluate()
    assert relative_error(grad_input, numerical_gradient(lambda: evaluate()[0], input_vectors)) < TOLERANCE
    assert relative_error(grad_output, numerical_gradient(lambda: evaluate()[0], output_vectors)) < TOLERANCE
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    v = input_vectors[4]
    expected = -sum(np.log(sig(output_vectors[o] @ v)) for o in outside)
    expected -= 3 * 2 / 6 * sum(np.log(sig(-output_vectors[s] @ v)) for s in shared)
    assert loss == pytest.approx(expected)
