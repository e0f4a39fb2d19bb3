"""Load test: N headless-Chromium sessions (Playwright) arrive over 20 s at one server of the app, each playing
``--flow full`` (teaching corpus, dim 20, 1 epoch, Start training, every page, wait for Finished) or ``brief``
(open, Start training, close). Reports completion, pages drawn, the server's time per page run (``W2V_PAGE_TIMES``),
CPU seconds, RSS and threads after each of ``--rounds``. Tabs run at niceness 19 under SCHED_IDLE.

    python -m benchmarks.load_test -n 30 --json load30.json          # about 10 minutes on 2 cores
    python -m benchmarks.load_test -n 50 --flow brief --rounds 2
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
from tests.browser.browser_support import CHROMIUM, CHROMIUM_ARGS, IDLE, VIEWPORT, is_local

PROGRESS = '[data-testid="stProgress"]'
# what each page shows once drawn (an alert when there is nothing to show yet)
CONTENT = {"Train": 'button:has-text("Start training")', "Corpus": '[data-testid="stMetric"]',
           **dict.fromkeys(("Gradients", "Projection"), '[data-testid="stPlotlyChart"], [data-testid="stAlert"]'),
           "Neighbours": '[data-testid="stDataFrame"], [data-testid="stAlert"]',
           "Compare": '[data-testid="stSelectbox"], [data-testid="stAlert"]'}
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


def lower_priority(others: tuple[int, ...] = ()) -> None:
    """Every thread of the browser at niceness 19 and under SCHED_IDLE (a nice-19 thread alone still gets about
    1.5 % of a core beside each busy one); Chromium's zygote passes both on to later renderers."""
    for process in browser_processes(others):
        with contextlib.suppress(psutil.Error, OSError):
            for thread in process.threads():
                os.setpriority(os.PRIO_PROCESS, thread.id, 19)
                os.sched_setscheduler(thread.id, os.SCHED_IDLE, os.sched_param(0))


@dataclass
class SessionResult(h.SessionResult):
    page_seconds: dict[str, list[float]] = field(default_factory=dict)  # page -> times until drawn


