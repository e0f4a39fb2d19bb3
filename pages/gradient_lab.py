"""Gradient lab: one training example worked through with the model's numbers, the formulas of the derivation,
a finite-difference check, and one SGD step on the lab's own copy of the weights."""

import numpy as np
import pandas as pd
import streamlit as st

from ui.current_run import get_trainer
from ui.errors import user_errors
from ui.lab_state import (
    apply_step,
    lab_words_done,
    last_step,
    request_lab_reset,
    session_lab,
    take_lab_reset,
    take_step_error,
    worked_example,
)
from ui.lab_view import (
    CBOW_FULL_STEP,
    CHAIN,
    CHECK,
    GRADIENT,
    GRADIENT_SHARED,
    HIDDEN,
    REPEATED_NOISE,
    SHARED,
    STEP,
    STEP_PAIRS,
    first_useful_line,
    form,
    forward_formulas,
    forward_table,
    gradient_heatmap,
    moved_table,
    sentence_words,
    top_softmax_table,
)
from ui.settings import setting
from ui.text import md_literal
from w2v_core.config import SHARED_DRAWS_PER_NEGATIVE
from w2v_core.corpus import Corpus
from w2v_core.gradcheck import TOLERANCE
from w2v_core.lab import GradientLab, LabError, StepResult, window_around
from w2v_core.lab_example import Example

MODELS = {"skipgram": "Skip-gram", "cbow": "CBOW"}
LOSSES = {"negative": "Negative sampling", "softmax": "Full softmax", "hierarchical": "Hierarchical softmax"}


def weights_section() -> tuple[GradientLab, Corpus]:
    """Which weights the lab works on, with a button to copy them again."""
    lab, corpus, source = session_lab(take_lab_reset())
    left, right = st.columns([5, 2], vertical_alignment="center")  # the button's label stays whole
    steps = lab.version
    left.caption(f"Weights: a copy of {md_literal(lab.source)}" + (f", changed by {steps} lab step(s)" if steps else "")
                 + ". Steps change only this copy, never the trainer.")
    trainer = get_trainer()
    newer = source.words_done != lab_words_done()
    right.button("Copy the weights again", key="lab_reset", on_click=request_lab_reset,
                 type="primary" if newer else "secondary",
                 help="Discard the lab's steps and copy the trainer's current weights (fresh ones if nothing is "
                      "trained).")
    if newer:
        st.info("The trainer has moved on since the lab copied its weights: press **Copy the weights again** for "
                "the current ones.")
    elif trainer is not None and trainer.is_active:
        st.caption("Training is running; the lab keeps the copy it took.")
    if lab.fresh:
        whose = ("The trained model has no vectors for this loss's output side, so" if lab.trained else
                 "Nothing is trained yet, so")
        st.caption(f"{whose} the lab made small random output vectors (the trainer starts them at zero, where "
                   "every input-vector gradient would be zero).")
    return lab, corpus


