"""Server limits (w2v_lab.toml), the session guard and the idle watchdog that free training slots."""

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from wait_support import wait_for

from ui.limits import CONFIG_ENV, DEFAULT_PATH, Limits, LimitsError, limits, read_limits
from ui.serving import IdleWatchdog, TrainerGuard
from w2v_core.corpus import build_corpus
from w2v_core.scheduler import TrainingQueue
from w2v_core.trainer import TrainConfig, Trainer, warm_up


@pytest.fixture(scope="module")
def corpus():
    warm_up()
    return build_corpus(["a b c d e f g h"] * 5000, min_count=1)


def long_run(corpus) -> Trainer:
    return Trainer(corpus, TrainConfig(dim=8, epochs=1000, sample=0.0, workers=1))


def python_in_app(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python with the app importable (and ``env`` added to its environment)."""
    root = DEFAULT_PATH.parent
    return subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env, "PYTHONPATH": str(root)})


def test_the_shipped_file_documents_every_limit_with_the_code_defaults():
    assert read_limits(DEFAULT_PATH) == Limits()
    text = DEFAULT_PATH.read_text()
    for name in Limits.__dataclass_fields__:
        assert f"\n{name} = " in text
        comment = text.split(f"\n{name} = ")[0].rsplit("\n\n", 1)[-1].removeprefix("[limits]\n")
        assert comment.startswith("#") and len(comment) > 40, name  # a real explanation above each key
    assert Limits().training_slots == (os.cpu_count() or 1) and Limits(max_concurrent_trainings=3).training_slots == 3


@pytest.mark.parametrize(("text", "message"), [
    ("[limits]\nmax_corpus_mb = ", "not valid TOML"),
    ("[limits]\nmax_users = 3\n", "unknown key.*max_users.*max_concurrent_trainings"),
    ("[limits]\nmax_upload_files = 2.5\n", "max_upload_files must be a whole number"),
    ("[limits]\nmax_kept_runs = 0\n", "max_kept_runs must be at least 1"),
    ("[limits]\nidle_timeout_minutes = -1\n", "idle_timeout_minutes must be at least 0"),
    ("[limits]\nmax_corpus_mb = true\n", "max_corpus_mb must be a number"),
    ("[limits]\nwarm_umap_at_start = 1\n", "warm_umap_at_start must be true or false"),
    ("limits = 3\n", "must be a table"),
])
def test_bad_limits_files_name_the_problem(tmp_path, text, message):
    path = tmp_path / "limits.toml"
    path.write_text(text)
    with pytest.raises(LimitsError, match=message):
        read_limits(path)


def test_the_environment_names_another_file_read_again_when_it_changes(tmp_path, monkeypatch):
    path = tmp_path / "class.toml"
    path.write_text("[limits]\nmax_corpus_mb = 0.5\nmax_upload_files = 3\n")
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert limits() == Limits(max_corpus_mb=0.5, max_upload_files=3) and limits().max_corpus_bytes == 500_000
    path.write_text("[limits]\nmax_upload_files = 4\n")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert limits().max_upload_files == 4
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "missing.toml"))
    with pytest.raises(LimitsError, match="does not exist"):
        limits()
    monkeypatch.delenv(CONFIG_ENV)
    assert limits() == read_limits(DEFAULT_PATH)


def test_release_stops_running_and_queued_trainers_and_frees_the_slot(corpus):
    queue = TrainingQueue(max_running=1)
    guard = TrainerGuard(queue)
    running, queued = long_run(corpus), long_run(corpus)
    for trainer in (running, queued):
        guard.watch(trainer)
        queue.submit(trainer)
    assert queue.position(queued) == 1
    guard.release()  # the browser tab was closed
    assert running.state == queued.state == "stopped"
    assert queue.running == queue.waiting == 0 and not any(t.is_alive() for t in running._threads)


def test_an_idle_session_loses_its_slot_with_a_notice(corpus):
    queue = TrainingQueue(max_running=1)
    guard, other = TrainerGuard(queue), TrainerGuard(queue)
    mine, theirs = long_run(corpus), long_run(corpus)
    guard.watch(mine)
    other.watch(theirs)
    queue.submit(mine)
    queue.submit(theirs)
    guard.touch()
    assert guard.enforce(idle_seconds=60, run_seconds=0) == 0 and mine.is_active
    assert guard.enforce(idle_seconds=60, run_seconds=0, now=time.monotonic() + 61) == 1
    assert mine.state == "stopped" and "without activity" in guard.notice(mine)
    assert wait_for(lambda: theirs.is_active)  # the freed slot goes to the next in line
    assert other.enforce(idle_seconds=0, run_seconds=0, now=time.monotonic() + 10**6) == 0  # 0 = never
    other.release()


def test_idle_sessions_keep_paused_step_runs_that_hold_no_slot(corpus):
    queue = TrainingQueue(max_running=1)
    guard = TrainerGuard(queue)
    stepped = long_run(corpus)
    guard.watch(stepped)
    stepped.step(1000)
    assert guard.enforce(idle_seconds=1, run_seconds=0, now=time.monotonic() + 100) == 0
    assert stepped.state == "paused"


def test_runs_over_the_time_limit_are_stopped(corpus):
    guard = TrainerGuard(TrainingQueue(max_running=1))
    trainer = long_run(corpus)
    guard.watch(trainer)
    guard._queue.submit(trainer)
    assert wait_for(lambda: trainer.progress().elapsed_seconds > 0.3)
    assert guard.enforce(idle_seconds=600, run_seconds=0.2) == 1
    assert trainer.state == "stopped" and "minutes of training" in guard.notice(trainer)


def test_the_watchdog_thread_applies_the_configured_timeout(corpus, tmp_path, monkeypatch):
    path = tmp_path / "limits.toml"
    path.write_text("[limits]\nidle_timeout_minutes = 0.005\n")  # 0.3 s
    monkeypatch.setenv(CONFIG_ENV, str(path))
    queue = TrainingQueue(max_running=1)
    watchdog = IdleWatchdog(period=0.05)
    quiet, chatty = TrainerGuard(queue), TrainerGuard(queue)
    for guard in (quiet, chatty):
        watchdog.watch(guard)
    first, second = long_run(corpus), long_run(corpus)
    quiet.watch(first)
    chatty.watch(second)
    queue.submit(first)
    queue.submit(second)
    deadline = time.monotonic() + 30
    while first.state != "stopped" and time.monotonic() < deadline:
        chatty.touch()  # this session keeps polling
        time.sleep(0.02)
    assert first.state == "stopped"
    assert wait_for(lambda: second.is_active)  # the slot went to the session that kept polling
    assert watchdog._thread in threading.enumerate()
    chatty.release()
    assert watchdog.check() == 0
    watchdog.close()
    assert not watchdog._thread.is_alive()


def test_guards_of_ended_sessions_are_forgotten():
    watchdog = IdleWatchdog(period=3600)
    guard = TrainerGuard()
    watchdog.watch(guard)
    assert len(watchdog._guards) == 1
    del guard
    assert len(watchdog._guards) == 0
    watchdog.close()


RECLAIM_PROBE = """
import gc, sys
from ui.serving import reclaim_memory

def rss_mb():
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS")) / 1024

class Session:  # an ended session's objects: a reference cycle, freed only by a full collection
    def __init__(self):
        self.me, self.data = self, bytearray(16384)

gc.disable()
start, still_used = rss_mb(), []
for _ in range(10_000):
    Session()
    still_used.append(bytearray(700))  # live memory between the sessions' (glibc keeps such holes)
grown = rss_mb()
collected = reclaim_memory()
print(collected, start, grown, rss_mb())
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the RSS from /proc")
def test_reclaiming_frees_ended_sessions_cycles_and_hands_the_pages_back_to_the_os():
    result = python_in_app(RECLAIM_PROBE)
    collected, start, grown, after = map(float, result.stdout.split())
    assert collected >= 10_000, result.stderr
    assert grown - start > 120  # 160 MB of sessions' buffers
    assert after - start < (grown - start) / 2, f"RSS {start:.0f} MB, {grown:.0f} with the garbage, {after:.0f} after"


def test_the_watchdog_reclaims_memory_after_a_session_ended(tmp_path, monkeypatch):
    import gc
    import weakref

    from ui.serving import PAGE_TIMES_ENV

    log_path = tmp_path / "server_times.jsonl"
    monkeypatch.setenv(PAGE_TIMES_ENV, str(log_path))

    class Session:
        def __init__(self) -> None:
            self.me = self

    watchdog = IdleWatchdog(period=0.05)
    watchdog.watch(TrainerGuard())  # starts its thread
    gc.disable()
    try:
        garbage = Session()
        gone = weakref.ref(garbage)
        del garbage
        time.sleep(0.3)
        assert gone() is not None  # nothing collects it by itself
        watchdog.reclaim_soon()
        assert wait_for(lambda: gone() is None, limit=5)
    finally:
        gc.enable()
        watchdog.close()
    (reclaim,) = [json.loads(line) for line in log_path.read_text().splitlines()]  # once, not every check
    assert reclaim["reclaimed"] >= 1 and reclaim["seconds"] > 0  # the time a full collection took


def test_the_compare_page_keeps_as_many_runs_as_the_limits_file_says(tmp_path):
    path = tmp_path / "limits.toml"
    path.write_text("[limits]\nmax_kept_runs = 2\n")
    result = python_in_app("import ui.runs; print(ui.runs.MAX_RUNS)", **{CONFIG_ENV: str(path)})
    assert result.stdout.strip() == "2", result.stderr


def test_page_times_are_logged_only_when_asked(tmp_path, monkeypatch):
    from ui.serving import PAGE_TIMES_ENV, log_server_time

    monkeypatch.delenv(PAGE_TIMES_ENV, raising=False)
    log_server_time(0.5, page="Train")  # no file named: nothing written anywhere
    log_path = tmp_path / "pages.jsonl"
    monkeypatch.setenv(PAGE_TIMES_ENV, str(log_path))
    log_server_time(0.25, page="Train")
    log_server_time(1.5, page="Neighbours")
    runs = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert [(r["page"], r["seconds"]) for r in runs] == [("Train", 0.25), ("Neighbours", 1.5)]
    assert all(abs(r["t"] - time.time()) < 60 for r in runs)


def test_a_session_that_ends_asks_the_watchdog_to_reclaim_its_memory(corpus):
    from ui.serving import idle_watchdog
    from ui.training import _release_guard

    watchdog = idle_watchdog()  # the server's (outside a server: this process's)
    watchdog._reclaim.clear()
    guard = TrainerGuard(TrainingQueue(max_running=1))
    trainer = long_run(corpus)
    guard.watch(trainer)
    guard._queue.submit(trainer)
    _release_guard(guard)  # what Streamlit calls when the browser session ends
    assert trainer.state == "stopped"
    assert watchdog._reclaim.is_set()
