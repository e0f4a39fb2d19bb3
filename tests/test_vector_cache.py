"""Vectors larger than memory: the memory-mapped cache answers as the in-memory vectors do, is built once, and a
stale, truncated or damaged cache is rebuilt (or reported) without writing outside its folder."""

import gzip
import json
import os

import numpy as np
import pytest

import w2v_core.embeddings as embeddings_module
from w2v_core.cli import main
from w2v_core.embeddings import Embeddings
from w2v_core.formats import VectorCacheError, cache_folder, load_vectors, open_vectors, save_vectors
from w2v_core.formats import _cache as vector_cache
from w2v_core.formats._cache import open_cached


def random_embeddings(n: int = 3000, dim: int = 16, seed: int = 0) -> Embeddings:
    rng = np.random.default_rng(seed)
    return Embeddings([f"w{i}" for i in range(n)], rng.normal(size=(n, dim)).astype(np.float32))


@pytest.fixture
def blockwise(monkeypatch):
    """Every Embeddings built from now on takes the large-vectors path, in blocks of 1,000 rows."""
    monkeypatch.setattr(embeddings_module, "UNIT_COPY_BYTES", 0)
    monkeypatch.setattr(embeddings_module, "CHUNK_ROWS", 1000)


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "vectors" / "big.bin"
    path.parent.mkdir()
    save_vectors(random_embeddings(), path)
    return path


def test_mapped_vectors_answer_as_the_in_memory_ones_without_a_second_copy(source, blockwise):
    notices = []
    mapped = open_vectors(source, min_bytes=0, notice=notices.append)
    plain = load_vectors(source)
    assert notices and "converting big.bin once" in notices[0]
    assert isinstance(mapped.vectors.base, np.memmap) or isinstance(mapped.vectors, np.memmap)
    assert mapped.words == plain.words and mapped.blockwise and mapped.counts is None
    for word in ("w1", "w2500"):
        assert [w for w, _ in mapped.most_similar(word, k=5)] == [w for w, _ in plain.most_similar(word, k=5)]
    for method in ("3cosadd", "3cosmul"):
        ours, theirs = mapped.analogy("w1", "w2", "w3", k=3, method=method), plain.analogy("w1", "w2", "w3", k=3,
                                                                                           method=method)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-4)
    assert mapped.similarity("w1", "w2") == pytest.approx(plain.similarity("w1", "w2"), abs=1e-6)
    assert mapped._unit is None, "no unit copy of mapped vectors"
    assert sorted(p.name for p in source.parent.iterdir()) == ["big.bin", "big.bin.w2vcache"]


def test_the_cache_is_built_once_then_reused(source):
    open_cached(source)
    stamp = (cache_folder(source) / "vectors.npy").stat().st_mtime_ns
    notices = []
    emb = open_cached(source, notice=notices.append)
    assert notices == [] and (cache_folder(source) / "vectors.npy").stat().st_mtime_ns == stamp
    assert len(emb) == 3000 and emb.dim == 16


def test_a_stale_cache_is_rebuilt_from_the_changed_file(source):
    open_cached(source)
    save_vectors(random_embeddings(seed=1), source)  # same size, new vectors
    os.utime(source, ns=(1, 1))
    notices = []
    emb = open_cached(source, notice=notices.append)
    assert "stale" in notices[0]
    np.testing.assert_array_equal(emb.vectors, load_vectors(source).vectors)


@pytest.mark.parametrize(("damage", "says"), [
    (lambda folder: (folder / "vectors.npy").write_bytes((folder / "vectors.npy").read_bytes()[:5000]), "truncated"),
    (lambda folder: (folder / "words.txt").unlink(), "words.txt is missing"),
    (lambda folder: (folder / "source.json").write_text("{not json"), "damaged (source.json"),
])
def test_a_truncated_or_damaged_cache_is_reported_and_rebuilt(source, damage, says):
    open_cached(source)
    damage(cache_folder(source))
    notices = []
    emb = open_cached(source, notice=notices.append)
    assert says in notices[0] and "rebuilding" in notices[0]
    assert emb.words == load_vectors(source).words


def test_a_cache_folder_elsewhere_leaves_the_source_folder_untouched(source, tmp_path):
    emb = open_vectors(source, min_bytes=0, cache_dir=tmp_path / "cache")
    assert sorted(p.name for p in source.parent.iterdir()) == ["big.bin"]
    (folder,) = (tmp_path / "cache").iterdir()
    assert folder.name.startswith("big.bin-") and len(emb) == 3000


def test_text_and_gzipped_files_are_cached_too(tmp_path):
    emb = random_embeddings(500, 8)
    save_vectors(emb, tmp_path / "v.txt")
    (tmp_path / "v.txt.gz").write_bytes(gzip.compress((tmp_path / "v.txt").read_bytes()))
    lines = (tmp_path / "v.txt").read_text().splitlines()[1:]  # no header
    (tmp_path / "plain.vec").write_text("\n".join(lines) + "\n")
    for name in ("v.txt", "v.txt.gz", "plain.vec"):
        mapped = open_vectors(tmp_path / name, min_bytes=0)
        assert mapped.words == emb.words, name
        np.testing.assert_array_equal(mapped.vectors, emb.vectors)


def test_a_bad_source_gives_its_message_and_leaves_no_cache(tmp_path):
    path = tmp_path / "broken.bin"
    path.write_bytes(b"1000 16\n" + b"w1 " + bytes(64) + b"w2 " + bytes(10))
    with pytest.raises(ValueError, match="truncated"):
        open_vectors(path, min_bytes=0)
    folder = cache_folder(path)
    assert not (folder / "source.json").exists() and sorted(p.name for p in folder.iterdir()) == []


def test_small_files_and_limited_reads_stay_in_memory(source):
    assert not open_vectors(source).blockwise
    assert len(open_vectors(source, limit=10, min_bytes=0)) == 10
    assert not cache_folder(source).exists()


def test_an_unwritable_cache_folder_is_reported_clearly(source, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(VectorCacheError, match="--cache-dir"):
        open_cached(source, cache_dir=blocker / "cache")


def test_cli_neighbours_and_analogies_through_the_cache(source, capsys, monkeypatch):
    monkeypatch.setattr(vector_cache, "MAPPED_MIN_BYTES", 0)
    assert main(["neighbours", str(source), "w1", "w2", "--analogy", "w1", "w2", "w3", "-k", "3"]) == 0
    out, err = capsys.readouterr()
    assert "converting big.bin once" in err
    assert out.count("# ") == 3 and "# w1 : w2 :: w3 : ?" in out
    meta = json.loads((cache_folder(source) / "source.json").read_text())
    assert meta["words"] == 3000 and meta["dim"] == 16
    assert main(["neighbours", str(source), "nope"]) == 2


def test_validation_measures_norms_in_the_same_pass_and_refuses_nan(blockwise):
    vectors = np.ones((2500, 4), dtype=np.float32)
    vectors[1234] = 1e30  # finite, but its float32 squared length overflows
    emb = Embeddings([f"w{i}" for i in range(2500)], vectors)
    assert emb.norms[1234] == pytest.approx(2e30, rel=1e-6) and emb.norms[0] == pytest.approx(2.0)
    assert emb.most_similar("w1234", k=1)[0][1] == pytest.approx(1.0, abs=1e-5)
    vectors[2001, 2] = np.nan
    with pytest.raises(ValueError, match=r"'w2001' \(row 2001\) contains NaN"):
        Embeddings([f"w{i}" for i in range(2500)], vectors)
