"""Sharing a setup in the URL: parsing and validation of query parameters, and writing them back."""

import dataclasses

import pytest

from ui.settings import DEFAULTS
from ui.share import PARAMS, parse_setup, setup_params
from w2v_core.config import TrainConfig


def test_every_hyperparameter_and_corpus_setting_has_a_parameter():
    keys = {param.key for param in PARAMS.values()}
    assert {f"cfg_{field.name}" for field in dataclasses.fields(TrainConfig)} <= keys
    assert {"corpus_source", "teaching_sentences", "min_count", "max_vocab", "lowercase"} <= keys
    assert keys <= set(DEFAULTS)


def test_good_values_are_parsed_to_the_widget_types():
    values, warnings = parse_setup({"corpus": "sample", "model": "CBOW", "loss": "hierarchical", "dim": "50",
                                    "sample": "1e-4", "alpha": "auto", "min_alpha": "0.0001", "lowercase": "false",
                                    "shared_negatives": "1", "sentences": "5000", "seed": "7"})
    assert warnings == []
    assert values == {"corpus_source": "sample", "cfg_model": "cbow", "cfg_loss": "hierarchical", "cfg_dim": 50,
                      "cfg_sample": 1e-4, "cfg_alpha": None, "cfg_min_alpha": 0.0001, "lowercase": False,
                      "cfg_shared_negatives": True, "teaching_sentences": 5000, "cfg_seed": 7}
    assert isinstance(values["cfg_dim"], int) and isinstance(values["cfg_sample"], float)


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("dim", "abc", "whole number"), ("dim", "0", "between 1 and 1,000"), ("dim", "2.5", "whole number"),
    ("window", "51", "between 1 and 50"), ("sample", "nan", "finite"), ("sample", "1", "between 0 and 0.999"),
    ("model", "glove", "skipgram, cbow"), ("loss", "", "negative, hierarchical, softmax"),
    ("corpus", "upload", "teaching, sample"), ("lowercase", "maybe", "true or false"),
    ("alpha", "0", "between 0.0001 and 10"), ("sentences", "99", "between 100 and 1,000,000"),
])
def test_bad_values_are_named_and_dropped(name, text, reason):
    values, warnings = parse_setup({name: text, "epochs": "3"})
    assert values == {"cfg_epochs": 3}  # the good one is kept, the bad one falls back to its default
    (warning,) = warnings
    assert f"'{name}'" in warning and reason in warning and "default is used" in warning


def test_unknown_and_inconsistent_parameters():
    values, warnings = parse_setup({"colour": "red", "embed": "true", "alpha": "0.01", "min_alpha": "0.5"})
    assert values == {"cfg_alpha": 0.01}
    assert len(warnings) == 2 and "'colour'" in warnings[0] and "'min_alpha'" in warnings[1]


def test_written_parameters_read_back_to_the_same_setup():
    session = dict(DEFAULTS, cfg_dim=64, cfg_sample=1e-5, cfg_alpha=0.0125, cfg_model="cbow", lowercase=False)
    params = setup_params(lambda key: session[key])
    assert params["dim"] == "64" and params["alpha"] == "0.0125" and params["min_alpha"] == "auto"
    assert set(params) == set(PARAMS)
    values, warnings = parse_setup(params)
    assert warnings == [] and all(session[key] == value for key, value in values.items())
    assert len(values) == len(PARAMS)


def test_uploaded_corpora_are_not_shared():
    session = dict(DEFAULTS, corpus_source="upload")
    params = setup_params(lambda key: session[key])
    assert "corpus" not in params and "sentences" not in params and params["min_count"] == "5"
    session = dict(DEFAULTS, corpus_source="sample")
    assert "sentences" not in setup_params(lambda key: session[key])
