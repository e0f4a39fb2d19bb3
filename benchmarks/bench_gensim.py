"""Speed and quality against gensim: ``python -m w2v_core train`` and ``gensim_train.py`` on one corpus (written
lower-case, one space between our tokens, for gensim's split) with the same settings, alternating, each run a
process (wall and CPU seconds, peak RSS), scored on WordSim-353, SimLex-999 and the Google analogies.

    python -m benchmarks.bench_gensim --snapshot --corpus webster --epochs 1 --repeats 3 --workers 2
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import math
import os
import shlex
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections import namedtuple
from pathlib import Path

from benchmarks.get_large_corpora import PACKAGES, ensure, write_lines
from benchmarks.harness import ROOT, TRAIN, commit, header, table, trained

CONFIGS = {"skipgram-negative": ("skipgram", "negative"), "cbow-negative": ("cbow", "negative"),
           "skipgram-hierarchical": ("skipgram", "hierarchical"), "cbow-hierarchical": ("cbow", "hierarchical")}
SETTINGS = {"dim": 100, "window": 5, "negative": 5, "min_count": 5, "sample": 1e-3}
SCORES = ("wordsim", "simlex", "analogy")
COLUMNS = ["Config", "Workers", "Wall ours (s)", "Wall gensim (s)", "Ratio gensim/ours (range)",
           "CPU ours / gensim (s)", "Words/s ours", "Words/s gensim", "Peak RSS ours (MB)", "Peak RSS gensim (MB)",
           "WordSim ours / gensim", "SimLex ours / gensim", "Analogy ours / gensim"]
# one timed and scored run of ``tool`` ("ours" | "gensim")
RunResult = namedtuple("RunResult", "tool config workers repeat wall_seconds cpu_seconds peak_rss_mb words_per_second "
                       "vocab tokens wordsim simlex analogy seed", defaults=[1])


def median(values: list[float], of=statistics.median) -> float:  # noqa: ANN001
    """Median (or ``of``) of the finite values; NaN when there are none."""
    finite = [v for v in values if math.isfinite(v)]
    return float(of(finite)) if finite else float("nan")


def speed_ratio(gensim_seconds: float, our_seconds: float) -> float:
    """gensim's time over ours: above 1 means ours is faster."""
    return gensim_seconds / our_seconds if our_seconds > 0 else float("nan")


def summarize(runs: list[RunResult]) -> list[dict]:
    """One row per (config, workers) with both tools: medians of both, and ratio = gensim wall / our wall with
    its smallest and largest value over repeats (``ratio_low``, ``ratio_high``)."""
    rows = []
    for config, workers in sorted({(r.config, r.workers) for r in runs}, key=lambda k: (list(CONFIGS).index(k[0]),
                                                                                         k[1])):
        cell = [r for r in runs if (r.config, r.workers) == (config, workers)]
        ours, gensim = [r for r in cell if r.tool == "ours"], {r.repeat: r for r in cell if r.tool == "gensim"}
        if not ours or not gensim:
            continue
        pairs = [speed_ratio(gensim[o.repeat].wall_seconds, o.wall_seconds) for o in ours if o.repeat in gensim]
        row = {"config": config, "workers": workers}
        for name, key in (("wall", "wall_seconds"), ("cpu", "cpu_seconds"), ("wps", "words_per_second"),
                          ("rss", "peak_rss_mb"), *((s, s) for s in SCORES)):
            row |= {f"{name}_ours": median([getattr(r, key) for r in ours]),
                    f"{name}_gensim": median([getattr(r, key) for r in gensim.values()])}
        rows.append(row | {"ratio": speed_ratio(row["wall_gensim"], row["wall_ours"]),
                           "ratio_low": min(pairs, default=0.0), "ratio_high": max(pairs, default=0.0)})
    return rows


