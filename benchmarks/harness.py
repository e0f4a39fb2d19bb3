"""What the benchmarks (and the browser tests) share: a run's header, Markdown tables, and the app's server in a
process group of its own with its CPU, RSS and threads (psutil)."""

from __future__ import annotations

import datetime
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


def commit() -> str:
    """The repository's commit, marked "+changes" when tracked files differ from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return (git("rev-parse", "--short", "HEAD") or "?") + (" +changes" if git("status", "--porcelain", "-uno") else "")


def header(module: str, argv: Sequence[str] | None, note: str = "") -> dict:
    """Print and return a run's date, command (``argv``: the script's arguments, None = this process's), machine,
    commit and load average."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())
    run = {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
           "command": " ".join(["python -m", f"benchmarks.{module}", *(sys.argv[1:] if argv is None else argv)]),
           "machine": f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}",
           "commit": commit(), "load_average": os.getloadavg()[0]}
    print(" · ".join([run["date"], run["machine"], f"commit {run['commit']}",
                      f"load average {run['load_average']:.1f}", *([note] if note else [])]), flush=True)
    return run


def table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """A Markdown table: its header and rule, then a line per row as soon as ``rows`` yields it."""
    yield "| " + " | ".join(head) + " |\n" + "|---" * len(head) + "|"
    yield from ("| " + " | ".join(map(str, row)) + " |" for row in rows)


def print_table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    for line in table(head, rows):
        print(line, flush=True)


def cpu_seconds(process: psutil.Process) -> float:
    """User + system CPU seconds of ``process`` (all its threads)."""
    return (times := process.cpu_times()).user + times.system


class Server:
    """The app's server on localhost, in a process group of its own, its output in ``log_path``: ``streamlit run
    app.py`` from ``cwd`` (default: this repository), or ``command(port)``; ``pid`` is the server itself.
    ``with Server(...) as server:`` waits until it is healthy and stops it at the end."""

    def __init__(self, log_path: Path, session_ttl: int | None = None, env: dict[str, str] | None = None,
                 cwd: Path = ROOT, port: int | None = None, command: Callable[[int], list[str]] | None = None) -> None:
        if port is None:
            with socket.socket() as probe:  # a port nothing listens on right now
                probe.bind(("localhost", 0))
                port = probe.getsockname()[1]
        self.port, self.url, self.log_path = port, f"http://localhost:{port}", log_path
        args = command(port) if command else [
            sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
            "--server.address", "localhost", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        args += ["--server.disconnectedSessionTTL", str(int(session_ttl))] if session_ttl is not None else []
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(args, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True,
                                            env={**os.environ, **(env or {})})
        self.pid = self.process.pid
        self.ps = psutil.Process(self.pid)

    def __enter__(self) -> Server:
        self.wait_healthy()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Wait until /_stcore/health says ok; stop the server and raise with its log's end if it does not."""
        deadline = time.monotonic() + timeout
        while True:
            with suppress(OSError), urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
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

    @contextmanager
    def watch(self, period: float = 0.25) -> Iterator[dict]:
        """While the block runs, sample RSS and threads; the dict yielded then holds ``server_cpu_s``, ``wall_s``,
        ``peak_rss_mb`` and ``peak_threads``."""
        out: dict = dict(zip(("peak_rss_mb", "peak_threads"), self.status(), strict=True))
        stop, cpu, started = threading.Event(), cpu_seconds(self.ps), time.monotonic()

        def sample() -> None:
            with suppress(psutil.Error):
                while not stop.wait(period):
                    rss, threads = self.status()
                    out.update(peak_rss_mb=max(out["peak_rss_mb"], rss), peak_threads=max(out["peak_threads"], threads))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield out
        finally:
            stop.set()
            sampler.join()
            out |= {"server_cpu_s": cpu_seconds(self.ps) - cpu, "wall_s": time.monotonic() - started}

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
