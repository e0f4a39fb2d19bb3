"""Benchmark ``python -m w2v_core train`` against gensim's Word2Vec: whole-process wall time, words/s, peak memory
and quality, on the same corpus file with the same settings, alternating runs (ours, gensim, ours, gensim ...).

Each run is a separate process: the wall time includes interpreter start, imports, reading the corpus, building
the vocabulary, training and saving the vectors (.bin). Peak memory is the child's own ``ru_maxrss`` from
``os.wait4``, so runs never mix. Both vector files are read with ``w2v_core.formats`` and scored by the same
evaluator (``w2v_core.evaluation``) on gensim's WordSim-353, SimLex-999 and Google analogy files.

The Brown corpus (``get_corpus.py``) keeps case and punctuation; it is first rewritten lower-case with one space
between the project's tokens (``corpus.lower.txt``), so gensim's whitespace split and our tokenizer see the same
words. Telemetry on vs off is measured for ours (negative sampling, 2 workers). Medians, ratios and the Markdown
report come from ``bench_report.py``.

    python benchmarks/bench_gensim.py                     # full run (about 10-15 minutes on 2 cores)
    python benchmarks/bench_gensim.py --quick             # smoke run: 1 epoch, 1 repeat, workers=2
    python benchmarks/bench_gensim.py --configs cbow-negative --workers 2 --repeats 5 --markdown out.md
    python benchmarks/bench_gensim.py --configs skipgram-negative-per-pair   # ours drawing K negatives per pair
    python benchmarks/bench_gensim.py --snapshot          # train the committed code, not the working tree
    python benchmarks/bench_gensim.py --from-json benchmarks/data/bench_runs.json   # report a saved run again
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

if not __package__:  # run as a file (python benchmarks/x.py): import from the repository, as python -m does
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from benchmarks import bench_report
from benchmarks.bench_report import CONFIGS, SETTINGS, RunResult, parse_summary

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

OUR_FLAGS = {"skipgram-negative-per-pair": ["--per-pair-negatives"]}  # gensim always draws K per pair
TELEMETRY_CONFIGS = ("skipgram-negative", "cbow-negative")
WARMUP_LINES = 3000


@dataclass
class Measured:
    """One finished child process: wall seconds, its CPU seconds (user + system), its own peak RSS (MB), exit code
    and captured output."""

    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def learning_rates(model: str) -> tuple[float, float]:
    """Start and final learning rate used on both sides: the C tool's defaults (0.025 skip-gram, 0.05 CBOW)."""
    alpha = 0.05 if model == "cbow" else 0.025
    return alpha, alpha * 1e-4


def train_command(tool: str, corpus: Path, output: Path, config: str, workers: int, epochs: int,
                  telemetry: bool = True, seed: int = 1) -> list[str]:
    """The command line of one run; both sides get the same hyperparameters, spelled the same way."""
    model, loss = CONFIGS[config]
    alpha, min_alpha = learning_rates(model)
    start = [sys.executable, "-m", "w2v_core", "train"] if tool == "ours" else [
        sys.executable, str(BENCH_DIR / "gensim_train.py")]
    command = [*start, str(corpus), "-o", str(output), "--model", model, "--loss", loss, "--workers", str(workers),
               "--epochs", str(epochs), "--dim", str(SETTINGS["dim"]), "--window", str(SETTINGS["window"]),
               "--negative", str(SETTINGS["negative"]), "--min-count", str(SETTINGS["min_count"]),
               "--sample", str(SETTINGS["sample"]), "--alpha", str(alpha), "--min-alpha", str(min_alpha),
               "--seed", str(seed)]
    if tool == "ours":
        command += OUR_FLAGS.get(config, []) + ([] if telemetry else ["--no-telemetry"])
    return command


def prepare_corpus(source: Path, target: Path) -> Path:
    """Write ``source`` lower-case, one space between the project's tokens, empty lines dropped (kept if newer)."""
    from w2v_core.corpus import tokenize

    if target.is_file() and target.stat().st_mtime >= source.stat().st_mtime and target.stat().st_size > 0:
        return target
    partial = target.with_suffix(".partial")
    with source.open(encoding="utf-8") as lines, partial.open("w", encoding="utf-8") as out:
        for line in lines:
            tokens = tokenize(line, lowercase=True)
            if tokens:
                out.write(" ".join(tokens) + "\n")
    partial.replace(target)
    return target


# ----- processes ----------------------------------------------------------------------------------------------------
def _watch_peak_rss(pid: int, peak_kb: list[int]) -> None:
    """Keep the largest VmHWM of process ``pid`` in peak_kb[0] until the process is gone.

    VmHWM belongs to the process' own memory map, which exec replaces; ``ru_maxrss`` instead starts from the RSS
    of the forking parent, so a child of a large parent (e.g. pytest) would report the parent's size."""
    path = f"/proc/{pid}/status"
    while True:
        try:
            with open(path, encoding="ascii", errors="replace") as status:
                text = status.read()
        except OSError:
            return
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                peak_kb[0] = max(peak_kb[0], int(line.split()[1]))
        time.sleep(0.005)


