"""What a saved run weighs: a run of each bundled corpus with the app's defaults as a ``.w2vrun``: size and parts,
seconds to write and read it back (with every check), the bound with full histories, and the memory each of 5
sessions adds when they open the run read once.

    python -m benchmarks.bench_runfile                 # both corpora, about a minute on 2 cores
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import psutil

from benchmarks.harness import header, print_table
from w2v_core.corpus import build_corpus, load_corpus
from w2v_core.datasets import KJV_PATH
from w2v_core.runfile import read_run, run_bytes, write_run
from w2v_core.teaching import generate_teaching_corpus
from w2v_core.trainer import TrainConfig, Trainer, warm_up

CORPORA = {"teaching": "Teaching corpus (100,000 sentences)", "kjv": "King James Bible"}
REPEATS = 3  # writes and reads of each run file (median)
FULL_SNAPSHOTS, FULL_REPORTS = 60, 500  # the trainer's bounds (max_snapshots, max_history // 4)


def session_mb(path: Path, sessions: int = 5) -> float:
    """Resident MB each of ``sessions`` trainers opened from one run read once adds (with the run state a
    session keeps for its Compare page)."""
    process, run = psutil.Process(), read_run(path)
    gc.collect()
    before = process.memory_info().rss
    kept = [(trainer, trainer.run_state()) for trainer in (Trainer.from_run_state(run) for _ in range(sessions))]
    gc.collect()
    return (process.memory_info().rss - before) / len(kept) / 1e6


def seconds(action) -> float:  # noqa: ANN001
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(name: str) -> tuple:
    """A row of the table for corpus ``name``: a run with the app's defaults in background threads, as the app."""
    corpus = build_corpus(generate_teaching_corpus(100_000, seed=0), min_count=5) if name == "teaching" else \
        load_corpus(KJV_PATH, min_count=5)
    trainer, ended = Trainer(corpus, TrainConfig()), threading.Event()
    trainer.add_done_callback(lambda _: ended.set())
    trainer.start()
    ended.wait()
    assert trainer.state == "finished", trainer.error
    run = trainer.run_state(CORPORA[name], {"kind": name})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.w2vrun"
        times = [(seconds(lambda: write_run(run, path)), seconds(lambda: read_run(path))) for _ in range(REPEATS)]
        size, per_session = path.stat().st_size, session_mb(path)
    with zipfile.ZipFile(io.BytesIO(run_bytes(run))) as archive:
        mb = {info.filename.removesuffix(".npy"): info.compress_size / 1e6 for info in archive.infolist()}
    v, d = len(trainer.vocab), trainer.config.dim  # full histories: weights, snapshots and reports in float16
    full_mb = ((v + len(trainer.w_out)) * d * 4 + FULL_SNAPSHOTS * min(1000, v) * d * 2
               + FULL_REPORTS * 2 * min(5000, v) * 2) / 1e6
    return (CORPORA[name], f"{len(corpus.vocab):,}", f"**{size / 1e6:.1f}**", f"{mb['w_in'] + mb['w_out']:.1f}",
            f"{len(run.snapshot_meta)} ({mb['snapshot_vectors']:.1f})",
            f"{len(run.gradient_words)} ({mb['gradient_input'] + mb['gradient_output']:.1f})",
            *(f"{statistics.median(column):.2f}" for column in zip(*times, strict=True)), f"{full_mb:.1f}",
            f"{per_session:.1f}")


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    warm_up()
    header("bench_runfile", argv, f"TrainConfig() defaults; median of {REPEATS} writes and reads")
    print_table(["Corpus", "Vocabulary", "File MB", "weights MB", "snapshots (MB)", "gradient reports (MB)", "write s",
                 "read + check s", "full-history bound MB", "MB per session opening it"],
                (measure(name) for name in CORPORA))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
