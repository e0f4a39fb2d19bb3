"""Corpora and word vectors the server holds: the files of ``corpora_dir`` and ``vectors_dir`` (w2v_lab.toml).

Sessions see these files by name and pick one from the list; nothing a session sends becomes a path (a name is
looked up in a fresh listing). A corpus is streamed from disk chunk by chunk, not held as text, and is not subject
to the upload cap; vectors may be any size (large word2vec files are memory-mapped by ``open_vectors``).
``ui/corpus_state.py`` and ``ui/vectors.py`` build each once and share it read-only with every session. No
Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ui.corpus_source import CorpusSettings, LoadedCorpus, load_file
from w2v_core.corpus import CorpusError
from w2v_core.embeddings import Embeddings
from w2v_core.formats import CACHE_SUFFIX, VectorCacheError, looks_like_spark_model, open_vectors

CORPUS_SUFFIXES = (".txt", ".gz")
VECTOR_SUFFIXES = (".txt", ".vec", ".bin", ".npz", ".gz", ".zip")


class ServerFileError(ValueError):
    """A listed file that is gone, unreadable or not what its name says."""


@dataclass(frozen=True)
class ServerFile:
    """One entry of a server folder: a file, or a Spark model folder (``spark``)."""

    name: str
    path: Path
    size: int
    mtime_ns: int
    spark: bool = False

    @property
    def stamp(self) -> str:
        """Changes when the file does (a cache key: an edited file is built again)."""
        return f"{self.size}:{self.mtime_ns}"

    @property
    def label(self) -> str:
        size = "Spark model" if self.spark else f"{self.size / 1e6:,.1f} MB" if self.size >= 100_000 else \
            f"{self.size / 1e3:,.0f} kB"
        return f"{self.name} ({size})"


def listing(folder: str, kind: str) -> list[ServerFile]:
    """The usable entries of ``folder`` by name: "corpora" (.txt, .gz) or "vectors" (vector files and Spark
    model folders). Entries that vanish or cannot be examined while listing are left out."""
    if not folder:
        return []
    root = Path(folder)
    try:
        entries = sorted(root.iterdir(), key=lambda p: p.name.lower())
    except OSError:
        return []
    suffixes = CORPUS_SUFFIXES if kind == "corpora" else VECTOR_SUFFIXES
    found = []
    for path in entries:
        try:
            if path.name.startswith(".") or path.name.endswith(CACHE_SUFFIX):
                continue
            stat = path.stat()
            if path.is_file() and path.suffix.lower() in suffixes:
                found.append(ServerFile(path.name, path, stat.st_size, stat.st_mtime_ns))
            elif kind == "vectors" and path.is_dir() and _is_spark_model(path):
                found.append(ServerFile(path.name, path, 0, stat.st_mtime_ns, spark=True))
        except OSError:
            continue
    return found


def _is_spark_model(path: Path) -> bool:
    names = [f"{part}/{child.name}" for part in ("metadata", "data") if (path / part).is_dir()
             for child in (path / part).iterdir()]
    return looks_like_spark_model(names)


def find(folder: str, kind: str, name: str) -> ServerFile:
    """The entry called ``name`` in a fresh listing; ``ServerFileError`` when it is no longer there."""
    for entry in listing(folder, kind):
        if entry.name == name:
            return entry
    raise ServerFileError(f"{name} is no longer on this server (it was moved or deleted); choose another file.")


def load_server_corpus(entry: ServerFile, settings: CorpusSettings) -> LoadedCorpus:
    """Build the corpus of a server text file, streamed (no upload cap); a file that vanished or cannot be read
    raises ``ServerFileError``, bad text ``CorpusError`` naming the file."""
    try:
        return load_file(entry.path, f"Server: {entry.name}", settings)
    except FileNotFoundError as error:
        raise ServerFileError(f"{entry.name} is no longer on this server; choose another file.") from error
    except OSError as error:
        raise ServerFileError(f"{entry.name} cannot be read on the server ({error.strerror or error}).") from error
    except CorpusError as error:
        raise type(error)(f"{entry.name}: {error}") from error


def open_server_vectors(entry: ServerFile, cache_dir: str = "") -> Embeddings:
    """All vectors of a server file or Spark folder (large word2vec files memory-mapped through their cache)."""
    try:
        return open_vectors(entry.path, cache_dir=cache_dir or None)
    except FileNotFoundError as error:
        raise ServerFileError(f"{entry.name} is no longer on this server; choose another file.") from error
    except PermissionError as error:
        raise ServerFileError(f"{entry.name} cannot be read on the server (permission denied).") from error
    except VectorCacheError as error:
        if "--cache-dir" not in str(error):
            raise
        raise ServerFileError(f"{entry.name} is large and its memory-mapped cache cannot be written beside it: the "
                              "server's operator can set vectors_cache_dir in w2v_lab.toml.") from error
