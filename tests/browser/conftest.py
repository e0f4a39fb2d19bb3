"""Fixtures of the real-browser tests: the app served by ``streamlit run`` and headless Chromium via Playwright.

- ``app_server`` (session): starts ``python -m streamlit run app.py`` (sys.executable) from the repository root on
  a free localhost port, waits until ``/_stcore/health`` says ``ok`` (60 s at most) and yields the base URL, e.g.
  ``http://localhost:41234``. At the end it stops the server and its children; the server's output is kept in
  ``test-output/browser/server.log``. One server for all tests: each ``page`` is a new Streamlit session.
- ``browser`` (session): Playwright's sync Chromium from /usr/bin/chromium, headless (never ``playwright install``).
- ``page`` (per test): a new context (own cookies, so its own Streamlit session), viewport 1400x1000, downloads
  accepted, every request not to localhost/127.0.0.1 aborted (Streamlit asks fonts.gstatic.com for icons),
  console errors and uncaught page errors collected: ``real_errors(page)`` lists them without the noise of the
  blocked requests.
- ``output_dir`` (per test): ``test-output/browser/<test name>/`` (git-ignored), where ``shot(page, name)`` saves
  screenshots; keep downloads and other files of the test there too.

Helpers (``wait_idle``, ``go_to``, ``shot``, ``plotly_points``, ``real_errors``...) are in ``browser_support.py``:
``from browser_support import go_to, shot, wait_idle`` in a test file of this folder.

Without /usr/bin/chromium (or the playwright package) these tests are skipped, unless the environment variable
``W2V_REQUIRE_BROWSER=1`` is set (CI sets it): then they fail and say what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM,
    OUTPUT,
    VIEWPORT,
    forget,
    is_local,
    launch_chromium,
    register,
)
from skip_support import skip_or_fail

from benchmarks.harness import Server


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (install the Debian package 'chromium')"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (requirements-dev.txt)"
    return None


def require_browser() -> None:
    """Skip the calling test without a browser; fail instead when W2V_REQUIRE_BROWSER=1 (CI) demands one."""
    skip_or_fail(browser_missing(), "W2V_REQUIRE_BROWSER", "the browser tests")


@pytest.fixture(scope="session")
def app_server() -> Iterator[str]:
    """Base URL of the app served by ``streamlit run app.py`` for the whole test session."""
    require_browser()
    with Server(OUTPUT / "server.log") as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201 - playwright.sync_api.Browser
    """Headless Chromium (the system one) driven by Playwright's sync API."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """test-output/browser/<test name>/ (created), for screenshots, downloads and other files of the test."""
    folder = OUTPUT / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser, output_dir: Path):  # noqa: ANN001, ANN201 - playwright Browser -> Page
    """A new page in a fresh context: only local requests allowed, errors collected, downloads accepted."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(30_000)
    new_page = context.new_page()
    record = register(new_page, output_dir)

    def only_local(route) -> None:  # noqa: ANN001 - playwright Route
        if is_local(route.request.url):
            route.continue_()
        else:
            record.blocked.append(route.request.url)
            route.abort()

    new_page.route("**/*", only_local)
    try:
        yield new_page
    finally:
        forget(new_page)
        context.close()
