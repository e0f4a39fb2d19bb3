import gzip
import io
import json
import zipfile
from pathlib import Path

import gensim
import numpy as np
import pytest
from gensim.models import KeyedVectors

from w2v_core.embeddings import Embeddings
from w2v_core.formats import (
    VectorFormatError,
    format_of,
    load_vectors,
    projector_zip_bytes,
    save_vectors,
    vectors_from_bytes,
    vectors_to_bytes,
)
from w2v_core.formats._projector import write_projector_tsv
from w2v_core.formats._word2vec import read_word2vec_binary, read_word2vec_text, write_word2vec_binary

TEST_DATA = Path(gensim.__file__).parent / "test" / "test_data"


def sample(n: int = 40, d: int = 7, seed: int = 0) -> Embeddings:
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(n - 3)] + ["café", "naïve_word", "日本"]
    vectors = (rng.normal(size=(n, d)) * 10.0 ** rng.integers(-6, 3, size=(n, d))).astype(np.float32)
    return Embeddings(words, vectors, np.arange(n, 0, -1) * 10, {"model": "skipgram", "dim": d})


def assert_same(a: Embeddings, b: Embeddings) -> None:
    assert a.words == b.words
    np.testing.assert_array_equal(a.vectors, b.vectors)


def to_gensim(emb: Embeddings) -> KeyedVectors:
    kv = KeyedVectors(emb.dim)
    kv.add_vectors(emb.words, emb.vectors)
    return kv


@pytest.mark.parametrize("binary", [False, True])
def test_files_are_byte_identical_to_gensim_and_readable_both_ways(tmp_path, binary):
    emb = sample()
    ours, theirs = tmp_path / "ours.bin", tmp_path / "theirs.bin"
    save_vectors(emb, ours, fmt="binary" if binary else "text")
    to_gensim(emb).save_word2vec_format(str(theirs), binary=binary)
    assert ours.read_bytes() == theirs.read_bytes()
    loaded = KeyedVectors.load_word2vec_format(str(ours), binary=binary)
    assert loaded.index_to_key == emb.words
    np.testing.assert_array_equal(loaded.vectors, emb.vectors)
    assert_same(load_vectors(theirs, fmt="binary" if binary else "text"), emb)


def test_reads_gensim_test_files_like_gensim():
    for name, binary, no_header in [("lee_fasttext.vec", False, False), ("test_glove.txt", False, True),
                                    ("euclidean_vectors.bin", True, False), ("high_precision.kv.txt", False, False),
                                    ("poincare_vectors.bin", True, False)]:
        kv = KeyedVectors.load_word2vec_format(str(TEST_DATA / name), binary=binary, no_header=no_header)
        ours = load_vectors(TEST_DATA / name, fmt="binary" if binary else "text")
        assert ours.words == kv.index_to_key, name
        np.testing.assert_array_equal(ours.vectors, kv.vectors)


def test_c_tool_newlines_in_binary_are_read_by_both(tmp_path):
    emb = sample()
    path = tmp_path / "c_tool.bin"
    with path.open("wb") as out:
        write_word2vec_binary(emb, out, newline=True)
    assert path.stat().st_size == len(vectors_to_bytes(emb, "binary")) + len(emb)
    assert_same(load_vectors(path), emb)
    assert KeyedVectors.load_word2vec_format(str(path), binary=True).index_to_key == emb.words


def test_headerless_text_and_fasttext_trailing_spaces():
    glove = b"the 0.5 -1.25 3\nof 1e-3 2 -0.0\n"
    emb = vectors_from_bytes(glove, "glove.txt")
    assert emb.words == ["the", "of"] and emb.dim == 3
    np.testing.assert_array_equal(emb.vectors[0], [0.5, -1.25, 3])
    fasttext = b"2 3\r\nthe 0.5 -1.25 3 \r\nof 1 2 3 \r\n\n"
    assert vectors_from_bytes(fasttext, "x.vec").words == ["the", "of"]


