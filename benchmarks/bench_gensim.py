"""Speed and quality against gensim: ``python -m w2v_core train`` and ``gensim_train.py`` on the same corpus with
the same settings, alternating, each run a process (wall and CPU seconds, peak RSS), both scored by our evaluator
on WordSim-353, SimLex-999 and the Google analogies; repeat r trains both with seed r + 1. The corpus (default: the
Brown corpus, ``get_corpus``) is first written lower-case with one space between our tokens, for gensim's split.

    python -m benchmarks.bench_gensim --snapshot --corpus gcide --epochs 1 --repeats 3 --workers 2
    python -m benchmarks.bench_gensim --quick                  # 1 epoch, 1 repeat, 2 workers, Brown corpus
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import json
import os
import shlex
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from benchmarks.harness import ROOT, commit, run_header

BENCH_DIR = ROOT / "benchmarks"
CONFIGS = {"skipgram-negative": ("skipgram", "negative"), "cbow-negative": ("cbow", "negative"),
           "skipgram-hierarchical": ("skipgram", "hierarchical"), "cbow-hierarchical": ("cbow", "hierarchical"),
           "skipgram-negative-per-pair": ("skipgram", "negative")}  # optional: ours as the C tool draws negatives
DEFAULT_CONFIGS = ("skipgram-negative", "cbow-negative", "skipgram-hierarchical", "cbow-hierarchical")
SETTINGS = {"dim": 100, "window": 5, "negative": 5, "min_count": 5, "sample": 1e-3}
OUR_FLAGS = {"skipgram-negative-per-pair": ["--per-pair-negatives"]}  # gensim always draws K per pair
WARMUP_LINES = 3000
SCORES = ("wordsim", "simlex", "analogy")


@dataclass
class Measured:
    """One finished child process: wall and CPU seconds (user + system), its own peak RSS (MB), exit code, output."""

    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


@dataclass
class RunResult:
    """One timed and scored run of ``tool`` ("ours" | "gensim")."""

    tool: str
    config: str
    workers: int
    repeat: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    words_per_second: float
    vocab: int
    tokens: int
    wordsim: float
    simlex: float
    analogy: float
    seed: int = 1


def meets_bar(wordsim_ours: float, wordsim_gensim: float, analogy_ours: float, analogy_gensim: float) -> bool:
    """The quality bar: WordSim-353 >= gensim's - 0.02 and analogy accuracy >= 0.9 x gensim's."""
    slack = 1e-9  # float rounding only: 0.18 must pass "0.9 x 0.20"
    return wordsim_ours >= wordsim_gensim - 0.02 - slack and analogy_ours >= 0.9 * analogy_gensim - slack


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if v == v and abs(v) != float("inf")]


def median(values: list[float]) -> float:
    """Median of the finite values (NaN when there are none)."""
    return float(statistics.median(finite)) if (finite := _finite(values)) else float("nan")


def mean(values: list[float]) -> float:
    """Mean of the finite values (NaN when there are none)."""
    return float(statistics.fmean(finite)) if (finite := _finite(values)) else float("nan")


def speed_ratio(gensim_seconds: float, our_seconds: float) -> float:
    """gensim's time over ours: above 1 means ours is faster."""
    return gensim_seconds / our_seconds if our_seconds > 0 else float("nan")


def _sides(runs: list[RunResult]) -> tuple[list[RunResult], list[RunResult]]:
    return [r for r in runs if r.tool == "ours"], [r for r in runs if r.tool == "gensim"]


def summarize(runs: list[RunResult]) -> list[dict]:
    """One row per (config, workers) with both tools: medians of both, and ratio = gensim wall / our wall with
    its smallest and largest value over repeats (``ratio_low``, ``ratio_high``)."""
    rows = []
    for config, workers in sorted({(r.config, r.workers) for r in runs}, key=lambda k: (list(CONFIGS).index(k[0]),
                                                                                         k[1])):
        ours, gensim = _sides([r for r in runs if (r.config, r.workers) == (config, workers)])
        if not ours or not gensim:
            continue
        by_repeat = {r.repeat: r for r in gensim}
        pairs = [speed_ratio(by_repeat[o.repeat].wall_seconds, o.wall_seconds) for o in ours if o.repeat in by_repeat]
        row = {"config": config, "workers": workers}
        for name, key in (("wall", "wall_seconds"), ("cpu", "cpu_seconds"), ("wps", "words_per_second"),
                          ("rss", "peak_rss_mb"), *((s, s) for s in SCORES)):
            row |= {f"{name}_ours": median([getattr(r, key) for r in ours]),
                    f"{name}_gensim": median([getattr(r, key) for r in gensim])}
        rows.append(row | {"ratio": speed_ratio(row["wall_gensim"], row["wall_ours"]),
                           "ratio_low": min(pairs, default=0.0), "ratio_high": max(pairs, default=0.0)})
    return rows


