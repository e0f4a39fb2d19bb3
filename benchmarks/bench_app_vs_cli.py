"""The app's training speed against the CLI's (app defaults, alternating, warm kernels): words/s of ``python -m
w2v_core train`` and of the app, where headless Chromium presses Start training and stays on the Train page (words/s
read from the WebSocket frames it receives, at no cost to the page). On two cores either side runs at full speed or
at about half: the fastest runs compare like with like.

    python -m benchmarks.bench_app_vs_cli --repeats 5                                 # epochs 5 and 20
    python -m benchmarks.bench_app_vs_cli --corpus sample --epochs 3 10 --repeats 5   # King James Bible
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import TRAIN, Server, header, print_table, trained
from tests.browser import browser_support as b
from ui.corpus_source import SAMPLE_PATH, SOURCES, TEACHING_SEED, CorpusSettings
from w2v_core.teaching import generate_teaching_corpus

WORKERS = 2  # the app's default
FINISHED = re.compile(r"^Finished: ([\d,]+) of ([\d,]+) words · epoch \d+/(\d+) · ([\d,]+) words/s")


def progress_texts(context, page) -> list[str]:  # noqa: ANN001
    """The progress texts the server sends to ``page``, newest last, decoded from the WebSocket frames the browser
    receives (DevTools Protocol): reading them costs the page nothing."""
    from google.protobuf.message import DecodeError
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    texts: list[str] = []

    def received(event: dict) -> None:
        frame = event["response"]
        if frame["opcode"] != 2 or len(frame["payloadData"]) > 16_384:  # progress deltas are small binary frames
            return
        with contextlib.suppress(DecodeError, ValueError):
            message = ForwardMsg.FromString(base64.b64decode(frame["payloadData"]))
            if message.WhichOneof("type") == "delta" and message.delta.new_element.WhichOneof("type") == "progress":
                texts.append(message.delta.new_element.progress.text)

    devtools = context.new_cdp_session(page)
    devtools.on("Network.webSocketFrameReceived", received)
    devtools.send("Network.enable")
    return texts


def run_app(browser, url: str, corpus: str, epochs: int) -> dict:  # noqa: ANN001
    """A new session (local requests only): ``corpus`` chosen on the Corpus page, then Start training on the Train
    page, which it stays on until the run finishes; words/s of the run."""
    context = browser.new_context(viewport=b.VIEWPORT)
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if b.is_local(route.request.url) else route.abort())
        page.goto(url)
        b.wait_idle(page, 60_000)
        if corpus != "teaching":
            b.go_to(page, "Corpus")
            page.get_by_text(SOURCES[corpus], exact=True).click()
            page.wait_for_timeout(500)
            b.wait_idle(page, 120_000)
        b.go_to(page, "Train")
        b.set_number(page, "Epochs", epochs)
        b.set_number(page, "Workers", WORKERS)
        progress = progress_texts(context, page)
        b.button(page, "Start training").click()
        deadline = time.monotonic() + 600
        while not (match := FINISHED.search(text := progress[-1] if progress else "")):
            if text.startswith(("Stopped", "Failed")) or time.monotonic() > deadline:
                raise RuntimeError(f"the app's run did not finish: {text!r}")
            page.wait_for_timeout(250)  # no work in the page: the texts arrive with the WebSocket frames
    finally:
        context.close()
    done, total, run_epochs, rate = (int(group.replace(",", "")) for group in match.groups())
    if done != total or run_epochs != epochs:
        raise RuntimeError(f"unexpected run: {text!r}")
    return {"words": done, "words_per_second": float(rate)}


def run_cli(corpus: Path, folder: Path, epochs: int) -> dict:
    command = [*TRAIN, str(corpus), "-o", str(folder / "x.bin"), "--epochs", str(epochs), "--workers", str(WORKERS)]
    summary = trained([*command, "--quiet"], folder, "cli")[1]
    return {"words": summary["tokens"] * epochs, "words_per_second": float(summary["words_per_second"])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, nargs="+", default=[5, 20], help="epoch counts to measure")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side per epoch count")
    parser.add_argument("--corpus", choices=["teaching", "sample"], default="teaching")
    args = parser.parse_args(argv)
    header("bench_app_vs_cli", argv, f"{args.corpus} corpus")
    from playwright.sync_api import sync_playwright

    runs = []
    with (Server(b.OUTPUT / "bench-server.log") as server, sync_playwright() as playwright,
          tempfile.TemporaryDirectory() as tmp):
        browser, corpus = b.launch_chromium(playwright), SAMPLE_PATH
        if args.corpus == "teaching":  # the app's default corpus
            (corpus := Path(tmp) / "teaching.txt").write_text("\n".join(generate_teaching_corpus(
                CorpusSettings().teaching_sentences, seed=TEACHING_SEED)) + "\n", encoding="utf-8")
        run_app(browser, server.url, args.corpus, 1)  # untimed: the kernels loaded, the corpus built
        for repeat in range(args.repeats):  # CLI first in even repeats
            for epochs in args.epochs:
                for side in ("cli", "app") if repeat % 2 == 0 else ("app", "cli"):
                    run = run_cli(corpus, Path(tmp), epochs) if side == "cli" else run_app(browser, server.url,
                                                                                           args.corpus, epochs)
                    runs.append({"side": side, "epochs": epochs} | run)
                    print(f"{side:3s} epochs={epochs:3d} repeat={repeat} {run['words_per_second']:12,.0f} words/s",
                          flush=True)

    def mega(values: list[float]) -> str:
        return f"**{statistics.median(values) / 1e6:.2f}M** ({', '.join(f'{v / 1e6:.2f}M' for v in values)})"

    rows = []
    for epochs in args.epochs:
        cli, app = ([r for r in runs if (r["side"], r["epochs"]) == (side, epochs)] for side in ("cli", "app"))
        cli_wps, app_wps = ([r["words_per_second"] for r in of] for of in (cli, app))
        rows.append((epochs, f"{cli[0]['words']:,}", mega(cli_wps), mega(app_wps),
                     f"**{statistics.median(app_wps) / statistics.median(cli_wps):.0%}**",
                     f"**{max(app_wps) / max(cli_wps):.0%}**"))
    print_table(["epochs", "words trained", "CLI words/s (median; runs)", "app words/s (median; runs)",
                 "app / CLI (medians)", "app / CLI (fastest runs)"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
