"""Training throughput of the Streamlit app against the CLI, same corpus and settings (issue: app >= 80 % of CLI).

Alternating runs, ``--repeats`` of each per epoch count:

- CLI: ``python -m w2v_core train teaching.txt -o x.bin --epochs E`` in its own process; words/s from its JSON
  summary (words trained / train_seconds: training only, the kernels are loaded before the clock starts).
- App: ``streamlit run app.py`` (one server for the whole benchmark), headless Chromium opens the Train page in a
  new session, sets Epochs to E, presses **Start training** and stays on the page (the live charts poll every
  second) until "Finished". words/s is read from the final progress text, where the app prints words trained /
  active training seconds (the same definition as the CLI; the "elapsed" figure there is rounded to seconds).
  Before the measured runs one step ("Train 10,000 words") loads the kernels in the server, as the CLI does.

Both train the app's default corpus (the generated teaching corpus, ``DEFAULTS["teaching_sentences"]`` sentences,
the app's seed, written to a temporary file for the CLI) or, with ``--corpus sample``, the bundled KJV text (chosen
on the Corpus page; the CLI reads data/kjv.txt.gz), with the app's defaults (which are the CLI's defaults). On the
425-word teaching corpus two threads write the same few rows, and a run of either side goes at full speed or at
about half (where the two vCPUs sit); the 12,000-word sample text has far less of that.

    .venv/bin/python benchmarks/bench_app_vs_cli.py                        # epochs 5 and 20, 3 repeats each
    .venv/bin/python benchmarks/bench_app_vs_cli.py --epochs 20 --repeats 5 --json results.json
    .venv/bin/python benchmarks/bench_app_vs_cli.py --corpus sample --epochs 3 --repeats 5
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

if not __package__:  # run as a file (python benchmarks/x.py): import from the repository, as python -m does
    sys.path[0] = str(Path(__file__).resolve().parents[1])

logging.getLogger("streamlit").setLevel(logging.ERROR)  # ui.state is imported outside `streamlit run`
from tests.browser.browser_support import (  # noqa: E402
    OUTPUT,
    VIEWPORT,
    button,
    go_to,
    is_local,
    launch_chromium,
    set_number,
    start_server,
    stop_server,
    wait_idle,
)
from ui.corpus_source import SAMPLE_PATH, SOURCES, TEACHING_SEED  # noqa: E402
from ui.state import DEFAULTS  # noqa: E402
from w2v_core.teaching import generate_teaching_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FINISHED = re.compile(r"^Finished: ([\d,]+) of ([\d,]+) words · epoch \d+/(\d+) · ([\d,]+) words/s")


@dataclass
class Run:
    """One measured training run."""

    side: str  # "cli" | "app"
    epochs: int
    repeat: int
    words: int
    words_per_second: float
    load_before: float  # 1-minute load average when the run started (the machine is shared)
    cpu_trainer: float  # CPU seconds of the training process (CLI) or of the whole Streamlit server (app)
    cpu_browser: float  # CPU seconds of Chromium during the run (app only)

    @property
    def seconds(self) -> float:
        """Training seconds, as the run reported them."""
        return self.words / self.words_per_second


def machine() -> str:
    """CPU model name and core count, as lscpu and nproc print them."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
                break
    except (OSError, subprocess.CalledProcessError):
        pass
    return f"{model}, {os.cpu_count()} cores (nproc)"


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (index 0 = state), or None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (all its threads)."""
    fields = _proc_stat(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def chromium_pids() -> list[int]:
    """Chromium processes started by this benchmark (descendants of this process)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _proc_stat(int(entry.name))) is not None:
            parents[int(entry.name)] = int(fields[1])
    mine, found = {os.getpid()}, True
    while found:
        new = {pid for pid, parent in parents.items() if parent in mine and pid not in mine}
        found, mine = bool(new), mine | new
    names = {pid: Path(f"/proc/{pid}/comm").read_text().strip() if Path(f"/proc/{pid}/comm").exists() else ""
             for pid in mine}
    return [pid for pid, name in names.items() if name.startswith("chrom")]


def write_corpus(folder: Path, sentences: int) -> Path:
    """The app's default teaching corpus as a text file, one sentence a line."""
    path = folder / "teaching.txt"
    path.write_text("\n".join(generate_teaching_corpus(sentences, seed=TEACHING_SEED)) + "\n", encoding="utf-8")
    return path


