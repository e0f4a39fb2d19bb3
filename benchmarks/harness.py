"""What the benchmarks (and the browser tests) share: a run's header, Markdown tables, training processes measured
alone, and the app's server in a process group of its own with its CPU, RSS and threads (psutil)."""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
TRAIN = [sys.executable, "-m", "w2v_core", "train"]
# one finished child process: wall and CPU seconds (user + system), its own peak RSS (MB), exit code, output
Measured = namedtuple("Measured", "wall_seconds cpu_seconds peak_rss_mb returncode stdout stderr")


def commit() -> str:
    """The repository's commit, marked "+changes" when tracked files differ from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return (git("rev-parse", "--short", "HEAD") or "?") + (" +changes" if git("status", "--porcelain", "-uno") else "")


def header(module: str, argv: Sequence[str] | None, note: str = "") -> dict:
    """Print and return a run's date, command (``argv``: the script's arguments, None = this process's), machine,
    commit and load average."""
    model = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    run = {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
           "command": " ".join(["python -m", f"benchmarks.{module}", *(sys.argv[1:] if argv is None else argv)]),
           "machine": f"{model[1] if model else platform.machine()}, {os.cpu_count()} cores, "
                      f"Python {platform.python_version()}",
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


def parse_summary(stdout: str) -> dict:
    """The last line of ``stdout`` that is a JSON object (both trainers print one summary line)."""
    for line in reversed(stdout.splitlines()):
        with suppress(json.JSONDecodeError):
            if line.startswith("{") and isinstance(value := json.loads(line), dict):
                return value
    raise ValueError(f"no JSON summary line in the output: {stdout[-300:]!r}")


def run_measured(command: list[str], log_dir: Path, name: str, cwd: Path = ROOT) -> Measured:
    """Run ``command`` in ``cwd`` to its end, measured alone: wall time, its own rusage, and its peak RSS from /proc's
    VmHWM (psutil has none; a child's ``ru_maxrss`` counts its forking parent's RSS)."""
    out_path, err_path, peak_kb = log_dir / f"{name}.out", log_dir / f"{name}.err", [0]

    def watch(status: Path) -> None:  # until the process ends: a zombie's status has no VmHWM
        with suppress(OSError):
            while found := re.search(r"^VmHWM:\s+(\d+)", status.read_text(), re.M):
                peak_kb[0] = max(peak_kb[0], int(found[1]))
                time.sleep(0.005)

    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd)
        watcher = threading.Thread(target=watch, args=(Path(f"/proc/{process.pid}/status"),), daemon=True)
        watcher.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        watcher.join(1.0)
    return Measured(wall, usage.ru_utime + usage.ru_stime, peak_kb[0] / 1024, os.waitstatus_to_exitcode(status),
                    out_path.read_text("utf-8", "replace"), err_path.read_text("utf-8", "replace"))


def trained(command: list[str], log_dir: Path, name: str, cwd: Path = ROOT) -> tuple[Measured, dict]:
    """``run_measured`` for a trainer, with the JSON summary it printed; raises with its stderr's end if it failed."""
    done = run_measured(command, log_dir, name, cwd)
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return done, parse_summary(done.stdout)


class Server:
    """The app's server on localhost (``streamlit run app.py``, or ``command(port)``) from ``cwd``, in a process group
    of its own, its output in ``log_path``. ``with Server(...) as server:`` waits until it is healthy, then stops it."""

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
        while self.process.poll() is None and time.monotonic() < deadline:
            with suppress(OSError), urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not say ok on /_stcore/health within {timeout:.0f} s (exit code "
                           f"{self.process.returncode}); its log:\n{self.log_path.read_text(errors='replace')[-2000:]}")

    def status(self) -> tuple[float, int]:
        """(resident memory in MB, number of threads) of the server now."""
        with self.ps.oneshot():
            return self.ps.memory_info().rss / 2**20, self.ps.num_threads()

    def quiet_status(self) -> tuple[float, int]:
        """``status()`` once the web framework's file-serving threads are pruned: they stop only when a request
        comes after 10 s idle, so 11 s without requests, then one request for the app's page."""
        time.sleep(11)
        urllib.request.urlopen(self.url, timeout=10).close()
        time.sleep(1)
        return self.status()

    @contextmanager
    def watch(self, period: float = 0.25) -> Iterator[dict]:
        """While the block runs, sample RSS and threads; the dict yielded then holds ``server_cpu_s``, ``wall_s``,
        ``peak_rss_mb`` and ``peak_threads``."""
        out: dict = dict(zip(("peak_rss_mb", "peak_threads"), self.status(), strict=True))
        stop, cpu, started = threading.Event(), sum(self.ps.cpu_times()[:2]), time.monotonic()

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
            out |= {"server_cpu_s": sum(self.ps.cpu_times()[:2]) - cpu, "wall_s": time.monotonic() - started}

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        with suppress(ProcessLookupError, subprocess.TimeoutExpired):
            if self.process.poll() is None:
                os.killpg(self.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
        self.kill()
