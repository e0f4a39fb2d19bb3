"""Fetch two corpora of more than 4M words each from Debian packages, for the speed and quality benchmarks.

- ``gcide``: the GNU Collaborative International Dictionary of English (Debian ``dict-gcide``), mostly Webster's
  Revised Unabridged Dictionary of 1913 (public domain), with entries from WordNet; GPL-2+ as a whole. One line
  per entry: definitions, etymologies and quotations, with pronunciations and source markers removed.
  About 4.9M words.
- ``softdocs``: software documentation in running prose: the Linux 6.1 kernel documentation (Debian
  ``linux-doc-6.1``, reStructuredText sources and plain-text files, translations left out; GPL-2) and the
  Python 3.11 documentation (Debian ``python3.11-doc``, reStructuredText sources; PSF licence). One line per
  paragraph. About 4.9M words.

``apt-get download`` fetches the .deb files into ``benchmarks/data/debs/`` (git-ignored; no installation, run as
root or as a user apt lets download), ``dpkg-deb -x`` unpacks them; the texts go to ``benchmarks/data/<name>.txt``.
A second run finds the files and returns at once.

    python -m benchmarks.get_large_corpora            # prints each path and its word count
"""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
PACKAGES = {"gcide": ["dict-gcide"], "softdocs": ["linux-doc-6.1", "python3.11-doc"]}

_PRONUNCIATION = re.compile(r"\\[^\\\n]*\\")  # \Ab`a*cis"cus\
_PHONETIC = re.compile(r"\([^()\n]*[\[\]^\"`*][^()\n]*\)")  # ([a^]b`[.a]*s[i^]s"k[u^]s)
_SOURCE = re.compile(r"\[(?:1913 Webster|WordNet[^\]]*|PJC|Webster 1913 Suppl\.|[A-Z]{2,4}|Century Dict\.)\]")
_MARKUP = re.compile(r"[{}]")


def _debs(packages: list[str], target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    missing = [p for p in packages if not list(target.glob(f"{p}_*.deb"))]
    if missing:
        subprocess.run(["apt-get", "download", *missing], cwd=target, check=True, capture_output=True, timeout=900)
    return [next(target.glob(f"{p}_*.deb")) for p in packages]


def _paragraphs(lines: Iterable[str]) -> Iterator[str]:
    """Lines joined into paragraphs (blank lines separate them)."""
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line.strip())
        elif block:
            yield " ".join(block)
            block = []
    if block:
        yield " ".join(block)


def gcide_lines(root: Path) -> Iterator[str]:
    """One cleaned line per dictionary entry of the unpacked dict-gcide package."""
    data = next(root.rglob("gcide.dict.dz"))
    with gzip.open(data, "rt", encoding="utf-8", errors="replace") as text:
        for entry in _paragraphs(text):
            cleaned = _MARKUP.sub(" ", _SOURCE.sub(" ", _PHONETIC.sub(" ", _PRONUNCIATION.sub(" ", entry))))
            if cleaned.strip():
                yield cleaned


def softdocs_lines(root: Path) -> Iterator[str]:
    """One line per paragraph of the kernel's and Python's documentation (English only, reST markup lines out)."""
    for path in sorted(root.rglob("*")):
        name = str(path)
        if "translations" in name or "/locale" in name:
            continue
        if name.endswith(".rst.txt") or (name.endswith(".txt") and "/Documentation/" in name):
            text = path.read_text(encoding="utf-8", errors="replace")
        elif name.endswith(".txt.gz") and "/Documentation/" in name:
            with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        else:
            continue
        kept = (line for line in text.splitlines() if not re.fullmatch(r"\s*([=\-~^*#+`]{3,}|\.\. .*)", line))
        yield from _paragraphs(kept)


def ensure(name: str, force: bool = False) -> Path:
    """Path of corpus ``name`` (``gcide`` or ``softdocs``), building it on first use."""
    path = DATA_DIR / f"{name}.txt"
    if path.is_file() and path.stat().st_size > 0 and not force:
        return path
    debs = _debs(PACKAGES[name], DATA_DIR / "debs")
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as tmp:
        for deb in debs:
            subprocess.run(["dpkg-deb", "-x", str(deb), tmp], check=True)
        lines = gcide_lines(Path(tmp)) if name == "gcide" else softdocs_lines(Path(tmp))
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            for line in lines:
                out.write(line + "\n")
        partial.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild the texts even if they exist")
    args = parser.parse_args(argv)
    from benchmarks.get_corpus import count_words

    for name in PACKAGES:
        path = ensure(name, args.force)
        print(f"{path}: {count_words(path):,} words (Debian {', '.join(PACKAGES[name])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
