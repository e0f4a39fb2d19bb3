"""The Projection page's chart: projected words as points, the labels of the most frequent ones placed so that
they do not pile up, and the highlighted word with its neighbours. Pure functions (no Streamlit), tested
directly.

Labels are placed greedily in approximate screen space (the chart's size is known roughly, its zoom is not):
required labels (the highlighted word and its neighbours) first, each at the first of four positions around
its point that overlaps no label placed so far, else as a callout (text further out with a line to its point)
at the first free one of 24 offsets, else the least crowded of those; then the most frequent words, skipped
where every position overlaps. 3-D scenes use the default camera's view.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ui.charts import PALETTE, plot_text, scatter_trace

CHART_HEIGHT = 680
PLOT_SIZE_PX = (740.0, 470.0)  # width, height of the plotting area, on the small side (the page width varies)
CHAR_PX, LINE_PX, GAP_PX = 7.0, 15.0, 4.0  # label metrics at 11 px, with a little room
POSITIONS = ("top center", "bottom center", "middle right", "middle left")
SCENE_SIZE_PX = (430.0, 380.0)  # the 3-D cube's drawing on screen, roughly (smaller than a 2-D plot area)
CAMERA_EYE = np.array([1.45, 1.45, 0.95])  # further out than Plotly's default, so that tick labels stay inside
SCENE_MARGIN = {"l": 0, "r": 0, "t": 50, "b": 10}


@dataclass(frozen=True)
class Label:
    """A word label: the row of its point and where the text sits around it: a Plotly textposition, or
    "callout" with the text's centre ``offset`` (dx, dy) pixels away (y up)."""

    row: int
    position: str
    offset: tuple[float, float] = (0.0, 0.0)


CALLOUTS = tuple((radius * np.cos(angle), radius * np.sin(angle)) for radius in (34.0, 58.0, 82.0)
                 for angle in np.deg2rad(np.arange(0, 360, 45) + 22.5))


def screen_points(coords: np.ndarray, size: tuple[float, float] = PLOT_SIZE_PX) -> np.ndarray:
    """(n, 2) approximate pixel positions of (n, 2) or (n, 3) coordinates (y up).

    2-D: each axis scaled to the plot area. 3-D: each axis scaled to [-1, 1] (Plotly's cube), seen from
    ``CAMERA_EYE`` towards the centre with z up (orthographic), then scaled to the plot area.
    """
    array = np.asarray(coords, dtype=np.float64)
    low, high = array.min(axis=0), array.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    if array.shape[1] == 3:
        cube = 2.0 * (array - low) / span - 1.0
        forward = -CAMERA_EYE / np.linalg.norm(CAMERA_EYE)
        right = np.cross(forward, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, forward)
        array = np.column_stack([cube @ right, cube @ up])
        low, high = array.min(axis=0), array.max(axis=0)
        span = np.where(high - low > 0, high - low, 1.0)
    return (array - low) / span * np.asarray(size)


def _box(point: np.ndarray, text: str, position: str) -> np.ndarray:
    """[x0, y0, x1, y1] of ``text`` placed at ``position`` around a screen point."""
    width, x, y = len(text) * CHAR_PX + 2, point[0], point[1]
    if position == "top center":
        return np.array([x - width / 2, y + GAP_PX, x + width / 2, y + GAP_PX + LINE_PX])
    if position == "bottom center":
        return np.array([x - width / 2, y - GAP_PX - LINE_PX, x + width / 2, y - GAP_PX])
    if position == "middle right":
        return np.array([x + GAP_PX + 2, y - LINE_PX / 2, x + GAP_PX + 2 + width, y + LINE_PX / 2])
    return np.array([x - GAP_PX - 2 - width, y - LINE_PX / 2, x - GAP_PX - 2, y + LINE_PX / 2])


def _callout_box(point: np.ndarray, text: str, offset: tuple[float, float]) -> np.ndarray:
    width = len(text) * CHAR_PX + 2
    x, y = point[0] + offset[0], point[1] + offset[1]
    return np.array([x - width / 2, y - LINE_PX / 2, x + width / 2, y + LINE_PX / 2])


