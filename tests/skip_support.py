"""Tests that need something optional (a browser, Spark): skipped without it, failed when CI demands it."""

from __future__ import annotations

import os

import pytest


def skip_or_fail(missing: str | None, demand: str, what: str) -> None:
    """Skip the calling test when ``missing`` says why ``what`` cannot run here (None: it can); fail instead when
    the environment variable ``demand`` is 1, as CI sets it, so that a CI run cannot pass by skipping."""
    if missing is None:
        return
    if os.environ.get(demand) == "1":
        pytest.fail(f"{demand}=1 but {what} cannot run: {missing}.", pytrace=False)
    pytest.skip(f"{what} skipped: {missing}")
