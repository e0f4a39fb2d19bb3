"""Runs that last, in a real browser: train a run and download it, open it in a fresh session, replay it on the
Evolution page, continue it and see the loss chart go on. Screenshots: test-output/browser/test_saved_runs.../"""

from __future__ import annotations

import re
import time

from browser_support import (
    VIEWPORT,
    button,
    forget,
    go_to,
    is_local,
    plotly_last_x,
    real_errors,
    register,
    set_number,
    shot,
    wait_idle,
)
from playwright.sync_api import Page, expect

from w2v_core.runfile import read_run

PROGRESS = '[data-testid="stProgress"]'


def words_of(page: Page) -> tuple[int, int]:
    """(words trained, words planned) from the Train page's progress bar."""
    done, total = re.search(r"([\d,]+) of ([\d,]+) words", page.locator(PROGRESS).inner_text()).groups()
    return int(done.replace(",", "")), int(total.replace(",", ""))


def no_traceback(page: Page, name: str) -> None:
    shot(page, name)
    assert page.locator('[data-testid="stException"]').count() == 0, f"{name}: an exception box is shown"
    assert page.get_by_text("Traceback").count() == 0, f"{name}: 'Traceback' is shown"


def train_and_download(page: Page, app_server: str, output_dir) -> tuple:  # noqa: ANN001 - a Path
    page.goto(app_server)
    wait_idle(page)
    go_to(page, "Train")
    set_number(page, "Epochs", 2)
    set_number(page, "Vector size (dim)", 20)  # a quick run: the test is about the file, not the vectors
    button(page, "Start training").click()
    expect(page.locator(PROGRESS)).to_contain_text("Finished", timeout=120_000)
    expect(button(page, "Download the run")).to_be_visible()
    wait_idle(page)
    no_traceback(page, "01-trained")
    with page.expect_download() as download:
        button(page, "Download the run").click()
    path = output_dir / download.value.suggested_filename
    download.value.save_as(path)
    return path, words_of(page)


def fresh_session(browser, output_dir) -> Page:  # noqa: ANN001 - playwright Browser, a Path
    """A second browser context: its own cookies, so a new Streamlit session."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    register(page, output_dir)
    page.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
    return page


def test_download_open_replay_and_continue_a_run(app_server, page, browser, output_dir):
    path, (words, total) = train_and_download(page, app_server, output_dir)
    assert path.suffix == ".w2vrun" and words == total > 0
    run = read_run(path)
    assert run.words_done == words and run.state == "finished" and len(run.snapshot_meta) > 5

    other = fresh_session(browser, output_dir)
    try:
        other.goto(app_server)
        wait_idle(other)
        go_to(other, "Compare")
        broken = output_dir / "broken.w2vrun"  # half a file first: one message, and the page keeps working
        broken.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        other.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(broken))
        expect(other.get_by_text("The run file broken.w2vrun is not a Word2Vec Lab run", exact=False)).to_be_visible()
        wait_idle(other)
        no_traceback(other, "02-compare-broken-file")
        other.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
        expect(other.get_by_text(f"Opened {path.name}", exact=False)).to_be_visible(timeout=30_000)
        wait_idle(other)
        no_traceback(other, "02-compare-opened")

        go_to(other, "Evolution")
        chart = other.locator('[data-testid="stPlotlyChart"]').first
        expect(chart.locator(".main-svg").first).to_be_visible(timeout=60_000)
        expect(other.get_by_text(f"{len(run.snapshot_meta)} snapshots of the", exact=False)).to_be_visible()
        wait_idle(other)
        chart.get_by_text("▶ Play").click()  # the replay runs in the browser
        other.wait_for_timeout(1500)
        no_traceback(other, "03-evolution-replay")

        go_to(other, "Train")
        expect(other.locator(PROGRESS)).to_contain_text(f"Finished: {words:,} of {words:,} words")
        assert plotly_last_x(other, 0, 0) == words  # the opened run's loss chart
        no_traceback(other, "04-train-opened")
        set_number(other, "Epochs to add", 1)
        button(other, "Continue training").click()
        expected = words // 2 * 3  # two epochs trained, one more
        expect(other.locator(PROGRESS)).to_contain_text(f"Finished: {expected:,} of {expected:,} words",
                                                        timeout=120_000)
        deadline = time.monotonic() + 10
        while plotly_last_x(other, 0, 0) < expected and time.monotonic() < deadline:
            other.wait_for_timeout(250)
        assert plotly_last_x(other, 0, 0) == expected  # the loss chart went on from where the run stopped
        wait_idle(other)
        no_traceback(other, "05-train-continued")

        go_to(other, "Compare")  # the opened run and its continuation, each downloadable
        expect(button(other, "Download run 1")).to_be_visible()
        expect(button(other, "Download run 2")).to_be_visible()
        wait_idle(other)
        no_traceback(other, "06-compare")
        assert not real_errors(other), real_errors(other)
    finally:
        forget(other)
        other.context.close()
    assert not real_errors(page), real_errors(page)
