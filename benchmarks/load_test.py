"""Load test: N headless-Chromium sessions (Playwright) arrive over 20 s at one server of the app, each playing
``--flow full`` (teaching corpus, dim 20, 1 epoch, Start training, every page, wait for Finished) or ``brief``
(open, Start training, close). Reports completion, pages drawn, the server's time per page run (``W2V_PAGE_TIMES``),
CPU seconds, RSS and threads after each of ``--rounds``. Tabs run at niceness 19 under SCHED_IDLE.

    python -m benchmarks.load_test -n 30 --json load30.json          # about 10 minutes on 2 cores
    python -m benchmarks.load_test -n 50 --flow brief --rounds 2     # --url http://host:8501: a remote app
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from benchmarks import harness as h
from benchmarks.harness import Server
from tests.browser.browser_support import CHROMIUM, CHROMIUM_ARGS, IDLE, LOCAL_PREFIXES, VIEWPORT

PROGRESS = '[data-testid="stProgress"]'
# what each page shows once drawn (an alert when there is nothing to show yet)
CONTENT = {
    "Train": 'button:has-text("Start training")',
    "Corpus": '[data-testid="stMetric"]',
    "Gradients": '[data-testid="stPlotlyChart"], [data-testid="stAlert"]',
    "Projection": '[data-testid="stPlotlyChart"], [data-testid="stAlert"]',
    "Neighbours": '[data-testid="stDataFrame"], [data-testid="stAlert"]',
    "Compare": '[data-testid="stSelectbox"], [data-testid="stAlert"]',
}
RECLAIM_WAIT = 16.0  # seconds: one period of the server's watchdog (ui.serving.CHECK_SECONDS) and a second
TRAINING_SHOWN = re.compile(r"Waiting in the queue|Compiling|Training|Finished")
RAMP, DIM, EPOCHS, TIMEOUT, SESSION_TTL = 20.0, 20, 1, 900.0, 120  # s; each run's size; s; Streamlit's TTL, s


def browser_processes(others: tuple[int, ...] = ()) -> list[psutil.Process]:
    """This process's live descendants except ``others`` and theirs: the Playwright driver and Chromium."""
    skip = set(others)
    for pid in others:
        with contextlib.suppress(psutil.Error):
            skip |= {child.pid for child in psutil.Process(pid).children(recursive=True)}
    return [p for p in psutil.Process().children(recursive=True) if p.pid not in skip]


def browser_cpu_seconds(others: tuple[int, ...] = ()) -> float:
    """CPU seconds of the browser's processes, with the renderers of closed tabs they reaped."""
    total = 0.0
    for process in browser_processes(others):
        with contextlib.suppress(psutil.Error):
            total += h.cpu_seconds(process, reaped=True)
    return total


def lower_priority(others: tuple[int, ...] = ()) -> None:
    """Every thread of the browser at niceness 19 and under SCHED_IDLE (a nice-19 thread alone still gets about
    1.5 % of a core beside each busy one); Chromium's zygote passes both on to later renderers."""
    for process in browser_processes(others):
        with contextlib.suppress(psutil.Error, OSError):
            for thread in process.threads():
                os.setpriority(os.PRIO_PROCESS, thread.id, 19)
                os.sched_setscheduler(thread.id, os.SCHED_IDLE, os.sched_param(0))


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    times = psutil.cpu_times()
    total = sum(times)
    return total - times.idle - times.iowait, total


@dataclass
class SessionResult(h.SessionResult):
    page_seconds: dict[str, list[float]] = field(default_factory=dict)  # page -> times until drawn


def _allowed_prefixes(url: str) -> tuple[str, ...]:
    """URL prefixes a session may request: localhost, and the server at ``url`` (its WebSocket too)."""
    origin = "/".join(url.split("/")[:3])
    return (*LOCAL_PREFIXES, origin, origin.replace("http", "ws", 1))


async def _open_page(page, result: SessionResult, title: str, timeout_ms: float) -> None:
    """Click ``title`` in the sidebar and time until its heading, its content and an idle script are shown."""
    from playwright.async_api import expect

    started = time.perf_counter()
    await page.locator('[data-testid="stSidebarNavLink"]', has_text=re.compile(f"^{title}$")).click()
    await expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible(timeout=timeout_ms)
    await page.locator(CONTENT[title]).first.wait_for(state="visible", timeout=timeout_ms)
    await page.wait_for_selector(IDLE, timeout=timeout_ms)
    result.page_seconds.setdefault(title, []).append(time.perf_counter() - started)


async def _set_number(page, label: str, value: int) -> None:
    from playwright.async_api import expect

    box = page.get_by_role("spinbutton", name=label)
    await box.fill(str(value))
    await box.press("Enter")
    await expect(box).to_have_value(str(value))
    await page.wait_for_selector(IDLE)


