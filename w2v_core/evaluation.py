"""Standard intrinsic evaluations of word vectors: word-pair similarity and analogy questions.

Readers take a path, the file's text or its bytes: WordSim-353 (gensim's ``wordsim353.tsv``), SimLex-999
(original or gensim's ``simlex999.txt``), any "word1 word2 score" file, and Google's ``questions-words.txt``.
The evaluators follow gensim's ``evaluate_word_pairs`` / ``evaluate_word_analogies``: questions with unknown
words are skipped and reported as lost coverage, and with ``lowercase=True`` a word matches the most
frequent vocabulary entry that has the same lower-case form.
"""

from __future__ import annotations

import functools
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from w2v_core.datasets import STANDARD_SETS
from w2v_core.embeddings import Embeddings, analogy_scores

HEADER_FIRST_FIELD = re.compile(r"(word|w|term)[\s_]*1", re.IGNORECASE)
BATCH_ELEMENTS = 16_000_000  # scores (questions x candidates) held at once while solving analogies


class EvaluationError(ValueError):
    """An evaluation file that cannot be read, with the line at fault."""


@dataclass(frozen=True)
class PairResult:
    """Agreement of cosine similarities with human scores; NaN correlations when fewer than 2 pairs are used."""

    spearman: float
    pearson: float
    n_pairs: int  # pairs in the data set
    n_used: int  # pairs with both words in the vocabulary
    oov_share: float  # share of pairs skipped for unknown words
    scored: tuple[tuple[str, str, float, float], ...] = ()  # (word1, word2, human score, cosine) of the used pairs

    @property
    def coverage(self) -> float:
        """Share of the pairs whose two words have vectors."""
        return self.n_used / self.n_pairs if self.n_pairs else 0.0


@dataclass(frozen=True)
class AnalogyResult:
    """Analogy accuracy over the attempted questions (NaN when none could be attempted)."""

    accuracy: float
    correct: int
    attempted: int  # questions whose four words are all among the first restrict_vocab words
    total: int
    coverage: float  # attempted / total
    per_section: list[dict]  # rows {section, correct, attempted, total, accuracy}


def _read_source(source: str | Path | bytes) -> str:
    """Text of a path, of raw bytes, or the text itself (a string with a line break, or not a file name)."""
    if isinstance(source, bytes):
        try:
            return source.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise EvaluationError(f"The evaluation file is not UTF-8 text (byte {error.start}).") from error
    if isinstance(source, Path) or ("\n" not in source and _is_file(source)):
        if not Path(source).is_file():
            raise EvaluationError(f"No such evaluation file: {source}")
        return _read_source(Path(source).read_bytes())
    if "\n" not in source and len(source.split()) < 3:
        raise EvaluationError(f"No such evaluation file: {source}")
    return source


def _is_file(name: str) -> bool:
    try:
        return Path(name).is_file()
    except (OSError, ValueError):
        return False


def _split_fields(line: str) -> list[str]:
    """Fields of a tab-, comma- or whitespace-separated line."""
    if "\t" in line:
        return [field.strip() for field in line.split("\t")]
    if "," in line:
        return [field.strip() for field in line.split(",")]
    return line.split()


def _score_column(header: list[str]) -> int:
    """Column of the human score in a header row: "SimLex999" if present, else the third column."""
    for i, name in enumerate(header):
        if name.lower().replace("-", "") == "simlex999":
            return i
    return 2


