"""The Projection page's chart: projected words as points, the labels of the most frequent ones placed so that
they do not pile up, and the highlighted word with its neighbours. Pure functions (no Streamlit), tested
directly.

Labels are placed greedily in approximate screen space (the chart's size is known roughly, its zoom is not):
required labels (the highlighted word and its neighbours) first, each at the first of four positions around
its point that overlaps no label placed so far and no other highlighted marker, else as a callout (text further
out with a line to its point) at the first free one of 40 offsets; a neighbour with no free place is left
unlabelled (its marker stays, and the page lists it), the highlighted word takes the least crowded place. Then
the most frequent words, skipped where every position overlaps. Boxes follow each label's font (11 px, or 13 px
bold for the highlighted ones). 3-D scenes use the default camera's view, projected as Plotly draws it (perspective,
measured in the browser to within a pixel), so that labels avoid each other on screen until the user rotates.
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
LABEL_FONT, MARKED_FONT = 11, 13  # px: the frequent words' labels; the highlighted words' (bold) and callouts'
MARKER_HALF_PX = {"query": 8.0, "neighbour": 4.0}  # half the highlighted markers' size: labels keep off them
POSITIONS = ("top center", "bottom center", "middle right", "middle left")
CAMERA_EYE = np.array([1.45, 1.45, 0.95])  # further out than Plotly's default, so that tick labels stay inside
# looking a little below the cube's centre moves the drawing up: the front corner's tick labels clear the bottom
CAMERA_CENTER = np.array([0.0, 0.0, -0.1])
SCENE_MARGIN = {"l": 0, "r": 0, "t": 50, "b": 10}
# Plotly's 3-D view (gl-plot3d): a perspective camera with a vertical field of view of 45 degrees over the scene's
# height, the data cube (aspectmode "cube") spanning ±SCENE_HALF_CUBE in camera units (its axis ranges padded)
SCENE_FOVY = np.pi / 4
SCENE_HALF_CUBE = 0.47
SCENE_HEIGHT_PX = CHART_HEIGHT - SCENE_MARGIN["t"] - SCENE_MARGIN["b"]
SCENE_WIDTH_PX = 740.0  # nominal: the width moves the whole drawing sideways, never one label against another


@dataclass(frozen=True)
class Label:
    """A word label: the row of its point and where the text sits around it: a Plotly textposition, or
    "callout" with the text's centre ``offset`` (dx, dy) pixels away (y up)."""

    row: int
    position: str
    offset: tuple[float, float] = (0.0, 0.0)


CALLOUTS = tuple((radius * np.cos(angle), radius * np.sin(angle)) for radius in (34.0, 58.0, 82.0, 106.0, 130.0)
                 for angle in np.deg2rad(np.arange(0, 360, 45) + 22.5))


def screen_points(coords: np.ndarray, size: tuple[float, float] = PLOT_SIZE_PX) -> np.ndarray:
    """(n, 2) pixel positions of (n, 2) or (n, 3) coordinates in the plot area (y up, from its bottom left).

    2-D: each axis scaled to ``size`` (approximate: the page width varies). 3-D: where Plotly draws them in a
    scene of SCENE_HEIGHT_PX (``size`` is not used): each axis scaled to ±SCENE_HALF_CUBE, seen in perspective
    from ``CAMERA_EYE`` towards ``CAMERA_CENTER`` with z up.
    """
    array = np.asarray(coords, dtype=np.float64)
    low, high = array.min(axis=0), array.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    if array.shape[1] == 3:
        return _scene_pixels(SCENE_HALF_CUBE * (2.0 * (array - low) / span - 1.0))
    return (array - low) / span * np.asarray(size)


