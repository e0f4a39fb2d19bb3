"""The native ``.npz``: vectors, words, counts and the training config, never unpickled."""

from __future__ import annotations

import json
import zipfile
from typing import BinaryIO

import numpy as np

from w2v_core.embeddings import Embeddings

from ._common import VectorFormatError, check_limit, to_embeddings


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
