"""Run files (``.w2vrun``): a whole training run in one file, to open anywhere and to continue.

A run file is a zip archive holding ``manifest.json`` (format version, configuration, corpus statistics, the
trainer's position, and the dtype and shape of every array) and one ``.npy`` file per array (vocabulary, input
and output weights, loss and gradient histories, Evolution snapshots, a short excerpt of the corpus). Nothing is
pickled. This module only writes, reads and validates them; ``Trainer.run_state`` and ``Trainer.from_run_state``
capture and restore a trainer.

Opening checks everything before use: the manifest first (format, version, array names, dtypes, shapes, their
agreement with each other and with size limits), then each zip entry's sizes against the manifest before it is
decompressed (at most the declared number of bytes is ever inflated, in memory), then the arrays' values. Any
problem raises ``RunFileError`` with one message that says what is wrong.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import math
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from . import spill
from .config import TrainConfig
from .corpus import Corpus, Vocabulary
from .states import SAVABLE

FORMAT = "w2vrun"
VERSION = 1
EXTENSION = ".w2vrun"
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 1_000_000
MAX_ENTRIES = 40
MAX_UNPACKED_BYTES = 4_000_000_000  # all arrays together, unless the caller allows less
MAX_DEFLATE_RATIO = 1100  # deflate never packs more than ~1032:1: an entry claiming more is forged
MAX_NPY_HEADER = 4096
MAX_WORD_BYTES = 1000  # UTF-8 bytes per vocabulary word, on average at most
MAX_HISTORY_POINTS = 200_000
MAX_SNAPSHOTS = 1_000
SAMPLE_SENTENCES = 200  # the corpus excerpt kept for the gradient lab of an opened run
SAMPLE_TOKENS = 20_000
STATES = SAVABLE
HALF_MAX = float(np.finfo(np.float16).max)
LOSS_COLUMNS = ("words_done", "epoch", "loss", "loss_positive", "loss_negative", "alpha", "pairs")

# name -> (dtype, number of dimensions). Snapshots and the gradient history are kept in float16: they are only
# displayed (projections, neighbours, charts) and they are most of a run's size; what training continues from
# is exact.
ARRAYS: dict[str, tuple[str, int]] = {
    "vocab_words": ("|u1", 1),  # the words in UTF-8, separated by "\n"
    "vocab_counts": ("<i8", 1),
    "w_in": ("<f4", 2),
    "w_out": ("<f4", 2),
    "loss_points": ("<f8", 2),
    "epoch_sums": ("<f8", 2),
    "gradient_words": ("<i8", 1),
    "gradient_input": ("<f2", 2),
    "gradient_output": ("<f2", 2),
    "latest_gradient_norms": ("<f4", 2),
    "latest_gradient_updates": ("<i8", 2),
    "snapshot_meta": ("<f8", 2),
    "snapshot_ids": ("<i4", 1),
    "snapshot_vectors": ("<f2", 3),
    "sample_ids": ("<i4", 1),
    "sample_starts": ("<i8", 1),
}
STORED = ("w_in", "w_out", "snapshot_vectors")  # dense floats: deflate saves under 10 % and costs seconds


class RunFileError(ValueError):
    """A run file that cannot be used: truncated, tampered, foreign, too large or inconsistent."""


@dataclass
class CorpusInfo:
    """The corpus a run was trained on: its name, statistics, how to build it again and a fingerprint.

    ``source`` says how to build it again: {"kind": "file", "path": ...} (command line), {"kind": "teaching",
    "sentences": n, "seed": s}, {"kind": "sample"} or {"kind": "upload", "files": [...]} (the app), with the
    tokenizer settings (min_count, max_vocab, lowercase, whitespace, encoding).
    """

    name: str
    tokens: int  # kept tokens per epoch
    sentences: int
    total_tokens: int  # all tokens of the text, kept or not
    total_types: int
    min_count: int
    fingerprint: str  # sha256 of the encoded text (token ids and sentence starts)
    source: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunState:
    """Everything a run file holds. Array shapes: V words, d dimensions, E epochs, P loss points, H gradient
    reports of the R most frequent words, n snapshots of R' words, m excerpt tokens in k sentences.

    Snapshots and gradient reports are lists of the trainer's own (never changed) arrays, so that keeping a
    RunState of a run costs little more than its weights; they are stacked into float16 when written."""

    config: dict[str, Any]
    corpus: CorpusInfo
    words: list[str]
    counts: np.ndarray  # (V,) int64
    w_in: np.ndarray  # (V, d) float32
    w_out: np.ndarray  # (V, d) float32, or (V-1, d) inner nodes for hierarchical softmax
    state: str  # one of SAVABLE: "finished", "stopped" or "paused"
    next_job: int  # the first job not trained: every job before it is (at workers=1 exactly in order)
    jobs_per_epoch: int
    chunk_words: int
    words_done: int
    alpha: float  # learning rate at the last word trained
    elapsed_seconds: float
    loss_points: np.ndarray  # (P, 7) float64, columns LOSS_COLUMNS
    epoch_sums: np.ndarray  # (E, 2) float64: loss sum, examples
    gradient_words: np.ndarray  # (H,) int64
    gradient_input: list[np.ndarray]  # H rows (R,): float32 from a trainer (its own arrays), float16 from a file
    gradient_output: list[np.ndarray]  # H rows (R,)
    latest_gradient_words: int | None  # words_done of the latest gradient report (None: none yet)
    latest_gradient_norms: np.ndarray  # (2, V) float32 input, output (or (2, 0))
    latest_gradient_updates: np.ndarray  # (2, V) int64 (or (2, 0))
    snapshot_meta: np.ndarray  # (n, 3) float64: words_done, epoch, loss
    snapshot_ids: np.ndarray  # (R',) int32
    snapshot_vectors: list[np.ndarray]  # n arrays (R', d): float32 from a trainer (its own), float16 from a file
    sample_ids: np.ndarray  # (m,) int32: the first sentences of the corpus, as ids
    sample_starts: np.ndarray  # (k+1,) int64
    last_report: int = 0
    last_snapshot: int = -1
    created: str = ""

    @property
    def vocab_size(self) -> int:
        return len(self.words)

    @property
    def epochs(self) -> int:
        return int(self.config["epochs"])

    @property
    def n_jobs(self) -> int:
        return self.jobs_per_epoch * self.epochs

    @property
    def words_total(self) -> int:
        return self.corpus.tokens * self.epochs

    @property
    def epochs_done(self) -> int:
        """Whole epochs trained."""
        return self.next_job // max(self.jobs_per_epoch, 1)

    def describe(self) -> str:
        """One line, e.g. "skipgram, negative, dim 100 on King James Bible: 3 of 5 epochs (stopped)"."""
        c = self.config
        return (f"{c['model']}, {c['loss']}, dim {c['dim']} on {self.corpus.name}: {self.words_done:,} of "
                f"{self.words_total:,} words, epoch {min(self.epochs_done + 1, self.epochs)} of {self.epochs} "
                f"({self.state})")


@dataclass
class CorpusExcerpt(Corpus):
    """The first sentences of a run's corpus (``ids``, ``sentence_starts``) with its full size: enough to look at
    an opened run (its gradient lab works on these lines), not to train it."""

    full_tokens: int = 0

    @property
    def n_tokens(self) -> int:
        return self.full_tokens


def excerpt_of(run: RunState) -> CorpusExcerpt:
    """The corpus stand-in of a run opened without its text."""
    vocab = Vocabulary(words=list(run.words), counts=run.counts, total_tokens=run.corpus.total_tokens,
                       total_types=run.corpus.total_types, min_count=run.corpus.min_count)
    return CorpusExcerpt(vocab=vocab, ids=run.sample_ids, sentence_starts=run.sample_starts,
                         full_tokens=run.corpus.tokens)


def excerpt_arrays(ids: np.ndarray, sentence_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first ``SAMPLE_SENTENCES`` sentences of a corpus (at most ``SAMPLE_TOKENS`` tokens): (ids, starts)."""
    starts = sentence_starts[:SAMPLE_SENTENCES + 1]
    starts = starts[starts <= SAMPLE_TOKENS]
    if len(starts) < 2:  # one very long first sentence: its beginning
        starts = np.array([0, min(SAMPLE_TOKENS, int(sentence_starts[1]))], dtype=np.int64)
    return ids[:starts[-1]].astype(np.int32), starts.astype(np.int64)


