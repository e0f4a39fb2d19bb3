"""Turn errors into clear messages: nothing a user does may show a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

LOG = logging.getLogger(__name__)


@contextmanager
def user_errors(action: str) -> Iterator[None]:
    """Show expected errors (bad input: ``ValueError`` and its subclasses such as CorpusError, ConfigError,
    VectorFormatError, and KeyError such as UnknownWordError) as ``st.error``; log anything else and say so.

    Streamlit's own control flow (``st.rerun``, ``st.stop``) derives from BaseException and passes through.
    """
    try:
        yield
    except (ValueError, KeyError) as error:
        st.error(f"{action}: {message_of(error)}")
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
