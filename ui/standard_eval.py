""""Evaluate on the standard sets": the bundled WordSim-353, SimLex-999 and Google analogies, scored on demand
(Neighbours: the vectors explored; Compare: each of the two runs), as a table and as plots.

Results are kept in the session per snapshot or run (``cache_key``), so they stay on the page across reruns and
are computed again only for other vectors.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from ui.errors import user_errors
from ui.eval_charts import analogy_sections_figure, pair_scores_figure, standard_table
from w2v_core.datasets import STANDARD_SETS
from w2v_core.embeddings import Embeddings
from w2v_core.evaluation import StandardResults, evaluate_standard

RESULTS_KEY = "_standard_results"
KEPT_RESULTS = 8  # snapshots or runs whose scores a session keeps
RESTRICT_VOCAB = 30_000  # analogies are answered among this many most frequent words, as the CLI's default


def _kept() -> dict[tuple, StandardResults]:
    return st.session_state.setdefault(RESULTS_KEY, {})


def _keep(cache_key: tuple, results: StandardResults) -> None:
    kept = _kept()
    kept[cache_key] = results
    while len(kept) > KEPT_RESULTS:
        kept.pop(next(iter(kept)))


def standard_evaluation(vectors: Mapping[str, tuple[tuple, Embeddings]], key: str) -> None:
    """The section: ``vectors`` maps a label ("run 3") to (cache key, vectors); ``key`` prefixes widget keys."""
    st.subheader("Evaluate on the standard sets")
    st.caption("Bundled with the app (sources and licences in w2v_core/data/README.md): "
               + "; ".join(f"**{standard.name}**, {standard.about}" for standard in STANDARD_SETS)
               + f". Pairs and questions with a word the vectors lack are skipped: read the coverage first. "
               f"Analogies are answered among the {RESTRICT_VOCAB:,} most frequent words.")
    pressed = st.button("Evaluate on the standard sets", key=f"{key}_standard",
                        help="Score these vectors on the three sets (a few seconds for a large vocabulary).")
    with user_errors("Evaluating on the standard sets"):
        if pressed:
            with st.spinner("Scoring…"):
                for cache_key, emb in vectors.values():
                    if cache_key not in _kept():
                        _keep(cache_key, evaluate_standard(emb, restrict_vocab=RESTRICT_VOCAB))
        results = {label: _kept().get(cache_key) for label, (cache_key, _) in vectors.items()}
        if any(result is None for result in results.values()):
            return
        st.dataframe(standard_table(results), hide_index=True)
        first = next(iter(results.values()))
        columns = st.columns(len(first.pairs))
        for column, name in zip(columns, first.pairs, strict=True):
            column.plotly_chart(pair_scores_figure(name, {label: r.pairs[name] for label, r in results.items()}),
                                key=f"{key}_standard_{name}")
        for name in first.analogies:
            st.plotly_chart(analogy_sections_figure(name, {label: r.analogies[name] for label, r in results.items()}),
                            key=f"{key}_standard_{name}")