def big_file(tmp_path: Path, binary: bool) -> tuple[Path, Embeddings]:
    emb = sample(4000, 50, seed=1)
    path = tmp_path / ("big.bin" if binary else "big.txt")
    save_vectors(emb, path)
    return path, emb


@pytest.mark.parametrize("binary", [False, True])
def test_limit_streams_only_the_start_of_the_file(tmp_path, binary):
    path, emb = big_file(tmp_path, binary)
    with open(path, "rb", buffering=0) as raw, io.BufferedReader(raw) as stream:
        head = (read_word2vec_binary if binary else read_word2vec_text)(stream, limit=25)
        consumed = raw.tell()
    assert_same(head, emb.top(25))
    assert consumed < path.stat().st_size / 10
    assert_same(load_vectors(path, limit=10**6), emb)
    gensim_head = KeyedVectors.load_word2vec_format(str(path), binary=binary, limit=25)
    assert gensim_head.index_to_key == head.words


def test_gzipped_files_are_unpacked(tmp_path):
    emb = sample()
    for fmt, name in (("text", "v.txt.gz"), ("binary", "v.bin.gz")):
        data = gzip.compress(vectors_to_bytes(emb, fmt))
        (tmp_path / name).write_bytes(data)
        assert_same(load_vectors(tmp_path / name), emb)
        assert_same(vectors_from_bytes(data, name, limit=5), emb.top(5))
    with pytest.raises(VectorFormatError, match="damaged or truncated"):
        vectors_from_bytes(gzip.compress(vectors_to_bytes(emb, "text"))[:-30], "v.txt.gz")


def test_npz_round_trip_keeps_counts_and_config(tmp_path):
    emb = sample()
    path = tmp_path / "model.npz"
    save_vectors(emb, path)
    with np.load(path, allow_pickle=False) as data:
        assert data["words"].dtype.kind == "U" and json.loads(str(data["config"])) == emb.config
    loaded = load_vectors(path)
    assert_same(loaded, emb)
    assert loaded.counts.tolist() == emb.counts.tolist() and loaded.config == emb.config
    assert load_vectors(path, limit=3).words == emb.words[:3]
    bare = Embeddings(["a", "b"], np.eye(2))
    assert vectors_from_bytes(vectors_to_bytes(bare, "npz"), "x.npz").counts is None


def test_npz_refuses_pickles_and_other_arrays():
    pickled = io.BytesIO()
    np.savez(pickled, vectors=np.eye(2), words=np.array(["a", "b"], dtype=object))
    with pytest.raises(VectorFormatError, match="allow_pickle"):
        vectors_from_bytes(pickled.getvalue(), "x.npz")
    single = io.BytesIO()
    np.save(single, np.eye(2))
    with pytest.raises(VectorFormatError, match=".npy"):
        vectors_from_bytes(single.getvalue(), "x.npz")
    missing = io.BytesIO()
    np.savez(missing, vectors=np.eye(2))
    with pytest.raises(VectorFormatError, match="'words'"):
        vectors_from_bytes(missing.getvalue(), "x.npz")
    with pytest.raises(VectorFormatError, match="not a readable .npz"):
        vectors_from_bytes(b"garbage", "x.npz")
    with pytest.raises(VectorFormatError, match="JSON"):
        vectors_to_bytes(Embeddings(["a"], np.ones((1, 2)), config={"f": object()}), "npz")


