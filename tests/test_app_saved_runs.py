"""AppTest: runs that last. A run trained in one session is downloaded, opened in a fresh session (upload or the
server's runs_dir), shown by every page, and continued with its loss chart going on; bad files get a message."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_support import (
    button,
    new_app,
    plotly_specs,
    stop_trainer,
    texts,
    train_small,
    upload_corpus,
    values,
    wait_until_done,
)

from ui.limits import CONFIG_ENV
from ui.runs import MAX_RUNS
from w2v_core.runfile import read_run, run_bytes


@pytest.fixture(scope="module")
def saved_run() -> bytes:
    """A finished run of the teaching corpus (3,000 sentences), as the Train page's download gives it."""
    at = new_app()
    try:
        trainer = train_small(at, dim=16, epochs=2, sentences=3000)
        labels = [b.label for b in at.get("download_button")]
        assert "Download the run" in labels, labels
        at.switch_page("pages/compare.py").run()
        record = at.session_state["_runs"][-1]
        assert record.run is not None and record.number == 1
        assert "Download run 1" not in [b.label for b in at.get("download_button")]  # one run: no A/B choice
        data = run_bytes(trainer.run_state("Teaching corpus (3,000 sentences)", at.session_state["_run_corpus_source"]))
        assert read_run(data).words_done == read_run(run_bytes(record.run)).words_done == trainer.progress().words_done
        return data
    finally:
        stop_trainer(at)


def plain(at, kind: str) -> list[str]:
    """Texts of one kind of element without Markdown escapes."""
    return [t.replace("\\", "") for t in texts(at, kind)]


def open_upload(at, data: bytes, name: str = "class.w2vrun") -> None:
    at.switch_page("pages/compare.py").run()
    at.file_uploader(key="run_file").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]


def test_an_opened_run_is_a_run_of_the_session_on_every_page(at, saved_run):
    run = read_run(saved_run)
    open_upload(at, saved_run)
    shown = plain(at, "success")
    assert any("Opened class.w2vrun: skipgram, negative, dim 16 on Teaching corpus" in t for t in shown), shown
    trainer = at.session_state["trainer"]
    assert not trainer.trainable and trainer.state == "finished"
    assert np.array_equal(trainer.vectors(), run.w_in)
    assert [r.number for r in at.session_state["_runs"]] == [1]  # kept for Compare
    at.switch_page("pages/evolution.py").run()
    assert not at.exception and not at.error
    animation = plotly_specs(at)[0]
    assert len(animation["frames"]) == len(run.snapshot_meta) > 5  # the replay of the saved snapshots
    at.switch_page("pages/gradients.py").run()
    assert not at.exception and not at.error and len(plotly_specs(at)) >= 3
    at.switch_page("pages/neighbours.py").run()
    assert not at.exception and not at.error
    at.switch_page("pages/projection.py").run()
    assert not at.exception and not at.error
    at.switch_page("pages/gradient_lab.py").run()
    assert not at.exception and not at.error
    assert any("run 1 (finished)" in t for t in plain(at, "caption"))  # the lab works on the run's weights
    at.switch_page("pages/train.py").run()
    assert not at.exception and not at.error
    loss = plotly_specs(at)[0]
    assert values(loss["data"][0]["x"])[-1] == run.words_done  # its loss chart


def test_continue_an_opened_run_and_the_loss_chart_goes_on(at, saved_run):
    run = read_run(saved_run)
    open_upload(at, saved_run)
    at.switch_page("pages/train.py").run()
    assert at.number_input(key="continue_epochs").value == 1  # all planned epochs trained: one more
    button(at, "Continue training").click().run()
    assert not at.error, texts(at, "error")
    trainer = wait_until_done(at)
    assert trainer.state == "finished" and trainer.trainable and trainer.config.epochs == 3
    history = trainer.recorder.loss_history()
    assert len(history) > len(run.loss_points)
    assert np.array_equal(history["words_done"][:len(run.loss_points)], run.loss_points[:, 0])
    assert history["words_done"].iloc[-1] == 3 * run.corpus.tokens
    at.run()
    chart = values(plotly_specs(at)[0]["data"][0]["x"])
    assert chart[0] < run.words_done < chart[-1]  # one chart from the start of the run to its new end
    at.switch_page("pages/compare.py").run()
    assert [r.number for r in at.session_state["_runs"]] == [1, 2]  # the opened run and its continuation
    labels = [b.label for b in at.get("download_button")]
    assert "Download run 1" in labels and "Download run 2" in labels


