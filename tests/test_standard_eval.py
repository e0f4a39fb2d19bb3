"""The bundled standard sets (``evaluate_standard``, ``w2v eval --standard``) and gensim's pickles refused."""

import math
from pathlib import Path

import gensim
import numpy as np
import pytest
from gensim.models import KeyedVectors

from w2v_core.cli import main
from w2v_core.datasets import DATA_DIR, STANDARD_SETS
from w2v_core.embeddings import Embeddings
from w2v_core.evaluation import evaluate_analogies, evaluate_standard, evaluate_word_pairs, read_analogies
from w2v_core.formats import VectorFormatError, load_vectors, save_vectors, vectors_from_bytes

GENSIM_DATA = Path(gensim.__file__).parent / "test" / "test_data"


def test_bundled_sets_are_gensims_files_unchanged() -> None:
    for standard in STANDARD_SETS:
        assert standard.path.read_bytes() == (GENSIM_DATA / standard.filename).read_bytes()


def test_standard_results_are_those_of_each_file(google_vectors: Embeddings) -> None:
    restrict = google_vectors.words.index("distractor0") - 400  # leaves out some question words
    results = evaluate_standard(google_vectors, restrict_vocab=restrict)
    assert list(results.pairs) == ["WordSim-353", "SimLex-999"] and list(results.analogies) == ["Google analogies"]
    google = results.analogies["Google analogies"]
    alone = evaluate_analogies(google_vectors, read_analogies(DATA_DIR / "questions-words.txt"), restrict)
    assert (google.correct, google.attempted, google.total) == (alone.correct, alone.attempted, 19_544)
    assert len(google.per_section) == 14 and 0.3 < google.coverage < 1 and 0.05 < google.accuracy < 0.95
    kv = KeyedVectors(google_vectors.dim)
    kv.add_vectors(google_vectors.words, google_vectors.vectors)
    for name, filename in (("WordSim-353", "wordsim353.tsv"), ("SimLex-999", "simlex999.txt")):
        ours = results.pairs[name]
        _, spearman, oov_percent = kv.evaluate_word_pairs(str(DATA_DIR / filename), restrict_vocab=len(kv))
        assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-6)
        assert ours.coverage == pytest.approx(1 - oov_percent / 100) and 0.2 < ours.coverage < 0.9
        assert len(ours.scored) == ours.n_used


def test_scored_pairs_hold_the_human_score_and_the_cosine() -> None:
    emb = Embeddings(["a", "b", "c"], np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    result = evaluate_word_pairs(emb, [("a", "B", 2.0), ("a", "c", 8.0), ("a", "zebra", 5.0)])
    assert [(a, b, human) for a, b, human, _ in result.scored] == [("a", "B", 2.0), ("a", "c", 8.0)]
    assert [cosine for *_, cosine in result.scored] == pytest.approx([0.0, math.sqrt(0.5)])
    assert result.coverage == pytest.approx(2 / 3) and result.spearman == pytest.approx(1.0)


def test_cli_eval_standard_reports_coverage_and_every_section(google_vectors, tmp_path, capsys) -> None:
    save_vectors(google_vectors, tmp_path / "v.bin")
    assert main(["eval", str(tmp_path / "v.bin"), "--standard"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("WordSim-353\tspearman ") and lines[1].startswith("SimLex-999\tspearman ")
    assert "\tpairs " in lines[0] and "\tcoverage " in lines[0]
    assert lines[2].startswith("Google analogies\taccuracy ") and lines[2].endswith("of 19,544 questions")
    sections = lines[3:]
    assert len(sections) == 14 and sections[0].startswith("  capital-common-countries\t")
    assert all("\tcoverage " in line for line in sections)


def test_cli_eval_without_a_set_says_what_to_give(tmp_path, capsys) -> None:
    save_vectors(Embeddings(["a", "b"], np.eye(2)), tmp_path / "v.txt")
    assert main(["eval", str(tmp_path / "v.txt")]) == 2
    assert "--standard" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "line"), [
    ("model.kv", 'KeyedVectors.load("model.kv").save_word2vec_format("vectors.bin", binary=True)'),
    ("word2vec.model", 'Word2Vec.load("word2vec.model").wv.save_word2vec_format("vectors.bin", binary=True)'),
])
def test_gensim_pickles_are_refused_naming_the_gensim_line(tmp_path, capsys, name, line) -> None:
    kv = KeyedVectors(4)
    kv.add_vectors(["king", "queen"], np.eye(2, 4, dtype=np.float32))
    kv.save(str(tmp_path / name))
    assert main(["neighbours", str(tmp_path / name), "king"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and line in error and "never opened" in error
    with pytest.raises(VectorFormatError, match="pickle"):
        vectors_from_bytes((tmp_path / name).read_bytes(), name)


def test_a_pickle_renamed_to_bin_is_refused_unread(tmp_path) -> None:
    kv = KeyedVectors(4)
    kv.add_vectors(["king"], np.ones((1, 4), dtype=np.float32))
    kv.save(str(tmp_path / "model.kv"))
    (tmp_path / "model.kv").rename(tmp_path / "vectors.bin")
    with pytest.raises(VectorFormatError, match=r"Python pickle.*Word2Vec\.load"):
        load_vectors(tmp_path / "vectors.bin")
