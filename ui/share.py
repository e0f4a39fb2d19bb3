"""Share a setup through the page URL: the bundled corpus choice and every hyperparameter as query parameters.

``parse_setup`` and ``setup_params`` are pure (tested directly). ``apply_shared_setup`` copies a link's values
into the session once, before any widget is drawn; ``write_setup_to_url`` keeps the URL in step with the
settings. Bad values are reported by name and replaced by the default.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ui.text import md_message
from w2v_core.models import LOSSES, MODELS
from w2v_core.tokenizer import CJK_MODES

APPLIED_KEY = "_share_applied"
WARNINGS_KEY = "_share_warnings"
IGNORED = ("embed", "embed_options")  # Streamlit's own query parameters
SHAREABLE_CORPORA = ("teaching", "sample")


@dataclass(frozen=True)
class Param:
    """One setting in the URL: its session key, kind ("int", "float", "choice", "bool") and allowed values.

    Bounds are the widgets' bounds, so an applied value never breaks a widget; ``optional`` floats accept
    "auto" (None, the usual value chosen by the model).
    """

    key: str
    kind: str
    low: float = -math.inf
    high: float = math.inf
    choices: tuple[str, ...] = ()
    optional: bool = False
    meaning: str = ""


PARAMS: dict[str, Param] = {
    "corpus": Param("corpus_source", "choice", choices=SHAREABLE_CORPORA, meaning="the bundled corpus"),
    "sentences": Param("teaching_sentences", "int", 100, 1_000_000, meaning="sentences of the teaching corpus"),
    "min_count": Param("min_count", "int", 1, 1_000_000, meaning="the smallest word count kept"),
    "max_vocab": Param("max_vocab", "int", 0, 10_000_000, meaning="the largest vocabulary, 0 for no limit"),
    "lowercase": Param("lowercase", "bool", meaning="lowercase the text"),
    "whitespace": Param("whitespace", "bool", meaning="split on white space only (text already tokenized)"),
    "nfkc": Param("nfkc", "bool", meaning="Unicode NFKC normalisation"),
    "cjk": Param("cjk", "choice", choices=CJK_MODES, meaning="how Chinese and Japanese are split"),
    "phrases": Param("phrases", "bool", meaning="join frequent pairs into phrases"),
    "phrase_threshold": Param("phrase_threshold", "float", 0.1, 1e6, meaning="the phrase score threshold"),
    "phrase_min_count": Param("phrase_min_count", "int", 1, 1_000_000, meaning="the smallest count of a phrase"),
    "model": Param("cfg_model", "choice", choices=MODELS, meaning="the model"),
    "loss": Param("cfg_loss", "choice", choices=LOSSES, meaning="the loss"),
    "dim": Param("cfg_dim", "int", 1, 1000, meaning="the vector size"),
    "window": Param("cfg_window", "int", 1, 50, meaning="context words on each side"),
    "negative": Param("cfg_negative", "int", 1, 100, meaning="negatives per pair"),
    "sample": Param("cfg_sample", "float", 0.0, 0.999, meaning="the subsampling threshold"),
    "epochs": Param("cfg_epochs", "int", 1, 1000, meaning="passes over the corpus"),
    "alpha": Param("cfg_alpha", "float", 0.0001, 10.0, optional=True, meaning="the starting learning rate"),
    "min_alpha": Param("cfg_min_alpha", "float", 0.0, 10.0, optional=True, meaning="the final learning rate"),
    "workers": Param("cfg_workers", "int", 1, 64, meaning="training threads"),
    "seed": Param("cfg_seed", "int", 0, 2**31 - 1, meaning="the random seed"),
    "ns_exponent": Param("cfg_ns_exponent", "float", -2.0, 2.0, meaning="the noise exponent"),
    "shared_negatives": Param("cfg_shared_negatives", "bool", meaning="one set of negatives per window"),
    "cbow_full_step": Param("cfg_cbow_full_step", "bool", meaning="CBOW's full step for every context word"),
    "telemetry": Param("cfg_telemetry", "bool", meaning="record per-word gradients"),
}
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _parse(param: Param, text: str) -> Any:
    """The value of ``text`` for ``param``; raises ValueError with what is allowed."""
    text = text.strip()
    if param.kind == "choice":
        if text.lower() not in param.choices:
            raise ValueError(f"use one of {', '.join(param.choices)}")
        return text.lower()
    if param.kind == "bool":
        if text.lower() in TRUE or text.lower() in FALSE:
            return text.lower() in TRUE
        raise ValueError("use true or false")
    if param.optional and text.lower() in ("", "auto", "none"):
        return None
    if param.kind == "int":
        try:
            value: float = int(text)
        except ValueError:
            raise ValueError("it must be a whole number") from None
    else:
        try:
            value = float(text)
        except ValueError:
            raise ValueError("it must be a number") from None
        if not math.isfinite(value):
            raise ValueError("it must be a finite number")
    if not param.low <= value <= param.high:
        low, high = (f"{param.low:,}", f"{param.high:,}") if param.kind == "int" else (f"{param.low:g}",
                                                                                      f"{param.high:g}")
        raise ValueError(f"it must be between {low} and {high}")
    return value


def parse_setup(params: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Session values (by session key) from query parameters, and one warning per bad or unknown parameter."""
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for name, text in params.items():
        if name in IGNORED:
            continue
        param = PARAMS.get(name)
        if param is None:
            warnings.append(f"The link's parameter '{name}' is not a setting of this app; it was ignored.")
            continue
        try:
            values[param.key] = _parse(param, str(text))
        except ValueError as error:
            warnings.append(f"The link's value '{str(text)[:40]}' for '{name}' ({param.meaning}) cannot be used: "
                            f"{error}. The default is used instead.")
    alpha, min_alpha = values.get("cfg_alpha"), values.get("cfg_min_alpha")
    if min_alpha is not None and alpha is not None and min_alpha > alpha:
        values.pop("cfg_min_alpha")
        warnings.append(f"The link's 'min_alpha' ({min_alpha:g}) is larger than its 'alpha' ({alpha:g}); the default "
                        "min_alpha (alpha × 0.0001) is used instead.")
    return values, warnings


