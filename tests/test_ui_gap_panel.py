"""The gap panel, driven from Python: moving a slider changes the figures, statuses and promise-able count
exactly as computed here from the raw rows, without rebuilding a figure."""
from __future__ import annotations

import html
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from workshop import charts, gap
from workshop.cube import cube_from_frames
from workshop.promise import load_promise, load_versions
from workshop.ui.gap_panel import GapPanel

GAP_DATA = Path(__file__).resolve().parent / "data" / "gap"
Z = 1.959963984540054


@pytest.fixture(scope="module")
def data():
    promise = load_promise(GAP_DATA / "promise.yml")
    frame = pd.read_csv(GAP_DATA / "feedback.csv", parse_dates=["date"])
    return promise, frame, cube_from_frames([frame], promise.pillar_ids)


@pytest.fixture
def panel(data):
    promise, _, cube = data
    return GapPanel(cube, promise)


def status_from_rows(scores: pd.Series, threshold: float, lift: float = 0.0, min_n: int = 30) -> str:
    """The promise-able rule, applied the slow way to raw scores."""
    values = (scores.dropna() + lift).clip(upper=10)
    n, above = len(values), int((values > threshold).sum())
    if n < min_n:
        return "not judged"
    p = above / n
    centre = (p + Z ** 2 / (2 * n)) / (1 + Z ** 2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z ** 2 / (4 * n ** 2)) / (1 + Z ** 2 / n)
    if centre - half > 0.5:
        return "promise-able"
    return "broken" if centre + half < 0.35 else "at risk"


def expected_statuses(promise, frame, thresholds=None, lifts=None, rows=None):
    rows = frame if rows is None else rows
    return {p.id: status_from_rows(rows[p.id], (thresholds or {}).get(p.id, p.threshold), (lifts or {}).get(p.id, 0))
            for p in promise.pillars}


def test_moving_a_threshold_changes_figures_statuses_and_count(panel, data):
    promise, frame, _ = data
    figures_before = {name: panel.figure(name) for name in charts.VIEW_GOAL_POSTS}
    traces_before = {name: len(figure.data) for name, figure in figures_before.items()}
    assert panel.statuses() == expected_statuses(promise, frame)

    panel.sliders["fast_delivery"]["threshold"].value = 3.5

    expected = expected_statuses(promise, frame, thresholds={"fast_delivery": 3.5})
    assert expected != expected_statuses(promise, frame), "the move must change a status for this test to mean anything"
    assert panel.statuses() == expected
    assert panel.promise_able_count() == sum(s == "promise-able" for s in expected.values())
    overview = panel.figure("overview")
    assert list(overview.data[2].x) == [3.5 if p == "fast_delivery" else promise.pillar(p).threshold
                                        for p in promise.pillar_ids]
    assert list(overview.data[1].marker.color) == [charts.STATUS_COLOURS[expected[p]] for p in promise.pillar_ids]
    share = (frame["fast_delivery"].dropna() > 3.5).mean()
    assert panel.figure("quadrant").data[0].y[0] == pytest.approx(round(100 * share, 1))
    assert f"{panel.promise_able_count()} of 4 pillars are promise-able" in panel.status.value
    assert "fewer than 35%" in panel.status.value
    assert panel.figures == figures_before and {n: len(f.data) for n, f in panel.figures.items()} == traces_before


def test_a_view_is_made_when_its_tab_opens_and_shows_the_current_goal_posts(panel, data):
    promise, frame, _ = data
    assert list(panel.figures) == ["overview"]
    panel.set_threshold("fast_delivery", 3.5)
    panel.tabs.selected_index = list(charts.VIEW_GOAL_POSTS).index("quadrant")
    share = (frame["fast_delivery"].dropna() > 3.5).mean()
    assert panel.figures["quadrant"].data[0].y[0] == pytest.approx(round(100 * share, 1))


def test_a_lift_can_make_a_pillar_promise_able(panel, data):
    promise, frame, _ = data
    panel.set_lift("fast_delivery", 2.0)
    expected = expected_statuses(promise, frame, lifts={"fast_delivery": 2.0})
    assert expected_statuses(promise, frame)["fast_delivery"] != "promise-able" == expected["fast_delivery"], \
        "the lift must make the pillar promise-able for this test to mean what its name says"
    assert panel.statuses() == expected
    assert panel.promise_able_count() == sum(s == "promise-able" for s in expected.values())
    lifted = (frame["fast_delivery"].dropna() + 2).clip(upper=10).mean()
    assert panel.figure("overview").data[1].x[0] == pytest.approx(lifted)
    assert panel.figure("loudness").data[3].x[0] == pytest.approx(lifted)


