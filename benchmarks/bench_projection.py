"""The Projection page's maps: t-SNE of the 5,000 most frequent KJV words, ours (openTSNE) against the scikit-learn
t-SNE the page ran before (with and without PCA-50 first), alternating: medians of wall and CPU seconds and of "10-NN
kept" (share of each word's 10 nearest cosine neighbours kept on the map); PCA and UMAP of 20,000 words (the 5,000
with small noise). Trains the KJV vectors once into benchmarks/data/kjv_vectors.npz.

    python -m benchmarks.bench_projection --repeats 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
import warnings

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from benchmarks.harness import ROOT, TRAIN, header, print_table
from w2v_core.datasets import KJV_PATH
from w2v_core.embeddings import unit_rows
from w2v_core.formats import load_vectors
from w2v_core.layout_job import LayoutJob
from w2v_core.projection import project


def kept_neighbours(vectors: np.ndarray, coords: np.ndarray, k: int = 10) -> float:
    high, low = (NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x, return_distance=False)[:, 1:]
                 for x in (unit_rows(vectors), coords))
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(high, low, strict=True)]))


def sklearn_tsne(vectors: np.ndarray) -> np.ndarray:
    """scikit-learn's t-SNE, PCA start, one OpenMP thread (what the page ran before, on the raw vectors)."""
    with threadpool_limits(limits=1, user_api="openmp"):
        return TSNE(2, init="pca", learning_rate="auto", random_state=0).fit_transform(vectors.astype(np.float64))


def timed(function, *args) -> tuple[float, float, np.ndarray]:  # noqa: ANN001
    """Wall and CPU seconds (all threads of this process) of ``function(*args)``, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def job_seconds(method: str, vectors: np.ndarray) -> float:
    began, job = time.perf_counter(), LayoutJob(method, vectors).start()
    job.join()
    assert job.snapshot().state == "finished", job.snapshot().message
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    if not (path := ROOT / "benchmarks" / "data" / "kjv_vectors.npz").exists():  # skip-gram, 100 dims, 3 epochs
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([*TRAIN, str(KJV_PATH), "-o", str(path), "--min-count", "2", "--epochs", "3", "--quiet"],
                       check=True, cwd=ROOT)
    vectors = load_vectors(path).vectors
    sample = vectors[:5000]
    header("bench_projection", argv, f"{len(sample):,} words x {sample.shape[1]} dims from {path.name}")
    warnings.filterwarnings("ignore")
    variants = {"ours: openTSNE (PCA-50, FFT)": lambda v: project(v, "tsne"), "scikit-learn as before": sklearn_tsne,
                "scikit-learn after PCA-50": lambda v: sklearn_tsne(PCA(50, random_state=0).fit_transform(
                    unit_rows(v).astype(float)))}
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in variants}
    for _ in range(args.repeats):
        for name, function in variants.items():
            wall, cpu, coords = timed(function, sample)
            runs[name].append((wall, cpu, kept_neighbours(sample, coords)))
            print(f"  {name}: {wall:.1f} s, {cpu:.1f} CPU s", flush=True)
    medians = {name: [statistics.median(column) for column in zip(*rows, strict=True)] for name, rows in runs.items()}
    base = medians["ours: openTSNE (PCA-50, FFT)"][0]
    print_table(["t-SNE, 5,000 words", "wall s (median)", "CPU s", "× ours", "10-NN kept"], [
        (name, f"{wall:.1f}", f"{cpu:.1f}", f"{wall / base:.1f}", f"{kept:.3f}") for name, (wall, cpu, kept) in
        medians.items()])
    big = np.vstack([vectors + np.random.default_rng(i).normal(scale=0.01, size=vectors.shape).astype(np.float32)
                     for i in range(-(-20_000 // len(vectors)))])[:20_000]
    wall, cpu, _ = timed(project, big, "pca")
    print(f"| PCA, 20,000 words | {wall:.2f} s wall, {cpu:.2f} CPU s |")
    print(f"| UMAP job, 5,000 words (first: forkserver start + compile) | {job_seconds('umap', sample):.1f} s |")
    print(f"| UMAP job, 5,000 words (warm) | {job_seconds('umap', sample):.1f} s |")
    print(f"| UMAP job, 20,000 words (warm) | {job_seconds('umap', big):.1f} s |")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
