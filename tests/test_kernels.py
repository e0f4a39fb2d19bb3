"""The compiled kernels agree with the reference losses, replayed window by window in float64."""

import numpy as np
import pytest

from w2v_core import kernels
from w2v_core import trainer as trainer_module
from w2v_core.corpus import build_corpus
from w2v_core.models import (
    cbow_loss,
    skipgram_context_negatives_loss,
    skipgram_loss,
    target_loss,
)
from w2v_core.trainer import TrainConfig, Trainer


def _small_corpus(seed: int = 0, n_lines: int = 40, vocab: int = 25):
    rng = np.random.default_rng(seed)
    lines = [" ".join(f"w{int(rng.zipf(1.3)) % vocab}" for _ in range(rng.integers(3, 15))) for _ in range(n_lines)]
    return build_corpus(lines, min_count=1)


def _replay(trainer: Trainer, result, w_in, w_out, alpha):
    """Apply the reference step of every traced window to float64 copies; return weights, loss, norms."""
    config = trainer.config
    total_loss = 0.0
    pairs = 0
    input_norms = np.zeros(len(trainer.vocab))
    for context_row, center, negative_row in zip(result.trace_context, result.trace_center,
                                                 result.trace_negatives, strict=True):
        if center < 0:
            break
        context = [int(w) for w in context_row if w >= 0]
        drawn = negative_row[negative_row >= 0]
        if config.model == "skipgram" and config.loss == "hierarchical":  # pair by pair, as the C tool
            for word in context:
                loss, g_hidden, g_out = target_loss(w_in[word], int(center), w_out, "hierarchical",
                                                    tree=trainer.tree)
                w_in[word] -= alpha * g_hidden
                w_out -= alpha * g_out
                total_loss += loss
                pairs += 1
                input_norms[word] += np.linalg.norm(g_hidden)
            continue
        if config.model == "skipgram" and config.loss == "negative" and config.shared_negatives:
            loss, g_in, g_out = skipgram_context_negatives_loss(int(center), context, w_in, w_out, drawn)
            pairs += len(context)
            for word in context:  # the kernel adds each position's step norm
                input_norms[word] += np.linalg.norm(g_in[word]) / context.count(word)
            total_loss += loss
            w_in -= alpha * g_in
            w_out -= alpha * g_out
            continue
        if config.model == "skipgram":
            per_pair = np.split(drawn, len(context)) if config.loss == "negative" else None
            loss, g_in, g_out = skipgram_loss(int(center), context, w_in, w_out, config.loss, per_pair,
                                              trainer.tree)
        else:
            loss, g_in, g_out = cbow_loss(context, int(center), w_in, w_out, config.loss, drawn, trainer.tree)
            if config.cbow_full_step:  # the C tool's step: C times the input gradient
                g_in *= len(context)
        if config.model == "skipgram":
            pairs += len(context)
            input_norms[center] += np.linalg.norm(g_in[center])
        else:
            pairs += 1
            for word in context:  # the kernel adds each position's step norm
                input_norms[word] += np.linalg.norm(g_in[word]) / context.count(word)
        total_loss += loss
        w_in -= alpha * g_in
        w_out -= alpha * g_out
    return total_loss / pairs, pairs, input_norms


COMBINATIONS = [(m, loss, True) for m in ("skipgram", "cbow") for loss in ("negative", "hierarchical", "softmax")]
VARIANTS = [("skipgram", "negative", False), ("cbow", "negative", "mean-gradient")]