def quality_by_config(runs: list[RunResult]) -> list[dict]:
    """Per config, pooled over every seed and worker count: each tool's mean scores and the bar on those means
    (one seed's scores move by more than the bar's margins): WordSim >= gensim's - 0.02, analogies >= 0.9x."""
    out = []
    for config in CONFIGS:
        cell = [r for r in runs if r.config == config]
        sides = {tool: [r for r in cell if r.tool == tool] for tool in ("ours", "gensim")}
        if not all(sides.values()):
            continue
        q = {f"{name}_{tool}": median([getattr(r, name) for r in side], statistics.fmean) for name in SCORES
             for tool, side in sides.items()}
        slack = 1e-9  # float rounding only: 0.18 must pass "0.9 x 0.20"
        out.append({"config": config, "runs_ours": len(sides["ours"]), "runs_gensim": len(sides["gensim"]),
                    "seeds": len({r.seed for r in cell}), **q,
                    "analogy_ratio": q["analogy_ours"] / q["analogy_gensim"] if q["analogy_gensim"] > 0 else math.nan,
                    "quality_ok": q["wordsim_ours"] >= q["wordsim_gensim"] - 0.02 - slack
                    and q["analogy_ours"] >= 0.9 * q["analogy_gensim"] - slack})
    return out


def _pair(row: dict, name: str, digits: int = 3) -> str:
    return " / ".join("n/a" if math.isnan(v) else f"{v:.{digits}f}" for v in (row[name + "_ours"],
                                                                              row[name + "_gensim"]))


def quality_table(rows: list[dict]) -> str:
    """The pooled quality comparison as Markdown."""
    return "\n".join(table(
        ["Config", "Runs ours / gensim (seeds)", "WordSim ours / gensim (bar: ≥ gensim − 0.02)", "SimLex ours / gensim",
         "Analogy ours / gensim (bar: ≥ 0.9×)", "Quality bar"],
        [(q["config"], f"{q['runs_ours']} / {q['runs_gensim']} ({q['seeds']})", _pair(q, "wordsim"),
          _pair(q, "simlex"), f"{_pair(q, 'analogy', 4)} ({q['analogy_ratio']:.2f}×)",
          "met" if q["quality_ok"] else "missed") for q in rows]))


def markdown_table(rows: list[dict]) -> str:
    """The speed comparison as Markdown (medians; the ratio with its smallest and largest per-repeat value)."""
    return "\n".join(table(COLUMNS, [(
        r["config"], r["workers"], f"{r['wall_ours']:.1f}", f"{r['wall_gensim']:.1f}",
        f"**{r['ratio']:.2f}** ({r['ratio_low']:.2f}–{r['ratio_high']:.2f})", _pair(r, "cpu", 1),
        f"{r['wps_ours']:,.0f}", f"{r['wps_gensim']:,.0f}", f"{r['rss_ours']:.0f}", f"{r['rss_gensim']:.0f}",
        *(_pair(r, name) for name in SCORES)) for r in rows]))


def report(runs: list[RunResult], header: dict[str, str], epochs: int, repeats: int, corpus: str) -> str:
    """The Markdown section: ``header`` lines (command, date, machine, code), settings, vocabularies, both tables."""
    vocab = "; ".join(f"{tool} " + ", ".join(f"{v:,} words / {t:,} tokens" for v, t in
                                             sorted({(r.vocab, r.tokens) for r in runs if r.tool == tool}))
                      for tool in ("ours", "gensim"))
    return "\n".join([
        *(f"- {name}: {value}" for name, value in header.items()),
        f"- Settings: {', '.join(f'{k} {v:g}' for k, v in SETTINGS.items())}, epochs {epochs}, {repeats} repeat(s) "
        "alternating ours/gensim; alpha 0.025 skip-gram, 0.05 CBOW; medians over repeats",
        f"- Corpus: `{corpus}`; vocabulary (in-vocabulary tokens per epoch): {vocab}", "",
        markdown_table(summarize(runs)), "", "Quality pooled over every seed and worker count (means):", "",
        quality_table(quality_by_config(runs))])


def train_command(tool: str, corpus: Path, output: Path, config: str, workers: int, epochs: int,
                  telemetry: bool = True, seed: int = 1) -> list[str]:
    """One run's command line: the same hyperparameters on both sides, the C tool's learning rates."""
    model, loss = CONFIGS[config]
    alpha = 0.05 if model == "cbow" else 0.025
    start = TRAIN if tool == "ours" else [sys.executable, str(ROOT / "benchmarks" / "gensim_train.py")]
    return [*start, str(corpus), "-o", str(output), "--model", model, "--loss", loss, "--workers", str(workers),
            "--epochs", str(epochs), *(f"--{k.replace('_', '-')}={v}" for k, v in SETTINGS.items()),
            "--alpha", str(alpha), "--min-alpha", str(alpha * 1e-4), "--seed", str(seed),
            *["--no-telemetry"] * (tool == "ours" and not telemetry)]


