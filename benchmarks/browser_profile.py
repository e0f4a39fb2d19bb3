"""What the live Train page costs the browser: Chromium's CPU while a run starts and while it trains.

The app's training throughput is measured with the browser on the same cores as the server
(``bench_app_vs_cli.py``), so every CPU second the page spends is one the training threads lose. This script
starts ``streamlit run app.py``, opens the Train page in headless Chromium, sets a long run (``--epochs``), presses
**Start training** and reports, per trial: Chromium's CPU seconds (all its processes) during the first
``--start-seconds`` after the click, and its mean core use over the next ``--steady-seconds`` (the page redraws
the loss chart and progress once a second). With ``--js`` it also samples the page's JavaScript (Chrome DevTools
Protocol profiler) in the steady phase and prints the time per script and the functions that took most.

    .venv/bin/python benchmarks/browser_profile.py                 # 3 trials: start cost and steady core use
    .venv/bin/python benchmarks/browser_profile.py --trials 1 --js # where the page's JavaScript time goes
    .venv/bin/python benchmarks/browser_profile.py --pages         # the CPU to open each page (what a tab pays)
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from pathlib import Path

if not __package__:  # run as a file (python benchmarks/x.py): import from the repository, as python -m does
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from benchmarks.bench_app_vs_cli import chromium_pids, cpu_seconds, machine, new_train_page, warm_up_app
from tests.browser.browser_support import (
    OUTPUT,
    button,
    go_to,
    launch_chromium,
    set_number,
    start_server,
    stop_server,
)


def chromium_cpu() -> float:
    """CPU seconds of every Chromium process this script started."""
    return sum(map(cpu_seconds, chromium_pids()))


def js_report(profile: dict, top: int = 15) -> str:
    """Sampled JavaScript time of a DevTools CPU profile, by script and by function (self and inclusive)."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    parent = {child: node["id"] for node in profile["nodes"] for child in node.get("children", ())}
    sampled = collections.Counter()
    for node_id, delta in zip(profile["samples"][1:], profile["timeDeltas"][1:], strict=True):
        sampled[node_id] += delta / 1e3  # ms

    def name(node_id: int) -> str:
        frame = nodes[node_id]["callFrame"]
        script = frame["url"].rsplit("/", 1)[-1]
        return f"{frame['functionName'] or '(anonymous)'} {script}".strip()

    by_script, own, inclusive = collections.Counter(), collections.Counter(), collections.Counter()
    for node_id, ms in sampled.items():
        frame = nodes[node_id]["callFrame"]
        by_script[frame["url"].rsplit("/", 1)[-1] or frame["functionName"]] += ms
        own[name(node_id)] += ms
        seen, walk = set(), node_id
        while walk in nodes:
            if (key := name(walk)) not in seen:
                inclusive[key] += ms
                seen.add(key)
            walk = parent.get(walk)
    lines = [f"sampled {sum(sampled.values()):.0f} ms, of which idle {by_script['(idle)']:.0f} ms", "by script:"]
    lines += [f"  {ms:8.0f} ms  {script}" for script, ms in by_script.most_common(top) if script != "(idle)"]
    lines += ["self time:"] + [f"  {ms:8.0f} ms  {key}" for key, ms in own.most_common(top) if key != "(idle)"]
    lines += ["inclusive:"] + [f"  {ms:8.0f} ms  {key}" for key, ms in inclusive.most_common(top + 3)
                               if key not in ("(root)", "(idle)")]
    return "\n".join(lines)


def trial(browser, url: str, args: argparse.Namespace) -> tuple[float, float, str]:  # noqa: ANN001
    """(CPU s in the start window, cores in the steady window, JavaScript report or '') of one run."""
    context, page = new_train_page(browser, url)
    try:
        set_number(page, "Epochs", args.epochs)
        before = chromium_cpu()
        button(page, "Start training").click()
        page.wait_for_timeout(args.start_seconds * 1000)
        started, clock = chromium_cpu(), time.monotonic()
        cdp = None
        if args.js:
            cdp = context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 200})  # microseconds
            cdp.send("Profiler.start")
        page.wait_for_timeout(args.steady_seconds * 1000)
        steady = (chromium_cpu() - started) / (time.monotonic() - clock)
        report = js_report(cdp.send("Profiler.stop")["profile"]) if cdp else ""
        text = page.locator('[data-testid="stProgress"]').inner_text()
        if not text.startswith("Training"):
            raise RuntimeError(f"the run was not training through the measurement: {text!r}")
        button(page, "Stop").click()
        page.wait_for_timeout(500)
    finally:
        context.close()
    return started - before, steady, report


PAGES = ("Corpus", "Train", "Gradients", "Projection", "Neighbours", "Compare")


def page_costs(browser, url: str, settle_ms: int = 1500) -> dict[str, float]:  # noqa: ANN001 - playwright Browser
    """Chromium's CPU seconds to open each page of a session that has trained (one short run): from the click
    on its link until it is drawn and ``settle_ms`` later (charts finish drawing after the script is idle)."""
    context, page = new_train_page(browser, url)
    costs = {}
    try:
        set_number(page, "Epochs", 1)
        button(page, "Start training").click()
        page.locator('[data-testid="stProgress"]', has_text="Finished").wait_for(timeout=120_000)
        for title in PAGES:
            before = chromium_cpu()
            go_to(page, title)
            page.wait_for_timeout(settle_ms)
            costs[title] = chromium_cpu() - before
    finally:
        context.close()
    return costs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=60, help="long enough to train through both windows")
    parser.add_argument("--start-seconds", type=float, default=3.0)
    parser.add_argument("--steady-seconds", type=float, default=10.0)
    parser.add_argument("--js", action="store_true", help="profile the page's JavaScript in the steady window")
    parser.add_argument("--pages", action="store_true",
                        help="instead: the browser's CPU to open each page after a short run (per trial)")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d')} · {machine()}", flush=True)
    process, url = start_server(OUTPUT / "browser-profile-server.log")
    starts, steadies = [], []
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            warm_up_app(browser, url)
            if args.pages:
                runs = [page_costs(browser, url) for _ in range(args.trials)]
                for title in PAGES:
                    values = [run[title] for run in runs]
                    print(f"{title:<11} median {statistics.median(values):.2f} CPU s "
                          f"({', '.join(f'{v:.2f}' for v in values)})", flush=True)
                browser.close()
                return 0
            for number in range(args.trials):
                start, steady, report = trial(browser, url, args)
                starts.append(start)
                steadies.append(steady)
                print(f"trial {number + 1}: first {args.start_seconds:g} s after the click {start:.2f} CPU s, "
                      f"then {steady:.3f} of a core", flush=True)
                if report:
                    print(report, flush=True)
            browser.close()
    finally:
        stop_server(process)
    print(f"median: start {statistics.median(starts):.2f} CPU s, steady {statistics.median(steadies):.3f} core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