def _scene_pixels(cube: np.ndarray) -> np.ndarray:
    """(n, 2) pixels (y up) of (n, 3) points in camera units, as gl-plot3d's perspective projection draws them."""
    forward = CAMERA_CENTER - CAMERA_EYE
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    relative = cube - CAMERA_EYE
    depth = relative @ forward
    pixels_per_unit = SCENE_HEIGHT_PX / 2 / np.tan(SCENE_FOVY / 2)  # at depth 1
    return np.column_stack([SCENE_WIDTH_PX / 2 + relative @ right / depth * pixels_per_unit,
                            SCENE_HEIGHT_PX / 2 + relative @ up / depth * pixels_per_unit])


def _box(point: np.ndarray, text: str, position: str, font: float = LABEL_FONT, gap: float = GAP_PX) -> np.ndarray:
    """[x0, y0, x1, y1] of ``text`` in a ``font`` px font placed at ``position``, ``gap`` px from a screen point.

    2-D text sits about GAP_PX from its point; a 3-D scene draws it about one font size away (measured)."""
    scale = font / LABEL_FONT
    width, line, x, y = len(text) * CHAR_PX * scale + 2, LINE_PX * scale, point[0], point[1]
    if position == "top center":
        return np.array([x - width / 2, y + gap, x + width / 2, y + gap + line])
    if position == "bottom center":
        return np.array([x - width / 2, y - gap - line, x + width / 2, y - gap])
    if position == "middle right":
        return np.array([x + gap + 2, y - line / 2, x + gap + 2 + width, y + line / 2])
    return np.array([x - gap - 2 - width, y - line / 2, x - gap - 2, y + line / 2])


def _callout_box(point: np.ndarray, text: str, offset: tuple[float, float], font: float = LABEL_FONT) -> np.ndarray:
    scale = font / LABEL_FONT
    width, line = len(text) * CHAR_PX * scale + 2, LINE_PX * scale
    x, y = point[0] + offset[0], point[1] + offset[1]
    return np.array([x - width / 2, y - line / 2, x + width / 2, y + line / 2])


def _marker_box(point: np.ndarray, half: float) -> np.ndarray:
    return np.array([point[0] - half, point[1] - half, point[0] + half, point[1] + half])


def _overlap(box: np.ndarray, placed: np.ndarray) -> float:
    """Total area of ``box`` [x0, y0, x1, y1] shared with the (k, 4) boxes ``placed``."""
    if len(placed) == 0:
        return 0.0
    width = np.minimum(box[2], placed[:, 2]) - np.maximum(box[0], placed[:, 0])
    height = np.minimum(box[3], placed[:, 3]) - np.maximum(box[1], placed[:, 1])
    return float((np.clip(width, 0, None) * np.clip(height, 0, None)).sum())