def _one_chunk_against_reference(corpus, config: TrainConfig, hot_rows_of: int | None = None):
    """Train the whole corpus as one job (as worker ``hot_rows_of`` would, with its copies of the hot rows, or on
    the shared rows) and replay it with the reference; asserts they agree; returns (result, buffers, norms)."""
    trainer = Trainer(corpus, config, chunk_words=100_000)
    trainer.w_out[:] = np.random.default_rng(1).normal(scale=0.3, size=trainer.w_out.shape)
    w_in, w_out = trainer.w_in.astype(np.float64), trainer.w_out.astype(np.float64)
    buffers = np.zeros((len(corpus.vocab), 4), dtype=np.float32)
    hot = None if hot_rows_of is None else trainer._new_hot_rows(hot_rows_of)
    result = trainer.run_job(0, buffers, trace_rows=10_000, hot=hot)
    mean_loss, pairs, input_norms = _replay(trainer, result, w_in, w_out, config.start_alpha)

    assert result.pairs == pairs > 50
    assert (result.positive + result.negative) / result.pairs == pytest.approx(mean_loss, rel=1e-5)
    np.testing.assert_allclose(trainer.w_in, w_in, rtol=1e-4, atol=2e-6)
    np.testing.assert_allclose(trainer.w_out, w_out, rtol=1e-4, atol=2e-6)
    return result, buffers, input_norms


@pytest.mark.parametrize(("model", "loss", "shared"), [*COMBINATIONS, *VARIANTS])
def test_one_chunk_matches_reference_sgd_steps(model, loss, shared):
    alpha = 0.1
    config = TrainConfig(model=model, loss=loss, dim=8, window=3, negative=4, sample=0.0, epochs=1,
                         alpha=alpha, min_alpha=alpha, workers=1, shared_negatives=shared is True,
                         cbow_full_step=shared != "mean-gradient")
    _, buffers, input_norms = _one_chunk_against_reference(_small_corpus(), config)
    np.testing.assert_allclose(buffers[:, kernels.IN_NORM], input_norms, rtol=1e-3, atol=1e-6)  # Σ ||∂J/∂v_w||


HOT_ROW_CASES = [(model, loss, shared) for loss in ("hierarchical", "negative")
                 for model, shared in (("skipgram", True), ("skipgram", False), ("cbow", True))]


@pytest.mark.parametrize(("model", "loss", "shared"), HOT_ROW_CASES)
def test_a_workers_copies_of_hot_rows_take_the_same_steps(model, loss, shared, monkeypatch):
    """With two workers, each steps its own copies of the hot output rows (the top of the Huffman tree, the most
    frequent words) and folds them into the shared rows every FOLD_EVERY windows: a job alone takes the reference
    steps, and they all reach the shared rows."""
    monkeypatch.setattr(trainer_module, "HOT_ROWS", 6)  # a small vocabulary: hot rows and shared ones both taken
    monkeypatch.setattr(trainer_module, "FOLD_EVERY", 40)  # folded in the middle of the job too
    alpha = 0.1
    config = TrainConfig(model=model, loss=loss, dim=8, window=3, negative=4, sample=0.0, epochs=1, alpha=alpha,
                         min_alpha=alpha, workers=2, shared_negatives=shared)
    result, _, _ = _one_chunk_against_reference(_small_corpus(), config, hot_rows_of=1)
    assert (result.trace_center >= 0).sum() > 3 * 40


def test_one_worker_and_full_softmax_keep_no_copies():
    corpus = _small_corpus()
    for config in (TrainConfig(workers=1, loss="hierarchical"), TrainConfig(workers=2, loss="softmax"),
                   TrainConfig(workers=2, hot_row_copies=False)):
        trainer = Trainer(corpus, config)
        assert trainer._new_hot_rows(0).base.shape[0] == 0
        assert len(trainer.w_out) == len(trainer._out_rows) == len(corpus.vocab) - (config.loss == "hierarchical")


