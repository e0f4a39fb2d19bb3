"""Which format a file is in, and reading or writing it by that: the dispatch behind ``load_vectors`` and
``save_vectors`` (files) and ``vectors_to_bytes``/``vectors_from_bytes`` (the app's downloads and uploads).

gensim's pickled ``.model``/``.kv`` files are refused by name and by content, with the line that converts them.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import BinaryIO

from w2v_core.embeddings import Embeddings

from ._common import VectorFormatError, check_limit
from ._npz import read_npz, write_npz
from ._projector import metadata_beside, projector_zip_bytes, read_projector_tsv, write_projector_tsv
from ._safe_zip import read_zip
from ._spark import directory_files, model_root, read_spark_model
from ._word2vec import read_word2vec_binary, read_word2vec_text, write_word2vec_binary, write_word2vec_text

EXTENSIONS = {".txt": "text", ".vec": "text", ".bin": "binary", ".npz": "npz", ".tsv": "tsv", ".zip": "zip",
              ".w2vrun": "run"}


def run_embeddings(data: str | Path | bytes, limit: int | None = None) -> Embeddings:
    """The input vectors of a run file (a path or its bytes), its ``limit`` most frequent words."""
    from w2v_core.runfile import read_run

    check_limit(limit)
    run = read_run(data)
    stop = limit if limit is not None else run.vocab_size
    return Embeddings(run.words[:stop], run.w_in[:stop], run.counts[:stop], config=run.config)


WRITERS = {"text": write_word2vec_text, "binary": write_word2vec_binary, "npz": write_npz}
PICKLE_SUFFIXES = (".model", ".kv")  # gensim's save(): pickles, never loaded


def gensim_pickle_message(filename: str = "") -> str:
    """Why a pickled gensim model is refused, and the one line of gensim that converts it to word2vec format."""
    name = Path(filename).name
    if name.lower().endswith(".kv"):
        line = f'KeyedVectors.load("{name}").save_word2vec_format("vectors.bin", binary=True)'
    else:
        line = f'Word2Vec.load("{name or "your.model"}").wv.save_word2vec_format("vectors.bin", binary=True)'
    return (f"{name or 'This file'} is a Python pickle (gensim saves .model and .kv files so), which is never "
            f"opened here: unpickling can run any code. Convert it where you trust it, with gensim: {line}, then "
            "open vectors.bin.")


def format_of(filename: str | Path, fmt: str | None = None) -> str:
    """"text", "binary", "npz", "tsv" or "zip" from ``fmt`` (a name or an extension) or the file name; "spark"
    for an existing directory (a saved Spark model)."""
    if fmt is None and str(filename) and Path(filename).is_dir():
        return "spark"
    if fmt is not None:
        fmt = EXTENSIONS.get("." + fmt.lower().lstrip("."), fmt.lower())
        if fmt not in EXTENSIONS.values():
            raise VectorFormatError(f"Unknown vector format {fmt!r}; use one of text, binary, npz, tsv.")
        return fmt
    suffixes = [suffix.lower() for suffix in Path(filename).suffixes]
    suffix = suffixes[-2] if suffixes[-1:] == [".gz"] and len(suffixes) > 1 else (suffixes or [""])[-1]
    if suffix in PICKLE_SUFFIXES:
        raise VectorFormatError(gensim_pickle_message(Path(filename).name))
    if suffix not in EXTENSIONS:
        raise VectorFormatError(f"Unknown vector file type {Path(filename).name!r}; use .txt, .vec, .bin, .npz "
                                "or .tsv (text and binary may be gzipped, .gz), or a run file (.w2vrun).")
    return EXTENSIONS[suffix]


def _read(stream: BinaryIO, fmt: str, limit: int | None) -> Embeddings:
    if fmt in ("text", "binary") and stream.peek(2)[:2] == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=stream)
    try:
        head = stream.peek(2)[:2]
        if fmt in ("text", "binary") and len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
            raise VectorFormatError(gensim_pickle_message())  # a pickle's protocol header, renamed to .bin/.txt
        return (read_word2vec_text if fmt == "text" else read_word2vec_binary if fmt == "binary" else
                read_npz)(stream, limit)
    except (OSError, EOFError) as error:
        raise VectorFormatError(f"The file is damaged or truncated ({error}).") from error


def load_vectors(path: str | Path, limit: int | None = None, fmt: str | None = None) -> Embeddings:
    """Read a vector file, its format chosen by ``fmt`` or the extension (.txt .vec .bin .npz .tsv .zip)."""
    path, fmt = Path(path), format_of(path, fmt)
    if fmt == "tsv":
        if not metadata_beside(path).is_file():
            raise VectorFormatError(f"Projector vectors need their words: expected {metadata_beside(path).name} "
                                    f"next to {path.name}.")
        with path.open("rb") as vectors, metadata_beside(path).open("rb") as metadata:
            return read_projector_tsv(vectors, metadata, limit)
    if fmt == "zip":
        return vectors_from_bytes(path.read_bytes(), path.name, limit)
    if fmt == "run":
        return run_embeddings(path, limit)
    if fmt == "spark":
        return read_spark_model(directory_files(path), limit, where=f"The folder {path.name}")
    with path.open("rb") as stream:
        return _read(stream, fmt, limit)


def save_vectors(emb: Embeddings, path: str | Path, fmt: str | None = None) -> list[Path]:
    """Write ``emb`` in the format of ``fmt`` or the extension; returns the files written."""
    path, fmt = Path(path), _writable(format_of(path, fmt))
    if fmt == "tsv":
        write_projector_tsv(emb, path, metadata_beside(path))
        return [path, metadata_beside(path)]
    if fmt == "zip":
        path.write_bytes(projector_zip_bytes(emb))
    else:
        with path.open("wb") as out:
            WRITERS[fmt](emb, out)
    return [path]


def _writable(fmt: str) -> str:
    if fmt == "run":
        raise VectorFormatError("A run file holds a whole training run, not just vectors: write one with "
                                "train --save-run RUN; for vectors use .txt, .vec, .bin, .npz or .tsv.")
    if fmt == "spark":
        raise VectorFormatError("That is a folder. Spark models are written by Spark (train --engine spark "
                                "--spark-model DIR); name a .txt, .bin, .npz or .tsv file.")
    return fmt


def vectors_to_bytes(emb: Embeddings, fmt: str) -> bytes:
    """File contents for a download: "text", "binary", "npz", or "tsv"/"zip" (the projector zip)."""
    fmt = _writable(format_of("", fmt))
    if fmt in ("tsv", "zip"):
        return projector_zip_bytes(emb)
    out = io.BytesIO()
    WRITERS[fmt](emb, out)
    return out.getvalue()


def vectors_from_bytes(data: bytes, filename: str, limit: int | None = None) -> Embeddings:
    """Read an upload; ``filename`` only selects the format (a projector upload is the zip bundle)."""
    fmt = format_of(Path(filename).name)
    if fmt == "tsv":
        raise VectorFormatError("A projector vectors.tsv has no words: upload a .zip holding vectors.tsv and "
                                "metadata.tsv.")
    if fmt == "run":
        return run_embeddings(data, limit)
    if fmt != "zip":
        return _read(io.BufferedReader(io.BytesIO(data)), fmt, limit)
    members = read_zip(data)  # names checked, sizes capped, nothing extracted
    root = model_root(list(members))
    if root is not None:
        inside = {name[len(root):]: (lambda data=data_: data) for name, data_ in members.items()
                  if name.startswith(root)}
        return read_spark_model(inside, limit, where=f"The Spark model in {Path(filename).name}")
    names = {Path(name).name: name for name in members}
    if "vectors.tsv" not in names or "metadata.tsv" not in names:
        raise VectorFormatError("The zip must hold vectors.tsv and metadata.tsv (a projector bundle), or a Spark "
                                "Word2VecModel folder (metadata/ and data/).")
    return read_projector_tsv(io.BytesIO(members[names["vectors.tsv"]]), io.BytesIO(members[names["metadata.tsv"]]),
                              limit)
