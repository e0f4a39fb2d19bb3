"""Load test: N concurrent headless-browser sessions against one local Streamlit server of the app.

The script starts ``streamlit run app.py`` on a free localhost port, warms it up with one session, then opens N
browser contexts in one headless Chromium (Playwright, asyncio), arriving over ``--ramp`` seconds. Each session:
opens the app, chooses the generated teaching corpus on the Corpus page, sets a small training (``--dim``,
``--epochs``, one worker) on the Train page, presses Start training (waiting in the server's queue if every
training slot is busy), visits Gradients, Projection, Neighbours, Compare and Train, waits for its run to finish,
visits Projection and Neighbours again, and closes. A page response is measured three ways: at the server's
socket, from a tab's request for a page run reaching the server to the server's message that the run finished
leaving it (``wire_tap.py``, a relay between the tabs and the server that reads the app's WebSocket messages as
they pass: what a client on another computer gets, less the network's latency, and what the bar "p95 page
response under 3 s" is judged on); in the browser, from the click on the page's link to its title and main
content being shown and the script idle (this includes the tab's own rendering); and on the server, how long each
page run took (``$W2V_PAGE_TIMES``). All N browser tabs run on this machine beside the server, so Chromium runs at
the lowest CPU priority (niceness 19, ``--client-nice``, and the SCHED_IDLE policy, ``--client-idle``): the
clients of a real class render on their own computers, and here they take only the CPU the server leaves (their
own page times then include waiting for the other 29 tabs to render). The server's RSS and thread count
(``/proc/<pid>/status``) are sampled throughout; "after" is read once every session has closed, the server's
``disconnectedSessionTTL`` has passed, one probe session came and went (Streamlit drops expired sessions
when another one disconnects) and the server's watchdog had a period in which to reclaim their memory. With
``--rounds R`` the N sessions come R times, one round after the other, and "after" is read after each round.
Only localhost is contacted: every other request of the browser is aborted.

    python benchmarks/load_test.py -n 30                 # the BENCHMARKS.md run (about 10 minutes on 2 cores)
    python benchmarks/load_test.py -n 5 --json out.json  # a quick one, figures also as JSON
    python benchmarks/load_test.py -n 50 --flow brief    # sessions that start a run and close at once
    python benchmarks/load_test.py -n 50 --flow brief --rounds 2   # ... twice: does the memory that stays grow?
    python benchmarks/load_test.py -n 30 --url http://server:8501   # browsers here, the app on another machine
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

if not __package__:  # run as a file (python benchmarks/x.py): import from the repository, as python -m does
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from benchmarks.wire_tap import PageResponse, Tap, page_responses

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL = ("http://localhost", "http://127.0.0.1", "ws://localhost", "ws://127.0.0.1")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PROGRESS = '[data-testid="stProgress"]'
# what each page shows once rendered (an alert when there is nothing to show yet)
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


# ------------------------------------------------------------------------------------------------ server


def proc_status(pid: int) -> tuple[float, int]:
    """(resident memory in MB, number of threads) of process ``pid``, from /proc/<pid>/status."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, CPU ticks of it and its reaped children: utime + stime + cutime + cstime)."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            table[int(stat.parent.name)] = (int(fields[1]), sum(int(value) for value in fields[11:15]))
        except (OSError, IndexError, ValueError):  # gone while being read
            continue
    return table


def _descendants(table: dict[int, tuple[int, int]], root: int, exclude: tuple[int, ...]) -> list[int]:
    """Live descendants of ``root`` in ``table``, leaving out ``exclude`` and their descendants."""
    found, stack = [], [pid for pid, (parent, _) in table.items() if parent == root and pid not in exclude]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack += [child for child, (parent, _) in table.items() if parent == pid and child not in exclude]
    return found


def descendants_cpu_seconds(root: int, exclude: tuple[int, ...] = ()) -> float:
    """CPU seconds of every live descendant of process ``root`` (but not of the processes ``exclude`` and their
    descendants) and of the children they reaped: here the Playwright driver and Chromium's processes, with the
    renderers of closed tabs."""
    table = _process_table()
    return sum(table[pid][1] for pid in _descendants(table, root, exclude)) / os.sysconf("SC_CLK_TCK")


