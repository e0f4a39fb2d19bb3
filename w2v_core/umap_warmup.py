"""Preloaded by the forkserver of UMAP jobs (w2v_core.layout_job): imports umap-learn and runs one tiny map, so
that its numba code is compiled once in that server and every forked job starts warm.

umap-learn compiles much of its code on the first call of each process (about 16 CPU seconds on this
machine, benchmarks/bench_projection.py); forked children inherit the compiled code.
"""

import warnings

import numba
import numpy as np

from w2v_core.projection import umap_layout

# numba's OpenMP layer kills any process forked after it ran (it cannot be forked safely); the job children are
# forks of this process, so its parallel code (nearest-neighbour descent) uses the fork-safe work queue.
numba.config.THREADING_LAYER = "workqueue"


def warm_up() -> None:
    """One small seeded map through the same code path as real jobs (approximate neighbours included)."""
    points = np.random.default_rng(0).normal(size=(60, 8)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        umap_layout(points, dims=2, epochs_done=lambda *_: None)
        umap_layout(points, dims=3)


warm_up()
