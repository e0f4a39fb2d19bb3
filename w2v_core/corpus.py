"""Corpus reading, tokenization and vocabulary.

A corpus is read once and kept as integer ids: ``Corpus.ids`` (N,) int32 holds every kept token in order and
``Corpus.sentence_starts`` (S+1,) int64 the offset of each sentence (one line of text, split every
``MAX_SENTENCE_TOKENS`` tokens). Words below ``min_count`` (or beyond ``max_vocab``) are dropped before
training, as the word2vec C tool does.

Files are streamed in chunks through the compiled pipeline of ``encoder.py`` (a ``.gz`` the same): the text is
never held whole, only its ids; those of a text over ``SPILL_MIN_BYTES`` live in a temporary file, in
memory only while a training job reads them (``spill.py``). ``tokenize`` (in ``tokenizer.py``) defines the
tokens in plain Python.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from w2v_core.progress import Stage

from . import spill
from .encoder import LONG_LINE_CHARS, MAX_SENTENCE_TOKENS, CorpusEncoder, InvalidUTF8Error, keep_known
from .phrases import Phrase, PhraseError, PhraseOptions, find_phrases
from .tokenizer import tokenize

__all__ = ["LONG_LINE_CHARS", "MAX_SENTENCE_TOKENS", "tokenize"]

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = codecs.BOM_UTF8
CHUNK_BYTES = 1 << 22  # read 4 MB at a time
SPILL_MIN_BYTES = 64 << 20  # a text this large keeps its ids in a temporary file (spill.py)
BINARY_PROBE_BYTES = 1_000_000
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])  # not tab, line breaks, ESC
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


class CorpusError(ValueError):
    """A corpus that cannot be used, with a message that says what to do."""


class CorpusEncodingError(CorpusError):
    """The text is not valid UTF-8; ``encoding="latin-1"`` reads any byte sequence."""


class CorpusSizeError(CorpusError):
    """The text is larger than the ``max_bytes`` allowed."""


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


def _not_wide(encoding: str, offset: int) -> CorpusEncodingError:
    return CorpusEncodingError(f"The text starts with a {encoding.upper()} byte-order mark but is not valid "
                               f"{encoding.upper()} (byte {offset}). Save it again as UTF-8 or {encoding.upper()}.")


def _decode_wide(data: bytes, encoding: str) -> str:
    """Text in UTF-16 or UTF-32 with a byte-order mark (``bom_encoding``), or ``CorpusEncodingError``."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise _not_wide(encoding, error.start) from error


def _check_text(head: bytes) -> None:
    """Refuse data whose first megabyte looks binary (NUL bytes or many control characters)."""
    head = head[:BINARY_PROBE_BYTES]
    if b"\x00" in head or len(head) - len(head.translate(None, _CONTROL_BYTES)) > 0.05 * len(head):
        raise CorpusError("This looks like a binary file (it contains NUL bytes or many control characters), not "
                          "text. Upload a plain UTF-8 text file (.txt) or a gzipped one (.gz), one sentence per line.")


def _too_large(n_bytes: int, max_bytes: int) -> CorpusSizeError:
    return CorpusSizeError(f"The text is {n_bytes / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.0f} MB. "
                           "Upload a smaller sample of it.")


def _unpacks_too_large(max_bytes: int) -> CorpusSizeError:
    return CorpusSizeError(f"The gzip file unpacks to more than {max_bytes / 1e6:.0f} MB, over the limit. "
                           "Upload a smaller sample of it.")


def _damaged_gzip(error: Exception) -> CorpusError:
    return CorpusError(f"The gzip file is damaged or truncated ({error}). Re-create it or upload the plain text "
                       "instead.")


def _not_utf8(offset: int, byte: int) -> CorpusEncodingError:
    return CorpusEncodingError(f"The text is not valid UTF-8 (byte {offset} is 0x{byte:02x}). Save it as UTF-8, "
                               "or read it as latin-1 (every byte becomes a character).")


def _is_utf8(encoding: str) -> bool:
    return encoding.replace("_", "-").lower() in ("utf-8", "utf8")


def decode_bytes(data: bytes, encoding: str = "utf-8", max_bytes: int | None = None) -> str:
    """Bytes of a ``.txt`` or ``.gz`` file to text; binary or badly encoded data raise ``CorpusError``.

    Text with a UTF-16 or UTF-32 byte-order mark is read in that encoding whatever ``encoding`` says."""
    if data[:2] == GZIP_MAGIC:
        try:
            data = _gunzip(data, max_bytes)
        except (OSError, EOFError, zlib.error) as error:
            raise _damaged_gzip(error) from error
    if max_bytes is not None and len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    wide = bom_encoding(data[:4])
    if wide is not None:
        return _decode_wide(data, wide)
    _check_text(data)
    if _is_utf8(encoding):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            start = error.start + (len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0)
            raise _not_utf8(start, data[start]) from error
    return data.decode(encoding)