def lower_priority(root: int, niceness: int, idle: bool, exclude: tuple[int, ...] = ()) -> int:
    """Lower the CPU priority of every thread of every live descendant of ``root`` except ``exclude`` and their
    descendants (the Playwright driver and Chromium): niceness ``niceness``, and with ``idle`` the SCHED_IDLE
    policy, which runs a thread only when no normal thread wants the core (a nice-19 thread still gets about
    1.5 % of a core beside each busy one, and 30 tabs 30 times that). Chromium's zygote passes both on to every
    renderer it starts later. Returns how many threads were changed."""
    changed = 0
    for pid in _descendants(_process_table(), root, exclude):
        for task in Path(f"/proc/{pid}/task").glob("[0-9]*"):
            try:
                os.setpriority(os.PRIO_PROCESS, int(task.name), niceness)
                if idle:
                    os.sched_setscheduler(int(task.name), os.SCHED_IDLE, os.sched_param(0))
                changed += 1
            except OSError:  # already gone
                pass
    return changed


def server_times(path: Path, since: float, until: float, kind: str = "page") -> list[dict]:
    """What the server logged (``ui.serving.log_server_time``) between two epoch times: its page runs, or with
    ``kind="reclaimed"`` its memory reclaims."""
    if not path.exists():
        return []
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [e for e in events if kind in e and since <= e["t"] <= until]


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK"), sum(values) / os.sysconf("SC_CLK_TCK")


def quiet_status(pid: int, url: str) -> tuple[float, int]:
    """``proc_status`` of the server at ``url`` once the web framework's pool of file-serving threads (anyio:
    grown on demand, idle threads stopped only when the next request starts, after 10 s idle) is pruned: 11 s
    without requests, then one request for the app's page."""
    time.sleep(11)
    with urllib.request.urlopen(url, timeout=10) as answer:
        answer.read()
    time.sleep(1)
    return proc_status(pid)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.read().strip() == b"ok"
    except OSError:
        return False


