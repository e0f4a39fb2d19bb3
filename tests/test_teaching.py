from collections import Counter

import pytest
from gensim.models import Word2Vec

from w2v_core.corpus import build_corpus, tokenize
from w2v_core.teaching import TEACHING_ANALOGIES, TEACHING_GROUPS, generate_teaching_corpus, group_of


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return generate_teaching_corpus()


def test_deterministic_for_a_seed(lines):
    assert generate_teaching_corpus() == lines
    assert generate_teaching_corpus(500, seed=3) == generate_teaching_corpus(500, seed=3)
    assert generate_teaching_corpus(500, seed=3) != generate_teaching_corpus(500, seed=4)
    assert len(generate_teaching_corpus(123, seed=1)) == 123


def test_plain_lowercase_words(lines):
    for line in lines[:2000]:
        assert line and line == line.lower() and line == line.strip()
        assert tokenize(line) == line.split(), line


def test_default_size_and_every_group_word_frequent(lines):
    corpus = build_corpus(lines, min_count=5)
    assert 140_000 <= corpus.vocab.total_tokens <= 300_000
    assert len(corpus.vocab) < 1000
    for group, words in TEACHING_GROUPS.items():
        for word in words:
            assert word in corpus.vocab, (group, word)
            assert corpus.vocab.counts[corpus.vocab.index[word]] >= 100, (group, word)


def test_groups_and_analogies_are_consistent():
    all_words = [w for words in TEACHING_GROUPS.values() for w in words]
    assert len(all_words) == len(set(all_words)), "a word is in two groups"
    assert {"days", "months", "numbers", "colours", "animals", "fruits", "countries", "capitals"} <= set(
        TEACHING_GROUPS)
    assert TEACHING_GROUPS["days"][0] == "monday" and len(TEACHING_GROUPS["numbers"]) == 12
    assert group_of("paris") == "capitals" and group_of("france") == "countries" and group_of("zebra") is None
    assert ("france", "paris", "italy", "rome") in TEACHING_ANALOGIES
    assert ("king", "queen", "man", "woman") in TEACHING_ANALOGIES
    assert len(set(TEACHING_ANALOGIES)) == len(TEACHING_ANALOGIES) >= 30
    for a, b, c, d in TEACHING_ANALOGIES:
        assert len({a, b, c, d}) == 4
        assert group_of(a) == group_of(c) and group_of(b) == group_of(d)


def test_gensim_learns_the_clusters_and_analogies(lines):
    sentences = [line.split() for line in lines]
    model = Word2Vec(sentences, sg=1, vector_size=50, window=5, negative=5, min_count=5, epochs=5, workers=2,
                     seed=1)
    kv = model.wv
    answered = [kv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] == d
                for a, b, c, d in TEACHING_ANALOGIES]
    wrong = [q for q, ok in zip(TEACHING_ANALOGIES, answered, strict=True) if not ok]
    assert sum(answered) / len(answered) >= 0.8, wrong

    same_group = Counter()
    for group, words in TEACHING_GROUPS.items():
        for word in words:
            same_group[group] += group_of(kv.most_similar(word, topn=1)[0][0]) == group
    shares = {group: same_group[group] / len(words) for group, words in TEACHING_GROUPS.items()}
    assert min(shares.values()) >= 0.6, shares
    assert sum(same_group.values()) / sum(map(len, TEACHING_GROUPS.values())) >= 0.85, shares