async def run_session(browser, url: str, index: int, flow: str, dim: int, epochs: int,  # noqa: ANN001
                      deadline: float) -> SessionResult:
    """One user: see the module docstring (``flow="brief"``: open, start a run, close at once)."""
    from playwright.async_api import expect

    result = SessionResult(index)
    context = await browser.new_context(viewport=VIEWPORT)

    def remaining_ms() -> float:
        return max(1000.0, (deadline - time.monotonic()) * 1000)

    async def drawn(name: str, content: str, action) -> None:  # noqa: ANN001
        """Time from ``action()`` until the page shows ``content`` and an idle script."""
        started = time.perf_counter()
        await action()
        await page.locator(content).first.wait_for(state="visible", timeout=remaining_ms())
        await page.wait_for_selector(IDLE, timeout=remaining_ms())
        result.page_seconds.setdefault(name, []).append(time.perf_counter() - started)

    async def open_page(title: str) -> None:
        async def click() -> None:  # the sidebar's link, until the page's heading shows
            await page.locator('[data-testid="stSidebarNavLink"]', has_text=re.compile(f"^{title}$")).click()
            heading = page.get_by_role("heading", name=title, exact=True).first
            await expect(heading).to_be_visible(timeout=remaining_ms())

        await drawn(title, CONTENT[title], click)

    async def start_training(full: bool) -> float:
        """Set the run's size (not ``full``: only the epochs), press Start training; returns the click time."""
        for label, value in (("Vector size (dim)", dim), ("Workers", 1), ("Epochs", epochs))[0 if full else 2:]:
            box = page.get_by_role("spinbutton", name=label)
            await box.fill(str(value))
            await box.press("Enter")
            await expect(box).to_have_value(str(value))
            await page.wait_for_selector(IDLE)
        clicked = time.perf_counter()
        await page.get_by_role("button", name="Start training", exact=True).click()
        await expect(page.locator(PROGRESS).first).to_contain_text(TRAINING_SHOWN, timeout=remaining_ms())
        result.queued = "Waiting in the queue" in await page.locator(PROGRESS).first.inner_text()
        return clicked

    try:
        context.set_default_timeout(remaining_ms())
        await context.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
        page = await context.new_page()
        await drawn("first load", CONTENT["Train"], lambda: page.goto(url))
        if flow == "brief":
            await start_training(full=False)
        else:
            await open_page("Corpus")
            await page.get_by_text("Teaching corpus (generated)", exact=True).click()
            await page.wait_for_selector(IDLE, timeout=remaining_ms())
            await open_page("Train")
            clicked = await start_training(full=True)
            for title in ("Gradients", "Projection", "Neighbours", "Compare", "Train"):
                await open_page(title)
            await expect(page.locator(PROGRESS).first).to_contain_text("Finished", timeout=remaining_ms())
            result.run_seconds = time.perf_counter() - clicked
            for title in ("Projection", "Neighbours", "Train"):
                await open_page(title)
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
    at a time, within ``timeout`` s. ``usage["browser_cpu_s"]`` receives the browser's CPU seconds (with the
    renderers of closed tabs); ``others`` are this process's children that are not the browser; ``background``:
    ``lower_priority``."""
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
                usage["browser_cpu_s"] = 0.0
                for process in browser_processes(others):
                    with contextlib.suppress(psutil.Error):
                        usage["browser_cpu_s"] += h.cpu_seconds(process, reaped=True)
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


def server_times(path: Path, since: float, kind: str = "page") -> list[float]:
    """Seconds the server logged to ``$W2V_PAGE_TIMES`` since an epoch time: of page runs, or memory reclaims."""
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [e["seconds"] for e in events if kind in e and since <= e["t"]]


def busy_total() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - times.iowait, sum(times)


def measure(args: argparse.Namespace) -> dict:
    """The sessions against a server of our own, ``args.rounds`` times: its page times, CPU, RSS and threads."""
    (page_log := h.ROOT / "test-output" / "load_test_page_times.jsonl").unlink(missing_ok=True)
    results, rounds, page_runs, cpu = [], [], [], dict.fromkeys(("server", "browser", "machine", "machine_total"), 0.0)
    with Server(h.ROOT / "test-output" / "load_test_server.log", session_ttl=SESSION_TTL,
                env={"W2V_PAGE_TIMES": str(page_log)}) as server:
        fresh = server.status()
        if not (warm := asyncio.run(run_sessions(server.url, 1, timeout=180))[0]).completed:
            raise RuntimeError(f"the warm-up session failed: {warm.error}")
        before, first_round = server.quiet_status(), time.time()
        for _ in range(args.rounds):  # the same sessions again on the same server: does what stays grow?
            usage, since, machine = {}, time.time(), busy_total()
            with server.watch() as load:
                batch = asyncio.run(run_sessions(server.url, args.sessions, flow=args.flow, ramp=RAMP,
                                                 timeout=TIMEOUT, usage=usage, others=(server.pid,), background=True))
            page_runs += server_times(page_log, since)
            for key, value in zip(cpu, (load["server_cpu_s"], usage["browser_cpu_s"],
                                        *(b - a for a, b in zip(machine, busy_total(), strict=True))), strict=True):
                cpu[key] += value
            closed = server.status()
            after = settle(server, SESSION_TTL, before[1])  # the probe session is not in the figures
            results += batch
            rounds.append({"completed": sum(r.completed for r in batch), "rss_mb": [load["peak_rss_mb"], closed[0],
                           after[0]], "threads": [load["peak_threads"], closed[1], after[1]]})
        reclaims = server_times(page_log, first_round, kind="reclaimed")
    pages = [(page, t) for r in results for page, times in r.page_seconds.items() for t in times]
    return {**h.summarise(results), "first_load": h.figures([t for page, t in pages if page == "first load"]),
            "drawn": h.figures([t for page, t in pages if page != "first load"]),
            "session_results": [asdict(r) for r in results], "server_page_runs": h.figures(page_runs),
            "reclaims": h.figures(reclaims), "cpu_s": cpu, "server": {"fresh": fresh, "warm": before, "rounds": rounds}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--sessions", type=int, default=30, help="browser sessions (default 30)")
    parser.add_argument("--flow", choices=["full", "brief"], default="full", help="what each session does")
    parser.add_argument("--rounds", type=int, default=1, help="run the N sessions this many times on one server")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    f = {**h.header("load_test", argv), "flow": args.flow}
    f |= measure(args)
    print(f"{f['completed']}/{f['sessions']} sessions completed ({f['queued']} waited in the training queue)")
    print(h.describe("page drawn in the tab (click -> drawn, the tab's wait for CPU included)", f["drawn"]))
    print(h.describe("  first load of the app", f["first_load"]) + "; " + h.describe("run", f["runs"]))
    print(h.describe("server time per page run (W2V_PAGE_TIMES: script start to end)", f["server_page_runs"]))
    cpu, s = f["cpu_s"], f["server"]
    print(f"CPU seconds: server {cpu['server']:.0f}, browser {cpu['browser']:.0f}, machine {cpu['machine']:.0f} "
          f"({cpu['machine'] / max(cpu['machine_total'], 1e-9):.0%} busy)")
    print(f"server RSS MB / threads: fresh {s['fresh'][0]:.0f} / {s['fresh'][1]}, after warm-up {s['warm'][0]:.0f} / "
          f"{s['warm'][1]}")
    for number, r in enumerate(s["rounds"], 1):
        print(f"  round {number}: {r['completed']} completed; peak, sessions closed, after: RSS MB "
              f"{', '.join(f'{v:.0f}' for v in r['rss_mb'])}; threads {', '.join(map(str, r['threads']))}")
    print(h.describe("memory reclaims (full collection + malloc_trim)", f["reclaims"]))
    return h.finish(f, args.json)


if __name__ == "__main__":
    sys.exit(main())
