"""Widgets drawn from the option declarations (w2v_core/options.py): label, bounds, default and help come from
there; a page chooses only where a widget goes and its step. Values persist across pages."""

from __future__ import annotations

from typing import Any

from ui.settings import setting
from w2v_core.options import OPTIONS


def option_input(container: Any, name: str, *, prefix: str = "cfg_", step: float | None = None,
                 number_format: str | None = None) -> Any:
    """The widget of option ``name`` in ``container`` (a column, the sidebar, ``st``), keyed ``prefix + name``;
    disabled while the option does not apply (negatives without negative sampling). Returns its value."""
    option = OPTIONS[name]
    key = prefix + name
    disabled = option.applies_when is not None and setting(prefix + option.applies_when[0]) != option.applies_when[1]
    if option.kind is str:
        labels = dict(zip(option.choices, option.choice_labels or option.choices, strict=True))
        return container.selectbox(option.label, list(option.choices), option.choices.index(option.default),
                                   format_func=labels.get, key=key,
                                   persist_state="session", help=option.help, disabled=disabled)
    if option.kind is bool:
        return container.checkbox(option.label, option.default, key=key, persist_state="session", help=option.help,
                                  disabled=disabled)
    return container.number_input(option.label, option.low, option.high, option.default, step, format=number_format,
                                  key=key, persist_state="session", help=option.help, disabled=disabled,
                                  placeholder="auto" if option.auto else None)  # the help says what auto is
