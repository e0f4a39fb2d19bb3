"""Speed and quality against gensim: ``python -m w2v_core train`` and gensim's Word2Vec (``gensim_train.py``) on
the same corpus file with the same settings, alternating runs (ours, gensim, ours, gensim ...).

Each run is a process of its own: wall time covers start-up, reading, vocabulary, training and saving the
vectors (.bin); CPU seconds come from its ``os.wait4`` rusage, peak RSS from its VmHWM. Both vector files are
scored by ``w2v_core.evaluation`` on WordSim-353, SimLex-999 and the Google analogies. The corpus (default: the
Brown corpus, ``get_corpus.py``) is first written lower-case, one space between our tokens, so that gensim's
whitespace split sees our words. Repeat r trains both with seed r + 1; summaries in ``bench_report.py``.

    python -m benchmarks.bench_gensim --snapshot                       # about 15 minutes on 2 cores
    python -m benchmarks.bench_gensim --quick                          # 1 epoch, 1 repeat, 2 workers
    python -m benchmarks.bench_gensim --configs cbow-negative --workers 2 --repeats 5 --markdown out.md
    python -m benchmarks.bench_gensim --corpus gcide --epochs 1 --workers 2   # 4.8M words (get_large_corpora)
    python -m benchmarks.bench_gensim --from-json benchmarks/data/bench_runs.json   # report a saved run
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import os
import shlex
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import bench_report
from benchmarks.bench_report import CONFIGS, SETTINGS, RunResult, parse_summary
from benchmarks.harness import ROOT, commit, run_header

BENCH_DIR = ROOT / "benchmarks"
OUR_FLAGS = {"skipgram-negative-per-pair": ["--per-pair-negatives"]}  # gensim always draws K per pair
WARMUP_LINES = 3000


@dataclass
class Measured:
    """One finished child process: wall and CPU seconds (user + system), its own peak RSS (MB), exit code, output."""

    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def train_command(tool: str, corpus: Path, output: Path, config: str, workers: int, epochs: int,
                  telemetry: bool = True, seed: int = 1) -> list[str]:
    """The command line of one run; both sides get the same hyperparameters and the C tool's learning rates
    (0.025 skip-gram, 0.05 CBOW; final alpha x 1e-4)."""
    model, loss = CONFIGS[config]
    alpha = 0.05 if model == "cbow" else 0.025
    start = [sys.executable, "-m", "w2v_core", "train"] if tool == "ours" else [
        sys.executable, str(BENCH_DIR / "gensim_train.py")]
    command = [*start, str(corpus), "-o", str(output), "--model", model, "--loss", loss, "--workers", str(workers),
               "--epochs", str(epochs), "--dim", str(SETTINGS["dim"]), "--window", str(SETTINGS["window"]),
               "--negative", str(SETTINGS["negative"]), "--min-count", str(SETTINGS["min_count"]),
               "--sample", str(SETTINGS["sample"]), "--alpha", str(alpha), "--min-alpha", str(alpha * 1e-4),
               "--seed", str(seed)]
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
        for line in lines:
            if tokens := tokenize(line, lowercase=True):
                out.write(" ".join(tokens) + "\n")
    partial.replace(target)
    return target


def _watch_peak_rss(pid: int, peak_kb: list[int]) -> None:
    """Keep the largest VmHWM of ``pid`` in peak_kb[0] until it exits. The child's ``ru_maxrss`` would start from
    its forking parent's RSS (e.g. pytest's), and psutil has no peak RSS on Linux."""
    while True:
        try:
            text = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
        except OSError:
            return
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                peak_kb[0] = max(peak_kb[0], int(line.split()[1]))
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


@dataclass
class Session:
    """What every run of one benchmark shares: corpus, epochs, scratch dir, evaluation data, code under test."""

    corpus: Path
    epochs: int
    work: Path
    data: dict
    code_root: Path = ROOT


def run_one(session: Session, tool: str, config: str, workers: int, repeat: int) -> RunResult:
    """Run, time, score and delete the vectors of one training process."""
    name = f"{tool}-{config}-w{workers}-r{repeat}"
    output = session.work / f"{name}.bin"
    command = train_command(tool, session.corpus, output, config, workers, session.epochs, seed=repeat + 1)
    measured = run_measured(command, session.work, name, session.code_root)
    if measured.returncode != 0:
        raise SystemExit(f"{name} failed (exit {measured.returncode}):\n{measured.stderr[-2000:]}")
    summary = parse_summary(measured.stdout)
    scores = score(output, session.data)
    output.unlink()
    result = RunResult(tool, "compare", config, workers, repeat, True if tool == "ours" else None,
                       measured.wall_seconds, measured.cpu_seconds, measured.peak_rss_mb,
                       float(summary["words_per_second"]), int(summary["vocab"]), int(summary["tokens"]),
                       scores["wordsim"], scores["simlex"], scores["analogy"], repeat + 1)
    print(f"  {name:<40} wall {result.wall_seconds:6.1f} s  cpu {result.cpu_seconds:6.1f} s  "
          f"{result.words_per_second:>11,.0f} words/s  RSS {result.peak_rss_mb:5.0f} MB  ws {result.wordsim:.3f} "
          f"sl {result.simlex:.3f} an {result.analogy:.3f}", file=sys.stderr, flush=True)
    return result


def warm_up(session: Session) -> None:
    """Untimed runs on a small slice: numba's kernel cache, .pyc files and the page cache are warm for both."""
    small = session.work / "warmup.txt"
    with session.corpus.open(encoding="utf-8") as lines:
        small.write_text("".join(line for _, line in zip(range(WARMUP_LINES), lines, strict=False)), encoding="utf-8")
    for tool in ("ours", "gensim"):
        command = train_command(tool, small, session.work / f"warmup-{tool}.bin", "skipgram-negative", 1, 1)
        measured = run_measured(command, session.work, f"warmup-{tool}", session.code_root)
        if measured.returncode != 0:
            raise SystemExit(f"warm-up of {tool} failed:\n{measured.stderr[-2000:]}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None,
                        help="text corpus, or gcide / softdocs (get_large_corpora.py; default: the Brown corpus)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--configs", default=",".join(bench_report.DEFAULT_CONFIGS),
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
        runs, meta = bench_report.load_runs(args.from_json)
        print(bench_report.report(runs, **meta))
        return 0
    run = run_header("bench_gensim", [shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv)])
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in ("gensim", "numba", "numpy"))
    header = {"Command": f"`{run['command']}`", "Date": run["date"], "Machine": f"{run['machine']}, {versions}"}
    runs: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="bench_gensim_") as tmp:
        code_root = ROOT
        if args.snapshot:
            code_root = Path(tmp) / "code"
            header["Code"] = f"commit {snapshot_code(code_root)} (exported with git archive; trained and scored there)"
            sys.path.insert(0, str(code_root))  # the tokenizer, reader and evaluator here come from it too
        else:
            header["Code"] = f"working tree at {run['commit']}"
        from w2v_core.datasets import DATA_DIR
        from w2v_core.evaluation import read_analogies, read_word_pairs

        if args.corpus is None:
            from benchmarks.get_corpus import ensure_corpus

            args.corpus = ensure_corpus()
        elif str(args.corpus) in ("gcide", "softdocs"):
            from benchmarks.get_large_corpora import ensure

            args.corpus = ensure(str(args.corpus))
        corpus = prepare_corpus(args.corpus, BENCH_DIR / "data" / f"{args.corpus.name.split('.')[0]}.lower.txt")
        meta = {"header": header, "epochs": args.epochs, "repeats": args.repeats,
                "corpus": str(corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus)}
        data = {"wordsim": read_word_pairs(DATA_DIR / "wordsim353.tsv"),
                "simlex": read_word_pairs(DATA_DIR / "simlex999.txt"),
                "analogy": read_analogies(DATA_DIR / "questions-words.txt")}
        session = Session(corpus, args.epochs, Path(tmp), data, code_root)
        print(f"warming up (untimed) with {header['Code']} ...", file=sys.stderr, flush=True)
        warm_up(session)
        for repeat in range(args.repeats):
            print(f"repeat {repeat + 1}/{args.repeats}", file=sys.stderr, flush=True)
            for config in args.config_list:
                for workers in args.worker_list:
                    for tool in ("ours", "gensim"):
                        runs.append(run_one(session, tool, config, workers, repeat))
                        bench_report.save_runs(args.json, runs, meta)
    header["Machine"] += (f"; 1-minute load average {run['load_average']:.1f} at the start, "
                          f"{os.getloadavg()[0]:.1f} at the end")
    bench_report.save_runs(args.json, runs, meta)
    text = bench_report.report(runs, **meta)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
