"""Spark ``Word2VecModel`` directories (``model.save(path)``), read with pyarrow, without Spark or Java.

Layout: ``metadata/part-*`` holds one JSON line (the class and the parameters) and ``data/*.parquet`` the
vectors: one row per word with columns ``word`` (string) and ``vector`` (list of float), as Spark 2.2 and later
and the RDD-based ``mllib`` model write them; Spark 2.0/2.1 wrote a single row ``wordIndex`` (map word -> row)
and ``wordVectors`` (all vectors, flat), also read here. Spark keeps no word counts and writes the words in hash
order, so "the first N words" of such a model are not its most frequent ones: ``counts`` stays None.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from w2v_core.embeddings import Embeddings

from ._common import VectorFormatError, check_limit, to_embeddings

MODEL_CLASSES = ("org.apache.spark.ml.feature.Word2VecModel", "org.apache.spark.mllib.feature.Word2VecModel")
MAX_METADATA_BYTES = 1 << 20
Files = Mapping[str, Callable[[], bytes]]  # relative POSIX path -> its bytes, read when called


def directory_files(root: str | Path) -> Files:
    """The files of a model directory (``metadata/`` and ``data/`` only; links are not followed)."""
    root = Path(root)
    files: dict[str, Callable[[], bytes]] = {}
    for part in ("metadata", "data"):
        folder = root / part
        if folder.is_dir() and not folder.is_symlink():
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.is_symlink():
                    files[f"{part}/{path.name}"] = path.read_bytes
    return files


def looks_like_spark_model(names: list[str] | set[str]) -> bool:
    """True when the names include ``metadata/part-*`` and a Parquet file under ``data/``."""
    return any(_is_part(n, "metadata") for n in names) and any(_is_part(n, "data", ".parquet") for n in names)


def model_root(names: list[str]) -> str | None:
    """The folder inside a zip that holds ``metadata/part-*`` ("" for the zip's top), preferring one that also
    holds ``data/``; None when there is none."""
    roots = set()
    for name in names:
        head, found, tail = name.rpartition("metadata/")
        if found and (not head or head.endswith("/")) and _is_part(found + tail, "metadata"):
            roots.add(head)
    complete = [root for root in sorted(roots, key=len)
                if looks_like_spark_model([name[len(root):] for name in names if name.startswith(root)])]
    return (complete or sorted(roots, key=len) or [None])[0]  # a lone metadata/ gets the model's message


def _is_part(name: str, folder: str, suffix: str = "") -> bool:
    head, _, file = name.partition("/")
    return head == folder and "/" not in file and file.startswith("part-") and file.endswith(suffix) and \
        not file.endswith(".crc")


def read_spark_model(files: Files, limit: int | None = None, where: str = "The Spark model") -> Embeddings:
    """Word vectors of a saved Spark ``Word2VecModel``, in the model's own (hash) order, without counts."""
    check_limit(limit)
    names = sorted(files)
    if not looks_like_spark_model(names):
        raise VectorFormatError(f"{where} is not a Spark Word2VecModel: expected a metadata/ folder with a part-* "
                                "file and Parquet files under data/ (as model.save(path) writes them).")
    metadata = _metadata(files[next(n for n in names if _is_part(n, "metadata"))](), where)
    parts = [n for n in names if _is_part(n, "data", ".parquet")]
    words, vectors = _vectors(files, parts, limit)
    dim = vectors.shape[1] if vectors.ndim == 2 else 0
    expected = metadata.get("paramMap", {}).get("vectorSize") or metadata.get("vectorSize")
    if expected is not None and dim and dim != expected:
        raise VectorFormatError(f"{where}: the metadata says vectorSize {expected}, but the vectors have {dim} "
                                "values; the model is damaged.")
    return to_embeddings(words, vectors, None, _config(metadata))


def _metadata(raw: bytes, where: str) -> dict:
    line = raw[:MAX_METADATA_BYTES].split(b"\n", 1)[0]
    try:
        metadata = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise VectorFormatError(f"{where}: metadata/part-* is not Spark's JSON metadata ({error}).") from error
    if not isinstance(metadata, dict) or metadata.get("class") not in MODEL_CLASSES:
        found = metadata.get("class") if isinstance(metadata, dict) else None
        raise VectorFormatError(f"{where} is a Spark {found or 'object'}, not a Word2VecModel: only Word2Vec "
                                "models hold word vectors.")
    return metadata


def _vectors(files: Files, parts: list[str], limit: int | None) -> tuple[list[str], np.ndarray]:
    """Words and (n, d) float32 vectors from the Parquet parts, stopping after ``limit`` words."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    words: list[str] = []
    blocks: list[np.ndarray] = []
    for name in parts:
        if limit is not None and len(words) >= limit:
            break
        try:
            table = pq.read_table(io.BytesIO(files[name]()))
        except (pa.ArrowException, OSError, ValueError) as error:
            raise VectorFormatError(f"{name} is not a readable Parquet file ({str(error)[:200]}); the model is "
                                    "damaged or incompletely copied.") from error
        columns = set(table.column_names)
        if {"word", "vector"} <= columns:
            part_words, part_vectors = _rows(table, name)
        elif {"wordIndex", "wordVectors"} <= columns:
            part_words, part_vectors = _legacy(table, name)
        else:
            raise VectorFormatError(f"{name} has the columns {', '.join(sorted(columns))}; a Word2VecModel has "
                                    "'word' and 'vector'.")
        keep = len(part_words) if limit is None else limit - len(words)
        words.extend(part_words[:keep])
        blocks.append(part_vectors[:keep])
    if not words:
        raise VectorFormatError("The Spark model contains no word vectors.")
    dims = {block.shape[1] for block in blocks if len(block)}
    if len(dims) > 1:
        raise VectorFormatError(f"The Parquet parts hold vectors of different sizes ({sorted(dims)}).")
    return words, np.concatenate(blocks)


def _rows(table, name: str) -> tuple[list[str], np.ndarray]:  # noqa: ANN001 - pyarrow.Table
    import pyarrow as pa

    words_column, vectors_column = table.column("word"), table.column("vector").combine_chunks()
    if not pa.types.is_string(words_column.type) and not pa.types.is_large_string(words_column.type):
        raise VectorFormatError(f"{name}: the 'word' column holds {words_column.type}, not text.")
    if not (pa.types.is_list(vectors_column.type) or pa.types.is_large_list(vectors_column.type)) or \
            not pa.types.is_floating(vectors_column.type.value_type):
        raise VectorFormatError(f"{name}: the 'vector' column holds {vectors_column.type}, not lists of numbers.")
    if words_column.null_count or vectors_column.null_count:
        raise VectorFormatError(f"{name}: some rows have no word or no vector.")
    lengths = vectors_column.value_lengths().to_numpy(zero_copy_only=False)
    if len(lengths) and (lengths != lengths[0]).any():
        row = int(np.argmax(lengths != lengths[0]))
        raise VectorFormatError(f"{name}: row {row + 1} has {lengths[row]} values, but row 1 has {lengths[0]}.")
    values = vectors_column.flatten()
    if values.null_count:
        raise VectorFormatError(f"{name}: some vectors contain missing values.")
    dim = int(lengths[0]) if len(lengths) else 0
    vectors = np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float32).reshape(len(lengths), dim)
    return words_column.to_pylist(), vectors


def _legacy(table, name: str) -> tuple[list[str], np.ndarray]:  # noqa: ANN001 - pyarrow.Table
    """Spark 2.0/2.1: one row with ``wordIndex`` (word -> row) and ``wordVectors`` (flat float array)."""
    if table.num_rows != 1:
        raise VectorFormatError(f"{name}: expected one row of wordIndex and wordVectors, found {table.num_rows}.")
    try:
        index = dict(table.column("wordIndex")[0].as_py())
        flat = np.asarray(table.column("wordVectors")[0].as_py(), dtype=np.float32)
        order = sorted(index, key=index.get)
        vectors = flat.reshape(len(order), -1)
    except (TypeError, ValueError) as error:
        raise VectorFormatError(f"{name}: wordIndex and wordVectors do not fit together ({error}).") from error
    return order, vectors


def _config(metadata: dict) -> dict:
    """The training parameters under the Lab's names."""
    params = {**metadata.get("defaultParamMap", {}), **metadata.get("paramMap", {})}
    names = {"vectorSize": "dim", "windowSize": "window", "minCount": "min_count", "maxIter": "epochs",
             "stepSize": "alpha", "seed": "seed", "numPartitions": "partitions",
             "maxSentenceLength": "max_sentence_length"}
    config = {ours: params[theirs] for theirs, ours in names.items() if theirs in params}
    if "vectorSize" in metadata:
        config["dim"] = metadata["vectorSize"]
    config = {key: value for key, value in config.items() if isinstance(value, int | float)}
    return {"engine": "spark", "model": "skipgram", "loss": "hierarchical", **config,
            "spark_version": str(metadata.get("sparkVersion", ""))[:40]}
