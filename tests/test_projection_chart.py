"""The Projection chart: label placement without pile-ups, the highlighted word and its neighbours, WebGL."""

import numpy as np
import plotly.graph_objects as go
import pytest

from ui.projection_chart import (
    MARKED_FONT,
    SCENE_HEIGHT_PX,
    SCENE_MARGIN,
    _box,
    _callout_box,
    place_labels,
    projection_figure,
    screen_points,
)


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


# Where Chromium drew points 0, 25, 50, ... of the coordinates below in the figure's 3-D scene (900 px wide, with a
# legend): read back from scene annotations at those points, pixels (x right, y down) relative to point 0, which was
# at y = 347.5 from the top of the figure (x depends on the width and the legend).
DRAWN_3D = [[0.0, 0.0], [41.0, -132.0], [91.0, 11.0], [-16.0, 68.0], [-17.0, -2.0], [71.0, 14.0], [88.0, 89.0],
            [9.0, 69.0], [19.0, 15.0], [39.0, 50.0], [89.0, -100.0], [-35.0, -78.0]]


def test_labels_in_3d_are_placed_where_plotly_draws_the_points():
    coords = np.random.default_rng(2).normal(size=(300, 3))
    screen = screen_points(coords)[::25]  # y up, from the bottom of the scene
    drawn = np.array(DRAWN_3D)
    np.testing.assert_allclose(screen[:, 0] - screen[0, 0], drawn[:, 0], atol=1.5)
    from_top = SCENE_MARGIN["t"] + SCENE_HEIGHT_PX - screen[:, 1]
    np.testing.assert_allclose(from_top, 347.5 + drawn[:, 1], atol=1.5)
    labels = place_labels(coords, [f"w{i}" for i in range(300)], required=[5], count=60)
    assert labels[0].row == 5 and 10 < len(labels) <= 61


def test_crowded_neighbours_in_3d_never_overlap_and_the_word_is_always_labelled():
    rng = np.random.default_rng(3)
    cluster = rng.normal(size=(40, 3)) * 0.02  # forty neighbours within a few pixels of each other
    coords = np.vstack([cluster, rng.normal(size=(400, 3))])
    words = [f"neighbour{i}" for i in range(40)] + [f"w{i}" for i in range(400)]
    labels = place_labels(coords, words, required=list(range(40)), count=100)
    rows = [label.row for label in labels]
    assert rows[0] == 0 and 8 <= sum(row < 40 for row in rows) < 40  # the word, and as many as fit
    screen = screen_points(coords)
    placed = [_callout_box(screen[label.row], words[label.row], label.offset, MARKED_FONT)
              if label.position == "callout" else
              _box(screen[label.row], words[label.row], label.position, MARKED_FONT if label.row < 40 else 11,
                   MARKED_FONT if label.row < 40 else 11) for label in labels]
    assert not any(overlapping(a, b) for i, a in enumerate(placed) for b in placed[i + 1:])
    fig = projection_figure(coords, words, highlight=list(range(1, 40)), query=0, label_count=100)
    search = fig.data[-1]
    assert len(search.x) == 40 and list(search.hovertext)[-1] == "<b>neighbour0</b>"  # every marker, named on hover
    assert sum(bool(t) for t in search.text) + len(fig.layout.scene.annotations) == sum(row < 40 for row in rows)


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