def run_cli(corpus: Path, folder: Path, epochs: int, repeat: int, workers: int) -> Run:
    """``python -m w2v_core train``: words/s from its JSON summary."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "w2v_core", "train", str(corpus), "-o", str(folder / "x.bin"),
               "--epochs", str(epochs), "--workers", str(workers), "--quiet"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    words = summary["tokens"] * epochs
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime  # the whole process, start to end
    return Run("cli", epochs, repeat, words, float(summary["words_per_second"]), load, cpu, 0.0)


def new_train_page(browser, url: str, corpus: str = "teaching"):  # noqa: ANN001, ANN201 - Browser -> (context, Page)
    """A new browser session on the Train page (only local requests allowed), ``corpus`` chosen on the Corpus
    page ("teaching": the default)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
    page.goto(url)
    wait_idle(page, 60_000)
    if corpus != "teaching":
        go_to(page, "Corpus")
        page.get_by_text(SOURCES[corpus], exact=True).click()
        page.wait_for_timeout(500)
        wait_idle(page, 120_000)
    go_to(page, "Train")
    return context, page


def warm_up_app(browser, url: str, corpus: str = "teaching") -> None:  # noqa: ANN001 - playwright Browser
    """Load the training kernels in the server (one step), so that measured runs time training only (and build
    ``corpus``, which the server then keeps)."""
    context, page = new_train_page(browser, url, corpus)
    button(page, "Train 10,000 words").click()
    progress = page.locator('[data-testid="stProgress"]')
    deadline = time.monotonic() + 180
    while not (progress.count() and progress.inner_text().startswith("Paused")):
        if time.monotonic() > deadline:
            raise RuntimeError("the warm-up step did not finish")
        page.wait_for_timeout(200)
    context.close()


def decoded_frame(message, frame: dict):  # noqa: ANN001, ANN202 - a protobuf message, returned filled or None
    """``message`` (a Streamlit ForwardMsg) parsed from the ``response`` of a DevTools WebSocket frame event
    (binary frames carry base64), or None for a text frame or bytes that do not parse."""
    import base64

    from google.protobuf.message import DecodeError

    if frame["opcode"] != 2:
        return None
    try:
        message.ParseFromString(base64.b64decode(frame["payloadData"]))
    except (DecodeError, ValueError):
        return None
    return message


