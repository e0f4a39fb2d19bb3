"""The app's pure helpers: Plotly figure builders, export contents, corpus choice and literal text."""

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from ui import charts
from ui.corpus_source import CorpusSettings, load_bundled, load_uploaded, min_count_table, uploads_fingerprint
from ui.exports import config_json, figure_html, projection_csv
from ui.text import md_literal
from w2v_core.corpus import CorpusEncodingError, CorpusError


def _points(trace) -> int:
    return len(trace.x) if trace.x is not None else 0


def test_plot_text_escapes_html_so_tokens_show_literally():
    assert charts.plot_text(["<script>", "a&b", "plain"]) == ["&lt;script&gt;", "a&amp;b", "plain"]


def test_log_spaced_ranks_keep_small_sets_and_thin_large_ones():
    assert list(charts.log_spaced_ranks(5)) == [0, 1, 2, 3, 4]
    ranks = charts.log_spaced_ranks(1_000_000, max_points=500)
    assert len(ranks) <= 500 and ranks[0] == 0 and ranks[-1] == 999_999
    assert np.all(np.diff(ranks) > 0)


def test_zipf_figure_splits_kept_and_removed_words():
    counts = np.array([50, 20, 9, 3, 1, 1])
    fig = charts.zipf_figure(list("abcdef"), counts, min_count=3)
    kept, removed = fig.data
    assert list(kept.x) == [1, 2, 3, 4] and list(removed.y) == [1, 1]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.dtick == "D2"  # six ranks: 1-2-5 steps; many decades: one label per power of ten
    assert charts.zipf_figure(list("abc"), np.array([5000, 40, 3]), 1).layout.yaxis.dtick == 1


def test_loss_figure_has_smoothed_line_parts_and_epoch_markers():
    history = pd.DataFrame({"words_done": np.arange(1, 41) * 1000, "loss": np.linspace(4, 2, 40),
                            "loss_positive": np.linspace(1, 0.5, 40), "loss_negative": np.linspace(3, 1.5, 40)})
    fig = charts.loss_figure(history, epoch_ends=[20_000])
    names = [trace.name for trace in fig.data]
    assert names[:2] == ["loss per chunk", "smoothed"] and len(names) == 4
    assert _points(fig.data[0]) == 40
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].x0 == 20_000
    smoothed = np.asarray(fig.data[1].y)
    assert smoothed[0] == pytest.approx(4.0) and smoothed[-1] > 2.0  # lags behind a falling loss


def test_loss_figure_thins_long_histories_after_smoothing():
    history = pd.DataFrame({"words_done": np.arange(2000), "loss": np.r_[np.full(1999, 1.0), 1000.0],
                            "loss_positive": np.nan, "loss_negative": np.nan})
    fig = charts.loss_figure(history, max_points=100)
    assert 100 <= _points(fig.data[0]) <= 101 and fig.data[0].x[-1] == 1999
    assert fig.data[1].y[-1] > 1.0  # the smoothed line saw the last point, though the rows were thinned
    assert len(charts.thin(history, 5000)) == 2000


def test_loss_figure_without_negative_parts_and_empty_history():
    history = pd.DataFrame({"words_done": [1, 2], "loss": [3.0, 2.0], "loss_positive": [3.0, 2.0],
                            "loss_negative": [np.nan, np.nan]})
    # hierarchical softmax and full softmax: the whole loss is the "positive part"; no split is drawn
    assert [trace.name for trace in charts.loss_figure(history).data] == ["loss per chunk", "smoothed"]
    empty = charts.loss_figure(history.iloc[:0])
    assert [len(trace.x) for trace in empty.data] == [0, 0]  # the run's first traces, with no points yet
    assert "start training" in empty.layout.annotations[0].text


def test_a_short_last_chunk_is_merged_and_weighted_by_its_pairs():
    # an epoch's last chunk of 200 pairs with a noisy mean (1.0) after chunks of 7,500 pairs at 4.0
    loss = np.r_[np.full(20, 4.0), 1.0, np.full(20, 4.0), 1.0]
    pairs = np.r_[np.full(20, 7500), 200, np.full(20, 7500), 200]
    history = pd.DataFrame({"words_done": np.cumsum(pairs), "loss": loss, "loss_positive": loss,
                            "loss_negative": np.nan, "pairs": pairs})
    fig = charts.loss_figure(history)
    raw, smoothed = np.asarray(fig.data[0].y), np.asarray(fig.data[1].y)
    assert len(raw) == 40 and fig.data[0].x[-1] == history["words_done"].iloc[-1]  # merged, end kept
    assert raw.min() > 3.9 and smoothed.min() > 3.9  # no dip: 200 pairs weigh 200/7700 of the merged point
    assert raw[-1] == pytest.approx((4.0 * 7500 + 1.0 * 200) / 7700)
    unweighted = charts.smooth(history["loss"])
    assert unweighted.iloc[-1] < 3.85  # what the chart showed before: a sharp dip at the end


def test_gradient_history_shows_a_gap_where_a_word_had_no_update():
    history = pd.DataFrame({"words_done": [1, 2, 3], "word_id": [0, 0, 0], "input_norm": [0.2, 0.0, 0.3],
                            "output_norm": [0.1, 0.1, 0.1]})
    line = charts.gradient_history_figure(history, {0: "rare"}).data[0]
    assert np.isnan(line.y[1]) and list(line.y[[0, 2]]) == [0.2, 0.3] and line.connectgaps is False


