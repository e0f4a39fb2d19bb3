"""Real browser on a server that holds a corpus and vectors (corpora_dir, vectors_dir in w2v_lab.toml): the corpus
is picked from the list and built, a Spark model opens and says its first words are not the most frequent, and a
zip that climbs out is refused. Screenshots: test-output/browser/<test name>/."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import OUTPUT, button, go_to, real_errors, shot, wait_idle
from conftest import require_browser
from playwright.sync_api import Page, expect

from benchmarks.harness import Server
from w2v_core.teaching import generate_teaching_corpus

SPARK_MODEL = Path(__file__).resolve().parents[1] / "data" / "spark_model"


@pytest.fixture(scope="module")
def folder_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_browser()
    root = tmp_path_factory.mktemp("server")
    (root / "corpora").mkdir()
    (root / "vectors").mkdir()
    (root / "corpora" / "class-corpus.txt").write_text("\n".join(generate_teaching_corpus(3000, seed=0)) + "\n")
    shutil.copytree(SPARK_MODEL, root / "vectors" / "spark-teaching")
    config = root / "class.toml"
    config.write_text(f'[limits]\ncorpora_dir = "{root / "corpora"}"\nvectors_dir = "{root / "vectors"}"\n')
    with Server(OUTPUT / "folder_server.log", env={"W2V_LAB_CONFIG": str(config)}) as server:
        yield server


def climbing_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bundle:
        bundle.writestr("../../metadata/part-00000", "{}")
    return out.getvalue()


def test_server_corpus_and_spark_vectors_in_the_browser(folder_server: Server, page: Page) -> None:
    page.goto(folder_server.url)
    wait_idle(page)
    go_to(page, "Corpus")
    page.get_by_text("A corpus on this server", exact=True).click()
    expect(page.get_by_role("combobox", name="Corpus on this server")).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=60_000)
    wait_idle(page)
    shot(page, "corpus-on-the-server")

    go_to(page, "Neighbours")
    expect(page.get_by_role("combobox", name="Or vectors on this server")).to_be_visible(timeout=30_000)
    button(page, "Open these vectors").click()
    expect(page.get_by_text("Spark's own order", exact=False)).to_be_visible(timeout=30_000)
    wait_idle(page)
    expect(page.get_by_text("spark-teaching (425 words)", exact=False).first).to_be_visible()
    expect(page.get_by_role("textbox", name="Word", exact=True)).to_have_value("king")
    expect(page.get_by_role("button", name="Projector TSV (zip)")).to_be_visible()
    shot(page, "spark-model-neighbours")

    go_to(page, "Projection")
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("first words", exact=False).first).to_be_attached()
    wait_idle(page)
    shot(page, "spark-model-projection")

    go_to(page, "Neighbours")
    page.get_by_text("Open vectors trained elsewhere").click()
    page.get_by_test_id("stExpanderDetails").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        [{"name": "model.zip", "mimeType": "application/zip", "buffer": climbing_zip()}])
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="outside its folder").first
    expect(error).to_be_visible(timeout=30_000)
    wait_idle(page)
    shot(page, "climbing-zip-refused")
    assert not real_errors(page)
