"""Helpers for the AppTest suites (tests/test_app_*.py): start the app, train briefly, read Plotly specs."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60


def new_app() -> AppTest:
    """The app, run once (it opens on the Train page)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def stop_trainer(at: AppTest) -> None:
    """Stop the session's trainer thread, if any (AppTest never ends sessions)."""
    trainer = at.session_state["trainer"] if "trainer" in at.session_state else None  # noqa: SIM401
    if trainer is not None:
        trainer.stop()


def button(at: AppTest, label: str):
    """The button with exactly this label."""
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; have {[b.label for b in at.button]}"
    return matches[0]


def wait_until_done(at: AppTest, limit: float = 60.0):
    """Poll the session's trainer until its thread has finished; returns it."""
    trainer = at.session_state["trainer"]
    deadline = time.monotonic() + limit
    while trainer.is_active and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not trainer.is_active, f"training still {trainer.state} after {limit} s"
    return trainer


def upload_corpus(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    """On the Corpus page, "My text files" with these ``(name, bytes)`` files uploaded."""
    at.switch_page("pages/corpus.py").run()
    at.radio(key="corpus_source").set_value("upload").run()
    at.file_uploader(key="corpus_files").set_value([(name, data, "text/plain") for name, data in files]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_vectors(at: AppTest, name: str, data: bytes, page: str = "neighbours",
                 mime: str = "application/octet-stream") -> AppTest:
    """Open a vector file (``name``, ``data``) with the uploader of the Neighbours or Projection page."""
    at.switch_page(f"pages/{page}.py").run()
    at.file_uploader(key=f"vector_file_{page}").set_value((name, data, mime)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def choose_teaching_corpus(at: AppTest, sentences: int) -> None:
    """On the Corpus page, a generated teaching corpus of ``sentences`` sentences."""
    at.switch_page("pages/corpus.py").run()
    at.number_input(key="teaching_sentences").set_value(sentences).run()


def set_up_run(at: AppTest, sentences: int = 3000, **settings: float) -> None:
    """A small teaching corpus, then the Train page with number settings ``cfg_<name>`` = value (dim=16, ...)."""
    choose_teaching_corpus(at, sentences)
    at.switch_page("pages/train.py").run()
    for name, value in settings.items():
        at.number_input(key=f"cfg_{name}").set_value(value)
    at.run()


def start_training(at: AppTest):
    """Press Start training; returns the session's new trainer."""
    button(at, "Start training").click().run()
    return at.session_state["trainer"]


def train_small(at: AppTest, dim: int = 16, epochs: int = 2, sentences: int = 3000):
    """Choose a small teaching corpus and settings, press Start training and wait for the run to finish."""
    set_up_run(at, sentences, dim=dim, epochs=epochs)
    start_training(at)
    assert not at.error, [e.value for e in at.error]
    trainer = wait_until_done(at)
    assert trainer.state == "finished", (trainer.state, trainer.error)
    at.run()
    return trainer


def plotly_specs(at: AppTest) -> list[dict]:
    """Every Plotly chart on the page as its JSON spec."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def values(data) -> np.ndarray:
    """A trace's coordinate array from a spec: a list, or Plotly's typed-array dict {dtype, bdata[, shape]}."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
    return np.asarray(data if data is not None else [])


def n_points(spec: dict) -> int:
    """Points in the first trace of a spec."""
    return len(values(spec["data"][0].get("x")))


def texts(at: AppTest, kind: str) -> list[str]:
    """Values of every element of one kind (e.g. "error", "info", "markdown")."""
    return [str(element.value) for element in at.get(kind)]
