"""AppTest: the Evolution page (replay of snapshots, during and after training) and the Compare page."""


import numpy as np
from apptest_support import (
    button,
    plotly_specs,
    set_up_run,
    start_training,
    texts,
    train_small,
    values,
    wait_until_done,
)
from wait_support import wait_for

from ui.replay_view import CHAR_PIXELS, PLOT_PIXELS, _label_box
from ui.vectors import barely_trained_note
from w2v_core.replay import in_order
from w2v_core.teaching import TEACHING_ANALOGIES


def test_evolution_replays_the_snapshots(at):
    at.switch_page("pages/evolution.py").run()
    assert "Nothing trained yet" in texts(at, "info")[0]
    trainer = train_small(at, dim=16, epochs=2, sentences=3000)
    at.switch_page("pages/evolution.py").run()
    assert not at.exception and not at.error
    snapshots = in_order(trainer.recorder.snapshots())
    animation, accuracy = plotly_specs(at)
    assert len(animation["frames"]) == len(snapshots) > 5
    (slider,) = animation["layout"]["sliders"]
    assert [s["label"] for s in slider["steps"]] == [f"{s.words_done:,}" for s in snapshots]
    assert f"{snapshots[-1].words_done:,} words, epoch" in animation["frames"][-1]["data"][0]["hovertext"][0]
    assert [b["label"] for b in animation["layout"]["updatemenus"][0]["buttons"]] == ["▶ Play", "❚❚ Pause"]
    chosen = at.multiselect(key="evolution_words").value
    first, last = (frame["data"][0] for frame in (animation["frames"][0], animation["frames"][-1]))
    assert "king" in chosen and set(first["text"]) - {""} <= set(chosen)
    layout = animation["layout"]
    assert not overlapping_labels(first, layout) and not overlapping_labels(last, layout)
    assert first["text"][0] == last["text"][0] == "king"  # the first word is always labelled
    assert all(word in hover for word, hover in zip(chosen, first["hovertext"], strict=True))  # hover names all
    assert len(set(first["marker"]["color"])) > 3  # teaching corpus: coloured by word group
    assert animation["layout"]["xaxis"]["autorange"] is False  # fixed axes: motion is the words' motion
    table = at.dataframe[0].value
    assert len(table) == len(snapshots) and list(table["words trained"]) == [s.words_done for s in snapshots]
    assert accuracy["data"][0]["mode"] == "lines+markers"
    at.radio(key="evolution_alignment").set_value("procrustes")
    at.checkbox(key="evolution_unit").uncheck().run()
    assert not at.exception and len(plotly_specs(at)[0]["frames"]) == len(snapshots)
    at.multiselect(key="evolution_words").set_value(["king", "queen"]).run()
    assert "at least three words" in texts(at, "info")[0]
    at.session_state["_run_corpus_name"] = "Uploaded: my.txt"  # the same run, as if trained on an upload
    at.multiselect(key="evolution_words").set_value(["king", "queen", "man"]).run()
    animation = plotly_specs(at)[0]
    assert len(set(animation["frames"][0]["data"][0]["marker"]["color"])) == 1
    caption = " ".join(texts(at, "caption"))
    assert "Press ▶ Play" in caption and "teaching" not in caption


def overlapping_labels(trace: dict, layout: dict) -> bool:
    """Whether two labels drawn in a frame's trace overlap, at the figure's fixed axis ranges."""
    x_range, y_range = tuple(layout["xaxis"]["range"]), tuple(layout["yaxis"]["range"])
    pixels = (np.column_stack([values(trace["x"]), values(trace["y"])]) - [x_range[0], y_range[0]]) * np.array(
        PLOT_PIXELS) / [x_range[1] - x_range[0], y_range[1] - y_range[0]]
    boxes = [_label_box(x, y, CHAR_PIXELS * len(word) + 4, position)
             for (x, y), word, position in zip(pixels, trace["text"], trace["textposition"], strict=True) if word]
    return any(not (a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2])
               for i, a in enumerate(boxes) for b in boxes[:i])


def test_evolution_during_training(at):
    set_up_run(at, 3000, dim=16, epochs=300)
    trainer = start_training(at)
    wait_for(lambda: len(trainer.recorder.snapshots()) >= 3, limit=60, poll=0.05)
    at.switch_page("pages/evolution.py").run()
    assert not at.exception and not at.error
    assert any(t.startswith("Training is running: this replays the") for t in texts(at, "info"))
    assert len(plotly_specs(at)[0]["frames"]) >= 3
    trainer.stop()


