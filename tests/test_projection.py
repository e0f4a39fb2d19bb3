import numpy as np
import pytest
from scipy.spatial.distance import cdist

from w2v_core.projection import (
    ProjectionError,
    apply_basis,
    cluster_labels,
    pca_basis,
    procrustes_align,
    project,
)


def blobs(centres: np.ndarray, per_blob: int, spread: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(centres)), per_blob)
    return centres[labels] + rng.normal(size=(len(labels), centres.shape[1])) * spread, labels


def test_pca_of_points_on_a_line_puts_all_variance_on_the_first_axis():
    rng = np.random.default_rng(0)
    direction = rng.normal(size=12)
    direction /= np.linalg.norm(direction)
    points = rng.normal(size=(200, 1)) * 5 * direction + 3.0 + rng.normal(size=(200, 12)) * 1e-3
    coords = project(points, "pca", dims=2)
    assert coords.shape == (200, 2) and coords.dtype == np.float32
    variance = coords.var(axis=0)
    assert variance[0] / np.var(points, axis=0).sum() > 0.999 and variance[1] < 1e-4 * variance[0]
    mean, components = pca_basis(points, dims=3)
    assert abs(components[0] @ direction) > 0.9999
    np.testing.assert_allclose(components @ components.T, np.eye(3), atol=1e-5)
    np.testing.assert_allclose(mean, points.mean(axis=0), rtol=1e-5)


def test_fixed_basis_shows_movement_of_the_vectors():
    rng = np.random.default_rng(1)
    snapshot = rng.normal(size=(50, 8))
    mean, components = pca_basis(snapshot, dims=2)
    before = apply_basis(snapshot, mean, components)
    moved = snapshot.copy()
    moved[0] += 2.0 * components[0]  # move one word along the first axis only
    after = apply_basis(moved, mean, components)
    np.testing.assert_allclose(after[0] - before[0], [2.0, 0.0], atol=1e-5)
    np.testing.assert_allclose(after[1:], before[1:], atol=1e-6)
    with pytest.raises(ProjectionError, match="8-dimensional"):
        apply_basis(rng.normal(size=(5, 4)), mean, components)


def test_pca_with_fewer_points_or_dimensions_than_dims_pads_with_zeros():
    coords = project(np.array([[0.0, 1.0], [2.0, 3.0]]), "pca", dims=3)
    assert coords.shape == (2, 3)
    np.testing.assert_allclose(coords[:, 1:], 0.0)
    assert abs(coords[0, 0] - coords[1, 0]) == pytest.approx(np.sqrt(8), rel=1e-5)
    np.testing.assert_allclose(project(np.ones((1, 4)), "pca"), 0.0)


def test_procrustes_undoes_a_rotation_reflection_and_shift():
    rng = np.random.default_rng(2)
    target = rng.normal(size=(40, 2))
    angle = np.deg2rad(40)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    for transform in (rotation, rotation @ np.diag([1.0, -1.0])):
        source = target @ transform + np.array([5.0, -3.0])
        np.testing.assert_allclose(procrustes_align(source, target), target, atol=1e-5)
    rotation_3d = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    target_3d = rng.normal(size=(30, 3))
    np.testing.assert_allclose(procrustes_align(target_3d @ rotation_3d, target_3d), target_3d, atol=1e-5)
    with pytest.raises(ProjectionError, match="same shape"):
        procrustes_align(target, target[:10])


def neighbour_purity(coords: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    """Share of each point's k nearest map neighbours that come from its own blob."""
    distances = cdist(coords, coords)
    np.fill_diagonal(distances, np.inf)
    nearest = np.argsort(distances, axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).mean())


def test_tsne_keeps_two_well_separated_blobs_apart():
    centres = np.zeros((2, 20))
    centres[1, 0] = 30.0
    points, labels = blobs(centres, 30, 1.0)
    coords = project(points, "tsne", dims=2, seed=0)
    assert coords.shape == (60, 2) and coords.dtype == np.float32
    within = max(cdist(coords[labels == k], coords[labels == k]).max() for k in (0, 1))
    between = cdist(coords[labels == 0], coords[labels == 1]).min()
    assert between > within
    np.testing.assert_array_equal(coords, project(points, "tsne", dims=2, seed=0))  # seeded


def test_tsne_in_3d_keeps_neighbourhoods():
    # scikit-learn's 3-D t-SNE (Student-t with 2 degrees of freedom) converges far less cleanly than 2-D on
    # tiny inputs, so only neighbourhoods are checked: a random layout would give a purity near 0.5.
    centres = np.zeros((2, 20))
    centres[1, 0] = 30.0
    points, labels = blobs(centres, 30, 1.0)
    coords = project(points, "tsne", dims=3, seed=0)
    assert coords.shape == (60, 3)
    assert neighbour_purity(coords, labels) > 0.9
    assert neighbour_purity(np.random.default_rng(0).normal(size=(60, 3)), labels) < 0.7


def test_tsne_small_inputs():
    points = np.random.default_rng(3).normal(size=(6, 2))
    assert project(points, "tsne", dims=3, perplexity=30).shape == (6, 3)  # perplexity clipped, d padded
    with pytest.raises(ProjectionError, match="at least 5 words, got 4"):
        project(points[:4], "tsne")
    with pytest.raises(ProjectionError, match="perplexity"):
        project(points, "tsne", perplexity=0)


@pytest.mark.parametrize(("vectors", "kwargs", "message"), [
    (np.ones((5, 3)), {"method": "umap"}, "Unknown projection method"),
    (np.ones((5, 3)), {"dims": 4}, "dims must be 2 or 3"),
    (np.array([[1.0, np.nan]]), {}, "NaN"),
    (np.ones(5), {}, r"\(n, d\)"),
])
def test_invalid_projection_inputs(vectors, kwargs, message):
    with pytest.raises(ProjectionError, match=message):
        project(vectors, **kwargs)


def test_clusters_follow_directions_not_lengths():
    centres = np.eye(3) * 4
    points, truth = blobs(centres, 20, 0.3, seed=4)
    points *= np.random.default_rng(5).uniform(0.2, 10.0, size=(len(points), 1))  # lengths vary wildly
    labels = cluster_labels(points, 3, seed=0)
    assert labels.shape == (60,) and labels.dtype == np.int64
    assert len({(t, label) for t, label in zip(truth, labels, strict=True)}) == 3  # a one-to-one match
    assert len(set(cluster_labels(points[:2], 10).tolist())) == 2  # k clipped to n
    with pytest.raises(ProjectionError):
        cluster_labels(points, 0)
