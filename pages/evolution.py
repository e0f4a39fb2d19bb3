"""Evolution page: replay training from the trainer's snapshots: chosen words moving in 2-D, the neighbours of
a word at each snapshot, and (teaching corpus) the share of its analogies answered correctly."""

import streamlit as st

from ui.current_run import get_trainer, run_corpus_name, run_number
from ui.errors import user_errors
from ui.replay_view import accuracy_figure, evolution_figure
from ui.text import md_literal
from w2v_core import replay
from w2v_core.recorder import Snapshot
from w2v_core.teaching import TEACHING_ANALOGIES, group_of
from w2v_core.trainer import Trainer

TEACHING_PICKS = ["king", "queen", "man", "woman", "prince", "princess", "boy", "girl", "paris", "france", "rome",
                  "italy", "berlin", "germany", "monday", "tuesday", "friday", "red", "blue", "green", "dog", "cat",
                  "horse", "one", "two", "three"]
ALIGNMENTS = {"fixed": "One PCA basis (from the last snapshot)",
              "procrustes": "PCA per snapshot, aligned (Procrustes)"}
MAX_WORDS = 40
KEEP_RESULTS = 8


def default_words(words: list[str]) -> list[str]:
    """Teaching-corpus words when present, else some frequent (not the most frequent) words."""
    known = set(words)
    picks = [w for w in TEACHING_PICKS if w in known]
    return picks if len(picks) >= 6 else words[10:30] or words[:20]


def cached(key: tuple, make):  # noqa: ANN001, ANN201 - any computation
    """``make()`` once per key (per run and snapshot count), a few kept per session."""
    cache: dict = st.session_state.setdefault("_evolution_cache", {})
    if key not in cache:
        cache[key] = make()
        while len(cache) > KEEP_RESULTS:
            cache.pop(next(iter(cache)))
    return cache[key]


def animation(snapshots: list[Snapshot], words: list[str], run_key: tuple) -> None:
    """The animated projection of the chosen words."""
    chosen = st.multiselect("Words to follow", words, default_words(words), key="evolution_words",
                            max_selections=MAX_WORDS,
                            help=f"Any of the {len(words):,} most frequent words (the snapshots keep these).")
    left, right = st.columns([3, 1])
    alignment = left.radio("Axes", list(ALIGNMENTS), format_func=ALIGNMENTS.get, key="evolution_alignment",
                           horizontal=True, help="A fixed basis shows the vectors growing from their small random "
                                                 "start; Procrustes lines up each snapshot's own map with the next.")
    unit = right.checkbox("Unit-length vectors", True, key="evolution_unit",
                          help="Directions only (what cosine neighbours use). Off: raw vectors, which start tiny "
                               "and grow, so early snapshots sit in a clump.")
    if len(chosen) < 3:
        st.info("Choose at least three words to follow.")
        return
    index = {w: i for i, w in enumerate(words)}
    rows = [index[w] for w in chosen]
    coords = cached((*run_key, "coords", tuple(rows), alignment, unit),
                    lambda: replay.replay_coordinates(replay.stack_vectors(snapshots, rows, unit), alignment))
    teaching = on_teaching_corpus()
    groups = [group_of(w) for w in chosen] if teaching else [None] * len(chosen)
    figure = evolution_figure(coords, chosen, groups, [s.words_done for s in snapshots],
                              [s.epoch for s in snapshots], [s.loss for s in snapshots])
    st.plotly_chart(figure, key="evolution_chart")
    colours = "Colours are the teaching corpus' word groups; t" if teaching else "T"
    st.caption(f"Press ▶ Play to watch training, or drag the slider to a snapshot. {colours}he axes stay fixed, so "
               "what moves is the vectors. Where words crowd together (as at the random start) only some are "
               "labelled: hover over a point to see its word.")


def on_teaching_corpus() -> bool:
    """Whether the replayed run trained on the generated teaching corpus (whose word groups are known)."""
    return run_corpus_name().startswith("Teaching corpus")


def neighbours(snapshots: list[Snapshot], words: list[str], run_key: tuple) -> None:
    st.subheader("Nearest neighbours at each snapshot")
    chosen = st.session_state.get("evolution_words") or default_words(words)
    left, right = st.columns([3, 1])
    word = left.selectbox("Word", words, words.index(chosen[0]) if chosen and chosen[0] in words else 0,
                          key="evolution_neighbour_word")
    k = int(right.number_input("Neighbours", 1, 20, 5, key="evolution_k"))
    table = cached((*run_key, "neighbours", word, k), lambda: replay.neighbours_over_time(snapshots, words, word, k))
    st.dataframe(table, hide_index=True, column_config={"loss": st.column_config.NumberColumn(format="%.4f"),
                                                        "words trained": st.column_config.NumberColumn(
                                                            format="localized")})


def analogies(snapshots: list[Snapshot], words: list[str], run_key: tuple) -> None:
    """Share of the teaching analogies answered correctly over training (teaching corpus only)."""
    if not on_teaching_corpus():
        return
    st.subheader("Analogies learned over training")
    frame = cached((*run_key, "analogies"),
                   lambda: replay.analogy_accuracy_over_time(snapshots, words, TEACHING_ANALOGIES))
    attempted = int(frame["attempted"].iloc[0]) if len(frame) else 0
    if attempted == 0:
        st.info("None of the teaching corpus analogies has all four words among the snapshot words.")
        return
    st.plotly_chart(accuracy_figure(frame), key="evolution_accuracy")
    st.caption(f"{attempted} of the {len(TEACHING_ANALOGIES)} built-in analogies (a : b :: c : d, such as "
               "france : paris :: italy : rome) have all four words among the snapshot words; an answer counts "
               "when the nearest word to b − a + c, other than a, b and c, is d.")


def show_replay(trainer: Trainer) -> None:
    """The replay of ``trainer``'s snapshots: the animation, neighbours and analogies over time."""
    snapshots = replay.in_order(trainer.recorder.snapshots())
    if not snapshots:
        st.info("No snapshots yet: the first one is taken as soon as training has done a little work.")
        return
    words = replay.snapshot_words(snapshots, trainer.vocab.words)
    if trainer.is_active:
        left, right = st.columns([4, 1])
        left.info(f"Training is running: this replays the {len(snapshots)} snapshots taken so far (up to "
                  f"{snapshots[-1].words_done:,} words). Press **Show newer snapshots** to include later ones.")
        right.button("Show newer snapshots", key="evolution_refresh", help="Read the trainer's snapshots again.")
    else:
        st.caption(f"{len(snapshots)} snapshots of the {len(words):,} most frequent words, from "
                   f"{snapshots[0].words_done:,} to {snapshots[-1].words_done:,} words trained "
                   f"({md_literal(trainer.state)} run on {md_literal(run_corpus_name() or 'its corpus')}). Old "
                   "snapshots are thinned as a run goes on, so memory stays bounded for runs of any length.")
    run_key = (run_number(), len(snapshots), snapshots[-1].words_done)
    animation(snapshots, words, run_key)
    neighbours(snapshots, words, run_key)
    analogies(snapshots, words, run_key)


st.title("Evolution")
st.write("Replay training: how the chosen words moved from their random start to where they ended up.")
with user_errors("The Evolution page failed"):
    current = get_trainer()
    if current is None:
        st.info("Nothing trained yet. Press **Start training** on the Train page; snapshots are taken as it runs.")
        st.page_link("pages/train.py", label="Go to Train")
    else:
        show_replay(current)
