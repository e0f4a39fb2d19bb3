"""Telemetry overhead: CPU seconds of one training epoch in one thread (``time.thread_time``) with the per-word
gradient norms on and off, alternating in one process, with ``bench_gensim``'s settings; overhead: the median of
each on run over the off run beside it, minus 1.

    python -m benchmarks.bench_telemetry --corpus benchmarks/data/webster.lower.txt --repeats 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from benchmarks.bench_gensim import CONFIGS, SETTINGS
from benchmarks.harness import header, print_table
from w2v_core.corpus import load_corpus
from w2v_core.trainer import TrainConfig, Trainer, warm_up


def epoch_cpu_seconds(corpus, config: str, telemetry: bool, seed: int) -> float:  # noqa: ANN001
    """CPU seconds of the calling thread for one epoch of ``config`` (workers=1, ``Trainer.step``)."""
    settings = {k: v for k, v in SETTINGS.items() if k != "min_count"}
    model, loss = CONFIGS[config]
    trainer = Trainer(corpus, TrainConfig(model=model, loss=loss, **settings, epochs=1, workers=1, seed=seed,
                                          telemetry=telemetry))
    started = time.thread_time()
    trainer.step(corpus.n_tokens)
    return time.thread_time() - started


def overhead(corpus, config: str, repeats: int) -> tuple:  # noqa: ANN001
    on, off = [], []
    for repeat in range(repeats):
        for telemetry in (True, False) if repeat % 2 == 0 else (False, True):
            (on if telemetry else off).append(epoch_cpu_seconds(corpus, config, telemetry, seed=repeat + 1))
    return (config, f"{statistics.median(on):.2f}", f"{statistics.median(off):.2f}",
            f"{statistics.median(a / b - 1 for a, b in zip(on, off, strict=True)):+.1%}", f"{len(on)}/{len(off)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a text file (bench_gensim writes *.lower.txt)")
    parser.add_argument("--repeats", type=int, default=5, help="alternations of telemetry on and off")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.corpus, min_count=SETTINGS["min_count"])
    warm_up()
    header("bench_telemetry", argv, f"{args.corpus.name}: {corpus.n_tokens:,} tokens, {len(corpus.vocab):,} words; "
           f"{args.repeats} alternations")
    print_table(["Config", "CPU s per epoch, telemetry on (median)", "off (median)",
                 "Overhead (median of paired on/off - 1)", "Runs on/off"],
                (overhead(corpus, config, args.repeats) for config in CONFIGS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