def _text(value: Any) -> str:
    if value is None:
        return "auto"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def setup_params(setting: Callable[[str], Any]) -> dict[str, str]:
    """Query parameters of the current setup; ``setting(key)`` reads a session value (or its default).

    An uploaded corpus cannot be shared: then the corpus parameters are left out.
    """
    source = setting("corpus_source")
    params: dict[str, str] = {}
    for name, param in PARAMS.items():
        if name == "corpus" and source not in SHAREABLE_CORPORA:
            continue
        if name == "sentences" and source != "teaching":
            continue
        params[name] = _text(setting(param.key))
    return params


# ------------------------------------------------------------------------------------------- streamlit side


def apply_shared_setup() -> None:
    """Once per session, before any widget: copy the link's settings into the session and keep the warnings."""
    if st.session_state.get(APPLIED_KEY):
        return
    st.session_state[APPLIED_KEY] = True
    values, warnings = parse_setup(st.query_params.to_dict())
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state[WARNINGS_KEY] = warnings


def _dismiss() -> None:
    st.session_state[WARNINGS_KEY] = []


def show_share_warnings() -> None:
    """The link's problems, until dismissed."""
    warnings = st.session_state.get(WARNINGS_KEY) or []
    for warning in warnings:
        st.warning(md_message(warning))  # a link's values are quoted literally
    if warnings:
        st.button("Dismiss", key="share_dismiss", on_click=_dismiss, help="Hide the notes about the link.")


def write_setup_to_url(setting: Callable[[str], Any]) -> None:
    """Put the current setup into the URL (only when it changed), so that the address can be shared."""
    wanted = setup_params(setting)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
