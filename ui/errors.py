"""Turn errors into clear messages: nothing a user does may show a traceback."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from ui.text import md_message

LOG = logging.getLogger(__name__)


@contextmanager
def user_errors(action: str) -> Iterator[None]:
    """Show expected errors (bad input: ``ValueError`` and its subclasses such as CorpusError, ConfigError,
    VectorFormatError, and KeyError such as UnknownWordError) as ``st.error``; log anything else and say so.
    Messages may quote user input, so they are shown literally (``md_message``).

    Streamlit's own control flow (``st.rerun``, ``st.stop``) derives from BaseException and passes through.
    """
    try:
        yield
    except (ValueError, KeyError) as error:
        st.error(f"{action}: {md_message(message_of(error))}")
    except MemoryError:
        st.error(f"{action}: not enough memory. Use a smaller corpus, fewer words or smaller vectors.")
    except Exception as error:  # noqa: BLE001 - last line of defence: a message, never a traceback
        LOG.exception("unexpected error while %s", action)
        st.error(f"{action}: something went wrong ({type(error).__name__}). Try again; if it keeps "
                 "happening, reload the page and start over.")


def message_of(error: BaseException) -> str:
    """The message of an error (KeyError quotes its argument; undo that)."""
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return str(error) or type(error).__name__


def safe_callback(message_key: str, action: str) -> Callable[[Callable[..., Any]], Callable[..., None]]:
    """Decorate a widget callback so that any error becomes a message in ``st.session_state[message_key]``
    (shown by the page on the run that follows) instead of a traceback."""

    def decorate(function: Callable[..., Any]) -> Callable[..., None]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            try:
                function(*args, **kwargs)
            except (ValueError, KeyError, RuntimeError) as error:
                st.session_state[message_key] = f"{action}: {md_message(message_of(error))}"
            except MemoryError:
                st.session_state[message_key] = f"{action}: not enough memory. Use a smaller corpus or vectors."
            except Exception as error:  # noqa: BLE001 - never a traceback in the browser
                LOG.exception("unexpected error in a callback (%s)", action)
                st.session_state[message_key] = f"{action}: something went wrong ({type(error).__name__})."

        return wrapper

    return decorate
