"""Peak memory of training on a large corpus (default: KJV x 26, 107.6 MB): ``python -m w2v_core train`` against
gensim (``gensim_train.py``, ``LineSentence``), 1 epoch, 2 workers, medians of 2 alternating rounds, each run a
process. Allowance: gensim's peak plus 4 bytes per token (the ids); a one-line corpus shows the runtime's own cost.

    python -m benchmarks.bench_memory [--model skipgram] [--corpus benchmarks/data/kjv26.txt.gz]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_gensim import parse_summary, run_measured
from benchmarks.bench_pipeline import kjv_corpus
from benchmarks.harness import ROOT, header, print_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, help="a .txt file (default: KJV x 26)")
    parser.add_argument("--model", choices=["skipgram", "cbow"], default="cbow")
    args = parser.parse_args(argv)
    path = args.corpus or kjv_corpus()
    common = [str(path), "--model", args.model, "--epochs", "1", "--workers", "2"]
    with tempfile.TemporaryDirectory() as folder:
        def peak(name: str, command: list[str]) -> tuple[float, dict]:
            done = run_measured(command, Path(folder), name)
            if done.returncode != 0:
                raise RuntimeError(f"{command} failed: {done.stderr[-1000:]}")
            return done.peak_rss_mb, parse_summary(done.stdout)

        (tiny := Path(folder) / "tiny.txt").write_text("a b c d e f a b c d e f\n" * 5)
        ours = [sys.executable, "-m", "w2v_core", "train", "-o", f"{folder}/ours.bin", "--quiet"]
        gensim = [sys.executable, str(ROOT / "benchmarks" / "gensim_train.py"), "-o", f"{folder}/gensim.bin"]
        tiny_run = [*ours, str(tiny), "--model", args.model, "--epochs", "1", "--min-count", "1"]
        peak("tiny", tiny_run)  # compiles the kernels into numba's cache if needed (compiling takes more memory)
        base = peak("tiny", tiny_run)[0]
        runs = [(peak("ours", [*ours, *common]), peak("gensim", [*gensim, *common])[0]) for _ in range(2)]
    tokens = runs[0][0][1]["tokens"]  # kept tokens: a smaller allowance than all tokens
    ours_mb, gensim_mb = statistics.median(o[0] for o, _ in runs), statistics.median(g for _, g in runs)
    allowed = gensim_mb + 4 * tokens / 2**20
    header("bench_memory", argv, f"corpus {path.name}: {path.stat().st_size / 1e6:.1f} MB, {tokens:,} tokens kept; "
           f"{args.model}, 1 epoch, workers 2")
    print_table(["process", "peak RSS MB (median)"], [(name, f"{mb:.0f}") for name, mb in (
        ("w2v_core train", ours_mb), ("gensim Word2Vec + LineSentence", gensim_mb),
        ("allowance: gensim + 4 B/token", allowed), ("w2v_core train on a one-line corpus (runtime alone)", base))])
    print(f"ours - allowance: {ours_mb - allowed:+.0f} MB; ours above its runtime: "
          f"{(ours_mb - base) * 2**20 / tokens:.1f} bytes per token")
    return 0


if __name__ == "__main__":
    sys.exit(main())