def test_the_threshold_never_passes_the_target(panel):
    panel.set_target("expert_help", 7)
    panel.set_threshold("expert_help", 9)
    posts = panel.goal_posts()["expert_help"]
    assert (posts.target, posts.threshold) == (7, 7)
    panel.set_target("expert_help", 5)
    assert panel.goal_posts()["expert_help"].threshold == 5
    assert list(panel.figure("overview").data[3].x)[1] == 5


def test_filters_recompute_from_the_kept_responses(panel, data):
    promise, frame, _ = data
    panel.touchpoints.value = ("phone",)
    phone = frame[frame["touchpoint"] == "phone"]
    assert panel.statuses() == expected_statuses(promise, frame, rows=phone)
    assert panel.statuses()["expert_help"] == "broken"
    panel.touchpoints.value = ()
    panel.months.value = ("2025-05", "2025-06")
    late = frame[frame["date"] >= "2025-05-01"]
    assert panel.statuses() == expected_statuses(promise, frame, rows=late)
    assert list(panel.figure("trend").data[1].x) == ["2025-05", "2025-06"]


def test_raising_min_n_stops_judging_small_cells(panel):
    panel.min_n.value = 10_000
    assert set(panel.statuses().values()) == {gap.NOT_JUDGED}
    assert panel.promise_able_count() == 0


def test_saving_keeps_the_old_promise_as_a_version(data, tmp_path):
    promise, _, cube = data
    folder = tmp_path / "client"
    folder.mkdir()
    shutil.copy(GAP_DATA / "promise.yml", folder / "promise.yml")
    saved = []
    panel = GapPanel(cube, promise, folder=folder, on_save=saved.append)
    panel.set_threshold("fair_prices", 7.5)
    panel.set_lift("fair_prices", 3)
    panel.save_button.click()
    versions = load_versions(folder)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].pillar("fair_prices").threshold == 6
    assert versions[1].pillar("fair_prices").threshold == 7.5
    assert saved and saved[0].version == 2
    assert "version 2" in panel.message.value


def test_the_room_rates_itself_in_the_form(panel, data):
    promise, frame, _ = data
    panel.figure("internal")
    panel.form.department.value = "<b>Ops</b>"
    panel.form.sliders["fast_delivery"][0].value = 9
    panel.form.add()
    figure = panel.figure("internal")
    assert "&lt;b&gt;Ops&lt;/b&gt;" in figure.layout.title.text and "<b>Ops" not in figure.layout.title.text
    assert figure.layout.title.text.endswith(
        f"rates Fast delivery {9 - frame['fast_delivery'].mean():.1f} points higher than customers do")


def test_bad_ratings_show_a_message_not_a_traceback(panel):
    bad = pd.DataFrame({"participant": ["x"], "department": ["Ops"], "pillar": ["teleport"],
                        "deliver_today": [5], "customers_would_rate": [5]})
    panel.add_internal_ratings(bad)
    assert "row 1, field 'pillar': is not a pillar of the promise (found 'teleport')" in html.unescape(
        panel.message.value)
    assert "Traceback" not in panel.message.value


def test_a_hidden_view_waits_for_its_tab_and_then_shows_the_current_goal_posts(panel, data):
    promise, frame, _ = data
    for name in charts.VIEW_GOAL_POSTS:
        panel.figure(name)
    panel.tabs.selected_index = 0
    before = panel.figures["loudness"].data[3].x[0]
    panel.set_lift("fast_delivery", 2.0)
    lifted = (frame["fast_delivery"].dropna() + 2).clip(upper=10).mean()
    assert panel.visible_view() == "overview"
    assert panel.figures["overview"].data[1].x[0] == pytest.approx(lifted)
    assert panel.figures["loudness"].data[3].x[0] == before, "a hidden view is not redrawn on every move"
    panel.tabs.selected_index = list(charts.VIEW_GOAL_POSTS).index("loudness")
    assert panel.figures["loudness"].data[3].x[0] == pytest.approx(lifted)
