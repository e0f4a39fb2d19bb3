"""The issue's walk-through in a real browser, as a user does it: corpus, live training, the exploring pages,
an upload and a vector export. Screenshots of every page: test-output/browser/test_walkthrough/."""

from __future__ import annotations

import re
import time
from pathlib import Path

from browser_support import (
    button,
    go_to,
    plotly_last_x,
    plotly_points,
    real_errors,
    set_number,
    shot,
    svg_points,
    wait_idle,
)
from playwright.sync_api import Page, expect

from w2v_core.corpus import build_corpus
from w2v_core.formats import load_vectors

EPOCHS = 10  # about 8 million words: long enough to watch the chart grow, a few seconds on 2 cores
DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
PROGRESS = '[data-testid="stProgress"]'
UPLOAD_TEXT = "\n".join(
    f"the {animal} sat on the {place} near the {colour} door" for animal in ("cat", "dog", "fox", "owl")
    for place in ("mat", "rug", "bench") for colour in ("red", "blue")
) + "\nzebra quietly grazed alone\n"


def check_page(page: Page, name: str) -> Path:
    """Screenshot the page and check it shows no traceback or exception box."""
    path = shot(page, name)
    assert page.locator('[data-testid="stException"]').count() == 0, f"{name}: an exception box is shown"
    assert page.get_by_text("Traceback").count() == 0, f"{name}: 'Traceback' is shown"
    return path


def metric(page: Page, label: str) -> str:
    """The value shown by the st.metric whose label is ``label``."""
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$")))
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def table_cells(page: Page, index: int = 0) -> list[str]:
    """Cell texts, row by row, of dataframe number ``index`` (from the grid's accessible table)."""
    return page.locator('[data-testid="stDataFrame"]').nth(index).locator("td").all_inner_texts()


def choose_teaching_corpus(page: Page) -> None:
    go_to(page, "Corpus")
    page.get_by_text("Teaching corpus (generated)", exact=True).click()
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=60_000)  # the Zipf plot
    wait_idle(page)
    vocabulary = int(metric(page, "Vocabulary").replace(",", ""))
    assert 300 < vocabulary < 1000, vocabulary  # the teaching corpus has a few hundred words
    check_page(page, "01-corpus-teaching")


def lowest_opacity(page: Page, selector: str, milliseconds: int) -> float:
    """The lowest computed opacity of ``selector`` (and its chart frame), sampled every 15 ms for a while."""
    return page.evaluate("""async ([selector, milliseconds]) => {
        let lowest = 1;
        const start = performance.now();
        while (performance.now() - start < milliseconds) {
            for (const element of document.querySelectorAll(
                    `${selector}, ${selector} [data-testid="stFullScreenFrame"]`)) {
                lowest = Math.min(lowest, parseFloat(getComputedStyle(element).opacity));
            }
            await new Promise(resolve => setTimeout(resolve, 15));
        }
        return lowest;
    }""", [selector, milliseconds])


def train_and_watch(page: Page) -> None:
    """Start training and see the loss chart gain points over time, then wait for the end."""
    go_to(page, "Train")
    set_number(page, "Epochs", EPOCHS)
    button(page, "Start training").click()
    progress = page.locator(PROGRESS)
    expect(progress).to_contain_text(f"/{EPOCHS}", timeout=30_000)
    expect(button(page, "Pause")).to_be_enabled()

    def loss_chart_ready() -> bool:
        return (page.locator('[data-testid="stPlotlyChart"]').count() >= 1
                and plotly_last_x(page, 0, 0) > 0)

    deadline = time.monotonic() + 60
    while not loss_chart_ready() and time.monotonic() < deadline:  # the first run compiles the kernels
        page.wait_for_timeout(200)
    first_words, first_points = plotly_last_x(page, 0, 0), plotly_points(page, 0, 0)
    still_training = progress.inner_text()
    assert first_words > 0 and first_points > 0, "the loss chart shows no points while training"
    assert still_training.startswith("Training"), f"the run ended before the chart could be watched: {still_training}"
    check_page(page, "02-train-running")
    assert lowest_opacity(page, ".st-key-loss_chart", 2500) == 1.0, "the live loss chart dims while it redraws"
    deadline = time.monotonic() + 30
    while plotly_last_x(page, 0, 0) <= first_words and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert plotly_last_x(page, 0, 0) > first_words, "the loss chart did not gain points while training"

    expect(progress).to_contain_text("Finished", timeout=120_000)
    expect(button(page, "Configuration (JSON)")).to_be_visible()  # the run's exports
    wait_idle(page)
    text = progress.inner_text()
    done, total = re.search(r"([\d,]+) of ([\d,]+) words", text).groups()
    assert done == total, text
    assert plotly_points(page, 0, 0) > 10  # per-chunk losses of the whole run
    check_page(page, "03-train-finished")


