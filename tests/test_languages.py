"""Text in any language (samples written for these tests), Unicode normalisation, and phrases."""

import importlib.util

import numpy as np
import pytest

from w2v_core.corpus import CorpusError, build_corpus, tokenize
from w2v_core.phrases import PhraseOptions

SAMPLES = {
    "chinese": ("我爱北京天安门。今天天气很好！",
                ["我", "爱", "北", "京", "天", "安", "门", "今", "天", "天", "气", "很", "好"]),
    "japanese": ("東京タワーは高いです。カタカナとひらがな",
                 ["東", "京", "タ", "ワ", "ー", "は", "高", "い", "で", "す", "カ", "タ", "カ", "ナ", "と", "ひ", "ら",
                  "が", "な"]),
    "arabic": ("مرحبا بالعالم، كَتَبَ الطالبُ الدرسَ", ["مرحبا", "بالعالم", "كَتَبَ", "الطالبُ", "الدرسَ"]),
    "hindi": ("हिन्दी भाषा बहुत सुंदर है। नमस्ते दुनिया", ["हिन्दी", "भाषा", "बहुत", "सुंदर", "है", "नमस्ते", "दुनिया"]),
    "german": ("Die Straße führt über Äcker; GRÜSSE aus Köln-Süd und O'Brien's 3. Buch",
               ["die", "straße", "führt", "über", "äcker", "grüsse", "aus", "köln-süd", "und", "o'brien's", "3",
                "buch"]),
    "thai": ("ภาษาไทย ง่าย มาก", ["ภาษาไทย", "ง่าย", "มาก"]),  # split at spaces only, its marks kept
}


@pytest.mark.parametrize("language", list(SAMPLES))
def test_each_script_is_split_into_its_words_or_characters(language):
    text, expected = SAMPLES[language]
    assert tokenize(text) == expected
    corpus = build_corpus([text] * 3, min_count=1)  # the compiled pipeline agrees
    assert [corpus.vocab.words[i] for i in corpus.ids[:len(expected)]] == expected


def test_already_tokenized_text_is_split_on_white_space_only():
    line = "東京 タワー o'brien's 3.5 ,"
    assert tokenize(line, whitespace=True) == ["東京", "タワー", "o'brien's", "3.5", ","]
    corpus = build_corpus([line], min_count=1, whitespace=True)
    assert sorted(corpus.vocab.words) == sorted(["東京", "タワー", "o'brien's", "3.5", ","])


def test_nfkc_folds_compatibility_forms_when_asked():
    line = "ＦＵＬＬ width ﬁne ① ｶﾀｶﾅ"
    assert tokenize(line, nfkc=True) == ["full", "width", "fine", "1", "カ", "タ", "カ", "ナ"]
    assert tokenize(line)[:3] == ["ｆｕｌｌ", "width", "ﬁne"]
    corpus = build_corpus([line], min_count=1, nfkc=True)
    assert [corpus.vocab.words[i] for i in corpus.ids] == tokenize(line, nfkc=True)


def test_chinese_words_need_jieba_and_say_so():
    if importlib.util.find_spec("jieba") is None:  # an optional extra: [chinese]
        with pytest.raises(CorpusError, match="pip install jieba"):
            build_corpus(["我爱北京天安门"], min_count=1, cjk="jieba")
    else:
        words = build_corpus(["我爱北京天安门"] * 2, min_count=1, cjk="jieba").vocab.words
        assert "北京" in words and "天安门" in words


def phrase_corpus(seed: int = 0) -> list[str]:
    """2,000 lines of eight random filler words with "of the" in each, "new york" in one in twenty and "los
    angeles" in another (20,400 tokens)."""
    rng = np.random.default_rng(seed)
    fillers = [f"w{i}" for i in range(100)]
    lines = []
    for i in range(2000):
        words = [str(word) for word in rng.choice(fillers, 8)]
        pairs = [("of", "the")] + [("new", "york")] * (i % 20 == 0) + [("los", "angeles")] * (i % 20 == 10)
        for pair in pairs:
            at = int(rng.integers(0, len(words) + 1))
            words[at:at] = pair
        lines.append(" ".join(words))
    return lines


def test_frequent_pairs_become_phrases_and_common_words_do_not():
    corpus = build_corpus(phrase_corpus(), min_count=1, phrases=PhraseOptions())
    found = {phrase.text: phrase for phrase in corpus.phrases}
    assert {"new_york", "los_angeles"} <= set(found) and "of_the" not in found
    assert "new_york" in corpus.vocab and "of_the" not in corpus.vocab
    assert all(phrase.score > 100 and phrase.count > 0 for phrase in corpus.phrases)
    assert found["new_york"].count == corpus.vocab.counts[corpus.vocab.index["new_york"]] == 100
    lowered = build_corpus(phrase_corpus(), min_count=1, phrases=PhraseOptions(threshold=5))
    assert "of_the" in lowered.vocab  # a low threshold joins it too


def test_two_passes_join_phrases_again_and_bad_settings_say_what_to_do():
    lines = [f"x{i} new york times y{i}" for i in range(100)] + [f"a{i} b{i} c{i}" for i in range(500)]
    one = build_corpus(lines, min_count=1, phrases=PhraseOptions(threshold=10))
    two = build_corpus(lines, min_count=1, phrases=PhraseOptions(threshold=10, passes=2))
    assert "new_york" in one.vocab and "times" in one.vocab and "new_york_times" not in one.vocab
    assert "new_york_times" in two.vocab and "times" not in two.vocab
    with pytest.raises(CorpusError, match="1 or 2 passes"):
        build_corpus(lines, phrases=PhraseOptions(passes=3))


def test_the_command_line_trains_on_phrases(tmp_path, capsys):
    from w2v_core.cli import main
    from w2v_core.formats import load_vectors

    corpus = tmp_path / "cities.txt"
    corpus.write_text("\n".join(phrase_corpus()), encoding="utf-8")
    out = tmp_path / "v.txt"
    assert main(["train", str(corpus), "-o", str(out), "--phrases", "--min-count", "5", "--dim", "8", "--epochs",
                 "1", "--quiet"]) == 0
    words = load_vectors(out).words
    assert "new_york" in words and "los_angeles" in words and "of_the" not in words and "york" not in words
    assert main(["train", str(corpus), "-o", str(out), "--phrases", "--phrase-threshold", "0"]) == 2
    assert "phrase threshold must be above 0" in capsys.readouterr().err
