"""Word-vector files: word2vec text and binary, TensorBoard projector TSV and the native ``.npz``.

``load_vectors``/``save_vectors`` pick the format from the extension (.txt .vec: word2vec text, .bin: word2vec
binary, .npz: native, .tsv: projector vectors with metadata beside them, .zip: projector bundle); text and
binary may be gzipped (.gz, unpacked on the fly); a run file (.w2vrun, see ``runfile``) is read as its input
vectors; a directory is a saved Spark ``Word2VecModel`` (read only). ``vectors_to_bytes``/``vectors_from_bytes``
do the same in memory for the app's downloads and uploads, where a .zip holds a projector bundle or a Spark model
directory (checked by ``safe_zip``, never extracted). Nothing is unpickled: ``.npz`` loads with
``allow_pickle=False``.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from w2v_core.embeddings import Embeddings
from w2v_core.safe_zip import read_zip
from w2v_core.spark_format import directory_files, model_root, read_spark_model
from w2v_core.word2vec_format import (
    VectorFormatError,
    check_limit,
    check_storable,
    decode_line,
    parse_numbers,
    read_lines,
    read_word2vec_binary,
    read_word2vec_text,
    to_embeddings,
    write_word2vec_binary,
    write_word2vec_text,
)

__all__ = ["VectorFormatError", "format_of", "load_vectors", "projector_tsv_bytes", "projector_zip_bytes", "read_npz",
           "read_projector_tsv", "read_word2vec_binary", "read_word2vec_text", "save_vectors",
           "vectors_from_bytes", "vectors_to_bytes", "write_npz", "write_projector_tsv",
           "write_word2vec_binary", "write_word2vec_text"]

EXTENSIONS = {".txt": "text", ".vec": "text", ".bin": "binary", ".npz": "npz", ".tsv": "tsv", ".zip": "zip",
              ".w2vrun": "run"}


def run_embeddings(data: str | Path | bytes, limit: int | None = None) -> Embeddings:
    """The input vectors of a run file (a path or its bytes), its ``limit`` most frequent words."""
    from w2v_core.runfile import read_run

    check_limit(limit)
    run = read_run(data)
    stop = limit if limit is not None else run.vocab_size
    return Embeddings(run.words[:stop], run.w_in[:stop], run.counts[:stop], config=run.config)


def write_projector_tsv(emb: Embeddings, vectors_path: str | Path, metadata_path: str | Path) -> None:
    """TensorBoard projector files: tab-separated vectors and one word per line (no header)."""
    for path, data in zip((vectors_path, metadata_path), projector_tsv_bytes(emb), strict=True):
        Path(path).write_bytes(data)


def projector_tsv_bytes(emb: Embeddings) -> tuple[bytes, bytes]:
    """Contents of the projector's ``vectors.tsv`` (n lines of d tab-separated numbers) and ``metadata.tsv``."""
    check_storable(emb, "TSV metadata", {"\t", "\n", "\r"})
    vectors = "".join("\t".join(map(str, row)) + "\n" for row in emb.vectors)
    return vectors.encode(), "".join(word + "\n" for word in emb.words).encode()