class Server:
    """``streamlit run app.py`` in ``cwd`` (default: this repository) on ``port`` (default: a free one) on
    localhost, in its own process group; ``pid`` is the server itself."""

    def __init__(self, log_path: Path, session_ttl: int | None = None, env: dict[str, str] | None = None,
                 cwd: Path = ROOT, port: int | None = None) -> None:
        self.port = port or _free_port()
        self.url = f"http://localhost:{self.port}"
        args = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
                str(self.port), "--server.address", "localhost", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none"]
        if session_ttl is not None:
            args += ["--server.disconnectedSessionTTL", str(int(session_ttl))]
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(args, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True,
                                            env={**os.environ, **(env or {})})
        self.pid = self.process.pid
        self.log_path = log_path

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not _healthy(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the server did not start:\n" + self.log_path.read_text(errors="replace")[-2000:])
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        except ProcessLookupError:
            pass


class Sampler:
    """Samples a process's RSS and thread count in a background thread; keeps the peaks."""

    def __init__(self, pid: int, period: float = 0.25) -> None:
        self.pid, self.period = pid, period
        self.peak_rss_mb, self.peak_threads = proc_status(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            try:
                rss, threads = proc_status(self.pid)
            except (OSError, KeyError):
                return
            self.peak_rss_mb, self.peak_threads = max(self.peak_rss_mb, rss), max(self.peak_threads, threads)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


# ----------------------------------------------------------------------------------------------- sessions


@dataclass
class SessionResult:
    index: int
    completed: bool = False
    error: str = ""
    queued: bool = False  # saw "Waiting in the queue"
    page_seconds: dict[str, list[float]] = field(default_factory=dict)  # page -> response times (rendered)
    start_seconds: float | None = None  # Start training click -> the run's state shown
    run_seconds: float | None = None  # Start training click -> "Finished" shown


def _allowed_prefixes(url: str) -> tuple[str, ...]:
    """URL prefixes a session may request: localhost, and the server at ``url`` (its WebSocket too)."""
    origin = "/".join(url.split("/")[:3])
    return (*LOCAL, origin, origin.replace("http", "ws", 1))


def _only(prefixes: tuple[str, ...]):  # noqa: ANN202 - an async playwright route handler
    """A route handler that lets requests to ``prefixes`` through and aborts every other one."""
    async def handle(route) -> None:  # noqa: ANN001 - playwright Route
        if route.request.url.startswith(prefixes):
            await route.continue_()
        else:
            await route.abort()
    return handle


async def _open_page(page, result: SessionResult, title: str, timeout_ms: float) -> None:  # noqa: ANN001
    """Click ``title`` in the sidebar and time until its heading, its content and an idle script are shown."""
    from playwright.async_api import expect

    started = time.perf_counter()
    await page.locator('[data-testid="stSidebarNavLink"]', has_text=re.compile(f"^{title}$")).click()
    await expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible(timeout=timeout_ms)
    await page.locator(CONTENT[title]).first.wait_for(state="visible", timeout=timeout_ms)
    await page.wait_for_selector(IDLE, timeout=timeout_ms)
    result.page_seconds.setdefault(title, []).append(time.perf_counter() - started)


async def _set_number(page, label: str, value: int) -> None:  # noqa: ANN001
    from playwright.async_api import expect

    box = page.get_by_role("spinbutton", name=label)
    await box.fill(str(value))
    await box.press("Enter")
    await expect(box).to_have_value(str(value))
    await page.wait_for_selector(IDLE)


async def _start_training(page, result: SessionResult, dim: int | None, epochs: int,  # noqa: ANN001
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


async def run_session(browser, url: str, index: int, flow: str, dim: int, epochs: int,  # noqa: ANN001
                      deadline: float) -> SessionResult:
    """One user: see the module docstring (``flow="brief"``: open, start a run, close at once)."""
    from playwright.async_api import expect

    result = SessionResult(index)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        def remaining_ms() -> float:
            return max(1000.0, (deadline - time.monotonic()) * 1000)

        context.set_default_timeout(remaining_ms())
        await context.route("**/*", _only(_allowed_prefixes(url)))
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
    the CPU seconds the browser (and its driver) used, not counting ``others``, the children of this process that
    are not the browser (the server, the wire tap).
    ``client_nice`` > 0 and ``client_idle`` lower the browser's CPU priority (never the server's)."""
    from playwright.async_api import async_playwright

    deadline = time.monotonic() + timeout
    limit = asyncio.Semaphore(concurrency or n)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if client_nice or client_idle:
            lower_priority(os.getpid(), client_nice, client_idle, exclude=others)
        try:
            async def one(index: int) -> SessionResult:
                await asyncio.sleep(ramp * index / max(n, 1))
                async with limit:
                    return await run_session(browser, url, index, flow, dim, epochs, deadline)

            return list(await asyncio.gather(*(one(i) for i in range(n))))
        finally:
            if usage is not None:
                usage["browser_cpu_s"] = descendants_cpu_seconds(os.getpid(), exclude=others)
            await browser.close()


def settle(server: Server, session_ttl: float, baseline_threads: int, timeout: float = 60.0) -> tuple[float, int]:
    """After the sessions closed: wait for the stored sessions to expire, let one probe session come and go (which
    drops the expired ones; only the probe's own stays stored), give the server's watchdog time to reclaim their
    memory and let the thread count fall back; returns (RSS MB, threads)."""
    time.sleep(session_ttl + 1)
    asyncio.run(run_sessions(server.url, 1, flow="brief", timeout=60))
    time.sleep(RECLAIM_WAIT)  # the server reclaims the dropped sessions' memory at its watchdog's next check
    deadline = time.monotonic() + timeout
    rss, threads = quiet_status(server.pid, server.url)
    while threads > baseline_threads and time.monotonic() < deadline:  # the web framework's idle file-serving
        rss, threads = quiet_status(server.pid, server.url)  # threads go only when a request comes after 10 s
    return rss, threads


# ------------------------------------------------------------------------------------------------- report


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(results: list[SessionResult]) -> dict:
    """Page response times (all page visits, and per page), sessions completed, queue and run times."""
    visits = [t for r in results for page, times in r.page_seconds.items() if page != "first load" for t in times]
    per_page: dict[str, list[float]] = {}
    for r in results:
        for page, times in r.page_seconds.items():
            per_page.setdefault(page, []).extend(times)
    runs = [r.run_seconds for r in results if r.run_seconds is not None]
    revisits = [t for r in results for page, times in r.page_seconds.items() if page != "first load"
                for t in times[1:]]  # the page's code is already loaded in that tab
    return {
        "sessions": len(results), "completed": sum(r.completed for r in results),
        "errors": [f"session {r.index}: {r.error}" for r in results if r.error],
        "queued": sum(r.queued for r in results), "page_visits": len(visits),
        "page_median_s": statistics.median(visits) if visits else float("nan"),
        "page_p95_s": percentile(visits, 0.95), "page_max_s": max(visits, default=float("nan")),
        "revisit_median_s": statistics.median(revisits) if revisits else float("nan"),
        "revisit_p95_s": percentile(revisits, 0.95),
        "per_page": {page: figures(times) for page, times in sorted(per_page.items())},
        "start_feedback_p95_s": percentile([r.start_seconds for r in results if r.start_seconds is not None], 0.95),
        "run_median_s": statistics.median(runs) if runs else float("nan"), "run_max_s": max(runs, default=float("nan")),
    }


def run_header(script: str, argv: list[str] | None) -> dict:
    """The date, command line (``argv``: the script's arguments, None = this process's) and machine of a run."""
    return {"date": datetime.date.today().isoformat(),
            "command": " ".join(["python", f"benchmarks/{script}", *(sys.argv[1:] if argv is None else argv)]),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}


def figures(seconds: list[float]) -> dict:
    """Count, median, 95th percentile and maximum of some response times."""
    return {"n": len(seconds), "median_s": statistics.median(seconds) if seconds else float("nan"),
            "p95_s": percentile(seconds, 0.95), "max_s": max(seconds, default=float("nan"))}


def summarise_wire(responses: list[PageResponse], superseded: int) -> dict:
    """Page response at the server's socket (``wire_tap``): every page run a tab asked for, and by kind."""
    kinds = ("first load", "page switch", "same page")
    return {"wire": figures([r.seconds for r in responses]), "wire_superseded": superseded,
            "wire_per_kind": {kind: figures([r.seconds for r in responses if r.kind == kind]) for kind in kinds}}


def summarise_server(page_runs: list[dict]) -> dict:
    """The server's own time per page run (script start to end, all sessions), overall and per page."""
    seconds = [r["seconds"] for r in page_runs]
    per_page: dict[str, list[float]] = {}
    for r in page_runs:
        per_page.setdefault(r["page"], []).append(r["seconds"])
    overall = figures(seconds)
    return {"server_runs": overall["n"], **{f"server_{key}": overall[key] for key in ("median_s", "p95_s", "max_s")},
            "server_per_page": {page: figures(times) for page, times in sorted(per_page.items())}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--sessions", type=int, default=30, help="concurrent browser sessions (default 30)")
    parser.add_argument("--flow", choices=["full", "brief"], default="full", help="what each session does")
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which the sessions arrive")
    parser.add_argument("--dim", type=int, default=20, help="vector size of each session's run")
    parser.add_argument("--epochs", type=int, default=1, help="epochs of each session's run")
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds for all sessions to finish (30 tabs on the server's 2 cores render slowly)")
    parser.add_argument("--session-ttl", type=int, default=120,
                        help="the server's disconnectedSessionTTL in seconds (Streamlit's default: 120)")
    parser.add_argument("--client-nice", type=int, default=19, choices=range(20), metavar="0-19",
                        help="CPU niceness of the browser tabs (default 19: they use what the server leaves)")
    parser.add_argument("--client-idle", action=argparse.BooleanOptionalAction, default=True,
                        help="run the browser tabs under SCHED_IDLE too (default), so that they take only the CPU "
                             "the server and its trainings leave, as a class's browsers on their own computers "
                             "would")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the N sessions this many times, one round after the other, on the same server "
                             "(the server's memory and threads are read after each round)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--url", help="drive a server that already runs there (e.g. on another machine, so that "
                                      "the browsers do not share its CPU) instead of starting one: only the "
                                      "browser-side figures are reported")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 200:
        parser.error("--sessions must be between 1 and 200")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
    if args.url:
        if not args.url.startswith(("http://", "https://")):
            parser.error("--url must start with http:// or https://")
        return run_remote(args, argv)

    page_log = ROOT / "test-output" / "load_test_page_times.jsonl"
    page_log.unlink(missing_ok=True)
    server = Server(ROOT / "test-output" / "load_test_server.log", session_ttl=args.session_ttl,
                    env={"W2V_PAGE_TIMES": str(page_log)})
    tap = None
    try:
        server.wait_healthy()
        tap = Tap(server.port, ROOT / "test-output" / "load_test_wire.jsonl")
        fresh = proc_status(server.pid)
        warm = asyncio.run(run_sessions(server.url, 1, dim=args.dim, epochs=args.epochs, timeout=180))
        if not warm[0].completed:
            raise RuntimeError(f"the warm-up session failed: {warm[0].error}")
        before = quiet_status(server.pid, server.url)
        wall, server_cpu, tap_cpu, browser_cpu, machine = 0.0, 0.0, 0.0, 0.0, [0.0, 0.0]
        results, rounds, page_runs, wire_events, first_round = [], [], [], [], time.time()
        for _ in range(args.rounds):  # the same sessions again on the same server: does what stays grow?
            sampler, usage, started, since = Sampler(server.pid), {}, time.monotonic(), time.time()
            cpu_started = proc_cpu_seconds(server.pid), proc_cpu_seconds(tap.pid), machine_cpu()
            batch = asyncio.run(run_sessions(tap.url, args.sessions, flow=args.flow, ramp=args.ramp, dim=args.dim,
                                             epochs=args.epochs, timeout=args.timeout, usage=usage,
                                             others=(server.pid, tap.pid), client_nice=args.client_nice,
                                             client_idle=args.client_idle))
            wall += time.monotonic() - started
            page_runs += server_times(page_log, since, time.time())
            wire_events += tap.events(since=started)
            server_cpu += proc_cpu_seconds(server.pid) - cpu_started[0]
            tap_cpu += proc_cpu_seconds(tap.pid) - cpu_started[1]
            machine = [total + now - then for total, now, then in zip(machine, machine_cpu(), cpu_started[2],
                                                                        strict=True)]
            browser_cpu += usage["browser_cpu_s"]
            sampler.close()
            closed = proc_status(server.pid)
            after = settle(server, args.session_ttl, before[1])  # the probe session is not in the figures
            results += batch
            rounds.append({"completed": sum(r.completed for r in batch), "peak_rss_mb": sampler.peak_rss_mb,
                           "peak_threads": sampler.peak_threads, "closed_rss_mb": closed[0],
                           "closed_threads": closed[1], "after_rss_mb": after[0], "after_threads": after[1]})
        wire = page_responses(wire_events)
        reclaims = [e["seconds"] for e in server_times(page_log, first_round, time.time(), kind="reclaimed")]
    finally:
        if tap is not None:
            tap.stop()
        server.stop()
    out = {
        **run_header("load_test.py", argv),
        "client_nice": args.client_nice, "client_idle": args.client_idle, "wall_s": wall, **summarise(results),
        **summarise_wire(*wire),
        **summarise_server(page_runs), "server_cpu_s": server_cpu, "browser_cpu_s": browser_cpu,
        "tap_cpu_s": tap_cpu, "reclaims": figures(reclaims),
        "machine_cpu_s": machine[0], "machine_busy": machine[0] / machine[1] if machine[1] else float("nan"),
        "server": {"fresh_rss_mb": fresh[0], "fresh_threads": fresh[1], "before_rss_mb": before[0],
                   "before_threads": before[1], "peak_rss_mb": max(r["peak_rss_mb"] for r in rounds),
                   "peak_threads": max(r["peak_threads"] for r in rounds), **{
                       key: rounds[-1][key] for key in ("closed_rss_mb", "closed_threads", "after_rss_mb",
                                                        "after_threads")}},
        "rounds": rounds,
        "session_results": [asdict(r) for r in results],
    }
    report(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0 if out["completed"] == out["sessions"] else 1


def run_remote(args: argparse.Namespace, argv: list[str] | None) -> int:
    """The sessions against the server at ``args.url``; browser-side figures only (its process is elsewhere)."""
    usage: dict = {}
    started = time.monotonic()
    results = asyncio.run(run_sessions(args.url, args.sessions, flow=args.flow, ramp=args.ramp, dim=args.dim,
                                       epochs=args.epochs, timeout=args.timeout, usage=usage,
                                       client_nice=args.client_nice, client_idle=args.client_idle))
    figures = {**run_header("load_test.py", argv), "url": args.url,
               "client_nice": args.client_nice, "client_idle": args.client_idle,
               "wall_s": time.monotonic() - started, **summarise(results),
               "browser_cpu_s": usage["browser_cpu_s"], "session_results": [asdict(r) for r in results]}
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0 if figures["completed"] == figures["sessions"] else 1


def report(f: dict) -> None:
    """Print the figures (``f`` without a "server" entry: a remote server's, browser-side only)."""
    print(f"{f['completed']}/{f['sessions']} sessions completed in {f['wall_s']:.0f} s ({f['queued']} waited in the "
          f"training queue); {f['page_visits']} page visits")
    if "server" in f:
        print(f"CPU seconds: server {f['server_cpu_s']:.0f}, browser {f['browser_cpu_s']:.0f}, wire tap "
              f"{f['tap_cpu_s']:.0f}, whole machine {f['machine_cpu_s']:.0f} (busy {f['machine_busy']:.0%} of "
              f"{os.cpu_count()} cores)")
        w = f["wire"]
        print(f"PAGE RESPONSE AT THE SERVER'S SOCKET (a tab's page-run request in -> page run finished out; what a "
              f"client on another computer gets, less network latency): {w['n']} requests, median "
              f"{w['median_s']:.2f} s, p95 {w['p95_s']:.2f} s, max {w['max_s']:.2f} s "
              f"({f['wire_superseded']} superseded by a newer request)")
        for kind, row in f["wire_per_kind"].items():
            print(f"  {kind:<11} n={row['n']:<4} median {row['median_s']:.2f} s  p95 {row['p95_s']:.2f} s  max "
                  f"{row['max_s']:.2f} s")
    else:
        print(f"server at {f['url']}; CPU seconds of the browser here: {f['browser_cpu_s']:.0f}")
    print(f"browser tabs at niceness {f['client_nice']}" + (", SCHED_IDLE" if f.get("client_idle") else ""))
    print(f"page response rendered in the tab (click -> page drawn, the tab's wait for CPU included): median "
          f"{f['page_median_s']:.2f} s, p95 {f['page_p95_s']:.2f} s, max {f['page_max_s']:.2f} s (revisits of a page "
          f"in the same tab: median {f['revisit_median_s']:.2f} s, p95 {f['revisit_p95_s']:.2f} s)")
    if "server" not in f:
        for page, row in f["per_page"].items():
            print(f"  {page:<11} n={row['n']:<3} median {row['median_s']:.2f} s  p95 {row['p95_s']:.2f} s")
        for error in f["errors"]:
            print("  " + error)
        return
    s = f["server"]
    print(f"server time per page run (script start to end, browsers not included): {f['server_runs']} runs, median "
          f"{f['server_median_s']:.2f} s, p95 {f['server_p95_s']:.2f} s, max {f['server_max_s']:.2f} s")
    for page, row in f["server_per_page"].items():
        print(f"  {page:<12} n={row['n']:<4} median {row['median_s']:.3f} s  p95 {row['p95_s']:.3f} s")
    print(f"Start training -> state shown p95 {f['start_feedback_p95_s']:.2f} s; run median {f['run_median_s']:.1f}"
          f" s, max {f['run_max_s']:.1f} s")
    for page, row in f["per_page"].items():
        print(f"  {page:<11} n={row['n']:<3} median {row['median_s']:.2f} s  p95 {row['p95_s']:.2f} s")
    print(f"server RSS MB: fresh {s['fresh_rss_mb']:.0f}, after warm-up {s['before_rss_mb']:.0f}, peak "
          f"{s['peak_rss_mb']:.0f}, sessions closed {s['closed_rss_mb']:.0f}, after {s['after_rss_mb']:.0f}")
    print(f"server threads: fresh {s['fresh_threads']}, after warm-up {s['before_threads']}, peak {s['peak_threads']}, "
          f"sessions closed {s['closed_threads']}, after {s['after_threads']}")
    r = f["reclaims"]
    print(f"memory reclaims after sessions ended (garbage collection and malloc_trim, in the watchdog's thread): "
          f"{r['n']}, median {r['median_s'] * 1000:.0f} ms, max {r['max_s'] * 1000:.0f} ms")
    for number, r in enumerate(f["rounds"] if len(f["rounds"]) > 1 else [], 1):
        print(f"  round {number}: {r['completed']}/{f['sessions'] // len(f['rounds'])} completed; RSS MB peak "
              f"{r['peak_rss_mb']:.0f}, after {r['after_rss_mb']:.0f}; threads peak {r['peak_threads']}, after "
              f"{r['after_threads']}")
    for error in f["errors"]:
        print("  " + error)


if __name__ == "__main__":
    sys.exit(main())
