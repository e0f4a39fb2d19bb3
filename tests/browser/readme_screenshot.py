"""Make the README's screenshot of the Train page during training: docs/images/train.png.

Run from the repository root: ``.venv/bin/python -m tests.browser.readme_screenshot [--epochs 30]``.
Starts the app, trains on the default teaching corpus and takes the picture while the run is in its
``--at-epoch``-th epoch (loss chart with a few epoch lines), then stores it as a palette PNG under 300 KB.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from benchmarks.harness import Server
from tests.browser.browser_support import (
    OUTPUT,
    REPO,
    VIEWPORT,
    button,
    go_to,
    is_local,
    launch_chromium,
    set_number,
    wait_idle,
)

TARGET = REPO / "docs" / "images" / "train.png"
MAX_BYTES = 300_000


def small_png(png: bytes, width: int) -> bytes:
    """The screenshot resized to ``width`` px and reduced to 256 colours (UI pictures stay sharp)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True)
    return out.getvalue()


def take(epochs: int, at_epoch: int, width: int) -> bytes:
    with Server(OUTPUT / "readme-server.log") as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport=VIEWPORT)
        page.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
        page.goto(server.url)
        wait_idle(page, 60_000)
        go_to(page, "Train")
        set_number(page, "Epochs", epochs)
        button(page, "Start training").click()
        progress = page.locator('[data-testid="stProgress"]')
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            text = progress.inner_text() if progress.count() else ""
            match = re.search(r"^Training: .* epoch (\d+)/", text)
            if match and int(match.group(1)) >= at_epoch:
                page.wait_for_timeout(300)  # let the charts finish drawing
                png = page.screenshot()
                browser.close()
                return small_png(png, width)
            if text.startswith(("Finished", "Stopped", "Failed")):
                break
            page.wait_for_timeout(100)
        browser.close()
        raise RuntimeError(f"no mid-run moment at epoch {at_epoch} (last progress: {text!r}); use more epochs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30, help="epochs of the run (more = slower run)")
    parser.add_argument("--at-epoch", type=int, default=6, help="take the picture during this epoch or later")
    parser.add_argument("--width", type=int, default=1400, help="width of the stored picture in px")
    parser.add_argument("-o", "--output", type=Path, default=TARGET)
    args = parser.parse_args()
    png = take(args.epochs, args.at_epoch, args.width)
    if len(png) > MAX_BYTES:
        print(f"warning: {len(png):,} bytes, over {MAX_BYTES:,}; try a smaller --width", file=sys.stderr)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(png)
    print(f"{args.output} ({len(png):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
