"""Vectors larger than memory: a memory-mapped ``.npy`` cache of a word2vec file, built once, checked each time.

``open_vectors(path)`` reads small files into memory as ``load_vectors`` does; a word2vec text or binary
file of ``MAPPED_MIN_BYTES`` or more is converted once, record by record, into a cache folder (beside the file,
``<name>.w2vcache/``, or under ``cache_dir``) and then opened memory-mapped: the OS pages the vectors in as
queries read them, and ``Embeddings`` keeps only their norms (blockwise queries, no unit copy). A 3M x 300 file
(3.6 GB) then opens with a few hundred MB of the process's own memory (the words).

The folder holds ``vectors.npy`` (n, d) float32, ``words.txt`` (one word per line, UTF-8) and ``source.json``
(the source file's size, modification time and a hash of its first ``HEAD_BYTES``, and the sizes of the two
other files). ``source.json`` is written last, so a build that was interrupted leaves no valid cache. A cache
whose source changed (stale) or whose files do not have their recorded sizes (truncated) is rebuilt, with a
notice; nothing is written outside the cache folder.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from w2v_core.embeddings import Embeddings

from ._common import VectorFormatError, to_embeddings
from ._files import format_of, load_vectors
from ._word2vec import binary_records, text_records

MAPPED_MIN_BYTES = 256 << 20
CACHE_SUFFIX = ".w2vcache"
CACHE_VERSION = 1
HEAD_BYTES = 1 << 20
BLOCK_ROWS = 1 << 14  # rows buffered before each write while building


class VectorCacheError(VectorFormatError):
    """A cache that cannot be built or read; the message says where and what to do."""


def cache_folder(source: str | Path, cache_dir: str | Path | None = None) -> Path:
    """Where the cache of ``source`` lives: beside it, or in ``cache_dir`` under a name unique to its path."""
    source = Path(source)
    if cache_dir is None:
        return source.with_name(source.name + CACHE_SUFFIX)
    digest = hashlib.sha256(str(source.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return Path(cache_dir) / f"{source.name}-{digest}{CACHE_SUFFIX}"


def source_stamp(source: Path) -> dict:
    """Size, modification time and head hash of ``source``: what must not change for a cache to stay valid."""
    stat = source.stat()
    with source.open("rb") as stream:
        head = hashlib.sha256(stream.read(HEAD_BYTES)).hexdigest()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "head_sha256": head}


def open_vectors(path: str | Path, limit: int | None = None, cache_dir: str | Path | None = None,
                 min_bytes: int | None = None, notice: Callable[[str], None] | None = None) -> Embeddings:
    """Vectors of ``path``: memory-mapped through the cache for word2vec text/binary files of ``min_bytes``
    (default ``MAPPED_MIN_BYTES``) or more read whole (no ``limit``), else read into memory by ``load_vectors``."""
    path = Path(path)
    fmt = format_of(path)
    min_bytes = MAPPED_MIN_BYTES if min_bytes is None else min_bytes
    if fmt not in ("text", "binary") or limit is not None or not path.is_file() or path.stat().st_size < min_bytes:
        return load_vectors(path, limit=limit)
    return open_cached(path, cache_dir, notice)


def open_cached(source: str | Path, cache_dir: str | Path | None = None,
                notice: Callable[[str], None] | None = None) -> Embeddings:
    """Memory-mapped vectors of a word2vec text/binary file, building or rebuilding its cache when needed."""
    source = Path(source)
    folder = cache_folder(source, cache_dir)
    problem = cache_problem(source, folder)
    if problem is not None:
        if notice is not None and problem != "missing":
            notice(f"the cache {folder} is {problem}: rebuilding it")
        elif notice is not None:
            notice(f"converting {source.name} once into a memory-mapped cache ({folder})…")
        build_cache(source, folder)
    return read_cache(folder)


def cache_problem(source: Path, folder: Path) -> str | None:
    """None for a valid cache of ``source``, else why not: "missing", "stale (...)" or "damaged (...)"."""
    try:
        meta = json.loads((folder / "source.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError) as error:
        return f"damaged (source.json: {error})"
    if not isinstance(meta, dict) or meta.get("version") != CACHE_VERSION:
        return "from another version"
    if meta.get("source") != source_stamp(source):
        return "stale (the vector file changed since it was built)"
    for name, key in (("vectors.npy", "vectors_bytes"), ("words.txt", "words_bytes")):
        try:
            size = (folder / name).stat().st_size
        except OSError:
            return f"damaged ({name} is missing)"
        if size != meta.get(key):
            return f"damaged ({name} has {size:,} bytes instead of {meta.get(key):,}; truncated?)"
    return None


def read_cache(folder: Path) -> Embeddings:
    """The cached vectors, memory-mapped read-only, with their words."""
    try:
        meta = json.loads((folder / "source.json").read_text(encoding="utf-8"))
        vectors = np.load(folder / "vectors.npy", mmap_mode="r", allow_pickle=False)
        words = (folder / "words.txt").read_bytes().decode("utf-8").split("\n")[:-1]
    except (OSError, ValueError) as error:
        raise VectorCacheError(f"The cache {folder} cannot be read ({error}); delete the folder to rebuild it.") \
            from error
    if vectors.dtype != np.float32 or vectors.ndim != 2 or vectors.shape != (meta.get("words"), meta.get("dim")) \
            or len(words) != vectors.shape[0]:
        raise VectorCacheError(f"The cache {folder} does not match its record ({vectors.dtype} {vectors.shape}, "
                               f"{len(words):,} words); delete the folder to rebuild it.")
    return to_embeddings(words, vectors, None, {"source": meta.get("name", ""), "memory_mapped": True})


def _records(source: Path) -> Iterator[tuple[str, np.ndarray]]:
    with source.open("rb") as raw:
        stream = gzip.GzipFile(fileobj=raw) if raw.peek(2)[:2] == b"\x1f\x8b" else raw
        if format_of(source) == "binary":
            yield from binary_records(stream)[1]
        else:
            yield from text_records(stream)


def build_cache(source: Path, folder: Path) -> None:
    """Convert ``source`` record by record into ``folder`` (blocks of ``BLOCK_ROWS`` rows, bounded memory)."""
    stamp = source_stamp(source)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "source.json").unlink(missing_ok=True)  # invalid from here until the build completes
    except OSError as error:
        raise VectorCacheError(f"Cannot write the cache folder {folder} ({error.strerror or error}); give a "
                               "writable cache folder (--cache-dir).") from error
    try:
        n, dim = _write_arrays(source, folder / "vectors.npy.part", folder / "words.txt.part")
    except BaseException:
        for name in ("vectors.npy.part", "words.txt.part"):
            with contextlib.suppress(OSError):
                (folder / name).unlink()
        raise
    os.replace(folder / "vectors.npy.part", folder / "vectors.npy")
    os.replace(folder / "words.txt.part", folder / "words.txt")
    meta = {"version": CACHE_VERSION, "name": source.name, "source": stamp, "words": n, "dim": dim,
            "vectors_bytes": (folder / "vectors.npy").stat().st_size,
            "words_bytes": (folder / "words.txt").stat().st_size}
    (folder / "source.json.part").write_text(json.dumps(meta), encoding="utf-8")
    os.replace(folder / "source.json.part", folder / "source.json")


def _write_arrays(source: Path, vectors_path: Path, words_path: Path) -> tuple[int, int]:
    """Stream the records into an .npy (its header rewritten with the final row count) and a word list."""
    n, dim = 0, None
    block: np.ndarray | None = None
    filled = 0
    with vectors_path.open("wb") as vectors_out, words_path.open("wb") as words_out:
        for word, row in _records(source):
            if dim is None:
                dim = len(row)
                np.lib.format.write_array_header_1_0(vectors_out, _header(0, dim))
                data_start = vectors_out.tell()
                block = np.empty((BLOCK_ROWS, dim), dtype=np.float32)
            if "\n" in word or "\r" in word:
                raise VectorCacheError(f"Word {n + 1:,} ({word[:40]!r}) contains a line break, which the cache "
                                       "cannot store; open the file with a --limit instead.")
            block[filled] = row
            filled += 1
            n += 1
            words_out.write(word.encode("utf-8") + b"\n")
            if filled == BLOCK_ROWS:
                vectors_out.write(block.tobytes())
                filled = 0
        if dim is None:
            raise VectorFormatError("The file contains no word vectors.")
        vectors_out.write(block[:filled].tobytes())
        vectors_out.seek(0)
        np.lib.format.write_array_header_1_0(vectors_out, _header(n, dim))
        if vectors_out.tell() != data_start:  # numpy leaves room for the row count to grow; checked anyway
            raise VectorCacheError("The cache's .npy header changed size; please report this.")
    return n, dim


def _header(n: int, dim: int) -> dict:
    return {"descr": "<f4", "fortran_order": False, "shape": (n, dim)}


def remove_cache(source: str | Path, cache_dir: str | Path | None = None) -> None:
    """Delete the cache folder of ``source`` (only that folder)."""
    folder = cache_folder(source, cache_dir)
    if folder.name.endswith(CACHE_SUFFIX) and folder.is_dir():
        shutil.rmtree(folder)
