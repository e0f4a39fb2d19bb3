"""Real browser on a server with small limits (w2v_lab.toml via W2V_LAB_CONFIG): bad uploads each get a clear
message and the session goes on, the training queue shows a waiting tab its place and starts its run by itself,
and markup in words and file names shows literally (tables, captions, errors, Plotly hover), never as HTML.
Screenshots: test-output/browser/<test name>/."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from browser_support import OUTPUT, button, go_to, is_local, real_errors, set_number, shot, wait_idle
from conftest import require_browser
from playwright.sync_api import Page, expect

from benchmarks.harness import Server
from w2v_core.embeddings import Embeddings
from w2v_core.formats import vectors_to_bytes

LIMITS = """[limits]
max_concurrent_trainings = 1
max_corpus_mb = 0.01
max_upload_files = 3
warm_umap_at_start = false
"""
MARKUP = ["<script>alert(1)</script>", "[x](javascript:alert(1))", "**bold**"]
ERROR = '[data-testid="stAlertContentError"]'


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app served with one training slot, 10 kB of text and three files per session."""
    require_browser()
    limits = tmp_path_factory.mktemp("limits") / "class.toml"
    limits.write_text(LIMITS)
    with Server(OUTPUT / "limited_server.log", env={"W2V_LAB_CONFIG": str(limits)}) as server:
        yield server


def only_local(route) -> None:  # noqa: ANN001 - playwright Route
    if is_local(route.request.url):
        route.continue_()
    else:
        route.abort()


