"""Benchmark ``python -m w2v_core train`` against gensim's Word2Vec: whole-process wall time, words/s, peak memory
and quality, on the same corpus file with the same settings, alternating runs (ours, gensim, ours, gensim ...).

Each run is a separate process: the wall time includes interpreter start, imports, reading the corpus, building
the vocabulary, training and saving the vectors (.bin). Peak memory is the child's own ``ru_maxrss`` from
``os.wait4``, so runs never mix. Both vector files are read with ``w2v_core.formats`` and scored by the same
evaluator (``w2v_core.evaluation``) on gensim's WordSim-353, SimLex-999 and Google analogy files.

The Brown corpus (``get_corpus.py``) keeps case and punctuation; it is first rewritten lower-case with one space
between the project's tokens (``corpus.lower.txt``), so gensim's whitespace split and our tokenizer see the same
words. Telemetry on vs off is measured for ours (negative sampling, 2 workers).

    python benchmarks/bench_gensim.py                     # full run (about 10-15 minutes on 2 cores)
    python benchmarks/bench_gensim.py --quick             # smoke run: 1 epoch, 1 repeat, workers=2
    python benchmarks/bench_gensim.py --configs cbow-negative --workers 2 --repeats 5 --markdown out.md
    python benchmarks/bench_gensim.py --configs skipgram-negative-per-pair   # ours drawing K negatives per pair
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
for _path in (ROOT, BENCH_DIR):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

CONFIGS = {"skipgram-negative": ("skipgram", "negative"), "cbow-negative": ("cbow", "negative"),
           "skipgram-hierarchical": ("skipgram", "hierarchical"),
           "skipgram-negative-per-pair": ("skipgram", "negative")}  # optional: ours as the C tool draws negatives
DEFAULT_CONFIGS = ("skipgram-negative", "cbow-negative", "skipgram-hierarchical")
OUR_FLAGS = {"skipgram-negative-per-pair": ["--per-pair-negatives"]}  # gensim always draws K per pair
TELEMETRY_CONFIGS = ("skipgram-negative", "cbow-negative")
SETTINGS = {"dim": 100, "window": 5, "negative": 5, "min_count": 5, "sample": 1e-3}
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


@dataclass
class RunResult:
    """One timed and scored run. tool: "ours" | "gensim"; phase: "compare" | "telemetry"; telemetry: None for gensim."""

    tool: str
    phase: str
    config: str
    workers: int
    repeat: int
    telemetry: bool | None
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    words_per_second: float
    vocab: int
    tokens: int
    wordsim: float
    simlex: float
    analogy: float


@dataclass
class Row:
    """Medians of one (config, workers) cell for both tools; ratio = gensim wall / our wall (>= 1: we are faster)."""

    config: str
    workers: int
    wall_ours: float
    wall_gensim: float
    ratio: float
    ratio_low: float  # smallest and largest per-repeat ratio (runs of a repeat are back to back)
    ratio_high: float
    cpu_ours: float
    cpu_gensim: float
    wps_ours: float
    wps_gensim: float
    rss_ours: float
    rss_gensim: float
    wordsim_ours: float
    wordsim_gensim: float
    simlex_ours: float
    simlex_gensim: float
    analogy_ours: float
    analogy_gensim: float

    @property
    def quality_ok(self) -> bool:
        """The issue's bar: WordSim-353 >= gensim's - 0.02 and analogy accuracy >= 0.9 x gensim's."""
        slack = 1e-9  # float rounding only: 0.18 must pass "0.9 x 0.20"
        return (self.wordsim_ours >= self.wordsim_gensim - 0.02 - slack
                and self.analogy_ours >= 0.9 * self.analogy_gensim - slack)


# ----- pure helpers (tested in tests/test_bench_smoke.py) -----------------------------------------------------------
def median(values: list[float]) -> float:
    """Median of the finite values (NaN when there are none)."""
    finite = [v for v in values if v == v and abs(v) != float("inf")]
    return float(statistics.median(finite)) if finite else float("nan")


def speed_ratio(gensim_seconds: float, our_seconds: float) -> float:
    """gensim's time over ours: above 1 means ours is faster."""
    return gensim_seconds / our_seconds if our_seconds > 0 else float("nan")


