"""The app's training speed against the CLI's (app defaults, alternating, warm kernels): words/s of ``python -m
w2v_core train`` and of the app, where headless Chromium presses Start training and stays on the live Train page
(words/s read from the WebSocket frames it receives, at no cost to the page), and Chromium's CPU meanwhile.

    python -m benchmarks.bench_app_vs_cli --repeats 5 --json avc.json                 # epochs 5 and 20
    python -m benchmarks.bench_app_vs_cli --corpus sample --epochs 3 10 --repeats 5   # King James Bible
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from benchmarks.harness import ROOT, Server, cpu_seconds, print_header, table_head, table_row
from tests.browser.browser_support import (
    OUTPUT,
    VIEWPORT,
    button,
    go_to,
    is_local,
    launch_chromium,
    set_number,
    wait_idle,
)
from ui.corpus_source import SAMPLE_PATH, SOURCES, TEACHING_SEED, CorpusSettings
from w2v_core.teaching import generate_teaching_corpus

WORKERS = 2  # the app's default
FINISHED = re.compile(r"^Finished: ([\d,]+) of ([\d,]+) words · epoch \d+/(\d+) · ([\d,]+) words/s")


@dataclass
class Run:
    """One measured training run."""

    side: str  # "cli" | "app"
    epochs: int
    repeat: int
    words: int
    words_per_second: float
    load_before: float  # 1-minute load average when the run started
    cpu_trainer: float  # CPU seconds of the CLI process, or of the whole Streamlit server
    cpu_browser: float  # CPU seconds of Chromium during the run (app only)


def chromium_cpu() -> float:
    """CPU seconds of the Chromium processes this script started."""
    total = 0.0
    for process in psutil.Process().children(recursive=True):
        try:
            if process.name().startswith("chrom"):
                total += cpu_seconds(process)
        except psutil.Error:  # gone
            pass
    return total


def run_cli(corpus: Path, folder: Path, epochs: int, repeat: int) -> Run:
    """``python -m w2v_core train``: words/s from its JSON summary, CPU seconds of the whole process."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "w2v_core", "train", str(corpus), "-o", str(folder / "x.bin"),
               "--epochs", str(epochs), "--workers", str(WORKERS), "--quiet"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return Run("cli", epochs, repeat, summary["tokens"] * epochs, float(summary["words_per_second"]), load, cpu, 0.0)


def new_train_page(browser, url: str, corpus: str = "teaching"):  # -> (BrowserContext, Page)
    """A new session on the Train page (only local requests allowed), ``corpus`` chosen on the Corpus page."""
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


def warm_up_app(browser, url: str, corpus: str = "teaching") -> None:
    """One step ("Train 10,000 words") loads the kernels in the server and builds ``corpus``, which it keeps."""
    context, page = new_train_page(browser, url, corpus)
    button(page, "Train 10,000 words").click()
    page.locator('[data-testid="stProgress"]', has_text="Paused").wait_for(timeout=180_000)
    context.close()


def watch_progress(context, page) -> list[str]:
    """The progress texts the server sends to ``page``, newest last, decoded from the WebSocket frames the browser
    receives (DevTools Protocol): reading them costs the page nothing."""
    from google.protobuf.message import DecodeError
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    texts: list[str] = []

    def received(event: dict) -> None:
        frame = event["response"]
        if frame["opcode"] != 2 or len(frame["payloadData"]) > 16_384:  # progress deltas are small binary frames
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(base64.b64decode(frame["payloadData"]))
        except (DecodeError, ValueError):
            return
        if message.WhichOneof("type") == "delta" and message.delta.new_element.WhichOneof("type") == "progress":
            texts.append(message.delta.new_element.progress.text)

    devtools = context.new_cdp_session(page)
    devtools.on("Network.webSocketFrameReceived", received)
    devtools.send("Network.enable")
    return texts


def run_app(browser, url: str, server: Server, epochs: int, repeat: int, corpus: str = "teaching") -> Run:
    """Start training in a new session, stay on the Train page until it finishes, read words/s; CPU seconds
    from the click to "Finished"."""
    context, page = new_train_page(browser, url, corpus)
    try:
        set_number(page, "Epochs", epochs)
        set_number(page, "Workers", WORKERS)
        progress = watch_progress(context, page)
        load, cpu_server, cpu_browser = os.getloadavg()[0], cpu_seconds(server.ps), chromium_cpu()
        button(page, "Start training").click()
        deadline = time.monotonic() + 600
        while not (match := FINISHED.search(text := progress[-1] if progress else "")):
            if text.startswith(("Stopped", "Failed")) or time.monotonic() > deadline:
                raise RuntimeError(f"the app's run did not finish: {text!r}")
            page.wait_for_timeout(250)  # no work in the page: the texts arrive with the WebSocket frames
        cpu_server, cpu_browser = cpu_seconds(server.ps) - cpu_server, chromium_cpu() - cpu_browser
    finally:
        context.close()
    done, total, run_epochs, rate = (int(group.replace(",", "")) for group in match.groups())
    if done != total or run_epochs != epochs:
        raise RuntimeError(f"unexpected run: {text!r}")
    return Run("app", epochs, repeat, done, float(rate), load, cpu_server, cpu_browser)