def run_measured(command: list[str], log_dir: Path, name: str, code_root: Path = ROOT,
                 timeout: float = 3600.0) -> Measured:
    """Run ``command`` in ``code_root`` to completion: wall time around the whole process, CPU time from its own
    ``os.wait4`` (so each run is measured alone) and peak RSS from its own /proc VmHWM."""
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
    """Export the committed tree (``git archive HEAD``) into ``target``; returns the commit. Edits made in the
    working tree while the benchmark runs then cannot change the code under test."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True)
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return commit


def code_state() -> str:
    """The commit of ROOT and whether w2v_core or benchmarks have uncommitted changes."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    changed = git("status", "--porcelain", "--", "w2v_core", "benchmarks")
    return f"working tree at {git('rev-parse', '--short', 'HEAD') or '?'}" + (
        " with uncommitted changes in w2v_core/benchmarks" if changed else " (w2v_core clean)")


def evaluation_files() -> dict[str, Path]:
    """gensim's test data files, found without importing gensim."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("gensim is not installed: pip install gensim (a dev dependency)")
    data = Path(list(spec.submodule_search_locations)[0]) / "test" / "test_data"
    return {"wordsim": data / "wordsim353.tsv", "simlex": data / "simlex999.txt",
            "analogy": data / "questions-words.txt"}


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


def run_one(session: Session, tool: str, phase: str, config: str, workers: int, repeat: int,
            telemetry: bool = True) -> RunResult:
    """Run, time, score and delete the vectors of one training process."""
    name = f"{phase}-{tool}-{config}-w{workers}-r{repeat}-{'t' if telemetry else 'n'}"
    output = session.work / f"{name}.bin"
    seed = repeat + 1  # both tools see the same seeds; quality is judged over all of them
    command = train_command(tool, session.corpus, output, config, workers, session.epochs, telemetry, seed)
    measured = run_measured(command, session.work, name, session.code_root)
    if measured.returncode != 0:
        raise SystemExit(f"{name} failed (exit {measured.returncode}):\n{measured.stderr[-2000:]}")
    summary = parse_summary(measured.stdout)
    scores = score(output, session.data)
    output.unlink()
    result = RunResult(tool, phase, config, workers, repeat, telemetry if tool == "ours" else None,
                       measured.wall_seconds, measured.cpu_seconds, measured.peak_rss_mb,
                       float(summary["words_per_second"]), int(summary["vocab"]), int(summary["tokens"]),
                       scores["wordsim"], scores["simlex"], scores["analogy"], seed)
    print(f"  {name:<50} wall {result.wall_seconds:6.1f} s  cpu {result.cpu_seconds:6.1f} s  "
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


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in _lscpu().splitlines() if line.startswith("Model name")),
                 platform.processor() or "unknown CPU")
    versions = ", ".join(f"{name} {_version(name)}" for name in ("gensim", "numba", "numpy"))
    return f"{model}, {os.cpu_count()} cores; Python {platform.python_version()}, {versions}"


def _lscpu() -> str:
    try:
        return subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10, env={"LC_ALL": "C"}).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="text corpus (default: the Brown corpus)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--configs", default=",".join(bench_report.DEFAULT_CONFIGS),
                        help=f"comma-separated, from {', '.join(CONFIGS)}")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--no-telemetry-runs", action="store_true", help="skip the telemetry on/off runs")
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
    unknown = [c for c in args.config_list if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown config(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}")
    args.worker_list = [int(w) for w in args.workers.split(",")]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.from_json is not None:
        runs, meta = bench_report.load_runs(args.from_json)
        print(bench_report.report(runs, **meta))
        return 0
    header = {"Command": "`python benchmarks/bench_gensim.py" + "".join(
                  " " + shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv)) + "`",
              "Date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), "Machine": machine()}
    runs: list[RunResult] = []
    telemetry = [c for c in TELEMETRY_CONFIGS if c in args.config_list] if not args.no_telemetry_runs else []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_gensim_") as tmp:
        code_root = ROOT
        if args.snapshot:
            code_root = Path(tmp) / "code"
            header["Code"] = f"commit {snapshot_code(code_root)} (exported with git archive; trained and scored there)"
            sys.path.insert(0, str(code_root))  # the parent's tokenizer, reader and evaluator come from it too
        else:
            header["Code"] = code_state()
        from w2v_core.evaluation import read_analogies, read_word_pairs

        if args.corpus is None:
            from benchmarks.get_corpus import ensure_corpus

            args.corpus = ensure_corpus()
        corpus = prepare_corpus(args.corpus, BENCH_DIR / "data" / f"{args.corpus.name.split('.')[0]}.lower.txt")
        meta = {"header": header, "epochs": args.epochs, "repeats": args.repeats,
                "corpus": str(corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus)}
        files = evaluation_files()
        data = {"wordsim": read_word_pairs(files["wordsim"]), "simlex": read_word_pairs(files["simlex"]),
                "analogy": read_analogies(files["analogy"])}
        session = Session(corpus, args.epochs, Path(tmp), data, code_root)
        print(f"warming up (untimed) with {header['Code']} ...", file=sys.stderr, flush=True)
        warm_up(session)
        for repeat in range(args.repeats):
            print(f"repeat {repeat + 1}/{args.repeats}", file=sys.stderr, flush=True)
            plan = [(tool, "compare", config, workers, True) for config in args.config_list
                    for workers in args.worker_list for tool in ("ours", "gensim")]
            plan += [("ours", "telemetry", config, 2, on) for config in telemetry for on in (True, False)]
            for tool, phase, config, workers, on in plan:
                runs.append(run_one(session, tool, phase, config, workers, repeat, telemetry=on))
                if args.json:
                    bench_report.save_runs(args.json, runs, meta)
    header["Machine"] += f"; 1-minute load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    if args.json:
        bench_report.save_runs(args.json, runs, meta)
    text = bench_report.report(runs, **meta)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