def _as_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_word_pairs(source: str | Path | bytes) -> list[tuple[str, str, float]]:
    """(word1, word2, human score) rows; '#' lines are comments, a first "word1 word2 ..." row is a header."""
    pairs: list[tuple[str, str, float]] = []
    column, first_row = 2, True
    for line_no, line in enumerate(_read_source(source).splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = _split_fields(stripped)
        if first_row and HEADER_FIRST_FIELD.fullmatch(fields[0]):
            column, first_row = _score_column(fields), False
            continue
        first_row = False
        if len(fields) <= column or not fields[0] or not fields[1]:
            raise EvaluationError(f"Line {line_no}: expected 'word1 word2 score' (tab or space separated), "
                                  f"got {stripped[:80]!r}.")
        score = _as_number(fields[column])
        if score is None:
            raise EvaluationError(f"Line {line_no}: the score {fields[column][:40]!r} is not a finite number.")
        pairs.append((fields[0], fields[1], score))
    if not pairs:
        raise EvaluationError("The file has no word pairs (expected lines 'word1 word2 score').")
    return pairs


def read_analogies(source: str | Path | bytes) -> dict[str, list[tuple[str, str, str, str]]]:
    """Sections of a ``questions-words.txt``-style file: ": name" lines, then "a b c d" (a : b :: c : d)."""
    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    current: list[tuple[str, str, str, str]] | None = None
    for line_no, line in enumerate(_read_source(source).splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(":"):
            name = stripped[1:].strip()
            if not name:
                raise EvaluationError(f"Line {line_no}: a section line needs a name, like ': capital-world'.")
            current = sections.setdefault(name, [])
            continue
        fields = stripped.split()
        if len(fields) != 4:
            raise EvaluationError(f"Line {line_no}: expected four words 'a b c d' (a : b :: c : d), got "
                                  f"{len(fields)}: {stripped[:80]!r}.")
        if current is None:
            current = sections.setdefault("questions", [])
        current.append((fields[0], fields[1], fields[2], fields[3]))
    if not any(sections.values()):
        raise EvaluationError("The file has no analogy questions (expected lines 'a b c d').")
    return sections


def _lookup(emb: Embeddings, lowercase: bool, restrict: int | None) -> dict[str, int]:
    """Key -> row over the first ``restrict`` words; with ``lowercase`` the most frequent form wins."""
    words = emb.words[:restrict]
    if not lowercase:
        return {word: i for i, word in enumerate(words)}
    lookup: dict[str, int] = {}
    for i, word in enumerate(words):
        lookup.setdefault(word.lower(), i)
    return lookup


def evaluate_word_pairs(emb: Embeddings, pairs: list[tuple[str, str, float]], lowercase: bool = True,
                        restrict_vocab: int | None = None) -> PairResult:
    """Spearman and Pearson correlation of cosine similarity with the human scores of ``pairs``."""
    lookup = _lookup(emb, lowercase, restrict_vocab)
    key = str.lower if lowercase else str
    rows = [(lookup.get(key(a)), lookup.get(key(b)), score, a, b) for a, b, score in pairs]
    used = [row for row in rows if row[0] is not None and row[1] is not None]
    n_pairs = len(pairs)
    spearman = pearson = float("nan")
    scored: tuple[tuple[str, str, float, float], ...] = ()
    if used:
        left, right, gold = (np.array(column) for column in list(zip(*used, strict=True))[:3])
        model = np.einsum("ij,ij->i", emb.unit_of(left), emb.unit_of(right)).astype(np.float64)
        scored = tuple((a, b, float(score), float(cosine))
                       for (_, _, score, a, b), cosine in zip(used, model, strict=True))
    if len(used) >= 2:
        with warnings.catch_warnings():  # constant inputs give NaN, which is the honest answer
            from scipy import stats  # here, not at import: the CLI's train command never needs scipy

            warnings.simplefilter("ignore", stats.ConstantInputWarning)
            spearman = float(stats.spearmanr(gold, model).statistic)
            pearson = float(stats.pearsonr(gold, model).statistic)
    oov_share = (n_pairs - len(used)) / n_pairs if n_pairs else 0.0
    return PairResult(spearman, pearson, n_pairs, len(used), oov_share, scored)


def _solve(unit: np.ndarray, canon: np.ndarray, questions: np.ndarray, method: str) -> np.ndarray:
    """(Q,) bool: is the best-scoring word, other than the three question words, the expected answer?

    unit: (R, d) candidate vectors; canon: (R,) row of each word's most frequent same-key form;
    questions: (Q, 4) canonical rows of a, b, c, expected.
    """
    duplicates = np.flatnonzero(canon != np.arange(len(canon)))
    correct = np.zeros(len(questions), dtype=bool)
    batch = max(8, min(1024, BATCH_ELEMENTS // max(len(canon), 1)))
    for start in range(0, len(questions), batch):
        a, b, c, expected = questions[start:start + batch].T
        scores = analogy_scores(unit, a, b, c, method)
        batch_rows = np.arange(len(a))
        for column in (a, b, c):
            scores[batch_rows, column] = -np.inf
        if duplicates.size:  # other case forms of a question word are excluded too
            forms = canon[duplicates][None, :]
            is_question = (forms == a[:, None]) | (forms == b[:, None]) | (forms == c[:, None])
            scores[:, duplicates] = np.where(is_question, -np.inf, scores[:, duplicates])
        correct[start:start + batch] = canon[np.argmax(scores, axis=1)] == expected
    return correct


def evaluate_analogies(emb: Embeddings, sections: dict[str, list[tuple[str, str, str, str]]],
                       restrict_vocab: int | None = 30000, method: str = "3cosadd",
                       lowercase: bool = True) -> AnalogyResult:
    """Accuracy on analogy questions a : b :: c : d, answered among the first ``restrict_vocab`` words.

    A question counts when the best word other than a, b and c is d. Questions with a word outside the first
    ``restrict_vocab`` words are skipped, as gensim's ``evaluate_word_analogies`` does.
    """
    lookup = _lookup(emb, lowercase, restrict_vocab)
    key = str.lower if lowercase else str
    n_candidates = min(len(emb), restrict_vocab) if restrict_vocab is not None else len(emb)
    canon = np.array([lookup[key(word)] for word in emb.words[:n_candidates]], dtype=np.int64)
    questions, section_of, names, totals = [], [], list(sections), []
    for number, name in enumerate(names):
        totals.append(len(sections[name]))
        for question in sections[name]:
            rows = [lookup.get(key(word)) for word in question]
            if None not in rows:
                questions.append(rows)
                section_of.append(number)
    question_rows = np.array(questions, dtype=np.int64).reshape(-1, 4)
    correct = _solve(emb.unit_head(n_candidates), canon, question_rows, method)
    section_ids = np.array(section_of, dtype=np.int64)
    attempted_by = np.bincount(section_ids, minlength=len(names))
    correct_by = np.bincount(section_ids, weights=correct, minlength=len(names)).astype(np.int64)
    per_section = [{"section": name, "correct": int(correct_by[i]), "attempted": int(attempted_by[i]),
                    "total": totals[i],
                    "accuracy": float(correct_by[i] / attempted_by[i]) if attempted_by[i] else float("nan")}
                   for i, name in enumerate(names)]
    total, attempted, n_correct = sum(totals), len(questions), int(correct.sum())
    return AnalogyResult(accuracy=n_correct / attempted if attempted else float("nan"), correct=n_correct,
                         attempted=attempted, total=total, coverage=attempted / total if total else 0.0,
                         per_section=per_section)


@dataclass(frozen=True)
class StandardResults:
    """Scores on the bundled standard sets (``w2v_core.datasets.STANDARD_SETS``), keyed by set name."""

    pairs: dict[str, PairResult]
    analogies: dict[str, AnalogyResult]


@functools.cache
def _standard_data(filename: str) -> list | dict:
    """The parsed bundled file (read once per process; the evaluators never change it)."""
    standard = next(item for item in STANDARD_SETS if item.filename == filename)
    return read_word_pairs(standard.path) if standard.kind == "pairs" else read_analogies(standard.path)


def evaluate_standard(emb: Embeddings, restrict_vocab: int | None = 30000) -> StandardResults:
    """WordSim-353, SimLex-999 and Google's analogies, each with its coverage of the vocabulary."""
    pairs, analogies = {}, {}
    for standard in STANDARD_SETS:
        data = _standard_data(standard.filename)
        if standard.kind == "pairs":
            pairs[standard.name] = evaluate_word_pairs(emb, data)
        else:
            analogies[standard.name] = evaluate_analogies(emb, data, restrict_vocab=restrict_vocab)
    return StandardResults(pairs, analogies)
