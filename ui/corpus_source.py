"""The corpus a session trains on: a bundled one (generated teaching text, sample text) or uploaded files.

Pure functions (no Streamlit): ``ui/corpus_state.py`` and ``ui/uploads.py`` cache and store their results.
"""

from __future__ import annotations

import hashlib
import io
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from w2v_core.corpus import (
    GZIP_MAGIC,
    Corpus,
    CorpusError,
    CorpusSizeError,
    bom_encoding,
    corpus_from_encoder,
    decode_bytes,
    feed_lines,
    feed_stream,
    new_encoder,
    restrict_vocabulary,
)
from w2v_core.datasets import KJV_PATH
from w2v_core.encoder import CorpusEncoder
from w2v_core.phrases import PhraseOptions

SOURCES = {
    "teaching": "Teaching corpus (generated)",
    "sample": "King James Bible (sample text)",
    "upload": "My text files",
    "server": "A corpus on this server",
}
SAMPLE_PATH = KJV_PATH  # shipped inside w2v_core (package data)
MAX_TEXT_BYTES = 250_000_000  # unpacked text of all uploaded files, unless the caller gives a limit
TEACHING_SEED = 0


@dataclass(frozen=True)
class CorpusSettings:
    """Everything that decides which corpus is built (hashable: a cache key)."""

    source: str = "teaching"
    min_count: int = 5
    max_vocab: int | None = None
    lowercase: bool = True
    teaching_sentences: int = 100_000
    uploads_id: str = ""  # fingerprint of the uploaded files, "" when there are none
    encoding: str = "utf-8"
    server_file: str = ""  # name of the chosen file of corpora_dir (source "server")
    server_stamp: str = ""  # its size and modification time: an edited file is built again
    whitespace: bool = False  # the text is already tokenized: split on white space only
    nfkc: bool = False  # Unicode NFKC normalisation first
    cjk: str = "characters"  # Han and kana: one token per character, or "jieba" (Chinese words)
    phrases: PhraseOptions | None = None  # join frequent pairs (new_york) when set


@dataclass
class LoadedCorpus:
    """A built corpus with the statistics the Corpus page shows."""

    name: str
    settings: CorpusSettings
    corpus: Corpus
    all_words: list[str]  # every distinct token (min_count=1), by descending count
    all_counts: np.ndarray  # (T,) int64 counts of all_words
    seconds: float  # time taken to build


def uploads_fingerprint(files: Sequence[tuple[str, bytes]]) -> str:
    """A short hash of uploaded (name, bytes) pairs; "" when there are none."""
    if not files:
        return ""
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode("utf-8", "replace") + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()[:16]


def corpus_name(settings: CorpusSettings, file_names: Sequence[str] = ()) -> str:
    """Human-readable name of the corpus chosen by ``settings``."""
    if settings.source == "teaching":
        return f"Teaching corpus ({settings.teaching_sentences:,} sentences)"
    if settings.source == "sample":
        return "King James Bible"
    if settings.source == "server":
        return f"Server: {settings.server_file}"
    shown = ", ".join(file_names[:3]) + (f" and {len(file_names) - 3} more" if len(file_names) > 3 else "")
    return f"Uploaded: {shown}" if shown else "Uploaded files"


def corpus_source(settings: CorpusSettings, file_names: Sequence[str] = ()) -> dict:
    """How to build this corpus again, as a run file keeps it (``runfile.CorpusInfo.source``)."""
    phrases = settings.phrases
    tokenizer = {"max_vocab": settings.max_vocab, "lowercase": settings.lowercase, "whitespace": settings.whitespace,
                 "nfkc": settings.nfkc, "cjk": settings.cjk,
                 "phrases": None if phrases is None else {"threshold": phrases.threshold,
                                                          "min_count": phrases.min_count, "passes": phrases.passes}}
    if settings.source == "teaching":
        return {"kind": "teaching", "sentences": settings.teaching_sentences, "seed": TEACHING_SEED, **tokenizer}
    if settings.source == "sample":
        return {"kind": "sample", **tokenizer}
    if settings.source == "server":
        return {"kind": "server", "file": settings.server_file, "encoding": settings.encoding, **tokenizer}
    return {"kind": "upload", "files": list(file_names), "encoding": settings.encoding, **tokenizer}


