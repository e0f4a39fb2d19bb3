"""Spark MLlib's Word2Vec against ours on the generated teaching corpus, each ``python -m w2v_core train`` a process,
alternating: wall seconds (start-up included) and quality (teaching analogies; share of a group word's 5 nearest
neighbours in its group), medians over repeats. Needs pyspark and Java.

    python -m benchmarks.bench_spark                    # 10,000 sentences, 2 repeats: about 10 minutes
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import TRAIN, header, print_table, trained
from w2v_core.evaluation import evaluate_analogies
from w2v_core.formats import load_vectors
from w2v_core.teaching import TEACHING_ANALOGIES, TEACHING_GROUPS, generate_teaching_corpus, group_of

SENTENCES, REPEATS = 10_000, 2
COMMON = ["--dim", "100", "--window", "5", "--min-count", "5", "--epochs", "5", "--alpha", "0.025", "--quiet"]
CONFIGS = {"ours, negative sampling + subsampling": ["--model", "skipgram", "--loss", "negative"],
           "ours, hierarchical softmax, no subsampling": ["--model", "skipgram", "--loss", "hierarchical", "--sample",
                                                          "0"],
           **{f"Spark, {n} partition{'s' * (n > 1)}": ["--engine", "spark", "--master", "local[2]", "--partitions",
                                                     str(n)] for n in (1, 2, 4)}}


def group_precision(path: Path, k: int = 5) -> float:
    """Share of the k nearest neighbours of every teaching group word that belong to its group."""
    emb = load_vectors(path)
    hits = [group_of(w) == group for group, words in TEACHING_GROUPS.items() for word in words if word in emb
            for w, _ in emb.most_similar(word, k=k)]
    return sum(hits) / max(len(hits), 1)


def run(corpus: Path, options: list[str], seed: int) -> dict:
    out = corpus.with_name("vectors.bin")
    done, _ = trained([*TRAIN, str(corpus), "-o", str(out), *COMMON, "--seed", str(seed), *options], corpus.parent,
                      "train")
    analogies = evaluate_analogies(load_vectors(out), {"teaching": list(TEACHING_ANALOGIES)}, restrict_vocab=None)
    return {"seconds": done.wall_seconds, "analogies": analogies.accuracy, "groups": group_precision(out)}


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    results: dict[str, list[dict]] = {name: [] for name in CONFIGS}
    loads, sentences = [], generate_teaching_corpus(SENTENCES, seed=0)
    with tempfile.TemporaryDirectory() as folder:
        (corpus := Path(folder) / "teaching.txt").write_text("\n".join(sentences) + "\n")
        run(corpus, CONFIGS[next(iter(CONFIGS))], seed=0)  # untimed: kernels cached
        for repeat in range(REPEATS):
            for name, options in CONFIGS.items():
                loads.append(os.getloadavg()[0])
                results[name].append(run(corpus, options, seed=repeat + 1))
                print(f"{name}: {results[name][-1]}", file=sys.stderr)
    header("bench_spark", argv, f"load average {min(loads):.1f}-{max(loads):.1f} during the runs; teaching corpus "
           f"{SENTENCES:,} sentences ({sum(map(len, map(str.split, sentences))):,} tokens), {REPEATS} "
           "repeat(s), medians")
    print_table(["run", "wall s", "teaching analogies", "group words among 5 neighbours"], [
        (name, *(format(statistics.median(row[key] for row in rows), spec) for key, spec in
                 (("seconds", ".0f"), ("analogies", ".0%"), ("groups", ".0%")))) for name, rows in results.items()])


if __name__ == "__main__":
    main()
