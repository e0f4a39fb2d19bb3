"""AppTest: a shared link's settings reach the widgets, bad values are named, and the URL holds the setup.

Note: under AppTest (Streamlit 1.67, with a pages/ folder next to app.py) the entry point app.py runs fully only
on the first run; later runs execute the page alone. The link is applied on that first run, as in a browser.
"""

import pytest
from apptest_support import APP, TIMEOUT, stop_trainer, texts
from streamlit.testing.v1 import AppTest


@pytest.fixture
def fresh():
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    yield app
    stop_trainer(app)


def test_a_link_sets_the_corpus_and_hyperparameters(fresh):
    at = fresh
    for name, value in {"corpus": "teaching", "sentences": "2000", "min_count": "3", "model": "cbow",
                        "loss": "hierarchical", "dim": "40", "epochs": "2", "alpha": "0.03", "seed": "9"}.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception and not texts(at, "warning")
    assert at.selectbox(key="cfg_model").value == "cbow" and at.selectbox(key="cfg_loss").value == "hierarchical"
    assert at.number_input(key="cfg_dim").value == 40 and at.number_input(key="cfg_alpha").value == 0.03
    assert at.number_input(key="cfg_seed").value == 9
    at.switch_page("pages/corpus.py").run()
    assert at.number_input(key="teaching_sentences").value == 2000 and at.number_input(key="min_count").value == 3
    assert at.query_params["dim"] == "40" and at.query_params["loss"] == "hierarchical"


def test_bad_values_are_named_and_fall_back_to_defaults(fresh):
    at = fresh
    at.query_params.update({"dim": "huge", "window": "0", "model": "glove", "epochs": "3", "volume": "11"})
    at.run()
    assert not at.exception
    warnings = texts(at, "warning")
    assert len(warnings) == 4
    for name in ("'dim'", "'window'", "'model'", "'volume'"):
        assert any(name in w for w in warnings), name
    assert at.number_input(key="cfg_dim").value == 100 and at.number_input(key="cfg_window").value == 5
    assert at.selectbox(key="cfg_model").value == "skipgram" and at.number_input(key="cfg_epochs").value == 3
    assert at.query_params["dim"] == "100" and "volume" not in at.query_params  # the URL is cleaned up
    next(b for b in at.button if b.label == "Dismiss").click().run()
    assert at.session_state["_share_warnings"] == []


def test_the_url_holds_the_current_setup(fresh):
    at = fresh
    at.session_state["cfg_window"] = 3
    at.session_state["corpus_source"] = "sample"
    at.run()
    assert at.query_params["window"] == "3" and at.query_params["corpus"] == "sample"
    assert "sentences" not in at.query_params and at.query_params["alpha"] == "auto"