def place_labels(coords: np.ndarray, words: Sequence[str], required: Sequence[int] = (), count: int = 100,
                 size: tuple[float, float] = PLOT_SIZE_PX) -> list[Label]:
    """Labels for the ``required`` rows (the first, the highlighted word, always; the others wherever a free place
    is left) and for up to ``count`` more of the first rows (the most frequent words), none overlapping another
    label or a required row's marker, except the first required one when it cannot avoid it.

    ``coords`` (n, 2) or (n, 3); ``words`` (n,). Rows are returned required first, then by frequency.
    """
    n = len(words)
    if n == 0:
        return []
    screen = screen_points(coords, size)
    gap = {LABEL_FONT: GAP_PX, MARKED_FONT: GAP_PX}
    if np.shape(coords)[1] == 3:  # a scene draws text about one font size from its point
        gap = {LABEL_FONT: float(LABEL_FONT), MARKED_FONT: float(MARKED_FONT)}
    required = list(dict.fromkeys(int(r) for r in required if 0 <= r < n))
    markers = [_marker_box(screen[row], MARKER_HALF_PX["query" if i == 0 else "neighbour"])
               for i, row in enumerate(required)]
    placed: list[np.ndarray] = []
    labels: list[Label] = []
    for i, row in enumerate(required):
        # other markers to keep off; its own is where the label points, and one drawn on it hides under it
        others = [box for j, box in enumerate(markers) if np.hypot(*(screen[required[j]] - screen[row])) > 2.0]
        frame = np.array(placed + others) if placed or others else np.zeros((0, 4))
        candidates = [(_box(screen[row], words[row], position, MARKED_FONT, gap[MARKED_FONT]), Label(row, position))
                      for position in POSITIONS]
        candidates += [(_callout_box(screen[row], words[row], offset, MARKED_FONT), Label(row, "callout", offset))
                       for offset in CALLOUTS]
        overlaps = [_overlap(box, frame) for box, _ in candidates]
        best = int(np.argmin(overlaps))  # the first free position, else the least crowded one
        if overlaps[best] > 0 and i > 0:
            continue  # crowded: a neighbour without room keeps its marker (and its place in the page's list)
        placed.append(candidates[best][0])
        labels.append(candidates[best][1])
    placed += markers
    taken = set(required)
    optional = 0
    for row in range(n):
        if optional >= count:
            break
        if row in taken:
            continue
        frame = np.array(placed) if placed else np.zeros((0, 4))
        for position in POSITIONS:
            box = _box(screen[row], words[row], position, LABEL_FONT, gap[LABEL_FONT])
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
                font: dict, marker: dict | None = None, hover: list[str] | None = None) -> go.BaseTraceType:
    """Words written next to their points (SVG text in 2-D, so that it stays sharp; markers optional);
    ``hover`` the words shown on hover (default: ``texts``)."""
    points = coords[rows]
    common = {"mode": "markers+text" if marker else "text", "name": name, "text": texts,
              "textposition": positions, "textfont": font, "customdata": rows, "showlegend": False,
              "hovertext": texts if hover is None else hover, "hovertemplate": "%{hovertext}<extra></extra>"}
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
    labels = place_labels(coords, list(words), marked[-1:] + marked[:-1], label_count)  # the query first
    plain = [label for label in labels if label.row not in set(marked)]
    if plain:
        fig.add_trace(_text_trace(coords, [label.row for label in plain], [safe[label.row] for label in plain],
                                  [label.position for label in plain], "labels",
                                  {"size": LABEL_FONT, "color": "#333333"}))
    callouts = [label for label in labels if label.position == "callout"]
    if marked:
        where = {label.row: label.position for label in labels}
        is_query = [row == query for row in marked]
        # a callout's text is an annotation; a neighbour left without room has none (its marker shows it)
        texts = [f"<b>{safe[row]}</b>" if where.get(row, "callout") != "callout" else "" for row in marked]
        styles = {"size": [16 if q else 9 for q in is_query], "color": "#111111",
                  "symbol": ["diamond" if q else "circle" for q in is_query],
                  "line": {"color": "#ffffff", "width": 1}}
        positions = [where.get(row, "callout").replace("callout", "top center") for row in marked]
        fig.add_trace(_text_trace(coords, marked, texts, positions, "search", {"size": MARKED_FONT, "color": "#000000"},
                                  styles, [f"<b>{safe[row]}</b>" for row in marked]))
    notes = [{"x": float(coords[label.row, 0]), "y": float(coords[label.row, 1]),
              **({"z": float(coords[label.row, 2])} if dims == 3 else {}),
              "text": f"<b>{safe[label.row]}</b>", "ax": label.offset[0], "ay": -label.offset[1],
              "showarrow": True, "arrowhead": 0, "arrowwidth": 1, "arrowcolor": "#555555", "standoff": 4,
              "font": {"size": MARKED_FONT, "color": "#000000"}, "bgcolor": "rgba(255,255,255,0.75)"}
             for label in callouts]
    layout: dict = {"title": title, "height": CHART_HEIGHT, "uirevision": revision or title,
                    "legend": {"itemsizing": "constant"}}
    if dims == 3:
        layout["margin"] = SCENE_MARGIN
        eye, center = (dict(zip("xyz", vector.tolist(), strict=True)) for vector in (CAMERA_EYE, CAMERA_CENTER))
        layout["scene"] = {"camera": {"eye": eye, "center": center}, "aspectmode": "cube", "annotations": notes}
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
