"""AppTest: training from the Train page (start, pause/resume/stop, step mode, failures) and the Gradients page."""

import re
import time

import pytest
from apptest_support import (
    button,
    n_points,
    plotly_specs,
    set_up_run,
    start_training,
    texts,
    train_small,
    values,
    wait_until_done,
)
from wait_support import wait_for

from ui.charts import merge_partial_chunks
from ui.serving import TrainerGuard
from ui.training import training_status
from w2v_core.corpus import build_corpus
from w2v_core.trainer import TrainConfig, Trainer


def test_start_training_shows_progress_loss_and_exports(at):
    trainer = train_small(at)
    assert not at.exception and not at.error
    progress = at.get("progress")[0].proto.text
    assert progress.startswith("Finished: ") and "ETA" not in progress and " · took " in progress
    assert re.search(r" · took \d\.\d s ", progress), progress  # a run of seconds: "took 1.3 s", not "took 1 s"
    loss, alpha = plotly_specs(at)
    history = trainer.recorder.loss_history()
    assert n_points(loss) == len(merge_partial_chunks(history)) > 10  # short end-of-epoch chunks merged
    smoothed = values(loss["data"][1]["y"])
    assert smoothed[-1] < smoothed[0]  # it learned
    assert any(shape.get("type") == "line" for shape in loss["layout"]["shapes"])  # epoch boundary
    assert [t["name"] for t in loss["data"]][2:] == ["positive part (smoothed)", "negative part (smoothed)"]
    assert [t["name"] for t in alpha["data"]] == ["planned", "used"]
    labels = [d.label for d in at.get("download_button")]
    assert labels == ["Configuration (JSON)", "Loss history (CSV)", "Loss chart (HTML)", "Download the run"]
    assert at.get("download_button")[0].proto.url  # the JSON is served
    assert trainer.config.dim == 16 and trainer.config.epochs == 2
    assert at.session_state["_run_corpus_name"] == "Teaching corpus (3,000 sentences)"


def test_hierarchical_softmax_chart_has_no_positive_part_and_no_end_dip(at):
    at.switch_page("pages/train.py").run()
    at.selectbox(key="cfg_loss").set_value("hierarchical")
    at.number_input(key="cfg_workers").set_value(1).run()  # chunks end in order: the last one is the short one
    trainer = train_small(at, epochs=3)
    loss = plotly_specs(at)[0]
    assert [t["name"] for t in loss["data"]] == ["loss per chunk", "smoothed"]
    history = trainer.recorder.loss_history()
    assert history["pairs"].iloc[-1] < 0.5 * history["pairs"].median()  # the run ends on a short chunk
    raw, smoothed = values(loss["data"][0]["y"]), values(loss["data"][1]["y"])
    assert smoothed[-1] == pytest.approx(smoothed[-2], rel=0.02)  # no dip or jump at the end
    assert raw[-1] == pytest.approx(raw[-2], rel=0.1)


def test_model_names_are_short_enough_for_their_select(at):
    at.switch_page("pages/train.py").run()
    assert at.selectbox(key="cfg_model").options == ["Skip-gram (word → context)", "CBOW (context → word)"]


def test_the_learning_rate_schedule_is_shown_before_a_run(at):
    set_up_run(at, 3000, epochs=3)
    loss, alpha = plotly_specs(at)
    assert n_points(loss) == 0 and loss["layout"]["annotations"][0]["text"].startswith("No loss yet")
    planned = alpha["data"][0]
    assert [t["name"] for t in alpha["data"]] == ["planned"]
    assert planned["x"][1] % 3 == 0 and planned["x"][1] > 30_000  # three epochs of the corpus
    assert planned["y"] == [0.025, 0.025 * 1e-4]  # skip-gram's usual alpha, decayed to alpha × 1e-4
    at.selectbox(key="cfg_model").set_value("cbow").run()
    assert plotly_specs(at)[1]["data"][0]["y"][0] == 0.05  # CBOW's usual alpha


