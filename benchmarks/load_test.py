"""Load test: N headless-browser sessions (Playwright, one Chromium) against one server of the app.

Starts ``streamlit run app.py`` with ``W2V_PAGE_TIMES`` set, warms it up with one session, then N sessions
arrive over ``--ramp`` seconds. ``--flow full``: Corpus (teaching corpus), Train (dim, 1 worker, epochs), Start
training, Gradients, Projection, Neighbours, Compare, Train, wait for Finished, Projection, Neighbours, Train.
``--flow brief``: open, Start training, close. Reports sessions completed, page response drawn in the tabs, the
server's own time per page run (its ``W2V_PAGE_TIMES`` log), CPU seconds, and the server's RSS and threads after
warm-up, at peak and after each of ``--rounds`` (once the closed sessions expired and the server's watchdog
reclaimed their memory). The tabs run at niceness 19 under SCHED_IDLE: they take only the CPU the server
leaves, as a class's browsers on their own computers would. Only localhost (or ``--url``) is contacted.

    python -m benchmarks.load_test -n 30 --json load30.json          # about 10 minutes on 2 cores
    python -m benchmarks.load_test -n 50 --flow brief --rounds 2
    python -m benchmarks.load_test -n 30 --url http://server:8501    # the app on another machine
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

if not __package__:  # run as a file (python benchmarks/x.py): import from the repository, as python -m does
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from benchmarks.harness import ROOT, Sampler, Server, cpu_seconds, describe, figures, run_header, server_times
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


# ------------------------------------------------------------------------------------------- the browser


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
            total += cpu_seconds(process, reaped=True)
    return total


def lower_priority(niceness: int, idle: bool, others: tuple[int, ...] = ()) -> None:
    """Every thread of the browser at ``niceness``, and with ``idle`` under SCHED_IDLE (a nice-19 thread still
    gets about 1.5 % of a core beside each busy one). Chromium's zygote passes both on to later renderers."""
    for process in browser_processes(others):
        with contextlib.suppress(psutil.Error, OSError):
            for thread in process.threads():
                os.setpriority(os.PRIO_PROCESS, thread.id, niceness)
                if idle:
                    os.sched_setscheduler(thread.id, os.SCHED_IDLE, os.sched_param(0))


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    times = psutil.cpu_times()
    total = sum(times)
    return total - times.idle - times.iowait, total


# ----------------------------------------------------------------------------------------------- sessions


@dataclass
class SessionResult:
    index: int
    completed: bool = False
    error: str = ""
    queued: bool = False  # saw "Waiting in the queue"
    page_seconds: dict[str, list[float]] = field(default_factory=dict)  # page -> times until drawn
    start_seconds: float | None = None  # Start training click -> the run's state shown
    run_seconds: float | None = None  # Start training click -> "Finished" shown


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
    result.start_seconds = time.perf_counter() - clicked
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
        result.error = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
    finally:
        await context.close()
    return result


async def run_sessions(url: str, n: int, flow: str = "full", ramp: float = 0.0, concurrency: int | None = None,
                       dim: int = 20, epochs: int = 1, timeout: float = 300.0, usage: dict | None = None,
                       others: tuple[int, ...] = (), client_nice: int = 0,
                       client_idle: bool = False) -> list[SessionResult]:
    """``n`` sessions in one headless Chromium, arriving evenly over ``ramp`` seconds, at most ``concurrency``
    at a time (default: all), each within ``timeout`` seconds of the start. ``usage["browser_cpu_s"]`` receives
    the browser's CPU seconds; ``others`` are this process's children that are not the browser (the server).
    ``client_nice`` > 0 and ``client_idle`` lower the browser's CPU priority (never the server's)."""
    from playwright.async_api import async_playwright

    deadline = time.monotonic() + timeout
    limit = asyncio.Semaphore(concurrency or n)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if client_nice or client_idle:
            lower_priority(client_nice, client_idle, others)
        try:
            async def one(index: int) -> SessionResult:
                await asyncio.sleep(ramp * index / max(n, 1))
                async with limit:
                    return await run_session(browser, url, index, flow, dim, epochs, deadline)

            return list(await asyncio.gather(*(one(i) for i in range(n))))
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


# ------------------------------------------------------------------------------------------------ figures


def summarise(results: list[SessionResult]) -> dict:
    """Sessions completed and queued, page response drawn in the tabs (all visits, revisits, per page), runs."""
    pages = [(page, times) for r in results for page, times in r.page_seconds.items()]
    return {"sessions": len(results), "completed": sum(r.completed for r in results),
            "queued": sum(r.queued for r in results),
            "errors": [f"session {r.index}: {r.error}" for r in results if r.error],
            "first_load": figures([t for page, times in pages if page == "first load" for t in times]),
            "drawn": figures([t for page, times in pages if page != "first load" for t in times]),
            "drawn_revisits": figures([t for page, times in pages if page != "first load" for t in times[1:]]),
            "start_shown": figures([r.start_seconds for r in results if r.start_seconds is not None]),
            "runs": figures([r.run_seconds for r in results if r.run_seconds is not None]),
            "session_results": [asdict(r) for r in results]}