def bundled_settings(source: dict, min_count: int) -> CorpusSettings | None:
    """The settings that build a run's bundled corpus again (None for uploaded text, or another seed)."""
    kind = source.get("kind")
    max_vocab = source.get("max_vocab")
    phrases = source.get("phrases")
    common = {"min_count": min_count, "max_vocab": max_vocab if isinstance(max_vocab, int) else None,
              "lowercase": source.get("lowercase", True) is not False, "whitespace": source.get("whitespace") is True,
              "nfkc": source.get("nfkc") is True, "cjk": "jieba" if source.get("cjk") == "jieba" else "characters",
              "phrases": _phrase_options(phrases) if isinstance(phrases, dict) else None}
    if kind == "teaching" and source.get("seed", TEACHING_SEED) == TEACHING_SEED:
        sentences = source.get("sentences")
        if isinstance(sentences, int) and 100 <= sentences <= 1_000_000:
            return CorpusSettings(source="teaching", teaching_sentences=sentences, **common)
    if kind == "sample":
        return CorpusSettings(source="sample", **common)
    return None


def _phrase_options(values: dict) -> PhraseOptions | None:
    """Phrase options from a run file's values, None when they do not make valid options."""
    try:
        options = PhraseOptions(float(values.get("threshold")), int(values.get("min_count")),
                                int(values.get("passes", 1)))
        options.validate()
    except (TypeError, ValueError):
        return None
    return options


def _build(name: str, settings: CorpusSettings, read: Callable[[CorpusEncoder], object]) -> LoadedCorpus:
    """The corpus ``read`` feeds into the pipeline, with every word's count (the text is read once)."""
    start = time.perf_counter()
    encoder = new_encoder(settings.lowercase, settings.whitespace, settings.nfkc, settings.cjk)
    read(encoder)
    everything = corpus_from_encoder(encoder, min_count=1, phrases=settings.phrases)
    corpus = restrict_vocabulary(everything, settings.min_count, settings.max_vocab)
    return LoadedCorpus(name=name, settings=settings, corpus=corpus, all_words=everything.vocab.words,
                        all_counts=everything.vocab.counts, seconds=time.perf_counter() - start)


def load_bundled(settings: CorpusSettings) -> LoadedCorpus:
    """Build the generated teaching corpus or the bundled sample text as ``settings`` say."""
    if settings.source == "teaching":
        from w2v_core.teaching import generate_teaching_corpus

        if not 100 <= settings.teaching_sentences <= 1_000_000:
            raise CorpusError("The teaching corpus needs between 100 and 1,000,000 sentences.")
        lines = generate_teaching_corpus(settings.teaching_sentences, seed=TEACHING_SEED)
        return _build(corpus_name(settings), settings, lambda encoder: feed_lines(encoder, lines))
    if settings.source == "sample":
        def read(encoder: CorpusEncoder) -> None:
            with SAMPLE_PATH.open("rb") as stream:
                feed_stream(encoder, stream)

        return _build(corpus_name(settings), settings, read)
    raise CorpusError(f"Unknown bundled corpus {settings.source!r}.")


def load_file(path: Path, name: str, settings: CorpusSettings) -> LoadedCorpus:
    """Build the corpus of a text file on the server's own disk, streamed chunk by chunk (no size cap)."""
    def read(encoder: CorpusEncoder) -> None:
        with path.open("rb") as stream:
            feed_stream(encoder, stream, settings.encoding)

    return _build(name, settings, read)


def _too_large(max_bytes: int, several: bool) -> str:
    together = " (all files together)" if several else ""
    return (f"this server takes at most {max_bytes / 1e6:g} MB of text per session{together}. Upload a "
            "smaller sample of it.")


