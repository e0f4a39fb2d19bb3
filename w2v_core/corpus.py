"""Corpus reading, tokenization and vocabulary.

A corpus is read once and kept as integer ids: ``Corpus.ids`` (N,) int32 holds every kept token in order and
``Corpus.sentence_starts`` (S+1,) int64 the offset of each sentence (one line of text, split every
``MAX_SENTENCE_TOKENS`` tokens). Words below ``min_count`` (or beyond ``max_vocab``) are dropped before
training, as the word2vec C tool does.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from w2v_core.progress import Stage

MAX_SENTENCE_TOKENS = 10_000
READ_CHUNK = 8 << 20  # bytes read at a time when the reading is shown as it goes
LONG_LINE_CHARS = 1 << 20  # longer lines are tokenized slice by slice (bounded memory)
_EMOJI = "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF][\U0001F3FB-\U0001F3FF\uFE0F]*"
TOKEN_PATTERN = re.compile(r"\w+(?:['’\-]\w+)*|[\U0001F1E6-\U0001F1FF]{2}|" + f"{_EMOJI}(?:\u200d{_EMOJI})*")
GZIP_MAGIC = b"\x1f\x8b"
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])  # not tab, line breaks, ESC


class CorpusError(ValueError):
    """A corpus that cannot be used, with a message that says what to do."""


class CorpusEncodingError(CorpusError):
    """The text is not valid UTF-8; ``encoding="latin-1"`` reads any byte sequence."""


class CorpusSizeError(CorpusError):
    """The text is larger than the ``max_bytes`` allowed."""


def tokenize(line: str, lowercase: bool = True, whitespace: bool = False) -> list[str]:
    """Split one line into tokens: unicode words (inner apostrophes/hyphens kept) and emoji (one token each,
    with their skin tones and joined sequences), or whitespace fields."""
    if lowercase:
        line = line.lower()
    return line.split() if whitespace else TOKEN_PATTERN.findall(line)


# byte-order marks of the wide Unicode encodings; UTF-32 LE first, as its mark starts with UTF-16 LE's
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
              (codecs.BOM_UTF16_BE, "utf-16"))


def bom_encoding(head: bytes) -> str | None:
    """"utf-16" or "utf-32" when ``head`` (the first bytes of a text) starts with that encoding's byte-order
    mark (Python's codec of that name reads the mark and the byte order), else None. UTF-8's optional mark is
    read by the UTF-8 decoder itself."""
    for mark, name in _WIDE_BOMS:
        if head.startswith(mark):
            return name
    return None


def _decode_wide(data: bytes, encoding: str) -> str:
    """Text in UTF-16 or UTF-32 with a byte-order mark (``bom_encoding``), or ``CorpusEncodingError``."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise CorpusEncodingError(
            f"The text starts with a {encoding.upper()} byte-order mark but is not valid {encoding.upper()} (byte "
            f"{error.start}). Save it again as UTF-8 or {encoding.upper()}.") from error


def decode_bytes(data: bytes, encoding: str = "utf-8", max_bytes: int | None = None) -> str:
    """Bytes of a ``.txt`` or ``.gz`` file to text; binary or badly encoded data raise ``CorpusError``.

    Text with a UTF-16 or UTF-32 byte-order mark is read in that encoding whatever ``encoding`` says."""
    if data[:2] == GZIP_MAGIC:
        try:
            data = _gunzip(data, max_bytes)
        except (OSError, EOFError, zlib.error) as error:
            raise CorpusError(f"The gzip file is damaged or truncated ({error}). Re-create it or upload the "
                              "plain text instead.") from error
    if max_bytes is not None and len(data) > max_bytes:
        raise CorpusSizeError(f"The text is {len(data) / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.0f} MB. "
                          "Upload a smaller sample of it.")
    wide = bom_encoding(data[:4])
    if wide is not None:
        return _decode_wide(data, wide)
    head = data[:1_000_000]
    if b"\x00" in head or len(head) - len(head.translate(None, _CONTROL_BYTES)) > 0.05 * len(head):
        raise CorpusError("This looks like a binary file (it contains NUL bytes or many control characters), not "
                          "text. Upload a plain UTF-8 text file (.txt) or a gzipped one (.gz), one sentence per line.")
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CorpusEncodingError(
                f"The text is not valid UTF-8 (byte {error.start} is 0x{data[error.start]:02x}). Save it as "
                "UTF-8, or read it as latin-1 (every byte becomes a character).") from error
    return data.decode(encoding)