def projector_zip_bytes(emb: Embeddings) -> bytes:
    """A zip holding ``vectors.tsv`` and ``metadata.tsv`` for projector.tensorflow.org."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in zip(("vectors.tsv", "metadata.tsv"), projector_tsv_bytes(emb), strict=True):
            bundle.writestr(name, data)
    return out.getvalue()


def read_projector_tsv(vectors: BinaryIO, metadata: BinaryIO, limit: int | None = None) -> Embeddings:
    """Read projector ``vectors.tsv`` and ``metadata.tsv`` (a header row only when it has several columns)."""
    check_limit(limit)
    words: list[str] = []
    meta = [(no, decode_line(raw, f"Metadata line {no}").rstrip("\r\n").split("\t"))
            for no, raw in read_lines(metadata)]
    while meta and meta[-1][1] == [""]:
        meta.pop()
    column, offset = 0, 0
    if meta and len(meta[0][1]) > 1:
        names = [name.strip().lower() for name in meta[0][1]]
        column, offset = next((i for i, name in enumerate(names) if name in ("word", "label")), 0), 1
    seen: dict[str, int] = {}
    for no, fields in meta[offset:]:
        word = fields[column] if column < len(fields) else ""
        if word in seen or not word:
            raise VectorFormatError(f"Metadata line {no}: " + (f"the word {word!r} already appeared on line "
                                                               f"{seen[word]}." if word else "no word."))
        seen[word] = no
        words.append(word)
    rows: list[np.ndarray] = []
    for no, raw in read_lines(vectors):
        if limit is not None and len(rows) >= limit:
            break
        if not raw.strip():
            continue
        fields = decode_line(raw, f"Vectors line {no}").rstrip("\r\n").split("\t")
        if rows and len(fields) != len(rows[0]):
            raise VectorFormatError(f"Vectors line {no} has {len(fields)} values, but line 1 has {len(rows[0])}.")
        rows.append(parse_numbers([f.encode() for f in fields], f"Vectors line {no}"))
    if len(rows) != (len(words) if limit is None else min(len(words), limit)):
        raise VectorFormatError(f"vectors.tsv has {len(rows):,} rows but metadata.tsv has {len(words):,} words.")
    return to_embeddings(words[:len(rows)], rows)


def write_npz(emb: Embeddings, stream: BinaryIO) -> None:
    """Native format: vectors, words (unicode array), counts (if known) and config (JSON text)."""
    try:
        config = json.dumps(emb.config)
    except (TypeError, ValueError) as error:
        raise VectorFormatError(f"The training config cannot be stored as JSON: {error}") from error
    arrays = {"vectors": emb.vectors, "words": np.array(emb.words, dtype=str), "config": np.array(config)}
    if emb.counts is not None:
        arrays["counts"] = emb.counts
    np.savez(stream, **arrays)


def read_npz(stream: BinaryIO, limit: int | None = None) -> Embeddings:
    """Read the native ``.npz`` (never unpickling anything)."""
    check_limit(limit)
    try:
        data = np.load(stream, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise VectorFormatError("This is a single .npy array, not an .npz vector file.")
        with data:
            arrays = {key: data[key] for key in ("vectors", "words", "counts", "config") if key in data.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        if isinstance(error, VectorFormatError):
            raise
        raise VectorFormatError(f"This is not a readable .npz vector file ({error}).") from error
    if "vectors" not in arrays or "words" not in arrays or arrays["words"].dtype.kind != "U":
        raise VectorFormatError("The .npz file needs a 'vectors' array and a unicode 'words' array.")
    try:
        config = json.loads(str(arrays["config"])) if "config" in arrays else {}
    except json.JSONDecodeError as error:
        raise VectorFormatError(f"The .npz config is not valid JSON ({error}).") from error
    if not isinstance(config, dict):
        raise VectorFormatError("The .npz config must be a JSON object.")
    counts = arrays.get("counts")
    stop = limit if limit is not None else len(arrays["words"])
    return to_embeddings(arrays["words"][:stop].tolist(), arrays["vectors"][:stop],
                       None if counts is None else counts[:stop], config)


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


def _metadata_path(vectors_path: Path) -> Path:
    """Projector metadata next to the vectors: vectors.tsv -> metadata.tsv, x.tsv -> x_metadata.tsv."""
    stem = vectors_path.stem
    return vectors_path.with_name("metadata.tsv" if stem == "vectors" else f"{stem}_metadata.tsv")


def load_vectors(path: str | Path, limit: int | None = None, fmt: str | None = None) -> Embeddings:
    """Read a vector file, its format chosen by ``fmt`` or the extension (.txt .vec .bin .npz .tsv .zip)."""
    path, fmt = Path(path), format_of(path, fmt)
    if fmt == "tsv":
        if not _metadata_path(path).is_file():
            raise VectorFormatError(f"Projector vectors need their words: expected {_metadata_path(path).name} "
                                    f"next to {path.name}.")
        with path.open("rb") as vectors, _metadata_path(path).open("rb") as metadata:
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
        write_projector_tsv(emb, path, _metadata_path(path))
        return [path, _metadata_path(path)]
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