def test_projector_tsv_files_and_zip(tmp_path):
    emb = sample()
    write_projector_tsv(emb, tmp_path / "vectors.tsv", tmp_path / "metadata.tsv")
    vector_lines = (tmp_path / "vectors.tsv").read_text().splitlines()
    assert len(vector_lines) == len(emb) and len(vector_lines[0].split("\t")) == emb.dim
    assert (tmp_path / "metadata.tsv").read_text(encoding="utf-8").splitlines() == emb.words
    assert_same(load_vectors(tmp_path / "vectors.tsv"), emb)
    assert save_vectors(emb, tmp_path / "run1.tsv") == [tmp_path / "run1.tsv", tmp_path / "run1_metadata.tsv"]
    bundle = projector_zip_bytes(emb)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        assert sorted(archive.namelist()) == ["metadata.tsv", "vectors.tsv"]
    assert_same(vectors_from_bytes(bundle, "upload.zip"), emb)
    assert vectors_from_bytes(vectors_to_bytes(emb, "tsv"), "p.zip", limit=4).words == emb.words[:4]


def test_projector_metadata_with_header_columns():
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("out/vectors.tsv", "1\t0\n0\t1\n")
        archive.writestr("out/metadata.tsv", "count\tword\n5\tcat\n3\tdog\n\n")
    assert vectors_from_bytes(bundle.getvalue(), "b.zip").words == ["cat", "dog"]


@pytest.mark.parametrize(("files", "message"), [
    ({"vectors.tsv": "1\t0\n0\t1\n", "metadata.tsv": "cat\n"}, "2 rows but metadata.tsv has 1"),
    ({"vectors.tsv": "1\t0\n0\n", "metadata.tsv": "cat\ndog\n"}, "Vectors line 2 has 1 values"),
    ({"vectors.tsv": "1\t0\n0\tx\n", "metadata.tsv": "cat\ndog\n"}, "Vectors line 2: 'x' is not a number"),
    ({"vectors.tsv": "1\t0\n0\t1\n", "metadata.tsv": "cat\ncat\n"}, "Metadata line 2: the word 'cat'"),
    ({"vectors.tsv": "1\t0\n"}, "must hold vectors.tsv and metadata.tsv"),
])
def test_projector_errors(files, message):
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    with pytest.raises(VectorFormatError, match=message):
        vectors_from_bytes(bundle.getvalue(), "b.zip")


def test_words_with_spaces_cannot_be_written():
    emb = Embeddings(["new york", "b"], np.eye(2))
    for fmt in ("text", "binary"):
        with pytest.raises(VectorFormatError, match=r"Word 1 \('new york'\) contains a space"):
            vectors_to_bytes(emb, fmt)
    with pytest.raises(VectorFormatError, match="tab"):
        vectors_to_bytes(Embeddings(["a\tb"], np.eye(1)), "tsv")
    assert vectors_from_bytes(vectors_to_bytes(emb, "npz"), "x.npz").words == emb.words


def test_format_selection():
    assert [format_of(name) for name in ("a.txt", "a.VEC", "a.bin", "a.npz", "a.tsv", "b.txt.gz")] == \
        ["text", "text", "binary", "npz", "tsv", "text"]
    assert format_of("whatever", "bin") == "binary" and format_of("x", ".vec") == "text"
    with pytest.raises(VectorFormatError, match="Unknown vector file type 'a.pkl'"):
        format_of("dir/a.pkl")
    with pytest.raises(VectorFormatError, match="Unknown vector format"):
        vectors_to_bytes(sample(), "pickle")
    with pytest.raises(VectorFormatError, match="has no words"):
        vectors_from_bytes(b"1\t2\n", "vectors.tsv")


