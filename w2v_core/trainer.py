"""The trainer: background threads running the compiled kernels, with pause/stop; each job feeds a ``Recorder``.

Training state (output weights, noise table, Huffman tree) lives here; the result is an ``Embeddings`` built
by ``embeddings()``. Every public method is safe to call from another thread; pages poll ``progress()`` and
the histories of ``trainer.recorder`` (a ``Recorder``, fed after every job: loss, gradients, snapshots).

Work is cut into jobs: chunks of whole sentences (about ``chunk_words`` words) in each epoch. A job's learning
rate and random seed depend only on its position, so ``workers=1`` runs are bit-for-bit reproducible, and a
run saved between jobs (``run_state``, written by ``runfile``) continues exactly (``from_run_state``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from . import kernels, spill
from .config import ConfigError, TrainConfig
from .corpus import Corpus
from .huffman import build_huffman_tree
from .models import initial_input_vectors
from .options import FOLD_EVERY, HOT_ROWS
from .recorder import Recorder
from .runfile import (
    CorpusExcerpt,
    CorpusInfo,
    RunFileError,
    RunState,
    corpus_fingerprint,
    excerpt_arrays,
    excerpt_of,
    vocabulary_difference,
)
from .states import ACTIVE, STARTABLE, TERMINAL, State

__all__ = ["ConfigError", "Progress", "TrainConfig", "Trainer"]

_MODEL_KIND = {"skipgram": kernels.SKIPGRAM, "cbow": kernels.CBOW}
_LOSS_KIND = {"negative": kernels.NEGATIVE, "hierarchical": kernels.HIERARCHICAL, "softmax": kernels.SOFTMAX}
_NO_HOT_ROWS = kernels.HotRows(np.zeros((0, 1), np.float32), 0, 0)


@dataclass(frozen=True)
class Progress:
    words_done: int
    words_total: int
    epoch: int  # 1-based epoch in progress (or the last one when done)
    epochs: int
    alpha: float
    words_per_second: float
    eta_seconds: float | None
    elapsed_seconds: float

    @property
    def fraction(self) -> float:
        return self.words_done / self.words_total if self.words_total else 1.0


@dataclass
class JobResult:
    words: int
    pairs: int
    positive: float
    negative: float
    stopped: bool
    trace_context: np.ndarray | None = None  # (T, 2·window) context words of the first T windows, -1 padded
    trace_center: np.ndarray | None = None  # (T,) their centre words
    trace_negatives: np.ndarray | None = None  # (T, 2·window·K) negatives drawn (K per window when shared)


class _SharedExclusiveGate:
    """Many jobs may update the weights at once (Hogwild); a consistent copy waits for them and blocks new ones."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._active = 0
        self._exclusive = False

    def enter_shared(self) -> None:
        with self._condition:
            self._condition.wait_for(lambda: not self._exclusive)
            self._active += 1

    def leave_shared(self) -> None:
        with self._condition:
            self._active -= 1
            self._condition.notify_all()

    def copy(self, array: np.ndarray, rows: int | None = None) -> np.ndarray:
        with self._condition:
            self._condition.wait_for(lambda: not self._exclusive)
            self._exclusive = True
            self._condition.wait_for(lambda: self._active == 0)
        try:
            return array[:rows].copy()
        finally:
            with self._condition:
                self._exclusive = False
                self._condition.notify_all()


def _job_seed(seed: int, job: int) -> int:
    """splitmix64 of (seed, job): independent, reproducible random streams per job."""
    z = (seed * 0x9E3779B97F4A7C15 + job + 1) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


def _chunk_bounds(starts: np.ndarray, chunk_words: int) -> np.ndarray:
    """Sentence indices where chunks of about ``chunk_words`` words begin, plus the end: (C+1,) int64."""
    targets = np.arange(0, starts[-1], chunk_words)
    bounds = np.unique(np.searchsorted(starts, targets, side="left"))
    return np.append(bounds[bounds < len(starts) - 1], len(starts) - 1).astype(np.int64)