def _gunzip(data: bytes, max_bytes: int | None) -> bytes:
    if max_bytes is None:
        return gzip.decompress(data)
    decompressor = zlib.decompressobj(wbits=31)
    out = decompressor.decompress(data, max_bytes + 1)
    if len(out) > max_bytes:
        raise CorpusSizeError(f"The gzip file unpacks to more than {max_bytes / 1e6:.0f} MB, over the limit. "
                          "Upload a smaller sample of it.")
    if not decompressor.eof:
        raise EOFError("the compressed data ends before the end of the file")
    return out


def read_text(path: str | Path, encoding: str = "utf-8", max_bytes: int | None = None,
              on_bytes: Callable[[int], None] | None = None) -> str:
    """Read a ``.txt`` or ``.gz`` corpus file (gzip is detected by its magic bytes, not the name); ``on_bytes``
    hears of every chunk read."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"No such corpus file: {path}")
    if on_bytes is None:
        return decode_bytes(path.read_bytes(), encoding=encoding, max_bytes=max_bytes)
    chunks = []
    with path.open("rb") as stream:
        while chunk := stream.read(READ_CHUNK):
            chunks.append(chunk)
            on_bytes(len(chunk))
    return decode_bytes(b"".join(chunks), encoding=encoding, max_bytes=max_bytes)


def split_long(tokens: list[str], limit: int = MAX_SENTENCE_TOKENS) -> Iterator[list[str]]:
    """Yield ``tokens`` in pieces of at most ``limit`` tokens (one piece for a normal line)."""
    for start in range(0, max(len(tokens), 1), limit):
        yield tokens[start:start + limit]


def _slices(line: str, size: int) -> Iterator[str]:
    """``line`` in consecutive slices of about ``size`` characters, cut after a space or tab when there is one
    (so that no token is cut)."""
    start = 0
    while start < len(line):
        end = start + size
        if end < len(line):
            cut = max(line.rfind(" ", start, end), line.rfind("\t", start, end))
            end = cut + 1 if cut > start else end
        yield line[start:end]
        start = end


def line_pieces(line: str, lowercase: bool = True, whitespace: bool = False) -> Iterator[list[str]]:
    """The tokens of one line in pieces of at most ``MAX_SENTENCE_TOKENS``, as ``split_long`` cuts them; a
    line longer than ``LONG_LINE_CHARS`` is tokenized slice by slice, so memory stays bounded."""
    if len(line) <= LONG_LINE_CHARS:
        tokens = tokenize(line, lowercase, whitespace)
        if tokens:
            yield from split_long(tokens)
        return
    pending: list[str] = []
    for part in _slices(line, LONG_LINE_CHARS):
        tokens = pending + tokenize(part, lowercase, whitespace)
        full = len(tokens) - len(tokens) % MAX_SENTENCE_TOKENS
        for start in range(0, full, MAX_SENTENCE_TOKENS):
            yield tokens[start:start + MAX_SENTENCE_TOKENS]
        pending = tokens[full:]
    if pending:
        yield pending


@dataclass
class Vocabulary:
    """Kept words ordered by descending count, with statistics about the whole corpus."""

    words: list[str]
    counts: np.ndarray  # (V,) int64, descending
    total_tokens: int  # all tokens in the corpus, kept or not
    total_types: int  # distinct tokens in the corpus, kept or not
    min_count: int = 1
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = {word: i for i, word in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    @property
    def kept_tokens(self) -> int:
        return int(self.counts.sum())

    @property
    def share_kept(self) -> float:
        """Share of the corpus' tokens that training sees (before subsampling)."""
        return self.kept_tokens / self.total_tokens if self.total_tokens else 0.0

    def keep_probabilities(self, sample: float) -> np.ndarray:
        """(V,) float64 subsampling keep-probability of each word, as the word2vec C tool computes it.

        keep(w) = (sqrt(c / (s T)) + 1) (s T) / c, capped at 1, with c the count of w, T the kept tokens and
        s = ``sample``; ``sample <= 0`` keeps everything.
        """
        counts = self.counts.astype(np.float64)
        if sample <= 0 or len(counts) == 0:
            return np.ones_like(counts)
        threshold = sample * counts.sum()
        return np.minimum((np.sqrt(counts / threshold) + 1.0) * threshold / counts, 1.0)

    def noise_distribution(self, exponent: float = 0.75) -> np.ndarray:
        """(V,) float64 noise distribution for negative sampling: count^exponent, normalised."""
        weights = self.counts.astype(np.float64) ** exponent
        return weights / weights.sum()


