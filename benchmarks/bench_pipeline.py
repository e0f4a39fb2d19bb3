"""Corpus pipeline speed: file to int32 ids with the vocabulary counted, ours (``load_corpus`` on the .txt and the
.gz) against the Python tokenizer path it replaced (``tokenize`` per line, a dict of ids), alternating, each run a
fresh process pinned to one CPU timing only the reading, medians of 3 rounds on KJV x 26 (107.6 MB).

    python -m benchmarks.bench_pipeline
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.harness import ROOT, header, print_table

DATA = ROOT / "benchmarks" / "data"
ROUNDS = 3
CHILD = """
import json, os, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from w2v_core.corpus import build_corpus, line_pieces, load_corpus, read_text
kind, path = sys.argv[1], sys.argv[2]

def python_path(path):
    ids, provisional = {}, []
    for line in read_text(path).splitlines():
        for piece in line_pieces(line):
            provisional.extend(ids.setdefault(word, len(ids)) for word in piece)
    return len(provisional)

build_corpus(["warm up the kernels"], min_count=1)
cpu, started = time.process_time(), time.perf_counter()
tokens = load_corpus(path, min_count=5).vocab.total_tokens if kind == "ours" else python_path(path)
print(json.dumps({"tokens": tokens, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}))
"""


def kjv_corpus(copies: int = 26) -> Path:
    """The King James Bible (public domain, the app's sample text) ``copies`` times, and its .gz: 107.6 MB for 26."""
    from w2v_core.datasets import KJV_PATH

    if not (path := DATA / f"kjv{copies}.txt").exists():
        DATA.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.decompress(KJV_PATH.read_bytes()) * copies)
    if not (gz := path.with_suffix(".txt.gz")).exists():
        gz.write_bytes(gzip.compress(path.read_bytes(), compresslevel=6))
    return path


def run(kind: str, path: Path) -> dict:
    return json.loads(subprocess.run([sys.executable, "-c", CHILD, kind, str(path)], capture_output=True, text=True,
                                     cwd=ROOT, check=True).stdout)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args(argv)
    path = kjv_corpus()
    sides = {"ours .txt": ("ours", path), "ours .gz": ("ours", path.with_suffix(".txt.gz")),
             "python tokenizer .txt": ("python", path)}
    runs = [{name: run(*side) for name, side in sides.items()} for _ in range(ROUNDS)]
    size = path.stat().st_size
    header("bench_pipeline", argv, f"corpus {path.name}: {size / 1e6:.1f} MB")

    def row(name: str) -> tuple:
        tokens = runs[0][name]["tokens"]
        wall, cpu = (statistics.median(r[name][k] for r in runs) for k in ("seconds", "cpu"))
        return name, f"{tokens:,}", f"{tokens / size:.3f}", f"{wall:.2f}", f"{cpu:.2f}", f"{tokens / cpu / 1e6:.1f}"

    print_table(["pipeline", "tokens", "tokens/byte", "wall s (median)", "CPU s (median)", "M tokens/s (CPU)"],
                map(row, sides))
    return 0


if __name__ == "__main__":
    sys.exit(main())