def test_negative_sampling_reports_positive_and_negative_parts():
    corpus = _small_corpus()
    trainer = Trainer(corpus, TrainConfig(dim=8, window=2, negative=3, epochs=2, workers=1, sample=0.0))
    trainer.step(10**9)
    history = trainer.recorder.loss_history()
    assert len(history) >= 2 and trainer.state == "finished"
    np.testing.assert_allclose(history.loss, history.loss_positive + history.loss_negative)
    assert (history.loss_negative > 0).all()


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_single_worker_runs_are_bit_identical(model):
    corpus = _small_corpus(n_lines=300, vocab=60)
    runs = []
    for seed in (7, 7, 8):
        trainer = Trainer(corpus, TrainConfig(model=model, dim=16, epochs=2, workers=1, seed=seed))
        trainer.start()
        for thread in trainer._threads:
            thread.join(60)
        assert trainer.state == "finished"
        runs.append(trainer.vectors())
    assert np.array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_gradient_lab_takes_the_trainers_skipgram_hierarchical_steps():
    """The gradient lab's skip-gram + hierarchical softmax is the trainer's: each context word's vector predicts
    the centre's path, one SGD step per pair in turn; replaying the traced windows in the lab lands on the kernel's
    weights."""
    from w2v_core.lab import GradientLab

    corpus = _small_corpus()
    alpha = 0.1
    config = TrainConfig(model="skipgram", loss="hierarchical", dim=8, window=3, sample=0.0, epochs=1,
                         alpha=alpha, min_alpha=alpha, workers=1)
    trainer = Trainer(corpus, config, chunk_words=100_000)
    trainer.w_out[:] = np.random.default_rng(1).normal(scale=0.3, size=trainer.w_out.shape)
    lab = GradientLab.from_trained(corpus.vocab.words, corpus.vocab.counts, trainer.w_in, trainer.w_out,
                                   "hierarchical", "the trainer's start")
    result = trainer.run_job(0, trace_rows=10_000)
    windows = [(int(c), [int(w) for w in row if w >= 0])
               for row, c in zip(result.trace_context, result.trace_center, strict=True) if c >= 0]
    assert len(windows) > 50

    center, context = windows[0]  # one pair: the lab's gradients are the replay's one-pair step
    w_in, w_out = lab.w_in.astype(np.float64), lab.output_matrix("hierarchical").astype(np.float64)
    one = lab.example("skipgram", "hierarchical", center, context[:1])
    loss, g_hidden, g_out = target_loss(w_in[context[0]], center, w_out, "hierarchical", tree=trainer.tree)
    assert one.loss_value == pytest.approx(loss) and one.check.passed
    np.testing.assert_allclose(one.grad_input, g_hidden[None, :])
    np.testing.assert_allclose(one.grad_output, g_out[one.out_rows])
    assert list(one.in_rows) == [context[0]] and set(one.out_rows) == set(trainer.tree.path(center)[0])

    for center, context in windows:  # every window: its pairs stepped in turn
        step = lab.apply_step(lab.example("skipgram", "hierarchical", center, context, check=False), alpha, k=1)
        assert step.pairs_in_turn == len(context)
    np.testing.assert_allclose(lab.w_in, trainer.w_in, rtol=1e-4, atol=2e-6)
    np.testing.assert_allclose(lab.output_matrix("hierarchical"), trainer.w_out, rtol=1e-4, atol=2e-6)


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
@pytest.mark.parametrize("loss", ["hierarchical", "negative"])
def test_loss_from_an_eighth_of_the_windows_estimates_the_exact_one(model, loss):
    """loss_every=8 takes the very same steps and tallies 8 x the loss of a random eighth of the windows: its epoch
    mean is the exact one within sampling error."""
    corpus = _small_corpus(n_lines=3000, vocab=300)
    config = TrainConfig(model=model, loss=loss, dim=16, window=3, sample=1e-3, epochs=1, workers=1)
    trainers = {every: Trainer(corpus, config, chunk_words=1000, loss_every=every) for every in (1, 8)}
    for trainer in trainers.values():
        trainer.step(10**9)
    assert np.array_equal(trainers[1].w_in, trainers[8].w_in) and np.array_equal(trainers[1].w_out, trainers[8].w_out)
    exact, estimate = (trainers[every].recorder.epoch_mean_losses()[-1] for every in (1, 8))
    assert estimate != exact and estimate == pytest.approx(exact, rel=0.05)
