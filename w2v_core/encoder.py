"""The compiled corpus pipeline: UTF-8 bytes, fed in chunks, to int32 word ids with their counts.

``CorpusEncoder.feed(data)`` tokenizes as ``tokenizer.tokenize`` does (same tokens, same lines and pieces of at
most ``MAX_SENTENCE_TOKENS``) in one numba pass without making a Python string per token or line, so a file is
streamed through memory: only the ids (4 bytes per token), the piece boundaries and the distinct words stay.
Ids are provisional (order of first appearance); ``corpus.build_from_encoder`` orders the vocabulary by count.
"""

from __future__ import annotations

import hashlib
import os
import sys
import unicodedata
from pathlib import Path
from typing import NamedTuple

import numba
import numpy as np

from . import char_classes as cc
from . import spill, tokenizer

MAX_SENTENCE_TOKENS = 10_000
CHUNK_BYTES = 1 << 20  # the kernels read at most this much at a time (their scratch arrays: 8 bytes per byte)
LONG_LINE_CHARS = 1 << 20  # the reference tokenizes longer lines in slices cut after a space or tab
LINE_END = -1  # markers in the decoded code points
SLICE_CUT = -2
INVALID_UTF8 = -1
ZWJ = 0x200D
EMPTY = -1


# Well-formed UTF-8 (the Unicode standard's table 3-7) by lead byte: the sequence's length (0: not a lead byte,
# ASCII is handled first) and the range of its second byte, narrower after E0, ED, F0 and F4 so that overlong
# forms, surrogates and code points above U+10FFFF are refused; every later byte is in 80..BF.
_UTF8_SIZE = np.zeros(256, np.int64)
_UTF8_SIZE[0xC2:0xE0], _UTF8_SIZE[0xE0:0xF0], _UTF8_SIZE[0xF0:0xF5] = 2, 3, 4
_UTF8_SECOND_LOW = np.full(256, 0x80, np.int64)
_UTF8_SECOND_LOW[0xE0], _UTF8_SECOND_LOW[0xF0] = 0xA0, 0x90
_UTF8_SECOND_HIGH = np.full(256, 0xBF, np.int64)
_UTF8_SECOND_HIGH[0xED], _UTF8_SECOND_HIGH[0xF4] = 0x9F, 0x8F

class InvalidUTF8Error(ValueError):
    """The bytes fed are not valid UTF-8; ``offset`` counts from the first byte fed."""

    def __init__(self, offset: int, byte: int) -> None:
        super().__init__(f"invalid UTF-8 at byte {offset} (0x{byte:02x})")
        self.offset, self.byte = offset, byte


class Tables(NamedTuple):
    classes: np.ndarray  # (0x110000,) uint16 char_classes bits
    lowercase: np.ndarray  # (0x110000,) int32


class Words(NamedTuple):
    """The distinct words seen so far: their UTF-8 bytes, counts and an open-addressing hash table."""

    text: np.ndarray  # (bytes capacity,) uint8, words one after another
    offsets: np.ndarray  # (capacity + 1,) int64: word i is text[offsets[i]:offsets[i + 1]]
    hashes: np.ndarray  # (capacity,) uint64
    counts: np.ndarray  # (capacity,) int64
    slots: np.ndarray  # (2^k,) int32 word id or EMPTY
    n: np.ndarray  # (1,) int64 number of words


class Output(NamedTuple):
    """Where the encoder writes, and what carries over from one chunk to the next."""

    ids: np.ndarray  # (capacity,) int32 provisional word ids
    piece_ends: np.ndarray  # (capacity,) int64
    first_pieces: np.ndarray  # (capacity,) uint8
    state: np.ndarray  # (7,) int64, indexed by the names below


# state: char in the line, start of its slice, last space or tab in the slice, tokens in the current piece,
# pieces of the line so far, ids written, pieces written
CHAR, SLICE_START, LAST_SPACE, PIECE_TOKENS, LINE_PIECES, N_IDS, N_PIECES = range(7)


def _new_words(capacity: int = 1 << 12) -> Words:
    return Words(np.empty(capacity * 8, np.uint8), np.zeros(capacity + 1, np.int64), np.empty(capacity, np.uint64),
                 np.zeros(capacity, np.int64), np.full(capacity * 2, EMPTY, np.int32), np.zeros(1, np.int64))


# ------------------------------------------------------------------------------------------------- kernels