def _gunzip(data: bytes, max_bytes: int | None) -> bytes:
    if max_bytes is None:
        return gzip.decompress(data)
    decompressor = zlib.decompressobj(wbits=31)
    out = decompressor.decompress(data, max_bytes + 1)
    if len(out) > max_bytes:
        raise _unpacks_too_large(max_bytes)
    if not decompressor.eof:
        raise EOFError("the compressed data ends before the end of the file")
    return out


def text_size(stream: BinaryIO) -> int:
    """The unpacked size of a plain or gzipped stream, as its gzip trailer records it (modulo 4 GB)."""
    magic = stream.read(2)
    size = stream.seek(0, io.SEEK_END)
    if magic == GZIP_MAGIC and size >= 18:
        stream.seek(-4, io.SEEK_END)
        size = max(int.from_bytes(stream.read(4), "little"), 3 * size)
    stream.seek(0)
    return size


def _raw_chunks(stream: BinaryIO, max_bytes: int | None) -> Iterator[bytes]:
    """The bytes of a plain or gzipped stream (told apart by the magic bytes) in chunks, unpacked, within
    ``max_bytes``."""
    magic = stream.read(2)
    stream.seek(0)
    if magic != GZIP_MAGIC:
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        if max_bytes is not None and size > max_bytes:
            raise _too_large(size, max_bytes)
        while chunk := stream.read(CHUNK_BYTES):
            yield chunk
        return
    unpacked = 0
    try:
        with gzip.GzipFile(fileobj=stream, mode="rb") as packed:
            while chunk := packed.read(CHUNK_BYTES):
                unpacked += len(chunk)
                if max_bytes is not None and unpacked > max_bytes:
                    raise _unpacks_too_large(max_bytes)
                yield chunk
    except (OSError, EOFError, zlib.error) as error:
        raise _damaged_gzip(error) from error


def _decoder(encoding: str) -> codecs.IncrementalDecoder | None:
    """None for UTF-8 (the encoder checks it), else an incremental decoder of ``encoding``."""
    if _is_utf8(encoding):
        return None
    try:
        return codecs.getincrementaldecoder(encoding)()
    except LookupError as error:
        raise CorpusError(f"Unknown text encoding {encoding!r}: use utf-8, or latin-1 for old Western European "
                          "text.") from error


def feed_stream(encoder: CorpusEncoder, stream: BinaryIO, encoding: str = "utf-8", max_bytes: int | None = None,
                on_bytes: Callable[[int], None] | None = None) -> int:
    """Tokenize a whole ``.txt``/``.gz`` stream into ``encoder`` chunk by chunk: binary data refused, a UTF-8
    byte-order mark dropped, other encodings converted to UTF-8 (UTF-16/32 when the text starts with their
    byte-order mark, whatever ``encoding`` says); ``on_bytes`` hears of every chunk read (in bytes of the
    stream). Returns the text's size in bytes."""
    decoder = _decoder(encoding)
    start, skipped, first, wide, read = encoder.bytes_fed, 0, True, None, 0
    position = stream.tell()
    try:
        for chunk in _raw_chunks(stream, max_bytes):
            if first:
                first = False
                wide = bom_encoding(chunk[:4])
                if wide is not None:
                    decoder = codecs.getincrementaldecoder(wide)()
                else:
                    _check_text(chunk)
                if decoder is None and chunk.startswith(UTF8_BOM):
                    chunk, skipped = chunk[len(UTF8_BOM):], len(UTF8_BOM)
            encoder.feed(chunk if decoder is None else decoder.decode(chunk).encode("utf-8"))
            read += len(chunk)
            if on_bytes is not None:
                on_bytes(stream.tell() - position)
                position = stream.tell()
        if decoder is not None:
            encoder.feed(decoder.decode(b"", final=True).encode("utf-8"))
        encoder.end_text()
    except InvalidUTF8Error as error:
        raise _not_utf8(error.offset - start + skipped, error.byte) from None
    except UnicodeDecodeError as error:
        if wide is None:
            raise
        raise _not_wide(wide, read + error.start) from error
    return encoder.bytes_fed - start + skipped


