"""Peak memory of training on a large corpus: ``python -m w2v_core train`` against gensim (``gensim_train.py``,
``LineSentence``), alternating, each a fresh process whose peak RSS comes from ``os.wait4``.

The allowance is gensim's peak plus 4 bytes per token (the corpus as int32 ids); a run on a one-line corpus
shows what the process costs before any text (Python, numpy, numba and its compiled kernels).

    python -m benchmarks.bench_memory                         # KJV x 26 (107.6 MB), see bench_pipeline.py
    python -m benchmarks.bench_memory --corpus FILE --rounds 2 --model cbow --epochs 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_pipeline import kjv_corpus
from benchmarks.harness import ROOT, print_header, table_head, table_row

MB = 1 << 20


def peak_run(command: list[str]) -> tuple[int, dict]:
    """Peak RSS in bytes of ``command`` and the JSON line it prints last."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(process.pid, 0)
        out.seek(0)
        lines = out.read().decode().strip().splitlines()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command} failed")
    return usage.ru_maxrss * 1024, json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="a .txt file (default: KJV x 26)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--model", choices=["skipgram", "cbow"], default="cbow")
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args(argv)
    path = args.corpus or kjv_corpus()
    common = [str(path), "--model", args.model, "--epochs", str(args.epochs), "--workers", "2"]
    with tempfile.TemporaryDirectory() as folder:
        tiny = Path(folder) / "tiny.txt"
        tiny.write_text("a b c d e f a b c d e f\n" * 5)
        ours_cmd = [sys.executable, "-m", "w2v_core", "train", "-o", f"{folder}/ours.bin", "--quiet"]
        gensim_cmd = [sys.executable, str(ROOT / "benchmarks" / "gensim_train.py"), "-o", f"{folder}/gensim.bin"]
        tiny_cmd = [*ours_cmd, str(tiny), "--model", args.model, "--epochs", "1", "--min-count", "1"]
        peak_run(tiny_cmd)  # compiles the kernels into numba's cache if needed (compiling takes more memory)
        base = peak_run(tiny_cmd)[0]
        ours, gensim, tokens = [], [], 0
        for _ in range(args.rounds):
            peak, summary = peak_run([*ours_cmd, *common])
            ours.append(peak)
            tokens = summary["tokens"]
            gensim.append(peak_run([*gensim_cmd, *common])[0])
    total_tokens = tokens  # kept tokens; the allowance uses them (a smaller allowance than all tokens)
    ours_mb, gensim_mb = statistics.median(ours) / MB, statistics.median(gensim) / MB
    allowed = gensim_mb + 4 * total_tokens / MB
    print_header("bench_memory", argv, f"corpus {path.name}: {path.stat().st_size / 1e6:.1f} MB, {total_tokens:,} "
                 f"tokens kept; {args.model}, {args.epochs} epoch(s), workers 2")
    print(table_head("process", "peak RSS MB (median)"))
    for name, mb in (("w2v_core train", ours_mb), ("gensim Word2Vec + LineSentence", gensim_mb),
                     ("allowance: gensim + 4 B/token", allowed),
                     ("w2v_core train on a one-line corpus (runtime alone)", base / MB)):
        print(table_row(name, f"{mb:.0f}"))
    print(f"ours - allowance: {ours_mb - allowed:+.0f} MB; ours above its runtime: "
          f"{(statistics.median(ours) - base) / total_tokens:.1f} bytes per token")
    return 0


if __name__ == "__main__":
    sys.exit(main())
