"""Slider key-press -> gap chart redrawn, in Chromium, on a Voila page of the gap panel.

Serves ``benchmarks/gap_panel_voila.ipynb`` (the gap panel on the ``tests/data/gap`` fixture) with Voila on
127.0.0.1, opens it in Debian's Chromium through Playwright, focuses the first pillar's threshold slider and
presses an arrow key ``--presses`` times (down to 0, then back up, so every press moves the threshold). For
each press it measures, in the page, from the keydown event to the first change in the overview chart's SVG
(MutationObserver) plus the next animation frame (the change painted).

Run from the repository root: ``.venv/bin/python benchmarks/slider_browser.py [--presses N]``.
Progress goes to stderr; the last stdout line is one JSON object. Budget: <= 150 ms median.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from harness import CHROMIUM, CHROMIUM_ARGS, free_port, log
from playwright.sync_api import sync_playwright

BUDGET_MS_MEDIAN = 150.0
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "benchmarks" / "gap_panel_voila.ipynb"

ARM = """() => {
  window.__pressed = null; window.__painted = null;
  const chart = document.querySelectorAll('.js-plotly-plot')[0];
  window.addEventListener('keydown', (event) => { window.__pressed = performance.now(); },
                          {capture: true, once: true});
  const observer = new MutationObserver(() => {
    if (window.__pressed === null) return;
    observer.disconnect();
    requestAnimationFrame(() => { window.__painted = performance.now(); });
  });
  observer.observe(chart, {subtree: true, childList: true, attributes: true, characterData: true});
}"""


def wait_for_server(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"Voila did not answer on {url} within {seconds:.0f} s")


def measure(url: str, presses: int) -> list[float]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1600, "height": 1200})
        page.goto(url, timeout=180_000)
        page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=180_000)
        log("page rendered; pressing keys")
        slider = page.locator(".widget-hslider", has=page.locator("label", has_text="threshold")).first
        handle = slider.locator(".noUi-handle")
        handle.focus()
        start = float(slider.locator(".widget-readout").inner_text())
        downs = int(start / 0.5)
        keys = (["ArrowLeft"] * downs + ["ArrowRight"] * downs) * (presses // (2 * downs) + 1)
        times = []
        for key in keys[:presses]:
            page.evaluate(ARM)
            page.keyboard.press(key)
            page.wait_for_function("window.__painted !== null", timeout=10_000)
            times.append(page.evaluate("window.__painted - window.__pressed"))
            # Let the kernel's echo of the value settle before the next press, as a person pressing would.
            page.wait_for_timeout(150)
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    voila = subprocess.Popen(
        [str(Path(sys.executable).parent / "voila"), str(NOTEBOOK), f"--port={port}", "--no-browser",
         "--Voila.ip=127.0.0.1", "--show_tracebacks=True"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        wait_for_server(url, 60)
        log(f"voila serving on {url}")
        times = measure(url, args.presses)
    finally:
        voila.terminate()
        voila.wait(timeout=20)
    ordered = sorted(times)
    median = statistics.median(ordered)
    log(f"key press -> chart redrawn: median {median:.1f} ms over {len(times)} presses")
    print(json.dumps({
        "benchmark": "slider_browser", "presses": len(times),
        "redraw_ms_median": round(median, 1), "redraw_ms_p95": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "redraw_ms_max": round(ordered[-1], 1), "budget_redraw_ms_median": BUDGET_MS_MEDIAN,
        "within_budget": median <= BUDGET_MS_MEDIAN,
        "browser": "Debian chromium, headless, via Playwright", "server": "voila on 127.0.0.1",
        "load_average_1_5_15": os.getloadavg(),
    }))


if __name__ == "__main__":
    main()
