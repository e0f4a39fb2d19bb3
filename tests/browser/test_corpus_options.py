"""The Corpus page's tokenizing options in a real browser: phrases found before training, shown without cut text.
Screenshots: test-output/browser/test_corpus_options/."""

from __future__ import annotations

from browser_support import go_to, real_errors, set_number, shot, wait_idle
from playwright.sync_api import Page, expect
from test_polish import assert_not_cut

# on a fresh checkout the first phrase detection compiles its numba code: 40-70 s on a slow 2-core machine
COLD_COMPILE_MS = 180_000


def test_phrases_are_listed_before_training(app_server: str, page: Page) -> None:
    page.goto(app_server)
    wait_idle(page)
    go_to(page, "Corpus")
    set_number(page, "Sentences to generate", 3000)
    page.get_by_text("Tokenizing and phrases").click()
    page.get_by_text("Detect phrases (new york → new_york)").click()
    wait_idle(page, COLD_COMPILE_MS)
    threshold = page.get_by_role("spinbutton", name="Phrase threshold", exact=True)
    threshold.fill("2")
    threshold.press("Enter")
    expect(threshold).to_have_value("2.00")
    wait_idle(page, COLD_COMPILE_MS)
    heading = page.get_by_role("heading", name="Phrases found")
    expect(heading).to_be_visible(timeout=60_000)
    tables = page.locator('[data-testid="stDataFrame"]')
    expect(tables.first).to_be_visible()
    shot(page, "corpus_phrases")
    assert_not_cut(page.locator('[data-testid="stExpander"]'), "tokenizing options")
    assert not real_errors(page)
