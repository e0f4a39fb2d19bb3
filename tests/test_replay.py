"""Replay of training snapshots: stable axes (fixed basis, Procrustes), neighbours and analogies over time."""

import numpy as np
import pytest

from w2v_core.recorder import Snapshot
from w2v_core.replay import (
    ReplayError,
    analogy_accuracy_over_time,
    in_order,
    neighbours_over_time,
    replay_coordinates,
    snapshot_words,
    stack_vectors,
)


def snapshot(vectors: np.ndarray, words_done: int = 100, epoch: int = 1) -> Snapshot:
    return Snapshot(words_done, epoch, 1.0, np.arange(len(vectors), dtype=np.int32), vectors.astype(np.float32))


def rotation(angle: float, dim: int) -> np.ndarray:
    """A rotation in the plane of the first two dimensions of R^dim."""
    r = np.eye(dim)
    r[:2, :2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    return r


def test_snapshots_in_order_of_words_trained():
    snaps = [snapshot(np.ones((2, 2)), w) for w in (100, 300, 200, 300)]
    assert [s.words_done for s in in_order(snaps)] == [100, 200, 300]


def test_snapshot_words_and_stack():
    snaps = [snapshot(np.ones((5, 3))), snapshot(np.ones((4, 3)) * 2)]
    assert snapshot_words(snaps, list("abcdefg")) == list("abcd")
    stack = stack_vectors(snaps, [1, 3])
    assert stack.shape == (2, 2, 3) and stack[1, 0, 0] == 2.0
    assert np.allclose(np.linalg.norm(stack_vectors(snaps, [0, 1], unit=True), axis=-1), 1.0)
    with pytest.raises(ReplayError, match="4 most frequent"):
        stack_vectors(snaps, [4])
    with pytest.raises(ReplayError, match="No snapshots"):
        stack_vectors([], [0])


def test_fixed_basis_shows_growth_not_spin():
    rng = np.random.default_rng(0)
    final = rng.normal(size=(8, 6))
    stack = np.stack([final * scale for scale in (0.1, 0.5, 1.0)])
    coords = replay_coordinates(stack, "fixed")
    assert coords.shape == (3, 8, 2)
    centred = coords - coords[:, :1]  # relative to the first word: scales with the vectors
    assert np.allclose(centred[0], 0.1 * centred[2], atol=1e-5)
    spread = coords[-1].std(axis=0)
    assert spread[0] >= spread[1] > 0  # the last frame's first principal axis carries the most variance


def test_procrustes_removes_rotations_of_the_same_map():
    rng = np.random.default_rng(1)
    flat = np.zeros((10, 5))
    flat[:, :2] = rng.normal(size=(10, 2)) * [3.0, 1.0]
    stack = np.stack([flat @ rotation(angle, 5).T for angle in (0.0, 0.7, 2.0, 3.0)])
    coords = replay_coordinates(stack, "procrustes")
    for t in range(3):  # every frame lands exactly on the last one: nothing moves on screen
        assert np.allclose(coords[t], coords[-1], atol=1e-5)
    per_frame = replay_coordinates(stack, "fixed")
    assert not np.allclose(per_frame[0], per_frame[-1], atol=1e-3)  # the vectors themselves did rotate
    with pytest.raises(ReplayError, match="at least two"):
        replay_coordinates(stack[:, :1], "fixed")
    with pytest.raises(ReplayError, match="Unknown alignment"):
        replay_coordinates(stack, "spin")


def test_neighbours_and_analogies_over_time():
    words = ["man", "king", "woman", "queen", "apple"]
    rng = np.random.default_rng(2)
    noisy = rng.normal(size=(5, 4))
    man, woman, royal = np.array([1.0, 0, 0, 0]), np.array([0, 1.0, 0, 0]), np.array([0, 0, 3.0, 0])
    learned = np.stack([man, man + royal, woman, woman + royal, np.array([0, 0, 0, 1.0])])
    snaps = [snapshot(noisy, 100, 1), snapshot(learned, 200, 2)]
    table = neighbours_over_time(snaps, words, "king", k=2)
    assert list(table["words trained"]) == [100, 200] and list(table["epoch"]) == [1, 2]
    assert table["neighbours"].iloc[1].startswith("queen")
    questions = [("man", "king", "woman", "queen"), ("man", "woman", "king", "queen"), ("man", "x", "y", "z")]
    accuracy = analogy_accuracy_over_time(snaps, words, questions)
    assert list(accuracy["attempted"]) == [2, 2]  # the question with unknown words is left out
    assert accuracy["accuracy"].iloc[1] == 1.0 and accuracy["correct"].iloc[1] == 2
    with pytest.raises(ReplayError, match="not among"):
        neighbours_over_time(snaps, words, "zebra")
    empty = analogy_accuracy_over_time(snaps, words, [("a", "b", "c", "d")])
    assert empty["accuracy"].isna().all() and (empty["attempted"] == 0).all()
