"""The what-if panel in a real Chromium, on a Voila page of the sample workshop at projector size: moving an
assumption by keyboard redraws the curves (the plot's own data in the page changes as the model says), the
room adds the what-if to the report, and the report built afterwards holds the verdicts, the assumptions as
moved and the figures. The screenshot is kept in the test's folder for a person to look at."""
from __future__ import annotations

import html
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import playwright.sync_api as playwright
import pytest

from conftest import free_port, launch_chromium
from workshop.report import export_html
from workshop.reporting import build_report

pytestmark = pytest.mark.browser

WAIT_MS = 180_000
TOLD = "others each disappointed customer tells"
CELLS = [
    ("from workshop.feedback.load import load_workshop_feedback\n"
     "from workshop.promise import load_promise\n"
     "from workshop.ui.whatif_panel import WhatIfPanel"),
    ("folder = {folder!r}\n"
     "panel = WhatIfPanel(load_workshop_feedback(folder).cube, load_promise(folder + '/promise.yml'), folder)\n"
     "panel.widget"),
]


@pytest.fixture
def page_of_the_panel(workshop_dir: Path, tmp_path: Path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c.format(folder=str(workshop_dir)))
                                               for c in CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "whatif.ipynb"
    nbformat.write(notebook, path)
    port = free_port()
    voila = subprocess.Popen(
        [str(Path(sys.executable).parent / "voila"), str(path), f"--port={port}", "--no-browser",
         "--Voila.ip=127.0.0.1"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline or voila.poll() is not None:
                voila.kill()
                pytest.fail("Voila did not serve the what-if notebook within 180 s")
            time.sleep(0.5)
    try:
        yield url, workshop_dir, tmp_path
    finally:
        voila.terminate()
        voila.wait(timeout=30)


def lost_today(page) -> list[float]:
    """The bottom panel's 'today's gap' line of the cost figure, as plotly holds it in the page."""
    return page.evaluate("() => Array.from(document.querySelectorAll('.js-plotly-plot')[0].data[3].y)")


def test_moving_an_assumption_redraws_the_curves_and_the_report_keeps_it(page_of_the_panel) -> None:
    url, folder, out = page_of_the_panel
    with playwright.sync_playwright() as driver:
        browser = launch_chromium(driver)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url, timeout=WAIT_MS)
        page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=WAIT_MS)
        before = lost_today(page)
        assert before and max(before) > 0
        slider = page.locator(".widget-hslider", has=page.locator("label", has_text=TOLD)).first
        slider.scroll_into_view_if_needed()
        assert slider.locator(".widget-readout").inner_text().strip() == "12"
        slider.locator(".noUi-handle").focus()
        for _ in range(6):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(150)
        readout = slider.locator(".widget-readout")
        page.wait_for_function("(el) => el.textContent.trim() === '18'", arg=readout.element_handle(),
                               timeout=WAIT_MS)
        page.wait_for_function(
            "(first) => { const y = document.querySelectorAll('.js-plotly-plot')[0].data[3].y;"
            " return Math.abs(y[y.length - 1] - 1.5 * first) < 1e-6 * first; }",
            arg=before[-1], timeout=WAIT_MS)
        after = lost_today(page)
        assert after == pytest.approx([1.5 * v for v in before])  # 18 told instead of 12
        title = page.locator(".js-plotly-plot .gtitle").first.text_content()
        assert "lost to word of mouth" in title
        page.get_by_role("button", name="Add this what-if to the report").click()
        page.get_by_text("Added to the report").wait_for(timeout=30_000)
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.screenshot(path=str(out / "whatif_panel.png"), full_page=True)
        assert not errors, errors
        browser.close()

    report = html.unescape(export_html(build_report(folder), out / "report.html").read_text())
    assert "18 people" in report and "not promise-able" in report
    assert report.count('id="what-if-figure-') == 3
