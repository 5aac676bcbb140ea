"""Every figure of every view fits, measured on what Chromium draws: the gap panel's seven views, the live
panel's three, the action board's matrix and the report's figures, on the sample and on a folder with long pillar
names and fifteen department × pillar rows, at 1280×800 and 1920×1080.

A figure is drawn by plotly.js into a box as wide as a JupyterLab notebook's output at that screen (beside the
file browser), with the figure's own height. Then, on the rendered SVG: every text's box lies inside the figure,
no two texts overlap, no text lies on a marker (a dot, a threshold bar, a star), and no text is smaller than 16 px.
One browser and one page draw them all.

Besides every view as it first shows, the moves the rehearsal made that crowded a figure: a threshold moved next
to a pillar's dot, and the advocates-only filter, which brings the importance view's dots together.
"""
from __future__ import annotations

import json
from pathlib import Path

import playwright.sync_api as playwright
import plotly.offline
import pytest
import yaml

from conftest import SAMPLE, launch_chromium, seat_the_room
from workshop import charts, gap
from workshop.action_charts import impact_effort_matrix
from workshop.actions import Action
from workshop.feedback.load import load_workshop_feedback
from workshop.folder import new_workshop
from workshop.promise import PROMISE_FILE, load_promise
from workshop.reporting import build_report
from workshop.session import SessionStore, actions_of
from workshop.ui.gap_panel import GapPanel
from workshop.ui.live_panel import LivePanel

pytestmark = pytest.mark.browser

SCREENS = {"1280x800": ({"width": 1280, "height": 800}, 848), "1920x1080": ({"width": 1920, "height": 1080}, 1488)}
"""Screen, and the width of a notebook's output there with JupyterLab's file browser open (measured)."""
MIN_TEXT_PX = 16
LONG_NAMES = ["Delivered on the day and in the two-hour slot we promised", "Advice from people who really know",
              "Made to last for a generation of family life", "Put right without a fight, first time",
              "Easy to choose, order and pay for online"]
DEPARTMENTS = ("Operations", "Customer service", "Marketing")
PROBLEMS = """(figure) => {
  const box = figure.getBoundingClientRect();
  const texts = [...figure.querySelectorAll('svg text')].filter(t => t.textContent.trim() &&
      getComputedStyle(t).visibility !== 'hidden' && getComputedStyle(t).display !== 'none' &&
      !t.closest('.hoverlayer') && (t.getAttribute('opacity') || '1') !== '0')
    .map(t => [t, t.getBoundingClientRect()]).filter(([t, r]) => r.width > 0 && r.height > 0);
  const name = t => JSON.stringify(t.textContent.slice(0, 40));
  const problems = [];
  // A marker's box with its stroke: a threshold bar is a line, whose path alone has no width.
  const markers = [], ownMarker = new Map();
  figure.querySelectorAll('.scatterlayer .trace').forEach(trace => {
    const points = [...trace.querySelectorAll('.points path.point')];
    const labels = [...trace.querySelectorAll('.text .textpoint text')];
    if (points.length === labels.length) labels.forEach((t, i) => ownMarker.set(t, points[i]));
    for (const point of points) {
      const r = point.getBoundingClientRect(), half = (parseFloat(getComputedStyle(point).strokeWidth) || 0) / 2;
      if (r.width + r.height > 0)
        markers.push([point, {left: r.left - half, right: r.right + half, top: r.top - half, bottom: r.bottom + half}]);
    }
  });
  // A label written inside its own marker (the action board's numbers) is meant to be there.
  const inside = (r, m) => m.left <= (r.left + r.right) / 2 && (r.left + r.right) / 2 <= m.right &&
    m.top <= (r.top + r.bottom) / 2 && (r.top + r.bottom) / 2 <= m.bottom;
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
  for (const [t, r] of texts) {
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
      problems.push(`${name(t)} leaves the figure (${[r.left, r.top, r.right, r.bottom].map(Math.round)} of ${[box.left, box.top, box.right, box.bottom].map(Math.round)})`);
    const size = parseFloat(getComputedStyle(t).fontSize);
    if (size < 16) problems.push(`${name(t)} is ${size} px`);
    const covered = markers.find(([point, m]) => overlap(r, m) && !(ownMarker.get(t) === point && inside(r, m)));
    if (covered) problems.push(`${name(t)} lies on a marker at ${[covered[1].left, covered[1].top].map(Math.round)}`);
  }
  texts.forEach(([a, ra], i) => texts.slice(i + 1).forEach(([b, rb]) => {
    if (overlap(ra, rb)) problems.push(`${name(a)} overlaps ${name(b)}`);
  }));
  return problems;
}"""