def vocabulary_difference(run: RunState, corpus: Corpus) -> str | None:
    """What differs between the run's vocabulary and ``corpus``'s (None when they agree), in words."""
    words, counts = corpus.vocab.words, corpus.vocab.counts
    if len(words) != run.vocab_size:
        return (f"the run's vocabulary has {run.vocab_size:,} words, this corpus's {len(words):,} (same text "
                f"and min_count {run.corpus.min_count}?)")
    for rank, (mine, theirs) in enumerate(zip(run.words, words, strict=True)):
        if mine != theirs:
            return f"word {rank + 1} by frequency is {mine!r} in the run but {theirs!r} in this corpus"
    differs = np.flatnonzero(run.counts != counts)
    if len(differs):
        rank = int(differs[0])
        return (f"{run.words[rank]!r} occurs {int(run.counts[rank]):,} times in the run's corpus but "
                f"{int(counts[rank]):,} times in this one")
    if corpus.n_tokens != run.corpus.tokens:
        return f"the run's corpus has {run.corpus.tokens:,} tokens, this one {corpus.n_tokens:,}"
    return None


def corpus_fingerprint(ids: np.ndarray, sentence_starts: np.ndarray) -> str:
    """sha256 of an encoded corpus (token ids and sentence starts): the same text gives the same print."""
    digest = hashlib.sha256()
    block = 1 << 22
    for begin in range(0, len(ids), block):  # in blocks: a spilled corpus never sits in memory whole
        digest.update(np.ascontiguousarray(ids[begin:begin + block], dtype="<i4").data)
        spill.give_back(ids, begin, begin + block)
    digest.update(np.ascontiguousarray(sentence_starts, dtype="<i8").tobytes())
    return digest.hexdigest()