def choose_uploads(page: Page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    go_to(page, "Corpus")
    page.get_by_text("My text files", exact=True).click()
    expect(page.locator('[data-testid="stFileUploaderDropzoneInput"]')).to_be_attached()
    wait_idle(page)


def upload(page: Page, *files: tuple[str, bytes | Path]) -> None:
    """Remove the files shown in the uploader, then upload these (name, bytes) or (name, path) files."""
    delete = page.locator('[data-testid="stFileChipDeleteBtn"]')
    while (shown := delete.count()) > 0:
        delete.first.click()
        expect(delete).to_have_count(shown - 1)
        wait_idle(page)
    payload = [str(data) if isinstance(data, Path) else {"name": name, "mimeType": "text/plain", "buffer": data}
               for name, data in files]
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(payload)


def upload_expecting(page: Page, files: list[tuple[str, bytes | Path]], check: Callable[[float], None]) -> None:
    """Upload ``files`` and wait for ``check(timeout_ms)`` to pass; upload once more if it does not (the uploader
    can drop a file set that arrives right after a rerun, seen on loaded machines and once on a quiet one)."""
    upload(page, *files)
    try:
        check(30_000)
    except AssertionError:
        upload(page, *files)
        check(60_000)


def expect_error(page: Page, text: str, timeout: float = 30_000) -> None:
    try:
        expect(page.locator(ERROR).filter(has_text=text).first).to_be_visible(timeout=timeout)
    except AssertionError:
        shot(page, "missing-error")  # what the page showed instead
        raise
    wait_idle(page)


def test_bad_uploads_each_say_what_is_wrong_and_the_session_goes_on(limited_server: Server, page: Page,
                                                                      output_dir: Path) -> None:
    choose_uploads(page, limited_server.url)
    help_icon = page.locator('[data-testid="stFileUploader"] [data-testid="stTooltipIcon"]')
    expect(help_icon).to_be_attached()
    cases = [
        ("empty", [("empty.txt", b"")], "empty.txt is empty (or only white space)"),
        ("whitespace", [("blank.txt", b"  \n\t\n \n")], "blank.txt is empty (or only white space)"),
        ("png", [("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))], "looks like a binary file"),
        ("random", [("noise.txt", bytes(np.random.default_rng(0).integers(1, 256, 3000, dtype=np.uint8)))],
         "looks like a binary file"),
        ("too-large", [("big.txt", b"word " * 4000)], "this server takes at most 0.01 MB of text per session"),
        ("gzip-bomb", [("bomb.gz", gzip.compress(b"word " * 100_000))], "bomb.gz: the text is too large"),
        ("too-many", [(f"part{i}.txt", b"a b c\n") for i in range(4)], "4 files were uploaded, but this server "
                                                                       "takes at most 3 per session"),
        ("markup-name", [("<img src=x onerror=alert(1)>.txt", b"\x00\x01")], "<img src=x onerror=alert(1)>.txt:"),
    ]
    big_line = output_dir / "one-line.txt"  # 100 MB without a newline: refused at once, nothing hangs
    with big_line.open("wb") as out:
        for _ in range(100):
            out.write(b"word " * 200_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for name, files, message in cases:
        upload_expecting(page, files, lambda timeout, message=message: expect_error(page, message, timeout))
        shot(page, f"upload-{name}")
    # The uploader's own limit (the session's cap, rounded up to 1 MB) refuses it in the browser, at once.
    upload_expecting(page, [("one-line.txt", big_line)], lambda timeout: expect(
        page.get_by_text("1.0MB or smaller").first).to_be_visible(timeout=timeout))
    shot(page, "upload-100mb-line")
    big_line.unlink()
    upload_expecting(page, [("old.txt", "le café est très bon\nle thé est bon\n".encode("latin-1") * 5)],
                     lambda timeout: expect_error(page, "The text is not valid UTF-8", timeout))
    shot(page, "upload-latin1-offer")
    page.get_by_role("button", name="Read the files as latin-1").click()
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("le · café · est · très · bon").first).to_be_attached(timeout=30_000)
    wait_idle(page)
    upload_expecting(page, [("fine.txt", "東京 🍕 שלום the cat sat on the mat\n".encode() * 10)],
                     lambda timeout: expect(page.get_by_text("東 · 京 · 🍕 · שלום · the").first).to_be_attached(
                         timeout=timeout))
    wait_idle(page)
    shot(page, "upload-good-after-bad")
    assert page.locator(ERROR).count() == 0 and not dialogs
    assert not real_errors(page)


def test_a_second_tab_waits_in_the_queue_and_starts_by_itself(limited_server: Server, browser,  # noqa: ANN001
                                                             output_dir: Path) -> None:
    tabs = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.route("**/*", only_local)
        tab = context.new_page()
        tab.goto(limited_server.url)
        set_number(tab, "Epochs", 200)
        tabs.append(tab)
    first, second = tabs
    try:
        button(first, "Start training").click()
        expect(progress(first, "Training")).to_be_visible(timeout=60_000)
        button(second, "Start training").click()
        waiting = second.get_by_text("Waiting for a free training slot: you are number 1 in the queue")
        expect(waiting).to_be_visible(timeout=30_000)
        expect(second.get_by_text("waiting for a free training slot (number 1 in the queue)")).to_be_visible()
        expect(button(second, "Pause")).to_be_disabled()
        shot_of(second, output_dir, "second-tab-waiting")
        button(first, "Stop").click()
        expect(progress(first, "Stopped")).to_be_visible(timeout=30_000)
        expect(progress(second, "Training")).to_be_visible(timeout=30_000)
        expect(waiting).to_have_count(0)
        expect(button(second, "Pause")).to_be_enabled()
        shot_of(second, output_dir, "second-tab-started-by-itself")
        button(second, "Stop").click()
        expect(progress(second, "Stopped")).to_be_visible(timeout=30_000)
    finally:
        for tab in tabs:
            tab.context.close()


def progress(page: Page, text: str):  # noqa: ANN201 - playwright Locator
    """The progress bar once it shows ``text`` (a rerun may briefly show the old bar next to the new one)."""
    return page.locator('[data-testid="stProgress"]').filter(has_text=text).first


def shot_of(page: Page, output_dir: Path, name: str) -> None:
    """A screenshot of a page made outside the ``page`` fixture."""
    page.screenshot(path=str(output_dir / f"{name}.png"), full_page=True)


def test_markup_in_words_and_file_names_shows_literally(limited_server: Server, page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(limited_server.url)
    wait_idle(page)
    go_to(page, "Neighbours")
    rng = np.random.default_rng(0)
    words = MARKUP + [f"w{i}" for i in range(40)]
    vectors = rng.normal(size=(len(words), 4)).astype(np.float32)
    vectors[:3] = vectors[0] + rng.normal(scale=0.01, size=(3, 4))  # the markup words are each other's neighbours
    emb = Embeddings(words, vectors, np.arange(len(words), 0, -1))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "**markup**.txt", "mimeType": "text/plain", "buffer": vectors_to_bytes(emb, "text")})
    expect(page.get_by_text("Exploring: **markup**.txt (43 words)")).to_be_visible(timeout=30_000)
    word = page.get_by_role("textbox", name="Word", exact=True)
    word.fill(MARKUP[0])
    word.press("Enter")
    wait_idle(page)
    cells = page.locator('[data-testid="stDataFrame"]').first.locator("td")
    expect(cells.filter(has_text=MARKUP[1]).first).to_be_attached()
    expect(cells.filter(has_text=MARKUP[2]).first).to_be_attached()
    word.fill("<img src=x onerror=alert(1)>")
    word.press("Enter")
    expect_error(page, "<img src=x onerror=alert(1)>")
    shot(page, "neighbours-markup")
    go_to(page, "Projection")
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    expect(chart).to_be_attached(timeout=60_000)
    hovered = chart.evaluate("""(gd, wanted) => {
        for (const [c, trace] of gd._fullData.entries()) {
          const texts = Array.from(trace.hovertext || []);
          const p = texts.indexOf(wanted);
          if (p >= 0) { window.Plotly.Fx.hover(gd, [{curveNumber: c, pointNumber: p}]); break; }
        }
        return gd.querySelector('.hoverlayer').textContent;
    }""", "&lt;script&gt;alert(1)&lt;/script&gt;")
    assert "<script>alert(1)</script>" in hovered, hovered
    shot(page, "projection-markup-hover")
    assert not dialogs and page.locator("img[src=x]").count() == 0
    assert not real_errors(page)
