"""2-D and 3-D maps of word vectors: PCA, t-SNE (openTSNE), UMAP (umap-learn), semantic axes, fixed bases,
alignment and clusters.

``project`` maps (n, d) vectors to (n, dims) coordinates. ``TsneLayout`` runs t-SNE a few iterations at a time
so that a page can draw it converging. ``semantic_axes`` places words on directions named by words
(man → woman). To watch training, fit one ``pca_basis`` on a reference snapshot and ``apply_basis`` to every
snapshot, so that movement on screen is movement of the vectors, not of the axes; t-SNE maps of successive
snapshots can be lined up with ``procrustes_align``.

t-SNE and UMAP compare words by cosine (unit rows), as the neighbour lists do.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from openTSNE import TSNEEmbedding, affinity, initialization, nearest_neighbors
from scipy.linalg import orthogonal_procrustes
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits  # installed with scikit-learn

from w2v_core.embeddings import Embeddings, unit_rows

PROJECTION_METHODS = ("pca", "tsne", "umap")
MIN_TSNE_POINTS = 5
MIN_UMAP_POINTS = 5
TSNE_INPUT_DIMS = 50  # t-SNE's neighbours are found after PCA to this many dimensions
TSNE_EXACT_NEIGHBOURS_UP_TO = 10_000  # points; above, Annoy's approximate neighbours are faster
TSNE_EXAGGERATION_ITERATIONS = 250
TSNE_ITERATIONS = 350  # after the early exaggeration (500 kept no more neighbours: bench_projection)
TSNE_FFT_FROM = 2_500  # points; FFT gradients cost about 5 CPU s whatever the size, Barnes-Hut grows with n


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
    """(n, dims) float32 map of (n, d) ``vectors`` by "pca", "tsne" or "umap".

    t-SNE: ``TsneLayout`` run to the end; its perplexity is lowered for small n, and it needs at least 5 points.
    UMAP: ``umap_layout`` (imports umap-learn, whose first call in a process compiles for many seconds).
    """
    _check_dims(dims)
    array = _check(vectors)
    if method == "pca":
        return apply_basis(array, *pca_basis(array, dims))
    if method == "tsne":
        layout = TsneLayout(array, dims=dims, perplexity=perplexity, seed=seed)
        while not layout.done:
            layout.advance(layout.total)
        return layout.coords
    if method == "umap":
        return umap_layout(array, dims=dims, seed=seed)
    raise ProjectionError(f"Unknown projection method {method!r}; use one of {', '.join(PROJECTION_METHODS)}.")


def _padded(array: np.ndarray, dims: int) -> np.ndarray:
    """(n, max(d, dims)): zero columns added so that a ``dims``-dimensional PCA start exists."""
    if array.shape[1] >= dims:
        return array
    return np.hstack([array, np.zeros((array.shape[0], dims - array.shape[1]))])


class TsneLayout:
    """t-SNE of (n, d) vectors by openTSNE, advanced a few iterations at a time (to draw it converging).

    Cosine neighbourhoods: unit rows, PCA to 50 dimensions, perplexity-based affinities (exact neighbours up
    to 10,000 points, Annoy above). It starts from the PCA map (``coords`` before any ``advance``), runs 250
    early-exaggeration iterations (×12), then ``iterations`` plain ones. Gradients: FFT-interpolated for 2-D
    maps of 2,500 points or more, else Barnes-Hut (faster for fewer points; openTSNE's FFT is 1-D and 2-D only).
    One thread: the cores are shared with training.
    The heavy parts run in compiled code that releases the GIL (benchmarks/bench_projection.py).
    """

    def __init__(self, vectors: np.ndarray, dims: int = 2, perplexity: float = 30.0, seed: int = 0,
                 iterations: int = TSNE_ITERATIONS) -> None:
        _check_dims(dims)
        array = _check(vectors)
        n = array.shape[0]
        if n < MIN_TSNE_POINTS:
            raise ProjectionError(f"t-SNE needs at least {MIN_TSNE_POINTS} words, got {n}. Show more words or "
                                  "use PCA.")
        if perplexity <= 0:
            raise ProjectionError(f"perplexity must be positive (got {perplexity}).")
        if iterations < 0:
            raise ProjectionError(f"iterations must be at least 0 (got {iterations}).")
        unit = _padded(unit_rows(array).astype(np.float64), dims)
        reduced = PCA(n_components=min(TSNE_INPUT_DIMS, n, unit.shape[1]), random_state=seed).fit_transform(unit)
        reduced = _padded(reduced, dims)
        # openTSNE uses 3 x perplexity neighbours, which must stay below n
        perplexity = min(float(perplexity), (n - 1) / 3.0)
        # The neighbour index is built here: left to choose, openTSNE imports pynndescent (numba: seconds of
        # compiling that hold the GIL) just to ask whether it is installed.
        search = nearest_neighbors.Sklearn if n <= TSNE_EXACT_NEIGHBOURS_UP_TO else nearest_neighbors.Annoy
        index = search(reduced, k=min(n - 1, int(3 * perplexity)), metric="euclidean", n_jobs=1,
                       random_state=seed)
        with threadpool_limits(limits=1):
            affinities = affinity.PerplexityBasedNN(perplexity=perplexity, knn_index=index)
            start = initialization.pca(reduced, n_components=dims, random_state=seed)
        fft = dims == 2 and n >= TSNE_FFT_FROM
        gradients = {"negative_gradient_method": "fft", "ints_in_interval": 2} if fft else \
            {"negative_gradient_method": "bh"}
        self._embedding = TSNEEmbedding(start, affinities, n_jobs=1, random_state=seed, verbose=False,
                                        **gradients)
        self.dims = dims
        self.iteration = 0
        self.total = TSNE_EXAGGERATION_ITERATIONS + int(iterations)

    @property
    def done(self) -> bool:
        return self.iteration >= self.total

    @property
    def coords(self) -> np.ndarray:
        """(n, dims) float32 copy of the current map."""
        return np.array(self._embedding, dtype=np.float32)

    def advance(self, iterations: int) -> np.ndarray:
        """Run up to ``iterations`` more iterations (not past the end); returns ``coords``."""
        target = min(self.total, self.iteration + max(0, int(iterations)))
        with threadpool_limits(limits=1):
            while self.iteration < target:
                exaggerating = self.iteration < TSNE_EXAGGERATION_ITERATIONS
                end = min(target, TSNE_EXAGGERATION_ITERATIONS) if exaggerating else target
                self._embedding.optimize(end - self.iteration, inplace=True, exaggeration=12 if exaggerating
                                         else None, momentum=0.8)
                self.iteration = end
        return self.coords


def umap_layout(vectors: np.ndarray, dims: int = 2, seed: int = 0, n_neighbors: int = 15,
                min_dist: float = 0.1, epochs_done=None) -> np.ndarray:  # noqa: ANN001 - callback
    """(n, dims) float32 UMAP (umap-learn) of (n, d) ``vectors`` by cosine (unit rows, Euclidean).

    Seeded, hence single-threaded and reproducible. umap-learn's numba code holds the GIL and compiles for
    many seconds on its first call in a process: servers run it in a separate process (w2v_core.layout_job).
    ``epochs_done(epoch, total, coords)``, if given, is called after every layout epoch with the current map.
    """
    _check_dims(dims)
    array = _check(vectors)
    n = array.shape[0]
    if n < MIN_UMAP_POINTS:
        raise ProjectionError(f"UMAP needs at least {MIN_UMAP_POINTS} words, got {n}. Show more words or use PCA.")
    import umap  # noqa: PLC0415 - slow import (numba), only where UMAP runs
    import umap.layouts  # noqa: PLC0415

    neighbours = max(2, min(n_neighbors, n - 1))
    unit = _padded(unit_rows(array), dims + 2)
    knn = _nearest_neighbours(unit, neighbours, seed)
    model = umap.UMAP(n_components=dims, n_neighbors=neighbours, min_dist=min_dist, random_state=seed,
                      init="spectral" if n > dims + 2 else "random", n_jobs=1, precomputed_knn=knn)
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore")  # umap-learn warns about n_jobs with a seed and small data sets
        if epochs_done is None:
            return model.fit_transform(unit).astype(np.float32)
        with _umap_epoch_reports(umap.umap_, umap.layouts, epochs_done):
            return model.fit_transform(unit).astype(np.float32)


def _nearest_neighbours(unit: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray, None]:
    """Exact k nearest neighbours (each point first) of unit rows (n, d) after PCA to 50 dimensions, as
    umap-learn's ``precomputed_knn``: its own search (nearest-neighbour descent) compiles for over 40 CPU
    seconds in every new process."""
    reduced = unit
    if unit.shape[1] > TSNE_INPUT_DIMS and unit.shape[0] > TSNE_INPUT_DIMS:
        reduced = PCA(n_components=TSNE_INPUT_DIMS, random_state=seed).fit_transform(unit)
    distances, indices = NearestNeighbors(n_neighbors=k).fit(reduced).kneighbors(reduced)
    return indices.astype(np.int32), distances.astype(np.float32), None


class _umap_epoch_reports:  # noqa: N801 - used as a context manager
    """Report each UMAP layout epoch with the map so far: umap-learn has no callback, but it loops over the
    epochs in Python through ``tqdm`` and lays out an array it was handed; both are wrapped while active."""

    def __init__(self, umap_module, layouts_module, report) -> None:  # noqa: ANN001
        self._modules = (umap_module, layouts_module)
        self._report = report
        self._embedding: np.ndarray | None = None

    def __enter__(self) -> None:
        umap_module, layouts = self._modules
        self._saved = (umap_module.optimize_layout_euclidean, layouts.tqdm)
        optimize = self._saved[0]

        def watched_optimize(head_embedding, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            self._embedding = head_embedding
            return optimize(head_embedding, *args, **kwargs)

        def reporting_range(iterable, **_):  # noqa: ANN001, ANN003, ANN202
            total = len(iterable)
            for epoch in iterable:
                yield epoch
                if self._embedding is not None:
                    self._report(epoch + 1, total, self._embedding)

        umap_module.optimize_layout_euclidean = watched_optimize
        layouts.tqdm = reporting_range

    def __exit__(self, *_) -> None:  # noqa: ANN002
        umap_module, layouts = self._modules
        umap_module.optimize_layout_euclidean, layouts.tqdm = self._saved


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


# ------------------------------------------------------------------------------------------ semantic axes


@dataclass(frozen=True)
class SemanticAxis:
    """A direction named by words: from the mean of ``start`` words to the mean of ``end`` words (unit vectors).

    On this axis the start words' mean sits at 0 and the end words' mean at 1.
    """

    start: tuple[str, ...]
    end: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{' + '.join(self.start)} → {' + '.join(self.end)}"


def parse_words(text: str) -> tuple[str, ...]:
    """Words of an axis end typed by a user: separated by commas, plus signs or spaces."""
    return tuple(word for word in re.split(r"[\s,+]+", text.strip()) if word)


def axis_basis(emb: Embeddings, axes: Sequence[SemanticAxis]) -> tuple[np.ndarray, np.ndarray]:
    """Origins (k, d) and directions (k, d) float64 of ``axes`` on unit word vectors.

    Raises ProjectionError naming every unknown word (with a suggestion where the case differs) and axes
    whose two ends are the same point.
    """
    unknown = []
    for axis in axes:
        if not axis.start or not axis.end:
            raise ProjectionError(f"Each axis needs a word at both ends (got {axis.label or 'nothing'}).")
        for word in (*axis.start, *axis.end):
            if word not in emb:
                hint = word.lower() if word.lower() in emb else None
                unknown.append(f"'{word}'" + (f" (did you mean '{hint}'?)" if hint else ""))
    if unknown:
        raise ProjectionError(f"Not in the vocabulary: {', '.join(dict.fromkeys(unknown))}. Use words of the "
                              "vectors being explored (the Neighbours page lists them).")
    origins, directions = [], []
    for axis in axes:
        origin = unit_rows(np.array([emb.vector(w) for w in axis.start])).astype(np.float64).mean(axis=0)
        direction = unit_rows(np.array([emb.vector(w) for w in axis.end])).astype(np.float64).mean(axis=0) - origin
        if np.linalg.norm(direction) < 1e-6:
            raise ProjectionError(f"The axis {axis.label} has the same words (or vectors) at both ends: name "
                                  "different words.")
        origins.append(origin)
        directions.append(direction)
    return np.array(origins), np.array(directions)


def semantic_coordinates(unit_vectors: np.ndarray, origins: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """(n, k) float32 position of (n, d) unit vectors on k axes: (v − origin)·direction / |direction|², so that
    each axis' start mean is at 0 and its end mean at 1."""
    array = _check(unit_vectors)
    shifted = array[:, None, :] - origins[None, :, :]
    return (np.einsum("nkd,kd->nk", shifted, directions) / (directions ** 2).sum(axis=1)).astype(np.float32)


def axes_cosine(directions: np.ndarray) -> float:
    """Cosine between the first two axis directions (k, d): 0 for independent axes, ±1 for the same one."""
    a, b = directions[0], directions[1]
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