@numba.njit(nogil=True, cache=True)
def _continuation(data: np.ndarray, i: int, low: int, high: int) -> int:
    """The 6 payload bits of the continuation byte at i, or -1 when it is not one in [low, high]."""
    if i >= len(data):
        return -1
    byte = np.int64(data[i])
    return byte & 0x3F if low <= byte <= high else -1


@numba.njit(nogil=True, cache=True)
def decode_utf8(data: np.ndarray, classes: np.ndarray, state: np.ndarray, out: np.ndarray) -> int:
    """Strict UTF-8 (as Python's decoder) to code points in ``out``, a LINE_END at each line break and a
    SLICE_CUT where the reference cuts a line longer than LONG_LINE_CHARS without a space. Returns the number
    of values written, or -(byte offset + 1) of the first invalid sequence."""
    n, i = 0, 0
    char, slice_start, last_space = state[CHAR], state[SLICE_START], state[LAST_SPACE]  # locals: kept in registers
    while i < len(data):
        first = np.int64(data[i])
        if first < 0x80:
            code, size = first, 1
        else:
            size = _UTF8_SIZE[first]
            if size == 0:
                return -(i + 1)
            code = first & (0x7F >> size)  # the lead byte's payload: 5, 4 or 3 bits
            low, high = _UTF8_SECOND_LOW[first], _UTF8_SECOND_HIGH[first]
            for k in range(1, size):
                payload = _continuation(data, i + k, low, high)
                if payload < 0:
                    return -(i + 1)
                code = (code << 6) | payload
                low, high = 0x80, 0xBF  # only the second byte has a narrower range
        i += size
        if classes[code] & cc.LINE_BREAK:
            out[n] = LINE_END
            n += 1
            char, slice_start, last_space = 0, 0, -1
            continue
        if char == slice_start + LONG_LINE_CHARS:  # the line goes on past the slice: cut it
            if last_space > slice_start:
                slice_start = last_space + 1  # after a space: no token changes
            else:
                out[n] = SLICE_CUT
                n += 1
                slice_start = char
            last_space = -1
        if code == 0x20 or code == 0x09:
            last_space = char
        char += 1
        out[n] = code
        n += 1
    state[CHAR], state[SLICE_START], state[LAST_SPACE] = char, slice_start, last_space
    return n


@numba.njit(nogil=True, cache=True)
def _final_sigma(codes: np.ndarray, n: int, i: int, classes: np.ndarray) -> bool:
    """str.lower's rule: Σ at i ends a word (ς) when a cased letter precedes it and none follows, skipping
    case-ignorable characters; markers end the context like the ends of a string."""
    j = i - 1
    while j >= 0 and codes[j] >= 0 and classes[codes[j]] & cc.CASE_IGNORABLE:
        j -= 1
    if j < 0 or codes[j] < 0 or not classes[codes[j]] & cc.CASED:
        return False
    j = i + 1
    while j < n and codes[j] >= 0 and classes[codes[j]] & cc.CASE_IGNORABLE:
        j += 1
    return j == n or codes[j] < 0 or not classes[codes[j]] & cc.CASED


@numba.njit(nogil=True, cache=True)
def lower(codes: np.ndarray, n: int, tables: Tables, out: np.ndarray) -> int:
    """str.lower of codes[:n] into ``out`` (U+0130 becomes two code points); returns the length."""
    m = 0
    for i in range(n):
        code = codes[i]
        if code < 0:
            out[m] = code
        elif code == cc.CAPITAL_I_DOT:
            out[m] = 0x69
            m += 1
            out[m] = 0x307
        elif code == cc.CAPITAL_SIGMA:
            out[m] = 0x3C2 if _final_sigma(codes, n, i, tables.classes) else 0x3C3
        else:
            out[m] = tables.lowercase[code]
        m += 1
    return m


@numba.njit(nogil=True, cache=True)
def _is(codes: np.ndarray, n: int, i: int, classes: np.ndarray, bit: int) -> bool:
    """codes[i] exists and has class ``bit`` (written without ``and``: numba compiles a chain of them slowly)."""
    if i >= n:
        return False
    code = codes[i]
    if code < 0:
        return False
    return (classes[code] & bit) != 0


