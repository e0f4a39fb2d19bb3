"""The settings: values of the widgets that keep their value across pages (``persist_state="session"``).

Each setting lives under its widget's key (``corpus_source``, ``min_count``, ``cfg_dim``, ...). This module owns
their defaults: ``setting(key)`` reads one from any page (its default until the widget was first shown),
``set_setting`` changes one before its widget is drawn, ``training_config`` reads the Train page's as a
``TrainConfig``. Every other session key starts with ``_`` (except ``trainer``) and has its own owner module.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from w2v_core.options import CORPUS_OPTIONS, TRAIN_OPTIONS
from w2v_core.trainer import TrainConfig

DEFAULTS: dict[str, Any] = {
    "corpus_source": "teaching", "server_corpus": "", "model_source": "trained", "vector_kind": "input",
    "step_words": 10_000, **{option.name: option.default for option in CORPUS_OPTIONS},
    **{f"cfg_{option.name}": option.default for option in TRAIN_OPTIONS},
}


def setting(key: str) -> Any:
    """The value of widget ``key`` (kept across pages), or its default before it was first shown."""
    return st.session_state.get(key, DEFAULTS[key])


def set_setting(key: str, value: Any) -> None:
    """Set widget ``key`` (one of ``DEFAULTS``); call before the widget is drawn in this script run."""
    if key not in DEFAULTS:
        raise KeyError(f"{key!r} is not a setting")
    st.session_state[key] = value


def training_config() -> TrainConfig:
    """The TrainConfig of the Train page's widgets (defaults until they were shown)."""
    return TrainConfig.from_dict({option.name: setting(f"cfg_{option.name}") for option in TRAIN_OPTIONS})
