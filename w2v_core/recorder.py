"""What a run has been through: the histories the trainer feeds after every job, and their pandas views.

The ``Trainer`` calls ``Recorder.record_job`` once per trained job (like gensim's callbacks, but fed numbers,
not the model): the job's loss goes into the loss history and its epoch's sums, the per-word gradient sums of
the telemetry kernels into the current reporting interval (published as ``GradientStats`` every
``report_every`` words), and every ``snapshot_every`` words a copy of the most frequent words' input vectors
becomes a ``Snapshot``. Histories are bounded (``BoundedHistory``): a long run keeps its whole course at
decreasing resolution. Every public method is thread-safe; pages poll ``loss_history()``, ``epoch_losses()``,
``gradient_stats()``, ``gradient_history()`` and ``snapshots()`` while the trainer's threads record.

``run_fields``/``restore`` carry the histories into and out of a run file (``runfile.RunState``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import kernels
from .history import BoundedHistory
from .runfile import LOSS_COLUMNS, RunState

if TYPE_CHECKING:
    import pandas as pd

PUBLISH_SECONDS = 0.25  # gradient intervals close at most this often (each costs O(V) numpy work under the lock)


@dataclass(frozen=True)
class GradientStats:
    """Per-word gradient magnitudes of one reporting interval.

    input_norm / output_norm (V,) float64: mean L2 norm of the gradient applied to each word's input / output
    vector per update (0 where not updated); for hierarchical softmax the output arrays stay 0 (its inner
    nodes are not words). input_updates / output_updates (V,) int64: number of updates.
    """

    words_done: int
    input_norm: np.ndarray
    output_norm: np.ndarray
    input_updates: np.ndarray
    output_updates: np.ndarray


@dataclass(frozen=True)
class Snapshot:
    words_done: int
    epoch: int
    loss: float
    word_ids: np.ndarray  # (n,) int32: the most frequent words
    vectors: np.ndarray  # (n, d) float32 input vectors (float16 in a run read from a file); never changed


class Recorder:
    """The histories of one run of ``epochs`` epochs of ``epoch_words`` words over ``n_words`` words.

    ``loss`` is the config's loss ("negative" records a separate negative-sample loss), ``telemetry`` whether
    the kernels return gradient sums, ``chunk_words`` the trainer's job size (no interval is shorter).
    ``snapshot_words`` / ``history_words``: how many of the most frequent words snapshots / gradient histories
    keep; ``max_snapshots`` / ``max_history``: the bounds of the snapshot and loss histories (the gradient
    history keeps a quarter of ``max_history``).
    """

    def __init__(self, n_words: int, epochs: int, epoch_words: int, loss: str, telemetry: bool, chunk_words: int,
                 snapshot_words: int = 1000, history_words: int = 5000, max_snapshots: int = 60,
                 max_history: int = 2000) -> None:
        self.epoch_words = epoch_words
        self.words_total = epoch_words * epochs
        self.negative_sampling = loss == "negative"
        self.telemetry = telemetry
        self.report_every = max(chunk_words, self.words_total // 400)
        self.snapshot_every = max(chunk_words, self.words_total // 50)
        self.snapshot_rows = min(snapshot_words, n_words)
        self.history_rows = min(history_words, n_words)
        self._lock = threading.Lock()
        self._words_done = 0  # as of the last job recorded
        self._loss_points: BoundedHistory[tuple] = BoundedHistory(max_history)
        self._epoch_sums = np.zeros((epochs, 2))  # loss sum, examples
        self._grad = np.zeros((n_words, 4), dtype=np.float64)  # interval sums per word: kernels.IN_NORM, ...
        self._last_report = 0
        self._last_publish = -np.inf  # perf_counter of the last published interval
        self._latest_gradients: GradientStats | None = None
        self._gradient_history: BoundedHistory[tuple[int, np.ndarray, np.ndarray]] = BoundedHistory(max_history // 4)
        self._snapshots: BoundedHistory[Snapshot] = BoundedHistory(max_snapshots)
        self._last_snapshot = -1

    # ----- fed by the trainer --------------------------------------------------------------------------------
    def record_job(self, words_done: int, epoch: int, positive: float, negative: float, pairs: int, alpha: float,
                   buffers: np.ndarray, w_in: np.ndarray) -> None:
        """One job trained: the run has now trained ``words_done`` words, the job was in ``epoch`` (1-based) and
        its ``pairs`` examples summed to the ``positive`` and ``negative`` losses at learning rate ``alpha``.

        ``buffers`` (V, 4) float32 are the job's gradient sums (added, then zeroed for the next job); ``w_in``
        (V, d) the input vectors, copied when a snapshot is due. The trainer calls this under its own lock, so
        jobs are recorded in the order of ``words_done``."""
        loss = positive + negative
        with self._lock:
            self._words_done = words_done
            per_pair = max(pairs, 1)
            negative_part = negative / per_pair if self.negative_sampling else np.nan
            self._loss_points.append((words_done, epoch, loss / per_pair, positive / per_pair, negative_part, alpha,
                                      pairs))
            self._epoch_sums[epoch - 1] += (loss, pairs)
            if self.telemetry:
                self._grad += buffers
                buffers[:] = 0
                now = time.perf_counter()
                report_due = words_done - self._last_report >= self.report_every
                if report_due and (now - self._last_publish >= PUBLISH_SECONDS or words_done == self.words_total):
                    self._publish_gradients()
                    self._last_publish = now
            due = words_done - self._last_snapshot >= self.snapshot_every or self._last_snapshot < 0
            if due or words_done == self.words_total:
                self._last_snapshot = words_done
                self._snapshots.append(Snapshot(words_done, epoch, loss / per_pair,
                                                np.arange(self.snapshot_rows, dtype=np.int32),
                                                w_in[:self.snapshot_rows].copy()))

    def _publish_gradients(self) -> None:
        """Turn the interval sums into means (caller holds the lock) and start a new interval."""
        in_sum, out_sum, in_n, out_n = (self._grad[:, column] for column in (kernels.IN_NORM, kernels.OUT_NORM,
                                                                            kernels.IN_COUNT, kernels.OUT_COUNT))
        input_norm = np.divide(in_sum, in_n, out=np.zeros_like(in_sum), where=in_n > 0)
        output_norm = np.divide(out_sum, out_n, out=np.zeros_like(out_sum), where=out_n > 0)
        self._latest_gradients = GradientStats(self._words_done, input_norm, output_norm,
                                               in_n.astype(np.int64), out_n.astype(np.int64))
        rows = self.history_rows
        self._gradient_history.append((self._words_done, input_norm[:rows].astype(np.float32),
                                       output_norm[:rows].astype(np.float32)))
        self._grad[:] = 0
        self._last_report = self._words_done

    # ----- read by pages -------------------------------------------------------------------------------------
    def loss_history(self) -> pd.DataFrame:
        """One row per recorded job (bounded): the columns of ``runfile.LOSS_COLUMNS``."""
        import pandas as pd  # pandas is imported on first use: a headless run never needs it

        with self._lock:
            points = self._loss_points.items()
        return pd.DataFrame(points, columns=list(LOSS_COLUMNS))

    def epoch_mean_losses(self) -> np.ndarray:
        """Mean loss per training example of each epoch begun so far, (epochs begun,) float64."""
        with self._lock:
            sums = self._epoch_sums.copy()
        seen = sums[:, 1] > 0
        return sums[seen, 0] / sums[seen, 1]

    def epoch_losses(self) -> pd.DataFrame:
        """epoch, mean loss and the words trained by its end, for each epoch begun so far."""
        import pandas as pd

        with self._lock:
            sums, words_done = self._epoch_sums.copy(), self._words_done
        seen = sums[:, 1] > 0
        epochs = np.arange(1, len(sums) + 1)[seen]
        return pd.DataFrame({"epoch": epochs, "loss": sums[seen, 0] / sums[seen, 1],
                             "words_done": np.minimum(epochs * self.epoch_words, words_done)})

    def gradient_stats(self) -> GradientStats | None:
        """The latest complete reporting interval (None before the first one)."""
        with self._lock:
            if self._latest_gradients is None and self.telemetry and self._grad[:, kernels.IN_COUNT].any():
                self._publish_gradients()
            return self._latest_gradients

    def gradient_history(self, word_ids: list[int]) -> pd.DataFrame:
        """Mean gradient norms per interval for words among the ``history_words`` most frequent."""
        import pandas as pd

        with self._lock:
            rows = self._gradient_history.items()
        ids = [w for w in word_ids if 0 <= w < self.history_rows]
        records = [(words, w, float(inp[w]), float(out[w])) for words, inp, out in rows for w in ids]
        return pd.DataFrame(records, columns=["words_done", "word_id", "input_norm", "output_norm"])

    def snapshots(self) -> list[Snapshot]:
        with self._lock:
            return self._snapshots.items()

    # ----- run files -----------------------------------------------------------------------------------------
    def run_fields(self) -> dict[str, Any]:
        """The history fields of a ``RunState``: the recorder's own (never changed) arrays, not copies."""
        with self._lock:
            points = np.array(self._loss_points.items(), dtype=np.float64).reshape(-1, len(LOSS_COLUMNS))
            epoch_sums = self._epoch_sums.copy()
            history = self._gradient_history.items()
            latest = self._latest_gradients
            snapshots = self._snapshots.items()
            last_report, last_snapshot = self._last_report, self._last_snapshot
        return dict(
            loss_points=points, epoch_sums=epoch_sums,
            gradient_words=np.array([words for words, _, _ in history], dtype=np.int64),
            gradient_input=[inp for _, inp, _ in history], gradient_output=[out for _, _, out in history],
            latest_gradient_words=None if latest is None else latest.words_done,
            latest_gradient_norms=(np.zeros((2, 0), np.float32) if latest is None else
                                   np.array([latest.input_norm, latest.output_norm], dtype=np.float32)),
            latest_gradient_updates=(np.zeros((2, 0), np.int64) if latest is None else
                                     np.array([latest.input_updates, latest.output_updates], dtype=np.int64)),
            snapshot_meta=np.array([(s.words_done, s.epoch, s.loss) for s in snapshots],
                                   dtype=np.float64).reshape(-1, 3),
            snapshot_ids=(snapshots[0].word_ids if snapshots else np.zeros(0, np.int32)).astype(np.int32),
            snapshot_vectors=[s.vectors for s in snapshots], last_report=last_report, last_snapshot=last_snapshot)

    def restore(self, run: RunState, words_done: int, upto: int) -> None:
        """The histories of ``run`` up to ``upto`` words, on a recorder that has recorded nothing; the run
        stands at ``words_done``. A run stopped by several workers may hold points of jobs beyond its position:
        they are left out (those jobs are trained again)."""
        with self._lock:
            self._words_done = words_done
            for row in run.loss_points:
                if row[0] <= upto:
                    self._loss_points.append((int(row[0]), int(row[1]), *map(float, row[2:6]), int(row[6])))
            self._epoch_sums[:len(run.epoch_sums)] = run.epoch_sums
            for words, inp, out in zip(run.gradient_words, run.gradient_input, run.gradient_output, strict=True):
                if words <= upto:  # never changed, so shared, not copied (float16 when read from a file)
                    self._gradient_history.append((int(words), inp, out))
            if run.latest_gradient_words is not None:
                norms, updates = run.latest_gradient_norms.astype(np.float64), run.latest_gradient_updates
                self._latest_gradients = GradientStats(run.latest_gradient_words, norms[0], norms[1], updates[0],
                                                       updates[1])
            for meta, vectors in zip(run.snapshot_meta, run.snapshot_vectors, strict=True):
                if meta[0] <= upto:
                    self._snapshots.append(Snapshot(int(meta[0]), int(meta[1]), float(meta[2]), run.snapshot_ids,
                                                    vectors))
            self._last_report, self._last_snapshot = run.last_report, run.last_snapshot