@numba.njit(nogil=True, cache=True)
def _run_end(codes: np.ndarray, n: int, j: int, classes: np.ndarray, bit: int) -> int:
    """The first index from j on whose code point is not of class ``bit`` (or a marker)."""
    while j < n:
        code = codes[j]
        if code < 0:
            return j
        if not classes[code] & bit:
            return j
        j += 1
    return j


@numba.njit(nogil=True, cache=True)
def _field_end(codes: np.ndarray, n: int, j: int, classes: np.ndarray) -> int:
    """End of a whitespace-separated field."""
    while j < n:
        code = codes[j]
        if code < 0:
            return j
        if classes[code] & cc.SPACE:
            return j
        j += 1
    return j


@numba.njit(nogil=True, cache=True, inline="always")
def _word_end(codes: np.ndarray, n: int, i: int, classes: np.ndarray) -> int:
    """End of the word that starts at i: word characters and combining marks, and a joiner only between two
    of them (a word character after it)."""
    j = i + 1
    while True:
        while j < n:
            code = codes[j]
            if code < 0:
                return j
            if not classes[code] & (cc.WORD | cc.MARK):
                break
            j += 1
        if j + 1 >= n:
            return j
        code, after = codes[j], codes[j + 1]
        if code < 0 or after < 0:
            return j
        if not classes[code] & cc.JOINER:
            return j
        if not classes[after] & cc.WORD:
            return j
        j += 2


@numba.njit(nogil=True, cache=True)
def token_end(codes: np.ndarray, n: int, i: int, classes: np.ndarray, whitespace: bool) -> int:
    """End of the token that starts at i, or i when none does (``tokenizer.token_pattern``'s alternatives, in
    its order: a Han or kana character, a word with inner joiners, a pair of regional indicators, an emoji
    sequence; or a whitespace field)."""
    kind = classes[codes[i]]
    if whitespace:
        return i if kind & cc.SPACE else _field_end(codes, n, i, classes)
    if kind & cc.SINGLE:
        return _run_end(codes, n, i + 1, classes, cc.MARK)
    if kind & cc.WORD:
        return _word_end(codes, n, i, classes)
    if kind & cc.REGIONAL_INDICATOR and _is(codes, n, i + 1, classes, cc.REGIONAL_INDICATOR):
        return i + 2
    if kind & cc.EMOJI:
        j = _run_end(codes, n, i + 1, classes, cc.EMOJI_MOD)
        while j + 1 < n:  # joined by ZWJ to the next emoji
            if codes[j] != ZWJ:
                return j
            if not _is(codes, n, j + 1, classes, cc.EMOJI):
                return j
            j = _run_end(codes, n, j + 2, classes, cc.EMOJI_MOD)
        return j
    return i


@numba.njit(nogil=True, cache=True)
def _utf8(code: int, out: np.ndarray, m: int) -> int:
    """Write ``code`` as UTF-8 at out[m]; returns the new length."""
    if code < 0x80:
        out[m] = code
        return m + 1
    if code < 0x800:
        out[m], out[m + 1] = 0xC0 | (code >> 6), 0x80 | (code & 0x3F)
        return m + 2
    if code < 0x10000:
        out[m], out[m + 1], out[m + 2] = 0xE0 | (code >> 12), 0x80 | ((code >> 6) & 0x3F), 0x80 | (code & 0x3F)
        return m + 3
    out[m], out[m + 1] = 0xF0 | (code >> 18), 0x80 | ((code >> 12) & 0x3F)
    out[m + 2], out[m + 3] = 0x80 | ((code >> 6) & 0x3F), 0x80 | (code & 0x3F)
    return m + 4


@numba.njit(nogil=True, cache=True)
def _grow_words(words: Words, extra_bytes: int) -> Words:
    """Words with room for one more word of ``extra_bytes`` (doubling; the hash table stays at most half full)."""
    n = words.n[0]
    text, offsets, hashes, counts, slots = words.text, words.offsets, words.hashes, words.counts, words.slots
    if offsets[n] + extra_bytes > len(text):
        text = np.empty(max(2 * len(text), offsets[n] + extra_bytes), np.uint8)
        text[:offsets[n]] = words.text[:offsets[n]]
    if n + 1 >= len(hashes):
        capacity = 2 * len(hashes)
        offsets = np.zeros(capacity + 1, np.int64)
        offsets[:n + 1] = words.offsets[:n + 1]
        hashes = np.empty(capacity, np.uint64)
        hashes[:n] = words.hashes[:n]
        counts = np.zeros(capacity, np.int64)
        counts[:n] = words.counts[:n]
        slots = np.full(2 * capacity, EMPTY, np.int32)
        mask = len(slots) - 1
        for word in range(n):
            slot = np.int64(hashes[word] & mask)
            while slots[slot] != EMPTY:
                slot = (slot + 1) & mask
            slots[slot] = word
    return Words(text, offsets, hashes, counts, slots, words.n)