def test_compare_two_recorded_runs(at):
    at.switch_page("pages/compare.py").run()
    assert "No finished runs yet" in texts(at, "info")[0]
    train_small(at, dim=16, epochs=1, sentences=3000)
    at.switch_page("pages/compare.py").run()
    assert "Only one run so far" in texts(at, "info")[0]
    at.switch_page("pages/train.py").run()
    at.number_input(key="cfg_dim").set_value(24)
    at.selectbox(key="cfg_model").set_value("cbow").run()
    button(at, "Start training").click().run()  # replaces run 1, which stays recorded
    wait_until_done(at)
    at.switch_page("pages/compare.py").run()
    assert not at.exception and not at.error
    runs = at.session_state["_runs"]
    assert [r.number for r in runs] == [1, 2] and [r.config["dim"] for r in runs] == [16, 24]
    (loss,) = plotly_specs(at)
    assert [t["name"] for t in loss["data"] if t.get("showlegend") is not False] == ["run 1", "run 2"]
    settings = at.dataframe[0].value.set_index("setting")
    assert settings.loc["dim", "run 1"] == "16" and settings.loc["dim", "run 2"] == "24"
    assert set(settings.index[settings["differs"]]) == {"model", "dim", "alpha", "min_alpha"}  # auto: 0.025, 0.05
    assert settings.loc["alpha", "run 2"] == "auto (0.05)"
    assert tuple(settings.loc["cbow_full_step"][:2]) == ("not used", "True")  # skip-gram has no such step
    assert tuple(settings.loc["shared_negatives"][:2]) == ("True", "not used")
    assert not texts(at, "warning")  # the same loss: one axis
    assert at.selectbox(key="compare_a").options == [  # short enough for the select box: no corpus, no state
        "Run 1: skip-gram, negative sampling, dim 16, window 5", "Run 2: CBOW, negative sampling, dim 24, window 5"]
    neighbours = [frame.value for frame in at.dataframe[1:3]]
    assert all(len(frame) == 10 and "king" not in set(frame["word"]) for frame in neighbours)
    barely = sum(barely_trained_note(run.emb) is not None for run in runs)  # said beside that run's neighbours
    assert sum("barely trained" in caption for caption in texts(at, "caption")) == barely
    assert all(float(s) > 0 for s in settings.loc["seconds"][:2])  # a run of 0.04 s does not read "0"
    scores = at.dataframe[3].value
    assert list(scores["run"]) == ["run 1", "run 2"]
    assert f"of {len(TEACHING_ANALOGIES)} attempted" in scores["teaching analogies"][0]
    at.text_input(key="compare_word").set_value("zebra").run()
    assert len(texts(at, "warning")) == 2 and not at.exception
    pairs = b"king queen 9\nman woman 8\nred monday 1\n"
    at.file_uploader(key="compare_pairs_file").set_value(("pairs.txt", pairs, "text/plain")).run()
    scores = at.dataframe[-1].value
    assert "Spearman: pairs.txt" in scores.columns and "(3 of 3 pairs)" in scores["Spearman: pairs.txt"][0]
    at.switch_page("pages/train.py").run()
    at.selectbox(key="cfg_loss").set_value("hierarchical").run()
    button(at, "Start training").click().run()
    wait_until_done(at)
    at.switch_page("pages/compare.py").run()  # runs 2 and 3: negative sampling against hierarchical softmax
    (warning,) = texts(at, "warning")
    assert "Run 2 uses negative sampling and run 3 hier. softmax" in warning and "cannot be compared" in warning
    loss = plotly_specs(at)[0]
    assert {t.get("yaxis", "y") for t in loss["data"]} == {"y", "y2"} and loss["layout"]["yaxis2"]["side"] == "right"
    settings = at.dataframe[0].value.set_index("setting")
    assert tuple(settings.loc["negative"][:3]) == ("5", "not used", False)


def test_a_crowded_first_word_is_labelled_on_its_least_covered_side():
    from ui.replay_view import place_labels

    width, height = PLOT_PIXELS
    king = (430, 170)  # pixels; markers close above, below and left of it, one only grazing its right side
    others = [(430, 183), (430, 157), (407, 170), (468, 170)]
    points = np.array([king, *others], dtype=float) / [width, height]
    shown, positions = place_labels(points, ["king", "a", "b", "c", "d"], (0.0, 1.0), (0.0, 1.0))
    assert shown[0] and positions[0] == "middle right"
