"""Sessions come and go on one server without leaving threads or memory behind, and a server killed during
training (SIGKILL) leaves nothing on disk to repair: restarted, it serves the old tab and new ones cleanly.

Each test starts its own server (``benchmarks.harness.Server``) to read its memory and threads; the first test's
sessions speak Streamlit's WebSocket protocol (``benchmarks.ws_load``), the second's run in Chromium.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import psutil
from browser_support import OUTPUT, set_number, shot, wait_idle
from loop_support import call_in_own_thread, run_in_own_thread
from playwright.sync_api import Page, expect

from benchmarks.harness import Server
from benchmarks.ws_load import run_all, settle

SESSIONS = 20  # the load script runs 50: python -m benchmarks.ws_load -n 50 --flow brief --rounds 2
SESSION_TTL = 2  # seconds a closed session is kept for a reconnect (Streamlit's default is 120)
NOT_THE_APP = (".git", ".venv", "test-output", "tests", "benchmarks", "docs", ".pytest_cache", ".ruff_cache")


def test_sessions_come_and_go_without_leaving_threads_or_memory() -> None:
    server = Server(OUTPUT / "sessions_server.log", session_ttl=SESSION_TTL)
    try:
        server.wait_healthy()
        warm = run_in_own_thread(run_all(server.port, 2, "brief", ramp=0, think=0, epochs=50, timeout=120))
        assert all(r.completed for r in warm), [r.error for r in warm]
        before = server.quiet_status()
        results = run_in_own_thread(run_all(server.port, SESSIONS, "brief", ramp=0, think=0, epochs=50, timeout=240))
        assert all(r.completed for r in results), [r.error for r in results if r.error]
        assert sum(r.queued for r in results) > 0  # some waited in the queue when their session closed
        after = call_in_own_thread(lambda: settle(server, SESSION_TTL, before[1]))
    finally:
        server.stop()
    rss_before, threads_before = before
    rss_after, threads_after = after
    assert threads_after <= threads_before, f"{threads_after} threads after {SESSIONS} sessions, {threads_before} " \
                                            "before"
    assert rss_after < rss_before + 60, f"RSS {rss_after:.0f} MB after {SESSIONS} sessions, {rss_before:.0f} MB before"


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(size, modification time) of every file under ``root`` except compiled-code caches."""
    return {str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in root.rglob("*") if path.is_file() and "__pycache__" not in path.parts}


def running_in_group(group: int) -> list[str]:
    """Processes of a process group that still run. A killed server's orphaned children (UMAP's forkserver) are
    left to PID 1 to reap: until it does (this container's PID 1 never does) they are zombies, dead and not
    running, though ``os.killpg(group, 0)`` still finds them."""
    running = []
    for process in psutil.process_iter(["name", "status"]):
        try:
            if os.getpgid(process.pid) == group and process.info["status"] != psutil.STATUS_ZOMBIE:
                running.append(f"{process.pid} {process.info['name']} {process.info['status']}")
        except (ProcessLookupError, psutil.Error):
            continue
    return running


def test_a_killed_server_leaves_nothing_behind_and_restarts_cleanly(page: Page, tmp_path: Path,
                                                                     output_dir: Path) -> None:
    app = tmp_path / "app"  # a copy of the app, so that any file it wrote would show
    shutil.copytree(Path(__file__).resolve().parents[2], app, ignore=shutil.ignore_patterns(*NOT_THE_APP))
    files = snapshot(app)
    server = Server(output_dir / "server.log", cwd=app)
    server.wait_healthy()
    page.goto(server.url)
    wait_idle(page)
    set_number(page, "Epochs", 500)
    page.get_by_role("button", name="Start training", exact=True).click()
    expect(page.locator('[data-testid="stProgress"]').filter(has_text="Training").first).to_be_visible(
        timeout=120_000)
    server.kill()  # SIGKILL mid-training, as a crash or the OOM killer would
    assert not running_in_group(server.pid)  # nothing of the server's process group is left running
    assert snapshot(app) == files  # nothing on disk was written, so nothing can be half-written
    caches = [p for p in app.rglob("__pycache__/*") if p.suffix not in (".pyc", ".nbi", ".nbc")
              and not re.fullmatch(r"char_tables-[0-9a-f]{16}\.npz", p.name)]  # the tokenizer's, renamed in whole
    assert not caches, caches  # no half-written cache files either

    restarted = Server(output_dir / "restarted.log", cwd=app, port=server.port)
    try:
        restarted.wait_healthy()
        # Streamlit's frontend cannot load, in the old tab, the components it first needed while the server was
        # down (the browser keeps a failed module import), so the user reloads it: a clean new session.
        page.reload()
        expect(page.get_by_text("Training: not started")).to_be_visible(timeout=120_000)
        wait_idle(page)
        set_number(page, "Epochs", 1)
        page.get_by_role("button", name="Start training", exact=True).click()
        expect(page.locator('[data-testid="stProgress"]').filter(has_text="Finished").first).to_be_visible(
            timeout=120_000)
        shot(page, "old-tab-after-restart")
        fresh = page.context.browser.new_page()
        fresh.route("**/*", lambda route: route.abort() if not route.request.url.startswith(
            ("http://localhost", "ws://localhost")) else route.continue_())
        fresh.goto(restarted.url)
        expect(fresh.get_by_text("Training: not started")).to_be_visible(timeout=60_000)
        fresh.close()
        assert restarted.status()[1] > 0
    finally:
        restarted.stop()
    assert snapshot(app) == files
