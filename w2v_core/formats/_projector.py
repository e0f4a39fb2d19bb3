"""TensorBoard projector files: ``vectors.tsv`` (n lines of d tab-separated numbers) and ``metadata.tsv`` (one word
per line), as two files or one zip bundle for projector.tensorflow.org."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from w2v_core.embeddings import Embeddings

from ._common import VectorFormatError, check_limit, check_storable, to_embeddings
from ._text import decode_line, parse_numbers, read_lines, remember_word, vector_lines


def metadata_beside(vectors_path: Path) -> Path:
    """Projector metadata next to the vectors: vectors.tsv -> metadata.tsv, x.tsv -> x_metadata.tsv."""
    stem = vectors_path.stem
    return vectors_path.with_name("metadata.tsv" if stem == "vectors" else f"{stem}_metadata.tsv")


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
        if not word:
            raise VectorFormatError(f"Metadata line {no}: no word.")
        remember_word(seen, word, no, f"Metadata line {no}")
        words.append(word)
    rows: list[np.ndarray] = []
    for no, raw in vector_lines(read_lines(vectors), limit):
        fields = decode_line(raw, f"Vectors line {no}").rstrip("\r\n").split("\t")
        if rows and len(fields) != len(rows[0]):
            raise VectorFormatError(f"Vectors line {no} has {len(fields)} values, but line 1 has {len(rows[0])}.")
        rows.append(parse_numbers([f.encode() for f in fields], f"Vectors line {no}"))
    if len(rows) != (len(words) if limit is None else min(len(words), limit)):
        raise VectorFormatError(f"vectors.tsv has {len(rows):,} rows but metadata.tsv has {len(words):,} words.")
    return to_embeddings(words[:len(rows)], rows)