def upload_problem(sizes: Sequence[tuple[str, int]], max_files: int, max_bytes: int) -> str | None:
    """Why uploads of these ``(name, size in bytes)`` cannot be used before reading them, or None."""
    if len(sizes) > max_files:
        return (f"{len(sizes)} files were uploaded, but this server takes at most {max_files} per session. Join "
                "some of them into one file, or upload fewer.")
    if sum(size for _, size in sizes) > max_bytes:  # unpacked text is never smaller than the upload
        total = sum(size for _, size in sizes)
        return f"The upload is {total / 1e6:.1f} MB, too large: " + _too_large(max_bytes, len(sizes) > 1)
    return None


def _read_uploads(encoder: CorpusEncoder, files: Sequence[tuple[str, bytes]], encoding: str,
                  max_bytes: int) -> None:
    """Stream each uploaded file into ``encoder`` (their lines in order), within ``max_bytes`` of text."""
    used = 0
    for name, data in files:
        tokens_before = encoder.n_tokens
        try:
            used += feed_stream(encoder, io.BytesIO(data), encoding=encoding, max_bytes=max_bytes - used)
            blank = encoder.n_tokens == tokens_before and not decode_bytes(data, encoding=encoding).strip()
        except CorpusSizeError as error:
            raise CorpusSizeError(f"{name}: the text is too large: {_too_large(max_bytes, len(files) > 1)}") \
                from error
        except CorpusError as error:
            raise type(error)(f"{name}: {error}") from error
        if blank:
            raise CorpusError(f"{name} is empty (or only white space). Upload a text file with a few "
                              "sentences in it, one per line.")


def load_uploaded(files: Sequence[tuple[str, bytes]], settings: CorpusSettings, max_bytes: int = MAX_TEXT_BYTES,
                  max_files: int | None = None) -> LoadedCorpus:
    """Decode and build the uploaded ``(name, bytes)`` files as one corpus (their lines in order), with at most
    ``max_bytes`` of unpacked text and ``max_files`` files."""
    if not files:
        raise CorpusError("No files uploaded yet. Upload one or more .txt or .gz files, one sentence per line.")
    problem = upload_problem([(name, len(data)) for name, data in files], max_files or len(files), max_bytes)
    if problem:
        raise CorpusSizeError(problem)
    return _build(corpus_name(settings, [name for name, _ in files]), settings,
                  lambda encoder: _read_uploads(encoder, files, settings.encoding, max_bytes))


ENCODING_NAMES = {"utf-8": "UTF-8", "latin-1": "latin-1", "utf-16": "UTF-16", "utf-32": "UTF-32"}


def _head(data: bytes, size: int = 4) -> bytes:
    """The first ``size`` bytes of a file's text (unpacking just enough of a gzip file)."""
    if data[:2] != GZIP_MAGIC:
        return data[:size]
    try:
        return zlib.decompressobj(wbits=31).decompress(data, size)
    except zlib.error:
        return b""


def encodings_in_use(files: Sequence[tuple[str, bytes]], encoding: str) -> str:
    """How the uploaded ``(name, bytes)`` files are read, e.g. "UTF-8" or "latin-1 (a.txt), UTF-16 (b.txt)":
    ``encoding`` unless a file starts with a UTF-16/32 byte-order mark."""
    used = [(name, bom_encoding(_head(data)) or encoding) for name, data in files]
    names = {ENCODING_NAMES.get(e, e) for _, e in used}
    if len(names) == 1:
        return names.pop()
    return ", ".join(f"{ENCODING_NAMES.get(e, e)} ({name})" for name, e in used)


def min_count_table(counts: np.ndarray, values: Sequence[int] = (1, 2, 3, 5, 10, 20, 50, 100)) -> list[dict]:
    """For each min_count in ``values``: words kept and share of tokens kept, from all counts (T,)."""
    total = max(int(counts.sum()), 1)
    rows = []
    for value in values:
        kept = counts >= value
        rows.append({"min_count": value, "words kept": int(kept.sum()),
                     "tokens kept": f"{counts[kept].sum() / total:.1%}"})
    return rows
