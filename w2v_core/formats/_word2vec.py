"""word2vec text and binary files, read as a stream and written byte for byte as gensim writes them.

Text: an optional header "n d", then "word v1 ... vd" per line, numbers spelled as numpy's shortest float32
repr. Binary (the C tool's format): the header line, then per word its UTF-8 bytes, a space and d
little-endian float32 (gensim writes nothing after them, the C tool a newline; both are read). ``limit``
stops reading after that many words. Problems raise ``VectorFormatError`` naming the line (text) or word
number (binary).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from w2v_core.embeddings import Embeddings

from ._common import VectorFormatError, check_limit, check_storable, to_embeddings
from ._text import MAX_LINE_BYTES, decode_line, parse_numbers, read_lines, remember_word, vector_lines

CHUNK_BYTES = 1 << 16


def _header(raw: bytes) -> tuple[int, int] | None:
    """(words, dimensions) of a "n d" header line, or None when line 1 is already a vector."""
    fields = decode_line(raw, "Line 1").split()
    if len(fields) < 2:
        raise VectorFormatError(f"Line 1 should be a header 'words dimensions' (like '71291 300') or a vector "
                                f"'word v1 ... vd'; got {raw[:60].decode('utf-8', 'replace').strip()!r}.")
    try:
        n, d = int(fields[0]), int(fields[1])
    except ValueError:
        return None
    if len(fields) > 2:
        return None
    if n < 1 or d < 1:
        raise VectorFormatError(f"Line 1: the header says {n} words of {d} dimensions; both must be positive.")
    return n, d


def text_records(stream: BinaryIO, limit: int | None = None) -> Iterator[tuple[str, np.ndarray]]:
    """(word, (d,) float32 vector) of each line of a word2vec text file, checked, stopping after ``limit``."""
    check_limit(limit)
    lines = read_lines(stream)
    first = next(lines, None)
    if first is None or not first[1].strip():
        raise VectorFormatError("The file is empty." if first is None else "Line 1 is empty; expected a header.")
    header = _header(first[1])
    dim = header[1] if header else None
    count = 0
    seen: dict[str, int] = {}
    for line_no, raw in vector_lines(lines if header else _chain(first, lines), limit):
        fields = raw.split()
        if header and count == header[0]:
            raise VectorFormatError(f"Line {line_no}: the header says {header[0]:,} words, but the file has more.")
        decode_line(raw, f"Line {line_no}")
        word = fields[0].decode()
        if dim is not None and len(fields) - 1 != dim:
            source = "the header says" if header else "line 1 has"
            raise VectorFormatError(f"Line {line_no} has {len(fields) - 1} values, but {source} {dim}: every "
                                    "line must be 'word v1 ... vd' with the same d.")
        remember_word(seen, word, line_no, f"Line {line_no}")
        row = parse_numbers(fields[1:], f"Line {line_no}", word)
        dim = dim or len(row)
        count += 1
        yield word, row
    if header and count < min(header[0], limit or header[0]):
        raise VectorFormatError(f"The header says {header[0]:,} words, but the file ends after {count:,} "
                                "(truncated?).")


def read_word2vec_text(stream: BinaryIO, limit: int | None = None) -> Embeddings:
    """Read "word v1 ... vd" lines (after an optional "n d" header), stopping after ``limit`` words."""
    words: list[str] = []
    rows: list[np.ndarray] = []
    for word, row in text_records(stream, limit):
        words.append(word)
        rows.append(row)
    return to_embeddings(words, rows)


def _chain(first, rest):
    yield first
    yield from rest


def write_word2vec_text(emb: Embeddings, stream: BinaryIO) -> None:
    """Write the word2vec text format exactly as gensim's ``save_word2vec_format(binary=False)`` does."""
    check_storable(emb, "word2vec")
    stream.write(f"{len(emb)} {emb.dim}\n".encode())
    for word, row in zip(emb.words, emb.vectors, strict=True):
        stream.write(f"{word} {' '.join(map(str, row))}\n".encode())