def _overlap(box: np.ndarray, placed: np.ndarray) -> float:
    """Total area of ``box`` [x0, y0, x1, y1] shared with the (k, 4) boxes ``placed``."""
    if len(placed) == 0:
        return 0.0
    width = np.minimum(box[2], placed[:, 2]) - np.maximum(box[0], placed[:, 0])
    height = np.minimum(box[3], placed[:, 3]) - np.maximum(box[1], placed[:, 1])
    return float((np.clip(width, 0, None) * np.clip(height, 0, None)).sum())


def place_labels(coords: np.ndarray, words: Sequence[str], required: Sequence[int] = (), count: int = 100,
                 size: tuple[float, float] = PLOT_SIZE_PX) -> list[Label]:
    """Labels for the ``required`` rows (always) and for up to ``count`` more of the first rows (the most
    frequent words), none overlapping another except required ones that cannot avoid it.

    ``coords`` (n, 2) or (n, 3); ``words`` (n,). Rows are returned required first, then by frequency.
    """
    n = len(words)
    if n == 0:
        return []
    screen = screen_points(coords, size)
    placed: list[np.ndarray] = []
    labels: list[Label] = []
    required = list(dict.fromkeys(int(r) for r in required if 0 <= r < n))
    for row in required:
        frame = np.array(placed) if placed else np.zeros((0, 4))
        candidates = [(_box(screen[row], words[row], position), Label(row, position)) for position in POSITIONS]
        candidates += [(_callout_box(screen[row], words[row], offset), Label(row, "callout", offset))
                       for offset in CALLOUTS]
        overlaps = [_overlap(box, frame) for box, _ in candidates]
        best = int(np.argmin(overlaps))  # the first free position, else the least crowded one
        placed.append(candidates[best][0])
        labels.append(candidates[best][1])
    taken = set(required)
    optional = 0
    for row in range(n):
        if optional >= count:
            break
        if row in taken:
            continue
        frame = np.array(placed) if placed else np.zeros((0, 4))
        for position in POSITIONS:
            box = _box(screen[row], words[row], position)
            if _overlap(box, frame) == 0.0:
                placed.append(box)
                labels.append(Label(row, position))
                break
        optional += 1  # a skipped word still counts: "the N most frequent" are the ones considered
    return labels


def _points_trace(coords: np.ndarray, rows: np.ndarray, name: str, marker: dict, labels: np.ndarray,
                  **extra) -> go.BaseTraceType:
    """One trace of (k, 2) or (k, 3) points; ``rows`` (k,) become customdata (the selection reports them)."""
    common = {"mode": "markers", "name": name, "marker": marker, "hovertext": labels, "customdata": rows,
              "hovertemplate": "%{hovertext}<extra>" + html.escape(name) + "</extra>", **extra}
    if coords.shape[1] == 3:
        return go.Scatter3d(x=coords[:, 0], y=coords[:, 1], z=coords[:, 2], **common)
    return scatter_trace(len(coords))(x=coords[:, 0], y=coords[:, 1], **common)


def _text_trace(coords: np.ndarray, rows: list[int], texts: list[str], positions: list[str], name: str,
                font: dict, marker: dict | None = None) -> go.BaseTraceType:
    """Words written next to their points (SVG text in 2-D, so that it stays sharp; markers optional)."""
    points = coords[rows]
    common = {"mode": "markers+text" if marker else "text", "name": name, "text": texts,
              "textposition": positions, "textfont": font, "customdata": rows, "showlegend": False,
              "hovertext": texts, "hovertemplate": "%{hovertext}<extra></extra>"}
    if marker:
        common["marker"] = marker
    if coords.shape[1] == 3:
        return go.Scatter3d(x=points[:, 0], y=points[:, 1], z=points[:, 2], **common)
    return go.Scatter(x=points[:, 0], y=points[:, 1], **common)


