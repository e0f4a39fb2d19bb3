"""Share a setup through the page URL: the bundled corpus choice and every hyperparameter as query parameters.

``parse_setup`` and ``setup_params`` are pure (tested directly). ``apply_shared_setup`` copies a link's values
into the session once, before any widget is drawn; ``write_setup_to_url`` keeps the URL in step with the
settings. Bad values are reported by name and replaced by the default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ui.settings import set_setting
from ui.text import md_message
from w2v_core.options import CORPUS_OPTIONS, OPTIONS, TRAIN_OPTIONS, Option

APPLIED_KEY = "_share_applied"
WARNINGS_KEY = "_share_warnings"
IGNORED = ("embed", "embed_options")  # Streamlit's own query parameters
SHAREABLE_CORPORA = ("teaching", "sample")


@dataclass(frozen=True)
class Param:
    """One setting in the URL: its session key and its option (type, bounds, meaning: w2v_core/options.py), or,
    for the corpus choice, the allowed values. The options' bounds are the widgets' bounds, so an applied value
    never breaks a widget; options with an ``auto`` value accept "auto" (None, the usual value)."""

    key: str
    option: Option


CORPUS_CHOICE = Option("corpus", str, "teaching", "Text to train on", "the bundled corpus",
                       help="A bundled corpus.", choices=SHAREABLE_CORPORA)
PARAMS: dict[str, Param] = {
    "corpus": Param("corpus_source", CORPUS_CHOICE),
    "sentences": Param("teaching_sentences", OPTIONS["teaching_sentences"]),
    **{option.name: Param(option.name, option) for option in CORPUS_OPTIONS if option.name != "teaching_sentences"},
    **{option.name: Param(f"cfg_{option.name}", option) for option in TRAIN_OPTIONS},
}
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _parse(option: Option, text: str) -> Any:
    """The value of ``text`` for ``option``; raises ValueError with what is allowed."""
    text = text.strip()
    if option.kind is str:
        value: Any = text.lower()
    elif option.kind is bool:
        if text.lower() not in TRUE + FALSE:
            raise ValueError("use true or false")
        value = text.lower() in TRUE
    elif option.auto and text.lower() in ("", "auto", "none"):
        value = None
    else:
        try:
            value = option.kind(text)
        except ValueError:
            raise ValueError("it must be a whole number" if option.kind is int else "it must be a number") from None
    problem = option.problem(value)
    if problem:
        raise ValueError(problem.replace("must be one of", "use one of") if option.kind is str else f"it {problem}")
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
            values[param.key] = _parse(param.option, str(text))
        except ValueError as error:
            warnings.append(f"The link's value '{str(text)[:40]}' for '{name}' ({param.option.what}) cannot be used: "
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
        set_setting(key, value)
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
