"""Helpers for the real-browser tests (tests/browser/test_*.py); the fixtures that use them are in conftest.py, the
app's server is ``benchmarks.harness.Server``.

A test gets a ``page`` fixture (Playwright, headless Chromium, on the app served by ``app_server``) and uses::

    from browser_support import button, go_to, plotly_points, real_errors, shot, wait_idle

    def test_something(app_server, page):
        page.goto(app_server)
        wait_idle(page)
        go_to(page, "Train")
        button(page, "Start training").click()
        shot(page, "train")               # test-output/browser/<test name>/train.png
        assert not real_errors(page)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # playwright is imported only where it is used: this module loads without it
    from playwright.sync_api import Browser, Locator, Page, Playwright

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
LOCAL_PREFIXES = ("http://localhost", "http://127.0.0.1", "ws://localhost", "ws://127.0.0.1")
# console messages caused by the requests the page fixture blocks on purpose (fonts, icons, telemetry)
BLOCKED_NOISE = re.compile(r"net::ERR_FAILED|ERR_BLOCKED|ERR_INTERNET_DISCONNECTED|Failed to load resource")


@dataclass
class PageRecord:
    """What a ``page`` fixture collected: where its screenshots go, and the errors the page reported."""

    output_dir: Path
    console_errors: list[str] = field(default_factory=list)  # console messages of type "error"
    page_errors: list[str] = field(default_factory=list)  # uncaught JavaScript exceptions
    blocked: list[str] = field(default_factory=list)  # URLs of aborted non-local requests


_RECORDS: dict[int, PageRecord] = {}


def register(page: Page, output_dir: Path) -> PageRecord:
    """Start collecting errors of ``page`` and remember its screenshot folder (done by the page fixture)."""
    record = PageRecord(output_dir)
    _RECORDS[id(page)] = record
    page.on("console", lambda message: record.console_errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: record.page_errors.append(str(error)))
    return record


def forget(page: Page) -> None:
    _RECORDS.pop(id(page), None)


def record_of(page: Page) -> PageRecord:
    """The PageRecord of a page made by the ``page`` fixture."""
    return _RECORDS[id(page)]


def is_local(url: str) -> bool:
    return url.startswith(LOCAL_PREFIXES)


def real_errors(page: Page) -> list[str]:
    """Uncaught page errors and console errors, except the ones caused by blocked external requests."""
    record = record_of(page)
    console = [text for text in record.console_errors if not BLOCKED_NOISE.search(text)]
    return record.page_errors + console


def launch_chromium(playwright: Playwright) -> Browser:
    """The system Chromium, headless, with the flags this project uses (never ``playwright install``)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_idle(page: Page, timeout: float = 30_000) -> None:
    """Wait until the app is rendered and no script run is in progress (``timeout`` in ms).

    Right after a click the script may not have started yet: wait for the content the click changes
    (``expect(...).to_be_visible()``/``to_have_text``) rather than only for this.
    """
    page.wait_for_selector(IDLE, timeout=timeout)


def set_number(page: Page, label: str, value: int) -> None:
    """Type ``value`` into the number input ``label``, confirm it with Enter and wait for the rerun."""
    from playwright.sync_api import expect

    field = page.get_by_role("spinbutton", name=label, exact=True)  # "Epochs", not "Epochs to add"
    field.fill(str(value))
    field.press("Enter")
    expect(field).to_have_value(str(value))
    wait_idle(page)


def button(page: Page, label: str) -> Locator:
    """The app's button with exactly this label, in the main area or the sidebar.

    Use it rather than ``page.get_by_role("button", name=...)``: while a script or fragment runs, Streamlit's
    status widget in the header shows a button named "Stop" too.
    """
    area = page.locator('[data-testid="stMain"], [data-testid="stSidebar"]')
    return area.get_by_role("button", name=label, exact=True)


def go_to(page: Page, title: str, timeout: float = 30_000) -> None:
    """Open the page ``title`` from the sidebar navigation and wait until its title is shown."""
    from playwright.sync_api import expect

    page.locator('[data-testid="stSidebarNavLink"]', has_text=re.compile(f"^{re.escape(title)}$")).click()
    expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible(timeout=timeout)
    wait_idle(page, timeout)


def _content_height(page: Page) -> int:
    """Height of everything the app drew (Streamlit scrolls an inner element, not the document)."""
    return int(page.evaluate("""() => Math.max(document.documentElement.scrollHeight,
        ...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"], '
            + '[data-testid="stSidebarContent"]')].map(e => e.scrollHeight))"""))


def shot(page: Page, name: str, max_height: int = 6000) -> Path:
    """Save a screenshot of the whole app (not only the viewport) as ``<output dir>/<name>.png``; returns it.

    The viewport is stretched to the content height (at most ``max_height`` px) for the picture and restored.
    """
    path = record_of(page).output_dir / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 1400, "height": 1000}
    height = min(max(_content_height(page), size["height"]), max_height)
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height})
        page.wait_for_timeout(300)  # let charts re-layout
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if height > size["height"]:
            page.set_viewport_size(size)
    return path


def _plotly_chart(page: Page, chart_index: int) -> Locator:
    return page.locator('[data-testid="stPlotlyChart"]').nth(chart_index).locator(".js-plotly-plot")


# Plotly keeps the decoded arrays in _fullData (``data`` may hold numpy's base64 typed arrays as sent)
_TRACES = "gd => (gd._fullData && gd._fullData.length ? gd._fullData : (gd.data || []))"


def plotly_points(page: Page, chart_index: int = 0, trace: int | None = None) -> int:
    """Data points of the rendered Plotly chart number ``chart_index`` on the page (all traces, or one).

    Reads Plotly's graph div in the browser: what the browser received and drew.
    """
    return int(_plotly_chart(page, chart_index).evaluate(
        f"""(gd, trace) => ({_TRACES})(gd).filter((t, i) => trace === null || i === trace)
              .reduce((n, t) => n + (t.x && t.x.length ? t.x.length : 0), 0)""", trace))


def plotly_last_x(page: Page, chart_index: int = 0, trace: int = 0) -> float:
    """The largest x of one trace of a rendered Plotly chart (e.g. words trained, on a loss chart); -1 if none."""
    return float(_plotly_chart(page, chart_index).evaluate(
        f"""(gd, trace) => {{ const t = ({_TRACES})(gd)[trace];
              return t && t.x && t.x.length ? Math.max(...Array.from(t.x, Number)) : -1; }}""", trace))


def svg_points(page: Page, chart_index: int = 0) -> int:
    """Markers drawn as SVG by a rendered Plotly chart (WebGL and 3-D charts draw on a canvas instead)."""
    return _plotly_chart(page, chart_index).locator(".scatterlayer .point").count()
