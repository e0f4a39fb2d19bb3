"""In a real browser: "Evaluate on the standard sets" on the Neighbours page draws the two word-pair plots and the
analogy bars (screenshot: test-output/browser/test_standard_sets_are_plotted/standard-sets.png)."""

from __future__ import annotations

import time
from pathlib import Path

from browser_support import button, go_to, plotly_points, real_errors, shot, wait_idle
from eval_support import analogy_embeddings
from playwright.sync_api import Page, expect

from w2v_core.datasets import DATA_DIR
from w2v_core.evaluation import evaluate_standard, read_analogies
from w2v_core.formats import save_vectors

CHART = '[data-testid="stPlotlyChart"]'


def test_standard_sets_are_plotted(app_server: str, page: Page, output_dir: Path) -> None:
    emb = analogy_embeddings(read_analogies(DATA_DIR / "questions-words.txt"))
    path = output_dir / "google-like.bin"
    save_vectors(emb, path)
    expected = evaluate_standard(emb)
    page.goto(app_server)
    wait_idle(page, 90_000)  # generous: the server may be compiling its kernels in the background
    go_to(page, "Neighbours", 90_000)
    upload = page.locator('[data-testid="stFileUploaderDropzoneInput"]').first
    expect(upload).to_be_attached()
    upload.set_input_files(str(path))
    evaluate = button(page, "Evaluate on the standard sets")
    expect(evaluate).to_be_visible(timeout=90_000)
    wait_idle(page, 90_000)
    evaluate.click()
    expect(page.locator(CHART)).to_have_count(3, timeout=90_000)
    wait_idle(page, 90_000)
    section = page.get_by_role("heading", name="Evaluate on the standard sets")
    section.scroll_into_view_if_needed()
    wanted = [expected.pairs["WordSim-353"].n_used, expected.pairs["SimLex-999"].n_used, 14]  # 14: one bar a section
    deadline = time.monotonic() + 30  # a loaded machine may draw the charts after the script run ends
    while [plotly_points(page, i) for i in range(3)] != wanted and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert [plotly_points(page, i) for i in range(3)] == wanted
    google = expected.analogies["Google analogies"]
    expect(page.get_by_text(f"{google.accuracy:.1%} overall").first).to_be_visible(timeout=30_000)
    shot(page, "standard-sets")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not real_errors(page)
