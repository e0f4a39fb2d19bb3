"""Corpus reading, tokenization, vocabulary statistics, subsampling and noise distribution."""

import codecs
import gzip

import numpy as np
import pytest

from w2v_core.corpus import (
    MAX_SENTENCE_TOKENS,
    CorpusEncodingError,
    CorpusError,
    bom_encoding,
    build_corpus,
    decode_bytes,
    load_corpus,
    tokenize,
)


def test_tokenizer_keeps_inner_apostrophes_and_hyphens_and_unicode_words():
    assert tokenize("Don't stop—the well-known Café, naïve 東京!") == ["don't", "stop", "the", "well-known",
                                                                     "café", "naïve", "東", "京"]
    assert tokenize("Keep Case", lowercase=False) == ["Keep", "Case"]
    assert tokenize("pre-tokenized ,  text .", whitespace=True) == ["pre-tokenized", ",", "text", "."]


def test_vocabulary_is_ordered_by_count_with_statistics():
    corpus = build_corpus(["the cat sat on the mat", "the dog sat", "a rare word"], min_count=2)
    vocab = corpus.vocab
    assert vocab.words == ["the", "sat"] and list(vocab.counts) == [3, 2]
    assert vocab.total_tokens == 12 and vocab.total_types == 9
    assert vocab.share_kept == pytest.approx(5 / 12)
    assert corpus.n_sentences == 2  # the third line keeps no word
    assert [vocab.words[i] for i in corpus.ids] == ["the", "sat", "the", "the", "sat"]


def test_max_vocab_keeps_the_most_frequent():
    corpus = build_corpus(["a a a b b c"], min_count=1, max_vocab=2)
    assert corpus.vocab.words == ["a", "b"] and corpus.n_tokens == 5


def test_empty_vocabulary_says_which_min_count_would_work():
    with pytest.raises(CorpusError, match="min_count to 3 or less"):
        build_corpus(["x x x y"], min_count=10)
    with pytest.raises(CorpusError, match="no words"):
        build_corpus(["  ", "...", ""], min_count=1)


def test_long_lines_are_split():
    corpus = build_corpus([" ".join(["w"] * (2 * MAX_SENTENCE_TOKENS + 5))], min_count=1)
    lengths = np.diff(corpus.sentence_starts)
    assert list(lengths) == [MAX_SENTENCE_TOKENS, MAX_SENTENCE_TOKENS, 5]


def test_keep_probability_matches_the_c_tool_formula():
    corpus = build_corpus(["a " * 900 + "b " * 90 + "c " * 10], min_count=1)
    sample, total = 1e-2, 1000
    keep = corpus.vocab.keep_probabilities(sample)
    for count, p in zip([900, 90, 10], keep, strict=True):
        assert p == pytest.approx(min(1.0, (np.sqrt(count / (sample * total)) + 1) * sample * total / count))
    assert np.all(corpus.vocab.keep_probabilities(0) == 1.0)


def test_noise_distribution_is_unigram_to_the_three_quarters():
    corpus = build_corpus(["a " * 16 + "b"], min_count=1)
    noise = corpus.vocab.noise_distribution()
    assert noise == pytest.approx(np.array([8.0, 1.0]) / 9.0)


def test_gzip_is_detected_by_content(tmp_path):
    path = tmp_path / "corpus.txt"  # no .gz suffix on purpose
    path.write_bytes(gzip.compress(b"hello world\nhello there\n"))
    assert load_corpus(path, min_count=1).vocab.words[0] == "hello"


@pytest.mark.parametrize(("data", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (gzip.compress(b"hello " * 1000)[:-20], "damaged or truncated"),
    (b"x" * 101, "over the limit"),
    (gzip.compress(b"x" * 1000), "over the limit"),
])
def test_bad_bytes_raise_clear_errors(data, message):
    with pytest.raises(CorpusError, match=message):
        decode_bytes(data, max_bytes=100)


def test_non_utf8_says_so_and_latin1_reads_it():
    data = "café au lait".encode("latin-1")
    with pytest.raises(CorpusEncodingError, match="not valid UTF-8.*latin-1"):
        decode_bytes(data)
    assert decode_bytes(data, encoding="latin-1") == "café au lait"


def test_utf8_bom_is_dropped_and_missing_file_is_clear(tmp_path):
    assert decode_bytes("\ufeffword".encode()) == "word"
    with pytest.raises(CorpusError, match="No such corpus file"):
        load_corpus(tmp_path / "missing.txt")


def test_byte_order_marks_of_wide_encodings_are_recognised_and_read():
    text = "große Straße\nunder a 漢字 sky\n"
    assert bom_encoding(text.encode("utf-32")) == "utf-32" and bom_encoding(text.encode("utf-16")) == "utf-16"
    assert bom_encoding(codecs.BOM_UTF16_BE + text.encode("utf-16-be")) == "utf-16"
    assert bom_encoding(text.encode("utf-8")) is None and bom_encoding(b"") is None
    for data in (text.encode("utf-16"), text.encode("utf-32"), codecs.BOM_UTF32_BE + text.encode("utf-32-be"),
                 gzip.compress(text.encode("utf-16"))):
        assert decode_bytes(data) == text and decode_bytes(data, encoding="latin-1") == text
    with pytest.raises(CorpusEncodingError, match="UTF-16 byte-order mark but is not valid UTF-16"):
        decode_bytes(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8")  # a lone surrogate