@dataclass
class Corpus:
    """A tokenized corpus kept as integer ids of its vocabulary."""

    vocab: Vocabulary
    ids: np.ndarray  # (N,) int32, kept tokens in order
    sentence_starts: np.ndarray  # (S + 1,) int64 offsets into ids
    preview: list[list[str]] = field(default_factory=list)  # first tokenized lines, all tokens

    @property
    def n_sentences(self) -> int:
        return len(self.sentence_starts) - 1

    @property
    def n_tokens(self) -> int:
        return len(self.ids)


class _FirstSeenIds(dict):
    """word -> id in order of first appearance; ``map(ids.__getitem__, tokens)`` adds unseen words."""

    def __missing__(self, word: str) -> int:
        value = self[word] = len(self)
        return value


def build_corpus(lines: Iterable[str], min_count: int = 5, max_vocab: int | None = None,
                 lowercase: bool = True, whitespace: bool = False, preview_lines: int = 20) -> Corpus:
    """Tokenize ``lines`` (one sentence each), count words, keep the frequent ones and encode the text.

    Words are ordered by descending count (ties: first appearance). Raises ``CorpusError`` when nothing
    is left to train on, naming a ``min_count`` that would keep some words.
    """
    if min_count < 1:
        raise CorpusError(f"min_count must be at least 1 (got {min_count}).")
    if max_vocab is not None and max_vocab < 1:
        raise CorpusError(f"max_vocab must be at least 1 (got {max_vocab}).")
    first_seen = _FirstSeenIds()
    lookup = first_seen.__getitem__
    provisional = array("i")
    lengths = array("q")
    preview: list[list[str]] = []
    for line in lines:
        first = True
        for piece in line_pieces(line, lowercase, whitespace):
            if first and len(preview) < preview_lines:
                preview.append(piece[:200])
            first = False
            provisional.extend(map(lookup, piece))
            lengths.append(len(piece))
    if not first_seen:
        raise CorpusError("The text has no words in it. Upload a text file with at least a few sentences, "
                          "one per line.")
    counts = np.bincount(np.frombuffer(provisional, dtype=np.int32), minlength=len(first_seen))
    order = np.argsort(-counts, kind="stable")
    kept = order[counts[order] >= min_count]
    if max_vocab is not None:
        kept = kept[:max_vocab]
    if len(kept) == 0:
        _nothing_kept(min_count, int(counts.max()))
    words_by_provisional = list(first_seen)
    vocab = Vocabulary(words=[words_by_provisional[i] for i in kept], counts=counts[kept].astype(np.int64),
                       total_tokens=len(provisional), total_types=len(first_seen), min_count=min_count)
    remap = np.full(len(first_seen), -1, dtype=np.int32)
    remap[kept] = np.arange(len(kept), dtype=np.int32)
    mapped = remap[np.frombuffer(provisional, dtype=np.int32)]
    keep_mask = mapped >= 0
    raw_starts = np.concatenate([[0], np.cumsum(np.frombuffer(lengths, dtype=np.int64))])
    kept_before = np.concatenate([[0], np.cumsum(keep_mask, dtype=np.int64)])
    starts = np.unique(kept_before[raw_starts])  # drops sentences that became empty
    return Corpus(vocab=vocab, ids=np.ascontiguousarray(mapped[keep_mask]), sentence_starts=starts,
                  preview=preview)


