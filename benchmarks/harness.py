"""What the benchmarks (and the browser tests) share: the app's server in a process group of its own, its RSS and
threads (psutil), response time figures (numpy) and the header of a run (date, command, machine, commit, load)."""

from __future__ import annotations

import datetime
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def healthy(url: str) -> bool:
    """Whether the Streamlit server at ``url`` answers ``ok`` on /_stcore/health."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.read().strip() == b"ok"
    except OSError:
        return False


def machine() -> str:
    """CPU model, core count and Python version of this machine."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def commit() -> str:
    """The repository's commit, marked "+changes" when tracked files differ from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    changed = git("status", "--porcelain", "--untracked-files=no")
    return (git("rev-parse", "--short", "HEAD") or "?") + (" +changes" if changed else "")


def run_header(module: str, argv: Sequence[str] | None) -> dict:
    """Date, command (``argv``: the script's arguments, None = this process's), machine, commit and load."""
    args = sys.argv[1:] if argv is None else argv
    return {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": " ".join(["python -m", f"benchmarks.{module}", *args]), "machine": machine(),
            "commit": commit(), "load_average": os.getloadavg()[0]}


def print_header(module: str, argv: Sequence[str] | None, note: str = "") -> dict:
    """Print a run's header (date · machine · commit · load average · ``note``) and return ``run_header``."""
    run = run_header(module, argv)
    print(" · ".join([run["date"], run["machine"], f"commit {run['commit']}",
                      f"load average {run['load_average']:.1f}", *([note] if note else [])]), flush=True)
    return run


def table_row(*cells: object) -> str:
    """One Markdown table row."""
    return "| " + " | ".join(map(str, cells)) + " |"


def table_head(*columns: str) -> str:
    """A Markdown table's header and rule."""
    return table_row(*columns) + "\n" + "|---" * len(columns) + "|"


def figures(seconds: Sequence[float]) -> dict:
    """Count, median, 95th percentile (linear interpolation) and maximum of some times; NaN when there are none."""
    if not len(seconds):
        return {"n": 0, "median_s": float("nan"), "p95_s": float("nan"), "max_s": float("nan")}
    median, p95 = np.percentile(seconds, [50, 95])
    return {"n": len(seconds), "median_s": float(median), "p95_s": float(p95), "max_s": float(np.max(seconds))}


def describe(name: str, row: dict) -> str:
    """One line of ``figures``: "name: n=30, median 0.10 s, p95 0.54 s, max 1.23 s"."""
    return f"{name}: n={row['n']}, median {row['median_s']:.2f} s, p95 {row['p95_s']:.2f} s, max {row['max_s']:.2f} s"


def cpu_seconds(process: psutil.Process, reaped: bool = False) -> float:
    """User + system CPU seconds of ``process`` (all its threads); with ``reaped``, of its reaped children too."""
    times = process.cpu_times()
    return times.user + times.system + (times.children_user + times.children_system if reaped else 0.0)


class Server:
    """The app's server on localhost, in a process group of its own, its output in ``log_path``: ``streamlit run
    app.py`` from ``cwd`` (default: this repository), or ``command(port)``; ``pid`` is the server itself.
    ``with Server(...) as server:`` waits until it is healthy and stops it at the end."""

    def __init__(self, log_path: Path, session_ttl: int | None = None, env: dict[str, str] | None = None,
                 cwd: Path = ROOT, port: int | None = None, command: Callable[[int], list[str]] | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://localhost:{self.port}"
        args = command(self.port) if command else [
            sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
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
        self.ps = psutil.Process(self.pid)
        self.log_path = log_path

    def __enter__(self) -> Server:
        self.wait_healthy()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Wait until /_stcore/health says ok; stop the server and raise with its log's end if it does not."""
        deadline = time.monotonic() + timeout
        while not healthy(self.url):
            code = self.process.poll()
            if code is not None or time.monotonic() > deadline:
                self.stop()
                state = f"exited with code {code}" if code is not None else f"did not answer within {timeout:.0f} s"
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the server {state} before /_stcore/health said ok; its log:\n{tail}")
            time.sleep(0.2)

    def status(self) -> tuple[float, int]:
        """(resident memory in MB, number of threads) of the server now."""
        with self.ps.oneshot():
            return self.ps.memory_info().rss / 2**20, self.ps.num_threads()

    def quiet_status(self) -> tuple[float, int]:
        """``status()`` once the web framework's file-serving threads are pruned: they stop only when a request
        comes after 10 s idle, so 11 s without requests, then one request for the app's page."""
        time.sleep(11)
        with urllib.request.urlopen(self.url, timeout=10) as answer:
            answer.read()
        time.sleep(1)
        return self.status()

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


def server_times(path: Path, since: float, until: float, kind: str = "page") -> list[dict]:
    """What the server logged to ``$W2V_PAGE_TIMES`` between two epoch times: its page runs, or with
    ``kind="reclaimed"`` its memory reclaims."""
    if not path.exists():
        return []
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [e for e in events if kind in e and since <= e["t"] <= until]


class Sampler:
    """Samples the server's RSS and thread count in a background thread; keeps the peaks."""

    def __init__(self, server: Server, period: float = 0.25) -> None:
        self.server, self.period = server, period
        self.peak_rss_mb, self.peak_threads = server.status()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            try:
                rss, threads = self.server.status()
            except psutil.Error:
                return
            self.peak_rss_mb, self.peak_threads = max(self.peak_rss_mb, rss), max(self.peak_threads, threads)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
