"""Each gap view of the sample company, drawn by a real headless Chromium at projector size and saved as
chart_<view>.png for the README: into docs/img when PROMISE_GAP_REFRESH_TOUR=1 asks for it (conftest.SCREENSHOTS).

The figures are the gap panel's own (``GapPanel.figure``), on the sample's feedback with room ratings recorded
through the live session, so the screenshots are what the room sees. Each page must draw its plot from the
plotly.js written beside it, log no error, and give a screenshot that is not blank.
"""
from __future__ import annotations

import html
from pathlib import Path

import plotly.graph_objects as go
import plotly.offline
import playwright.sync_api as playwright
import pytest

from workshop import charts
from workshop.feedback.load import load_workshop_feedback
from workshop.promise import PROMISE_FILE, load_promise
from workshop.session import SessionStore
from workshop.ui.gap_panel import GapPanel

from conftest import SCREENSHOTS, launch_chromium, record_errors

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
PROJECTOR = {"width": 1280, "height": 720}
WAIT_MS = 20_000
MIN_PNG_BYTES = 30_000
"""A 1280×720 chart with text is well above this; a blank or error page is far below."""
ROOM = {  # department -> (deliver_today, customers_would_rate) per pillar, as two people in each might answer
    "Operations": {"on_time_delivery": (8, 7), "expert_advice": (7, 7), "made_to_last": (8, 8), "put_right": (6, 6),
                   "easy_online": (6, 5)},
    "Marketing": {"on_time_delivery": (9, 8.5), "expert_advice": (8, 8), "made_to_last": (9, 8),
                  "put_right": (7, 7), "easy_online": (8, 7.5)},
    "Customer service": {"on_time_delivery": (5, 4), "expert_advice": (7, 6.5), "made_to_last": (7, 7),
                         "put_right": (8, 6), "easy_online": (6, 6)},
}


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> GapPanel:
    from workshop.folder import new_workshop

    folder = new_workshop(tmp_path_factory.mktemp("tour") / "bramblewick", REPO / "datasets" / "sample")
    store = SessionStore(folder)
    code = store.start()
    store.open_stage("rating")
    for department, ratings in ROOM.items():
        for person in ("A", "B"):
            who = store.join(code, department, f"{department} {person}")
            for pillar, (deliver, guess) in ratings.items():
                nudge = 0.5 if person == "B" else 0.0
                store.rate(who.id, pillar, max(deliver - nudge, 0), max(guess - nudge, 0))
    promise = load_promise(folder / PROMISE_FILE)
    return GapPanel(load_workshop_feedback(folder).cube, promise, ratings=store.room_ratings())


def test_every_view_is_drawn_readably_in_chromium(panel: GapPanel, tmp_path: Path) -> None:
    (tmp_path / "plotly.min.js").write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
    pages = {}
    for view in charts.VIEW_GOAL_POSTS:
        figure = go.Figure(panel.figure(view).to_dict())
        figure.update_layout(width=PROJECTOR["width"])
        pages[view] = tmp_path / f"{view}.html"
        figure.write_html(pages[view], include_plotlyjs="plotly.min.js", full_html=True,
                          config={"displayModeBar": False, "staticPlot": True})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            errors: list[str] = []
            page = record_errors(browser.new_page(viewport=PROJECTOR), errors)
            for view, html_file in pages.items():
                page.goto(html_file.as_uri())
                page.wait_for_selector(".plotly-graph-div .main-svg .gtitle", timeout=WAIT_MS)
                drawn_title = page.eval_on_selector(".plotly-graph-div .gtitle", "title => title.textContent")
                shot = SCREENSHOTS / f"chart_{view}.png"
                page.locator(".plotly-graph-div").screenshot(path=str(shot))
                assert errors == [], f"{view}: {errors}"
                # A wrapped title is drawn as one line per <br>, which textContent joins without a space.
                assert drawn_title == html.unescape(panel.figure(view).layout.title.text.replace("<br>", "")), view
                assert shot.stat().st_size > MIN_PNG_BYTES, f"{view}: {shot.stat().st_size} bytes"
        finally:
            browser.close()