def seat_the_room_and_agree_actions(folder: Path) -> None:
    """Three departments rate every pillar, propose and vote; the facilitator reveals and agrees actions."""
    seat_the_room(folder, [(department, department.split()[0]) for department in DEPARTMENTS],
                  "a text when the delivery van leaves the depot", ideas=6)
    with SessionStore(folder) as store:
        pillars = [p.id for p in store.promise().pillars]
        for number, (effort, impact) in enumerate(((1, 5), (1, 5), (2, 4), (4, 4), (5, 1), (3, 3), (2, 2)), 1):
            store.agree_action(Action("", pillars[number % len(pillars)], f"Action {number}: two-hour slots",
                                      owner_department="Operations", effort=effort, impact=impact))


def long_named(tmp_path: Path) -> Path:
    folder = new_workshop(tmp_path / "long", SAMPLE)
    promise = yaml.safe_load((folder / PROMISE_FILE).read_text(encoding="utf-8"))
    for pillar, name in zip(promise["pillars"], LONG_NAMES):
        pillar["name"] = name
    (folder / PROMISE_FILE).write_text(yaml.safe_dump(promise, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return folder


def every_figure(folder: Path) -> dict[str, dict]:
    """Each figure of each view of this folder, as plotly JSON (data, layout)."""
    seat_the_room_and_agree_actions(folder)
    feedback = load_workshop_feedback(folder)
    promise = load_promise(folder / PROMISE_FILE)
    store = SessionStore(folder)
    gap_panel = GapPanel.for_feedback(feedback, promise, ratings=store.room_ratings())
    figures = {f"gap {view}": gap_panel.figure(view) for view in charts.VIEW_GOAL_POSTS}
    live = LivePanel(folder, cube=feedback.cube, refresh_seconds=None)
    figures |= {"live ratings": live.ratings_figure, "live room": live.gap_figure, "live votes": live.votes_figure}
    actions = actions_of(store.state())
    names = {p.id: p.name for p in promise.pillars}
    figures["action board"] = impact_effort_matrix(actions, names).figure()
    report = build_report(folder)
    for index, view in enumerate([*report.gap_views, *report.room_views, *report.plan_views], 1):
        figures[f"report {index}"] = view.figure
    return {name: json.loads(figure.to_json()) for name, figure in figures.items()}


def crowded_figures(folder: Path) -> dict[str, dict]:
    """The gap panel's figures after the moves that crowd them, each made the way the panel shows it: the figure
    first, then the move, which updates it in place."""
    feedback = load_workshop_feedback(folder)
    promise = load_promise(folder / PROMISE_FILE)
    moved = GapPanel.for_feedback(feedback, promise)
    moved.figure("overview")
    broken = next(pillar for pillar, status in moved.statuses().items() if status == gap.BROKEN)
    moved.set_threshold(broken, 5.0)
    filtered = GapPanel.for_feedback(feedback, promise)
    filtered.figure("quadrant")
    filtered.advocates_only.value = True
    crowded = {
        f"gap overview, threshold 5.0 on {broken}": moved.figure("overview"),
        "gap quadrant, advocates only": filtered.figure("quadrant"),
    }
    return {name: json.loads(figure.to_json()) for name, figure in crowded.items()}


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("fit")
    sample = every_figure(new_workshop(tmp / "sample", SAMPLE)) | crowded_figures(new_workshop(tmp / "moved", SAMPLE))
    long = every_figure(long_named(tmp))
    return {**{f"sample · {k}": v for k, v in sample.items()}, **{f"long names · {k}": v for k, v in long.items()}}


def test_every_figure_fits_its_box_without_overlaps_at_projector_and_full_hd(figures, tmp_path: Path) -> None:
    page_file = tmp_path / "fit.html"
    page_file.write_text(f"<html><body style='margin:0'><script>{plotly.offline.get_plotlyjs()}</script>"
                         "<div id='figure'></div></body></html>", encoding="utf-8")
    problems: dict[str, list[str]] = {}
    shots = tmp_path / "shots"
    shots.mkdir()
    with playwright.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            for screen, (viewport, width) in SCREENS.items():
                page.set_viewport_size(viewport)
                for name, figure in figures.items():
                    layout = {**figure["layout"], "width": None, "autosize": True}
                    page.evaluate("""([data, layout, width]) => {
                        const div = document.getElementById('figure');
                        div.style.width = width + 'px';
                        div.style.height = (layout.height || 450) + 'px';  // as a FigureWidget's view is
                        Plotly.purge(div);
                        return Plotly.newPlot(div, data, layout, {displayModeBar: false, staticPlot: true});
                    }""", [figure["data"], layout, width])
                    found = page.evaluate(PROBLEMS, page.query_selector("#figure").as_element())
                    if found:
                        problems[f"{screen} {name}"] = found
                        page.locator("#figure").screenshot(path=str(shots / f"{screen} {name}.png"))
        finally:
            browser.close()
    assert problems == {}, "\n".join(f"{where}: {'; '.join(found[:6])}" for where, found in problems.items())
