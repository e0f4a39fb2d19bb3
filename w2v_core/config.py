"""Training configuration: named options, defaults as the word2vec C tool, validation with clear messages."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .options import OPTIONS, TRAIN_OPTIONS

SOFTMAX_SLOW_VOCAB = 20_000  # full softmax is O(V) per pair: warn above this vocabulary size
SHARED_DRAWS_PER_NEGATIVE = 4  # the gradient lab's shared example: the centre against 4K draws per window


class ConfigError(ValueError):
    """A hyperparameter that cannot work, with a message that says what to change."""


@dataclass
class TrainConfig:
    """Hyperparameters of one training run. ``alpha`` defaults by model as in the C tool (skip-gram 0.025, CBOW
    0.05), ``min_alpha`` to alpha × 1e-4."""

    # each default, bound and meaning is declared in options.py
    model: str = OPTIONS["model"].default  # "skipgram" | "cbow"
    loss: str = OPTIONS["loss"].default  # "negative" | "hierarchical" | "softmax"
    dim: int = OPTIONS["dim"].default
    window: int = OPTIONS["window"].default
    negative: int = OPTIONS["negative"].default
    sample: float = OPTIONS["sample"].default
    epochs: int = OPTIONS["epochs"].default
    alpha: float | None = OPTIONS["alpha"].default
    min_alpha: float | None = OPTIONS["min_alpha"].default
    workers: int = OPTIONS["workers"].default
    seed: int = OPTIONS["seed"].default
    ns_exponent: float = OPTIONS["ns_exponent"].default
    shared_negatives: bool = OPTIONS["shared_negatives"].default  # skip-gram: K noise words shared by the window
    cbow_full_step: bool = OPTIONS["cbow_full_step"].default  # CBOW: full ∂J/∂h step (C tool, gensim)
    telemetry: bool = OPTIONS["telemetry"].default
    hot_row_copies: bool = OPTIONS["hot_row_copies"].default  # workers ≥ 2: each thread's copies of hot rows

    @property
    def shared_draws(self) -> int:
        """Noise words drawn once per skip-gram window (0: K per pair); see docs/derivation.md."""
        return self.negative if self.shared_negatives else 0

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
        values = self.to_dict()
        for option in TRAIN_OPTIONS:
            value = values[option.name]
            problem = option.problem(value) if option.applies(values) else None
            if problem:
                usual = f" Leave it empty for the usual value ({option.auto})." if option.auto else ""
                raise ConfigError(f"{option.name} {problem} (got {value!r}): {option.what}.{usual}")
        if not 0.0 <= self.end_alpha <= self.start_alpha:
            raise ConfigError(f"min_alpha must be between 0 and alpha ({self.start_alpha}) (got {self.end_alpha}).")
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

