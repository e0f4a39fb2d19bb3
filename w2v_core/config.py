"""Training configuration: named options, defaults as the word2vec C tool, validation with clear messages."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .models import LOSSES, MODELS

SOFTMAX_SLOW_VOCAB = 20_000  # full softmax is O(V) per pair: warn above this vocabulary size
MAX_DIM = 1_000
MAX_WINDOW = 50
MAX_NEGATIVE = 100
MAX_EPOCHS = 1_000
SHARED_DRAWS_PER_NEGATIVE = 4  # shared negatives: 4K draws per window keep quality at gensim's (BENCHMARKS.md)


class ConfigError(ValueError):
    """A hyperparameter that cannot work, with a message that says what to change."""


@dataclass
class TrainConfig:
    """Hyperparameters of one training run. ``alpha`` defaults by model as in the C tool (skip-gram 0.025, CBOW
    0.05), ``min_alpha`` to alpha × 1e-4."""

    model: str = "skipgram"  # "skipgram" | "cbow"
    loss: str = "negative"  # "negative" | "hierarchical" | "softmax"
    dim: int = 100
    window: int = 5
    negative: int = 5
    sample: float = 1e-3
    epochs: int = 5
    alpha: float | None = None
    min_alpha: float | None = None
    workers: int = 2
    seed: int = 1
    ns_exponent: float = 0.75
    shared_negatives: bool = True  # skip-gram: one shared set of 4K noise words per window instead of K per pair
    cbow_full_step: bool = True  # CBOW: every context vector takes the full ∂J/∂h step (C tool, gensim)
    telemetry: bool = True

    @property
    def shared_draws(self) -> int:
        """Noise words drawn once per skip-gram window (0: K per pair); see docs/derivation.md."""
        return self.negative * SHARED_DRAWS_PER_NEGATIVE if self.shared_negatives else 0

    @property
    def start_alpha(self) -> float:
        if self.alpha is not None:
            return float(self.alpha)
        return 0.05 if self.model == "cbow" else 0.025

    @property
    def end_alpha(self) -> float:
        return float(self.min_alpha) if self.min_alpha is not None else self.start_alpha * 1e-4

    def validate(self, vocab_size: int | None = None) -> list[str]:
        """Raise ``ConfigError`` for values that cannot work; return warnings for values that are merely slow."""
        if self.model not in MODELS:
            raise ConfigError(f"Unknown model {self.model!r}: choose one of {', '.join(MODELS)}.")
        if self.loss not in LOSSES:
            raise ConfigError(f"Unknown loss {self.loss!r}: choose one of {', '.join(LOSSES)}.")
        _check_int("dim", self.dim, 1, MAX_DIM, "the size of each word vector (e.g. 100)")
        _check_int("window", self.window, 1, MAX_WINDOW, "the number of words on each side (e.g. 5)")
        _check_int("epochs", self.epochs, 1, MAX_EPOCHS, "passes over the corpus (e.g. 5)")
        _check_int("workers", self.workers, 1, 64, "training threads (e.g. the number of cores)")
        _check_int("seed", self.seed, 0, 2**63 - 1, "any non-negative integer")
        if self.loss == "negative":
            _check_int("negative", self.negative, 1, MAX_NEGATIVE, "noise words per pair (5-20 is usual)")
        if not 0.0 <= self.sample < 1.0:
            raise ConfigError(f"sample must be in [0, 1) (got {self.sample}); 1e-3 to 1e-5 is usual, 0 turns "
                              "subsampling off.")
        if not 0.0 < self.start_alpha <= 10.0:
            raise ConfigError(f"alpha (learning rate) must be in (0, 10] (got {self.start_alpha}); try "
                              "0.025 for skip-gram, 0.05 for CBOW.")
        if not 0.0 <= self.end_alpha <= self.start_alpha:
            raise ConfigError(f"min_alpha must be between 0 and alpha ({self.start_alpha}) (got {self.end_alpha}).")
        if not -2.0 <= self.ns_exponent <= 2.0:
            raise ConfigError(f"ns_exponent must be in [-2, 2] (got {self.ns_exponent}); 0.75 is the usual value.")
        warnings = []
        if vocab_size is not None:
            if self.loss == "softmax" and vocab_size > SOFTMAX_SLOW_VOCAB:
                warnings.append(f"Full softmax costs O(V) per pair: with {vocab_size:,} words it is about "
                                f"{vocab_size // (self.negative + 1):,}× slower than negative sampling. Raise "
                                "min_count or max_vocab, or use negative sampling or hierarchical softmax.")
            if self.loss == "negative" and self.negative >= vocab_size:
                warnings.append(f"{self.negative} negatives for a vocabulary of {vocab_size} words: most draws "
                                "repeat the same words. Use fewer negatives or a larger corpus.")
        return warnings

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        """Build from a plain dict, ignoring unknown keys; types are checked by ``validate``."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})


def _check_int(name: str, value: object, low: int, high: int, meaning: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number (got {value!r}): {meaning}.")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high:,} (got {value}): {meaning}.")