def test_uploaded_text_must_be_the_runs_to_continue(at, saved_run):
    run = read_run(saved_run)
    run.corpus.source = {"kind": "upload", "files": ["notes.txt"]}  # as if trained on uploaded text
    open_upload(at, run_bytes(run))
    at.switch_page("pages/train.py").run()
    button(at, "Continue training").click().run()
    (error,) = texts(at, "error")
    assert "not the one the run was trained on" in error and "Corpus page" in error
    assert not at.session_state["trainer"].trainable  # nothing replaced


def test_bad_run_files_get_one_message(at, saved_run):
    for name, data, message in [("half.w2vrun", saved_run[:5000], "not a zip archive, or it is truncated"),
                                ("text.w2vrun", b"just some text\n", "not a zip archive"),
                                ("other.w2vrun", _zip_without_manifest(), "no manifest.json")]:
        open_upload(at, data, name)
        errors = texts(at, "error")
        assert len(errors) == 1 and f"The run file {name}" in errors[0] and message in errors[0], errors
    assert "trainer" not in at.session_state or at.session_state["trainer"] is None


def test_runs_dir_offers_prepared_runs(tmp_path, monkeypatch, saved_run):
    folder = tmp_path / "prepared"
    folder.mkdir()
    (folder / "night-before.w2vrun").write_bytes(saved_run)
    (folder / "notes.txt").write_text("not a run")
    config = tmp_path / "class.toml"
    config.write_text('[limits]\nruns_dir = "prepared"\n')
    monkeypatch.setenv(CONFIG_ENV, str(config))
    app = new_app()
    try:
        app.switch_page("pages/compare.py").run()
        choice = app.selectbox(key="prepared_run")
        assert choice.options == ["night-before.w2vrun: skipgram, negative, dim 16 on Teaching corpus (3,000 "
                                  "sentences), 2 epochs (finished)"]
        button(app, "Open this run").click().run()
        assert not app.exception and not app.error
        assert app.session_state["trainer"].progress().words_done == read_run(saved_run).words_done
        assert (folder / "night-before.w2vrun").read_bytes() == saved_run  # read-only
    finally:
        stop_trainer(app)


def _zip_without_manifest() -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("vectors.tsv", "1 2 3\n")
    return out.getvalue()


def test_a_run_over_the_servers_limit_is_refused_before_unpacking(tmp_path, monkeypatch, saved_run):
    config = tmp_path / "small.toml"
    config.write_text("[limits]\nmax_run_mb = 0.1\n")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    app = new_app()
    try:
        open_upload(app, saved_run, "big.w2vrun")
        (error,) = plain(app, "error")
        assert "The run file big.w2vrun: its arrays unpack" in error and "more than the 0.1 MB allowed here" in error
        assert "trainer" not in app.session_state or app.session_state["trainer"] is None
    finally:
        stop_trainer(app)


def upload_text(at, text: str) -> None:
    upload_corpus(at, ("stories.txt", text.encode()))
    assert not at.error, texts(at, "error")


def test_a_run_of_uploaded_text_continues_once_the_same_text_is_uploaded_again():
    from w2v_core.teaching import generate_teaching_corpus

    text = "\n".join(generate_teaching_corpus(2000, seed=7)) + "\n"
    first = new_app()
    try:
        upload_text(first, text)
        first.switch_page("pages/train.py").run()
        first.number_input(key="cfg_dim").set_value(12)
        first.number_input(key="cfg_epochs").set_value(1).run()
        button(first, "Start training").click().run()
        trainer = wait_until_done(first)
        data = run_bytes(trainer.run_state("Uploaded: stories.txt", first.session_state["_run_corpus_source"]))
    finally:
        stop_trainer(first)
    assert read_run(data).corpus.source["kind"] == "upload"
    second = new_app()
    try:
        open_upload(second, data)
        second.switch_page("pages/train.py").run()
        button(second, "Continue training").click().run()  # the teaching corpus is chosen: not the run's text
        assert "not the one the run was trained on" in texts(second, "error")[0]
        upload_text(second, text)
        second.switch_page("pages/train.py").run()
        button(second, "Continue training").click().run()
        assert not second.error, texts(second, "error")
        continued = wait_until_done(second)
        assert continued.state == "finished" and continued.progress().epoch == 2
    finally:
        stop_trainer(second)


def test_opened_runs_count_towards_max_kept_runs(at, saved_run):
    for n in range(MAX_RUNS + 1):
        open_upload(at, saved_run, f"run-{n}.w2vrun")
    assert [r.number for r in at.session_state["_runs"]] == list(range(2, MAX_RUNS + 2))
    assert "run 1 was dropped" in at.session_state["_runs_notice"]
