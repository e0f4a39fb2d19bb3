"""Neighbours page: nearest words, analogies, similarity, evaluation on benchmark files, vector exports."""

import math

import pandas as pd
import streamlit as st

from ui.errors import user_errors
from ui.exports import config_json
from ui.model_views import ModelView
from ui.queries import remember_queries
from ui.standard_eval import standard_evaluation
from ui.text import md_literal
from ui.vectors import barely_trained_note, choose_view, order_words, vector_downloads
from w2v_core.embeddings import ANALOGY_METHODS, Embeddings
from w2v_core.evaluation import evaluate_analogies, evaluate_word_pairs, read_analogies, read_word_pairs
from w2v_core.teaching import TEACHING_ANALOGIES

FOUR_DECIMALS = st.column_config.NumberColumn(format="%.4f")
QUERY_KEYS = ("nn_word", "nn_k", "an_a", "an_b", "an_c", "an_method", "sim_a", "sim_b", "odd_words")


def pick(emb: Embeddings, wanted: str, rank: int) -> str:
    """``wanted`` if the vectors know it, else the word at ``rank`` (for friendly default queries)."""
    return wanted if wanted in emb else emb.words[min(rank, len(emb) - 1)]


def words_in(text: str) -> list[str]:
    return text.replace(",", " ").split()


def warn_if_barely_trained(emb: Embeddings) -> None:
    """Next to the answers: say when the vectors are too little trained for them to mean anything."""
    note = barely_trained_note(emb)
    if note:
        st.warning(note, icon="⚠️")


def neighbours_section(emb: Embeddings) -> None:
    st.subheader("Nearest neighbours")
    left, right = st.columns([3, 1])
    word = left.text_input("Word", pick(emb, "king", 20), key="nn_word", persist_state="session",
                           help="Words whose vectors point the same way (cosine similarity).").strip()
    k = right.number_input("How many", 1, 100, 10, key="nn_k", persist_state="session",
                           help="Number of neighbours to list.")
    if word:
        with user_errors("Nearest neighbours"):
            result = emb.most_similar(word, k=int(k))
            st.dataframe(pd.DataFrame({"rank": range(1, len(result) + 1), "word": [w for w, _ in result],
                                       "cosine": [s for _, s in result]}),
                         hide_index=True, column_config={"cosine": FOUR_DECIMALS})
            warn_if_barely_trained(emb)


def analogy_section(emb: Embeddings) -> None:
    st.subheader("Analogies: a is to b as c is to ?")
    a, b, c, m = st.columns(4)
    first = a.text_input("a", pick(emb, "man", 30), key="an_a", persist_state="session", help="e.g. man").strip()
    second = b.text_input("b", pick(emb, "king", 31), key="an_b", persist_state="session", help="e.g. king").strip()
    third = c.text_input("c", pick(emb, "woman", 32), key="an_c", persist_state="session", help="e.g. woman").strip()
    method = m.radio("Method", ANALOGY_METHODS, key="an_method", persist_state="session", horizontal=True,
                     help="3CosAdd: nearest to b - a + c. 3CosMul (Levy & Goldberg) balances the three terms.")
    if first and second and third:
        with user_errors("Analogy"):
            result = emb.analogy(first, second, third, k=5, method=method)
            st.dataframe(pd.DataFrame({"answer": [w for w, _ in result], "score": [s for _, s in result]}),
                         hide_index=True, column_config={"score": FOUR_DECIMALS})
            warn_if_barely_trained(emb)


def similarity_section(emb: Embeddings) -> None:
    st.subheader("Similarity and the odd one out")
    a, b, c = st.columns([1, 1, 2])
    first = a.text_input("First word", pick(emb, "king", 10), key="sim_a", persist_state="session",
                         help="Cosine similarity of two words, from -1 to 1.").strip()
    second = b.text_input("Second word", pick(emb, "queen", 11), key="sim_b", persist_state="session",
                          help="The other word.").strip()
    if first and second:
        with user_errors("Similarity"):
            c.metric(f"cosine of {md_literal(first)} and {md_literal(second)}", f"{emb.similarity(first, second):.4f}")
    default = " ".join(w for w in ("monday", "tuesday", "red", "friday") if w in emb) or " ".join(emb.words[:4])
    listed = st.text_input("Which word does not match?", default, key="odd_words", persist_state="session",
                           help="Several words separated by spaces; finds the one furthest from the others.")
    if len(words_in(listed)) >= 2:
        with user_errors("Odd one out"):
            st.write(f"Odd one out: **{md_literal(emb.doesnt_match(words_in(listed)))}**")


