"""Peak memory of training on a large corpus (default: KJV x 26, 107.6 MB): ``python -m w2v_core train`` against
gensim (``gensim_train.py``), 1 epoch, 2 workers, medians of 2 alternating rounds, each run a process. Allowance:
gensim's peak plus 4 bytes per token (the ids); a one-line corpus shows the runtime's own cost.

    python -m benchmarks.bench_memory [--model skipgram] [--corpus benchmarks/data/kjv26.txt.gz]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_pipeline import kjv_corpus
from benchmarks.harness import ROOT, TRAIN, header, print_table, trained


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, help="a .txt file (default: KJV x 26)")
    parser.add_argument("--model", choices=["skipgram", "cbow"], default="cbow")
    args = parser.parse_args(argv)
    path = args.corpus or kjv_corpus()
    common = [str(path), "--model", args.model, "--epochs", "1", "--workers", "2"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (tiny := folder / "tiny.txt").write_text("a b c d e f a b c d e f\n" * 5)
        ours = [*TRAIN, "-o", str(folder / "ours.bin"), "--quiet"]
        gensim = [sys.executable, str(ROOT / "benchmarks" / "gensim_train.py"), "-o", str(folder / "gensim.bin")]
        tiny_run = [*ours, str(tiny), "--model", args.model, "--epochs", "1", "--min-count", "1"]
        trained(tiny_run, folder, "tiny")  # compiles the kernels into numba's cache if needed (that takes more memory)
        base = trained(tiny_run, folder, "tiny")[0].peak_rss_mb
        runs = [(trained([*ours, *common], folder, "ours"), trained([*gensim, *common], folder, "gensim")[0])
                for _ in range(2)]
    tokens = runs[0][0][1]["tokens"]  # kept tokens: a smaller allowance than all tokens
    ours_mb = statistics.median(o.peak_rss_mb for (o, _), _ in runs)
    gensim_mb = statistics.median(g.peak_rss_mb for _, g in runs)
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
