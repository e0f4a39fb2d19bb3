"""Show user-supplied text literally in Streamlit markdown (no formatting, links, HTML or LaTeX)."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md_literal(text: str) -> str:
    """``text`` with every Markdown/LaTeX special character backslash-escaped (newlines become spaces)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