def quality_by_config(runs: list[RunResult]) -> list[dict]:
    """Per config, pooled over every seed and worker count: each tool's mean scores and the bar on those means
    (one seed's scores move by more than the bar's margins)."""
    out = []
    for config in CONFIGS:
        cell = [r for r in runs if r.config == config]
        ours, gensim = _sides(cell)
        if not ours or not gensim:
            continue
        q = {f"{name}_{tool}": mean([getattr(r, name) for r in side]) for name in SCORES
             for tool, side in (("ours", ours), ("gensim", gensim))}
        ratio = q["analogy_ours"] / q["analogy_gensim"] if q["analogy_gensim"] > 0 else float("nan")
        out.append({"config": config, "runs_ours": len(ours), "runs_gensim": len(gensim),
                    "seeds": len({r.seed for r in cell}), **q, "analogy_ratio": ratio,
                    "quality_ok": meets_bar(q["wordsim_ours"], q["wordsim_gensim"], q["analogy_ours"],
                                            q["analogy_gensim"])})
    return out


def _fmt(value: float, digits: int = 3) -> str:
    return "n/a" if value != value else f"{value:.{digits}f}"


def _pair(row: dict, name: str, digits: int = 3) -> str:
    return f"{_fmt(row[name + '_ours'], digits)} / {_fmt(row[name + '_gensim'], digits)}"


def quality_table(rows: list[dict]) -> str:
    """The pooled quality comparison as Markdown."""
    lines = ["| Config | Runs ours / gensim (seeds) | WordSim ours / gensim (bar: ≥ gensim − 0.02) | "
             "SimLex ours / gensim | Analogy ours / gensim (bar: ≥ 0.9×) | Quality bar |", "|---|---|---|---|---|---|"]
    lines += [f"| {q['config']} | {q['runs_ours']} / {q['runs_gensim']} ({q['seeds']}) | {_pair(q, 'wordsim')} | "
              f"{_pair(q, 'simlex')} | {_pair(q, 'analogy', 4)} ({q['analogy_ratio']:.2f}×) | "
              f"{'met' if q['quality_ok'] else 'missed'} |" for q in rows]
    return "\n".join(lines)


COLUMNS = ["Config", "Workers", "Wall ours (s)", "Wall gensim (s)", "Ratio gensim/ours (range)",
           "CPU ours / gensim (s)", "Words/s ours", "Words/s gensim", "Peak RSS ours (MB)", "Peak RSS gensim (MB)",
           "WordSim ours / gensim", "SimLex ours / gensim", "Analogy ours / gensim"]


def markdown_table(rows: list[dict]) -> str:
    """The speed comparison as Markdown (medians; the ratio with its smallest and largest per-repeat value)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join([
        r["config"], str(r["workers"]), f"{r['wall_ours']:.1f}", f"{r['wall_gensim']:.1f}",
        f"**{r['ratio']:.2f}** ({r['ratio_low']:.2f}–{r['ratio_high']:.2f})",
        f"{r['cpu_ours']:.1f} / {r['cpu_gensim']:.1f}",
        f"{r['wps_ours']:,.0f}", f"{r['wps_gensim']:,.0f}", f"{r['rss_ours']:.0f}", f"{r['rss_gensim']:.0f}",
        *(_pair(r, name) for name in SCORES)]) + " |" for r in rows]
    return "\n".join(lines)


def report(runs: list[RunResult], header: dict[str, str], epochs: int, repeats: int, corpus: str) -> str:
    """The Markdown section: ``header`` lines (command, date, machine, code), settings, vocabularies, both tables."""
    vocab = {tool: sorted({(r.vocab, r.tokens) for r in runs if r.tool == tool}) for tool in ("ours", "gensim")}
    vocab_text = "; ".join(f"{tool} {', '.join(f'{v:,} words / {t:,} tokens' for v, t in pairs)}"
                           for tool, pairs in vocab.items())
    return "\n".join([
        *(f"- {name}: {value}" for name, value in header.items()),
        f"- Settings: dim {SETTINGS['dim']}, window {SETTINGS['window']}, negative {SETTINGS['negative']}, "
        f"min_count {SETTINGS['min_count']}, sample {SETTINGS['sample']:g}, epochs {epochs}, "
        f"{repeats} repeat(s) alternating ours/gensim; alpha 0.025 skip-gram, 0.05 CBOW (both sides)",
        f"- Corpus: `{corpus}`; vocabulary (in-vocabulary tokens per epoch): {vocab_text}",
        "- Wall and CPU seconds, words/s (training phase, as each tool reports it) and peak RSS are medians over "
        "repeats; quality scores are medians over repeats too (repeat r trains both tools with seed r + 1); the "
        "quality bar is judged in the next table.",
        "", markdown_table(summarize(runs)), "", "Quality pooled over every seed and worker count (means; the verdict "
        "for the issue's bar, since one seed's scores move by more than the bar's margins):", "",
        quality_table(quality_by_config(runs))])


def save_runs(path: Path, runs: list[RunResult], meta: dict) -> None:
    """Write the runs and what ``report`` needs besides them (header, epochs, repeats, corpus) as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**meta, "runs": [asdict(r) for r in runs]}, indent=1), encoding="utf-8")


