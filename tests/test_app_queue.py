"""AppTest: the process-wide training queue on the Train page (waiting, position, automatic start, leaving)."""

import time

import pytest
from apptest_support import button, set_up_run, texts
from wait_support import wait_for

from ui.serving import training_queue
from ui.training import training_status
from w2v_core.corpus import build_corpus
from w2v_core.trainer import TrainConfig, Trainer, warm_up


@pytest.fixture
def blockers():
    """Long runs of other "sessions" that hold every training slot of the server's queue."""
    warm_up()
    queue = training_queue()
    corpus = build_corpus(["a b c d e f g h"] * 5000, min_count=1)
    held = [Trainer(corpus, TrainConfig(dim=8, epochs=1000, sample=0.0, workers=1)) for _ in range(queue.max_running)]
    for trainer in held:
        assert queue.submit(trainer) == 0
    yield held
    for trainer in held:
        queue.cancel(trainer)


@pytest.fixture
def at(at):
    """The app set up for a long run on a small corpus."""
    set_up_run(at, 2000, dim=8, epochs=1000)
    return at


def test_a_run_waits_for_a_free_slot_and_starts_by_itself(at, blockers):
    button(at, "Start training").click().run()
    trainer = at.session_state["trainer"]
    assert trainer.state == "ready" and training_queue().position(trainer) == 1
    info = texts(at, "info")
    assert any("Waiting for a free training slot: you are number 1 in the queue" in i for i in info), info
    assert "Waiting in the queue (number 1)" in at.get("progress")[0].proto.text
    assert training_status(trainer) == "waiting for a free training slot (number 1 in the queue)"
    assert button(at, "Start training").disabled and button(at, "Pause").disabled
    assert not button(at, "Stop").disabled and not at.exception
    training_queue().cancel(blockers[0])  # another session's run ends: ours starts by itself
    assert wait_for(lambda: trainer.progress().words_done > 0)
    assert training_queue().position(trainer) == 0
    at.run()
    assert not any("Waiting" in i for i in texts(at, "info")) and not button(at, "Pause").disabled


def test_stop_leaves_the_queue(at, blockers):
    button(at, "Start training").click().run()
    trainer = at.session_state["trainer"]
    assert training_queue().position(trainer) == 1
    button(at, "Stop").click().run()
    assert trainer.state == "stopped" and training_queue().position(trainer) is None
    assert not any("Waiting" in i for i in texts(at, "info")) and not button(at, "Start training").disabled
    training_queue().cancel(blockers[0])
    time.sleep(0.2)
    assert trainer.state == "stopped" and trainer.progress().words_done == 0  # never started later


def test_a_new_start_replaces_the_queued_run(at, blockers):
    button(at, "Start training").click().run()
    first = at.session_state["trainer"]
    first.stop()  # e.g. the watchdog; Start is enabled again once the page sees it
    at.run()
    button(at, "Start training").click().run()
    second = at.session_state["trainer"]
    assert second is not first and training_queue().position(first) is None
    assert training_queue().position(second) == 1


def test_resume_after_step_mode_goes_through_the_queue(at, blockers):
    button(at, "Train 10,000 words").click().run()
    trainer = at.session_state["trainer"]
    assert trainer.state == "paused" and training_queue().position(trainer) is None
    button(at, "Resume").click().run()
    assert training_queue().position(trainer) == 1 and trainer.state == "paused"
    assert any("you are number 1 in the queue" in i for i in texts(at, "info"))
    assert button(at, "Train 10,000 words").disabled
    training_queue().cancel(blockers[0])
    assert wait_for(lambda: trainer.state == "running")