def binary_records(stream: BinaryIO, limit: int | None = None) -> tuple[int, Iterator[tuple[str, np.ndarray]]]:
    """The number of words to expect (header, capped by ``limit``) and an iterator of (word, (d,) float32 vector)
    over the records of a binary word2vec file, each checked as it is read."""
    check_limit(limit)
    raw = stream.readline(MAX_LINE_BYTES)
    if not raw:
        raise VectorFormatError("The file is empty.")
    try:
        header = _header(raw)
    except VectorFormatError:
        header = None
    if header is None:
        raise VectorFormatError("Line 1 of a binary word2vec file must be the header 'words dimensions' (like "
                                "'71291 300'). fastText .bin models are a different format: use their .vec.")
    n, dim = header
    target = n if limit is None else min(n, limit)
    return target, _binary_rows(stream, n, dim, target)


def _binary_rows(stream: BinaryIO, n: int, dim: int, target: int) -> Iterator[tuple[str, np.ndarray]]:
    size = 4 * dim
    buffer, pos = b"", 0
    seen: dict[str, int] = {}
    for number in range(1, target + 1):
        while True:  # make sure the buffer holds a whole record: "word " + 4d bytes
            while buffer[pos:pos + 1] == b"\n":  # the C tool ends each vector with a newline
                pos += 1
            space = buffer.find(b" ", pos)
            if space >= 0 and len(buffer) - space - 1 >= size:
                break
            more = stream.read(CHUNK_BYTES)
            if not more:
                raise VectorFormatError(f"The header says {n:,} words, but the file ends inside word {number:,} "
                                        "(truncated?).")
            buffer, pos = buffer[pos:] + more, 0
            if len(buffer) > 1_000 and buffer.find(b" ", 0, 1_000) < 0:
                raise VectorFormatError(f"Word {number:,}: no space within 1,000 bytes; this is not a binary "
                                        "word2vec file.")
        try:
            word = buffer[pos:space].decode("utf-8")
        except UnicodeDecodeError:
            raise VectorFormatError(f"Word {number:,} is not valid UTF-8: the file is damaged or not a binary "
                                    "word2vec file.") from None
        block = buffer[space + 1:space + 1 + size]
        if number == 1 and dim > 1 and all(32 <= byte < 127 or byte in (10, 13) for byte in block):
            raise VectorFormatError("This looks like a text word2vec file (the first vector is readable "
                                    "text); name it .txt or .vec.")
        vector = np.frombuffer(block, dtype="<f4")
        if not word or word in seen:
            where = "is empty" if not word else f"{word!r} already appeared as word {seen[word]:,}"
            raise VectorFormatError(f"Word {number:,} {where}.")
        if not np.isfinite(vector).all():
            raise VectorFormatError(f"Word {number:,}: the vector of {word!r} contains NaN or infinity.")
        seen[word] = number
        pos = space + 1 + size
        yield word, vector


def read_word2vec_binary(stream: BinaryIO, limit: int | None = None) -> Embeddings:
    """Read the C tool's binary format record by record, stopping after ``limit`` words."""
    target, rows = binary_records(stream, limit)
    words: list[str] = []
    vectors: np.ndarray | None = None
    for number, (word, row) in enumerate(rows):
        if vectors is None:
            vectors = np.empty((target, len(row)), dtype=np.float32)
        vectors[number] = row
        words.append(word)
    return to_embeddings(words, vectors if vectors is not None else np.empty((0, 0), dtype=np.float32))


def write_word2vec_binary(emb: Embeddings, stream: BinaryIO, newline: bool = False) -> None:
    """Write the binary format as gensim does; ``newline=True`` adds the C tool's "\\n" after each vector."""
    check_storable(emb, "word2vec")
    stream.write(f"{len(emb)} {emb.dim}\n".encode())
    end = b"\n" if newline else b""
    for word, row in zip(emb.words, emb.vectors.astype("<f4"), strict=True):
        stream.write(word.encode() + b" " + row.tobytes() + end)