def summarize(runs: list[RunResult]) -> list[Row]:
    """One row per (config, workers) with both tools, from the "compare" runs (ours with telemetry on, the default)."""
    runs = [r for r in runs if r.phase == "compare"]
    rows = []
    keys = sorted({(r.config, r.workers) for r in runs}, key=lambda k: (list(CONFIGS).index(k[0]), k[1]))
    for config, workers in keys:
        cell = [r for r in runs if r.config == config and r.workers == workers]
        ours = [r for r in cell if r.tool == "ours"]
        gensim = [r for r in cell if r.tool == "gensim"]
        if not ours or not gensim:
            continue
        by_repeat = {r.repeat: r for r in gensim}
        pair_ratios = [speed_ratio(by_repeat[o.repeat].wall_seconds, o.wall_seconds) for o in ours
                       if o.repeat in by_repeat]

        def med(tool_runs: list[RunResult], name: str) -> float:
            return median([getattr(r, name) for r in tool_runs])

        wall_o, wall_g = med(ours, "wall_seconds"), med(gensim, "wall_seconds")
        rows.append(Row(config, workers, wall_o, wall_g, speed_ratio(wall_g, wall_o), min(pair_ratios, default=0.0),
                        max(pair_ratios, default=0.0), med(ours, "cpu_seconds"), med(gensim, "cpu_seconds"),
                        med(ours, "words_per_second"), med(gensim, "words_per_second"),
                        med(ours, "peak_rss_mb"), med(gensim, "peak_rss_mb"), med(ours, "wordsim"),
                        med(gensim, "wordsim"), med(ours, "simlex"), med(gensim, "simlex"), med(ours, "analogy"),
                        med(gensim, "analogy")))
    return rows


def telemetry_overhead(runs: list[RunResult]) -> list[dict]:
    """Per config: median words/s of ours with telemetry on and off (the "telemetry" runs), and their ratio."""
    out = []
    for config in CONFIGS:
        cell = [r for r in runs if r.phase == "telemetry" and r.tool == "ours" and r.config == config]
        on = [r.words_per_second for r in cell if r.telemetry]
        off = [r.words_per_second for r in cell if r.telemetry is False]
        if on and off:
            ratio = median(on) / median(off)
            out.append({"config": config, "wps_on": median(on), "wps_off": median(off), "ratio": ratio,
                        "overhead": 1.0 - ratio, "runs": len(on)})
    return out


def _fmt(value: float, digits: int = 3) -> str:
    return "n/a" if value != value else f"{value:.{digits}f}"


COLUMNS = ["Config", "Workers", "Wall ours (s)", "Wall gensim (s)", "Ratio gensim/ours (range)",
           "CPU ours / gensim (s)", "Words/s ours", "Words/s gensim", "Peak RSS ours (MB)", "Peak RSS gensim (MB)",
           "WordSim ours / gensim", "SimLex ours / gensim", "Analogy ours / gensim", "Quality bar"]


def table_cells(r: Row) -> list[str]:
    """The cells of one row, in the order of ``COLUMNS``."""
    return [r.config, str(r.workers), f"{r.wall_ours:.1f}", f"{r.wall_gensim:.1f}",
            f"**{r.ratio:.2f}** ({r.ratio_low:.2f}–{r.ratio_high:.2f})", f"{r.cpu_ours:.1f} / {r.cpu_gensim:.1f}",
            f"{r.wps_ours:,.0f}", f"{r.wps_gensim:,.0f}", f"{r.rss_ours:.0f}", f"{r.rss_gensim:.0f}",
            f"{_fmt(r.wordsim_ours)} / {_fmt(r.wordsim_gensim)}", f"{_fmt(r.simlex_ours)} / {_fmt(r.simlex_gensim)}",
            f"{_fmt(r.analogy_ours)} / {_fmt(r.analogy_gensim)}", "met" if r.quality_ok else "missed"]


def markdown_table(rows: list[Row]) -> str:
    """The comparison as a Markdown table (medians; the ratio with its smallest and largest per-repeat value)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(table_cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def telemetry_table(overheads: list[dict]) -> str:
    lines = ["| Config (workers=2) | Words/s telemetry on | Words/s telemetry off | Ratio on/off | Overhead |",
             "|---|---|---|---|---|"]
    for o in overheads:
        lines.append(f"| {o['config']} | {o['wps_on']:,.0f} | {o['wps_off']:,.0f} | {o['ratio']:.3f} | "
                     f"{o['overhead']:+.1%} |")
    return "\n".join(lines)


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


def learning_rates(model: str) -> tuple[float, float]:
    """Start and final learning rate used on both sides: the C tool's defaults (0.025 skip-gram, 0.05 CBOW)."""
    alpha = 0.05 if model == "cbow" else 0.025
    return alpha, alpha * 1e-4


