"""Vectors larger than memory: a synthetic 3M x 300 word2vec .bin (3.6 GB) answered by ``w2v neighbours`` (first
without its memory-mapped cache, then with it) against gensim's ``load_word2vec_format`` + ``most_similar``:
seconds to the first answer, per further query, peak anonymous memory. Needs 7.5 GB of disk while it runs.

    python -m benchmarks.bench_big_vectors --repeats 1
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import threading
import time
from contextlib import suppress

import numpy as np
import psutil

from benchmarks.harness import ROOT, header, print_table

WORDS, DIM, QUERIES = 3_000_000, 300, 10
GENSIM_PEER = """
import sys
from gensim.models import KeyedVectors
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=True)
for word in sys.argv[2:]:
    a, b, c = word.split(":") if ":" in word else (None, word, None)
    answer = kv.most_similar(positive=[b, c] if c else [b], negative=[a] if a else [], topn=10)
    print("# " + word); print("\\n".join(f"{w}\\t{s:.4f}" for w, s in answer), flush=True)
"""


def write_synthetic(path, block: int = 100_000) -> None:  # noqa: ANN001
    """A word2vec binary file of WORDS random vectors (words "w0000000"), written block by block."""
    record = np.dtype([("word", "S8"), ("space", "S1"), ("vector", "<f4", (DIM,))])
    rng = np.random.default_rng(0)
    with path.open("wb") as out:
        out.write(f"{WORDS} {DIM}\n".encode())
        for start in range(0, WORDS, block):
            rows = np.empty(min(block, WORDS - start), dtype=record)
            rows["word"] = [f"w{i:07d}".encode() for i in range(start, start + len(rows))]
            rows["space"], rows["vector"] = b" ", rng.standard_normal((len(rows), DIM), dtype=np.float32)
            out.write(rows.tobytes())


def timed_run(command: list[str]) -> dict:
    """Run ``command``: when each answer block is complete (seconds from start), peak RssAnon (MB, every 20 ms)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak, process = [0], psutil.Process(child.pid)

    def sample() -> None:  # RssAnon: resident pages that are not file-backed or shared memory
        with suppress(psutil.Error):
            while child.poll() is None:
                peak[0] = max(peak[0], (memory := process.memory_info()).rss - memory.shared)
                time.sleep(0.02)

    (sampler := threading.Thread(target=sample, daemon=True)).start()
    arrivals = [time.perf_counter() - started for line in child.stdout if line.startswith("# ")]
    child.wait()
    sampler.join()
    if child.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed: {child.stderr.read()[-500:]}")
    ends = arrivals[1:] + [time.perf_counter() - started]  # a block ends where the next starts, or with the process
    return {"first_s": ends[0], "per_query_s": statistics.median(np.diff(ends)), "rss_anon_mb": peak[0] / 2**20}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2, help="alternations of ours (cache built) and gensim")
    args = parser.parse_args(argv)
    from w2v_core.formats import cache_folder

    (path := ROOT / "benchmarks" / "data" / f"synthetic-{WORDS}x{DIM}.bin").parent.mkdir(exist_ok=True)
    picks = [f"w{i:07d}" for i in np.random.default_rng(1).choice(WORDS, size=QUERIES + 6, replace=False)]
    words, triples = picks[:QUERIES], [picks[QUERIES:QUERIES + 3], picks[QUERIES + 3:]]
    ours = [sys.executable, "-m", "w2v_core", "neighbours", str(path), *words, "-k", "10",
            *(arg for triple in triples for arg in ("--analogy", *triple))]
    peer = [sys.executable, "-c", GENSIM_PEER, str(path), *words, *map(":".join, triples)]
    try:
        write_synthetic(path)
        rows = [("ours, first open (builds the cache)", timed_run(ours))]
        for _ in range(args.repeats):
            rows += [("ours, cache built", timed_run(ours)), ("gensim load_word2vec_format", timed_run(peer))]
        cache_mb = sum(f.stat().st_size for f in cache_folder(path).glob("*")) / 1e6
    finally:
        path.unlink(missing_ok=True)
        shutil.rmtree(cache_folder(path), ignore_errors=True)
    header("bench_big_vectors", argv, f"{WORDS:,} x {DIM} ({WORDS * (DIM * 4 + 9) / 1e9:.2f} GB), cache "
           f"{cache_mb:,.0f} MB; {QUERIES} neighbour queries + 2 analogies, k=10")
    print_table(["run", "first answer s", "per further query s (median)", "peak RssAnon MB"], [
        (name, f"{r['first_s']:.1f}", f"{r['per_query_s']:.2f}", f"{r['rss_anon_mb']:,.0f}") for name, r in rows])


if __name__ == "__main__":
    main()