def evaluation_section(emb: Embeddings) -> None:
    st.subheader("Evaluation on benchmark files")
    st.caption("Word pairs with human similarity scores (WordSim-353, SimLex-999, any 'word1 word2 score' file) "
               "and analogy questions (questions-words.txt). Questions with unknown words are skipped: coverage "
               "comes first, as scores on a small share of the questions mean little.")
    left, right = st.columns(2)
    with left:
        pairs_file = st.file_uploader("Word pairs", type=["txt", "tsv", "csv"], key="eval_pairs",
                                      help="Lines 'word1 word2 score', tab or space separated.")
        if pairs_file is not None:
            with user_errors(f"Evaluating {pairs_file.name}"):
                result = evaluate_word_pairs(emb, read_word_pairs(pairs_file.getvalue()))
                a, b, c = st.columns(3)
                a.metric("Coverage", f"{1 - result.oov_share:.1%}", f"{result.n_used} of {result.n_pairs} pairs",
                         delta_color="off", help="Pairs whose two words both have vectors.")
                b.metric("Spearman", _number(result.spearman), help="Rank correlation with the human scores.")
                c.metric("Pearson", _number(result.pearson), help="Linear correlation with the human scores.")
    with right:
        questions_file = st.file_uploader("Analogy questions", type=["txt"], key="eval_analogies",
                                          help="': section' lines, then 'a b c d' lines (a : b :: c : d).")
        restrict = st.number_input(f"Answer among the {order_words(emb)} words", 100, 1_000_000, 30_000, 10_000,
                                   key="eval_restrict", help="As gensim: questions with rarer words are skipped.")
        use_teaching = any(w in emb for w in ("king", "paris")) and st.checkbox(
            "Use the teaching corpus analogies", key="eval_teaching",
            help=f"{len(TEACHING_ANALOGIES)} questions such as paris : france :: rome : italy.")
        sections = None
        with user_errors("Reading the analogy questions"):
            if questions_file is not None:
                sections = read_analogies(questions_file.getvalue())
            elif use_teaching:
                sections = {"teaching": list(TEACHING_ANALOGIES)}
        if sections:
            with user_errors("Evaluating the analogies"):
                result = evaluate_analogies(emb, sections, restrict_vocab=int(restrict))
                a, b = st.columns(2)
                a.metric("Coverage", f"{result.coverage:.1%}", f"{result.attempted} of {result.total} questions",
                         delta_color="off", help="Questions whose four words are among the words searched.")
                b.metric("Accuracy", _number(result.accuracy, percent=True), help="Share of attempted questions "
                         "whose best answer (other than a, b, c) is d.")
                st.dataframe(pd.DataFrame(result.per_section), hide_index=True)


def _number(value: float, percent: bool = False) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:.1%}" if percent else f"{value:.3f}"


def export_section(view: ModelView) -> None:
    st.subheader("Export these vectors")
    vector_downloads(view.emb, "neighbours")
    if view.emb.config:
        st.download_button("Configuration (JSON)", config_json(view.emb.config), file_name="w2v-config.json",
                           mime="application/json", on_click="ignore", key="neighbours_config",
                           help="The training settings of these vectors.")


st.title("Neighbours")
st.write("Ask the vectors questions: which words are close, which analogies hold, how well they match human "
         "judgements.")
with user_errors("The Neighbours page failed"):
    current = choose_view("neighbours")
    if current is not None:
        remember_queries("neighbours", current.emb.words, QUERY_KEYS)
        neighbours_section(current.emb)
        analogy_section(current.emb)
        similarity_section(current.emb)
        standard_evaluation({"these vectors": (current.key, current.emb)}, "neighbours")
        evaluation_section(current.emb)
        export_section(current)