def load_runs(path: Path) -> tuple[list[RunResult], dict]:
    """The runs and the rest of a file written by ``save_runs`` (older files' telemetry phases left out)."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    names = {f.name for f in fields(RunResult)}
    return [RunResult(**{k: v for k, v in r.items() if k in names}) for r in saved.pop("runs")
            if r.get("phase", "compare") == "compare"], saved


def parse_summary(stdout: str) -> dict:
    """The last line of ``stdout`` that is a JSON object (both trainers print one summary line)."""
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return value
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
    if tool == "ours":
        command += OUR_FLAGS.get(config, []) + ([] if telemetry else ["--no-telemetry"])
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
    partial.replace(target)
    return target


def _watch_peak_rss(pid: int, peak_kb: list[int]) -> None:
    """Keep the largest VmHWM of ``pid`` in peak_kb[0] until it exits (``ru_maxrss`` of a child starts from its
    forking parent's RSS, and psutil has no peak RSS on Linux)."""
    while True:
        try:
            text = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
        except OSError:
            return
        peak_kb[0] = max([peak_kb[0], *(int(line.split()[1]) for line in text.splitlines()
                                        if line.startswith("VmHWM:"))])
        time.sleep(0.005)


def run_measured(command: list[str], log_dir: Path, name: str, code_root: Path = ROOT,
                 timeout: float = 3600.0) -> Measured:
    """Run ``command`` in ``code_root`` to completion, measured alone: wall time, its own rusage and VmHWM."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(code_root), os.environ.get("PYTHONPATH")])))
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=code_root, env=env)
        peak_kb = [0]
        watcher = threading.Thread(target=_watch_peak_rss, args=(process.pid, peak_kb), daemon=True)
        watcher.start()
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        watcher.join(1.0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(wall, usage.ru_utime + usage.ru_stime, peak_kb[0] / 1024.0, process.returncode,
                    out_path.read_text(encoding="utf-8", errors="replace"),
                    err_path.read_text(encoding="utf-8", errors="replace"))


def snapshot_code(target: Path) -> str:
    """Export the committed tree (``git archive HEAD``) into ``target``, so that edits made while the benchmark
    runs cannot change the code under test; returns the commit."""
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return commit().removesuffix(" +changes")


def score(vectors: Path, data: dict) -> dict[str, float]:
    """WordSim-353 and SimLex-999 Spearman, analogy accuracy (3CosAdd, restrict_vocab 30000), our evaluator."""
    from w2v_core.evaluation import evaluate_analogies, evaluate_word_pairs
    from w2v_core.formats import load_vectors

    emb = load_vectors(vectors)
    return {"wordsim": evaluate_word_pairs(emb, data["wordsim"]).spearman,
            "simlex": evaluate_word_pairs(emb, data["simlex"]).spearman,
            "analogy": evaluate_analogies(emb, data["analogy"], restrict_vocab=30000, method="3cosadd").accuracy}


def run_one(work: Path, code_root: Path, corpus: Path, epochs: int, data: dict, tool: str, config: str,
            workers: int, repeat: int) -> RunResult:
    """Run, time, score and delete the vectors of one training process."""
    name = f"{tool}-{config}-w{workers}-r{repeat}"
    output = work / f"{name}.bin"
    measured = run_measured(train_command(tool, corpus, output, config, workers, epochs, seed=repeat + 1), work, name,
                            code_root)
    if measured.returncode != 0:
        raise SystemExit(f"{name} failed (exit {measured.returncode}):\n{measured.stderr[-2000:]}")
    summary, scores = parse_summary(measured.stdout), score(output, data)
    output.unlink()
    r = RunResult(tool, config, workers, repeat, measured.wall_seconds, measured.cpu_seconds, measured.peak_rss_mb,
                  float(summary["words_per_second"]), int(summary["vocab"]), int(summary["tokens"]), **scores,
                  seed=repeat + 1)
    print(f"  {name:<40} wall {r.wall_seconds:6.1f} s  cpu {r.cpu_seconds:6.1f} s  {r.words_per_second:>11,.0f} "
          f"words/s  RSS {r.peak_rss_mb:5.0f} MB  ws {r.wordsim:.3f} sl {r.simlex:.3f} an {r.analogy:.3f}",
          file=sys.stderr, flush=True)
    return r


def warm_up(work: Path, code_root: Path, corpus: Path) -> None:
    """Untimed runs on a small slice: numba's kernel cache, .pyc files and the page cache are warm for both."""
    small = work / "warmup.txt"
    with corpus.open(encoding="utf-8") as lines:
        small.write_text("".join(line for _, line in zip(range(WARMUP_LINES), lines, strict=False)), encoding="utf-8")
    for tool in ("ours", "gensim"):
        command = train_command(tool, small, work / f"warmup-{tool}.bin", "skipgram-negative", 1, 1)
        if (measured := run_measured(command, work, f"warmup-{tool}", code_root)).returncode != 0:
            raise SystemExit(f"warm-up of {tool} failed:\n{measured.stderr[-2000:]}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None,
                        help="text file, or webster / pdmix / gcide / softdocs (get_large_corpora; default: Brown)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--configs", default=",".join(DEFAULT_CONFIGS),
                        help=f"comma-separated, from {', '.join(CONFIGS)}")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 epoch, 1 repeat, workers=2")
    parser.add_argument("--snapshot", action="store_true",
                        help="train with the committed code (git archive HEAD), not the working tree")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the Markdown section here")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "data" / "bench_runs.json",
                        help="raw runs, rewritten after every run")
    parser.add_argument("--from-json", type=Path, default=None, help="print the report of a saved run and stop")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.repeats, args.workers = 1, 1, "2"
    args.config_list = [c.strip() for c in args.configs.split(",") if c.strip()]
    if unknown := [c for c in args.config_list if c not in CONFIGS]:
        parser.error(f"unknown config(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}")
    args.worker_list = [int(w) for w in args.workers.split(",")]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.from_json is not None:
        runs, meta = load_runs(args.from_json)
        print(report(runs, **meta))
        return 0
    run = run_header("bench_gensim", [shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv)])
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in ("gensim", "numba", "numpy"))
    header = {"Command": f"`{run['command']}`", "Date": run["date"], "Machine": f"{run['machine']}, {versions}"}
    runs: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="bench_gensim_") as tmp:
        work, code_root = Path(tmp), ROOT
        if args.snapshot:
            code_root = work / "code"
            header["Code"] = f"commit {snapshot_code(code_root)} (exported with git archive; trained and scored there)"
            sys.path.insert(0, str(code_root))  # the tokenizer, reader and evaluator here come from it too
        else:
            header["Code"] = f"working tree at {run['commit']}"
        from w2v_core.datasets import DATA_DIR
        from w2v_core.evaluation import read_analogies, read_word_pairs

        if args.corpus is None:
            from benchmarks.get_corpus import ensure_corpus

            args.corpus = ensure_corpus()
        elif str(args.corpus) in ("webster", "pdmix", "gcide", "softdocs"):
            from benchmarks.get_large_corpora import ensure

            args.corpus = ensure(str(args.corpus))
        corpus = prepare_corpus(args.corpus, BENCH_DIR / "data" / f"{args.corpus.name.split('.')[0]}.lower.txt")
        meta = {"header": header, "epochs": args.epochs, "repeats": args.repeats,
                "corpus": str(corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus)}
        data = {"wordsim": read_word_pairs(DATA_DIR / "wordsim353.tsv"),
                "simlex": read_word_pairs(DATA_DIR / "simlex999.txt"),
                "analogy": read_analogies(DATA_DIR / "questions-words.txt")}
        print(f"warming up (untimed) with {header['Code']} ...", file=sys.stderr, flush=True)
        warm_up(work, code_root, corpus)
        for repeat in range(args.repeats):
            print(f"repeat {repeat + 1}/{args.repeats}", file=sys.stderr, flush=True)
            for config in args.config_list:
                for workers in args.worker_list:
                    for tool in ("ours", "gensim"):
                        runs.append(run_one(work, code_root, corpus, args.epochs, data, tool, config, workers, repeat))
                        save_runs(args.json, runs, meta)
    header["Machine"] += (f"; 1-minute load average {run['load_average']:.1f} at the start, "
                          f"{os.getloadavg()[0]:.1f} at the end")
    save_runs(args.json, runs, meta)
    text = report(runs, **meta)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