def choose_example(lab: GradientLab, corpus: Corpus) -> dict:
    """Model, loss and the example (a corpus line and a centre position, or typed words)."""
    trainer = get_trainer()
    config = trainer.config if trainer is not None else None
    a, b, c, d = st.columns(4)
    model_default = list(MODELS).index(config.model if config else setting("cfg_model"))
    loss_default = list(LOSSES).index(config.loss if config else setting("cfg_loss"))
    model = a.radio("Model", list(MODELS), model_default, format_func=MODELS.get, key="lab_model", horizontal=True)
    loss = b.radio("Loss", list(LOSSES), loss_default, format_func=LOSSES.get, key="lab_loss")
    window = c.number_input("Window (words on each side)", 1, 10, 2, key="lab_window",
                            help="The context is every word within this distance of the centre word. The trainer "
                                 "draws a smaller window of 1 to m words for each centre word (as the C tool), so "
                                 "near words count more often; the lab uses the whole window m.")
    settings = {"model": model, "loss": loss, "negative": 5, "seed": 0, "shared_negatives": True,
                "ns_exponent": config.ns_exponent if config else float(setting("cfg_ns_exponent"))}
    if loss == "negative":
        settings["negative"] = int(d.number_input("Negatives K", 1, 20, 5, key="lab_negative",
                                                  help="Noise words drawn from P_n."))
        settings["seed"] = int(d.number_input("Seed of the draw", 0, 10_000, 0, key="lab_seed",
                                              help="The same seed draws the same negatives."))
        if model == "skipgram":
            shared_default = config.shared_negatives if config else bool(setting("cfg_shared_negatives"))
            settings["shared_negatives"] = d.checkbox(
                "Shared negatives", shared_default, key="lab_shared",
                help=f"One set of S = {SHARED_DRAWS_PER_NEGATIVE}K noise words for the whole window, each "
                     "weighted mK/S (the trainer's default instead shares K among the context words, each "
                     "predicting the centre: docs/derivation.md). Off: K noise words for each pair (the "
                     "trainer's --per-pair-negatives).")
    source = st.radio("Example", ["line", "typed"], key="lab_source", horizontal=True,
                      format_func={"line": "A line of the corpus", "typed": "Type it in"}.get)
    if source == "line":
        left, right = st.columns([1, 4])
        line = int(left.number_input("Line", 1, corpus.n_sentences, first_useful_line(corpus) + 1,
                                     key="lab_line", help="Lines as training sees them: words below min_count "
                                                           "are removed.")) - 1
        ids = sentence_words(corpus, line)
        position = right.selectbox("Centre word", range(len(ids)), min(len(ids) // 2, len(ids) - 1),
                                   format_func=lambda i: f"{i + 1}: {lab.words[ids[i]]}", key=f"lab_pos_{line}")
        st.caption("Line: " + md_literal(" ".join(lab.words[w] for w in ids)))
        center, context = window_around(ids, int(position), int(window))
    else:
        left, right = st.columns([1, 3])
        center_word = left.text_input("Centre word", _default_word(lab, "king", 10), key="lab_center").strip()
        typed = right.text_input("Context words", " ".join(_default_context(lab)), key="lab_context",
                                 help="Separated by spaces.").split()
        if not center_word:
            raise LabError("Type a centre word.")
        center, context = lab.word_id(center_word), [lab.word_id(w) for w in typed]
    settings.update(center=center, context=context)
    return settings


def _default_word(lab: GradientLab, word: str, rank: int) -> str:
    return word if word in lab.words[:5000] else lab.words[min(rank, len(lab.words) - 1)]


def _default_context(lab: GradientLab) -> list[str]:
    wanted = ["the", "sat", "on", "throne"]
    return [w for w in wanted if w in lab.words] or lab.words[:3]


def forward_section(lab: GradientLab, example: Example, exponent: float) -> None:
    st.subheader("1 · Forward pass")
    words = lab.words
    context = ", ".join(words[w] for w in example.context)
    centre = md_literal(words[example.center])
    if example.predicts_centre:
        who = (f"Each context word's vector h_j ({md_literal(context)}) predicts the Huffman path of the centre word "
               f"**{centre}**, as the trainer does for skip-gram with hierarchical softmax (the C tool's and gensim's "
               "way): one SGD step per context word in turn, each pair's gradients computed after the pair before "
               "it moved the path's inner nodes.")
    elif example.model == "skipgram":
        who = f"The centre word **{centre}** predicts each context word ({md_literal(context)})."
    else:
        who = f"The mean of the context vectors ({md_literal(context)}) predicts the centre word **{centre}**."
    st.write(who)
    if example.predicts_centre:
        st.caption("The gradients below are all taken at the example's weights (the first pair's are exactly its "
                   "step); **Apply SGD step** takes the pairs in turn, as the trainer does. Over a corpus this counts "
                   "the same (word, context) pairs as the centre predicting its context, in expectation over the "
                   "random window (docs/derivation.md, section 2).")
    st.caption("The trainer draws a window of 1 to m words for each centre word (near words count more often); "
               f"the lab uses the whole window, m = {int(st.session_state.get('lab_window', 2))}.")
    left, right = st.columns([2, 1])
    with left:
        st.latex(HIDDEN[form(example)])
        for formula in forward_formulas(example.loss, exponent):
            st.latex(formula)
    with right:
        st.metric("Loss J", f"{example.loss_value:.4f}", help="Summed over the predictions of this window.")
        norms = np.linalg.norm(np.atleast_2d(example.hidden), axis=1)
        name = "‖h_j‖" if example.predicts_centre else "‖h‖"
        st.caption(f"{name} = {', '.join(f'{n:.4g}' for n in norms)} over {example.hidden.shape[-1]} dimensions.")
    if example.loss == "softmax":
        st.caption("Scores u_w·h and ŷ of the true words (rank among all words):")
        st.dataframe(forward_table(example), hide_index=True)
        st.caption("The most probable words under ŷ:")
        st.dataframe(top_softmax_table(example), hide_index=True)
    elif example.loss == "negative":
        if example.shared is not None:
            st.latex(SHARED % SHARED_DRAWS_PER_NEGATIVE)
            st.caption(f"Shared negatives: one set of S = {len(example.shared)} noise words drawn from P_n(w) for "
                       f"the whole window stands in for each pair's K; each noise term has weight mK/S = "
                       f"{example.shared_weight:.3g}. σ(±score) is σ(u·h) for a true word and σ(−u·h) for a "
                       "negative; training makes both grow.")
        else:
            st.caption("Each true word against K negatives drawn from P_n(w): frequent words are drawn more often. "
                       "σ(±score) is σ(u·h) for the true word and σ(−u·h) for a negative; training makes both grow.")
        st.dataframe(forward_table(example), hide_index=True)
    else:
        whose = ("The centre word's path from the root of the Huffman tree, scored with each pair's h" if
                 example.predicts_centre else "Each true word's path from the root of the Huffman tree")
        st.caption(f"{whose}: at node n_j the code b_j says which branch leads to the word; σ(t_j s_j) with "
                   "t_j = 1 − 2b_j is the probability of taking it.")
        st.dataframe(forward_table(example), hide_index=True)


def gradient_section(lab: GradientLab, example: Example) -> None:
    st.subheader("2 · Gradients and their check")
    left, right = st.columns([1, 1])
    with left:
        shared = example.shared is not None
        for formula in GRADIENT_SHARED if shared else GRADIENT[example.loss]:
            st.latex(formula)
        if not shared:
            st.latex(CHAIN[form(example)])
        if example.loss == "negative":
            st.latex(REPEATED_NOISE)
            weight = (f" Each shared noise term carries the weight mK/S = {example.shared_weight:.3g} (the table's "
                      "weight column, already in its coefficient)." if shared else "")
            st.caption("A word drawn n_w times counts n_w times, and a noise word equal to the true word o adds both "
                       "terms; the trainer keeps such draws, the C tool and gensim skip draws equal to the true "
                       f"word.{weight}")
        st.caption("σ is computed exactly; the C tool reads it from a table on [−6, 6] (MAX_EXP) and treats "
                   "larger scores as saturated.")
    with right:
        check = example.check
        for formula in CHECK:
            st.latex(formula)
        if check is not None:
            verdict = st.success if check.passed else st.error
            verdict(f"Finite-difference check {'passed' if check.passed else 'FAILED'}: relative error "
                    f"{check.input_error:.2e} for ∂J/∂V and {check.output_error:.2e} for ∂J/∂U "
                    f"(pass below {TOLERANCE:.0e}).")
            st.caption(f"Centred differences with ε = 1e-5 on {check.n_parameters:,} weights: "
                       f"{len(check.input_rows)} input and {len(check.output_rows)} output rows, in "
                       f"{check.seconds:.2f} s.")
    in_labels = [lab.words[r] for r in example.in_rows]
    name = ("v_{c+j} (context words)" if example.predicts_centre else "v_c" if example.model == "skipgram" else
            "v_a (context words)")
    st.plotly_chart(gradient_heatmap(example.grad_input, in_labels, f"∂J/∂{name}: the input rows it changes"),
                    key="lab_grad_input")
    rows = example.shown_rows
    labels = [lab.out_label(example.loss, int(r)) for r in rows]
    title = "∂J/∂U over the touched rows"
    if example.loss == "softmax":
        title = f"∂J/∂U: full softmax touches all {len(example.out_rows):,} rows; the true words and the largest shown"
    elif example.loss == "hierarchical":
        title = ("∂J/∂u_{n_j}: the inner nodes on the centre word's path" if example.predicts_centre else
                 "∂J/∂u_{n_j}: the inner nodes on the paths of the true words")
    st.plotly_chart(gradient_heatmap(example.grad_output_rows(rows), labels, title), key="lab_grad_output")


def step_section(lab: GradientLab, example: Example) -> None:
    st.subheader("3 · One SGD step")
    trainer = get_trainer()
    st.latex(STEP_PAIRS if example.predicts_centre else STEP)
    alpha_default = trainer.config.start_alpha if trainer is not None else 0.025
    left, middle, right = st.columns([1, 2, 1])
    alpha = left.number_input("Learning rate α", 0.0001, 10.0, float(alpha_default), 0.005, format="%g",
                              key="lab_alpha", help="Larger steps show the movement better; the trainer starts at "
                                                    "0.025 (skip-gram) or 0.05 (CBOW).")
    movers = list(dict.fromkeys([example.center, *example.in_rows.tolist()]))
    # the input rows that move: the centre's (skip-gram), else the context words' (CBOW, skip-gram + HS)
    moving = movers[:1] if example.model == "skipgram" and not example.predicts_centre else example.in_rows.tolist()[:2]
    watch = middle.multiselect("Neighbours of", movers, moving, format_func=lambda r: lab.words[r],
                               key=f"lab_watch_{example.model}", max_selections=4,
                               help="Words whose nearest neighbours (cosine of input vectors) are compared "
                                    "before and after the step.")
    full_step = False
    if example.model == "cbow":
        default = trainer.config.cbow_full_step if trainer is not None else bool(setting("cfg_cbow_full_step"))
        full_step = st.checkbox("The C tool's CBOW step (as the trainer)", default, key="lab_cbow_full_step",
                                help="Each context position takes the full ∂F/∂h: the input vectors move C times "
                                     "the gradient step. Off: the plain gradient step.")
        if full_step:
            st.latex(CBOW_FULL_STEP)
    right.button("Apply SGD step", type="primary", on_click=apply_step,
                 args=(lab, example, float(alpha), watch, full_step),
                 key="lab_apply", help="Apply this example's gradients to the lab's copy of the weights.")
    error = take_step_error()
    if error:
        st.error(error)
    result = last_step()
    if result is not None:
        show_step(result)


def show_step(result: StepResult) -> None:
    a, b, c = st.columns(3)
    a.metric("Loss before", f"{result.loss_before:.4f}")
    b.metric("Loss after (same example)", f"{result.loss_after:.4f}", f"{result.loss_after - result.loss_before:+.4f}",
             delta_color="inverse")
    c.metric("Vectors moved", f"{len(result.moved):,}", help=f"α = {result.alpha:g}")
    rule = "‖Δ‖ = α‖∂J/∂row‖" + (f" (input rows: {result.input_scale:g}α, the C tool's CBOW step)"
                                 if result.input_scale != 1 else "")
    if result.pairs_in_turn:
        rule = (f"the {result.pairs_in_turn} pairs stepped in turn, as the trainer: ‖Δ‖ = α‖gradients applied‖, "
                "which from the second pair on were taken at the weights the pairs before left")
    st.caption(f"The vectors that moved, largest change first: {rule}.")
    st.dataframe(moved_table(result).head(50), hide_index=True)
    for word, before in result.neighbours_before.items():
        after = result.neighbours_after.get(word, [])
        st.caption(f"Nearest neighbours of **{md_literal(word)}** before and after the step")
        st.dataframe(pd.DataFrame({"before": [w for w, _ in before], "cos before": [s for _, s in before],
                                   "after": [w for w, _ in after], "cos after": [s for _, s in after]}),
                     hide_index=True)


st.title("Gradient lab")
st.write("One training example, worked through with the model's own numbers: the forward pass, the loss, the "
         "gradients next to their formulas (as in docs/derivation.md), a finite-difference check, and one SGD step.")
with user_errors("The gradient lab"):
    current_lab, lab_corpus = weights_section()
    chosen = choose_example(current_lab, lab_corpus)
    worked = worked_example(current_lab, chosen)
    forward_section(current_lab, worked, chosen["ns_exponent"])
    gradient_section(current_lab, worked)
    step_section(current_lab, worked)