@numba.njit(nogil=True, cache=True)
def _has_room(words: Words, length: int) -> bool:
    n = words.n[0]
    if n + 1 >= len(words.hashes):
        return False
    return words.offsets[n] + length <= len(words.text)


@numba.njit(nogil=True, cache=True)
def _add(token: np.ndarray, length: int, hashed: np.uint64, slot: int, words: Words) -> int:
    """Add the unseen word token[:length] at hash-table ``slot`` (there is room); returns its id."""
    n = words.n[0]
    start = words.offsets[n]
    words.text[start:start + length] = token[:length]
    words.offsets[n + 1] = start + length
    words.hashes[n] = hashed
    words.slots[slot] = n
    words.n[0] = n + 1
    return n


@numba.njit(nogil=True, cache=True)
def _end_piece(out: Output) -> None:
    state = out.state
    out.piece_ends[state[N_PIECES]] = state[N_IDS]
    out.first_pieces[state[N_PIECES]] = 1 if state[LINE_PIECES] == 0 else 0
    state[N_PIECES] += 1
    state[PIECE_TOKENS] = 0
    state[LINE_PIECES] += 1


@numba.njit(nogil=True, cache=True)
def encode_codes(codes: np.ndarray, start: int, n: int, classes: np.ndarray, whitespace: bool, words: Words,
                 scratch: np.ndarray, out: Output) -> tuple[int, int]:
    """Tokens of codes[start:n] to word ids appended to ``out.ids``; each piece of a line (at most
    MAX_SENTENCE_TOKENS tokens) ends at out.piece_ends[p], out.first_pieces[p] = 1 for a line's first piece.

    Returns (n, 0) when done; (i, bytes) when the token at i needs a scratch buffer of that size, (i, -bytes)
    when ``words`` must grow first (the caller grows them and calls again from i: nothing is reallocated in
    this loop, which keeps it free of reference counting)."""
    state = out.state
    slots, hashes, offsets, text = words.slots, words.hashes, words.offsets, words.text
    mask = len(slots) - 1
    i = start
    while i < n:
        code = codes[i]
        if code < 0:
            if code == LINE_END:
                if state[PIECE_TOKENS] > 0:
                    _end_piece(out)
                state[PIECE_TOKENS], state[LINE_PIECES] = 0, 0
            i += 1
            continue
        kind = classes[code]
        if not whitespace and kind & cc.WORD:
            end = _word_end(codes, n, i, classes)
        elif kind & cc.NOT_WORD_TOKEN_START or whitespace:
            end = token_end(codes, n, i, classes, whitespace)
            if end == i:
                i += 1
                continue
        else:
            i += 1
            continue
        if 4 * (end - i) > len(scratch):
            return i, 8 * (end - i)
        length = 0
        hashed = np.uint64(14695981039346656037)  # FNV-1a over the UTF-8 bytes
        for k in range(i, end):
            code = codes[k]
            if code < 0x80:
                scratch[length] = code
                hashed = (hashed ^ np.uint64(code)) * np.uint64(1099511628211)
                length += 1
            else:
                stop = _utf8(code, scratch, length)
                for b in range(length, stop):
                    hashed = (hashed ^ np.uint64(scratch[b])) * np.uint64(1099511628211)
                length = stop
        slot = np.int64(hashed & mask)
        while True:  # open addressing: the word's slot, or the free one where it goes
            word = slots[slot]
            if word == EMPTY:
                break
            if hashes[word] == hashed and offsets[word + 1] - offsets[word] == length:
                first = offsets[word]
                k = 0
                while k < length:
                    if text[first + k] != scratch[k]:
                        break
                    k += 1
                if k == length:
                    break
            slot = (slot + 1) & mask
        if word == EMPTY:
            if not _has_room(words, length):
                return i, -length
            word = _add(scratch, length, hashed, slot, words)
        words.counts[word] += 1
        out.ids[state[N_IDS]] = word
        state[N_IDS] += 1
        state[PIECE_TOKENS] += 1
        if state[PIECE_TOKENS] == MAX_SENTENCE_TOKENS:
            _end_piece(out)
        i = end
    return n, 0


