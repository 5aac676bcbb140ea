"""The live panel in JupyterLab, in Chromium at projector size: its charts draw the room's answers, fill the
notebook's width and log no error, when the cell first runs and again after it is re-run (no kernel restart).

The room (three people who rated, proposed and voted, results revealed) is in the session before the panel is
made, so the first state the panel sends already holds data: a chart that comes up with empty axes or without
its title has lost what the kernel sent while the browser was still loading plotly's widget code.
"""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
import playwright.sync_api as playwright
import pytest

from conftest import SAMPLE, launch_chromium, seat_the_room
from jupyterlab import JupyterLab
from workshop.folder import new_workshop

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
PROJECTOR = {"width": 1280, "height": 800}
WAIT_MS = 180_000
"""JupyterLab, a kernel and plotly's 5 MB widget code on a shared two-core machine: generous, never a sleep."""
ROOM = [("Sales", "Ana"), ("Customer service", "Bo"), ("Operations", "Cy")]
FIGURES = """() => [...document.querySelectorAll('.jp-OutputArea .js-plotly-plot')].map(gd => {
  const svg = gd.querySelector('svg.main-svg');
  return {title: (gd.querySelector('.gtitle') || {}).textContent || '',
          marks: gd.querySelectorAll('path.point, path.box').length,
          drawn: svg ? svg.getBoundingClientRect().width : 0,
          room: gd.parentElement.getBoundingClientRect().width};
})"""


@pytest.fixture
def lab(tmp_path: Path):
    """JupyterLab serving two notebooks on a copy of the sample with the room seated: live.ipynb shows the
    LivePanel, gap.ipynb the GapPanel as notebook 03 makes it. Yields the URL of a notebook by its name."""
    folder = new_workshop(tmp_path / "acme", SAMPLE)
    seat_the_room(folder, ROOM, "text riders when the bike is ready", ideas=4)
    sources = {"live": f"from workshop.ui.live_panel import LivePanel\nlive = LivePanel({str(folder)!r})\nlive.widget",
               "gap": "from workshop.feedback.load import load_workshop_feedback\n"
                      "from workshop.promise import load_promise\nfrom workshop.ui.gap_panel import GapPanel\n"
                      f"folder = {str(folder)!r}\nfeedback = load_workshop_feedback(folder)\n"
                      "GapPanel.for_feedback(feedback, load_promise(folder + '/promise.yml'), folder).widget"}
    for name, source in sources.items():
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, tmp_path / f"{name}.ipynb")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    with JupyterLab.start(root=tmp_path, home=tmp_path / "jupyter", env=env) as server:
        server.wait_until_ready()
        yield server.notebook_url


def run_the_cell(page: playwright.Page, figures: int = 3) -> None:
    page.wait_for_function("() => document.querySelector('.jp-Dialog') || document.querySelector("
                           "\".jp-Notebook-ExecutionIndicator[data-status='idle']\")", timeout=WAIT_MS)
    if page.locator(".jp-Dialog").count():  # JupyterLab asks which kernel a new notebook should start
        page.locator(".jp-Dialog button.jp-mod-accept").click()
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached", timeout=WAIT_MS)
    page.locator(".jp-Cell .jp-InputArea-editor").first.click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_selector(".jp-OutputArea .js-plotly-plot", state="attached", timeout=WAIT_MS)
    page.wait_for_function(f"() => ({FIGURES})().length === {figures} && ({FIGURES})().every(f => f.title)",
                           timeout=WAIT_MS)


@pytest.mark.xfail(strict=True, reason="issue 12, open: 'The room next to the customers' draws no marks on the "
                   "first run in JupyterLab (the fix in workshop/ui/figures.py is not yet enough)")
def test_the_live_charts_draw_the_room_and_fill_the_notebook_on_every_run(lab, tmp_path: Path) -> None:
    with playwright.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport=PROJECTOR)
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(lab("live"))
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=WAIT_MS)
            for run in ("first run", "re-run"):
                try:
                    run_the_cell(page)
                finally:
                    page.screenshot(path=str(tmp_path / f"{run}.png"))
                figures = page.evaluate(FIGURES)
                assert [f["title"].split(" (")[0] for f in figures] == [
                    "The room's ratings", "The room next to the customers", "Dots per idea"], (run, figures)
                for figure in figures:
                    assert figure["marks"] > 0, (run, "drew no data", figure)
                    assert figure["drawn"] >= figure["room"] - 2, (run, "does not fill its container", figure)
                assert errors == [], (run, errors)
        finally:
            browser.close()


@pytest.mark.xfail(strict=True, reason="issue 12, open: no plotly background rect is found in the notebook's "
                   "output within 30 s after the gap panel's regrouping; not yet diagnosed")
def test_the_goal_posts_and_the_chart_they_move_are_on_screen_together(lab, tmp_path: Path) -> None:
    """At 1280×800 with the file browser open, once the panel is scrolled to the top of the screen: the
    threshold slider and the whole plot area of the chart it moves are in view."""
    with playwright.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport=PROJECTOR)
            page.goto(lab("gap"))
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=WAIT_MS)
            run_the_cell(page, figures=1)
            page.locator(".jp-OutputArea-output").first.evaluate("output => output.scrollIntoView()")
            page.screenshot(path=str(tmp_path / "gap panel.png"))
            slider = page.locator(".widget-slider:visible", has_text="threshold").first.bounding_box()
            plot = page.locator(".jp-OutputArea .js-plotly-plot .bglayer rect.bg").first.bounding_box()
            assert slider and plot, (slider, plot)
            assert 0 <= slider["y"] and slider["y"] + slider["height"] <= PROJECTOR["height"], slider
            assert plot["y"] >= 0 and plot["y"] + plot["height"] <= PROJECTOR["height"], plot
        finally:
            browser.close()