async def _start_training(page, result: SessionResult, dim: int | None, epochs: int,
                          timeout_ms: float) -> float:
    """Set the run's size (``dim=None``: only the epochs) and press Start training; returns the click time."""
    from playwright.async_api import expect

    if dim is not None:
        await _set_number(page, "Vector size (dim)", dim)
        await _set_number(page, "Workers", 1)
    await _set_number(page, "Epochs", epochs)
    clicked = time.perf_counter()
    await page.get_by_role("button", name="Start training", exact=True).click()
    await expect(page.locator(PROGRESS).first).to_contain_text(TRAINING_SHOWN, timeout=timeout_ms)
    result.queued = "Waiting in the queue" in await page.locator(PROGRESS).first.inner_text()
    return clicked


async def run_session(browser, url: str, index: int, flow: str, dim: int, epochs: int,
                      deadline: float) -> SessionResult:
    """One user: see the module docstring (``flow="brief"``: open, start a run, close at once)."""
    from playwright.async_api import expect

    result = SessionResult(index)
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        def remaining_ms() -> float:
            return max(1000.0, (deadline - time.monotonic()) * 1000)

        context.set_default_timeout(remaining_ms())
        allowed = _allowed_prefixes(url)
        await context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(allowed)
                            else route.abort())
        page = await context.new_page()
        started = time.perf_counter()
        await page.goto(url)
        await page.locator(CONTENT["Train"]).first.wait_for(state="visible", timeout=remaining_ms())
        await page.wait_for_selector(IDLE, timeout=remaining_ms())
        result.page_seconds["first load"] = [time.perf_counter() - started]
        if flow == "brief":
            await _start_training(page, result, None, epochs, remaining_ms())
            result.completed = True
            return result
        await _open_page(page, result, "Corpus", remaining_ms())
        await page.get_by_text("Teaching corpus (generated)", exact=True).click()
        await page.wait_for_selector(IDLE, timeout=remaining_ms())
        await _open_page(page, result, "Train", remaining_ms())
        clicked = await _start_training(page, result, dim, epochs, remaining_ms())
        for title in ("Gradients", "Projection", "Neighbours", "Compare", "Train"):
            await _open_page(page, result, title, remaining_ms())
        await expect(page.locator(PROGRESS).first).to_contain_text("Finished", timeout=remaining_ms())
        result.run_seconds = time.perf_counter() - clicked
        for title in ("Projection", "Neighbours", "Train"):
            await _open_page(page, result, title, remaining_ms())
        result.completed = True
    except Exception as error:  # noqa: BLE001 - a failed session is counted and reported, not fatal
        result.error = h.failure(error)
    finally:
        await context.close()
    return result


async def run_sessions(url: str, n: int, flow: str = "full", ramp: float = 0.0, concurrency: int | None = None,
                       dim: int = DIM, epochs: int = EPOCHS, timeout: float = 300.0, usage: dict | None = None,
                       others: tuple[int, ...] = (), background: bool = False) -> list[SessionResult]:
    """``n`` sessions in one headless Chromium, arriving evenly over ``ramp`` seconds, at most ``concurrency``
    at a time, within ``timeout`` s. ``usage["browser_cpu_s"]`` receives the browser's CPU seconds; ``others``
    are this process's children that are not the browser; ``background``: ``lower_priority``."""
    from playwright.async_api import async_playwright

    deadline = time.monotonic() + timeout
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if background:
            lower_priority(others)
        try:
            return await h.arrive(n, ramp, lambda i: run_session(browser, url, i, flow, dim, epochs, deadline),
                                  concurrency)
        finally:
            if usage is not None:
                usage["browser_cpu_s"] = browser_cpu_seconds(others)
            await browser.close()


def settle(server: Server, session_ttl: float, baseline_threads: int, timeout: float = 60.0) -> tuple[float, int]:
    """After the sessions closed: wait for them to expire, let one probe session come and go (Streamlit drops
    expired sessions when one disconnects), give the watchdog time to reclaim their memory and the threads time
    to fall back; returns the server's (RSS MB, threads)."""
    time.sleep(session_ttl + 1)
    asyncio.run(run_sessions(server.url, 1, flow="brief", timeout=60))
    time.sleep(RECLAIM_WAIT)
    deadline = time.monotonic() + timeout
    rss, threads = server.quiet_status()
    while threads > baseline_threads and time.monotonic() < deadline:  # idle file-serving threads go only
        rss, threads = server.quiet_status()  # when a request comes after 10 s
    return rss, threads


def summarise(results: list[SessionResult]) -> dict:
    """``harness.summarise`` with the first loads and the pages drawn in the tabs."""
    pages = [(page, t) for r in results for page, times in r.page_seconds.items() for t in times]
    return {**h.summarise(results), "first_load": h.figures([t for page, t in pages if page == "first load"]),
            "drawn": h.figures([t for page, t in pages if page != "first load"]),
            "session_results": [asdict(r) for r in results]}


