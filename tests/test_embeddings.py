import time

import numpy as np
import pytest
from gensim.models import KeyedVectors

from w2v_core.embeddings import Embeddings, EmbeddingsError, UnknownWordError, analogy_scores


def random_embeddings(n: int = 200, d: int = 16, seed: int = 0) -> Embeddings:
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(n)]
    return Embeddings(words, rng.normal(size=(n, d)).astype(np.float32), np.arange(n, 0, -1))


def to_gensim(emb: Embeddings) -> KeyedVectors:
    kv = KeyedVectors(emb.dim)
    kv.add_vectors(emb.words, emb.vectors)
    return kv


def toy_analogy_embeddings() -> Embeddings:
    """man/woman/king/queen built so that king - man + woman == queen exactly, plus distractors."""
    rng = np.random.default_rng(3)
    royal, female, base = rng.normal(size=(3, 20))
    words = ["man", "woman", "king", "queen"] + [f"x{i}" for i in range(50)]
    vectors = np.vstack([base, base + female, base + royal, base + royal + female, rng.normal(size=(50, 20)) * 3])
    return Embeddings(words, vectors.astype(np.float32))


def test_basic_accessors():
    emb = random_embeddings(10, 4)
    assert len(emb) == 10 and emb.dim == 4
    assert "w3" in emb and "W3" not in emb and 3 not in emb
    assert emb.index("w3") == 3
    np.testing.assert_array_equal(emb.vector("w3"), emb.vectors[3])
    assert emb.vectors.dtype == np.float32 and emb.counts.dtype == np.int64
    np.testing.assert_allclose(np.linalg.norm(emb.unit_vectors, axis=1), 1.0, rtol=1e-6)
    assert emb.unit_vectors is emb.unit_vectors  # cached


def test_unknown_word_error_names_the_word_and_size():
    emb = Embeddings(["Paris"] + [f"w{i}" for i in range(5320)], np.ones((5321, 2)))
    with pytest.raises(UnknownWordError) as info:
        emb.index("zzz")
    assert str(info.value) == "'zzz' is not in the vocabulary (5,321 words)."
    assert isinstance(info.value, KeyError)
    with pytest.raises(UnknownWordError, match="did you mean 'w7'"):
        emb.vector("W7")
    with pytest.raises(UnknownWordError, match="'paris'"):
        emb.most_similar("paris")


@pytest.mark.parametrize(("words", "vectors", "counts", "message"), [
    (["a", "b"], np.zeros((3, 2)), None, "2 words but 3"),
    (["a", "b", "a"], np.zeros((3, 2)), None, "'a' occurs twice"),
    (["a", "b"], np.array([[0, 1], [np.nan, 1]]), None, "'b'.*NaN"),
    (["a", "b"], np.array([[0, np.inf], [0, 1]]), None, "'a'.*infinity"),
    (["a", "b"], np.zeros(2), None, "2-D"),
    ([], np.zeros((0, 3)), None, "at least one word"),
    (["a", ""], np.zeros((2, 2)), None, "non-empty string"),
    (["a", "b"], np.zeros((2, 2)), np.array([1, 2, 3]), "counts"),
    (["a", "b"], np.zeros((2, 2)), np.array([1.5, 2.0]), "counts"),
    (["a", "b"], [["x", "y"], ["z", "w"]], None, "numeric"),
])
def test_invalid_inputs_are_rejected(words, vectors, counts, message):
    with pytest.raises(EmbeddingsError, match=message):
        Embeddings(words, vectors, counts)


def test_most_similar_matches_gensim():
    emb = random_embeddings()
    kv = to_gensim(emb)
    for query in (dict(positive="w5"), dict(positive=["w1", "w2"], negative=["w3"]),
                  dict(positive=["w10"], negative="w11")):
        ours = emb.most_similar(**query, k=7)
        theirs = kv.most_similar(**query, topn=7)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    assert "w5" not in dict(emb.most_similar("w5", k=len(emb)))
    assert len(emb.most_similar("w5", k=len(emb))) == len(emb) - 1