def summarise(runs: list[Run]) -> list[dict]:
    """Median words/s of each side per epoch count; app / CLI of the medians and of the fastest runs (on two
    vCPUs a run of either side goes at full speed or at about half: the fastest runs compare like with like)."""
    rows = []
    for epochs in sorted({run.epochs for run in runs}):
        cli = [r.words_per_second for r in runs if r.side == "cli" and r.epochs == epochs]
        app = [r.words_per_second for r in runs if r.side == "app" and r.epochs == epochs]
        browser = [r.cpu_browser * r.words_per_second / r.words for r in runs if r.side == "app" and r.epochs == epochs]
        rows.append({"epochs": epochs, "words": next(r.words for r in runs if r.epochs == epochs),
                     "cli_median": statistics.median(cli), "app_median": statistics.median(app),
                     "ratio": statistics.median(app) / statistics.median(cli), "best_ratio": max(app) / max(cli),
                     "browser_cores": statistics.median(browser), "cli_runs": cli, "app_runs": app})
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [table_head("epochs", "words trained", "CLI words/s (median; runs)", "app words/s (median; runs)",
                        "app / CLI (medians)", "app / CLI (fastest runs)", "Chromium, cores")]
    for row in rows:
        cli, app = (", ".join(f"{v / 1e6:.2f}M" for v in row[side]) for side in ("cli_runs", "app_runs"))
        lines.append(table_row(row["epochs"], f"{row['words']:,}", f"**{row['cli_median'] / 1e6:.2f}M** ({cli})",
                               f"**{row['app_median'] / 1e6:.2f}M** ({app})", f"**{row['ratio']:.0%}**",
                               f"**{row['best_ratio']:.0%}**", f"{row['browser_cores']:.2f}"))
    return "\n".join(lines)


def compare(browser, url: str, server: Server, args: argparse.Namespace, folder: Path) -> list[Run]:
    """The CLI and the app in alternating order (CLI first in even repeats), every epoch count each repeat."""
    corpus = SAMPLE_PATH
    if args.corpus == "teaching":
        corpus = folder / "teaching.txt"
        sentences = CorpusSettings().teaching_sentences  # the app's default corpus
        corpus.write_text("\n".join(generate_teaching_corpus(sentences, seed=TEACHING_SEED)) + "\n", encoding="utf-8")
    runs = []
    for repeat in range(args.repeats):
        for epochs in args.epochs:
            for side in ("cli", "app") if repeat % 2 == 0 else ("app", "cli"):
                run = (run_cli(corpus, folder, epochs, repeat) if side == "cli"
                       else run_app(browser, url, server, epochs, repeat, args.corpus))
                runs.append(run)
                print(f"{side:3s} epochs={epochs:3d} repeat={repeat} {run.words_per_second:12,.0f} words/s "
                      f"{run.words / run.words_per_second:6.2f} s, CPU s: trainer/server {run.cpu_trainer:6.2f}, "
                      f"chromium {run.cpu_browser:5.2f} (load {run.load_before:.2f})", flush=True)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, nargs="+", default=[5, 20], help="epoch counts to measure")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side per epoch count")
    parser.add_argument("--corpus", choices=["teaching", "sample"], default="teaching")
    parser.add_argument("--json", type=Path, default=None, help="also write every run and the summary here")
    args = parser.parse_args(argv)
    run = print_header("bench_app_vs_cli", argv, f"{args.corpus} corpus")
    from playwright.sync_api import sync_playwright

    with (Server(OUTPUT / "bench-server.log") as server, sync_playwright() as playwright,
          tempfile.TemporaryDirectory() as tmp):
        browser = launch_chromium(playwright)
        warm_up_app(browser, server.url, args.corpus)
        runs = compare(browser, server.url, server, args, Path(tmp))
    rows = summarise(runs)
    print("\n" + markdown(rows))
    if args.json:
        args.json.write_text(json.dumps({**run, "corpus": args.corpus, "workers": WORKERS, "summary": rows,
                                         "runs": [asdict(r) for r in runs]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
