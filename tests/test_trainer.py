"""Trainer control (start/pause/resume/stop/step), progress, failures."""

import threading
import time

import numpy as np
import pytest
from wait_support import wait_for

from w2v_core.trainer import ConfigError, TrainConfig, Trainer


def test_runs_to_the_end_in_background_threads(teaching_corpus):
    trainer = Trainer(teaching_corpus, TrainConfig(dim=20, epochs=3, workers=2))
    trainer.start()
    assert trainer.state in ("running", "compiling", "finished")
    assert wait_for(lambda: trainer.state == "finished", limit=60)
    progress = trainer.progress()
    assert progress.words_done == progress.words_total == 3 * teaching_corpus.n_tokens
    assert progress.fraction == 1.0 and progress.epoch == 3
    assert progress.alpha == pytest.approx(trainer.config.end_alpha, rel=1e-6)
    epochs = trainer.recorder.epoch_losses()
    assert list(epochs.epoch) == [1, 2, 3] and epochs.loss.iloc[-1] < epochs.loss.iloc[0]
    assert not any(t.is_alive() for t in trainer._threads)


def test_pause_holds_and_resume_continues(teaching_corpus):
    trainer = Trainer(teaching_corpus, TrainConfig(dim=50, epochs=200, workers=2))
    trainer.start()
    time.sleep(0.3)
    trainer.pause()
    time.sleep(0.1)  # the current jobs end
    held = trainer.progress().words_done
    time.sleep(0.3)
    assert trainer.state == "paused" and trainer.progress().words_done == held
    trainer.resume()
    time.sleep(0.3)
    assert trainer.state == "running" and trainer.progress().words_done > held
    trainer.stop()


def test_stop_is_prompt_even_with_full_softmax(teaching_corpus):
    trainer = Trainer(teaching_corpus, TrainConfig(loss="softmax", dim=100, epochs=50, workers=2))
    trainer.start()
    time.sleep(0.5)
    started = time.perf_counter()
    trainer.stop()
    assert time.perf_counter() - started < 0.5
    assert trainer.state == "stopped" and not any(t.is_alive() for t in trainer._threads)


def test_step_trains_about_n_words_then_pauses(teaching_corpus):
    trainer = Trainer(teaching_corpus, TrainConfig(dim=20, epochs=1, workers=1), chunk_words=1000)
    done = trainer.step(3000)
    assert 3000 <= done < 3000 + 2000 and trainer.state == "paused"
    assert trainer.progress().words_done == done
    trainer.step(10**9)
    assert trainer.state == "finished"


def test_progress_is_safe_to_poll_from_another_thread(teaching_corpus):
    trainer = Trainer(teaching_corpus, TrainConfig(dim=20, epochs=5, workers=2))
    seen, errors = [], []

    def poll():
        try:
            while trainer.state != "finished":
                seen.append(trainer.progress().words_done)
                trainer.recorder.loss_history(), trainer.recorder.gradient_stats(), trainer.recorder.snapshots()
                trainer.embeddings().most_similar("monday", k=3)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    poller = threading.Thread(target=poll)
    trainer.start()
    poller.start()
    poller.join(60)
    assert not errors and seen == sorted(seen)


def test_diverging_learning_rate_fails_the_run_with_advice(teaching_corpus):
    config = TrainConfig(loss="softmax", dim=20, epochs=2, alpha=10.0, min_alpha=10.0, workers=1)
    trainer = Trainer(teaching_corpus, config)
    trainer.start()
    assert wait_for(lambda: trainer.state in {"failed", "finished"}, limit=60)
    assert trainer.state == "failed"
    assert "diverged" in trainer.error and "Lower alpha" in trainer.error


def test_an_exception_in_a_worker_marks_the_run_failed(teaching_corpus, monkeypatch):
    trainer = Trainer(teaching_corpus, TrainConfig(dim=10, epochs=1, workers=2))
    monkeypatch.setattr(trainer, "run_job", lambda *a, **k: (_ for _ in ()).throw(MemoryError("out of memory")))
    trainer.start()
    assert wait_for(lambda: trainer.state == "failed", limit=60)
    assert "MemoryError" in trainer.error and "out of memory" in trainer.error


@pytest.mark.parametrize("values", [
    {"dim": 0}, {"window": 0}, {"negative": 0}, {"epochs": -1}, {"sample": 1.5}, {"alpha": 0.0},
    {"model": "glove"}, {"loss": "hinge"}, {"workers": 0}, {"dim": 2.5}, {"alpha": 0.01, "min_alpha": 0.1},
])
def test_silly_hyperparameters_are_refused_with_a_message(teaching_corpus, values):
    with pytest.raises(ConfigError) as error:
        Trainer(teaching_corpus, TrainConfig(**values))
    assert len(str(error.value)) > 20


def test_warnings_for_slow_or_odd_settings():
    config = TrainConfig(loss="softmax")
    assert any("O(V)" in w for w in config.validate(50_000))
    assert any("negatives" in w for w in TrainConfig(negative=20).validate(10))


def test_embeddings_snapshot_is_a_copy(teaching_corpus):
    trainer = Trainer(teaching_corpus, TrainConfig(dim=10, epochs=1, workers=1))
    emb = trainer.embeddings()
    before = emb.vectors.copy()
    trainer.step(10**9)
    assert np.array_equal(emb.vectors, before) and not np.array_equal(trainer.vectors(), before)


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
@pytest.mark.parametrize("loss", ["negative", "hierarchical"])
def test_huge_learning_rate_fails_with_advice_for_every_loss(teaching_corpus, model, loss):
    trainer = Trainer(teaching_corpus, TrainConfig(model=model, loss=loss, dim=20, epochs=3, alpha=10.0, min_alpha=10.0,
                                          workers=2))
    trainer.start()
    assert wait_for(lambda: trainer.state in {"failed", "finished"}, limit=60)
    assert trainer.state == "failed" and "Lower alpha" in trainer.error, trainer.error