def server_times(path: Path, since: float, until: float, kind: str = "page") -> list[dict]:
    """What the server logged to ``$W2V_PAGE_TIMES`` between two epoch times: page runs, or memory reclaims."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    events = [json.loads(line) for line in lines if line.strip()]
    return [e for e in events if kind in e and since <= e["t"] <= until]


def measure_server(args: argparse.Namespace) -> dict:
    """The sessions against a server of our own, ``args.rounds`` times: its page times, CPU, RSS and threads."""
    page_log = h.ROOT / "test-output" / "load_test_page_times.jsonl"
    page_log.unlink(missing_ok=True)
    results, rounds, page_runs, cpu = [], [], [], {"server": 0.0, "browser": 0.0, "machine": 0.0, "machine_total": 0.0}
    with Server(h.ROOT / "test-output" / "load_test_server.log", session_ttl=SESSION_TTL,
                env={"W2V_PAGE_TIMES": str(page_log)}) as server:
        fresh = server.status()
        warm = asyncio.run(run_sessions(server.url, 1, timeout=180))
        if not warm[0].completed:
            raise RuntimeError(f"the warm-up session failed: {warm[0].error}")
        before, first_round = server.quiet_status(), time.time()
        for _ in range(args.rounds):  # the same sessions again on the same server: does what stays grow?
            usage, since, machine = {}, time.time(), machine_busy_seconds()
            with server.watch() as load:
                batch = asyncio.run(run_sessions(server.url, args.sessions, flow=args.flow, ramp=RAMP,
                                                 timeout=TIMEOUT, usage=usage, others=(server.pid,), background=True))
            page_runs += server_times(page_log, since, time.time())
            busy, total = machine_busy_seconds()
            cpu = {"server": cpu["server"] + load["server_cpu_s"], "browser": cpu["browser"] + usage["browser_cpu_s"],
                   "machine": cpu["machine"] + busy - machine[0],
                   "machine_total": cpu["machine_total"] + total - machine[1]}
            closed = server.status()
            after = settle(server, SESSION_TTL, before[1])  # the probe session is not in the figures
            results += batch
            rounds.append({"completed": sum(r.completed for r in batch), "rss_mb": [load["peak_rss_mb"], closed[0],
                           after[0]], "threads": [load["peak_threads"], closed[1], after[1]]})
        reclaims = [e["seconds"] for e in server_times(page_log, first_round, time.time(), kind="reclaimed")]
    return {**summarise(results), "server_page_runs": h.figures([r["seconds"] for r in page_runs]),
            "reclaims": h.figures(reclaims), "cpu_s": cpu, "server": {"fresh": fresh, "warm": before, "rounds": rounds}}


def report(f: dict) -> None:
    """Print the figures (without "server": a remote server's run, browser figures only)."""
    print(f"{f['completed']}/{f['sessions']} sessions completed ({f['queued']} waited in the training queue)")
    print(h.describe("page drawn in the tab (click -> drawn, the tab's wait for CPU included)", f["drawn"]))
    print(h.describe("  first load of the app", f["first_load"]) + "; " + h.describe("run", f["runs"]))
    if "server" in f:
        print(h.describe("server time per page run (W2V_PAGE_TIMES: script start to end)", f["server_page_runs"]))
        cpu = f["cpu_s"]
        print(f"CPU seconds: server {cpu['server']:.0f}, browser {cpu['browser']:.0f}, machine {cpu['machine']:.0f} "
              f"({cpu['machine'] / max(cpu['machine_total'], 1e-9):.0%} busy)")
        s = f["server"]
        print(f"server RSS MB / threads: fresh {s['fresh'][0]:.0f} / {s['fresh'][1]}, after warm-up "
              f"{s['warm'][0]:.0f} / {s['warm'][1]}")
        for number, r in enumerate(s["rounds"], 1):
            print(f"  round {number}: {r['completed']} completed; peak, sessions closed, after: RSS MB "
                  f"{', '.join(f'{v:.0f}' for v in r['rss_mb'])}; threads {', '.join(map(str, r['threads']))}")
        print(h.describe("memory reclaims (full collection + malloc_trim)", f["reclaims"]))
    else:
        print(f"server at {f['url']}; browser CPU seconds {f['browser_cpu_s']:.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--sessions", type=int, default=30, help="browser sessions (default 30)")
    parser.add_argument("--flow", choices=["full", "brief"], default="full", help="what each session does")
    parser.add_argument("--rounds", type=int, default=1, help="run the N sessions this many times on one server")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--url", help="drive a server already running there (browser figures only)")
    args = parser.parse_args(argv)
    if args.url and not args.url.startswith(("http://", "https://")):
        parser.error("--url must start with http:// or https://")
    out = {**h.run_header("load_test", argv), "flow": args.flow}
    if args.url:
        usage: dict = {}
        results = asyncio.run(run_sessions(args.url, args.sessions, flow=args.flow, ramp=RAMP, timeout=TIMEOUT,
                                           usage=usage, background=True))
        out |= {"url": args.url, **summarise(results), "browser_cpu_s": usage["browser_cpu_s"]}
    else:
        out |= measure_server(args)
    report(out)
    return h.finish(out, args.json)


if __name__ == "__main__":
    sys.exit(main())