def test_most_similar_by_vector_and_restrict():
    emb = random_embeddings()
    hits = emb.most_similar(emb.vector("w5") * 3.0, k=3)
    assert hits[0][0] == "w5" and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    restricted = emb.most_similar("w150", k=5, restrict=20)
    assert all(emb.index(w) < 20 for w, _ in restricted)
    with pytest.raises(EmbeddingsError, match="zero vector"):
        emb.most_similar("w1", negative="w1")
    with pytest.raises(EmbeddingsError, match="shape"):
        emb.most_similar(np.ones(3))


def test_similarity_and_doesnt_match_match_gensim():
    emb = random_embeddings()
    kv = to_gensim(emb)
    assert emb.similarity("w1", "w2") == pytest.approx(float(kv.similarity("w1", "w2")), abs=1e-6)
    assert emb.similarity("w1", "w1") == pytest.approx(1.0, abs=1e-6)
    group = ["w1", "w2", "w3", "w4", "w5"]
    assert emb.doesnt_match(group) == kv.doesnt_match(group)
    toy = toy_analogy_embeddings()
    assert toy.doesnt_match(["man", "woman", "king", "x3"]) == "x3"


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_analogy_finds_constructed_answer(method):
    emb = toy_analogy_embeddings()
    answer = emb.analogy("man", "king", "woman", method=method)
    assert answer[0][0] == "queen"
    three = emb.analogy("man", "king", "woman", k=3, method=method)
    assert len(three) == 3 and not {"man", "king", "woman"} & {w for w, _ in three}
    assert three[0][1] >= three[1][1] >= three[2][1]


def test_analogy_3cosadd_matches_gensim_and_3cosmul_matches_formula():
    emb = random_embeddings(300, 10, seed=4)
    kv = to_gensim(emb)
    ours = emb.analogy("w1", "w2", "w3", k=5)
    theirs = kv.most_similar(positive=["w2", "w3"], negative=["w1"], topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    # Levy & Goldberg 3CosMul written out directly, in float64
    unit = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
    cos = (unit @ unit[[1, 2, 3]].T.astype(np.float64) + 1) / 2
    expected = cos[:, 1] * cos[:, 2] / (cos[:, 0] + 1e-3)
    expected[[1, 2, 3]] = -np.inf
    mul = emb.analogy("w1", "w2", "w3", k=5, method="3cosmul")
    assert [w for w, _ in mul] == [emb.words[i] for i in np.argsort(-expected)[:5]]
    np.testing.assert_allclose([s for _, s in mul], np.sort(expected)[::-1][:5], rtol=1e-4)
    with pytest.raises(EmbeddingsError, match="3cosadd"):
        analogy_scores(emb.unit_vectors, np.array([1]), np.array([2]), np.array([3]), method="sum")


def test_top_keeps_most_frequent_words():
    emb = random_embeddings(50, 4)
    top = emb.top(10)
    assert top.words == emb.words[:10] and top.counts.tolist() == emb.counts[:10].tolist()
    np.testing.assert_array_equal(top.vectors, emb.vectors[:10])
    assert len(emb.top(500)) == 50
    with pytest.raises(EmbeddingsError):
        emb.top(0)


def test_queries_are_fast_on_a_large_vocabulary():
    rng = np.random.default_rng(0)
    emb = Embeddings([f"w{i}" for i in range(100_000)], rng.normal(size=(100_000, 300)).astype(np.float32))
    emb.unit_vectors  # noqa: B018  (normalise once, outside the timing)
    start = time.process_time()
    for i in range(10):
        emb.most_similar(f"w{i}", k=10)
        emb.analogy(f"w{i}", f"w{i + 1}", f"w{i + 2}", method="3cosmul")
    assert time.process_time() - start < 5.0
