"""Compare page: two of the session's finished or stopped runs side by side: loss curves, settings, neighbours
and evaluation scores."""

import math

import pandas as pd
import streamlit as st

from ui.errors import message_of, user_errors
from ui.runs import (
    MAX_RUNS,
    RunRecord,
    config_comparison,
    loss_comparability,
    loss_overlay_figure,
    record_current_run,
    recorded_runs,
    runs_notice,
)
from ui.saved_runs import download_record_button, open_run_section
from ui.standard_eval import standard_evaluation
from ui.text import md_literal, md_message
from ui.vectors import barely_trained_note
from w2v_core.evaluation import (
    AnalogyResult,
    evaluate_analogies,
    evaluate_word_pairs,
    read_analogies,
    read_word_pairs,
)
from w2v_core.teaching import TEACHING_ANALOGIES

HIGHLIGHT = "background-color: #fff3b0"


def choose(runs: list[RunRecord]) -> tuple[RunRecord, RunRecord]:
    """Two runs (by default the last two)."""
    by_number = {r.number: r for r in runs}
    numbers = list(by_number)
    left, right = st.columns(2)
    first = left.selectbox("Run A", numbers, len(numbers) - 2, format_func=lambda n: by_number[n].title,
                           key="compare_a")
    second = right.selectbox("Run B", numbers, len(numbers) - 1, format_func=lambda n: by_number[n].title,
                             key="compare_b")
    for column, run in ((left, by_number[first]), (right, by_number[second])):
        column.caption(f"On {md_literal(run.corpus_name or 'a corpus')}, {run.state} at {run.words_done:,} words.")
    return by_number[first], by_number[second]


def settings_table(a: RunRecord, b: RunRecord) -> None:
    st.subheader("Settings")
    table = config_comparison(a, b)
    n_diff = int(table["differs"].sum())
    styled = table.style.apply(lambda row: [HIGHLIGHT if row["differs"] else ""] * len(row), axis=1)
    st.dataframe(styled, hide_index=True, height=min(36 * len(table) + 38, 720),
                 column_config={"differs": st.column_config.CheckboxColumn("differs")})
    st.caption("1 setting differs (highlighted)." if n_diff == 1 else f"{n_diff} settings differ (highlighted).")


def neighbours_table(a: RunRecord, b: RunRecord) -> None:
    st.subheader("Nearest neighbours in each run")
    left, right = st.columns([3, 1])
    fallback = a.emb.words[min(20, len(a.emb) - 1)]
    default = next((w for w in ("king", "paris", "god") if w in a.emb and w in b.emb), fallback)
    word = left.text_input("Word", default, key="compare_word").strip()
    k = int(right.number_input("How many", 1, 50, 10, key="compare_k"))
    if not word:
        return
    columns = st.columns(2)
    for column, run in zip(columns, (a, b), strict=True):
        with column:
            st.markdown(f"**Run {run.number}**")
            try:
                found = run.emb.most_similar(word, k=k)
            except (KeyError, ValueError) as error:
                st.warning(md_message(message_of(error)))
                continue
            st.dataframe(pd.DataFrame({"word": [w for w, _ in found], "cosine": [round(s, 4) for _, s in found]}),
                         hide_index=True)
            note = barely_trained_note(run.emb)  # every neighbour near 1 means nothing yet: say so beside them
            if note:
                st.caption(md_message(note))


def _keep_file(widget_key: str, session_key: str) -> tuple[str, bytes] | None:
    """The uploaded file of ``widget_key``, kept under ``session_key`` (uploads vanish on page switch)."""
    upload = st.session_state.get(widget_key)
    if upload is not None:
        st.session_state[session_key] = (upload.name, upload.getvalue())
    return st.session_state.get(session_key)


def _percent(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.1%}"


def _number(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.3f}"


def evaluation(a: RunRecord, b: RunRecord) -> None:
    st.subheader("Evaluation")
    left, right = st.columns(2)
    left.file_uploader("Word pairs (word1 word2 score)", type=["txt", "tsv", "csv"], key="compare_pairs_file",
                       help="WordSim-353, SimLex-999 or any 'word1 word2 score' file.")
    right.file_uploader("Analogy questions (questions-words.txt)", type=["txt"], key="compare_analogies_file",
                        help="': section' lines, then 'a b c d' lines.")
    pairs_file = _keep_file("compare_pairs_file", "_compare_pairs")
    analogy_file = _keep_file("compare_analogies_file", "_compare_analogies")
    rows: list[dict] = []
    teaching = any(w in run.emb for run in (a, b) for w in ("king", "paris"))
    with user_errors("Evaluating the runs"):
        for run in (a, b):
            row: dict = {"run": f"run {run.number}"}
            if teaching:
                result = evaluate_analogies(run.emb, {"teaching": list(TEACHING_ANALOGIES)}, restrict_vocab=None)
                row["teaching analogies"] = _analogy_text(result)
            if analogy_file is not None:
                result = evaluate_analogies(run.emb, read_analogies(analogy_file[1]), restrict_vocab=30_000)
                row[f"analogies: {analogy_file[0]}"] = _analogy_text(result)
            if pairs_file is not None:
                pairs = evaluate_word_pairs(run.emb, read_word_pairs(pairs_file[1]))
                row[f"Spearman: {pairs_file[0]}"] = (f"{_number(pairs.spearman)} ({pairs.n_used} of "
                                                     f"{pairs.n_pairs} pairs)")
            rows.append(row)
        if len(rows[0]) > 1:
            st.dataframe(pd.DataFrame(rows), hide_index=True)
        else:
            st.info("Upload word pairs or analogy questions above to score both runs on them.")


def _analogy_text(result: AnalogyResult) -> str:
    return f"{_percent(result.accuracy)} ({result.correct} of {result.attempted} attempted, {result.total} asked)"


st.title("Compare")
st.write(f"Every finished or stopped run of this session is kept (the last {MAX_RUNS}) to be compared here.")
with user_errors("The Compare page failed"):
    record_current_run()  # app.py records too; this covers a run that ended while this page was open
    notice = runs_notice()
    if notice:
        st.info(notice)
    kept = recorded_runs()
    open_run_section(expanded=len(kept) < 2)
    kept = recorded_runs()
    if len(kept) < 2:
        have = f"Only one run so far ({md_literal(kept[0].label)})." if kept else "No finished runs yet."
        st.info(f"{have} Train at least two runs on the Train page (finish or stop them), or open saved runs "
                "above, to compare them here.")
        st.page_link("pages/train.py", label="Go to Train")
    else:
        run_a, run_b = choose(kept)
        left, right = st.columns(2)
        download_record_button(left, run_a)
        download_record_button(right, run_b)
        relative = st.toggle("Loss against the share of each run", False, key="compare_relative",
                             help="Runs of different lengths or corpora line up from start to end.")
        incomparable = loss_comparability(run_a, run_b)
        if incomparable:
            st.warning(incomparable)
        st.plotly_chart(loss_overlay_figure([run_a, run_b], relative, separate_axes=bool(incomparable)),
                        key="compare_loss")
        settings_table(run_a, run_b)
        neighbours_table(run_a, run_b)
        standard_evaluation({f"run {run.number}": (("run", run.number, run.words_done, len(run.emb)), run.emb)
                             for run in (run_a, run_b)}, "compare")
        evaluation(run_a, run_b)
