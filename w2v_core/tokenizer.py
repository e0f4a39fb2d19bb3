"""What a token is: the pattern and the reference tokenizer in plain Python.

The compiled corpus pipeline (``encoder.py``) reads whole files without building a string per line; its tables
come from these patterns (``char_classes.py``) and tests/test_encoder.py checks it splits text as ``tokenize``.
"""

from __future__ import annotations

import re

JOINERS = "['’\\-]"  # joins two runs of word characters into one token (don't, well-known)
REGIONAL = "[\U0001F1E6-\U0001F1FF]"  # two of them make a flag
EMOJI_BASE = "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]"
EMOJI_MODIFIER = "[\U0001F3FB-\U0001F3FF\uFE0F]"  # skin tones, variation selector 16
ZERO_WIDTH_JOINER = "\u200d"
_EMOJI = f"{EMOJI_BASE}{EMOJI_MODIFIER}*"
TOKEN_PATTERN = re.compile(rf"\w+(?:{JOINERS}\w+)*|{REGIONAL}{{2}}|{_EMOJI}(?:{ZERO_WIDTH_JOINER}{_EMOJI})*")


def tokenize(line: str, lowercase: bool = True, whitespace: bool = False) -> list[str]:
    """Split one line into tokens: unicode words (inner apostrophes/hyphens kept) and emoji (one token each,
    with their skin tones and joined sequences), or whitespace fields."""
    if lowercase:
        line = line.lower()
    return line.split() if whitespace else TOKEN_PATTERN.findall(line)