class Trainer:
    """Trains word vectors on a ``Corpus`` with a ``TrainConfig``; see the module docstring."""

    def __init__(self, corpus: Corpus, config: TrainConfig, chunk_words: int | None = None,
                 snapshot_words: int = 1000, history_words: int = 5000, max_snapshots: int = 60,
                 max_history: int = 2000, loss_every: int = 1) -> None:
        self.warnings = config.validate(len(corpus.vocab))
        self.corpus, self.config, self.vocab = corpus, config, corpus.vocab
        self.loss_every = loss_every  # tally the loss of 1 window in this many (kernels; not full softmax)
        n_words, dim = len(self.vocab), config.dim
        self.w_in = initial_input_vectors(n_words, dim, config.seed)
        n_out = max(n_words - 1, 1) if config.loss == "hierarchical" else n_words
        # Below the shared output rows, each worker's copies of the hot ones (see _new_hot_rows): one matrix.
        copies = config.hot_row_copies and config.workers > 1 and config.loss != "softmax"
        self._hot_count = min(HOT_ROWS, n_out) if copies else 0
        self._out_rows = np.zeros((n_out + config.workers * self._hot_count, dim), dtype=np.float32)
        self.w_out = self._out_rows[:n_out]
        self._keep = self.vocab.keep_probabilities(config.sample).astype(np.float32)
        if config.loss == "negative":
            self._alias_prob, self._alias_idx = kernels.alias_table(self.vocab.noise_distribution(config.ns_exponent))
        else:
            self._alias_prob, self._alias_idx = np.ones(1, np.float32), np.zeros(1, np.int32)
        if config.loss == "hierarchical":
            self.tree = build_huffman_tree(self.vocab.counts)
        else:
            self.tree = None
        self._tree_arrays = ((self.tree.points, self.tree.codes, self.tree.lengths) if self.tree is not None else
                             (np.zeros((1, 1), np.int32), np.zeros((1, 1), np.uint8), np.zeros(1, np.int32)))
        if chunk_words is None:
            chunk_words = int(np.clip(corpus.n_tokens // 200, 1000, 10_000))
            if config.loss == "softmax":  # keep each job short enough for pause/step to stay responsive
                chunk_words = max(50, min(chunk_words, int(3e8 / (n_out * dim * 2 * config.window))))
        self._chunks = _chunk_bounds(corpus.sentence_starts, chunk_words)
        self._chunk_offsets = corpus.sentence_starts[self._chunks]
        self.chunk_words = chunk_words
        self.jobs_per_epoch = len(self._chunks) - 1
        self.n_jobs = self.jobs_per_epoch * config.epochs
        self.trainable = not isinstance(corpus, CorpusExcerpt)  # a run opened without its text cannot train
        self._job_limit = self.n_jobs if self.trainable else 0  # jobs beyond it are not claimed (stop_after_epoch)
        self.words_total = corpus.n_tokens * config.epochs
        self.recorder = Recorder(n_words, config.epochs, corpus.n_tokens, config.loss, config.telemetry,
                                 chunk_words, snapshot_words, history_words, max_snapshots, max_history)

        self._lock = threading.Lock()
        self._gate = _SharedExclusiveGate()
        self._resume_event = threading.Event()
        self._control = np.zeros(1, dtype=np.int32)
        self._threads: list[threading.Thread] = []
        self._alive = 0  # worker threads still in their loop
        self._in_flight = 0  # jobs claimed by worker threads and not yet recorded
        self._done_callbacks: list = []  # called with the trainer when its last thread ends
        self._state = State.READY
        self.error: str | None = None
        self._next_job = 0
        self._frontier = 0  # every job before it is trained: where a saved run continues
        self._done_beyond: set[int] = set()  # trained jobs after the frontier (several workers end out of order)
        self._words_done = 0
        self._last_alpha = config.start_alpha
        self._active_seconds = 0.0
        self._run_started: float | None = None
        self._rate_window: list[tuple[float, int]] = []
        self.opened_corpus: CorpusInfo | None = None  # the corpus statistics of a run opened from a file

    # ----- control -------------------------------------------------------------------------------------------
    @property
    def state(self) -> State:
        return self._state

    @property
    def is_active(self) -> bool:
        return self._state in ACTIVE

    def start(self) -> None:
        """Start (or continue after ``step``) training in ``config.workers`` background threads."""
        self._check_trainable()
        with self._lock:
            if self._state not in STARTABLE or self._alive:
                return
            self._state = State.RUNNING if kernels_are_compiled() else State.COMPILING
            self._resume_event.set()
            self._run_started = time.perf_counter()
            self._alive = self.config.workers
            self._threads = [threading.Thread(target=self._worker, args=(i,), name=f"w2v-worker-{i}", daemon=True)
                             for i in range(self.config.workers)]
        for thread in self._threads:
            thread.start()

    def add_done_callback(self, callback) -> None:  # noqa: ANN001 - Callable[[Trainer], None]
        """Call ``callback(trainer)`` from the last worker thread whenever a background run ends."""
        self._done_callbacks.append(callback)

    def pause(self, timeout: float = 5.0) -> None:
        """Let the threads finish their current job and wait; returns once no job is in flight."""
        with self._lock:
            if self._state in ACTIVE:
                self._resume_event.clear()
                self._state = State.PAUSED
                self._account_time()
        deadline = time.monotonic() + timeout
        while self._in_flight and time.monotonic() < deadline:
            time.sleep(0.002)

    def resume(self) -> None:
        with self._lock:
            if self._state == State.PAUSED and self._alive:
                self._state = State.RUNNING
                self._run_started = time.perf_counter()
                self._resume_event.set()
                return
        self.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop promptly (the kernels check between words) and wait for the threads."""
        with self._lock:
            if self._state not in TERMINAL:
                self._state = State.STOPPED
                self._account_time()
            self._control[0] = 1
            self._resume_event.set()
        for thread in self._threads:
            thread.join(timeout)

    def step(self, n_words: int) -> int:
        """Train about ``n_words`` words (whole jobs) in the calling thread; returns the words trained."""
        self._check_trainable()
        with self._lock:
            if self._state not in STARTABLE or self._alive:
                raise RuntimeError("step() needs a trainer that is not running: pause or stop it first")
            self._state = State.RUNNING
            self._run_started = time.perf_counter()
        done = 0
        buffers = self._new_buffers()  # zeroed again after every job
        try:
            while done < n_words and self._state == State.RUNNING:
                job = self._claim_job()
                if job is None:
                    break
                done += self._run_and_record(job, buffers)
                _compiled.set()
        finally:
            with self._lock:
                self._account_time()
                if self._state == State.RUNNING:
                    self._state = State.FINISHED if self._next_job >= self.n_jobs else State.PAUSED
        return done

    def stop_after_epoch(self, epoch: int) -> None:
        """End training after ``epoch`` (1-based) of the plan, keeping the learning-rate schedule of the whole
        plan; the run is then "paused" there and can be saved and continued."""
        if not 1 <= epoch <= self.config.epochs:
            raise ConfigError(f"stop after epoch must be between 1 and the {self.config.epochs} planned epochs "
                              f"(got {epoch}).")
        with self._lock:
            if epoch * self.jobs_per_epoch <= self._frontier:
                raise ConfigError(f"the run has already trained {self._frontier // self.jobs_per_epoch} epoch(s): "
                                  "stop after a later one.")
            self._job_limit = min(self.n_jobs, epoch * self.jobs_per_epoch)

    def _check_trainable(self) -> None:
        if not self.trainable:
            raise RuntimeError("This run was opened without its corpus, so it cannot train: continue it with "
                               "its corpus.")

    # ----- work ----------------------------------------------------------------------------------------------
    def _new_buffers(self) -> np.ndarray:
        """A thread's telemetry sums for one job (V, 4) float32, added to the interval's float64 sums after each
        job: see ``kernels.train_chunk``."""
        return np.zeros((len(self.vocab) if self.config.telemetry else 1, 4), dtype=np.float32)

    def _claim_job(self) -> int | None:
        with self._lock:
            if self._next_job >= self._job_limit:
                return None
            self._next_job += 1
            return self._next_job - 1

    def _new_hot_rows(self, worker: int) -> kernels.HotRows:
        """Worker ``worker``'s own copies of the output rows all threads write most (see ``kernels.HotRows``): the
        top of the Huffman tree (the last inner nodes the merge made) or the most frequent words' output vectors.
        No copies (H = 0) with one worker (they would only round differently) or full softmax (it writes every
        row)."""
        n_out, dim = self.w_out.shape
        count = self._hot_count
        first = n_out - count if self.config.loss == "hierarchical" else 0
        return kernels.HotRows(np.zeros((count, dim), np.float32), first, n_out + worker * count)

    def _worker(self, worker: int) -> None:
        buffers = self._new_buffers()
        hot = self._new_hot_rows(worker)
        try:
            while True:
                self._resume_event.wait()
                with self._lock:
                    self._in_flight += 1
                try:
                    job = None if self._control[0] or not self._resume_event.is_set() else self._claim_job()
                    if job is not None:
                        self._run_and_record(job, buffers, hot)
                finally:
                    with self._lock:
                        self._in_flight -= 1
                if job is None:
                    if self._control[0] or self._next_job >= self._job_limit:
                        break
                    continue
                _compiled.set()
                with self._lock:
                    if self._state == State.COMPILING:
                        self._state = State.RUNNING
        except Exception as error:  # noqa: BLE001 - a failed run must be reported, not lost in a thread
            self._fail(f"Training failed: {type(error).__name__}: {error}")
        finally:
            with self._lock:
                self._alive -= 1
                last = not self._alive
                if last and self._state in ACTIVE and self._next_job >= self._job_limit:
                    self._state = State.FINISHED if self._next_job >= self.n_jobs else State.PAUSED
                    self._account_time()
            if last:
                for callback in list(self._done_callbacks):
                    callback(self)

    def _fail(self, reason: str) -> None:
        with self._lock:
            self.error = reason
            self._state = State.FAILED
            self._control[0] = 1
            self._resume_event.set()
            self._account_time()

    def job_alpha(self, job: int) -> tuple[float, float]:
        """Learning rate at the first and last word of a job (linear decay over all epochs)."""
        epoch, chunk = divmod(job, len(self._chunks) - 1)
        begin = epoch * self.corpus.n_tokens + self._chunk_offsets[chunk]
        end = epoch * self.corpus.n_tokens + self._chunk_offsets[chunk + 1]
        a0, a1 = self.config.start_alpha, self.config.end_alpha
        return a0 - (a0 - a1) * begin / self.words_total, a0 - (a0 - a1) * end / self.words_total

    def run_job(self, job: int, buffers: np.ndarray | None = None, trace_rows: int = 0,
                hot: kernels.HotRows | None = None) -> JobResult:
        """Run one job on the shared weights (no bookkeeping); ``trace_rows`` records its first examples; ``hot``:
        the calling worker's copies of the hot output rows (none: every step goes to the shared rows)."""
        config = self.config
        chunk = job % (len(self._chunks) - 1)
        alpha_begin, alpha_end = self.job_alpha(job)
        stats = np.zeros(kernels.STATS_SIZE, dtype=np.float64)
        buffers = self._new_buffers() if buffers is None else buffers
        width = 2 * config.window
        trace_context = np.full((trace_rows, width), -1, dtype=np.int32)
        trace_center = np.full(trace_rows, -1, dtype=np.int32)
        trace_negatives = np.full((trace_rows, width * max(config.negative, 1)), -1, dtype=np.int32)
        settings = kernels.Settings(_MODEL_KIND[config.model], _LOSS_KIND[config.loss], config.window,
                                    config.negative, config.shared_draws, config.cbow_full_step,
                                    config.telemetry, self.loss_every, FOLD_EVERY)
        hot = _NO_HOT_ROWS if hot is None else hot
        self._gate.enter_shared()
        try:
            kernels.train_chunk(
                kernels.Text(self.corpus.ids, self.corpus.sentence_starts, self._keep), int(self._chunks[chunk]),
                int(self._chunks[chunk + 1]), kernels.Weights(self.w_in, self._out_rows, hot),
                kernels.Noise(self._alias_prob, self._alias_idx), kernels.Tree(*self._tree_arrays), settings,
                alpha_begin, alpha_end, np.uint64(_job_seed(config.seed, job)),
                kernels.Tallies(stats, buffers, self._control),
                kernels.Trace(trace_context, trace_center, trace_negatives))
        finally:
            self._gate.leave_shared()
        spill.give_back(self.corpus.ids, int(self._chunk_offsets[chunk]), int(self._chunk_offsets[chunk + 1]))
        return JobResult(int(stats[kernels.STAT_WORDS]), int(stats[kernels.STAT_PAIRS]),
                         float(stats[kernels.STAT_POSITIVE]), float(stats[kernels.STAT_NEGATIVE]),
                         bool(stats[kernels.STAT_STOPPED]), trace_context, trace_center, trace_negatives)

    def _run_and_record(self, job: int, buffers: np.ndarray, hot: kernels.HotRows | None = None) -> int:
        result = self.run_job(job, buffers, hot=hot)
        if result.stopped:
            return 0
        loss = result.positive + result.negative
        if not np.isfinite(loss):
            alpha = self.job_alpha(job)[0]
            self._fail(f"The loss became {loss} at word {self._words_done:,}: training diverged with learning rate "
                       f"{alpha:.3g}. Lower alpha (try {alpha / 10:.3g}) and start again.")
            return 0
        epoch = job // (len(self._chunks) - 1)
        with self._lock:
            self._words_done += result.words
            self._done_beyond.add(job)
            while self._frontier in self._done_beyond:
                self._done_beyond.discard(self._frontier)
                self._frontier += 1
            self._last_alpha = min(self._last_alpha, self.job_alpha(job)[1])  # jobs may end out of order
            now = time.perf_counter()
            self._rate_window = [*self._rate_window[-49:], (now, self._words_done)]
            # under the lock: jobs are recorded in the order of words_done
            self.recorder.record_job(self._words_done, epoch + 1, result.positive, result.negative, result.pairs,
                                     self._last_alpha, buffers, self.w_in)
        return result.words

    def _account_time(self) -> None:
        if self._run_started is not None:
            self._active_seconds += time.perf_counter() - self._run_started
            self._run_started = None

    # ----- telemetry -----------------------------------------------------------------------------------------
    def progress(self) -> Progress:
        with self._lock:
            elapsed = self._active_seconds + (time.perf_counter() - self._run_started if self._run_started else 0.0)
            window = self._rate_window
            if self._run_started is not None and len(window) >= 2 and window[-1][0] > window[0][0]:
                rate = (window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0])
            else:
                rate = self._words_done / elapsed if elapsed > 0 else 0.0
            remaining = self.words_total - self._words_done
            eta = remaining / rate if rate > 0 and self._state in ACTIVE else None
            epoch = min(self._words_done // max(self.corpus.n_tokens, 1) + 1, self.config.epochs)
            return Progress(self._words_done, self.words_total, int(epoch), self.config.epochs, self._last_alpha,
                            rate, eta, elapsed)

    def vectors(self, kind: str = "input") -> np.ndarray:
        """A consistent copy of the input (V, d) or output vectors, taken between jobs."""
        if kind not in ("input", "output"):
            raise ValueError(f"kind must be 'input' or 'output' (got {kind!r})")
        if kind == "output" and self.config.loss == "hierarchical":
            raise ValueError("Hierarchical softmax has no output word vectors (only inner-node vectors).")
        return self._gate.copy(self.w_in if kind == "input" else self.w_out)

    def embeddings(self, kind: str = "input"):  # noqa: ANN201 - Embeddings, imported lazily
        from .embeddings import Embeddings

        return Embeddings(list(self.vocab.words), self.vectors(kind), self.vocab.counts.copy(),
                          config=self.config.to_dict())


    # ----- saving and continuing -----------------------------------------------------------------------------
    def run_state(self, corpus_name: str = "", source: dict | None = None) -> RunState:
        """Everything needed to look at this run again or continue it (``runfile.write_run`` saves it).

        Call it on a run that is not training (finished, stopped, paused): a running one is captured between
        jobs, but jobs in flight are then trained again when it continues.
        """
        w_in, w_out = self._gate.copy(self.w_in), self._gate.copy(self.w_out)
        corpus, vocab = self.corpus, self.vocab
        with self._lock:
            frontier, state = self._frontier, self._state
            words_done = self._words_done
            histories = self.recorder.run_fields()  # under the lock: no job is recorded meanwhile
            alpha, elapsed = self._last_alpha, self._active_seconds
        if isinstance(corpus, CorpusExcerpt):  # an opened run saved again: its excerpt and fingerprint stay
            sample_ids, sample_starts = corpus.ids, corpus.sentence_starts
            info = self.opened_corpus
        else:
            sample_ids, sample_starts = excerpt_arrays(corpus.ids, corpus.sentence_starts)
            opened = self.opened_corpus
            if source is None and opened is not None:
                source = opened.source
            info = CorpusInfo(name=corpus_name or (opened.name if opened else ""), tokens=corpus.n_tokens,
                              sentences=corpus.n_sentences,
                              total_tokens=vocab.total_tokens, total_types=vocab.total_types,
                              min_count=vocab.min_count,
                              fingerprint=corpus_fingerprint(corpus.ids, corpus.sentence_starts),
                              source=dict(source or {}))
        return RunState(
            config=self.config.to_dict(), corpus=info, words=list(vocab.words), counts=vocab.counts.copy(),
            w_in=w_in, w_out=w_out, state=state if state in (State.FINISHED, State.PAUSED) else State.STOPPED,
            next_job=frontier, jobs_per_epoch=self.jobs_per_epoch, chunk_words=self.chunk_words,
            words_done=words_done, alpha=float(alpha), elapsed_seconds=float(elapsed),
            sample_ids=sample_ids, sample_starts=sample_starts, **histories)

    @classmethod
    def from_run_state(cls, run: RunState, corpus: Corpus | None = None, more_epochs: int = 0,
                       workers: int | None = None) -> Trainer:
        """A trainer where ``run`` stands: with its ``corpus``, ready to continue (to the end of its planned
        epochs, or ``more_epochs`` beyond them, the learning rate then following the longer plan); without, a
        finished or stopped trainer to look at (vectors, histories, snapshots) that cannot train.

        At ``workers=1`` the continued run trains exactly the jobs the uninterrupted run would have, with the
        same learning rates and random draws, so its vectors are bit-identical. Raises ``RunFileError`` when
        ``corpus`` is not the run's.
        """
        values = dict(run.config, epochs=run.epochs + more_epochs)
        if workers is not None:
            values["workers"] = workers
        config = TrainConfig.from_dict(values)
        if corpus is not None:
            difference = vocabulary_difference(run, corpus)
            if difference:
                raise RunFileError(f"This corpus is not the one the run was trained on: {difference}.")
        trainer = cls(corpus if corpus is not None else excerpt_of(run), config, chunk_words=run.chunk_words)
        if corpus is None:  # the excerpt's chunks are not the run's: keep the run's count
            trainer.jobs_per_epoch, trainer.n_jobs = run.jobs_per_epoch, run.jobs_per_epoch * config.epochs
        elif trainer.jobs_per_epoch != run.jobs_per_epoch:
            raise RunFileError(f"This corpus is not the one the run was trained on: its {corpus.n_sentences:,} "
                               f"sentences fall into {trainer.jobs_per_epoch} chunks, the run's into "
                               f"{run.jobs_per_epoch}.")
        if corpus is not None and corpus_fingerprint(corpus.ids, corpus.sentence_starts) != run.corpus.fingerprint:
            trainer.warnings.append("This corpus has the run's vocabulary, but its text differs (other sentences "
                                    "or another order): the run continues, but not as it would have without the "
                                    "break.")
        trainer.opened_corpus = run.corpus
        trainer.w_in[:] = run.w_in
        trainer.w_out[:] = run.w_out
        trainer._restore_position(run, corpus is not None)
        return trainer

    def _restore_position(self, run: RunState, trainable: bool) -> None:
        """Counters, histories and snapshots of ``run`` (called on a new trainer, before it starts)."""
        self._next_job = self._frontier = run.next_job
        if trainable:  # words before the first untrained job (several workers may have trained a few beyond it)
            epoch, chunk = divmod(run.next_job, self.jobs_per_epoch)
            self._words_done = int(epoch * self.corpus.n_tokens + self._chunk_offsets[chunk]) \
                if chunk < self.jobs_per_epoch else self.corpus.n_tokens * epoch
        else:
            self._words_done = run.words_done
        extended = self.config.epochs != run.epochs
        self._last_alpha = self.job_alpha(run.next_job)[0] if extended and trainable else run.alpha
        self._active_seconds = run.elapsed_seconds
        self.recorder.restore(run, self._words_done, upto=self._words_done if trainable else run.words_done)
        if not trainable:
            self._state = State.FINISHED if run.next_job >= run.n_jobs else State.STOPPED


_compiled = threading.Event()


def kernels_are_compiled() -> bool:
    return _compiled.is_set()


def warm_up() -> tuple[float, bool]:
    """Compile (or load from numba's cache) the kernels on a tiny corpus.

    Returns (seconds it took, whether it compiled rather than loaded the cache).
    """
    from .corpus import build_corpus

    started = time.perf_counter()
    corpus = build_corpus(["a b c d a b", "c d a b e"], min_count=1)
    Trainer(corpus, TrainConfig(dim=4, epochs=1, workers=1)).step(100)
    _compiled.set()
    return time.perf_counter() - started, bool(kernels.train_chunk.stats.cache_misses)
