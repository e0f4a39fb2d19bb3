"""AppTest: "Evaluate on the standard sets" on the Neighbours page (opened vectors) and per run on Compare, the
same numbers as ``w2v eval --standard``, drawn as plots; gensim's pickles refused with the line that converts them.
Also the figure and table builders of ``ui.eval_charts``."""

import math

import numpy as np
import pytest
from apptest_support import button, open_vectors, plotly_specs, texts, train_small, values, wait_until_done
from gensim.models import KeyedVectors

from ui.eval_charts import analogy_sections_figure, pair_scores_figure, standard_table
from w2v_core.embeddings import Embeddings
from w2v_core.evaluation import AnalogyResult, PairResult, evaluate_standard
from w2v_core.formats import vectors_to_bytes


def test_neighbours_page_scores_opened_vectors_on_the_standard_sets(at, google_vectors):
    open_vectors(at, "google.npz", vectors_to_bytes(google_vectors, "npz"))
    charts_before = len(plotly_specs(at))
    button(at, "Evaluate on the standard sets").click().run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    expected = evaluate_standard(google_vectors, restrict_vocab=30_000)
    table = next(frame.value for frame in at.dataframe if "set" in frame.value.columns).set_index("set")
    assert list(table.index) == ["WordSim-353", "SimLex-999", "Google analogies"]
    wordsim = expected.pairs["WordSim-353"]
    assert table.loc["WordSim-353", "score"] == f"{wordsim.spearman:.3f}"
    assert table.loc["WordSim-353", "coverage"].startswith(f"{wordsim.n_used} of 353 pairs")
    google = expected.analogies["Google analogies"]
    assert table.loc["Google analogies", "score"] == f"{google.accuracy:.1%}"
    assert table.loc["Google analogies", "coverage"].startswith(f"{google.attempted:,} of 19,544 questions")
    specs = plotly_specs(at)[charts_before:]
    assert len(specs) == 3
    wordsim_plot, simlex_plot, sections = specs
    assert wordsim_plot["layout"]["title"]["text"].startswith(f"WordSim-353: Spearman ρ = {wordsim.spearman:.3f}")
    assert len(values(wordsim_plot["data"][0]["x"])) == wordsim.n_used
    assert simlex_plot["layout"]["title"]["text"].startswith("SimLex-999: Spearman ρ = ")
    assert sections["data"][0]["type"] == "bar" and len(sections["data"][0]["y"]) == 14
    accuracy = values(sections["data"][0]["x"])
    assert accuracy[0] == pytest.approx(100 * google.per_section[0]["accuracy"])
    at.run()  # the scores stay for the same vectors without pressing again
    assert len(plotly_specs(at)) == charts_before + 3


@pytest.mark.parametrize(("name", "line"), [
    ("model.kv", 'KeyedVectors.load("model.kv").save_word2vec_format("vectors.bin", binary=True)'),
    ("w2v.model", 'Word2Vec.load("w2v.model").wv.save_word2vec_format("vectors.bin", binary=True)'),
])
def test_a_gensim_pickle_is_refused_with_the_line_that_converts_it(at, tmp_path, name, line):
    kv = KeyedVectors(4)
    kv.add_vectors(["king", "queen"], np.eye(2, 4, dtype=np.float32))
    kv.save(str(tmp_path / name))
    open_vectors(at, name, (tmp_path / name).read_bytes())
    (error,) = texts(at, "error")
    assert not at.exception and "never opened" in error and line.replace('"', "") in error.replace('"', "")


def test_compare_page_scores_each_run(at):
    train_small(at, dim=16, epochs=2, sentences=3000)
    at.switch_page("pages/train.py").run()
    at.selectbox(key="cfg_model").set_value("cbow").run()
    button(at, "Start training").click().run()
    wait_until_done(at)
    at.switch_page("pages/compare.py").run()
    charts_before = len(plotly_specs(at))
    button(at, "Evaluate on the standard sets").click().run()
    assert not at.exception and not at.error
    table = next(frame.value for frame in at.dataframe if "set" in frame.value.columns).set_index("set")
    assert {"score, run 1", "coverage, run 1", "score, run 2", "coverage, run 2"} <= set(table.columns)
    runs = {f"run {run.number}": run for run in at.session_state["_runs"]}
    for label, run in runs.items():
        google = evaluate_standard(run.emb).analogies["Google analogies"]
        assert google.attempted > 0  # the teaching corpus has countries, capitals and family words
        assert table.loc["Google analogies", f"score, {label}"] == f"{google.accuracy:.1%}"
    specs = plotly_specs(at)[charts_before:]
    assert len(specs) == 3
    bars = specs[2]
    assert [trace["name"] for trace in bars["data"]] == ["run 1", "run 2"]
    assert " (run 1), " in bars["layout"]["title"]["text"]


def test_pair_figure_puts_rho_in_the_title_and_one_point_per_covered_pair():
    result = PairResult(0.5, 0.4, 3, 2, 1 / 3, (("cup", "<b>mug</b>", 9.0, 0.7), ("cup", "sky", 1.0, 0.1)))
    fig = pair_scores_figure("SimLex-999", {"these vectors": result})
    assert fig.layout.title.text.startswith("SimLex-999: Spearman ρ = 0.500<br>")
    assert list(fig.data[0].x) == [0.7, 0.1] and list(fig.data[0].y) == [9.0, 1.0]
    assert fig.data[0].hovertext[0] == "cup – &lt;b&gt;mug&lt;/b&gt;"
    empty = pair_scores_figure("WordSim-353", {"run 1": PairResult(math.nan, math.nan, 353, 0, 1.0)})
    assert not empty.data and "No pair has both its words" in empty.layout.annotations[0].text


def test_section_bars_show_uncovered_sections_as_zero():
    rows = [{"section": "capital-common-countries", "correct": 3, "attempted": 4, "total": 10, "accuracy": 0.75},
            {"section": "gram1-adjective-to-adverb", "correct": 0, "attempted": 0, "total": 5,
             "accuracy": math.nan}]
    result = AnalogyResult(0.75, 3, 4, 15, 4 / 15, rows)
    fig = analogy_sections_figure("Google analogies", {"run 1": result, "run 2": result})
    assert [trace.name for trace in fig.data] == ["run 1", "run 2"] and list(fig.data[0].x) == [75.0, 0.0]
    assert list(fig.data[0].text) == ["3/4", "not covered"]
    assert fig.layout.title.text == "Google analogies: accuracy per section, 75.0% (run 1), 75.0% (run 2) overall"
    table = standard_table({"run 1": evaluate_standard(Embeddings(["king", "queen"], np.eye(2)))})
    assert list(table.columns) == ["set", "measure", "score", "coverage"]
    assert list(table["coverage"]) == ["1 of 353 pairs (0%)", "0 of 999 pairs (0%)", "0 of 19,544 questions (0%)"]
