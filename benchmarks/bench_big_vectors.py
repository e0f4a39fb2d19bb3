"""Vectors larger than memory: a synthetic 3M x 300 word2vec .bin (3.6 GB) answered by ``w2v neighbours`` (first
without its memory-mapped cache, then with it) against gensim's ``load_word2vec_format`` + ``most_similar``:
seconds to the first answer, per further query, peak anonymous memory. Needs 7.5 GB of disk while it runs.

    python -m benchmarks.bench_big_vectors --repeats 1       # --words 300000 for a quick run
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import psutil

from benchmarks.harness import ROOT, print_header, table_head, table_row

DATA = ROOT / "benchmarks" / "data"
QUERIES = 10

GENSIM_PEER = """
import sys, time
from gensim.models import KeyedVectors
path, k, words = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
kv = KeyedVectors.load_word2vec_format(path, binary=True)
for word in words:
    if ":" in word:
        a, b, c = word.split(":")
        answer = kv.most_similar(positive=[b, c], negative=[a], topn=k)
    else:
        answer = kv.most_similar(word, topn=k)
    print("# " + word); print("\\n".join(f"{w}\\t{s:.4f}" for w, s in answer), flush=True)
"""


def write_synthetic(path: Path, words: int, dim: int, seed: int = 0, block: int = 100_000) -> None:
    """A word2vec binary file of ``words`` random ``dim``-vectors (fixed-width words, written block by block)."""
    record = np.dtype([("word", "S8"), ("space", "S1"), ("vector", "<f4", (dim,))])
    rng = np.random.default_rng(seed)
    with path.open("wb") as out:
        out.write(f"{words} {dim}\n".encode())
        for start in range(0, words, block):
            n = min(block, words - start)
            rows = np.empty(n, dtype=record)
            rows["word"] = [f"w{i:07d}".encode() for i in range(start, start + n)]
            rows["space"] = b" "
            rows["vector"] = rng.standard_normal((n, dim), dtype=np.float32)
            out.write(rows.tobytes())


def timed_run(command: list[str]) -> dict:
    """Start ``command``; times (from start) at which each answer block arrives, and peak anonymous MB."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak, process = [0], psutil.Process(child.pid)

    def sample() -> None:  # RssAnon: resident pages that are not file-backed or shared memory
        while child.poll() is None:
            with contextlib.suppress(psutil.Error):
                memory = process.memory_info()
                peak[0] = max(peak[0], memory.rss - memory.shared)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    arrivals = []
    for line in child.stdout:
        if line.startswith("# "):
            arrivals.append(time.perf_counter() - started)
    child.wait()
    sampler.join()
    error = child.stderr.read()
    if child.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed: {error[-500:]}")
    # a block's header arrives with its answer (one flush per query); the last block ends with the process
    ends = arrivals[1:] + [time.perf_counter() - started]
    return {"first_s": ends[0], "per_query_s": statistics.median(np.diff(ends)) if len(ends) > 1 else float("nan"),
            "rss_anon_mb": peak[0] / 2**20, "seconds": ends[-1]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=3_000_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=2, help="alternations of ours (cache built) and gensim")
    parser.add_argument("--no-gensim", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the file and its cache")
    args = parser.parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"synthetic-{args.words}x{args.dim}.bin"
    from w2v_core.formats import cache_folder

    rng = np.random.default_rng(1)
    picks = rng.choice(args.words, size=QUERIES + 6, replace=False)
    words = [f"w{i:07d}" for i in picks[:QUERIES]]
    triples = [[f"w{i:07d}" for i in picks[QUERIES + j:QUERIES + j + 3]] for j in (0, 3)]
    ours = [sys.executable, "-m", "w2v_core", "neighbours", str(path), *words, "-k", "10"]
    for triple in triples:
        ours += ["--analogy", *triple]
    peer = [sys.executable, "-c", GENSIM_PEER, str(path), "10", *words, *(":".join(t) for t in triples)]
    try:
        started = time.perf_counter()
        write_synthetic(path, args.words, args.dim)
        print(f"wrote {path.name}: {path.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
        rows = [("ours, first open (builds the cache)", timed_run(ours))]
        for _ in range(args.repeats):
            rows.append(("ours, cache built", timed_run(ours)))
            if not args.no_gensim:
                rows.append(("gensim load_word2vec_format", timed_run(peer)))
        cache_mb = sum(f.stat().st_size for f in cache_folder(path).glob("*")) / 1e6  # none under 256 MB
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)
            shutil.rmtree(cache_folder(path), ignore_errors=True)
    print_header("bench_big_vectors", argv, f"{args.words:,} x {args.dim} "
                 f"({args.words * (args.dim * 4 + 9) / 1e9:.2f} GB), cache {cache_mb:,.0f} MB; "
                 f"{QUERIES} neighbour queries + 2 analogies, k=10")
    print(table_head("run", "first answer s", "per further query s (median)", "peak RssAnon MB"))
    for name, row in rows:
        print(table_row(name, f"{row['first_s']:.1f}", f"{row['per_query_s']:.2f}", f"{row['rss_anon_mb']:,.0f}"))

if __name__ == "__main__":
    main()