def test_many_epochs_keep_their_lines_but_only_some_labels():
    history = pd.DataFrame({"words_done": np.arange(1, 401) * 100, "loss": np.linspace(3, 1, 400)})
    fig = charts.loss_figure(history, epoch_ends=[k * 1000 for k in range(1, 40)])
    labels = [a.text for a in fig.layout.annotations]
    assert len(fig.layout.shapes) == 39 and 2 <= len(labels) <= charts.MAX_EPOCH_LABELS + 1
    assert labels[0] == "epoch 1" and "epoch 35" in labels  # every 5th of 39 epochs, and the first
    few = charts.loss_figure(history, epoch_ends=[1000, 2000, 3000])
    assert [a.text for a in few.layout.annotations] == ["epoch 1", "epoch 2", "epoch 3"]


def test_alpha_figure_plans_linear_decay():
    fig = charts.alpha_figure(pd.DataFrame({"words_done": [10, 20], "alpha": [0.02, 0.015]}), 100, 0.025, 2.5e-6)
    planned, used = fig.data
    assert list(planned.x) == [0, 100] and list(planned.y) == [0.025, 2.5e-6] and list(used.y) == [0.02, 0.015]


def test_top_gradients_orders_largest_first_and_skips_zero():
    fig = charts.top_gradients_figure(["a", "b", "c", "d"], np.array([0.1, 0.0, 0.5, 0.3]), n=3)
    bar = fig.data[0]
    assert list(bar.y) == ["a", "d", "c"]  # drawn bottom-up: the largest ends on top
    assert charts.top_gradients_figure(["a"], np.zeros(1)).layout.annotations


def test_gradient_frequency_and_history_figures():
    fig = charts.gradient_frequency_figure(["a", "b", "c"], np.array([9, 5, 1]), np.array([0.1, 0.0, 0.3]),
                                           np.array([0.2, 0.2, 0.2]))
    assert [_points(t) for t in fig.data] == [2, 3]
    many = charts.gradient_frequency_figure(["w"] * 50_000, np.arange(50_000, 0, -1), np.ones(50_000),
                                            max_points=1000)
    assert 500 <= _points(many.data[0]) <= 1000 and many.data[0].x[0] == 50_000
    history = pd.DataFrame({"words_done": [1, 2, 1, 2], "word_id": [0, 0, 2, 2],
                            "input_norm": [0.1, 0.2, 0.3, 0.4], "output_norm": [0.0] * 4})
    lines = charts.gradient_history_figure(history, {0: "<b>", 2: "c"})
    assert [t.name for t in lines.data] == ["&lt;b&gt;", "c"] and list(lines.data[1].y) == [0.3, 0.4]


def test_zipf_and_gradient_scatters_use_webgl_only_for_many_points():
    few, many = 300, 20_000
    counts = np.arange(many, 0, -1)
    small = charts.zipf_figure([f"w{i}" for i in range(few)], counts[-few:], min_count=5)
    large = charts.zipf_figure([f"w{i}" for i in range(many)], counts, min_count=5)
    assert {type(t) for t in small.data} == {go.Scatter} and {type(t) for t in large.data} == {go.Scattergl}
    norms = np.linspace(1, 2, few)
    assert isinstance(charts.gradient_frequency_figure(["w"] * few, counts[-few:], norms).data[0], go.Scatter)


def test_exports_round_trip():
    document = json.loads(config_json({"dim": 10}, None, None, "Teaching"))
    assert document == {"config": {"dim": 10}, "corpus": "Teaching"}
    csv = projection_csv(["a", "b"], np.array([[0.5, 1.0], [2.0, 3.0]]), np.array([4, 2]), np.array([1, 0]))
    assert csv.splitlines() == ["word,x,y,count,cluster", "a,0.5,1.0,4,1", "b,2.0,3.0,2,0"]
    html = figure_html(go.Figure(go.Scatter(x=[1], y=[2])))
    assert html.lstrip().lower().startswith("<!doctype html>") and "plotly" in html
    assert len(html) > 1_000_000  # plotly.js is embedded: the file works offline


def test_md_literal_escapes_markdown_links_and_html():
    text = md_literal("[x](javascript:alert(1)) **bold** <script> $x$")
    assert "\\[x\\]\\(javascript\\:alert\\(1\\)\\)" in text and "\\*\\*bold\\*\\*" in text
    assert "\\<script\\>" in text and "\\$x\\$" in text


def test_uploaded_corpus_builds_and_reports_bad_files_by_name():
    files = [("a.txt", b"the cat sat\nthe dog sat\n"), ("b.txt", b"the cat ran\n")]
    loaded = load_uploaded(files, CorpusSettings(source="upload", min_count=2))
    assert loaded.corpus.vocab.words == ["the", "cat", "sat"] and loaded.all_words[:3] == ["the", "cat", "sat"]
    assert loaded.name == "Uploaded: a.txt, b.txt"
    with pytest.raises(CorpusEncodingError, match="b.txt"):
        load_uploaded([files[0], ("b.txt", "café".encode("latin-1"))], CorpusSettings(source="upload"))
    latin = load_uploaded([("b.txt", "café café".encode("latin-1"))],
                          CorpusSettings(source="upload", min_count=1, encoding="latin-1"))
    assert latin.corpus.vocab.words == ["café"]
    with pytest.raises(CorpusError, match="empty"):
        load_uploaded([("e.txt", b" \n\t\n")], CorpusSettings(source="upload"))
    assert uploads_fingerprint([]) == "" and uploads_fingerprint(files) != uploads_fingerprint(files[:1])


def test_teaching_corpus_settings_and_min_count_table():
    loaded = load_bundled(CorpusSettings(source="teaching", teaching_sentences=500, min_count=3))
    assert loaded.name == "Teaching corpus (500 sentences)" and "king" in loaded.corpus.vocab.index
    table = min_count_table(np.array([10, 5, 2, 1]), values=(1, 3))
    assert table == [{"min_count": 1, "words kept": 4, "tokens kept": "100.0%"},
                     {"min_count": 3, "words kept": 2, "tokens kept": "83.3%"}]
