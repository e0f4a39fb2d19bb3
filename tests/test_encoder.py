"""The compiled corpus pipeline splits text exactly as the reference tokenizer (``tokenize`` on each line of
``str.splitlines``, long lines cut as ``line_pieces`` cuts them), whatever the chunks it is fed in."""

import gzip
import random

import numpy as np
import pytest

from w2v_core.corpus import (
    LONG_LINE_CHARS,
    CorpusEncodingError,
    build_corpus,
    line_pieces,
    load_corpus,
)
from w2v_core.encoder import CorpusEncoder

VARIED = "\n".join([
    "Don't stop—the well-known Café, naïve 東京! rock'n'roll 'quoted' -dash- a--b x'-y it’s",
    "Numbers 1,234.56 3rd 2nd-floor ½ ² ٣ ❶❷ ① Ⅻ version2.0 and_under_scores __init__",
    "MiXeD CaSe ÉCOLE ΟΔΟΣ ΣΑΣ Σ aΣb ΣΑ.Σ ΑΣ' İstanbul DİYARBAKIR ǅemal ß ẞ ﬁ",
    "   ",
    "",
    "tabs\tand\u00a0non-breaking\u2003spaces\u3000ideographic",
    "I ❤ pizza 🍕🍕 and 👍🏽 or 👩\u200d💻 in 🇫🇷🇩🇪🇮! 👍\u200d 🏻 ❤️",
    "שלום עולם مرحبا بالعالم हिन्दी नमस्ते ภาษาไทย ที่ 한국어 日本語のテキスト",
    "café (decomposed) e\u0301 ﬀ ＦＵＬＬＷＩＤＴＨ text",
    "control \x1b[31mred\x1b[0m \x07bell and \ufeffBOM inside",
]) + "\r\nwindows line\r\n\r\nold mac\rline\x0bvertical\x0cform\x1cfile\x85next\u2028line\u2029para\nlast"


def reference(text: str, lowercase: bool = True, whitespace: bool = False) -> list[list[str]]:
    return [piece for line in text.splitlines() for piece in line_pieces(line, lowercase, whitespace)]


def encoded(text: str, lowercase: bool = True, whitespace: bool = False, chunk: int = 1 << 20,
            seed: int | None = None) -> list[list[str]]:
    """The pieces the encoder finds in ``text`` fed in chunks of ``chunk`` bytes (random sizes with a seed)."""
    encoder = CorpusEncoder(lowercase, whitespace)
    data = text.encode("utf-8")
    rng = random.Random(seed)
    start = 0
    while start < len(data):
        size = rng.randint(1, chunk) if seed is not None else chunk
        encoder.feed(data[start:start + size])
        start += size
    encoder.end_text()
    words = encoder.words_of(np.arange(encoder.n_words))
    ids, pieces, start = encoder.ids(), [], 0
    for end in encoder.piece_ends():
        pieces.append([words[i] for i in ids[start:end]])
        start = end
    return pieces


@pytest.mark.parametrize("lowercase", [True, False])
@pytest.mark.parametrize("whitespace", [False, True])
def test_same_tokens_as_the_reference_on_varied_text(lowercase, whitespace):
    expected = reference(VARIED, lowercase, whitespace)
    assert encoded(VARIED, lowercase, whitespace) == expected
    for seed in range(5):  # chunks cut anywhere, even inside a character
        assert encoded(VARIED, lowercase, whitespace, chunk=13, seed=seed) == expected


def test_same_tokens_on_random_text_from_tricky_characters():
    alphabet = list("aZ 9_'’-\t\n\r.ΣσİIıi\u0345\u0301\u200d🍕🏽🇫🇷❶ß东ｶ\u00a0\u2028\x1c") + ["Ab", "ΑΣ", "x-y"]
    rng = random.Random(7)
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        for whitespace in (False, True):
            assert encoded(text, whitespace=whitespace, chunk=5, seed=1) == reference(text, whitespace=whitespace), \
                repr(text)


def test_long_lines_are_cut_where_the_reference_cuts_them():
    spaced = " ".join(f"t{i % 5000}-x" for i in range(300_000))  # cut after spaces: no token changes
    assert encoded(spaced, chunk=100_000) == reference(spaced)
    solid = "ab" * (LONG_LINE_CHARS // 2 + 300) + " tail"  # no space in the first slice: cut inside the word
    assert encoded(solid, chunk=70_000) == reference(solid)
    assert encoded(solid)[0][0] == "ab" * (LONG_LINE_CHARS // 2)


def test_a_corpus_file_gives_the_vocabulary_the_reference_gives(tmp_path):
    text = (VARIED + "\n") * 3 + "the the the cat cat dog\n"
    lines = [tokens for tokens in reference(text)]
    tokens = [token for piece in lines for token in piece]
    first_seen = list(dict.fromkeys(tokens))
    counts = {word: tokens.count(word) for word in first_seen}
    expected = sorted(first_seen, key=lambda word: -counts[word])  # stable: ties keep first appearance
    for path, data in ((tmp_path / "c.txt", b"\xef\xbb\xbf" + text.encode()),
                       (tmp_path / "c.gz", gzip.compress(text.encode()))):
        path.write_bytes(data)
        corpus = load_corpus(path, min_count=1)
        assert corpus.vocab.words == expected
        assert list(corpus.vocab.counts) == [counts[word] for word in expected]
        assert [corpus.vocab.words[i] for i in corpus.ids] == tokens
        assert list(np.diff(corpus.sentence_starts)) == [len(piece) for piece in lines]
        assert corpus.preview[:3] == [piece[:200] for piece in lines[:3]]


def test_lines_given_as_strings_are_one_sentence_each():
    corpus = build_corpus(["a b\nc", "d\re f"], min_count=1)  # a line break inside a line does not split it
    assert list(np.diff(corpus.sentence_starts)) == [3, 3]


def test_bad_utf8_names_the_byte_even_in_a_later_chunk(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"good words here\n" * 100_000 + b"caf\xe9\n")
    with pytest.raises(CorpusEncodingError, match=r"byte 1600003 is 0xe9"):
        load_corpus(path, min_count=1)
    assert load_corpus(path, min_count=1, encoding="latin-1").vocab.words[-1] == "café"
