"""AppTest: the Projection and Neighbours pages on a trained model, a live snapshot and opened vector files."""

import time

import numpy as np
import pytest
from apptest_support import (
    button,
    new_app,
    open_vectors,
    plotly_specs,
    set_up_run,
    start_training,
    stop_trainer,
    texts,
    train_small,
    values,
)
from wait_support import wait_for

from w2v_core.embeddings import Embeddings
from w2v_core.formats import vectors_to_bytes


@pytest.fixture(scope="module")
def trained():
    """One app session with a small finished training, shared by the read-only tests of this module."""
    app = new_app()
    train_small(app, dim=24, epochs=3, sentences=4000)
    yield app
    stop_trainer(app)


def total_points(spec: dict) -> int:
    """Words drawn in a projection chart (every trace but the labels and the search marks)."""
    return sum(len(values(t.get("x"))) for t in spec["data"] if t["name"] not in ("labels", "search"))


def wait_for_map(at, limit: float = 90.0) -> dict:
    """Rerun the page (as the live fragment would) until the t-SNE/UMAP job has finished; the final spec."""
    deadline = time.monotonic() + limit
    while not any(d.label == "Coordinates (CSV)" for d in at.get("download_button")):
        assert time.monotonic() < deadline, texts(at, "caption")
        assert not at.exception and not at.error, [e.value for e in (*at.exception, *at.error)]
        time.sleep(0.3)
        at.run()
    return plotly_specs(at)[0]


def small_vectors(n: int = 60, dim: int = 5) -> Embeddings:
    rng = np.random.default_rng(0)
    words = ["alpha", "beta", "gamma"] + [f"w{i}" for i in range(n - 3)]
    return Embeddings(words, rng.normal(size=(n, dim)).astype(np.float32), np.arange(n, 0, -1) * 10)


def test_pages_without_vectors_say_what_to_do(at):
    for page in ("projection", "neighbours"):
        at.switch_page(f"pages/{page}.py").run()
        assert "No vectors yet" in texts(at, "info")[0] and not at.error
        assert at.expander[0].label == "Open vectors trained elsewhere"


def test_projection_of_the_trained_model(trained):
    at = trained
    at.switch_page("pages/projection.py").run()
    assert not at.exception and not at.error
    (spec,) = plotly_specs(at)
    vocab_size = len(at.session_state["trainer"].vocab)
    assert total_points(spec) == min(2000, vocab_size) and spec["data"][0]["type"] in ("scatter", "scattergl")
    assert "days" in [t["name"] for t in spec["data"]]  # teaching corpus: coloured by word group
    assert [d.label for d in at.get("download_button")] == ["Coordinates (CSV)", "Chart (HTML)"]
    labels = next(t for t in spec["data"] if t["name"] == "labels")
    assert 30 <= len(labels["text"]) <= 100 and "the" in labels["text"]  # the most frequent words, readable
    at.text_input(key="projection_query").set_value("king").run()
    spec = plotly_specs(at)[0]
    search = spec["data"][-1]
    callouts = [note["text"] for note in spec["layout"].get("annotations", [])]
    assert len(values(search["x"])) == 11 and search["marker"]["symbol"][-1] == "diamond"
    assert "<b>king</b>" in [*search["text"], *callouts] and len([t for t in search["text"] if t]) + len(callouts) == 11
    assert any(c.startswith("Neighbours of **king**") for c in texts(at, "caption"))
    at.number_input(key="projection_labels").set_value(0).run()
    assert "labels" not in [t["name"] for t in plotly_specs(at)[0]["data"]]
    at.radio(key="projection_dims").set_value(3).run()
    assert plotly_specs(at)[0]["data"][0]["type"] == "scatter3d"
    at.radio(key="projection_colour").set_value("group").run()
    assert not at.error and plotly_specs(at)[0]["data"][0]["type"] == "scatter3d"


def test_tsne_converges_live_and_keeps_its_map(trained):
    at = trained
    at.switch_page("pages/projection.py").run()
    at.number_input(key="projection_words").set_value(120)
    at.radio(key="projection_dims").set_value(2)
    at.radio(key="projection_method").set_value("tsne")
    at.radio(key="projection_colour").set_value("cluster").run()
    assert not at.exception and not at.error
    assert button(at, "Stop") and any(c.startswith("t-SNE") for c in texts(at, "caption"))
    spec = wait_for_map(at)
    assert total_points(spec) == 120 and spec["data"][0]["name"] == "cluster 1"
    assert at.slider(key="projection_clusters").value == 10
    assert "Stop" not in [b.label for b in at.button]
    at.radio(key="projection_colour").set_value("frequency").run()  # the kept map is drawn at once
    assert total_points(plotly_specs(at)[0]) == 120 and not at.error


