"""What a token is: the patterns and the reference tokenizer in plain Python.

A token is a word (letters and digits, with the combining marks that follow them: accents, Devanagari vowel
signs, Arabic harakat; apostrophes and hyphens inside it), a single Chinese character (Han) or Japanese kana
(scripts written without spaces: each character is a token; with ``cjk="jieba"`` the jieba package finds the
Chinese words instead), a flag, or an emoji with its modifiers. Thai, Lao, Khmer and Myanmar are
split at spaces and punctuation only (their words are not marked): segment such text first (e.g. PyThaiNLP) and
read it as already tokenized. ``whitespace=True`` splits on white space only.

The compiled corpus pipeline (``encoder.py``) reads whole files without building a string per line; its tables
come from these patterns (``char_classes.py``) and tests/test_encoder.py checks it splits text as ``tokenize``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

JOINERS = "['’\\-]"  # joins two runs of word characters into one token (don't, well-known)
REGIONAL = "[\U0001F1E6-\U0001F1FF]"  # two of them make a flag
EMOJI_BASE = "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]"
EMOJI_MODIFIER = "[\U0001F3FB-\U0001F3FF\uFE0F]"  # skin tones, variation selector 16
ZERO_WIDTH_JOINER = "\u200d"
# Han ideographs (and the iteration and closing marks 々 〆 〇) and kana: one token per character by default
HAN_KANA = ("[\u3005-\u3007\u3041-\u3096\u309D-\u309F\u30A1-\u30FA\u30FC-\u30FF\u31F0-\u31FF\u3400-\u4DBF"
            "\u4E00-\u9FFF\uF900-\uFAFF\uFF66-\uFF9F\U0001B000-\U0001B16F\U00020000-\U0003134F]")
CJK_MODES = ("characters", "jieba")  # Han and kana: one token per character, or Chinese words found by jieba
_EMOJI = f"{EMOJI_BASE}{EMOJI_MODIFIER}*"


@cache
def marks() -> str:
    """A character class of the combining marks (Unicode categories Mn, Mc, Me), computed once."""
    ranges, start, previous = [], None, None
    for code in range(0x110000):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if start is None or code != previous + 1:
                if start is not None:
                    ranges.append((start, previous))
                start = code
            previous = code
    ranges.append((start, previous))
    return "[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges) + "]"


@cache
def token_pattern(han_words: bool = False) -> re.Pattern:
    """The tokens, in the order the alternatives are tried; ``han_words``: Han and kana form words like any
    letter (text a segmenter already split) instead of one token per character."""
    word = r"\w" if han_words else rf"(?:(?!{HAN_KANA})\w)"
    body = f"{word}(?:{word}|{marks()})*"
    single = "" if han_words else f"{HAN_KANA}{marks()}*|"
    return re.compile(f"{single}{body}(?:{JOINERS}{body})*|{REGIONAL}{{2}}|{_EMOJI}(?:{ZERO_WIDTH_JOINER}{_EMOJI})*")


def segment_chinese(text: str) -> str:
    """``text`` with a space between the Chinese words jieba finds (line breaks kept)."""
    try:
        import jieba
    except ImportError as error:
        raise ImportError("Chinese word segmentation needs the jieba package: pip install jieba (or install "
                          "word2vec-lab[chinese]); without it each Chinese character is a token.") from error
    jieba.setLogLevel(60)  # no "Building prefix dict" chatter on stderr
    return "\n".join(" ".join(jieba.cut(line)) for line in text.split("\n"))


def tokenize(line: str, lowercase: bool = True, whitespace: bool = False, nfkc: bool = False,
             cjk: str = "characters") -> list[str]:
    """Split one line into tokens (see the module): words, Han/kana characters, flags and emoji; or whitespace
    fields (``whitespace=True``)."""
    if cjk not in CJK_MODES:
        raise ValueError(f"cjk must be one of {', '.join(CJK_MODES)} (got {cjk!r})")
    if nfkc:
        line = unicodedata.normalize("NFKC", line)
    if cjk == "jieba":
        line = segment_chinese(line)
    line = line.lower() if lowercase else line
    return line.split() if whitespace else token_pattern(cjk == "jieba").findall(line)


def __getattr__(name: str) -> re.Pattern:
    if name == "TOKEN_PATTERN":  # computed on first use: the marks take a moment
        return token_pattern()
    raise AttributeError(name)