@numba.njit(nogil=True, cache=True)
def _keep_known_pieces(ids: np.ndarray, piece_ends: np.ndarray, remap: np.ndarray, pieces: np.ndarray,
                       counters: np.ndarray, starts: np.ndarray) -> None:
    """In place, for the pieces [pieces[0], pieces[1]): ids become remap[ids] without the -1s, packed at the front;
    counters (3,) int64 (ids read, ids kept, starts written) carry over from one call to the next."""
    read, kept, n_starts = counters[0], counters[1], counters[2]
    for piece in range(pieces[0], pieces[1]):
        end = piece_ends[piece]
        while read < end:
            new = remap[ids[read]]
            read += 1
            if new >= 0:
                ids[kept] = new
                kept += 1
        if kept > starts[n_starts - 1]:
            starts[n_starts] = kept
            n_starts += 1
    counters[0], counters[1], counters[2] = read, kept, n_starts


def keep_known(ids: np.ndarray, piece_ends: np.ndarray, remap: np.ndarray,
               block_tokens: int = 1 << 20) -> tuple[int, np.ndarray]:
    """In place: ids (N,) become remap[ids] without the -1s, packed at the front; returns how many and the
    (S + 1,) starts of the pieces that keep a token. A spilled ``ids`` is walked in blocks of about
    ``block_tokens``, each block's pages given back once done, so that it never all sits in memory."""
    starts = np.zeros(len(piece_ends) + 1, dtype=np.int64)
    counters = np.array([0, 0, 1], dtype=np.int64)
    if not spill.is_spilled(ids):
        _keep_known_pieces(ids, piece_ends, remap, np.array([0, len(piece_ends)]), counters, starts)
    else:
        first = 0
        while first < len(piece_ends):
            last = min(max(int(np.searchsorted(piece_ends, piece_ends[first] + block_tokens)), first + 1),
                       len(piece_ends))
            kept_before = int(counters[1])
            _keep_known_pieces(ids, piece_ends, remap, np.array([first, last]), counters, starts)
            spill.give_back(ids, kept_before, int(counters[0]))  # written and read: not needed again here
            first = last
    starts.resize(int(counters[2]), refcheck=False)  # in place, no second copy
    return int(counters[1]), starts


# ------------------------------------------------------------------------------------------------- driver

def _table_cache_path() -> Path:
    sources = Path(cc.__file__).read_bytes() + Path(tokenizer.__file__).read_bytes()
    key = hashlib.sha256(f"{sys.version_info[:2]} {unicodedata.unidata_version} ".encode() + sources).hexdigest()[:16]
    return Path(__file__).resolve().parent / "__pycache__" / f"char_tables-{key}.npz"


_TABLES: Tables | None = None


def tables() -> Tables:
    """The character tables, read from the package's __pycache__ when an earlier run saved them there."""
    global _TABLES
    if _TABLES is None:
        path = _table_cache_path()
        try:
            with np.load(path) as saved:
                _TABLES = Tables(saved["classes"], saved["lowercase"])
        except (OSError, KeyError, ValueError):
            _TABLES = Tables(cc.classes(), cc.lowercase())
            try:
                path.parent.mkdir(exist_ok=True)
                temporary = path.with_suffix(f".{os.getpid()}.npz")  # then renamed: readers never see half a file
                np.savez(temporary, classes=_TABLES.classes, lowercase=_TABLES.lowercase)
                temporary.replace(path)
            except OSError:
                pass  # a read-only install computes them in each process
    return _TABLES


def safe_end(data: bytes, start: int = 0, stop: int | None = None) -> int:
    """Where data[start:stop] can be cut without changing any token: after its last line break, else after its
    last space or tab (both end every token and the σ/ς context); ``start`` when there is neither."""
    stop = len(data) if stop is None else stop
    end = max(data.rfind(b"\n", start, stop), data.rfind(b"\r", start, stop))
    if end < 0:
        end = max(data.rfind(b" ", start, stop), data.rfind(b"\t", start, stop))
    return end + 1 if end >= 0 else start


def _empty_like_larger(array: np.ndarray, size: int) -> np.ndarray:
    """A larger array starting with ``array``'s values (pages beyond are not touched until written)."""
    larger = np.empty(size, dtype=array.dtype)
    larger[:len(array)] = array
    return larger


