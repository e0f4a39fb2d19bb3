"""The global limit on concurrent trainings: a FIFO queue whose trainers start by themselves."""

import os
from pathlib import Path

import pytest
from wait_support import wait_for

from w2v_core.corpus import build_corpus
from w2v_core.scheduler import TrainingQueue
from w2v_core.teaching import generate_teaching_corpus
from w2v_core.trainer import TrainConfig, Trainer, warm_up


@pytest.fixture(scope="module")
def corpus():
    warm_up()
    return build_corpus(generate_teaching_corpus(3000, seed=1), min_count=2)


def _trainer(corpus, epochs=200):
    return Trainer(corpus, TrainConfig(dim=20, epochs=epochs, workers=1))


def test_at_most_max_running_and_the_queue_starts_in_order(corpus):
    queue = TrainingQueue(max_running=2)
    trainers = [_trainer(corpus) for _ in range(4)]
    positions = [queue.submit(t) for t in trainers]
    assert positions == [0, 0, 1, 2]
    assert [t.state for t in trainers[2:]] == ["ready", "ready"]
    assert queue.running == 2 and queue.waiting == 2

    trainers[0].stop()
    assert wait_for(lambda: trainers[2].is_active)
    assert queue.position(trainers[3]) == 1 and trainers[3].state == "ready"

    queue.cancel(trainers[3])  # a closed session leaves the queue
    assert queue.position(trainers[3]) is None
    for trainer in trainers[1:3]:
        trainer.stop()
    assert wait_for(lambda: queue.running == 0)
    assert trainers[3].state == "ready" and queue.waiting == 0


def test_a_finished_run_frees_its_slot(corpus):
    queue = TrainingQueue(max_running=1)
    short, waiting = _trainer(corpus, epochs=1), _trainer(corpus, epochs=1)
    queue.submit(short)
    assert queue.submit(waiting) == 1
    assert wait_for(lambda: waiting.state == "finished")
    assert short.state == "finished" and queue.running == 0


def test_a_stopped_waiting_trainer_is_skipped(corpus):
    queue = TrainingQueue(max_running=1)
    first, second, third = (_trainer(corpus) for _ in range(3))
    for trainer in (first, second, third):
        queue.submit(trainer)
    second.stop()
    first.stop()
    assert wait_for(lambda: third.is_active)
    assert second.state == "stopped"
    third.stop()


def test_default_limit_is_the_number_of_cores():
    import os

    assert TrainingQueue().max_running == max(1, os.cpu_count() or 1)


def test_positions_skip_trainers_stopped_while_waiting(corpus):
    queue = TrainingQueue(max_running=1)
    first, second, third = (_trainer(corpus) for _ in range(3))
    assert [queue.submit(t) for t in (first, second, third)] == [0, 1, 2]
    second.stop()  # stopped by its session without telling the queue
    assert queue.position(third) == 1 and queue.position(second) is None and queue.waiting == 1
    queue.cancel(third)
    assert queue.position(third) is None and queue.waiting == 0
    queue.cancel(first)
    assert first.state == "stopped" and queue.running == 0


def test_nice_runs_the_trainer_threads_at_a_lower_priority(corpus):
    queue = TrainingQueue(max_running=1, nice=7)
    trainer = _trainer(corpus)
    queue.submit(trainer)
    niceness = []
    for thread in trainer._threads:
        stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)[1].split()
        niceness.append(int(stat[16]))  # field 19 of stat: nice
    queue.cancel(trainer)
    assert niceness == [7]
    assert os.getpriority(os.PRIO_PROCESS, 0) == 0  # the process (and the server's other threads) unchanged