def train_command(tool: str, corpus: Path, output: Path, config: str, workers: int, epochs: int,
                  telemetry: bool = True) -> list[str]:
    """The command line of one run; both sides get the same hyperparameters, spelled the same way."""
    model, loss = CONFIGS[config]
    alpha, min_alpha = learning_rates(model)
    start = [sys.executable, "-m", "w2v_core", "train"] if tool == "ours" else [
        sys.executable, str(BENCH_DIR / "gensim_train.py")]
    command = [*start, str(corpus), "-o", str(output), "--model", model, "--loss", loss, "--workers", str(workers),
               "--epochs", str(epochs), "--dim", str(SETTINGS["dim"]), "--window", str(SETTINGS["window"]),
               "--negative", str(SETTINGS["negative"]), "--min-count", str(SETTINGS["min_count"]),
               "--sample", str(SETTINGS["sample"]), "--alpha", str(alpha), "--min-alpha", str(min_alpha)]
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
def run_measured(command: list[str], log_dir: Path, name: str, code_root: Path = ROOT,
                 timeout: float = 3600.0) -> Measured:
    """Run ``command`` in ``code_root`` to completion: wall time around the whole process, CPU time and peak RSS
    from its own ``os.wait4`` (so each run is measured alone, unlike RUSAGE_CHILDREN's maximum over all)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(code_root), os.environ.get("PYTHONPATH")])))
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=code_root, env=env)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, process.returncode,
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
    command = train_command(tool, session.corpus, output, config, workers, session.epochs, telemetry)
    measured = run_measured(command, session.work, name, session.code_root)
    if measured.returncode != 0:
        raise SystemExit(f"{name} failed (exit {measured.returncode}):\n{measured.stderr[-2000:]}")
    summary = parse_summary(measured.stdout)
    scores = score(output, session.data)
    output.unlink()
    result = RunResult(tool, phase, config, workers, repeat, telemetry if tool == "ours" else None,
                       measured.wall_seconds, measured.cpu_seconds, measured.peak_rss_mb,
                       float(summary["words_per_second"]), int(summary["vocab"]), int(summary["tokens"]),
                       scores["wordsim"], scores["simlex"], scores["analogy"])
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


def report(rows: list[Row], overheads: list[dict], runs: list[RunResult], args: argparse.Namespace,
           header: dict[str, str]) -> str:
    """The Markdown section: command, date, machine, code, settings, vocabularies, both tables."""
    vocab = {tool: sorted({(r.vocab, r.tokens) for r in runs if r.tool == tool}) for tool in ("ours", "gensim")}
    vocab_text = "; ".join(f"{tool} {', '.join(f'{v:,} words / {t:,} tokens' for v, t in pairs)}"
                           for tool, pairs in vocab.items())
    return "\n".join([
        *(f"- {name}: {value}" for name, value in header.items()),
        f"- Settings: dim {SETTINGS['dim']}, window {SETTINGS['window']}, negative {SETTINGS['negative']}, "
        f"min_count {SETTINGS['min_count']}, sample {SETTINGS['sample']:g}, epochs {args.epochs}, "
        f"{args.repeats} repeat(s) alternating ours/gensim; alpha 0.025 skip-gram, 0.05 CBOW (both sides)",
        f"- Corpus: `{args.corpus_used}`; vocabulary (in-vocabulary tokens per epoch): {vocab_text}",
        "- Wall and CPU seconds, words/s (training phase, as each tool reports it) and peak RSS are medians over "
        "repeats; quality scores are medians over repeats too.",
        "", markdown_table(rows), "", "Telemetry (per-word gradient norms) on vs off, ours:", "",
        telemetry_table(overheads) if overheads else "(not measured in this run)"])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="text corpus (default: the Brown corpus)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--configs", default=",".join(DEFAULT_CONFIGS),
                        help=f"comma-separated, from {', '.join(CONFIGS)}")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--no-telemetry-runs", action="store_true", help="skip the telemetry on/off runs")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 epoch, 1 repeat, workers=2")
    parser.add_argument("--snapshot", action="store_true",
                        help="train with the committed code (git archive HEAD), not the working tree")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the Markdown section here")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "data" / "bench_runs.json",
                        help="raw runs, rewritten after every run")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.repeats, args.workers = 1, 1, "2"
    args.config_list = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in args.config_list if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown config(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}")
    args.worker_list = [int(w) for w in args.workers.split(",")]
    return args


def save_runs(path: Path | None, runs: list[RunResult]) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([asdict(r) for r in runs], indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
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
            from get_corpus import ensure_corpus

            args.corpus = ensure_corpus()
        corpus = prepare_corpus(args.corpus, BENCH_DIR / "data" / f"{args.corpus.name.split('.')[0]}.lower.txt")
        args.corpus_used = corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus
        files = evaluation_files()
        data = {"wordsim": read_word_pairs(files["wordsim"]), "simlex": read_word_pairs(files["simlex"]),
                "analogy": read_analogies(files["analogy"])}
        session = Session(corpus, args.epochs, Path(tmp), data, code_root)
        print(f"warming up (untimed) with {header['Code']} ...", file=sys.stderr, flush=True)
        warm_up(session)
        for repeat in range(args.repeats):
            print(f"repeat {repeat + 1}/{args.repeats}", file=sys.stderr, flush=True)
            for config in args.config_list:
                for workers in args.worker_list:
                    for tool in ("ours", "gensim"):
                        runs.append(run_one(session, tool, "compare", config, workers, repeat))
                        save_runs(args.json, runs)
            for config in telemetry:
                for on in (True, False):
                    runs.append(run_one(session, "ours", "telemetry", config, 2, repeat, telemetry=on))
                    save_runs(args.json, runs)
    header["Machine"] += f"; 1-minute load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    text = report(summarize(runs), telemetry_overhead(runs), runs, args, header)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