def test_stopped_tsne_says_so_and_runs_again(trained):
    at = trained
    at.switch_page("pages/projection.py").run()
    at.number_input(key="projection_words").set_value(300)
    at.radio(key="projection_dims").set_value(3)
    at.radio(key="projection_method").set_value("tsne").run()
    button(at, "Stop").click().run()
    spec = wait_for_map(at)
    assert total_points(spec) == 300 and spec["data"][0]["type"] == "scatter3d"
    assert "was stopped at iteration" in texts(at, "info")[0]
    button(at, "Run t-SNE again").click().run()
    assert button(at, "Stop") and not at.info
    button(at, "Stop").click().run()
    wait_for_map(at)


def test_semantic_axes(trained):
    at = trained
    at.switch_page("pages/projection.py").run()
    at.radio(key="projection_method").set_value("axes").run()
    assert at.text_input(key="axis_x_from").value == "man" and at.text_input(key="axis_x_to").value == "woman"
    spec = plotly_specs(at)[0]
    assert spec["layout"]["xaxis"]["title"]["text"].startswith("man → woman")
    assert spec["layout"]["yaxis"]["title"]["text"].startswith("walk + run + eat → walked + ran + ate")
    words = at.session_state["trainer"].vocab.words
    xs = {w: x for t in spec["data"] if t["name"] not in ("labels", "search")
          for w, x in zip(t["hovertext"], values(t["x"]), strict=True)}
    assert xs["queen"] > xs["king"] and xs["woman"] == pytest.approx(1, abs=0.02), len(words)
    at.text_input(key="axis_y_to").set_value("walked, Zebra, Ran").run()
    assert "Not in the vocabulary: 'Zebra', 'Ran' (did you mean 'ran'?)" in texts(at, "error")[0].replace("\\", "")
    assert not at.get("plotly_chart")
    at.text_input(key="axis_y_to").set_value("walked").run()
    at.radio(key="projection_method").set_value("pca").run()


def test_projection_search_for_an_unknown_word(trained):
    at = trained
    at.switch_page("pages/projection.py").run()
    at.radio(key="projection_method").set_value("pca")
    at.text_input(key="projection_query").set_value("Zebra").run()
    assert "not in the vocabulary" in texts(at, "error")[0]
    assert "search" not in [t["name"] for t in plotly_specs(at)[0]["data"]]


def test_neighbours_analogies_similarity(trained):
    at = trained
    at.switch_page("pages/neighbours.py").run()
    assert not at.exception and not at.error
    neighbours, analogies = (frame.value for frame in at.dataframe[:2])
    assert len(neighbours) == 10 and "king" not in set(neighbours["word"])
    assert neighbours["cosine"].is_monotonic_decreasing
    assert len(analogies) == 5
    assert at.metric[0].label.startswith("cosine of king and queen")
    assert any("Odd one out" in m for m in texts(at, "markdown"))
    labels = [d.label for d in at.get("download_button")]
    assert labels == ["word2vec text", "word2vec binary", "NumPy .npz", "Projector TSV (zip)", "Configuration (JSON)"]
    at.text_input(key="nn_word").set_value("King").run()
    assert "did you mean 'king'" in texts(at, "error")[0]


def test_evaluation_files_show_coverage_first(trained):
    at = trained
    at.switch_page("pages/neighbours.py").run()
    pairs = b"# word1 word2 score\nking queen 9\nmonday tuesday 8\nred king 1\nzebra unicorn 5\n"
    at.file_uploader(key="eval_pairs").set_value(("pairs.txt", pairs, "text/plain")).run()
    metrics = [(m.label, m.value) for m in at.metric]
    assert metrics[1] == ("Coverage", "75.0%") and metrics[2][0] == "Spearman"
    questions = b": royalty\nman king woman queen\nboy prince girl princess\n: unknown\nzebra a b c\n"
    at.file_uploader(key="eval_analogies").set_value(("q.txt", questions, "text/plain")).run()
    labels = [m.label for m in at.metric]
    assert labels[-2:] == ["Coverage", "Accuracy"] and at.metric[-2].value == "66.7%"
    assert list(at.dataframe[-1].value["section"]) == ["royalty", "unknown"]
    at.file_uploader(key="eval_pairs").set_value(("bad.txt", b"just one\n", "text/plain")).run()
    assert any("bad.txt" in e and "word1 word2 score" in e for e in texts(at, "error"))
    assert not at.exception


def test_open_vectors_trained_elsewhere(at):
    emb = small_vectors()
    open_vectors(at, "other.vec", vectors_to_bytes(emb, "text"))
    assert not at.error and any("other.vec (60 words)" in c.replace("\\", "") for c in texts(at, "caption"))
    assert at.session_state["_vectors"].name == "other.vec"
    table = at.dataframe[0].value
    assert len(table) == 10 and set(table["word"]) <= set(emb.words)
    at.switch_page("pages/projection.py").run()
    assert total_points(plotly_specs(at)[0]) == 60 and not at.error
    assert "group" not in at.radio(key="projection_colour").options


