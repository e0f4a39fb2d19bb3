"""Figures of the Evolution page (pure functions of arrays, no Streamlit): the animated 2-D replay of chosen
words and the analogy accuracy over training."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.charts import PALETTE, plot_text

FRAME_MS = 600


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

    def trace(t: int) -> go.Scatter:
        when = f"{int(words_done[t]):,} words, epoch {int(epochs[t])}, loss {float(losses[t]):.3f}"
        return go.Scatter(x=coords[t, :, 0], y=coords[t, :, 1], mode="markers+text", text=labels,
                          textposition="top center", marker={"size": 10, "color": colours},
                          hovertext=[f"{w} ({g})<br>{when}" if g else f"{w}<br>{when}"
                                     for w, g in zip(labels, groups, strict=True)],
                          hovertemplate="%{hovertext}<extra></extra>", name="words")

    span = coords.reshape(-1, 2)
    low, high = span.min(axis=0), span.max(axis=0)
    pad = np.maximum((high - low) * 0.08, 1e-9)
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
        xaxis={"range": [low[0] - pad[0], high[0] + pad[0]], "autorange": False, "title": "axis 1"},
        yaxis={"range": [low[1] - pad[1], high[1] + pad[1]], "autorange": False, "title": "axis 2"},
        updatemenus=[{"type": "buttons", "direction": "left", "x": 0.0, "y": -0.12, "xanchor": "left",
                      "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                                  {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]}]}],
        sliders=[{"active": 0, "steps": steps, "x": 0.18, "len": 0.82, "y": -0.06,
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
