"""Fixtures shared by tests/ and tests/browser/."""

from __future__ import annotations

import pytest
from apptest_support import new_app, stop_trainer
from eval_support import google_like_vectors
from packaging_support import Installed, build_and_install
from streamlit.testing.v1 import AppTest

from w2v_core.corpus import Corpus, build_corpus
from w2v_core.embeddings import Embeddings
from w2v_core.teaching import generate_teaching_corpus
from w2v_core.trainer import warm_up


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """This repository's wheel installed into a fresh virtualenv (built once per test session: the packaging
    tests and the browser test of the installed app share it, and the kernels it compiles)."""
    return build_and_install(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session", autouse=True)
def no_umap_warm_up_in_app_tests():
    """AppTests run app.py inside the test process, whose UMAP warm-up would start a forkserver compiling umap-learn
    (about 400 MB, seconds of CPU) in every test run; the tests that run UMAP start it when they need it."""
    import ui.kernels

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ui.kernels, "_warm_umap", lambda: None)
        yield


@pytest.fixture
def at() -> AppTest:
    """The app, run once (on the Train page); its training thread is stopped after the test."""
    app = new_app()
    yield app
    stop_trainer(app)


@pytest.fixture(scope="module")
def google_vectors() -> Embeddings:
    """Vectors in which many Google analogies hold, plus about half of the word-pair words (random)."""
    return google_like_vectors()


@pytest.fixture(scope="module")
def teaching_corpus() -> Corpus:
    """6,000 teaching sentences (seed 3, words seen twice or more), with the training kernels compiled first."""
    warm_up()
    return build_corpus(generate_teaching_corpus(6000, seed=3), min_count=2)
