"""Real browser (headless Chromium): open a shared link, train, walk through the Gradient lab (pick an example,
see the check pass, apply a step) and replay the Evolution animation.

Skipped when /usr/bin/chromium or playwright is missing, unless W2V_REQUIRE_BROWSER=1 (CI), where it fails.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from benchmarks.harness import Server
from tests.browser.browser_support import CHROMIUM, CHROMIUM_ARGS, IDLE

ROOT = Path(__file__).resolve().parent.parent

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

if sync_playwright is None or not Path(CHROMIUM).exists():
    if os.environ.get("W2V_REQUIRE_BROWSER") == "1":
        raise RuntimeError("W2V_REQUIRE_BROWSER=1 but playwright or /usr/bin/chromium is missing")
    pytest.skip("needs playwright and /usr/bin/chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def server():  # noqa: ANN201 - yields the base URL
    with Server(ROOT / "test-output" / "browser" / "teaching_server.log") as app:
        yield app.url


def in_browser(walk) -> None:  # noqa: ANN001 - a function of a Playwright page
    """Run ``walk(page)`` in a fresh thread: an earlier test may leave an asyncio loop in this one, where
    Playwright's sync API refuses to run."""

    def session() -> None:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                tab = browser.new_page(viewport={"width": 1400, "height": 2400})
                tab.route(re.compile(r"^(?!https?://localhost[:/]).*"), lambda route: route.abort())
                walk(tab)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(session).result()


def wait_for_text(page, text: str, timeout: float = 120_000) -> None:
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=timeout)
    page.wait_for_selector(IDLE, timeout=timeout)


def go(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNavLink"]', has_text=title).first.click()
    page.wait_for_function("t => document.querySelector('h1') && document.querySelector('h1').innerText === t",
                           arg=title, timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)


def test_lab_and_evolution_in_a_real_browser(server):
    in_browser(lambda page: walk_lab_and_evolution(server, page))


def walk_lab_and_evolution(server: str, page) -> None:  # noqa: ANN001 - a Playwright page
    page.goto(f"{server}/?sentences=2000&dim=20&epochs=2&window=3")
    page.wait_for_selector(IDLE, timeout=60_000)
    assert "dim=20" in page.url and "window=3" in page.url  # the shared setup stays in the URL
    page.get_by_role("button", name="Start training").click()
    wait_for_text(page, "Finished:")

    go(page, "Gradient lab")
    wait_for_text(page, "Finite-difference check passed")
    assert "Weights: a copy of run 1 (finished)" in page.inner_text("body")
    shown = page.get_by_text(re.compile(r"^Line: ")).first.inner_text()
    line = page.get_by_role("spinbutton", name="Line")
    line.fill("3")
    line.press("Enter")  # another example: line 3 of the corpus
    page.wait_for_function("s => ![...document.querySelectorAll('p')].some(p => p.innerText === s)", arg=shown,
                           timeout=60_000)
    wait_for_text(page, "Finite-difference check passed")
    page.get_by_role("button", name="Apply SGD step").click()
    wait_for_text(page, "Loss after (same example)")
    body = page.inner_text("body")
    assert "changed by 1 lab step" in body and "The vectors that moved" in body

    go(page, "Evolution")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
    current = page.locator(".slider-label").first  # the slider's current value, "Words trained: ..."
    first = current.text_content()
    assert first.startswith("Words trained: ")
    page.locator(".updatemenu-button").first.click(force=True)  # ▶ Play
    page.wait_for_function("f => document.querySelector('.slider-label').textContent !== f", arg=first,
                           timeout=30_000)
    later = int(current.text_content().removeprefix("Words trained: ").replace(",", ""))
    assert later > int(first.removeprefix("Words trained: ").replace(",", ""))  # the replay moves forward
