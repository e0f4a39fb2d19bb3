"""AppTest: the Gradient lab page: a worked example whose check passes, every model and loss, typed examples,
and the SGD step, which changes only the lab's copy of the weights."""

import numpy as np
import pytest
from apptest_support import button, choose_teaching_corpus, plotly_specs, texts, train_small

LAB = "pages/gradient_lab.py"


@pytest.fixture
def at(at):
    """The app on a small teaching corpus."""
    choose_teaching_corpus(at, 3000)
    return at


def metric(at, label: str) -> float:
    return float(next(m.value for m in at.metric if m.label == label))


def test_lab_on_fresh_weights_checks_and_steps(at):
    at.switch_page(LAB).run()
    assert not at.exception and not at.error
    assert any("fresh random weights" in c for c in texts(at, "caption"))
    (verdict,) = texts(at, "success")
    assert verdict.startswith("Finite-difference check passed")
    assert len(at.get("latex")) >= 5  # the derivation's formulas next to the numbers
    grad_in, grad_out = plotly_specs(at)
    assert grad_in["data"][0]["type"] == "heatmap" and grad_out["data"][0]["type"] == "heatmap"
    forward = at.dataframe[0].value
    assert set(forward["role"]) == {"true word", "shared negative"} and (forward["P_n(w)"] > 0).all()
    lab = at.session_state["_lab"]
    before = lab.w_in.copy()
    loss = metric(at, "Loss J")
    button(at, "Apply SGD step").click().run()
    assert not at.exception and not at.error
    assert lab.version == 1 and not np.array_equal(before, lab.w_in)
    assert metric(at, "Loss before") == pytest.approx(loss, abs=1e-4)
    assert metric(at, "Loss after (same example)") < metric(at, "Loss before")
    step = at.session_state["_lab_step"]
    assert len(step.moved) > 0 and (step.moved["moved_by"] > 0).all()
    shown = [frame.value for frame in at.dataframe]
    moved = next(frame for frame in shown if "moved by" in frame.columns)
    assert len(moved) == len(step.moved) and set(moved["vector"]) == {"input v_w", "output u_w"}
    neighbours = next(frame for frame in shown if "cos after" in frame.columns)
    assert len(neighbours) == 8 and list(step.neighbours_before) == list(step.neighbours_after)
    assert "trainer" not in at.session_state  # nothing was trained: the step touched only the lab
    assert texts(at, "success")[0].startswith("Finite-difference check passed")  # the next example, new weights


def test_every_model_and_loss_passes_the_check(at):
    at.switch_page(LAB).run()
    for loss in ("softmax", "hierarchical", "negative"):
        for model in ("cbow", "skipgram"):
            at.radio(key="lab_loss").set_value(loss)
            at.radio(key="lab_model").set_value(model).run()
            assert not at.exception and not at.error, (model, loss)
            assert texts(at, "success")[0].startswith("Finite-difference check passed"), (model, loss)
    at.radio(key="lab_loss").set_value("hierarchical").run()
    table = at.dataframe[0].value
    assert {"node n_j", "code b_j", "g_j"} <= set(table.columns)
    at.radio(key="lab_model").set_value("cbow").run()
    assert at.checkbox(key="lab_cbow_full_step").value  # the trainer's default step
    button(at, "Apply SGD step").click().run()
    assert at.session_state["_lab_step"].input_scale == len(at.session_state["_lab_example"][1].context)


def test_typed_example_and_unknown_word(at):
    at.switch_page(LAB).run()
    at.radio(key="lab_source").set_value("typed").run()
    assert texts(at, "success")[0].startswith("Finite-difference check passed")
    example = at.session_state["_lab_example"][1]
    lab = at.session_state["_lab"]
    assert lab.words[example.center] == "king" and [lab.words[w] for w in example.context][:2] == ["the", "sat"]
    at.text_input(key="lab_center").set_value("zebra").run()
    assert any("'zebra' is not in the vocabulary" in e for e in texts(at, "error")) and not at.exception


def test_lab_copies_the_trained_weights_and_leaves_the_trainer_alone(at):
    trainer = train_small(at, dim=16, epochs=1, sentences=3000)
    at.switch_page(LAB).run()
    lab = at.session_state["_lab"]
    assert "run 1 (finished)" in lab.source and not lab.fresh
    weights = trainer.vectors("input")
    assert np.array_equal(lab.w_in, weights) and lab.w_in is not trainer.w_in
    button(at, "Apply SGD step").click().run()
    assert not at.exception and lab.version == 1
    assert np.array_equal(trainer.vectors("input"), weights)  # the trainer's weights did not move
    button(at, "Copy the weights again").click().run()
    assert at.session_state["_lab"].version == 0 and "_lab_step" not in at.session_state


def test_a_one_row_gradient_heatmap_keeps_a_readable_colour_bar(at):
    at.switch_page(LAB).run()
    at.radio(key="lab_model").set_value("skipgram").run()  # ∂J/∂v_c: a single input row
    grad_in = plotly_specs(at)[0]
    assert grad_in["data"][0]["z"]["shape"].startswith("1,")
    layout = grad_in["layout"]
    plot_area = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    assert plot_area >= 180  # the colour bar is as long as the plot area


def test_the_lab_says_what_the_trainer_does_differently(at):
    at.switch_page(LAB).run()
    at.radio(key="lab_model").set_value("skipgram")
    at.radio(key="lab_loss").set_value("negative").run()
    latex = [str(element.value) for element in at.get("latex")]
    assert any(r"\frac{mK}{S}\, n_s" in formula for formula in latex)  # the weighted gradient of shared negatives
    assert any("n_w" in formula for formula in latex)  # repeated draws and a draw equal to the true word
    captions = " ".join(texts(at, "caption"))
    assert "weight mK/S = " in captions and "skip draws equal to the true word" in captions
    assert "window of 1 to m words" in captions and "MAX_EXP" in captions
    at.checkbox(key="lab_shared").uncheck().run()
    assert not any(r"\frac{mK}{S}\, n_s" in str(e.value) for e in at.get("latex"))  # per pair: the plain form
    at.radio(key="lab_loss").set_value("hierarchical").run()  # shown as the trainer does it, context -> centre
    example = at.session_state["_lab_example"][1]
    assert example.predicts_centre and set(example.in_rows) == set(example.context)
    said = " ".join(str(m.value) for m in at.markdown)
    assert "Each context word's vector h_j" in said and "one SGD step per context word in turn" in said
    assert "takes the pairs in turn, as the trainer does" in " ".join(texts(at, "caption")) and not texts(at, "info")
    latex = [str(e.value) for e in at.get("latex")]
    assert any("F(w_c,\\, h_j)" in formula for formula in latex)  # J = Σ_j F(w_c, h_j), h_j = v_{c+j}
    assert any("for each pair" in formula for formula in latex)  # the sequential step, as the trainer
    assert at.dataframe[0].value["context word (h)"].tolist()[0] in [lab_word(at, w) for w in example.context]
    button(at, "Apply SGD step").click().run()
    step = at.session_state["_lab_step"]
    assert step.pairs_in_turn == len(example.context)
    assert set(step.moved["row"][step.moved["vector"] == "input v_w"]) == set(example.context)
    assert any("pairs stepped in turn" in c for c in texts(at, "caption"))


def lab_word(at, row: int) -> str:
    return at.session_state["_lab"].words[row]
