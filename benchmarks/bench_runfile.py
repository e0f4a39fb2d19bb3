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

from benchmarks.harness import print_header, table_head, table_row
from w2v_core.corpus import Corpus, build_corpus, load_corpus
from w2v_core.datasets import KJV_PATH
from w2v_core.runfile import read_run, run_bytes, write_run
from w2v_core.teaching import generate_teaching_corpus
from w2v_core.trainer import TrainConfig, Trainer, warm_up

CORPORA = {"teaching": "Teaching corpus (100,000 sentences)", "kjv": "King James Bible"}
FULL_SNAPSHOTS, FULL_REPORTS = 60, 500  # the trainer's bounds (max_snapshots, max_history // 4)


def corpus_of(name: str) -> Corpus:
    if name == "teaching":
        return build_corpus(generate_teaching_corpus(100_000, seed=0), min_count=5)
    return load_corpus(KJV_PATH, min_count=5)


def train(corpus: Corpus) -> Trainer:
    """One run with the app's defaults, in background threads as the app runs it."""
    trainer = Trainer(corpus, TrainConfig())
    ended = threading.Event()
    trainer.add_done_callback(lambda _: ended.set())
    trainer.start()
    ended.wait()
    assert trainer.state == "finished", trainer.error
    return trainer


def full_bound_mb(trainer: Trainer) -> float:
    """Unpacked MB of this run's arrays with full histories (weights, 60 snapshots and 500 gradient reports in
    float16; small arrays are left out)."""
    v, d = len(trainer.vocab), trainer.config.dim
    weights = (v + len(trainer.w_out)) * d * 4
    snapshots = FULL_SNAPSHOTS * min(1000, v) * d * 2
    reports = FULL_REPORTS * 2 * min(5000, v) * 2
    return (weights + snapshots + reports) / 1e6


def session_mb(path: Path, sessions: int = 5) -> float:
    """Resident MB each of ``sessions`` trainers opened from one run read once adds (with the run state a
    session keeps for its Compare page)."""
    process = psutil.Process()
    run = read_run(path)
    gc.collect()
    before = process.memory_info().rss
    kept = []
    for _ in range(sessions):
        trainer = Trainer.from_run_state(run)
        kept.append((trainer, trainer.run_state()))
    gc.collect()
    return (process.memory_info().rss - before) / sessions / 1e6


def measure(name: str, repeats: int) -> dict:
    corpus = corpus_of(name)
    trainer = train(corpus)
    run = trainer.run_state(CORPORA[name], {"kind": name})
    writes, reads = [], []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.w2vrun"
        for _ in range(repeats):
            started = time.perf_counter()
            write_run(run, path)
            writes.append(time.perf_counter() - started)
            started = time.perf_counter()
            read_run(path)
            reads.append(time.perf_counter() - started)
        size = path.stat().st_size
        per_session = session_mb(path)
    with zipfile.ZipFile(io.BytesIO(run_bytes(run))) as archive:
        parts = {info.filename.removesuffix(".npy"): info.compress_size for info in archive.infolist()}
    return {"corpus": CORPORA[name], "vocab": len(corpus.vocab), "tokens": corpus.n_tokens, "size_mb": size / 1e6,
            "weights_mb": (parts["w_in"] + parts["w_out"]) / 1e6, "snapshots": len(run.snapshot_meta),
            "snapshots_mb": parts["snapshot_vectors"] / 1e6, "reports": len(run.gradient_words),
            "gradients_mb": (parts["gradient_input"] + parts["gradient_output"]) / 1e6,
            "write_s": statistics.median(writes), "read_s": statistics.median(reads),
            "bound_mb": full_bound_mb(trainer), "session_mb": per_session}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="writes and reads of each run file (median)")
    parser.add_argument("--corpora", default=",".join(CORPORA), help="teaching, kjv or both")
    args = parser.parse_args(argv)
    warm_up()
    print_header("bench_runfile", argv, f"TrainConfig() defaults; median of {args.repeats} writes and reads")
    print(table_head("Corpus", "Vocabulary", "File MB", "weights MB", "snapshots (MB)", "gradient reports (MB)",
                     "write s", "read + check s", "full-history bound MB", "MB per session opening it"))
    for name in args.corpora.split(","):
        row = measure(name.strip(), args.repeats)
        print(table_row(row["corpus"], f"{row['vocab']:,}", f"**{row['size_mb']:.1f}**", f"{row['weights_mb']:.1f}",
                        f"{row['snapshots']} ({row['snapshots_mb']:.1f})",
                        f"{row['reports']} ({row['gradients_mb']:.1f})", f"{row['write_s']:.2f}",
                        f"{row['read_s']:.2f}", f"{row['bound_mb']:.1f}", f"{row['session_mb']:.1f}"), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
