"""In a real browser: the app served by ``w2v-lab`` from a wheel installed into a fresh virtualenv, started from a
folder outside the repository with ``--port`` and ``--config``: its pages, its limits file and the bundled King
James Bible all come from the installed package."""

from __future__ import annotations

import pytest
from browser_support import button, go_to, real_errors, shot, wait_idle
from playwright.sync_api import Page, expect

from benchmarks.harness import Server
from tests.packaging_support import Installed
from ui.corpus_source import CorpusSettings, load_bundled


@pytest.fixture(scope="module")
def installed_server(installed: Installed):  # noqa: ANN201 - yields the base URL
    (installed.workdir / "class.toml").write_text("[limits]\nmax_kept_runs = 3\n")

    def command(port: int) -> list[str]:
        return [str(installed.bin("w2v-lab")), "--port", str(port), "--config", "class.toml", "--",
                "--server.address", "localhost"]

    with Server(installed.workdir / "server.log", cwd=installed.workdir, command=command) as server:
        yield server.url


def test_installed_app_runs_with_its_config_and_data(page: Page, installed_server: str) -> None:
    page.goto(installed_server)
    wait_idle(page)
    expect(button(page, "Start training")).to_be_visible(timeout=60_000)  # the first run of a new install is slow
    go_to(page, "Compare")
    expect(page.get_by_text("(the last 3)")).to_be_visible(timeout=30_000)  # max_kept_runs of --config class.toml
    go_to(page, "Corpus")
    page.get_by_text("King James Bible (sample text)", exact=True).click()
    kjv = load_bundled(CorpusSettings(source="sample")).corpus.vocab.total_tokens  # this repository's copy
    metric = page.locator('[data-testid="stMetric"]', has_text="Tokens in the text")
    # read by the server from w2v_core/data/kjv.txt.gz inside the virtualenv
    expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(f"{kjv:,}", timeout=90_000)
    wait_idle(page)
    shot(page, "installed-corpus")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not real_errors(page)