def test_pause_resume_and_stop(at):
    set_up_run(at, 3000, dim=32, epochs=300)
    trainer = start_training(at)
    assert trainer.is_active and button(at, "Start training").disabled and not button(at, "Pause").disabled
    button(at, "Pause").click().run()
    assert trainer.state == "paused" and not button(at, "Resume").disabled
    paused_at = trainer.progress().words_done
    time.sleep(0.3)
    assert trainer.progress().words_done == paused_at
    button(at, "Resume").click().run()
    assert trainer.state in ("running", "finished")
    button(at, "Stop").click().run()
    assert trainer.state == "stopped" and not trainer.is_active
    assert not button(at, "Start training").disabled and button(at, "Stop").disabled
    assert "Stopped" in at.get("progress")[0].proto.text


def test_step_mode_trains_a_few_words_then_pauses(at):
    at.switch_page("pages/train.py").run()
    at.number_input(key="cfg_dim").set_value(8).run()
    step = next(b for b in at.button if b.label.startswith("Train ") and b.label.endswith(" words"))
    assert step.label == "Train 10,000 words"
    step.click().run()
    trainer = at.session_state["trainer"]
    first = trainer.progress().words_done
    assert trainer.state == "paused" and 10_000 <= first < 20_000
    next(b for b in at.button if b.label == "Train 10,000 words").click().run()
    assert at.session_state["trainer"] is trainer and trainer.progress().words_done >= first + 10_000
    assert not at.exception and "Paused" in at.get("progress")[0].proto.text


def test_a_diverging_learning_rate_fails_with_advice(at):
    set_up_run(at, 2000, alpha=10.0, min_alpha=10.0)
    button(at, "Start training").click().run()
    trainer = wait_until_done(at)
    at.run()
    assert trainer.state == "failed" and trainer.error
    assert any(trainer.error in e and "Change the settings" in e for e in texts(at, "error"))
    assert not at.exception and not button(at, "Start training").disabled


def test_unusable_corpus_is_explained_on_the_train_page(at):
    at.switch_page("pages/corpus.py").run()
    at.radio(key="corpus_source").set_value("upload").run()
    at.file_uploader(key="corpus_files").set_value(("e.txt", b"", "text/plain")).run()
    at.switch_page("pages/train.py").run()
    assert "Fix it on the Corpus page" in texts(at, "error")[0]
    button(at, "Start training").click().run()
    assert any("Could not start training" in e and "empty" in e for e in texts(at, "error"))
    assert "trainer" not in at.session_state and not at.exception


def test_gradients_page_after_training(at):
    at.switch_page("pages/gradients.py").run()
    assert "Nothing trained yet" in texts(at, "info")[0]
    train_small(at)
    at.switch_page("pages/gradients.py").run()
    assert not at.exception and not at.error
    top_input, top_output, scatter, history = plotly_specs(at)
    assert len(values(top_input["data"][0]["x"])) == 20 and len(values(top_output["data"][0]["x"])) == 20
    assert n_points(scatter) > 50
    chosen = at.multiselect(key="gradient_words").value
    assert "king" in chosen and len(history["data"]) == len(chosen)
    at.multiselect(key="gradient_words").set_value(["the"]).run()
    assert [t["name"] for t in plotly_specs(at)[-1]["data"]] == ["the"]
    at.radio(key="gradient_kind").set_value("output").run()
    assert not at.exception


def test_status_line_and_guard_stop_a_running_trainer():
    corpus = build_corpus(["a b c d e f g"] * 2000, min_count=1)
    trainer = Trainer(corpus, TrainConfig(dim=8, epochs=500, workers=1))
    assert training_status(None) == "not started" and training_status(trainer) == "ready"
    guard = TrainerGuard()
    guard.watch(trainer)
    trainer.start()
    wait_for(lambda: trainer.progress().words_done > 0)
    assert training_status(trainer).startswith(("running", "starting"))
    guard.release()  # what Streamlit calls when the browser session ends
    assert trainer.state == "stopped" and not any(t.is_alive() for t in trainer._threads)
    assert training_status(trainer).startswith("stopped at ")