# ----------------------------------------------------------------------------------------------- writing


def _half(rows: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """Arrays stacked into one float16 array of ``shape`` (clipped to float16's range)."""
    stacked = np.array(rows, dtype=np.float32).reshape(shape)
    return np.clip(stacked, -HALF_MAX, HALF_MAX).astype(np.float16)


def _arrays_of(run: RunState) -> dict[str, np.ndarray]:
    words = "\n".join(run.words).encode("utf-8")
    reports, snapshots = len(run.gradient_input), len(run.snapshot_vectors)
    history_rows = len(run.gradient_input[0]) if reports else 0
    snapshot_shape = (snapshots, len(run.snapshot_ids), run.w_in.shape[1])
    arrays = {
        "vocab_words": np.frombuffer(words, dtype=np.uint8), "vocab_counts": run.counts,
        "w_in": run.w_in, "w_out": run.w_out, "loss_points": run.loss_points, "epoch_sums": run.epoch_sums,
        "gradient_words": run.gradient_words,
        "gradient_input": _half(run.gradient_input, (reports, history_rows)),
        "gradient_output": _half(run.gradient_output, (reports, history_rows)),
        "latest_gradient_norms": run.latest_gradient_norms,
        "latest_gradient_updates": run.latest_gradient_updates, "snapshot_meta": run.snapshot_meta,
        "snapshot_ids": run.snapshot_ids, "snapshot_vectors": _half(run.snapshot_vectors, snapshot_shape),
        "sample_ids": run.sample_ids, "sample_starts": run.sample_starts,
    }
    return {name: np.ascontiguousarray(array, dtype=np.dtype(ARRAYS[name][0])) for name, array in arrays.items()}


def _manifest_of(run: RunState, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    return {
        "format": FORMAT, "version": VERSION,
        "created": run.created or datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "config": run.config,
        "corpus": {"name": run.corpus.name, "tokens": run.corpus.tokens, "sentences": run.corpus.sentences,
                   "total_tokens": run.corpus.total_tokens, "total_types": run.corpus.total_types,
                   "min_count": run.corpus.min_count, "fingerprint": run.corpus.fingerprint,
                   "source": run.corpus.source},
        "vocab_size": run.vocab_size,
        "position": {"state": run.state, "epochs_done": run.epochs_done,  # (informative: from next_job)
                     "next_job": run.next_job, "jobs_per_epoch": run.jobs_per_epoch,
                     "chunk_words": run.chunk_words, "words_done": run.words_done, "alpha": run.alpha,
                     "elapsed_seconds": run.elapsed_seconds, "last_report": run.last_report,
                     "last_snapshot": run.last_snapshot, "latest_gradient_words": run.latest_gradient_words,
                     # every job draws from its own generator, seeded by splitmix64(seed, job): the position
                     # and the seed are the whole random state
                     "rng": {"scheme": "splitmix64(seed, job) per job", "seed": run.config["seed"],
                             "next_job": run.next_job}},
        "arrays": {name: {"dtype": array.dtype.str, "shape": list(array.shape)} for name, array in arrays.items()},
    }


def run_bytes(run: RunState) -> bytes:
    """The run file's contents."""
    out = io.BytesIO()
    _write(run, out)
    return out.getvalue()


def write_run(run: RunState, path: str | Path) -> Path:
    """Write the run file at ``path`` (through a temporary file beside it, so a failed write leaves no half
    file); returns the path."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "wb") as out:
            _write(run, out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _write(run: RunState, out: io.RawIOBase | io.BufferedIOBase) -> None:
    arrays = _arrays_of(run)
    manifest = _manifest_of(run, arrays)
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1), compress_type=zipfile.ZIP_DEFLATED)
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=False)
            packing = zipfile.ZIP_STORED if name in STORED else zipfile.ZIP_DEFLATED
            archive.writestr(f"{name}.npy", buffer.getvalue(), compress_type=packing, compresslevel=1)


# ----------------------------------------------------------------------------------------------- reading


def read_run(source: str | Path | bytes, max_bytes: int = MAX_UNPACKED_BYTES, name: str = "") -> RunState:
    """Open a run file (a path, or its bytes and ``name`` for messages), checking everything; raises
    ``RunFileError``. ``max_bytes`` bounds the unpacked size of its arrays, checked from the manifest before any
    is read.
    """
    what = f"The run file {name}" if name else "The run file"
    if isinstance(source, str | Path):
        path = Path(source)
        what = f"The run file {path.name}"
        if not path.is_file():
            raise RunFileError(f"No such run file: {path}")
        if path.stat().st_size > max_bytes + MAX_MANIFEST_BYTES:
            raise RunFileError(f"{what} is {_mb(path.stat().st_size)} MB, larger than the "
                               f"{_mb(max_bytes)} MB of arrays allowed here.")
        data = path.read_bytes()
    else:
        data = bytes(source)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise RunFileError(f"{what} is not a Word2Vec Lab run: it is not a zip archive, or it is truncated "
                           f"({error}). Save the run again.") from error
    with archive:
        try:
            return _read_archive(archive, max_bytes)
        except RunFileError as error:
            raise RunFileError(f"{what}: {error}") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, NotImplementedError,
                RuntimeError) as error:  # RuntimeError: a damaged flag byte can mark an entry as encrypted
            raise RunFileError(f"{what} is damaged or truncated ({error}). Save the run again.") from error


def describe_file(path: str | Path) -> str:
    """One line on a run file from its manifest alone (no array is read), e.g. "skipgram, negative, dim 100 on
    King James Bible, 5 epochs (finished)"; raises ``RunFileError`` for a file that is not a run."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _manifest(archive, _entries(archive)[MANIFEST])
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as error:
        if isinstance(error, RunFileError):
            raise
        raise RunFileError(f"not a readable run file ({error})") from error
    config, corpus, position = (manifest.get(key) if isinstance(manifest.get(key), dict) else {}
                                for key in ("config", "corpus", "position"))
    return (f"{config.get('model', '?')}, {config.get('loss', '?')}, dim {config.get('dim', '?')} on "
            f"{corpus.get('name') or 'a corpus'}, {config.get('epochs', '?')} epochs ({position.get('state', '?')})")


def _mb(size: int) -> str:
    """Bytes as MB for a message: "300", "2.5", "0.1"."""
    megabytes = size / 1e6
    return f"{megabytes:,.0f}" if megabytes >= 10 else f"{megabytes:.2g}"


def _entries(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise RunFileError(f"it holds {len(infos)} entries; a run has at most {MAX_ENTRIES}.")
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or (name[1:2] == ":"):
            raise RunFileError(f"the entry {name!r} names a path outside the archive; this file was tampered "
                               "with and is refused.")
        if name in entries:
            raise RunFileError(f"the entry {name!r} occurs twice; this file was tampered with and is refused.")
        entries[name] = info
    if MANIFEST not in entries:
        raise RunFileError("this zip archive is not a Word2Vec Lab run (it has no manifest.json).")
    expected = {MANIFEST, *(f"{name}.npy" for name in ARRAYS)}
    foreign = sorted(set(entries) - expected)
    if foreign:
        raise RunFileError(f"it holds entries a run does not have ({', '.join(foreign[:3])}); it is refused.")
    return entries


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int) -> bytes:
    """The entry's bytes, after checking that it unpacks to ``size`` bytes; never inflates more than that."""
    if info.file_size != size:
        raise RunFileError(f"{info.filename} unpacks to {info.file_size:,} bytes, but the manifest describes "
                           f"{size:,}; the file is damaged or was altered.")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise RunFileError(f"{info.filename} uses a compression method a run never uses.")
    if info.file_size > MAX_DEFLATE_RATIO * max(info.compress_size, 1):
        raise RunFileError(f"{info.filename} claims to unpack {info.file_size / max(info.compress_size, 1):,.0f} "
                           "times larger than it is packed, which deflate cannot do (a zip bomb); refused.")
    with archive.open(info) as stream:
        data = stream.read(size + 1)  # one byte more: reaching the end checks the CRC
    if len(data) != size:
        raise RunFileError(f"{info.filename} holds {len(data):,} bytes instead of {size:,}; the file is damaged.")
    return data


def _manifest(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[str, Any]:
    if info.file_size > MAX_MANIFEST_BYTES:
        raise RunFileError(f"its manifest is {info.file_size:,} bytes, more than a run's ever is.")
    text = _read_entry(archive, info, info.file_size)
    try:
        manifest = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RunFileError(f"its manifest is not valid JSON ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RunFileError("this zip archive is not a Word2Vec Lab run (its manifest has another format).")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RunFileError(f"its format version {version!r} is not valid.")
    if version > VERSION:
        raise RunFileError(f"it was saved in run format version {version}, newer than this Word2Vec Lab reads "
                           f"(up to {VERSION}). Update the Lab to open it.")
    return manifest


def _need(table: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(table, dict) or key not in table:
        raise RunFileError(f"its manifest lacks {where}{key}.")
    value = table[key]
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        raise RunFileError(f"its manifest's {where}{key} has the wrong type ({type(value).__name__}).")
    return value


def _count(table: Any, key: str, where: str, low: int = 0, high: int = 2**62) -> int:
    value = _need(table, key, int, where)
    if not low <= value <= high:
        raise RunFileError(f"its manifest's {where}{key} = {value} is out of range [{low}, {high}].")
    return value


def _expected_shapes(manifest: dict[str, Any], config: TrainConfig) -> dict[str, tuple[int, ...]]:
    """Each array's shape from the manifest, checked against the others and the configuration."""
    declared = _need(manifest, "arrays", dict, "")
    missing = sorted(set(ARRAYS) - set(declared))
    unknown = sorted(set(declared) - set(ARRAYS))
    if missing or unknown:
        raise RunFileError(f"its manifest lists the wrong arrays (missing: {', '.join(missing) or 'none'}; "
                           f"unknown: {', '.join(unknown) or 'none'}).")
    shapes: dict[str, tuple[int, ...]] = {}
    for name, (dtype, ndim) in ARRAYS.items():
        spec = declared[name]
        if _need(spec, "dtype", str, f"arrays.{name}.") != dtype:
            raise RunFileError(f"the array {name} is declared as {spec['dtype']}, but a run stores it as {dtype}.")
        shape = _need(spec, "shape", list, f"arrays.{name}.")
        if len(shape) != ndim or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in shape):
            raise RunFileError(f"the array {name} has the shape {shape}; a run's has {ndim} dimension(s).")
        shapes[name] = tuple(shape)
    v, d, e = _count(manifest, "vocab_size", "", 1), config.dim, config.epochs
    n_out = max(v - 1, 1) if config.loss == "hierarchical" else v
    points, reports, snapshots = (shapes["loss_points"][0], shapes["gradient_words"][0],
                                  shapes["snapshot_meta"][0])
    history_rows, snapshot_rows = shapes["gradient_input"][1], shapes["snapshot_ids"][0]
    latest = shapes["latest_gradient_norms"][1]
    wanted = {
        "vocab_counts": (v,), "w_in": (v, d), "w_out": (n_out, d), "loss_points": (points, len(LOSS_COLUMNS)),
        "epoch_sums": (e, 2), "gradient_input": (reports, history_rows),
        "gradient_output": (reports, history_rows), "latest_gradient_norms": (2, latest),
        "latest_gradient_updates": (2, latest), "snapshot_meta": (snapshots, 3),
        "snapshot_vectors": (snapshots, snapshot_rows, d), "sample_starts": (shapes["sample_starts"][0],),
    }
    for name, shape in wanted.items():
        if shapes[name] != shape:
            raise RunFileError(f"the array {name} has the shape {list(shapes[name])}, which disagrees with the "
                               f"rest of the run (expected {list(shape)}).")
    if latest not in (0, v):
        raise RunFileError(f"the latest gradients cover {latest} words, not the vocabulary's {v}.")
    if history_rows > v or snapshot_rows > v:
        raise RunFileError("its gradient history or snapshots cover more words than the vocabulary has.")
    if shapes["vocab_words"][0] > v * MAX_WORD_BYTES or shapes["sample_starts"][0] < 1:
        raise RunFileError("its vocabulary or corpus excerpt has an impossible size.")
    if points > MAX_HISTORY_POINTS or reports > MAX_HISTORY_POINTS or snapshots > MAX_SNAPSHOTS:
        raise RunFileError("its histories are longer than a run ever keeps.")
    return shapes


def _config(manifest: dict[str, Any]) -> TrainConfig:
    values = _need(manifest, "config", dict, "")
    config = TrainConfig.from_dict(values)
    try:
        config.validate()
    except (ValueError, TypeError) as error:  # ConfigError, or a number that is text
        raise RunFileError(f"its configuration is not valid: {error}") from error
    if not all(isinstance(getattr(config, name), bool) for name in ("shared_negatives", "cbow_full_step",
                                                                     "telemetry")):
        raise RunFileError("its configuration has a yes/no setting that is not true or false.")
    if any(isinstance(getattr(config, name), bool) for name in ("alpha", "min_alpha", "sample", "ns_exponent")):
        raise RunFileError("its configuration has a number that is true or false.")
    return config


def _load_array(data: bytes, name: str, shape: tuple[int, ...]) -> np.ndarray:
    dtype = np.dtype(ARRAYS[name][0])
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        header = (np.lib.format.read_array_header_1_0 if version == (1, 0) else
                  np.lib.format.read_array_header_2_0)(stream, max_header_size=MAX_NPY_HEADER)
    except (ValueError, OSError, SyntaxError) as error:
        raise RunFileError(f"{name}.npy is not a valid .npy array ({error}).") from error
    found_shape, fortran, found_dtype = header
    if found_dtype != dtype or tuple(found_shape) != shape or (fortran and len(shape) > 1):
        raise RunFileError(f"{name}.npy holds {found_dtype} {list(found_shape)}, not the {dtype} {list(shape)} "
                           "its manifest declares.")
    if len(data) - stream.tell() != dtype.itemsize * math.prod(shape):
        raise RunFileError(f"{name}.npy has {len(data) - stream.tell():,} bytes of data instead of "
                           f"{dtype.itemsize * math.prod(shape):,}.")
    stream.seek(0)
    return np.load(stream, allow_pickle=False)


def _read_archive(archive: zipfile.ZipFile, max_bytes: int) -> RunState:
    entries = _entries(archive)
    manifest = _manifest(archive, entries[MANIFEST])
    config = _config(manifest)
    shapes = _expected_shapes(manifest, config)
    sizes = {name: np.dtype(ARRAYS[name][0]).itemsize * math.prod(shape) for name, shape in shapes.items()}
    total = sum(sizes.values())
    if total > max_bytes:
        raise RunFileError(f"its arrays unpack to {_mb(total)} MB, more than the {_mb(max_bytes)} MB "
                           "allowed here.")
    absent = sorted(f"{name}.npy" for name in ARRAYS if f"{name}.npy" not in entries)
    if absent:
        raise RunFileError(f"it lacks {', '.join(absent[:3])}; the file is incomplete.")
    for name in ARRAYS:  # every entry's declared size is checked before any array is inflated
        info = entries[f"{name}.npy"]
        if not sizes[name] <= info.file_size <= sizes[name] + MAX_NPY_HEADER:
            raise RunFileError(f"{name}.npy unpacks to {info.file_size:,} bytes, which does not match the "
                               f"{list(shapes[name])} array its manifest declares.")
    arrays = {name: _load_array(_read_entry(archive, entries[f"{name}.npy"], entries[f"{name}.npy"].file_size),
                                name, shapes[name]) for name in ARRAYS}
    return _assemble(manifest, config, arrays)


def _assemble(manifest: dict[str, Any], config: TrainConfig, arrays: dict[str, np.ndarray]) -> RunState:
    """The RunState, after checking the values that shapes alone cannot. Its arrays are read-only: a run read
    once may be shared (the app shares the runs of its runs_dir between sessions)."""
    for array in arrays.values():
        array.flags.writeable = False
    try:
        words = arrays["vocab_words"].tobytes().decode("utf-8").split("\n")
    except UnicodeDecodeError as error:
        raise RunFileError(f"its vocabulary is not valid UTF-8 ({error}).") from error
    v = manifest["vocab_size"]
    if len(words) != v or not all(words) or len(set(words)) != v:
        raise RunFileError(f"its vocabulary should hold {v:,} distinct words, but holds {len(words):,} "
                           f"({len(set(words)):,} distinct).")
    counts = arrays["vocab_counts"]
    if (counts < 1).any() or (np.diff(counts) > 0).any():
        raise RunFileError("its word counts are not positive and in descending order.")
    for name in ("w_in", "w_out"):
        if not np.isfinite(arrays[name]).all():
            raise RunFileError(f"its {name} weights hold values that are not finite numbers.")
    corpus_table = _need(manifest, "corpus", dict, "")
    corpus = CorpusInfo(
        name=_need(corpus_table, "name", str, "corpus."), tokens=_count(corpus_table, "tokens", "corpus.", 1),
        sentences=_count(corpus_table, "sentences", "corpus.", 1),
        total_tokens=_count(corpus_table, "total_tokens", "corpus."),
        total_types=_count(corpus_table, "total_types", "corpus."),
        min_count=_count(corpus_table, "min_count", "corpus.", 1),
        fingerprint=_need(corpus_table, "fingerprint", str, "corpus."),
        source=_need(corpus_table, "source", dict, "corpus."))
    position = _need(manifest, "position", dict, "")
    jobs_per_epoch = _count(position, "jobs_per_epoch", "position.", 1, corpus.sentences)
    state = _need(position, "state", str, "position.")
    if state not in STATES:
        raise RunFileError(f"its state {state!r} is not one of {', '.join(STATES)}.")
    words_total = corpus.tokens * config.epochs
    latest = position.get("latest_gradient_words")
    if latest is not None and (isinstance(latest, bool) or not isinstance(latest, int) or
                               not 0 <= latest <= words_total):
        raise RunFileError("its manifest's position.latest_gradient_words is not a position in the run.")
    alpha = _need(position, "alpha", (int, float), "position.")
    elapsed = _need(position, "elapsed_seconds", (int, float), "position.")
    if not (0 <= alpha <= 10 and math.isfinite(elapsed) and 0 <= elapsed < 1e9):
        raise RunFileError("its learning rate or elapsed time is out of range.")
    run = RunState(
        config=config.to_dict(), corpus=corpus, words=words, counts=counts, w_in=arrays["w_in"],
        w_out=arrays["w_out"], state=state,
        next_job=_count(position, "next_job", "position.", 0, jobs_per_epoch * config.epochs),
        jobs_per_epoch=jobs_per_epoch, chunk_words=_count(position, "chunk_words", "position.", 1),
        words_done=_count(position, "words_done", "position.", 0, words_total), alpha=float(alpha),
        elapsed_seconds=float(elapsed), loss_points=arrays["loss_points"], epoch_sums=arrays["epoch_sums"],
        gradient_words=arrays["gradient_words"], gradient_input=list(arrays["gradient_input"]),
        gradient_output=list(arrays["gradient_output"]), latest_gradient_words=latest,
        latest_gradient_norms=arrays["latest_gradient_norms"],
        latest_gradient_updates=arrays["latest_gradient_updates"], snapshot_meta=arrays["snapshot_meta"],
        snapshot_ids=arrays["snapshot_ids"], snapshot_vectors=list(arrays["snapshot_vectors"]),
        sample_ids=arrays["sample_ids"], sample_starts=arrays["sample_starts"],
        last_report=_count(position, "last_report", "position.", 0, words_total),
        last_snapshot=_count(position, "last_snapshot", "position.", -1, words_total),
        created=str(manifest.get("created", "")))
    ids, starts = run.sample_ids, run.sample_starts
    if len(ids) and (ids.min() < 0 or ids.max() >= v):
        raise RunFileError("its corpus excerpt names words outside the vocabulary.")
    if starts[0] != 0 or starts[-1] != len(ids) or (np.diff(starts) < 0).any():
        raise RunFileError("its corpus excerpt's sentence starts are not in order.")
    snapshot_ids = run.snapshot_ids
    if len(snapshot_ids) and (snapshot_ids.min() < 0 or snapshot_ids.max() >= v):
        raise RunFileError("its snapshots name words outside the vocabulary.")
    if (latest is None) != (run.latest_gradient_norms.shape[1] == 0):
        raise RunFileError("its latest gradients and their position disagree.")
    return run