def visit_gradients(page: Page) -> None:
    go_to(page, "Gradients")
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts.nth(2)).to_be_visible()
    expect(charts.first.locator(".main-svg").first).to_be_visible()
    wait_idle(page)
    assert charts.count() >= 3
    assert plotly_points(page, 0) > 0, "no words on the largest-gradients chart"
    assert plotly_points(page, 2) > 0, "no words on the gradient-against-frequency chart"
    check_page(page, "04-gradients")


def visit_projection(page: Page) -> None:
    go_to(page, "Projection")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=60_000)
    wait_idle(page)
    points = plotly_points(page, 0)
    assert points >= 300, points  # the most frequent words (all of the teaching vocabulary)
    drawn = svg_points(page, 0) or chart.locator("canvas").count()  # SVG markers, or a WebGL canvas
    assert drawn > 0, "the projection chart drew nothing"
    check_page(page, "05-projection")


def ask_neighbours(page: Page) -> None:
    go_to(page, "Neighbours")
    expect(page.locator('[data-testid="stDataFrame"]').first.locator("td").first).to_be_attached()
    before = table_cells(page)  # the neighbours of the default word
    word = page.get_by_role("textbox", name="Word", exact=True)
    word.fill("monday")
    word.press("Enter")
    deadline = time.monotonic() + 30
    while table_cells(page) in (before, []):  # until the table shows the new query
        assert time.monotonic() < deadline, "the neighbours table did not change after asking for monday"
        page.wait_for_timeout(200)
    wait_idle(page)
    cells = table_cells(page)
    top5 = cells[1:15:3]  # rank, word, cosine per row
    assert len(top5) == 5 and DAYS & set(top5), f"no other day among the neighbours of monday: {cells[:30]}"
    check_page(page, "06-neighbours")


def upload_text(page: Page, output_dir: Path) -> None:
    """Upload a small text file on the Corpus page and see its statistics."""
    go_to(page, "Corpus")
    page.get_by_text("My text files", exact=True).click()
    upload = page.locator('[data-testid="stFileUploaderDropzoneInput"]').first
    expect(upload).to_be_attached()
    path = output_dir / "my-text.txt"
    path.write_text(UPLOAD_TEXT, encoding="utf-8")
    upload.set_input_files(str(path))
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=30_000)
    wait_idle(page)
    expected = build_corpus(UPLOAD_TEXT.splitlines(), min_count=5)
    assert metric(page, "Tokens in the text") == f"{expected.vocab.total_tokens:,}"
    assert metric(page, "Vocabulary") == f"{len(expected.vocab):,}"
    assert metric(page, "Distinct words") == f"{expected.vocab.total_types:,}"
    expect(page.get_by_text("zebra").first).to_be_visible()  # a word min_count removes is named
    check_page(page, "07-corpus-upload")


def export_vectors(page: Page, output_dir: Path) -> None:
    """Download the trained vectors as word2vec binary and read them back."""
    go_to(page, "Neighbours")
    binary = button(page, "word2vec binary")
    expect(binary).to_be_visible()
    check_page(page, "08-neighbours-export")
    with page.expect_download(timeout=60_000) as info:
        binary.click()
    download = info.value
    path = output_dir / download.suggested_filename
    download.save_as(path)
    assert path.suffix == ".bin"
    emb = load_vectors(path)
    assert 300 < len(emb.words) < 1000 and emb.vectors.shape == (len(emb.words), 100)
    assert "monday" in emb.words
    assert DAYS & {word for word, _ in emb.most_similar("monday", 5)}


def test_walkthrough(app_server: str, page: Page, output_dir: Path) -> None:
    page.goto(app_server)
    wait_idle(page, timeout=60_000)
    expect(button(page, "Start training")).to_be_visible(timeout=60_000)  # opens on Train (slow on a busy machine)

    choose_teaching_corpus(page)
    train_and_watch(page)
    visit_gradients(page)
    visit_projection(page)
    ask_neighbours(page)
    upload_text(page, output_dir)
    export_vectors(page, output_dir)

    errors = real_errors(page)
    assert not errors, f"the browser reported errors: {errors}"