def projection_figure(coords: np.ndarray, words: Sequence[str], colour: np.ndarray | None = None,
                      colour_title: str = "", categories: Sequence[str] | None = None,
                      highlight: Sequence[int] = (), query: int | None = None, title: str = "",
                      label_count: int = 100, axis_titles: Sequence[str] = (),
                      revision: str | None = None, scale_free: bool = False) -> go.Figure:
    """Scatter of projected words ``coords`` (n, 2) or (n, 3) with the labels of the most frequent words.

    ``colour`` (n,): numbers on a colour scale, or with ``categories`` the index of each word's category (one
    trace and legend entry per category; a category named "other" is grey). ``highlight`` rows (e.g.
    neighbours) and ``query`` are always labelled, in bold, in a last trace named "search" (the query a
    diamond). ``label_count``: how many of the most frequent other words are considered for a label (trace
    "labels"). ``revision`` keeps zoom and rotation across redraws (e.g. of a converging t-SNE).
    ``scale_free``: the axes' numbers mean nothing (t-SNE, UMAP), so no tick labels are drawn.
    """
    dims = coords.shape[1]
    safe = np.array(plot_text(words), dtype=object)
    rows = np.arange(len(words))
    size = 5 if dims == 2 else 3
    fig = go.Figure()
    if colour is not None and categories is not None:
        codes = np.asarray(colour, dtype=np.int64)
        for code, category in enumerate(categories):
            mask = codes == code
            if mask.any():
                grey = category == "other"
                marker = {"size": size, "opacity": 0.35 if grey else 0.85,
                          "color": "#9e9e9e" if grey else PALETTE[code % len(PALETTE)]}
                fig.add_trace(_points_trace(coords[mask], rows[mask], category, marker, safe[mask]))
    else:
        marker: dict = {"size": size, "opacity": 0.75}
        if colour is not None:
            marker.update(color=colour, colorscale="Viridis", showscale=True,
                          colorbar={"title": colour_title, "thickness": 14})
        fig.add_trace(_points_trace(coords, rows, "words", marker, safe, showlegend=False))
    marked = [int(i) for i in highlight if i != query] + ([int(query)] if query is not None else [])
    labels = place_labels(coords, list(words), marked[-1:] + marked[:-1], label_count,  # the query first
                          SCENE_SIZE_PX if dims == 3 else PLOT_SIZE_PX)
    plain = [label for label in labels if label.row not in set(marked)]
    if plain:
        fig.add_trace(_text_trace(coords, [label.row for label in plain], [safe[label.row] for label in plain],
                                  [label.position for label in plain], "labels",
                                  {"size": 11, "color": "#333333"}))
    callouts = [label for label in labels if label.position == "callout"]
    if marked:
        where = {label.row: label.position for label in labels}
        is_query = [row == query for row in marked]
        texts = ["" if where[row] == "callout" else f"<b>{safe[row]}</b>" for row in marked]
        styles = {"size": [16 if q else 9 for q in is_query], "color": "#111111",
                  "symbol": ["diamond" if q else "circle" for q in is_query],
                  "line": {"color": "#ffffff", "width": 1}}
        positions = ["top center" if where[row] == "callout" else where[row] for row in marked]
        fig.add_trace(_text_trace(coords, marked, texts, positions, "search", {"size": 13, "color": "#000000"},
                                  styles))
    notes = [{"x": float(coords[label.row, 0]), "y": float(coords[label.row, 1]),
              **({"z": float(coords[label.row, 2])} if dims == 3 else {}),
              "text": f"<b>{safe[label.row]}</b>", "ax": label.offset[0], "ay": -label.offset[1],
              "showarrow": True, "arrowhead": 0, "arrowwidth": 1, "arrowcolor": "#555555", "standoff": 4,
              "font": {"size": 13, "color": "#000000"}, "bgcolor": "rgba(255,255,255,0.75)"}
             for label in callouts]
    layout: dict = {"title": title, "height": CHART_HEIGHT, "uirevision": revision or title,
                    "legend": {"itemsizing": "constant"}}
    if dims == 3:
        layout["margin"] = SCENE_MARGIN
        eye = dict(zip("xyz", CAMERA_EYE.tolist(), strict=True))
        layout["scene"] = {"camera": {"eye": eye}, "aspectmode": "cube", "annotations": notes}
    elif notes:
        layout["annotations"] = notes
    if axis_titles:
        layout["xaxis_title"], layout["yaxis_title"] = axis_titles[0], axis_titles[1]
    fig.update_layout(**layout)
    if scale_free and dims == 2:
        fig.update_xaxes(showticklabels=False)
        fig.update_yaxes(showticklabels=False)
    elif scale_free:
        fig.update_scenes(xaxis_showticklabels=False, yaxis_showticklabels=False, zaxis_showticklabels=False)
    return fig
