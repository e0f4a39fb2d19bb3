"""Real browser: the Projection page on opened vectors (20,000 words) - t-SNE drawn as it converges and stopped,
UMAP, semantic axes, a click on a point, labels and the 3-D scene. Screenshots in test-output/browser/."""

from __future__ import annotations

import time

import numpy as np
from browser_support import button, go_to, plotly_points, real_errors, set_number, shot, wait_idle
from playwright.sync_api import Page, expect

from w2v_core.embeddings import Embeddings
from w2v_core.formats import vectors_to_bytes
from w2v_core.teaching import PEOPLE, TEACHING_GROUPS

CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'


def class_vectors(n: int = 20_000, dim: int = 32) -> Embeddings:
    """The teaching groups as clusters (people pairs differ along one "gender" direction, "rich" and "poor" along
    another), then filler words: the most frequent words first."""
    rng = np.random.default_rng(0)
    gender, wealth = rng.normal(size=dim), rng.normal(size=dim)
    words, vectors = ["poor", "rich"], [-2 * wealth + rng.normal(size=dim), 2 * wealth + rng.normal(size=dim)]
    for name, group in TEACHING_GROUPS.items():
        centre = rng.normal(size=dim) * 3
        for word in group:
            vector = centre + rng.normal(size=dim) * 0.6
            if name == "people":
                female = any(word == f for _, f, _ in PEOPLE)
                vector = vector + (1.5 if female else -1.5) * gender
            words.append(word)
            vectors.append(vector)
    while len(words) < n:
        words.append(f"w{len(words)}")
        vectors.append(rng.normal(size=dim) * 2)
    return Embeddings(words, np.array(vectors, dtype=np.float32), np.arange(n, 0, -1) * 3)


def open_vectors(page: Page, emb: Embeddings) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "class.npz", "mimeType": "application/octet-stream", "buffer": vectors_to_bytes(emb, "npz")})
    expect(page.get_by_text(f"class.npz ({len(emb):,} words)")).to_be_visible(timeout=60_000)
    wait_idle(page, 60_000)


def choose(page: Page, label: str) -> None:
    page.locator('[data-testid="stRadio"]').get_by_text(label, exact=True).click()


def chart_title(page: Page) -> str:
    return page.locator(CHART).first.locator(".gtitle").first.text_content() or ""


def test_projection_page_reads_without_a_mouse(app_server: str, page: Page) -> None:
    page.goto(app_server)
    wait_idle(page)
    go_to(page, "Projection")
    open_vectors(page, class_vectors())
    words = page.get_by_role("spinbutton", name="Words", exact=True)
    expect(words).to_have_value("2000")  # follows the 20,000 words opened, not a training's vocabulary
    expect(page.locator(CHART).first).to_be_visible(timeout=60_000)
    shot(page, "01-pca-2000-labelled")

    began = time.monotonic()
    set_number(page, "Words", 20_000)
    expect(page.locator(CHART).first.locator(".gtitle")).to_contain_text("20,000", timeout=60_000)
    print(f"PCA of 20,000 words drawn {time.monotonic() - began:.1f} s after Enter")  # noqa: T201
    assert plotly_points(page, 0) >= 20_000
    shot(page, "02-pca-20000")

    set_number(page, "Words", 5000)
    choose(page, "t-SNE")
    stop = button(page, "Stop")
    expect(stop).to_be_visible(timeout=60_000)
    progress = page.get_by_text("t-SNE: iteration")
    expect(progress).to_be_visible(timeout=60_000)
    first = progress.text_content()
    expect(progress).not_to_have_text(first, timeout=10_000)  # the map moves on
    stop.click()  # at once: the whole map takes a few seconds, a screenshot first could let it end
    shot(page, "03-tsne-converging")
    expect(page.get_by_text("t-SNE was stopped at iteration")).to_be_visible(timeout=30_000)
    wait_idle(page)
    shot(page, "04-tsne-stopped")

    set_number(page, "Words", 20_000)
    choose(page, "UMAP")
    began = time.monotonic()
    expect(page.get_by_role("button", name="Coordinates (CSV)")).to_be_visible(timeout=300_000)
    print(f"UMAP of 20,000 words (first of the server) drawn after {time.monotonic() - began:.1f} s")  # noqa: T201
    assert "UMAP of the 20,000" in chart_title(page)
    shot(page, "05-umap-20000")

    set_number(page, "Words", 2000)
    choose(page, "Semantic axes")
    expect(page.locator(CHART).first.locator(".g-xtitle")).to_contain_text("man → woman", timeout=30_000)
    shot(page, "06-semantic-axes")
    y_to = page.get_by_role("textbox", name="y: to", exact=True)
    y_to.fill("rich, Zebra")
    y_to.press("Enter")
    expect(page.get_by_text("Not in the vocabulary: 'Zebra'")).to_be_visible(timeout=30_000)
    y_to.fill("rich")
    y_to.press("Enter")
    wait_idle(page)

    choose(page, "PCA")
    expect(page.locator(CHART).first.locator(".gtitle")).to_contain_text("PCA", timeout=30_000)
    wait_idle(page)
    clicked = page.locator(CHART).first.evaluate("""gd => {
        for (const [c, trace] of gd._fullData.entries()) {
          const texts = Array.from(trace.hovertext || []);
          const p = texts.indexOf('queen');
          if (p >= 0 && trace.type.startsWith('scatter') && trace.mode === 'markers') {
            gd.emit('plotly_selected', {points: [{curveNumber: c, pointNumber: p, pointIndex: p,
              x: trace.x[p], y: trace.y[p], customdata: trace.customdata[p], data: trace, fullData: trace}]});
            return true;
          }
        }
        return false; }""")
    assert clicked
    expect(page.get_by_text("Neighbours of queen")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("textbox", name="Highlight a word and its neighbours (or click a point)")
           ).to_have_value("queen")
    wait_idle(page)
    shot(page, "07-clicked-queen")

    choose(page, "3")
    expect(page.locator('[data-testid="stPlotlyChart"] .gl-container, [data-testid="stPlotlyChart"] canvas')
           .first).to_be_attached(timeout=60_000)
    wait_idle(page)
    page.wait_for_timeout(1500)
    shot(page, "08-pca-3d")
    # queen and her neighbours: the callouts (SVG annotations over the scene) cover no other and stay in the chart
    chart = page.locator(CHART).first
    frame = chart.bounding_box()
    boxes = chart.evaluate("""gd => Array.from(gd.querySelectorAll('text.annotation-text')).map(t => {
        const r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })""")
    assert boxes, "no callouts for queen's crowded neighbours"
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])]
    assert all(frame["y"] <= top and bottom <= frame["y"] + frame["height"] for _, top, _, bottom in boxes)
    assert not real_errors(page), real_errors(page)