def feed_lines(encoder: CorpusEncoder, lines: Iterable[str], batch_chars: int = CHUNK_BYTES) -> None:
    """Tokenize ``lines`` (one sentence each) into ``encoder``, about ``batch_chars`` at a time (a longer line
    is fed in slices: the encoder joins them)."""
    batch: list[str] = []
    size = 0
    for line in lines:
        if _LINE_BREAKS.search(line):  # a line is one sentence even with a line break inside
            line = _LINE_BREAKS.sub(" ", line)
        if len(line) > batch_chars:
            if batch:
                encoder.feed(("\n".join(batch) + "\n").encode("utf-8", "replace"))
                batch, size = [], 0
            for start in range(0, len(line), batch_chars):
                encoder.feed(line[start:start + batch_chars].encode("utf-8", "replace"))
            encoder.end_text()
            continue
        batch.append(line)
        size += len(line) + 1
        if size >= batch_chars:
            encoder.feed(("\n".join(batch) + "\n").encode("utf-8", "replace"))
            batch, size = [], 0
    encoder.feed(("\n".join(batch) + "\n").encode("utf-8", "replace") if batch else b"")
    encoder.end_text()


def read_text(path: str | Path, encoding: str = "utf-8", max_bytes: int | None = None) -> str:
    """Read a ``.txt`` or ``.gz`` corpus file whole (gzip is detected by its magic bytes, not the name);
    ``load_corpus`` streams it instead."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"No such corpus file: {path}")
    return decode_bytes(path.read_bytes(), encoding=encoding, max_bytes=max_bytes)


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


def line_pieces(line: str, lowercase: bool = True, whitespace: bool = False, nfkc: bool = False,
                cjk: str = "characters") -> Iterator[list[str]]:
    """The tokens of one line in pieces of at most ``MAX_SENTENCE_TOKENS``, as ``split_long`` cuts them; a
    line longer than ``LONG_LINE_CHARS`` is tokenized slice by slice, so memory stays bounded."""
    if len(line) <= LONG_LINE_CHARS:
        tokens = tokenize(line, lowercase, whitespace, nfkc, cjk)
        if tokens:
            yield from split_long(tokens)
        return
    pending: list[str] = []
    for part in _slices(line, LONG_LINE_CHARS):
        tokens = pending + tokenize(part, lowercase, whitespace, nfkc, cjk)
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
    phrases: list[Phrase] = field(default_factory=list)  # phrases joined into single tokens, by score

    @property
    def n_sentences(self) -> int:
        return len(self.sentence_starts) - 1

    @property
    def n_tokens(self) -> int:
        return len(self.ids)


def _check_limits(min_count: int, max_vocab: int | None) -> None:
    if min_count < 1:
        raise CorpusError(f"min_count must be at least 1 (got {min_count}).")
    if max_vocab is not None and max_vocab < 1:
        raise CorpusError(f"max_vocab must be at least 1 (got {max_vocab}).")


def new_encoder(lowercase: bool = True, whitespace: bool = False, nfkc: bool = False, cjk: str = "characters",
                expected_bytes: int = 0) -> CorpusEncoder:
    """A ``CorpusEncoder`` with these tokenizer options (``tokenizer.tokenize`` says what each does); a
    missing segmenter or an unknown mode is a ``CorpusError`` that says what to do."""
    try:
        return CorpusEncoder(lowercase, whitespace, expected_bytes=expected_bytes, nfkc=nfkc, cjk=cjk,
                             spill_ids=expected_bytes >= SPILL_MIN_BYTES)
    except (ImportError, ValueError) as error:
        raise CorpusError(str(error)) from error


def build_corpus(lines: Iterable[str], min_count: int = 5, max_vocab: int | None = None,
                 lowercase: bool = True, whitespace: bool = False, preview_lines: int = 20, nfkc: bool = False,
                 cjk: str = "characters", phrases: PhraseOptions | None = None) -> Corpus:
    """Tokenize ``lines`` (one sentence each), count words, keep the frequent ones and encode the text.

    Words are ordered by descending count (ties: first appearance). Raises ``CorpusError`` when nothing
    is left to train on, naming a ``min_count`` that would keep some words.
    """
    _check_limits(min_count, max_vocab)
    encoder = new_encoder(lowercase, whitespace, nfkc, cjk)
    feed_lines(encoder, lines)
    return corpus_from_encoder(encoder, min_count, max_vocab, preview_lines, phrases)


def corpus_from_encoder(encoder: CorpusEncoder, min_count: int = 5, max_vocab: int | None = None,
                        preview_lines: int = 20, phrases: PhraseOptions | None = None) -> Corpus:
    """The corpus of everything ``encoder`` read (it gives up its ids: feed it nothing more), with frequent
    pairs joined into phrases first when ``phrases`` says how (``phrases.py``)."""
    _check_limits(min_count, max_vocab)
    if encoder.n_words == 0:
        raise CorpusError("The text has no words in it. Upload a text file with at least a few sentences, "
                          "one per line.")
    n_tokens, first_pieces = encoder.n_tokens, encoder.first_pieces()
    piece_ends, counts, spell = encoder.piece_ends(), encoder.counts().copy(), encoder.words_of  # its own now
    ids = encoder.take_ids()
    found: list[Phrase] = []
    if phrases is not None:
        try:
            n_tokens, counts, extra, found = find_phrases(ids, piece_ends, counts, spell, phrases)
        except PhraseError as error:
            raise CorpusError(str(error)) from error
        spell = _speller(encoder.words_of, encoder.n_words, extra)
    order = np.argsort(-counts, kind="stable")
    kept = order[counts[order] >= min_count]
    if max_vocab is not None:
        kept = kept[:max_vocab]
    if len(kept) == 0:
        _nothing_kept(min_count, int(counts.max()))
    preview = _preview(ids, piece_ends, first_pieces, spell, preview_lines)
    vocab = Vocabulary(words=spell(kept), counts=counts[kept].astype(np.int64), total_tokens=n_tokens,
                       total_types=int(np.count_nonzero(counts)), min_count=min_count)
    remap = np.full(len(counts), -1, dtype=np.int32)
    remap[kept] = np.arange(len(kept), dtype=np.int32)
    n_kept, starts = keep_known(ids, piece_ends, remap)
    if spill.is_spilled(ids):
        ids = ids[:n_kept]
    else:
        ids.resize(n_kept, refcheck=False)  # in place: the pages beyond are given back
    return Corpus(vocab=vocab, ids=ids, sentence_starts=starts, preview=preview, phrases=found)


def _speller(spell: Callable[[np.ndarray], list[str]], n_words: int,
             extra: list[str]) -> Callable[[np.ndarray], list[str]]:
    """``spell`` for ids below ``n_words``, ``extra`` (phrases) for the ids after them."""
    def words_of(ids: np.ndarray) -> list[str]:
        ids = np.asarray(ids)
        base = iter(spell(ids[ids < n_words]))
        return [next(base) if i < n_words else extra[i - n_words] for i in ids]

    return words_of


def _preview(ids: np.ndarray, piece_ends: np.ndarray, first_pieces: np.ndarray,
             spell: Callable[[np.ndarray], list[str]], lines: int, tokens: int = 200) -> list[list[str]]:
    """The first ``tokens`` tokens of the first ``lines`` lines that have any."""
    rows = []
    for piece in np.flatnonzero(first_pieces)[:lines]:
        start = int(piece_ends[piece - 1]) if piece else 0
        rows.append(spell(ids[start:min(int(piece_ends[piece]), start + tokens)]))
    return rows


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
    _check_limits(min_count, max_vocab)
    keep = int(np.searchsorted(-vocab.counts, -min_count, side="right"))  # words with count >= min_count
    keep = min(keep, max_vocab) if max_vocab is not None else keep
    if keep == 0:
        _nothing_kept(min_count, int(vocab.counts[0]))
    mask = corpus.ids < keep
    kept_before = np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])
    restricted = Vocabulary(words=vocab.words[:keep], counts=vocab.counts[:keep].copy(),
                            total_tokens=vocab.total_tokens, total_types=vocab.total_types, min_count=min_count)
    return Corpus(vocab=restricted, ids=np.ascontiguousarray(corpus.ids[mask]),
                  sentence_starts=np.unique(kept_before[corpus.sentence_starts]), preview=corpus.preview,
                  phrases=corpus.phrases)


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
                show_progress: bool = False, nfkc: bool = False, cjk: str = "characters",
                phrases: PhraseOptions | None = None) -> Corpus:
    """Read and encode a corpus file (``.txt`` or ``.gz``, one sentence per line), streamed in chunks;
    ``show_progress`` shows the reading (and tokenizing) and counting stages on stderr (``w2v_core.progress``)."""
    _check_limits(min_count, max_vocab)
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"No such corpus file: {path}")
    with path.open("rb") as stream:
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        encoder = new_encoder(lowercase, whitespace, nfkc, cjk, expected_bytes=text_size(stream))
        with Stage("reading", total=size, unit="B", enabled=show_progress) as reading:
            feed_stream(encoder, stream, encoding=encoding, max_bytes=max_bytes,
                        on_bytes=reading.update if show_progress else None)
    with Stage("counting", total=encoder.n_pieces, unit="lines", enabled=show_progress) as counting:
        counting.update(encoder.n_pieces)  # lines with words (a line of more than 10,000 words counts more)
        corpus = corpus_from_encoder(encoder, min_count=min_count, max_vocab=max_vocab, phrases=phrases)
    return corpus
