"""Gradients page: per-word gradient magnitudes from the trainer's telemetry, live while training."""

import numpy as np
import pandas as pd
import streamlit as st

from ui.charts import gradient_frequency_figure, gradient_history_figure, top_gradients_figure
from ui.current_run import get_trainer
from ui.errors import user_errors
from w2v_core.trainer import Trainer

POLL_SECONDS = 2.0  # four charts: redrawing them every second cost a browser most of a core
HISTORY_WORDS = 5000  # the trainer keeps gradient history for this many most frequent words


def default_words(words: list[str]) -> list[str]:
    """A few words worth watching: known teaching words when present, else frequent and rarer ones."""
    wanted = [w for w in ("king", "queen", "monday", "paris", "red") if w in words[:HISTORY_WORDS]]
    if len(wanted) >= 3:
        return wanted
    n = min(len(words), HISTORY_WORDS)
    return [words[i] for i in sorted({0, n // 20, n // 5, n // 2}) if i < n]


def top_table(trainer: Trainer, norms: np.ndarray, updates: np.ndarray, n: int = 20) -> pd.DataFrame:
    """The ``n`` words with the largest gradient norm, with their count and number of updates."""
    order = np.argsort(-norms, kind="stable")[:n]
    order = order[norms[order] > 0]
    words = trainer.vocab.words
    return pd.DataFrame({"word": [words[i] for i in order], "gradient": norms[order],
                         "updates": updates[order], "count": trainer.vocab.counts[order]})


def panel(was_active: bool) -> None:
    """Latest gradients and the history of the chosen words; reruns every 2 seconds while training."""
    trainer = get_trainer()
    if trainer is None:
        return
    stats = trainer.recorder.gradient_stats()
    if stats is None:
        st.info("No gradients yet: they appear about half a second into training.")
    else:
        vocab = trainer.vocab
        hierarchical = trainer.config.loss == "hierarchical"
        st.caption(f"Latest reporting interval, ending at {stats.words_done:,} words trained: mean L2 norm of the "
                   "gradient applied to each word's vector per update.")
        left, right = st.columns(2)
        left.plotly_chart(top_gradients_figure(vocab.words, stats.input_norm, 20, "Largest gradients: input "
                                               "vectors"), key="top_input")
        if hierarchical:
            right.info("Hierarchical softmax updates the inner nodes of a Huffman tree, not an output vector per "
                       "word, so only input-vector gradients are shown per word.")
        else:
            right.plotly_chart(top_gradients_figure(vocab.words, stats.output_norm, 20, "Largest gradients: "
                                                    "output vectors"), key="top_output")
        output = None if hierarchical else stats.output_norm
        st.plotly_chart(gradient_frequency_figure(vocab.words, vocab.counts, stats.input_norm, output),
                        key="gradient_frequency")
        with st.expander("Table of the largest input-vector gradients"):
            st.dataframe(top_table(trainer, stats.input_norm, stats.input_updates), hide_index=True,
                         column_config={"gradient": st.column_config.NumberColumn(format="%.4g"),
                                        "updates": st.column_config.NumberColumn(format="localized"),
                                        "count": st.column_config.NumberColumn(format="localized")})
    history_section(trainer)
    if was_active and not trainer.is_active:
        st.rerun(scope="app")


def history_section(trainer: Trainer) -> None:
    """Gradient magnitude over time for words the user picks."""
    words = trainer.vocab.words[:HISTORY_WORDS]
    chosen = st.multiselect("Words to follow over time", words, default=default_words(trainer.vocab.words),
                            key="gradient_words", max_selections=12,
                            help=f"Any of the {len(words):,} most frequent words; up to 12 at once.")
    kind = "input"
    if trainer.config.loss != "hierarchical":
        kind = st.radio("Vectors", ["input", "output"], horizontal=True, key="gradient_kind",
                        help="Input vectors are the word vectors; output vectors are the context side.")
    index = trainer.vocab.index
    history = trainer.recorder.gradient_history([index[w] for w in chosen if w in index])
    names = {index[w]: w for w in chosen if w in index}
    st.plotly_chart(gradient_history_figure(history, names, f"{kind}_norm"), key="gradient_history")
    st.caption("One point per reporting interval; a gap means the word was not updated in that interval (rare "
               "words often are not, and subsampling skips frequent ones).")


st.title("Gradients")
st.write("How hard each word is being pushed: large gradients mean the model is still changing that word's "
         "vector a lot. Frequent words are updated often with small steps; rare ones seldom.")
with user_errors("The Gradients page failed"):
    current = get_trainer()
    if current is None:
        st.info("Nothing trained yet. Press **Start training** on the Train page; gradients show here live.")
        st.page_link("pages/train.py", label="Go to Train")
    elif not current.config.telemetry:
        st.info("This run does not record gradients. Tick **Record per-word gradients** (Train page, More "
                "settings) and start a new run.")
    else:
        running = current.is_active
        if running:
            st.caption("Training is running: this page refreshes every 2 seconds.")
        st.fragment(run_every=POLL_SECONDS if running else None)(panel)(running)
