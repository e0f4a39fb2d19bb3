"""File contents for the app's downloads (pure functions: strings and bytes, no Streamlit)."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go


def config_json(config: dict[str, Any], progress: Any = None, state: str | None = None,
                corpus_name: str | None = None) -> str:
    """The run's configuration as JSON (``TrainConfig.to_dict()``), with where the run got to."""
    document: dict[str, Any] = {"config": config}
    if corpus_name is not None:
        document["corpus"] = corpus_name
    if progress is not None:
        document["progress"] = {"state": state, "words_done": int(progress.words_done),
                                "words_total": int(progress.words_total), "epoch": int(progress.epoch),
                                "seconds": round(float(progress.elapsed_seconds), 3)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def history_csv(history: pd.DataFrame) -> str:
    """A loss history frame as CSV text."""
    return history.to_csv(index=False)


def projection_csv(words: Sequence[str], coords: np.ndarray, counts: np.ndarray | None = None,
                   clusters: np.ndarray | None = None) -> str:
    """Projected coordinates (n, 2 or 3) per word as CSV: word, x, y[, z][, count][, cluster]."""
    frame = pd.DataFrame({"word": list(words)})
    for axis, name in enumerate("xyz"[:coords.shape[1]]):
        frame[name] = coords[:, axis]
    if counts is not None:
        frame["count"] = counts
    if clusters is not None:
        frame["cluster"] = clusters
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def figure_html(figure: go.Figure) -> str:
    """A self-contained interactive HTML page of a Plotly figure (plotly.js embedded: works offline)."""
    return figure.to_html(include_plotlyjs=True, full_html=True)