def measure_server(args: argparse.Namespace) -> dict:
    """The sessions against a server of our own, ``args.rounds`` times: its page times, CPU, RSS and threads."""
    page_log = ROOT / "test-output" / "load_test_page_times.jsonl"
    page_log.unlink(missing_ok=True)
    server = Server(ROOT / "test-output" / "load_test_server.log", session_ttl=args.session_ttl,
                    env={"W2V_PAGE_TIMES": str(page_log)})
    results, rounds, page_runs, cpu = [], [], [], {"server": 0.0, "browser": 0.0, "machine": 0.0, "machine_total": 0.0}
    try:
        server.wait_healthy()
        fresh = server.status()
        warm = asyncio.run(run_sessions(server.url, 1, dim=args.dim, epochs=args.epochs, timeout=180))
        if not warm[0].completed:
            raise RuntimeError(f"the warm-up session failed: {warm[0].error}")
        before, first_round = server.quiet_status(), time.time()
        for _ in range(args.rounds):  # the same sessions again on the same server: does what stays grow?
            sampler, usage, since = Sampler(server), {}, time.time()
            server_cpu, machine = cpu_seconds(server.ps), machine_busy_seconds()
            batch = asyncio.run(run_sessions(server.url, args.sessions, flow=args.flow, ramp=args.ramp,
                                             dim=args.dim, epochs=args.epochs, timeout=args.timeout, usage=usage,
                                             others=(server.pid,), client_nice=args.client_nice,
                                             client_idle=args.client_idle))
            page_runs += server_times(page_log, since, time.time())
            cpu["server"] += cpu_seconds(server.ps) - server_cpu
            cpu["browser"] += usage["browser_cpu_s"]
            busy, total = machine_busy_seconds()
            cpu["machine"] += busy - machine[0]
            cpu["machine_total"] += total - machine[1]
            sampler.close()
            closed = server.status()
            after = settle(server, args.session_ttl, before[1])  # the probe session is not in the figures
            results += batch
            rounds.append({"completed": sum(r.completed for r in batch), "rss_mb": [sampler.peak_rss_mb,
                           closed[0], after[0]], "threads": [sampler.peak_threads, closed[1], after[1]]})
        reclaims = [e["seconds"] for e in server_times(page_log, first_round, time.time(), kind="reclaimed")]
    finally:
        server.stop()
    return {**summarise(results), "server_page_runs": figures([r["seconds"] for r in page_runs]),
            "reclaims": figures(reclaims), "cpu_s": cpu,
            "server": {"fresh": fresh, "warm": before, "rounds": rounds}}


def report(f: dict) -> None:
    """Print the figures (without "server": a remote server's run, browser figures only)."""
    print(f"{f['completed']}/{f['sessions']} sessions completed ({f['queued']} waited in the training queue); tabs "
          f"at niceness {f['client_nice']}{', SCHED_IDLE' if f['client_idle'] else ''}")
    print(describe("page drawn in the tab (click -> drawn, the tab's wait for CPU included)", f["drawn"]))
    print(describe("  revisits of a page in the same tab", f["drawn_revisits"]))
    print(describe("  first load of the app", f["first_load"]))
    print(describe("Start training -> state shown", f["start_shown"]) + "; " + describe("run", f["runs"]))
    if "server" in f:
        print(describe("server time per page run (W2V_PAGE_TIMES: script start to end)", f["server_page_runs"]))
        cpu = f["cpu_s"]
        print(f"CPU seconds: server {cpu['server']:.0f}, browser {cpu['browser']:.0f}, machine {cpu['machine']:.0f} "
              f"({cpu['machine'] / max(cpu['machine_total'], 1e-9):.0%} busy)")
        s = f["server"]
        print(f"server RSS MB / threads: fresh {s['fresh'][0]:.0f} / {s['fresh'][1]}, after warm-up "
              f"{s['warm'][0]:.0f} / {s['warm'][1]}")
        for number, r in enumerate(s["rounds"], 1):
            print(f"  round {number}: {r['completed']} completed; peak, sessions closed, after: RSS MB "
                  f"{', '.join(f'{v:.0f}' for v in r['rss_mb'])}; threads {', '.join(map(str, r['threads']))}")
        print(describe("memory reclaims (full collection + malloc_trim)", f["reclaims"]))
    else:
        print(f"server at {f['url']}; browser CPU seconds {f['browser_cpu_s']:.0f}")
    for error in f["errors"]:
        print("  " + error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--sessions", type=int, default=30, help="concurrent browser sessions (default 30)")
    parser.add_argument("--flow", choices=["full", "brief"], default="full", help="what each session does")
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which the sessions arrive")
    parser.add_argument("--dim", type=int, default=20, help="vector size of each session's run")
    parser.add_argument("--epochs", type=int, default=1, help="epochs of each session's run")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for all sessions to finish")
    parser.add_argument("--session-ttl", type=int, default=120,
                        help="the server's disconnectedSessionTTL in seconds (Streamlit's default: 120)")
    parser.add_argument("--client-nice", type=int, default=19, choices=range(20), metavar="0-19",
                        help="CPU niceness of the browser tabs (default 19)")
    parser.add_argument("--client-idle", action=argparse.BooleanOptionalAction, default=True,
                        help="run the browser tabs under SCHED_IDLE too (default)")
    parser.add_argument("--rounds", type=int, default=1, help="run the N sessions this many times on one server")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--url", help="drive a server already running there instead of starting one "
                                      "(browser figures only)")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 200:
        parser.error("--sessions must be between 1 and 200")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
    if args.url and not args.url.startswith(("http://", "https://")):
        parser.error("--url must start with http:// or https://")
    out = {**run_header("load_test", argv), "flow": args.flow, "client_nice": args.client_nice,
           "client_idle": args.client_idle}
    if args.url:
        usage: dict = {}
        results = asyncio.run(run_sessions(args.url, args.sessions, flow=args.flow, ramp=args.ramp, dim=args.dim,
                                           epochs=args.epochs, timeout=args.timeout, usage=usage,
                                           client_nice=args.client_nice, client_idle=args.client_idle))
        out |= {"url": args.url, **summarise(results), "browser_cpu_s": usage["browser_cpu_s"]}
    else:
        out |= measure_server(args)
    report(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0 if out["completed"] == out["sessions"] else 1


if __name__ == "__main__":
    sys.exit(main())
