import math
import time
from pathlib import Path

import gensim
import numpy as np
import pytest
from eval_support import analogy_embeddings
from gensim.models import KeyedVectors

from w2v_core.embeddings import Embeddings
from w2v_core.evaluation import (
    EvaluationError,
    evaluate_analogies,
    evaluate_word_pairs,
    read_analogies,
    read_word_pairs,
)

TEST_DATA = Path(gensim.__file__).parent / "test" / "test_data"
WORDSIM = TEST_DATA / "wordsim353.tsv"
SIMLEX = TEST_DATA / "simlex999.txt"
QUESTIONS = TEST_DATA / "questions-words.txt"


def to_gensim(emb: Embeddings) -> KeyedVectors:
    kv = KeyedVectors(emb.dim)
    kv.add_vectors(emb.words, emb.vectors)
    return kv


def pair_embeddings(pairs, seed: int = 0) -> Embeddings:
    """Random vectors for every word of ``pairs`` (some left out), plus upper-case duplicates of a few."""
    rng = np.random.default_rng(seed)
    words = list(dict.fromkeys(w for a, b, _ in pairs for w in (a, b)))
    words = [w for i, w in enumerate(words) if i % 10 != 3]  # about 10% unknown
    words += [w.upper() for w in words[:20]]
    return Embeddings(words, rng.normal(size=(len(words), 12)).astype(np.float32))


def test_read_wordsim_and_simlex_from_gensim():
    wordsim = read_word_pairs(WORDSIM)
    assert len(wordsim) == 353 and wordsim[0] == ("love", "sex", 6.77)
    simlex = read_word_pairs(SIMLEX)
    assert len(simlex) == 999 and simlex[1] == ("smart", "intelligent", 9.2)


def test_read_original_simlex_header_picks_the_simlex_column():
    text = ("word1\tword2\tPOS\tSimLex999\tconc(w1)\tconc(w2)\n"
            "old\tnew\tA\t1.58\t2.72\t2.81\n"
            "smart\tintelligent\tA\t9.2\t1.75\t2.46\n")
    assert read_word_pairs(text) == [("old", "new", 1.58), ("smart", "intelligent", 9.2)]
    assert read_word_pairs(text.encode()) == read_word_pairs(text)


def test_read_generic_whitespace_and_csv_pairs():
    assert read_word_pairs("cat dog 7.5\n\n  car   bus 3\n") == [("cat", "dog", 7.5), ("car", "bus", 3.0)]
    assert read_word_pairs("Word 1,Word 2,Human (mean)\nlove,sex,6.77\n") == [("love", "sex", 6.77)]


@pytest.mark.parametrize(("text", "message"), [
    ("cat dog 7\ncat 3\n", "Line 2: expected 'word1 word2 score'"),
    ("# comment\ncat dog 7\ncat dog high\n", "Line 3: the score 'high'"),
    ("cat dog nan\nx y 1\n", "Line 1: the score 'nan'"),
    ("# only comments\n\n", "no word pairs"),
    ("missing_file.tsv", "No such evaluation file"),
    (b"\xff\xfe\x00bad", "not UTF-8"),
])
def test_malformed_word_pairs(text, message):
    with pytest.raises(EvaluationError, match=message):
        read_word_pairs(text)


def test_read_google_analogies():
    sections = read_analogies(QUESTIONS)
    assert len(sections) == 14 and sum(map(len, sections.values())) == 19544
    assert sections["capital-common-countries"][0] == ("Athens", "Greece", "Baghdad", "Iraq")
    assert list(read_analogies("a b c d\n: s\ne f g h\n")) == ["questions", "s"]


@pytest.mark.parametrize(("text", "message"), [
    (": s\na b c d\na b c\n", "Line 3: expected four words"),
    (":\na b c d\n", "Line 1: a section line needs a name"),
    (": s\n\n", "no analogy questions"),
])
def test_malformed_analogies(text, message):
    with pytest.raises(EvaluationError, match=message):
        read_analogies(text)


@pytest.mark.parametrize("path", [WORDSIM, SIMLEX])
def test_word_pairs_match_gensim(path):
    pairs = read_word_pairs(path)
    emb = pair_embeddings(pairs)
    ours = evaluate_word_pairs(emb, pairs)
    pearson, spearman, oov_percent = to_gensim(emb).evaluate_word_pairs(str(path), restrict_vocab=len(emb))
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-6)
    assert ours.pearson == pytest.approx(pearson.statistic, abs=1e-6)
    assert ours.oov_share * 100 == pytest.approx(oov_percent)
    assert ours.n_pairs == len(pairs) and 0 < ours.n_used < len(pairs)


