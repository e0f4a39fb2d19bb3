import threading
import time

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from w2v_core.embeddings import Embeddings
from w2v_core.layout_job import LayoutJob, umap_is_ready, warm_umap
from w2v_core.projection import (
    ProjectionError,
    SemanticAxis,
    TsneLayout,
    apply_basis,
    axes_cosine,
    axis_basis,
    cluster_labels,
    parse_words,
    pca_basis,
    procrustes_align,
    project,
    semantic_coordinates,
    umap_layout,
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
    centres[0, 1] = centres[1, 0] = 30.0  # two directions: t-SNE compares words by cosine
    points, labels = blobs(centres, 30, 1.0)
    coords = project(points, "tsne", dims=2, seed=0)
    assert coords.shape == (60, 2) and coords.dtype == np.float32
    within = max(cdist(coords[labels == k], coords[labels == k]).max() for k in (0, 1))
    between = cdist(coords[labels == 0], coords[labels == 1]).min()
    assert between > within
    np.testing.assert_array_equal(coords, project(points, "tsne", dims=2, seed=0))  # seeded


def test_tsne_in_3d_keeps_neighbourhoods():
    # 3-D t-SNE (Barnes-Hut) converges less cleanly than 2-D on tiny inputs, so only neighbourhoods are
    # checked: a random layout would give a purity near 0.5.
    centres = np.zeros((2, 20))
    centres[0, 1] = centres[1, 0] = 30.0  # two directions: t-SNE compares words by cosine
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
    (np.ones((5, 3)), {"method": "isomap"}, "Unknown projection method"),
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


def test_tsne_starts_from_pca_and_advances_in_steps():
    centres = np.eye(3, 20) * 30.0
    points, labels = blobs(centres, 20, 1.0)
    layout = TsneLayout(points, dims=2, seed=0, iterations=100)
    start = layout.coords
    assert layout.iteration == 0 and layout.total == 350 and not layout.done
    pca = project(points / np.linalg.norm(points, axis=1, keepdims=True), "pca")
    assert abs(np.corrcoef(start[:, 0], pca[:, 0])[0, 1]) > 0.99  # the PCA map, rescaled
    assert layout.advance(100).shape == (60, 2) and layout.iteration == 100
    layout.advance(1000)
    assert layout.done and layout.iteration == 350
    assert neighbour_purity(layout.coords, labels) > 0.95


def test_umap_job_runs_in_a_warm_child_process_and_reports_its_epochs():
    centres = np.zeros((2, 10))
    centres[0, 1] = centres[1, 0] = 30.0
    points, labels = blobs(centres, 40, 1.0)
    job = LayoutJob("umap", points, dims=2).start()
    epochs = set()
    deadline = time.monotonic() + 240  # the first job of a process waits for umap-learn to compile
    while job.snapshot().active and time.monotonic() < deadline:
        epochs.add(job.snapshot().iteration)
        time.sleep(0.005)
    final = job.snapshot()
    assert final.state == "finished", final.message
    assert final.coords.shape == (80, 2) and final.iteration == final.total == 500
    assert neighbour_purity(final.coords, labels) > 0.95
    again = LayoutJob("umap", points, dims=3).start()
    again.stop()
    assert wait(again).state == "stopped"
    with pytest.raises(ProjectionError, match="at least 5 words"):
        umap_layout(points[:3])


def test_warming_umap_starts_its_forkserver_and_marks_it_ready():
    began = time.monotonic()
    assert warm_umap() and umap_is_ready()  # compiles in the forkserver, unless a job of this process already did
    job = LayoutJob("umap", np.random.default_rng(0).normal(size=(30, 5)), dims=2).start()
    assert job.snapshot().message != "getting UMAP ready (compiling it, once after the server starts)"
    assert wait(job).state == "finished" and time.monotonic() - began < 240


def words_with_directions() -> Embeddings:
    """Unit-ish vectors where gender is dimension 0 and wealth dimension 1 (plus noise elsewhere)."""
    rng = np.random.default_rng(0)
    rows = {"man": [-1, 0], "woman": [1, 0], "king": [-1, 1], "queen": [1, 1], "poor": [0, -1],
            "rich": [0, 1], "boy": [-1, -0.2], "girl": [1, -0.2]}
    vectors = np.zeros((len(rows), 6), dtype=np.float32)
    for i, direction in enumerate(rows.values()):
        vectors[i, :2] = direction
        vectors[i, 2:] = rng.normal(size=4) * 0.01 + 1.0
    return Embeddings(list(rows), vectors, np.arange(len(rows), 0, -1))


def test_semantic_axes_put_the_named_words_at_0_and_1():
    emb = words_with_directions()
    axes = [SemanticAxis(("man",), ("woman",)), SemanticAxis(("poor",), ("rich",))]
    origins, directions = axis_basis(emb, axes)
    coords = semantic_coordinates(emb.unit_vectors, origins, directions)
    row = {w: coords[emb.index(w)] for w in emb.words}
    np.testing.assert_allclose([row["man"][0], row["woman"][0], row["poor"][1], row["rich"][1]], [0, 1, 0, 1],
                               atol=1e-5)
    assert row["queen"][0] > 0.8 and row["king"][0] < 0.2  # on the woman side, on the man side
    assert row["king"][1] > row["boy"][1]  # richer
    assert abs(axes_cosine(directions)) < 0.1
    mean_axis = [SemanticAxis(("man", "boy"), ("woman", "girl")), axes[1]]
    coords = semantic_coordinates(emb.unit_vectors, *axis_basis(emb, mean_axis))
    assert coords[emb.index("boy"), 0] < 0.5 < coords[emb.index("girl"), 0]
    assert (coords[emb.index("man"), 0] + coords[emb.index("boy"), 0]) / 2 == pytest.approx(0, abs=1e-5)


def test_semantic_axes_name_every_unknown_word():
    emb = words_with_directions()
    with pytest.raises(ProjectionError, match="'zebra', 'Rich' \\(did you mean 'rich'\\?\\)"):
        axis_basis(emb, [SemanticAxis(("man",), ("zebra",)), SemanticAxis(("poor",), ("Rich",))])
    with pytest.raises(ProjectionError, match="same words"):
        axis_basis(emb, [SemanticAxis(("man",), ("man",))])
    with pytest.raises(ProjectionError, match="both ends"):
        axis_basis(emb, [SemanticAxis(("man",), ())])
    assert parse_words(" man, boy +king  ") == ("man", "boy", "king") and parse_words("  ") == ()


def wait(job: LayoutJob, limit: float = 60.0):
    deadline = time.monotonic() + limit
    while job.snapshot().active and time.monotonic() < deadline:
        time.sleep(0.02)
    return job.snapshot()


def test_tsne_job_publishes_snapshots_until_done_and_waits_for_a_slot():
    points, _ = blobs(np.eye(3) * 10, 30, 1.0)
    slots = threading.BoundedSemaphore(1)
    slots.acquire()  # the server's only slot is taken
    job = LayoutJob("tsne", points, dims=2, slots=slots).start()
    time.sleep(0.3)
    assert job.snapshot().state == "waiting" and job.snapshot().coords is None
    slots.release()
    seen = set()
    deadline = time.monotonic() + 60
    while job.snapshot().active and time.monotonic() < deadline:
        seen.add(job.snapshot().iteration)
        time.sleep(0.01)
    final = job.snapshot()
    assert final.state == "finished" and final.iteration == final.total == 600 and final.coords.shape == (90, 2)
    assert len(seen) > 3  # intermediate maps were published
    assert slots.acquire(blocking=False)  # the slot was given back


def test_stopped_job_keeps_its_map_and_bad_input_fails_with_a_message():
    points, _ = blobs(np.eye(3) * 10, 300, 1.0)
    job = LayoutJob("tsne", points, dims=3).start()
    deadline = time.monotonic() + 60
    while job.snapshot().coords is None and time.monotonic() < deadline:
        time.sleep(0.01)
    job.stop()
    final = wait(job)
    assert final.state == "stopped" and final.coords.shape == (900, 3) and final.iteration < final.total
    failed = wait(LayoutJob("tsne", points[:3]).start())
    assert failed.state == "failed" and "at least 5 words" in failed.message
