"""Every option of a training run, declared once: name, type, bounds, default, unit, help, and the names the
word2vec C tool and gensim give it.

``TrainConfig.validate`` checks against these declarations, the CLI builds its ``train`` flags from them, the app
draws its widgets and reads and writes shared links with them. Change an option here and all of them follow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .models import LOSSES, MODELS
from .phrases import PHRASE_MIN_COUNT, PHRASE_THRESHOLD
from .tokenizer import CJK_MODES

# hot_row_copies: output rows each training thread keeps its own copies of, and windows between folds
HOT_ROWS, FOLD_EVERY = 256, 256


@dataclass(frozen=True)
class Option:
    """One option. Bounds are inclusive (they are also the widgets' bounds); an option with ``auto`` accepts None,
    meaning the usual value that ``auto`` describes; ``applies_when=(other, value)`` means the option only matters
    when option ``other`` has that value (it is then checked, and its widget enabled)."""

    name: str
    kind: type  # int, float, bool or str
    default: Any
    label: str  # the app's widget label
    what: str  # a noun phrase for messages ("dim must be ...: the size of each word vector")
    help: str  # one line, for the widget's tooltip and --help
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    auto: str = ""
    unit: str = ""
    applies_when: tuple[str, str] | None = None
    cli_flag: str = ""  # default --name-with-dashes; for a bool, the flag that turns the default around
    c_tool: str = ""  # the word2vec C tool's flag
    gensim: str = ""  # gensim Word2Vec's argument

    @property
    def flag(self) -> str:
        """The command line flag."""
        return self.cli_flag or "--" + self.name.replace("_", "-")

    def applies(self, values: Mapping[str, Any]) -> bool:
        """Whether the option matters given the other options' ``values``."""
        return self.applies_when is None or values.get(self.applies_when[0]) == self.applies_when[1]

    def bounds_text(self) -> str:
        """"between 1 and 1,000" (whole numbers with thousands separators, floats shortest)."""
        if self.kind is int:
            return f"between {self.low:,} and {self.high:,}"
        return f"between {self.low:g} and {self.high:g}"

    def problem(self, value: object) -> str | None:
        """What is wrong with ``value`` ("must be between 1 and 50"), or None when it is allowed."""
        if value is None and self.auto:
            return None
        if self.kind is str:
            return None if value in self.choices else f"must be one of {', '.join(self.choices)}"
        if self.kind is bool:
            return None if isinstance(value, bool) else "must be true or false"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a whole number" if self.kind is int else "must be a number"
        if self.kind is int and not isinstance(value, int):
            return "must be a whole number"
        if not math.isfinite(value):
            return "must be a finite number"
        if self.low is not None and self.high is not None and not self.low <= value <= self.high:
            return "must be " + self.bounds_text()
        return None


TRAIN_OPTIONS: tuple[Option, ...] = (
    Option("model", str, "skipgram", "Model", "the model", choices=MODELS,
           choice_labels=("Skip-gram (word → context)", "CBOW (context → word)"),
           help="Skip-gram: each word predicts the words around it, better for rare words. CBOW: the mean of the "
                "words around predicts the word, faster.", c_tool="-cbow 0|1", gensim="sg"),
    Option("loss", str, "negative", "Loss", "the loss", choices=LOSSES,
           choice_labels=("Negative sampling", "Hierarchical softmax", "Full softmax"),
           help="Negative sampling is fast; full softmax is exact but O(vocabulary) per pair.",
           c_tool="-negative K | -hs 1", gensim="negative, hs"),
    Option("dim", int, 100, "Vector size (dim)", "the size of each word vector", low=1, high=1_000,
           help="Dimensions of each word vector; 50-300 is usual.", unit="dimensions", c_tool="-size",
           gensim="vector_size"),
    Option("window", int, 5, "Window", "context words on each side", low=1, high=50,
           help="Context words on each side of the centre word (a random smaller window is drawn).", unit="words",
           c_tool="-window", gensim="window"),
    Option("negative", int, 5, "Negatives", "noise words per pair", low=1, high=100,
           help="Noise words drawn per training pair (negative sampling only); 5-20 is usual.", unit="words",
           applies_when=("loss", "negative"), c_tool="-negative", gensim="negative"),
    Option("sample", float, 1e-3, "Subsampling (sample)", "the subsampling threshold of frequent words",
           low=0.0, high=0.999,
           help="Subsampling threshold of frequent words; 1e-3 to 1e-5 is usual, 0 turns it off.",
           c_tool="-sample", gensim="sample"),
    Option("epochs", int, 5, "Epochs", "passes over the corpus", low=1, high=1_000, help="Passes over the corpus.",
           unit="passes", c_tool="-iter", gensim="epochs"),
    Option("alpha", float, None, "Learning rate (alpha)", "the starting learning rate", low=0.0001, high=10.0,
           auto="0.025 skip-gram, 0.05 CBOW",
           help="Starting learning rate; it decays linearly to min_alpha. Empty (auto) = 0.025 for skip-gram, 0.05 for "
                "CBOW.", c_tool="-alpha",
           gensim="alpha"),
    Option("min_alpha", float, None, "Final rate (min_alpha)", "the final learning rate", low=0.0, high=10.0,
           auto="alpha × 0.0001", help="Learning rate at the end of training. Empty (auto) = alpha × 0.0001.",
           gensim="min_alpha"),
    Option("workers", int, 2, "Workers", "training threads", low=1, high=64,
           help="Training threads; the number of CPU cores is fastest.", unit="threads", c_tool="-threads",
           gensim="workers"),
    Option("seed", int, 1, "Seed", "the random seed", low=0, high=2**31 - 1,
           help="Random seed: with 1 worker the same seed gives the same vectors.", gensim="seed"),
    Option("ns_exponent", float, 0.75, "Noise exponent", "the noise exponent", low=-2.0, high=2.0,
           help="Negative samples are drawn with probability count^exponent; 0.75 is usual.", gensim="ns_exponent"),
    Option("shared_negatives", bool, True, "Shared negatives (skip-gram)",
           "shared negatives (pWord2Vec: one set of K noise words per skip-gram window, shared by its context "
           "words, each predicting the centre, instead of K per pair; docs/derivation.md, section 2)",
           help="pWord2Vec's sampling: one set of K noise words per window, shared by its context words, each "
                "predicting the centre (their pairs' noise is correlated). Off: K noise words for every pair. "
                "docs/derivation.md, section 2.",
           applies_when=("model", "skipgram"), cli_flag="--per-pair-negatives"),
    Option("cbow_full_step", bool, True, "C-tool step (CBOW)",
           "CBOW's full step for every context word (off: the true gradient, 1/C of the C tool's step)",
           help="Each context vector takes the full ∂J/∂h step, as word2vec and gensim do; off: the true gradient "
                "(1/C of it).", applies_when=("model", "cbow"), cli_flag="--cbow-gradient-step"),
    Option("telemetry", bool, True, "Record per-word gradients", "recording per-word gradient norms",
           help="Needed by the Gradients page; costs a little speed.", cli_flag="--no-telemetry"),
    Option("hot_row_copies", bool, True, "Hot rows per thread (2+ workers)",
           "each training thread's own copies of the output rows all threads write most (docs/derivation.md, "
           "section 4)",
           help=f"With 2 or more workers, each thread steps its own copies of the {HOT_ROWS} output rows all threads "
                "write most (the top of the Huffman tree, or the most frequent words' output vectors) and adds its "
                f"steps to the shared rows every {FOLD_EVERY} windows, instead of waiting for the other threads' "
                "cache lines at every step. Off: every step goes straight to the shared rows, as the C tool's threads "
                "do. docs/derivation.md, section 4.",
           cli_flag="--no-hot-row-copies"),
)

CORPUS_OPTIONS: tuple[Option, ...] = (
    Option("min_count", int, 5, "Minimum count (min_count)", "the smallest word count kept", low=1, high=1_000_000,
           help="Words that occur fewer times than this are dropped before training.", unit="occurrences",
           c_tool="-min-count", gensim="min_count"),
    Option("max_vocab", int, 0, "Largest vocabulary (0 = no limit)", "the largest vocabulary, 0 for no limit",
           low=0, high=10_000_000, help="Keep at most this many of the most frequent words.", unit="words",
           gensim="max_final_vocab"),
    Option("lowercase", bool, True, "Lowercase the text", "lowercasing the text",
           help="Treat 'The' and 'the' as the same word.", cli_flag="--keep-case"),
    Option("whitespace", bool, False, "My text is already tokenized (split on spaces only)",
           "splitting on white space only (text already tokenized)",
           help="Every run of characters between spaces is a token, punctuation included. Otherwise words are "
                "letters and digits (with their accents and inner ' and -), and each emoji is a token."),
    Option("nfkc", bool, False, "Unicode normalisation (NFKC)", "Unicode NFKC normalisation",
           help="Fold compatibility forms first: full-width letters, ligatures (ﬁ → fi), circled digits (① → 1), "
                "half-width kana."),
    Option("cjk", str, "characters", "Chinese and Japanese", "how Chinese and Japanese are split",
           choices=CJK_MODES, choice_labels=("One token per character", "Chinese words (jieba)"),
           help="Chinese and Japanese are written without spaces: by default each Han character and each kana is "
                "one token. jieba (an optional package: pip install jieba) finds Chinese words instead. Thai, Lao, "
                "Khmer and Burmese are split at spaces and punctuation only: segment such text first and tick "
                "'already tokenized'."),
    Option("phrases", bool, False, "Detect phrases (new york → new_york)", "joining frequent pairs into phrases",
           help="Pairs of words seen together far more often than chance become one token, as the word2vec C "
                "tool's word2phrase and gensim's Phrases do: score = (count(a b) − min count) × tokens / (count(a) "
                "× count(b)), joined when above the threshold.", c_tool="word2phrase", gensim="Phrases"),
    Option("phrase_threshold", float, PHRASE_THRESHOLD, "Phrase threshold", "the phrase score threshold", low=0.1,
           high=1e6, help="Higher joins fewer pairs (word2phrase: 100, gensim: 10).", c_tool="word2phrase -threshold",
           gensim="Phrases(threshold)"),
    Option("phrase_min_count", int, PHRASE_MIN_COUNT, "Phrase min count", "the smallest count of a phrase", low=1,
           high=1_000_000, help="Pairs and words rarer than this are never joined; also subtracted from each pair's "
                                "count in the score.", c_tool="word2phrase -min-count", gensim="Phrases(min_count)"),
    Option("teaching_sentences", int, 100_000, "Sentences to generate", "sentences of the teaching corpus",
           low=100, high=1_000_000, help="More sentences give cleaner vectors but take longer to train.",
           unit="sentences"),
)

OPTIONS: dict[str, Option] = {option.name: option for option in TRAIN_OPTIONS + CORPUS_OPTIONS}
