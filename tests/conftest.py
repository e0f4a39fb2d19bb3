"""Fixtures shared by tests/ and tests/browser/."""

from __future__ import annotations

import pytest
from packaging_support import Installed, build_and_install


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """This repository's wheel installed into a fresh virtualenv (built once per test session: the packaging
    tests and the browser test of the installed app share it, and the kernels it compiles)."""
    return build_and_install(tmp_path_factory.mktemp("wheel"))