def watch_progress(context, page) -> list[str]:  # noqa: ANN001 - playwright BrowserContext, Page
    """The progress texts the server sends to ``page``, newest last, read from the WebSocket frames the browser
    receives (DevTools Protocol events, decoded with Streamlit's protobuf messages): reading them costs the page
    nothing, where asking the page for its text every second cost it CPU the training threads would have had."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    texts: list[str] = []

    def received(event: dict) -> None:
        if len(event["response"]["payloadData"]) > 16_384:  # progress deltas are small; charts are not decoded
            return
        message = decoded_frame(ForwardMsg(), event["response"])
        if message and message.WhichOneof("type") == "delta" and \
                message.delta.new_element.WhichOneof("type") == "progress":
            texts.append(message.delta.new_element.progress.text)

    devtools = context.new_cdp_session(page)
    devtools.on("Network.webSocketFrameReceived", received)
    devtools.send("Network.enable")
    return texts


def run_app(browser, url: str, server: int, epochs: int, repeat: int, workers: int,  # noqa: ANN001
            corpus: str = "teaching") -> Run:
    """Start training in a new session, stay on the Train page until it finishes, read words/s.

    CPU seconds are counted from the click to the moment the page shows "Finished" (``server``: its pid).
    """
    context, page = new_train_page(browser, url, corpus)
    try:
        set_number(page, "Epochs", epochs)
        set_number(page, "Workers", workers)
        progress = watch_progress(context, page)
        load = os.getloadavg()[0]
        chromium = chromium_pids()
        cpu_server, cpu_browser = cpu_seconds(server), sum(map(cpu_seconds, chromium))
        button(page, "Start training").click()
        deadline = time.monotonic() + 600
        while True:
            text = progress[-1] if progress else ""
            match = FINISHED.search(text)
            if match:
                cpu_server = cpu_seconds(server) - cpu_server
                cpu_browser = sum(map(cpu_seconds, chromium)) - cpu_browser
                break
            if text.startswith(("Stopped", "Failed")) or time.monotonic() > deadline:
                raise RuntimeError(f"the app's run did not finish: {text!r}")
            page.wait_for_timeout(250)  # no work in the page: the texts arrive with the WebSocket frames
    finally:
        context.close()
    done, total, run_epochs, rate = (int(group.replace(",", "")) for group in match.groups())
    if done != total or run_epochs != epochs:
        raise RuntimeError(f"unexpected run: {text!r}")
    return Run("app", epochs, repeat, done, float(rate), load, cpu_server, cpu_browser)


def summarise(runs: list[Run]) -> list[dict]:
    """Median words/s of each side per epoch count, app / CLI of the medians and of the fastest runs (two threads
    on a 425-word vocabulary write the same rows: depending on where the two vCPUs sit, a run goes at full speed
    or at about half, with twice the CPU seconds, on either side; the fastest runs compare like with like)."""
    rows = []
    for epochs in sorted({run.epochs for run in runs}):
        cli = [r.words_per_second for r in runs if r.side == "cli" and r.epochs == epochs]
        app = [r.words_per_second for r in runs if r.side == "app" and r.epochs == epochs]
        words = next(r.words for r in runs if r.epochs == epochs)
        rows.append({"epochs": epochs, "words": words, "cli_median": statistics.median(cli),
                     "app_median": statistics.median(app), "ratio": statistics.median(app) / statistics.median(cli),
                     "best_ratio": max(app) / max(cli),
                     "cli_runs": cli, "app_runs": app})
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| epochs | words trained | CLI words/s (median; runs) | app words/s (median; runs) | app / CLI "
             "(medians) | app / CLI (fastest runs) |", "|---:|---:|---|---|---:|---:|"]
    for row in rows:
        cli = ", ".join(f"{v / 1e6:.2f}M" for v in row["cli_runs"])
        app = ", ".join(f"{v / 1e6:.2f}M" for v in row["app_runs"])
        lines.append(f"| {row['epochs']} | {row['words']:,} | **{row['cli_median'] / 1e6:.2f}M** ({cli}) | "
                     f"**{row['app_median'] / 1e6:.2f}M** ({app}) | **{row['ratio']:.0%}** | "
                     f"**{row['best_ratio']:.0%}** |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, nargs="+", default=[5, 20], help="epoch counts to measure")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side per epoch count")
    parser.add_argument("--sentences", type=int, default=DEFAULTS["teaching_sentences"],
                        help="teaching corpus size (default: the app's)")
    parser.add_argument("--workers", type=int, default=2, help="training threads on both sides (app default: 2)")
    parser.add_argument("--corpus", choices=["teaching", "sample"], default="teaching",
                        help="the app's default teaching corpus, or its bundled sample text (KJV, 12,000 words)")
    parser.add_argument("--json", type=Path, default=None, help="also write every run and the summary here")
    args = parser.parse_args()
    if args.sentences != DEFAULTS["teaching_sentences"]:
        parser.error("the app trains on its default corpus; keep --sentences at the app's default")

    what = f"teaching corpus {args.sentences:,} sentences" if args.corpus == "teaching" else "KJV sample text"
    print(f"{datetime.date.today()} · {machine()} · {what} · workers {args.workers}", flush=True)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus = write_corpus(folder, args.sentences) if args.corpus == "teaching" else SAMPLE_PATH
        process, url = start_server(OUTPUT / "bench-server.log")
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                warm_up_app(browser, url, args.corpus)
                for repeat in range(args.repeats):
                    for epochs in args.epochs:
                        order = ("cli", "app") if repeat % 2 == 0 else ("app", "cli")
                        for side in order:
                            run = (run_cli(corpus, folder, epochs, repeat, args.workers) if side == "cli"
                                   else run_app(browser, url, process.pid, epochs, repeat, args.workers,
                                                args.corpus))
                            runs.append(run)
                            print(f"{side:3s} epochs={epochs:3d} repeat={repeat} {run.words_per_second:12,.0f} "
                                  f"words/s {run.seconds:6.2f} s, CPU s: trainer/server {run.cpu_trainer:6.2f}, "
                                  f"chromium {run.cpu_browser:5.2f} (load {run.load_before:.2f})", flush=True)
                browser.close()
        finally:
            stop_server(process)
    rows = summarise(runs)
    print()
    print(markdown(rows))
    if args.json:
        report = {"machine": machine(), "date": str(datetime.date.today()), "workers": args.workers,
                  "corpus": args.corpus, "summary": rows,
                  "runs": [asdict(run) | {"seconds": run.seconds} for run in runs]}
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