def _nothing_kept(min_count: int, best: int) -> None:
    raise CorpusError(f"No word occurs at least min_count={min_count} times (the most frequent occurs "
                      f"{best} times). Set min_count to {best} or less, or use a larger corpus.")


def restrict_vocabulary(corpus: Corpus, min_count: int = 5, max_vocab: int | None = None) -> Corpus:
    """What ``build_corpus`` returns for ``min_count``/``max_vocab``, from a corpus it built with
    ``min_count=1`` and no ``max_vocab``, without reading the text again (kept words are a prefix of its
    vocabulary, which is ordered by count)."""
    vocab = corpus.vocab
    if vocab.min_count != 1 or len(vocab) != vocab.total_types:
        raise ValueError("restrict_vocabulary needs a corpus built with min_count=1 and no max_vocab.")
    if min_count < 1:
        raise CorpusError(f"min_count must be at least 1 (got {min_count}).")
    if max_vocab is not None and max_vocab < 1:
        raise CorpusError(f"max_vocab must be at least 1 (got {max_vocab}).")
    keep = int(np.searchsorted(-vocab.counts, -min_count, side="right"))  # words with count >= min_count
    keep = min(keep, max_vocab) if max_vocab is not None else keep
    if keep == 0:
        _nothing_kept(min_count, int(vocab.counts[0]))
    mask = corpus.ids < keep
    kept_before = np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])
    restricted = Vocabulary(words=vocab.words[:keep], counts=vocab.counts[:keep].copy(),
                            total_tokens=vocab.total_tokens, total_types=vocab.total_types, min_count=min_count)
    return Corpus(vocab=restricted, ids=np.ascontiguousarray(corpus.ids[mask]),
                  sentence_starts=np.unique(kept_before[corpus.sentence_starts]), preview=corpus.preview)


def check_trainable(corpus: Corpus, window: int) -> list[str]:
    """Raise ``CorpusError`` when no word has a neighbour to learn from; return warnings for a corpus that
    trains but teaches little (a single word, sentences shorter than the window)."""
    lengths = np.diff(corpus.sentence_starts)
    longest = int(lengths.max()) if len(lengths) else 0
    if longest < 2:
        raise CorpusError("Every sentence has a single word (after min_count), so no word has a neighbour to "
                          "learn from. Put several words on each line (a line is a sentence), or lower "
                          "min_count to keep more words.")
    warnings = []
    if len(corpus.vocab) == 1:
        warnings.append(f"The vocabulary has a single word ({corpus.vocab.words[0]!r}): word2vec learns from "
                        "which words appear near which, so its vector cannot mean anything. Use a text with more "
                        "different words, or lower min_count.")
    if window >= longest:
        warnings.append(f"The window ({window} words on each side) is wider than any sentence (the longest has "
                        f"{longest} words after min_count): contexts stop at the end of a line, so no word sees "
                        "beyond its own sentence. Put more words on each line for wider contexts.")
    return warnings


def load_corpus(path: str | Path, min_count: int = 5, max_vocab: int | None = None, lowercase: bool = True,
                whitespace: bool = False, encoding: str = "utf-8", max_bytes: int | None = None,
                show_progress: bool = False) -> Corpus:
    """Read and encode a corpus file (``.txt`` or ``.gz``, one sentence per line); ``show_progress`` shows the
    reading and counting stages on stderr (``w2v_core.progress``)."""
    size = Path(path).stat().st_size if Path(path).is_file() else None
    with Stage("reading", total=size, unit="B", enabled=show_progress) as reading:
        text = read_text(path, encoding=encoding, max_bytes=max_bytes,
                         on_bytes=reading.update if show_progress else None)
    lines = text.splitlines()
    with Stage("counting", total=len(lines), unit="lines", enabled=show_progress) as counting:
        return build_corpus(counting.iterate(lines) if show_progress else lines, min_count=min_count,
                            max_vocab=max_vocab, lowercase=lowercase, whitespace=whitespace)
