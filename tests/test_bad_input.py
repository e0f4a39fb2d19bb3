"""Bad input at the w2v_core level: huge lines, binary data, scripts of every kind, corpora too small to learn
from, and the shortcut that derives any min_count from one reading of the text."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from w2v_core.corpus import (
    LONG_LINE_CHARS,
    MAX_SENTENCE_TOKENS,
    CorpusError,
    CorpusSizeError,
    build_corpus,
    check_trainable,
    decode_bytes,
    line_pieces,
    restrict_vocabulary,
    split_long,
    tokenize,
)
from w2v_core.teaching import generate_teaching_corpus
from w2v_core.trainer import TrainConfig, Trainer

ROOT = Path(__file__).resolve().parent.parent

HUGE_LINE = textwrap.dedent("""
    import resource, sys, time
    from w2v_core.corpus import build_corpus, decode_bytes, CorpusSizeError
    words = [("w%d" % i) * 6 for i in range(997)]          # tokens of 12 to 24 characters
    block = " ".join(words[(i * 7) % 997] for i in range(50_000)) + " "
    data = (block * (100_000_000 // len(block) + 1))[:100_000_000].encode()  # one 100 MB line, no newline
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        decode_bytes(data, max_bytes=50_000_000)
    except CorpusSizeError as error:
        refused = time.perf_counter() - started
    text = decode_bytes(data)
    del data
    corpus = build_corpus([text], min_count=1)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(refused, seconds, (peak - before) / 1024, len(corpus.vocab), corpus.n_tokens, corpus.n_sentences)
""")


@pytest.mark.timeout(120)
def test_one_100_mb_line_is_refused_by_the_limit_or_read_in_bounded_memory():
    """The app's limit refuses it at once; without a limit it is read slice by slice (about the size of the
    text and its ids in memory, not a list of millions of strings) in a few seconds."""
    result = subprocess.run([sys.executable, "-c", HUGE_LINE], cwd=ROOT, capture_output=True, text=True,
                            timeout=110, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    refused, seconds, extra_mb, vocab, tokens, sentences = result.stdout.split()
    assert float(refused) < 0.5
    assert int(vocab) in (997, 998) and int(tokens) > 4_000_000  # the cut may end inside a word
    assert int(sentences) == -(-int(tokens) // MAX_SENTENCE_TOKENS)
    assert float(extra_mb) < 150, f"{extra_mb} MB above the 100 MB line itself"  # its token list: 350 MB
    assert float(seconds) < 60


def test_long_lines_are_cut_like_short_ones_and_never_inside_a_token():
    line = " ".join(f"t{i % 5000}-x" for i in range(500_000))  # about 3.9 MB
    assert len(line) > 3 * LONG_LINE_CHARS
    pieces = list(line_pieces(line))
    assert pieces == list(split_long(tokenize(line)))
    assert list(line_pieces("a" * (LONG_LINE_CHARS + 10))) == [["a" * LONG_LINE_CHARS, "a" * 10]]  # no space
    corpus = build_corpus(["first line", line], min_count=1)
    assert corpus.preview[1] == tokenize(line)[:200] and corpus.n_sentences == 1 + len(pieces)


@pytest.mark.parametrize("data", [
    bytes(np.random.default_rng(0).integers(1, 256, 5000, dtype=np.uint8)),  # random bytes without NUL
    b"\x1b[31m\x01\x02\x03\x04\x05\x06\x07\x08" * 50,  # control characters
])
def test_random_bytes_are_binary_not_an_encoding_question(data):
    assert b"\x00" not in data
    with pytest.raises(CorpusError, match="looks like a binary file"):
        decode_bytes(data)


def test_text_with_a_few_control_characters_is_still_text():
    assert decode_bytes(b"colour \x1b[31mred\x1b[0m text\n" * 20).startswith("colour")


def test_size_limit_errors_are_their_own_kind():
    with pytest.raises(CorpusSizeError, match="over the limit of 1 MB"):
        decode_bytes(b"x" * 1_000_001, max_bytes=1_000_000)


def test_cjk_emoji_and_right_to_left_text_are_words():
    assert tokenize("東京 は 大きい") == ["東", "京", "は", "大", "き", "い"]  # one token per Han/kana character
    assert tokenize("שלום עולם مرحبا بالعالم") == ["שלום", "עולם", "مرحبا", "بالعالم"]
    assert tokenize("I ❤ pizza 🍕🍕 and 👍🏽 or 👩‍💻 in 🇫🇷!") == ["i", "❤", "pizza", "🍕", "🍕", "and", "👍🏽", "or",
                                                           "👩‍💻", "in", "🇫🇷"]
    corpus = build_corpus(["🍕 東京 שלום"] * 3, min_count=1)
    assert sorted(corpus.vocab.words) == sorted(["🍕", "東", "京", "שלום"])


def test_markup_is_split_into_plain_word_tokens_or_kept_whole_by_whitespace():
    line = "<script>alert(1)</script> [x](javascript:alert(1)) **bold**"
    assert tokenize(line) == ["script", "alert", "1", "script", "x", "javascript", "alert", "1", "bold"]
    assert tokenize(line, whitespace=True) == ["<script>alert(1)</script>", "[x](javascript:alert(1))", "**bold**"]


@pytest.mark.parametrize(("min_count", "max_vocab"), [(1, None), (2, None), (5, None), (5, 50), (1, 3), (40, None)])
def test_restricting_a_min_count_1_corpus_equals_building_it_again(min_count, max_vocab):
    lines = generate_teaching_corpus(300, seed=5) + ["rare words here", "", " ".join(["long"] * 25_000)]
    everything = build_corpus(lines, min_count=1)
    direct = build_corpus(lines, min_count=min_count, max_vocab=max_vocab)
    derived = restrict_vocabulary(everything, min_count, max_vocab)
    assert derived.vocab.words == direct.vocab.words and np.array_equal(derived.vocab.counts, direct.vocab.counts)
    assert np.array_equal(derived.ids, direct.ids) and np.array_equal(derived.sentence_starts, direct.sentence_starts)
    assert (derived.vocab.total_tokens, derived.vocab.total_types) == (direct.vocab.total_tokens,
                                                                       direct.vocab.total_types)
    assert derived.preview == direct.preview


def test_restricting_says_which_min_count_works_and_needs_a_full_corpus():
    everything = build_corpus(["x x x y"], min_count=1)
    with pytest.raises(CorpusError, match="Set min_count to 3 or less"):
        restrict_vocabulary(everything, 10)
    with pytest.raises(ValueError, match="min_count=1"):
        restrict_vocabulary(build_corpus(["x x x y"], min_count=2), 3)


def test_one_word_per_line_cannot_train_and_says_why():
    corpus = build_corpus(["hello", "world", "hello"], min_count=1)
    with pytest.raises(CorpusError, match="no word has a neighbour.*several words on each line"):
        check_trainable(corpus, window=5)


def test_a_one_word_vocabulary_trains_but_warns_that_it_means_nothing():
    corpus = build_corpus(["hello hello hello"] * 20, min_count=1)
    warnings = check_trainable(corpus, window=2)
    assert any("single word ('hello')" in w for w in warnings)
    for loss in ("negative", "hierarchical", "softmax"):
        trainer = Trainer(corpus, TrainConfig(loss=loss, dim=4, epochs=2, negative=1, workers=1))
        trainer.step(10**6)
        assert trainer.state == "finished" and np.isfinite(trainer.vectors()).all()


def test_a_window_larger_than_any_sentence_is_allowed_with_a_note():
    corpus = build_corpus(["the cat sat on the mat", "a dog"] * 10, min_count=1)
    assert any("wider than any sentence (the longest has 6 words" in w for w in check_trainable(corpus, window=10))
    assert not check_trainable(corpus, window=3)
    trainer = Trainer(corpus, TrainConfig(dim=4, window=50, epochs=1, workers=1))
    trainer.step(10**6)
    assert trainer.state == "finished" and trainer.recorder.loss_history()["loss"].notna().all()


def test_more_negatives_than_words_and_a_huge_softmax_vocabulary_warn():
    corpus = build_corpus(["a b c d"] * 10, min_count=1)
    warnings = Trainer(corpus, TrainConfig(negative=20)).warnings
    assert any("20 negatives for a vocabulary of 4 words" in w for w in warnings)
    assert any("O(V) per pair" in w for w in TrainConfig(loss="softmax").validate(100_000))