def test_word_pairs_perfect_and_case_sensitive():
    words = ["a", "b", "c", "d", "e"]
    angles = np.linspace(0, 1.5, 5)
    emb = Embeddings(words, np.stack([np.cos(angles), np.sin(angles)], axis=1))
    pairs = [("A", "b", 9.0), ("a", "c", 7.0), ("a", "d", 4.0), ("a", "e", 1.0)]
    result = evaluate_word_pairs(emb, pairs)
    assert result.spearman == pytest.approx(1.0) and result.pearson > 0.9 and result.n_used == 4
    strict = evaluate_word_pairs(emb, pairs, lowercase=False)
    assert strict.n_used == 3 and strict.oov_share == pytest.approx(0.25)
    none = evaluate_word_pairs(emb, [("x", "y", 1.0)])
    assert none.n_used == 0 and math.isnan(none.spearman)


def test_analogies_match_gensim():
    sections = read_analogies(QUESTIONS)
    emb = analogy_embeddings(sections)
    restrict = len(emb) - 400  # leaves out some question words, so coverage < 1
    ours = evaluate_analogies(emb, sections, restrict_vocab=restrict)
    score, gensim_sections = to_gensim(emb).evaluate_word_analogies(str(QUESTIONS), restrict_vocab=restrict)
    total = gensim_sections[-1]
    gensim_attempted = len(total["correct"]) + len(total["incorrect"])
    assert ours.attempted == gensim_attempted and ours.total == 19544
    assert 0.5 < ours.coverage < 1.0
    assert abs(ours.correct - len(total["correct"])) <= 2  # float32 near-ties may differ
    assert ours.accuracy == pytest.approx(score, abs=2e-4) and 0.05 < ours.accuracy < 0.95
    for row, theirs in zip(ours.per_section, gensim_sections[:-1], strict=True):
        assert row["section"] == theirs["section"]
        assert row["attempted"] == len(theirs["correct"]) + len(theirs["incorrect"])
    assert sum(row["total"] for row in ours.per_section) == 19544


def test_analogy_case_forms_of_question_words_are_excluded():
    rng = np.random.default_rng(1)
    base = rng.normal(size=(4, 8))
    # "Man" is a case form of question word "man" and nearly equal to the 3CosAdd target
    target = base[1] - base[0] + base[2]
    words = ["man", "king", "woman", "queen", "Man"]
    vectors = np.vstack([base[:3], target + rng.normal(size=8) * 0.3, target])
    emb = Embeddings(words, vectors)
    sections = {"royal": [("man", "king", "woman", "queen")]}
    assert evaluate_analogies(emb, sections).correct == 1
    assert evaluate_analogies(emb, sections, lowercase=False).correct == 0  # "Man" is another word now


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_analogy_methods_agree_with_embeddings_analogy(method):
    sections = read_analogies(QUESTIONS)
    small = {name: questions[:40] for name, questions in sections.items()}
    emb = analogy_embeddings(small, seed=2)
    result = evaluate_analogies(emb, small, restrict_vocab=None, method=method, lowercase=False)
    expected = sum(emb.analogy(a, b, c, method=method)[0][0] == d
                   for questions in small.values() for a, b, c, d in questions
                   if all(w in emb for w in (a, b, c, d)))
    assert result.correct == expected and result.attempted == sum(map(len, small.values()))


def test_no_attempted_questions_gives_nan_accuracy():
    emb = Embeddings(["a", "b"], np.eye(2))
    result = evaluate_analogies(emb, {"s": [("x", "y", "z", "w")]})
    assert result.attempted == 0 and result.coverage == 0 and math.isnan(result.accuracy)
    assert math.isnan(result.per_section[0]["accuracy"])


def test_full_google_set_on_30k_by_100_is_fast():
    sections = read_analogies(QUESTIONS)
    question_words = list(dict.fromkeys(w for qs in sections.values() for q in qs for w in q))
    words = question_words + [f"filler{i}" for i in range(30_000 - len(question_words))]
    emb = Embeddings(words, np.random.default_rng(0).normal(size=(30_000, 100)).astype(np.float32))
    emb.unit_vectors  # noqa: B018
    start = time.process_time()
    result = evaluate_analogies(emb, sections, restrict_vocab=30_000)
    assert time.process_time() - start < 10.0
    assert result.attempted == 19544