def _spilled_or_not(length: int) -> np.ndarray:
    """A spilled int32 array, or one in memory when the temporary folder has no room."""
    try:
        return spill.spilled_array(length)
    except OSError:
        return np.empty(length, np.int32)


def _larger_ids(ids: np.ndarray, size: int) -> np.ndarray:
    """A larger ids array starting with ``ids``: spilled if ``ids`` is and the disk has room."""
    if spill.is_spilled(ids):
        try:
            return spill.grow_spilled(ids, size)
        except OSError:
            pass
    return _empty_like_larger(ids, size)


def warm_up() -> None:
    """Load (or compile) the encoder's numba functions on one line of text. A thread loading other numba code
    holds numba's compiler lock; an encoder whose functions are loaded first encodes beside it."""
    CorpusEncoder().feed(b"warm up\n", final=True)


class CorpusEncoder:
    """Feed UTF-8 bytes in any chunks; then read the ids, the pieces and the words.

    ``expected_bytes`` (the size of the text, when known) sizes the ids array once: its untouched pages cost
    no memory, and it never has to be copied into a larger one. ``spill_ids`` keeps the ids in a temporary file
    (``spill``), their pages given back to the OS as each chunk is encoded: for corpora larger than memory
    should hold.
    """

    def __init__(self, lowercase: bool = True, whitespace: bool = False, expected_bytes: int = 0,
                 nfkc: bool = False, cjk: str = "characters", spill_ids: bool = False) -> None:
        if cjk not in tokenizer.CJK_MODES:
            raise ValueError(f"cjk must be one of {', '.join(tokenizer.CJK_MODES)} (got {cjk!r})")
        if cjk == "jieba":
            tokenizer.segment_chinese("")  # fails now, with what to install, when jieba is missing
        self.lowercase, self.whitespace, self.nfkc, self.cjk = lowercase, whitespace, nfkc, cjk
        base = tables()
        self.tables = Tables(cc.for_mode(base.classes, han_words=cjk == "jieba"), base.lowercase)
        self.words = _new_words()
        state = np.zeros(N_PIECES + 1, dtype=np.int64)
        state[LAST_SPACE] = -1
        capacity = max(expected_bytes // 2, 1 << 16)
        ids = _spilled_or_not(capacity) if spill_ids else np.empty(capacity, np.int32)
        self.out = Output(ids, np.empty(1 << 12, np.int64), np.empty(1 << 12, np.uint8), state)
        self._given_back = 0  # ids before it have left memory (spilled ids only)
        self._scratch = np.empty(1 << 12, dtype=np.uint8)
        self._codes = self._lowered = np.empty(0, dtype=np.int32)  # as long as a chunk: U+0130 (2 bytes) lowers
        # to 2 code points, a line break to one marker
        self._pending = b""  # bytes after the last safe cut, waiting for the rest of their line
        self.bytes_fed = 0

    def feed(self, data: bytes, final: bool = False) -> None:
        """Tokenize ``data`` (UTF-8) after what came before; ``final=True`` for the last chunk. Raises
        ``InvalidUTF8Error`` for invalid UTF-8, with the offset counted from the first byte fed."""
        if self._pending:
            data = self._pending + data
        end = len(data) if final else safe_end(data)
        self._pending = data[end:]
        start = 0
        while start < end:  # at most CHUNK_BYTES at a time where the text allows: bounded scratch arrays
            stop = end if end - start <= CHUNK_BYTES else safe_end(data, start, start + CHUNK_BYTES)
            stop = end if stop == start else stop
            chunk = np.frombuffer(data, dtype=np.uint8, count=stop - start, offset=start)
            self._encode(self._transformed(chunk, self.bytes_fed), self.bytes_fed)
            self.bytes_fed += stop - start
            start = stop
        if spill.is_spilled(self.out.ids):
            spill.give_back(self.out.ids, self._given_back, self.n_tokens)
            self._given_back = self.n_tokens

    def _transformed(self, chunk: np.ndarray, offset: int) -> np.ndarray:
        """The chunk NFKC-normalised and with spaces between Chinese words, when asked (in Python: slower). A
        chunk ends after a line break or a space, where neither changes what comes next."""
        if not self.nfkc and self.cjk != "jieba":
            return chunk
        try:
            text = chunk.tobytes().decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidUTF8Error(offset + error.start, int(chunk[error.start])) from None
        if self.nfkc:
            text = unicodedata.normalize("NFKC", text)
        if self.cjk == "jieba":
            text = tokenizer.segment_chinese(text)
        return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)

    def _buffers(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Two int32 scratch arrays of at least ``size``, reused from chunk to chunk (no new pages each time)."""
        if len(self._codes) < size:
            self._codes, self._lowered = np.empty(size, np.int32), np.empty(size, np.int32)
        return self._codes, self._lowered

    def _encode(self, data: np.ndarray, offset: int) -> None:
        codes, lowered = self._buffers(len(data) + len(data) // LONG_LINE_CHARS + 2)
        n = decode_utf8(data, self.tables.classes, self.out.state, codes)
        if n < 0:
            try:
                bytes(data).decode("utf-8")
            except UnicodeDecodeError as error:  # Python's decoder names the first bad byte
                raise InvalidUTF8Error(offset + error.start, int(data[error.start])) from None
            raise InvalidUTF8Error(offset - n - 1, int(data[-n - 1]))
        if self.lowercase:
            n = lower(codes, n, self.tables, lowered)
            codes = lowered
        self._encode_codes(codes, n)

    def _encode_codes(self, codes: np.ndarray, n: int) -> None:
        self._reserve(n)
        position = 0
        while position < n:
            position, need = encode_codes(codes, position, n, self.tables.classes, self.whitespace, self.words,
                                          self._scratch, self.out)
            if need > 0:
                self._scratch = np.empty(need, dtype=np.uint8)
            elif need < 0:
                self.words = _grow_words(self.words, -need)

    def _reserve(self, n_codes: int) -> None:
        """Room for n_codes more ids and pieces."""
        ids, piece_ends, first_pieces, state = self.out
        if state[N_IDS] + n_codes > len(ids):
            size = max(state[N_IDS] + n_codes, 2 * len(ids))
            ids = _larger_ids(ids[:state[N_IDS]], size)
        if state[N_PIECES] + n_codes // 2 + 2 > len(piece_ends):
            size = max(state[N_PIECES] + n_codes // 2 + 2, 2 * len(piece_ends))
            piece_ends = _empty_like_larger(piece_ends[:state[N_PIECES]], size)
            first_pieces = _empty_like_larger(first_pieces[:state[N_PIECES]], size)
        self.out = Output(ids, piece_ends, first_pieces, state)

    def end_text(self) -> None:
        """End a text: its last line ends even without a line break; the next text starts a new line."""
        self.feed(b"", final=True)
        self._encode_codes(np.array([LINE_END], dtype=np.int32), 1)

    @property
    def n_tokens(self) -> int:
        return int(self.out.state[N_IDS])

    @property
    def n_pieces(self) -> int:
        return int(self.out.state[N_PIECES])

    @property
    def n_words(self) -> int:
        return int(self.words.n[0])

    def ids(self) -> np.ndarray:
        """(N,) int32 provisional ids of every token."""
        return self.out.ids[:self.n_tokens]

    def piece_ends(self) -> np.ndarray:
        """(S,) int64 end of each piece in ``ids``."""
        return self.out.piece_ends[:self.n_pieces]

    def first_pieces(self) -> np.ndarray:
        """(S,) bool: the piece starts a line."""
        return self.out.first_pieces[:self.n_pieces].astype(bool)

    def counts(self) -> np.ndarray:
        """(W,) int64 count of each provisional id."""
        return self.words.counts[:self.n_words]

    def words_of(self, ids: np.ndarray) -> list[str]:
        """The words of these provisional ids."""
        if len(ids) == 0:
            return []
        text, offsets = self.words.text, self.words.offsets
        return b"\n".join(text[offsets[i]:offsets[i + 1]].tobytes() for i in ids).decode("utf-8").split("\n")

    def take_ids(self) -> np.ndarray:
        """The ids array itself, trimmed to its length in place (the encoder keeps no reference)."""
        ids = self.out.ids
        self.out = self.out._replace(ids=np.empty(0, dtype=np.int32))
        self._codes = self._lowered = np.empty(0, dtype=np.int32)  # no more text comes: free the scratch too
        if spill.is_spilled(ids):
            return ids[:self.n_tokens]
        ids.resize(self.n_tokens, refcheck=False)
        return ids
