"""Figures of the Evolution page (pure functions of arrays, no Streamlit): the animated 2-D replay of chosen
words and the analogy accuracy over training."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.charts import PALETTE, plot_text

FRAME_MS = 600


PLOT_PIXELS = (860.0, 340.0)  # about the plot area of the 640 px high figure in the wide layout
CHAR_PIXELS, LINE_PIXELS = 7.5, 15.0  # a label's size in Plotly's default 12 px font
MARKER_PIXELS = 6.0  # half the size of a marker (10 px), with a pixel to spare


def _label_box(x: float, y: float, width: float, position: str) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) in pixels of a label of ``width`` px at Plotly ``textposition`` of a point."""
    half = width / 2
    gap = MARKER_PIXELS
    if position == "top center":
        return x - half, x + half, y + gap, y + gap + LINE_PIXELS
    if position == "bottom center":
        return x - half, x + half, y - gap - LINE_PIXELS, y - gap
    if position == "middle right":
        return x + gap, x + gap + width, y - LINE_PIXELS / 2, y + LINE_PIXELS / 2
    return x - gap - width, x - gap, y - LINE_PIXELS / 2, y + LINE_PIXELS / 2


LABEL_POSITIONS = ("top center", "bottom center", "middle right", "middle left")


def place_labels(points: np.ndarray, labels: Sequence[str], x_range: tuple[float, float],
                 y_range: tuple[float, float]) -> tuple[np.ndarray, list[str]]:
    """Where to label the points (n, 2) so that no label overlaps another label or another word's marker:
    (n,) bool shown and each point's Plotly ``textposition`` (above, else below, right or left of it). Earlier
    words go first; in a crowded frame (such as the random start) some words go unlabelled (their hover text
    names them), but the first word is always labelled."""
    scale = np.array(PLOT_PIXELS) / np.maximum([x_range[1] - x_range[0], y_range[1] - y_range[0]], 1e-12)
    pixels = (points - [x_range[0], y_range[0]]) * scale
    markers = [(x - MARKER_PIXELS, x + MARKER_PIXELS, y - MARKER_PIXELS, y + MARKER_PIXELS) for x, y in pixels]
    kept: list[tuple[float, float, float, float]] = []
    shown = np.zeros(len(points), dtype=bool)
    positions = [LABEL_POSITIONS[0]] * len(points)
    for i, (x, y) in enumerate(pixels):
        width = CHAR_PIXELS * len(labels[i]) + 4
        others = kept + markers[:i] + markers[i + 1:]
        for position in LABEL_POSITIONS:
            box = _label_box(x, y, width, position)
            if all(box[1] < b[0] or b[1] < box[0] or box[3] < b[2] or b[3] < box[2] for b in others):
                kept.append(box)
                shown[i], positions[i] = True, position
                break
        if i == 0 and not shown[0]:  # always labelled: on its side that covers the fewest markers and labels
            boxes = [_label_box(x, y, width, position) for position in LABEL_POSITIONS]
            covered = [sum(_shared_area(box, b) for b in others) for box in boxes]
            best = int(np.argmin(covered))
            kept.append(boxes[best])
            shown[0], positions[0] = True, LABEL_POSITIONS[best]
    return shown, positions


def _shared_area(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Area two (left, right, bottom, top) boxes share."""
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[2], b[2]))


def evolution_figure(coords: np.ndarray, words: Sequence[str], groups: Sequence[str | None],
                     words_done: Sequence[int], epochs: Sequence[int], losses: Sequence[float]) -> go.Figure:
    """Animated scatter of (T, n, 2) ``coords``: one frame per snapshot, a slider and Play/Pause buttons.

    Axes are fixed over all frames so that movement on screen is movement of the words; ``groups`` (n,) colour
    the points (teaching-corpus word groups, or None). The slider shows the words trained; each point's hover
    also the snapshot's epoch and loss (Plotly does not animate titles).
    """
    labels = plot_text(words)
    names = sorted({g for g in groups if g})
    colours = [PALETTE[(names.index(g) + 1) % len(PALETTE)] if g else PALETTE[0] for g in groups]
    frame_names = [f"{int(w):,}" for w in words_done]

    span = coords.reshape(-1, 2)
    low, high = span.min(axis=0), span.max(axis=0)
    pad = np.maximum((high - low) * 0.08, 1e-9)
    x_range, y_range = (low[0] - pad[0], high[0] + pad[0]), (low[1] - pad[1], high[1] + pad[1])

    def trace(t: int) -> go.Scatter:
        when = f"{int(words_done[t]):,} words, epoch {int(epochs[t])}, loss {float(losses[t]):.3f}"
        shown, positions = place_labels(coords[t], labels, x_range, y_range)
        text = [word if keep else "" for word, keep in zip(labels, shown, strict=True)]
        return go.Scatter(x=coords[t, :, 0], y=coords[t, :, 1], mode="markers+text", text=text,
                          textposition=positions, marker={"size": 10, "color": colours},
                          hovertext=[f"{w} ({g})<br>{when}" if g else f"{w}<br>{when}"
                                     for w, g in zip(labels, groups, strict=True)],
                          hovertemplate="%{hovertext}<extra></extra>", name="words")

    frames = [go.Frame(data=[trace(t)], name=frame_names[t]) for t in range(len(coords))]
    play = {"frame": {"duration": FRAME_MS, "redraw": False}, "fromcurrent": True,
            "transition": {"duration": FRAME_MS // 2, "easing": "linear"}}
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
    steps = [{"method": "animate", "label": name,
              "args": [[name], {"mode": "immediate", "frame": {"duration": 0, "redraw": False},
                                "transition": {"duration": 0}}]} for name in frame_names]
    fig = go.Figure(data=[trace(0)], frames=frames)
    fig.update_layout(
        title=f"{len(words)} words over {len(coords)} snapshots", height=640, showlegend=False,
        xaxis={"range": list(x_range), "autorange": False, "title": "axis 1"},
        yaxis={"range": list(y_range), "autorange": False, "title": "axis 2"},
        updatemenus=[{"type": "buttons", "direction": "left", "x": 0.0, "y": -0.12, "xanchor": "left",
                      "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                                  {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]}]}],
        sliders=[{"active": 0, "steps": steps, "x": 0.18, "len": 0.76, "y": -0.06,  # room for the last label
                  "currentvalue": {"prefix": "Words trained: "}, "pad": {"t": 30}}],
        margin={"b": 140})
    return fig


def accuracy_figure(frame: pd.DataFrame) -> go.Figure:
    """Share of the teaching analogies answered correctly at each snapshot (columns of
    ``replay.analogy_accuracy_over_time``)."""
    fig = go.Figure(go.Scatter(x=frame["words trained"], y=frame["accuracy"], mode="lines+markers",
                               line={"color": PALETTE[2], "width": 3},
                               customdata=np.stack([frame["correct"], frame["attempted"]], axis=1),
                               hovertemplate="%{x:,} words: %{y:.0%} (%{customdata[0]} of %{customdata[1]})"
                                             "<extra></extra>"))
    fig.update_layout(title="Teaching analogies answered correctly", height=340, xaxis_title="words trained",
                      yaxis={"title": "accuracy", "range": [0, 1.02], "tickformat": ".0%"})
    return fig