def prepare_corpus(source: Path, target: Path) -> Path:
    """Write ``source`` lower-case, one space between our tokens, empty lines dropped (kept if newer)."""
    if not (target.is_file() and target.stat().st_mtime >= source.stat().st_mtime and target.stat().st_size > 0):
        with source.open(encoding="utf-8") as lines:
            write_lines(lines, target)
    return target


def run_one(work: Path, code_root: Path, corpus: Path, epochs: int, tool: str, config: str, workers: int,
            repeat: int) -> RunResult:
    """Run, time and score (``evaluate_standard``) one training process; its vectors are deleted."""
    from w2v_core.evaluation import evaluate_standard
    from w2v_core.formats import load_vectors

    name, seed = f"{tool}-{config}-w{workers}-r{repeat}", repeat + 1
    output = work / f"{name}.bin"
    done, summary = trained(train_command(tool, corpus, output, config, workers, epochs, seed=seed), work, name,
                            code_root)
    scores = evaluate_standard(load_vectors(output))
    output.unlink()
    r = RunResult(tool, config, workers, repeat, done.wall_seconds, done.cpu_seconds, done.peak_rss_mb,
                  float(summary["words_per_second"]), int(summary["vocab"]), int(summary["tokens"]),
                  scores.pairs["WordSim-353"].spearman, scores.pairs["SimLex-999"].spearman,
                  scores.analogies["Google analogies"].accuracy, seed)
    print(f"  {name:<40} wall {r.wall_seconds:6.1f} s  cpu {r.cpu_seconds:6.1f} s  {r.words_per_second:>11,.0f} "
          f"words/s  RSS {r.peak_rss_mb:5.0f} MB  ws {r.wordsim:.3f} sl {r.simlex:.3f} an {r.analogy:.3f}",
          file=sys.stderr, flush=True)
    return r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="webster", help="a text file, or a name of get_large_corpora's")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts")
    parser.add_argument("--snapshot", action="store_true", help="train the committed code (git archive HEAD)")
    args = parser.parse_args(argv)
    run = header("bench_gensim", [shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv)])
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in ("gensim", "numba", "numpy"))
    head = {"Command": f"`{run['command']}`", "Date": run["date"], "Machine": f"{run['machine']}, {versions}",
            "Code": f"working tree at {run['commit']}"}
    runs: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="bench_gensim_") as tmp:
        work, code_root = Path(tmp), ROOT
        if args.snapshot:  # edits made while the benchmark runs cannot change the code under test
            code_root = work / "code"
            archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(code_root, filter="data")
            head["Code"] = f"commit {commit().removesuffix(' +changes')} (exported with git archive; trained there)"
            sys.path.insert(0, str(code_root))  # the tokenizer, reader and evaluator here come from it too
        source = ensure(args.corpus) if args.corpus in PACKAGES else Path(args.corpus)
        corpus = prepare_corpus(source, ROOT / "benchmarks" / "data" / f"{source.name.split('.')[0]}.lower.txt")
        print(f"warming up (untimed) with {head['Code']} ...", file=sys.stderr, flush=True)
        with corpus.open(encoding="utf-8") as lines:  # numba's cache, .pyc files and the page cache warm for both
            (work / "warmup.txt").write_text("".join(next(lines, "") for _ in range(3000)), encoding="utf-8")
        for tool in ("ours", "gensim"):
            trained(train_command(tool, work / "warmup.txt", work / f"warmup-{tool}.bin", "skipgram-negative", 1, 1),
                    work, f"warmup-{tool}", code_root)
        for repeat in range(args.repeats):
            print(f"repeat {repeat + 1}/{args.repeats}", file=sys.stderr, flush=True)
            runs += [run_one(work, code_root, corpus, args.epochs, tool, config, workers, repeat)
                     for config in CONFIGS for workers in args.workers for tool in ("ours", "gensim")]
    head["Machine"] += f"; load average {run['load_average']:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    print(report(runs, head, args.epochs, args.repeats,
                 str(corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
