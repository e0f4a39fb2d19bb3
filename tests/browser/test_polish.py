"""The rough edges a class notices, checked in a real browser: nothing truncated or out of line on the Train,
Compare and Evolution pages, the Train page after a run, the Corpus page's limits and readings, the sidebar.
Screenshots: test-output/browser/<test name>/."""

from __future__ import annotations

import re

from browser_support import VIEWPORT, button, go_to, real_errors, set_number, shot, wait_idle
from playwright.sync_api import Locator, Page, expect

PROGRESS = '[data-testid="stProgress"]'
# elements inside a locator whose text is cut (ellipsis or overflow): tag, text, shown width, needed width
CUT_TEXT = """root => [...root.querySelectorAll('*')]
    .filter(e => e.tagName === 'INPUT' || [...e.childNodes].some(
        n => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => [e.tagName, e.value || e.textContent.trim(), e.clientWidth, e.scrollWidth])"""


def select_box(page: Page, label: str) -> Locator:
    return page.locator('[data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(f"^{re.escape(label)}$")))


def choose(page: Page, label: str, option: str) -> None:
    select_box(page, label).locator('button[aria-label="Open"]').click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def assert_not_cut(box: Locator, what: str) -> None:
    cut = box.evaluate(CUT_TEXT)
    assert not cut, f"{what}: text cut off: {cut}"


def sidebar_text(page: Page) -> str:
    return page.locator('[data-testid="stSidebarUserContent"]').inner_text()


def train(page: Page, loss: str, epochs: int = 2) -> str:
    """Train a run with ``loss`` to its end on the Train page; returns the progress line."""
    go_to(page, "Train")
    choose(page, "Loss", loss)
    set_number(page, "Epochs", epochs)
    button(page, "Start training").click()
    progress = page.locator(PROGRESS)
    expect(progress).to_contain_text("Finished", timeout=120_000)
    expect(button(page, "Configuration (JSON)")).to_be_visible()
    wait_idle(page)
    return progress.inner_text()


def test_pages_read_cleanly(app_server: str, page: Page) -> None:
    page.goto(app_server)
    wait_idle(page)
    go_to(page, "Corpus")
    set_number(page, "Sentences to generate", 3000)
    go_to(page, "Train")
    page.set_viewport_size({"width": 1280, "height": 800})  # a projector's width
    for model in ("Skip-gram (word → context)", "CBOW (context → word)"):
        choose(page, "Model", model)
        assert_not_cut(select_box(page, "Model"), "the Model select")
    page.set_viewport_size(VIEWPORT)
    choose(page, "Model", "Skip-gram (word → context)")
    step_select = select_box(page, "Words per step").locator('[role="group"]').bounding_box()
    step_button = button(page, "Train 10,000 words").bounding_box()
    start = button(page, "Start training").bounding_box()
    assert abs(step_select["y"] + step_select["height"] - step_button["y"] - step_button["height"]) <= 3
    assert abs(start["y"] - step_button["y"]) <= 1  # the whole row of buttons is in line with the select
    shot(page, "01-train-settings")

    done = train(page, "Hierarchical softmax")
    assert "ETA" not in done and " · took " in done, done
    legend = page.locator('[data-testid="stPlotlyChart"]').first.locator(".legendtext").evaluate_all(
        "texts => texts.map(t => t.textContent)")
    assert legend == ["loss per chunk", "smoothed"], legend  # no "positive part" for hierarchical softmax
    shot(page, "02-train-hierarchical-finished")

    train(page, "Negative sampling", epochs=1)
    go_to(page, "Compare")
    expect(page.get_by_text("cannot be compared")).to_be_visible()
    for label in ("Run A", "Run B"):
        assert_not_cut(select_box(page, label), f"the {label} select")
    shot(page, "03-compare-different-losses")

    go_to(page, "Evolution")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator(".slider-container")).to_be_visible()
    width = chart.locator(".main-svg").first.bounding_box()["width"]
    labels = chart.locator(".slider-labels text, .slider-label")
    shot(page, "04-evolution")
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    left = chart.bounding_box()["x"]
    assert boxes and all(b["x"] >= left - 1 and b["x"] + b["width"] <= left + width + 1 for b in boxes), boxes

    go_to(page, "Neighbours")
    expect(page.get_by_text("barely trained").first).to_be_visible()
    shot(page, "05-neighbours-barely-trained")

    go_to(page, "Gradient lab")
    shot(page, "06-gradient-lab")
    assert not real_errors(page)


def test_corpus_page_limits_encodings_and_sidebar(app_server: str, page: Page, output_dir) -> None:
    page.goto(app_server)
    wait_idle(page)
    go_to(page, "Corpus")
    page.get_by_text("My text files", exact=True).click()
    expect(page.locator('[data-testid="stFileUploaderDropzone"]')).to_contain_text("50MB per file")
    expect(page.locator('[data-testid="stSidebarUserContent"]')).to_contain_text("none yet")
    assert "not usable" not in sidebar_text(page)
    big = output_dir / "big.txt"
    with open(big, "wb") as sparse:  # 53 MB of nothing on disk: the browser refuses it by its size
        sparse.truncate(53_000_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(big))
    expect(page.get_by_text("A file marked in red was not uploaded")).to_be_visible()
    expect(page.locator('[data-testid="stSidebarUserContent"]')).to_contain_text("none yet")  # as the page says
    shot(page, "00-corpus-too-large")
    big.unlink()
    wide = output_dir / "wide.txt"
    wide.write_bytes(("le café est très bon\nun thé très chaud\n" * 10).encode("utf-16"))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(wide))
    expect(page.get_by_text("Read as UTF-16.")).to_be_visible(timeout=30_000)
    wait_idle(page)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Tokens kept")
    assert metric.locator('[data-testid="stMetricDelta"] svg').count() == 0  # no arrow: not a growth
    expect(page.locator('[data-testid="stSidebarUserContent"]')).to_contain_text("Uploaded: wide.txt")
    shot(page, "01-corpus-utf16")
    old = output_dir / "old.txt"
    old.write_bytes("le café est très bon\nun thé très chaud\n".encode("latin-1") * 10)
    page.goto(app_server)  # a new session
    wait_idle(page)
    go_to(page, "Corpus")
    page.get_by_text("My text files", exact=True).click()
    expect(page.locator('[data-testid="stFileUploaderDropzone"]')).to_be_visible()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(old))
    button(page, "Read the files as latin-1").click()
    expect(page.get_by_text("Read as latin-1 (chosen because the files are not valid UTF-8).")).to_be_visible()
    shot(page, "02-corpus-latin1")
    assert not real_errors(page)