def test_word_count_follows_the_vectors_explored(trained):
    at = trained
    at.switch_page("pages/projection.py").run()
    assert at.number_input(key="projection_words").value == len(at.session_state["trainer"].vocab)  # < 2,000
    big = Embeddings([f"v{i}" for i in range(3000)], small_vectors(3000, 8).vectors, np.arange(3000, 0, -1))
    at.file_uploader(key="vector_file_projection").set_value(("big.vec", vectors_to_bytes(big, "text"),
                                                               "application/octet-stream")).run()
    at.radio(key="model_source").set_value("opened").run()
    words = at.number_input(key="projection_words")
    assert words.value == 2000 and words.max == 3000 and total_points(plotly_specs(at)[0]) == 2000
    words.set_value(3000).run()
    assert total_points(plotly_specs(at)[0]) == 3000 and not at.error
    at.radio(key="model_source").set_value("trained").run()
    assert at.number_input(key="projection_words").value == len(at.session_state["trainer"].vocab)


def test_queries_survive_page_switches_and_reset_for_new_vectors(at):
    open_vectors(at, "first.vec", vectors_to_bytes(small_vectors(), "text"))
    at.text_input(key="nn_word").set_value("gamma").run()
    at.text_input(key="an_c").set_value("beta").run()
    at.switch_page("pages/corpus.py").run()
    at.switch_page("pages/neighbours.py").run()
    assert at.text_input(key="nn_word").value == "gamma" and at.text_input(key="an_c").value == "beta"
    assert "gamma" not in set(at.dataframe[0].value["word"]) and not at.error
    other = Embeddings([f"v{i}" for i in range(40)], small_vectors(40).vectors, np.arange(40, 0, -1))
    at.file_uploader(key="vector_file_neighbours").set_value(("second.vec", vectors_to_bytes(other, "text"),
                                                                "application/octet-stream")).run()
    assert at.text_input(key="nn_word").value in other.words and not at.error


def test_max_words_limits_what_is_read(at):
    at.switch_page("pages/neighbours.py").run()
    at.number_input(key="vectors_max_words").set_value(100).run()
    open_vectors(at, "big.bin", vectors_to_bytes(small_vectors(n=500), "binary"))
    assert len(at.session_state["_vectors"].emb) == 100


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("bad.txt", b"2 3\nalpha 1 2 3\nbeta 1 2\n", "bad.txt"),
    ("bad.txt", b"2 3\nalpha 1 2 x\nbeta 1 2 3\n", "bad.txt"),
    ("bad.txt", b"2 3\nalpha 1 2 nan\nbeta 1 2 3\n", "bad.txt"),
    ("dup.txt", b"2 2\nalpha 1 2\nalpha 3 4\n", "already appeared"),
    ("cut.bin", None, "cut.bin"),
    ("image.npz", b"\x89PNG\r\n\x1a\n" + bytes(100), "image.npz"),
])
def test_bad_vector_files_are_explained(at, name, data, expected):
    if data is None:
        data = vectors_to_bytes(small_vectors(), "binary")[:-7]
    open_vectors(at, name, data)
    errors = texts(at, "error")
    assert len(errors) == 1 and errors[0].startswith(f"Could not open {name}") and expected in errors[0], errors
    assert "_vectors" not in at.session_state


def test_live_snapshot_during_training(at):
    set_up_run(at, 3000, dim=16, epochs=1000)
    trainer = start_training(at)
    wait_for(lambda: trainer.progress().words_done > 0)
    at.switch_page("pages/neighbours.py").run()
    assert trainer.is_active and any("live snapshot" in i for i in texts(at, "info"))
    first = at.session_state["_snapshots"]["input"].key
    at.run()
    assert at.session_state["_snapshots"]["input"].key == first  # the same snapshot until asked
    button(at, "Take a new snapshot").click().run()
    assert at.session_state["_snapshots"]["input"].key[1] > first[1]
    assert len(at.dataframe[0].value) == 10
    at.switch_page("pages/projection.py").run()
    assert total_points(plotly_specs(at)[0]) > 100 and not at.exception


def test_barely_trained_vectors_are_called_so_next_to_the_answers(at):
    train_small(at, dim=16, epochs=1, sentences=3000)  # one epoch on a small corpus: every neighbour ≈ 0.99
    at.switch_page("pages/neighbours.py").run()
    warnings = texts(at, "warning")
    assert len(warnings) == 2 and all("barely trained" in w and "more epochs or on more text" in w for w in warnings)
    assert at.dataframe[0].value["cosine"].min() > 0.9  # what the warning explains
    open_vectors(at, "random.npz", vectors_to_bytes(small_vectors(), "npz"))  # directions spread out: no warning
    assert not texts(at, "warning") and not at.error
