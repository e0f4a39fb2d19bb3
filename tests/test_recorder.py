"""The recorder: bounded loss, gradient and snapshot histories, fed by a trainer or by hand, saved and restored."""

import numpy as np
import pytest

from w2v_core.history import BoundedHistory
from w2v_core.recorder import Recorder
from w2v_core.runfile import RunState
from w2v_core.trainer import TrainConfig, Trainer


def test_gradient_telemetry_reports_frequent_words(teaching_corpus):
    trainer = Trainer(teaching_corpus, TrainConfig(dim=20, epochs=2, workers=2))
    trainer.step(10**9)
    stats = trainer.recorder.gradient_stats()
    assert stats is not None and stats.input_norm.shape == (len(teaching_corpus.vocab),)
    updated = stats.input_updates > 0
    assert updated[:20].all() and (stats.input_norm[updated] > 0).all()
    history = trainer.recorder.gradient_history([0, 5])
    assert set(history.word_id) == {0, 5} and (history.input_norm >= 0).all()


def test_histories_and_snapshots_stay_bounded(teaching_corpus):
    trainer = Trainer(teaching_corpus, TrainConfig(dim=10, epochs=30, workers=2), chunk_words=1000, max_history=50,
                      max_snapshots=8, snapshot_words=40)
    trainer.step(10**9)
    history = trainer.recorder.loss_history()
    assert 25 <= len(history) <= 50
    assert history.words_done.is_monotonic_increasing and history.words_done.iloc[0] < teaching_corpus.n_tokens
    snapshots = trainer.recorder.snapshots()
    assert 4 <= len(snapshots) <= 8 and snapshots[-1].words_done == trainer.words_total
    assert snapshots[0].vectors.shape == (40, 10)


def test_bounded_history_thins_the_old_half():
    history = BoundedHistory(8)
    for i in range(100):
        history.append(i)
    items = history.items()
    assert len(items) <= 8 and items[-1] == 99 and items[0] < 20


def fed(recorder: Recorder, jobs: int, words: int = 100, n_words: int = 12) -> np.ndarray:
    """Feed ``jobs`` jobs of ``words`` words (losses falling, gradient sums of 1 for each of ``n_words`` words);
    returns the (V, 3) input vectors the snapshots copy."""
    rng = np.random.default_rng(0)
    w_in = rng.normal(size=(n_words, 3)).astype(np.float32)
    per_epoch = recorder.epoch_words // words
    for job in range(jobs):
        buffers = np.ones((n_words, 4), dtype=np.float32)
        recorder.record_job((job + 1) * words, job // per_epoch + 1, 50.0 / (job + 1), 10.0, 20, 0.025, buffers,
                            w_in)
        assert not buffers.any()  # zeroed for the next job
    return w_in


def test_a_recorder_fed_by_hand_keeps_epochs_snapshots_and_gradients():
    recorder = Recorder(n_words=12, epochs=2, epoch_words=1000, loss="negative", telemetry=True, chunk_words=100,
                        snapshot_words=5, history_words=4)
    assert recorder.gradient_stats() is None and recorder.snapshots() == []
    w_in = fed(recorder, 20)
    history = recorder.loss_history()
    assert len(history) == 20 and list(history.words_done) == [100 * (i + 1) for i in range(20)]
    assert history.loss.iloc[0] == pytest.approx(60.0 / 20) and history.loss_negative.iloc[0] == pytest.approx(0.5)
    epochs = recorder.epoch_losses()
    assert list(epochs.epoch) == [1, 2] and list(epochs.words_done) == [1000, 2000]
    assert np.allclose(recorder.epoch_mean_losses(), epochs.loss)
    snapshots = recorder.snapshots()
    assert [s.words_done for s in snapshots] == [100 * (i + 1) for i in range(20)]  # every chunk: a short run
    assert snapshots[-1].vectors.shape == (5, 3) and np.array_equal(snapshots[-1].vectors, w_in[:5])
    stats = recorder.gradient_stats()
    assert stats is not None and stats.words_done == 2000 and np.allclose(stats.input_norm, 1.0)
    assert set(recorder.gradient_history([0, 3, 4]).word_id) == {0, 3}  # only the 4 most frequent are kept


def test_a_recorder_restored_from_its_fields_has_the_same_histories():
    recorder = Recorder(n_words=12, epochs=2, epoch_words=1000, loss="hierarchical", telemetry=True,
                        chunk_words=100)
    fed(recorder, 20)
    fields = recorder.run_fields()
    run = RunState(config={}, corpus=None, words=[], counts=np.zeros(0), w_in=np.zeros((0, 0)),
                   w_out=np.zeros((0, 0)), state="finished", next_job=20, jobs_per_epoch=10, chunk_words=100,
                   words_done=2000, alpha=0.0, elapsed_seconds=0.0, sample_ids=np.zeros(0, np.int32),
                   sample_starts=np.zeros(1, np.int64), **fields)
    again = Recorder(n_words=12, epochs=2, epoch_words=1000, loss="hierarchical", telemetry=True, chunk_words=100)
    again.restore(run, words_done=2000, upto=1500)
    assert again.loss_history().equals(recorder.loss_history().iloc[:15])
    assert all(s.words_done <= 1500 for s in again.snapshots()) and len(again.snapshots()) == 15
    assert again.gradient_stats().words_done == recorder.gradient_stats().words_done
    assert again.loss_history().loss_negative.isna().all()  # no negative sampling
