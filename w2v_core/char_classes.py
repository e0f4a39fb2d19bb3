"""Per-code-point tables that let the compiled tokenizer (``encoder.py``) split text exactly as
``corpus.tokenize`` does: they are derived from Python's own ``re``, ``str.lower`` and ``str.splitlines`` on every
code point, not written by hand, so both agree on every Unicode version Python ships.

``classes()`` (0x110000,) uint16 holds the bits below; ``lowercase()`` (0x110000,) int32 each code point's
lowercase (U+0130 and U+03A3 are the two the kernel handles itself: İ lowers to two code points, Σ to σ or ς by
context).
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

from .tokenizer import EMOJI_BASE, EMOJI_MODIFIER, HAN_KANA, JOINERS, REGIONAL, marks

N_CODE_POINTS = 0x110000
WORD = 1  # \w: starts and continues a word
JOINER = 2  # ' ’ - between two word characters
EMOJI = 4
EMOJI_MOD = 8  # skin tone, variation selector 16
REGIONAL_INDICATOR = 16  # a pair is one flag
SPACE = 32  # str.isspace: separates fields of pre-tokenized text
LINE_BREAK = 64  # str.splitlines breaks the line here
CASE_IGNORABLE = 128  # skipped when str.lower decides between σ and ς
CASED = 256  # cased and not case-ignorable: decides σ or ς
MARK = 512  # combining mark: continues a word or a Han/kana character, starts nothing
SINGLE = 1024  # Han and kana: one token per character (unless a segmenter made words of them)
NOT_WORD_TOKEN_START = EMOJI | REGIONAL_INDICATOR | SINGLE  # may start a token that is not a word
CAPITAL_I_DOT = 0x130
CAPITAL_SIGMA = 0x3A3


def _all_code_points() -> str:
    return np.arange(N_CODE_POINTS, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _mark_matches(table: np.ndarray, text: str, pattern: str, bit: int) -> None:
    for match in re.finditer(f"(?:{pattern})+", text):
        table[match.start():match.end()] |= bit


@cache
def classes() -> np.ndarray:
    """(0x110000,) uint16 class bits of every code point (about 0.5 s, once per process)."""
    text = _all_code_points()
    table = np.zeros(N_CODE_POINTS, dtype=np.uint16)
    for pattern, bit in ((r"\w", WORD), (JOINERS, JOINER), (EMOJI_BASE, EMOJI), (EMOJI_MODIFIER, EMOJI_MOD),
                         (REGIONAL, REGIONAL_INDICATOR), (r"\s", SPACE), (marks(), MARK),
                         (HAN_KANA, SINGLE)):
        _mark_matches(table, text, pattern, bit)
    for code in np.flatnonzero(table & SPACE):
        if len(f"a{chr(code)}b".splitlines()) == 2:
            table[code] |= LINE_BREAK
    # Probe str.lower's final-sigma rule with each code point x: "xΣ " lowers Σ to ς iff x is cased and not
    # case-ignorable; "AxΣ " iff x is either (the space ends each probe's context).
    probe = np.empty((N_CODE_POINTS, 4), dtype=np.uint32)
    probe[:, 0], probe[:, 1], probe[:, 2], probe[:, 3] = ord("A"), np.arange(N_CODE_POINTS), CAPITAL_SIGMA, ord(" ")
    probe[CAPITAL_I_DOT, 1] = ord("I")  # the one code point whose lowercase is longer: same properties as I
    final_after = _code_points(probe[:, 1:].tobytes().decode("utf-32-le", "surrogatepass").lower()).reshape(-1, 3)
    final_after_a = _code_points(probe.tobytes().decode("utf-32-le", "surrogatepass").lower()).reshape(-1, 4)
    cased = final_after[:, 1] == 0x3C2
    either = final_after_a[:, 2] == 0x3C2
    table[cased] |= CASED
    table[either & ~cased] |= CASE_IGNORABLE
    return table


def for_mode(table: np.ndarray, han_words: bool) -> np.ndarray:
    """The classes as the tokenizer uses them: Han and kana one token each (not word characters), or words."""
    table = table.copy()
    single = (table & SINGLE) != 0
    if han_words:
        table[single] &= ~np.uint16(SINGLE)
    else:
        table[single] &= ~np.uint16(WORD)
    return table


@cache
def lowercase() -> np.ndarray:
    """(0x110000,) int32: ``chr(c).lower()`` of every code point c (U+0130 and U+03A3: see the module)."""
    text = _all_code_points()
    text = text[:CAPITAL_I_DOT] + "i" + text[CAPITAL_I_DOT + 1:]
    lowered = text.lower()
    if len(lowered) != N_CODE_POINTS:
        raise RuntimeError("a code point besides U+0130 lowercases to several; the tokenizer tables need it")
    return _code_points(lowered).astype(np.int32)