TEXT_ERRORS = [
    (b"", "The file is empty"),
    (b"300\nthe 1 2\n", "Line 1 should be a header"),
    (b"0 3\n", "Line 1: the header says 0 words"),
    (b"2 -3\na 1 2 3\n", "Line 1: the header says 2 words of -3"),
    (b"2 3\nthe 1 2 3\nof 1 2\n", "Line 3 has 2 values, but the header says 3"),
    (b"the 1 2 3\nof 1 2 3\nand 1 2\n", "Line 3 has 2 values, but line 1 has 3"),
    (b"2 3\nthe 1 2 3\nof 1 two 3\n", "Line 3: 'two' is not a number"),
    (b"2 3\nthe 1 2 3\nof 1 nan 3\n", "Line 3: the vector of 'of' contains NaN"),
    (b"2 3\nthe 1 2 3\nof 1 -inf 3\n", "Line 3: the vector of 'of' contains NaN or infinity"),
    (b"2 3\nthe 1 2 3\nof 1 1e39 3\n", "Line 3: .*too large for float32"),
    (b"3 3\nthe 1 2 3\nof 1 2 3\nthe 4 5 6\n", "Line 4: the word 'the' already appeared on line 2"),
    (b"3 3\nthe 1 2 3\nof 1 2 3\n", "header says 3 words, but the file ends after 2"),
    (b"1 3\nthe 1 2 3\nof 1 2 3\n", "Line 3: the header says 1 words, but the file has more"),
    (b"2 3\nthe 1 2 3\nof \x00\x81\x02 2 3\n", "Line 3 contains binary data"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Line 1 is not UTF-8 text"),
    (b"\x00\x00\x01\x02 \x03\x04\n", "Line 1 contains binary data"),
    (b"2 3\ncaf\xe9 1 2 3\n", "Line 2 is not UTF-8 text"),
]


@pytest.mark.parametrize(("data", "message"), TEXT_ERRORS)
def test_malformed_text_files(data, message):
    with pytest.raises(VectorFormatError, match=message):
        vectors_from_bytes(data, "vectors.txt")


def test_binary_file_given_as_text_and_text_given_as_binary():
    emb = sample()
    with pytest.raises(VectorFormatError, match=r"Line 2 (contains binary data|is not UTF-8).*\.bin"):
        vectors_from_bytes(vectors_to_bytes(emb, "binary"), "vectors.txt")
    with pytest.raises(VectorFormatError, match="looks like a text word2vec file"):
        vectors_from_bytes(vectors_to_bytes(emb, "text"), "vectors.bin")
    with pytest.raises(VectorFormatError, match="limit must be at least 1"):
        vectors_from_bytes(vectors_to_bytes(emb, "text"), "vectors.txt", limit=0)


def binary_record(word: bytes, values) -> bytes:
    return word + b" " + np.asarray(values, dtype="<f4").tobytes()


BINARY_ERRORS = [
    (b"", "The file is empty"),
    (binary_record(b"the", [1, 2]), "Line 1 of a binary word2vec file must be the header"),
    (b"2 x\n" + binary_record(b"the", [1, 2]), "must be the header"),
    (b"2 2\n" + binary_record(b"the", [1, 2]), "header says 2 words, but the file ends inside word 2"),
    (b"2 2\n" + binary_record(b"the", [1, 2]) + binary_record(b"of", [1, 2])[:-3], "ends inside word 2"),
    (b"2 2\n" + binary_record(b"the", [1, 2]) + binary_record(b"the", [3, 4]), "Word 2 'the' already appeared"),
    (b"2 2\n" + binary_record(b"the", [1, 2]) + binary_record(b"of", [np.nan, 4]), "Word 2: .*'of' contains NaN"),
    (b"1 2\n" + binary_record(b"\xff\xfe", [1, 2]), "Word 1 is not valid UTF-8"),
    (b"1 2\n" + b"x" * 2000, "Word 1: no space within 1,000 bytes"),
    ((TEST_DATA / "lee_fasttext.bin").read_bytes(), "fastText .bin models are a different format"),
]


@pytest.mark.parametrize(("data", "message"), BINARY_ERRORS)
def test_malformed_binary_files(data, message):
    with pytest.raises(VectorFormatError, match=message):
        vectors_from_bytes(data, "vectors.bin")


def test_truncated_binary_file_with_limit_inside_the_good_part():
    data = vectors_to_bytes(sample(), "binary")
    assert len(vectors_from_bytes(data[:-10], "v.bin", limit=5)) == 5
    with pytest.raises(VectorFormatError, match="ends inside word 40"):
        vectors_from_bytes(data[:-10], "v.bin")
