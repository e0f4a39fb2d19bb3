"""The Projection chart: label placement without pile-ups, the highlighted word and its neighbours, WebGL."""

import numpy as np
import plotly.graph_objects as go
import pytest

from ui.projection_chart import _box, _callout_box, place_labels, projection_figure, screen_points


def _points(trace) -> int:
    return len(trace.x) if trace.x is not None else 0


def boxes(coords, words, labels):
    screen = screen_points(coords)
    return [_callout_box(screen[label.row], words[label.row], label.offset) if label.position == "callout"
            else _box(screen[label.row], words[label.row], label.position) for label in labels]


def overlapping(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def test_labels_of_the_most_frequent_words_never_overlap():
    rng = np.random.default_rng(0)
    coords = rng.normal(size=(2000, 2))
    words = [f"word{i}" for i in range(2000)]
    labels = place_labels(coords, words, count=100)
    assert 20 < len(labels) <= 100 and all(label.row < 100 for label in labels)  # only the 100 most frequent
    placed = boxes(coords, words, labels)
    assert not any(overlapping(a, b) for i, a in enumerate(placed) for b in placed[i + 1:])
    assert {label.row for label in place_labels(coords, words, count=0)} == set()


def test_required_labels_are_always_drawn_and_spread_around_their_points():
    coords = np.vstack([np.zeros((5, 2)) + np.arange(5)[:, None] * 1e-3, np.random.default_rng(1).normal(size=(50, 2))])
    words = [f"w{i}" for i in range(55)]
    labels = place_labels(coords, words, required=[0, 1, 2, 3, 4], count=50)
    assert [label.row for label in labels[:5]] == [0, 1, 2, 3, 4]
    # a pile of five points: the free sides first, then callouts further out; no two labels overlap
    assert labels[0].position == "top center" and labels[4].position == "callout"
    assert np.hypot(*labels[4].offset) > 30 and all(label.position != "callout" for label in labels[5:])
    placed = boxes(coords, words, labels)
    assert not any(overlapping(a, b) for i, a in enumerate(placed) for b in placed[i + 1:])
    fig = projection_figure(coords, words, highlight=[1, 2, 3, 4], query=0, label_count=0)
    assert fig.data[-1].name == "search" and len(fig.layout.annotations) == 3
    callout = fig.layout.annotations[0]
    assert callout.text.startswith("<b>w") and callout.showarrow and (callout.ax, callout.ay) != (0, 0)


def test_labels_in_3d_use_the_default_view():
    rng = np.random.default_rng(2)
    coords = rng.normal(size=(300, 3))
    screen = screen_points(coords)
    assert screen.shape == (300, 2) and screen.min() >= 0 and screen[:, 0].max() == pytest.approx(740)
    labels = place_labels(coords, [f"w{i}" for i in range(300)], required=[5], count=60)
    assert labels[0].row == 5 and 10 < len(labels) <= 61


@pytest.mark.parametrize("dims", [2, 3])
def test_projection_figure_marks_query_and_neighbours(dims):
    coords = np.random.default_rng(0).normal(size=(30, dims))
    words = [f"w{i}" for i in range(30)]
    categories = ["days", "months", "numbers", "other"]
    fig = projection_figure(coords, words, np.arange(30) % 4, "group", categories, highlight=[3, 4], query=2,
                            label_count=10)
    assert [t.name for t in fig.data] == [*categories, "labels", "search"]
    assert sum(_points(t) for t in fig.data[:4]) == 30 and list(fig.data[1].hovertext) == words[1::4]
    assert list(fig.data[1].customdata) == list(range(1, 30, 4))  # rows, reported by a click
    assert fig.data[3].marker.color == "#9e9e9e" and fig.data[0].marker.color != fig.data[1].marker.color
    assert list(fig.data[-1].text) == ["<b>w3</b>", "<b>w4</b>", "<b>w2</b>"] and fig.data[-1].mode == "markers+text"
    assert list(fig.data[-1].marker.symbol) == ["circle", "circle", "diamond"]
    assert set(fig.data[-2].text) <= {f"w{i}" for i in range(13)} - {"w2", "w3", "w4"}  # 10 more
    assert isinstance(fig.data[0], go.Scatter3d if dims == 3 else go.Scatter)
    if dims == 3:
        assert fig.layout.scene.camera.eye.x == pytest.approx(1.45) and fig.layout.margin.b == 10


def test_projection_figure_uses_webgl_for_many_points_and_escapes_words():
    coords = np.random.default_rng(0).normal(size=(5000, 2))
    words = ["<b>x</b>"] + [f"w{i}" for i in range(4999)]
    fig = projection_figure(coords, words, np.linspace(0, 1, 5000), axis_titles=("a → b", "c → d"))
    assert isinstance(fig.data[0], go.Scattergl) and fig.data[0].marker.showscale
    assert fig.data[1].name == "labels" and "&lt;b&gt;x&lt;/b&gt;" in fig.data[1].text
    assert fig.layout.xaxis.title.text == "a → b"
