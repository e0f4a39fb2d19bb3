"""2-D and 3-D maps of word vectors: PCA and t-SNE (scikit-learn), fixed bases, alignment and clusters.

``project`` maps (n, d) vectors to (n, dims) coordinates. To watch training, fit one ``pca_basis`` on a
reference snapshot and ``apply_basis`` to every snapshot, so that movement on screen is movement of the
vectors, not of the axes; t-SNE maps of successive snapshots can be lined up with ``procrustes_align``.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import orthogonal_procrustes
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from threadpoolctl import threadpool_limits  # installed with scikit-learn

from w2v_core.embeddings import unit_rows

PROJECTION_METHODS = ("pca", "tsne")
MIN_TSNE_POINTS = 5


class ProjectionError(ValueError):
    """Vectors or settings that cannot be projected, with a message that says what to change."""


def _check(vectors: np.ndarray, name: str = "vectors") -> np.ndarray:
    """(n, d) float64 copy of ``vectors`` after checking shape and finiteness."""
    array = np.asarray(vectors, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] < 1 or array.shape[1] < 1:
        raise ProjectionError(f"{name} must be a non-empty (n, d) array, got shape {array.shape}.")
    if not np.isfinite(array).all():
        raise ProjectionError(f"{name} contain NaN or infinity.")
    return array


def _check_dims(dims: int) -> None:
    if dims not in (2, 3):
        raise ProjectionError(f"dims must be 2 or 3 (got {dims}).")


def pca_basis(vectors: np.ndarray, dims: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """PCA of (n, d) ``vectors``: mean (d,) and components (dims, d) float32, strongest first.

    Components that the data cannot provide (fewer than ``dims`` points or dimensions) are zero rows.
    """
    _check_dims(dims)
    array = _check(vectors)
    components = np.zeros((dims, array.shape[1]), dtype=np.float32)
    usable = min(dims, array.shape[0] - 1, array.shape[1])
    if usable >= 1:
        pca = PCA(n_components=usable, svd_solver="full").fit(array)
        components[:usable] = pca.components_
    return array.mean(axis=0).astype(np.float32), components


def apply_basis(vectors: np.ndarray, mean: np.ndarray, components: np.ndarray) -> np.ndarray:
    """(n, k) coordinates of (n, d) ``vectors`` on a basis from ``pca_basis`` (mean (d,), components (k, d))."""
    array = _check(vectors)
    if mean.shape != (array.shape[1],) or components.ndim != 2 or components.shape[1] != array.shape[1]:
        raise ProjectionError(f"The basis is for {mean.shape[0]}-dimensional vectors, these have "
                              f"{array.shape[1]} dimensions.")
    return ((array - mean) @ components.T).astype(np.float32)


def project(vectors: np.ndarray, method: str = "pca", dims: int = 2, seed: int = 0,
            perplexity: float = 30.0) -> np.ndarray:
    """(n, dims) float32 map of (n, d) ``vectors`` by "pca" or "tsne".

    t-SNE uses PCA initialisation and the automatic learning rate; its perplexity is lowered to n - 2 for
    small n (it must stay below n - 1), and it needs at least 5 points.
    """
    _check_dims(dims)
    array = _check(vectors)
    if method == "pca":
        return apply_basis(array, *pca_basis(array, dims))
    if method != "tsne":
        raise ProjectionError(f"Unknown projection method {method!r}; use one of {', '.join(PROJECTION_METHODS)}.")
    n = array.shape[0]
    if n < MIN_TSNE_POINTS:
        raise ProjectionError(f"t-SNE needs at least {MIN_TSNE_POINTS} words, got {n}. Show more words or use PCA.")
    if perplexity <= 0:
        raise ProjectionError(f"perplexity must be positive (got {perplexity}).")
    if array.shape[1] < dims:  # PCA initialisation needs at least `dims` input dimensions
        array = np.hstack([array, np.zeros((n, dims - array.shape[1]))])
    tsne = TSNE(n_components=dims, perplexity=min(float(perplexity), n - 2.0), init="pca",
                learning_rate="auto", random_state=seed)
    # One OpenMP thread: when training shares the cores, spinning OpenMP threads made t-SNE up to 100x slower.
    with threadpool_limits(limits=1, user_api="openmp"):
        return tsne.fit_transform(array).astype(np.float32)


def procrustes_align(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``source`` (n, k) rotated/reflected and shifted to best match ``target`` (n, k), same points in order.

    Both are centred, the orthogonal matrix R minimising |source R - target| is found (orthogonal Procrustes)
    and the result is moved onto the target's centre. Returns (n, k) float32.
    """
    src, tgt = _check(source, "source"), _check(target, "target")
    if src.shape != tgt.shape:
        raise ProjectionError(f"source {src.shape} and target {tgt.shape} must have the same shape.")
    src_mean, tgt_mean = src.mean(axis=0), tgt.mean(axis=0)
    rotation, _ = orthogonal_procrustes(src - src_mean, tgt - tgt_mean)
    return ((src - src_mean) @ rotation + tgt_mean).astype(np.float32)


def cluster_labels(vectors: np.ndarray, n_clusters: int, seed: int = 0) -> np.ndarray:
    """(n,) int64 k-means cluster of each (n, d) vector by direction (k-means on unit vectors)."""
    array = _check(vectors)
    if n_clusters < 1:
        raise ProjectionError(f"n_clusters must be at least 1 (got {n_clusters}).")
    k = min(n_clusters, array.shape[0])
    kmeans = KMeans(n_clusters=k, random_state=seed, n_init=10)
    return kmeans.fit_predict(unit_rows(array)).astype(np.int64)
