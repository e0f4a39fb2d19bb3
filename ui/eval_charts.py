"""Figures and tables of evaluation scores: pure functions of ``w2v_core.evaluation`` results (no Streamlit).

Each takes a mapping label -> result, so that one set of vectors (Neighbours) and two runs (Compare) share them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.charts import PALETTE, _empty, plot_text
from w2v_core.evaluation import AnalogyResult, PairResult, StandardResults


def _rho(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.3f}"


def pair_scores_figure(name: str, results: Mapping[str, PairResult]) -> go.Figure:
    """Human score against cosine similarity for each pair of set ``name`` that the vectors cover, one colour
    per label; the Spearman ρ of each label is in the title."""
    rhos = [f"{_rho(result.spearman)} ({label})" for label, result in results.items()]
    single = _rho(next(iter(results.values())).spearman)
    title = f"{name}: Spearman ρ = {', '.join(rhos) if len(results) > 1 else single}"
    if not any(result.scored for result in results.values()):
        return _empty(title, "No pair has both its words in the vocabulary")
    fig = go.Figure()
    for number, (label, result) in enumerate(results.items()):
        if not result.scored:
            continue
        first, second, human, cosine = zip(*result.scored, strict=True)
        pairs = plot_text([f"{a} – {b}" for a, b in zip(first, second, strict=True)])
        fig.add_trace(go.Scatter(x=np.array(cosine), y=np.array(human), mode="markers", name=label,
                                 showlegend=len(results) > 1, hovertext=pairs,
                                 marker={"size": 6, "opacity": 0.7, "color": PALETTE[number % len(PALETTE)]},
                                 hovertemplate="%{hovertext}<br>cosine %{x:.3f}, human %{y}<extra></extra>"))
    covered = ", ".join(f"{result.n_used} of {result.n_pairs} pairs" + (f" ({label})" if len(results) > 1 else "")
                        for label, result in results.items())
    fig.update_layout(title={"text": f"{title}<br><sup>{covered} covered</sup>"}, height=400,
                      legend={"orientation": "h", "y": -0.2}, margin={"t": 80})
    fig.update_xaxes(title="cosine similarity of the vectors")
    fig.update_yaxes(title="human score")
    return fig


def analogy_sections_figure(name: str, results: Mapping[str, AnalogyResult]) -> go.Figure:
    """Accuracy per section as horizontal bars (one colour per label), each labelled correct/attempted or "not
    covered" (no question of the section has all its words in the vocabulary); hover adds the questions asked."""
    overall = ", ".join(f"{_percent(result.accuracy)}" + (f" ({label})" if len(results) > 1 else "")
                        for label, result in results.items())
    title = f"{name}: accuracy per section, {overall} overall"
    if not any(result.attempted for result in results.values()):
        return _empty(title, "No question has all four words in the vocabulary")
    fig = go.Figure()
    sections = [row["section"] for row in next(iter(results.values())).per_section]
    for number, (label, result) in enumerate(results.items()):
        rows = result.per_section
        accuracy = [0.0 if math.isnan(row["accuracy"]) else 100 * row["accuracy"] for row in rows]
        notes = [f"{row['correct']} of {row['attempted']} attempted, {row['total']} asked" for row in rows]
        labels = [f"{row['correct']}/{row['attempted']}" if row["attempted"] else "not covered" for row in rows]
        fig.add_trace(go.Bar(y=plot_text(sections), x=accuracy, orientation="h", name=label,
                             showlegend=len(results) > 1, hovertext=notes, text=labels, textposition="outside",
                             cliponaxis=False, marker_color=PALETTE[number % len(PALETTE)],
                             hovertemplate="%{y}: %{x:.1f}%<br>%{hovertext}<extra></extra>"))
    bars = len(sections) * len(results)
    fig.update_layout(title=title, barmode="group", height=160 + 22 * bars, legend={"orientation": "h", "y": -0.1})
    fig.update_xaxes(title="accuracy (%)", range=[0, 112], tickvals=list(range(0, 101, 20)))  # room for labels
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def _percent(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1%}"


def standard_table(results: Mapping[str, StandardResults]) -> pd.DataFrame:
    """One row per standard set: its score and coverage for each label (columns "score, <label>", ...)."""
    first = next(iter(results.values()))
    rows = []
    for name in [*first.pairs, *first.analogies]:
        row: dict[str, str] = {"set": name, "measure": "Spearman ρ" if name in first.pairs else "accuracy"}
        for label, result in results.items():
            suffix = f", {label}" if len(results) > 1 else ""
            if name in result.pairs:
                pairs = result.pairs[name]
                row[f"score{suffix}"] = _rho(pairs.spearman)
                row[f"coverage{suffix}"] = f"{pairs.n_used} of {pairs.n_pairs} pairs ({pairs.coverage:.0%})"
            else:
                questions = result.analogies[name]
                row[f"score{suffix}"] = _percent(questions.accuracy)
                row[f"coverage{suffix}"] = (f"{questions.attempted:,} of {questions.total:,} questions "
                                            f"({questions.coverage:.0%})")
        rows.append(row)
    return pd.DataFrame(rows)
