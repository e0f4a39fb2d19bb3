"""Show user-supplied text literally in Streamlit markdown (no formatting, links, HTML or LaTeX)."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
# In messages: what can make a link, HTML, emphasis, code, LaTeX, an emoji or colour directive, or an entity.
_MESSAGE_SPECIAL = re.compile(r"([\\`*\[\]<>~$|#&])|(?<![^\W_])_|_(?![^\W_])|:(?=\w)")


def md_literal(text: str) -> str:
    """``text`` with every Markdown/LaTeX special character backslash-escaped (newlines become spaces)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_message(text: str) -> str:
    """A message that may quote user input (words, file names, link values), safe for ``st.error`` and the like:
    like ``md_literal``, but plain punctuation and ``_`` inside words stay as they are, so the message reads the
    same in the page source."""
    return _MESSAGE_SPECIAL.sub(lambda match: "\\" + match.group(0), " ".join(str(text).split()))


def plural(count: int, noun: str) -> str:
    """``count`` with thousands separators and ``noun``, plural unless the count is 1: "1 word", "2,300 words"."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
