"""The gap panel, driven from Python: moving a slider changes the figures, statuses and promise-able count
exactly as computed here from the raw rows, without rebuilding a figure."""
from __future__ import annotations

import html
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from workshop import charts, gap
from workshop.cube import cube_from_frames
from workshop.promise import load_promise, load_versions
from workshop.ui.gap_panel import VIEW_TITLES, GapPanel

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
    assert figure.layout.title.text.replace("<br>", " ").endswith(
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


# --- a pillar with no answers, or every answer in one month: never "nan", never a NaN in a widget message ----

FEEDBACK_DATA = Path(__file__).resolve().parent / "data" / "feedback"
ROOM = pd.DataFrame({"participant": ["ana", "ana", "ana"], "department": ["Billing"] * 3,
                     "pillar": ["speed", "care", "clarity"], "deliver_today": [7, 8, 9],
                     "customers_would_rate": [6, 7, 8]})


def _folder_with(tmp_path: Path, clarity: str) -> Path:
    """A workshop folder from the fixture promise and clean_comma.csv where 'Clear bills' (clarity) is
    unmapped (``clarity='unmapped'``) or answered in April 2024 only (``'one month'``)."""
    from workshop.feedback.mapping import save_mapping
    from workshop.feedback.suggest import suggest_mapping
    from workshop.feedback.readers import read_preview

    folder = tmp_path / "client"
    folder.mkdir()
    shutil.copy(FEEDBACK_DATA / "promise.yml", folder / "promise.yml")
    rows = pd.read_csv(FEEDBACK_DATA / "clean_comma.csv", dtype=str)
    if clarity == "one month":
        rows.loc[~rows["Date"].str.startswith("2024-04"), "Clear bills"] = None
    rows.to_csv(folder / "feedback.csv", index=False)
    mapping = suggest_mapping(read_preview(folder / "feedback.csv"), load_promise(folder / "promise.yml"),
                              source="feedback.csv")
    if clarity == "unmapped":
        del mapping.pillars["clarity"]
    save_mapping(mapping, folder)
    return folder


@pytest.fixture
def sent(monkeypatch):
    """Every message the widgets would send to the browser, as JSON text; the kernel's session refuses NaN
    (jupyter_client warns 'Out of range float values are not JSON compliant' and drops it), so this does too."""
    import json

    import comm

    messages: list[str] = []

    def publish(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        state = (data or {}).get("state", {})
        # The figure's own JavaScript (plotly.js) is sent too, and has its own words: only data is checked.
        code = {key: state.pop(key) for key in ("_esm", "_css", "_plotly_bundle") if key in state}
        messages.append(json.dumps(data, allow_nan=False))
        state.update(code)

    monkeypatch.setattr(comm.DummyComm, "publish_msg", publish)
    return messages


def _shown_text(panel: GapPanel) -> list[str]:
    """Every piece of text the panel shows: figure titles, annotations, labels, hover texts, the status."""
    texts = [panel.status.value]
    for figure in panel.figures.values():
        texts.append(str(figure.layout.title.text))
        texts += [str(a.text) for a in figure.layout.annotations]
        for trace in figure.data:
            for name in ("text", "hovertext", "hovertemplate"):
                value = getattr(trace, name, None)
                texts += [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
    return texts


def _assert_clean(panel: GapPanel, sent: list[str]) -> None:
    import json
    import re

    for name, figure in panel.figures.items():
        json.dumps(figure.to_plotly_json(), allow_nan=False, default=lambda array: array.tolist())
    assert not [t for t in _shown_text(panel) if re.search(r"\bnan\b", t, re.IGNORECASE)]
    assert not [m for m in sent if re.search(r"\bnan\b", m, re.IGNORECASE)]


@pytest.mark.parametrize("clarity", ["unmapped", "one month"])
def test_a_pillar_without_answers_says_so_and_sends_no_nan(tmp_path, sent, clarity):
    import warnings

    from workshop.feedback.load import load_workshop_feedback

    folder = _folder_with(tmp_path, clarity)
    feedback = load_workshop_feedback(folder)
    promise = load_promise(folder / "promise.yml")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        panel = GapPanel(feedback.cube, promise, ratings=ROOM)
        for index, name in enumerate(VIEW_TITLES):
            panel.tabs.selected_index = index
            panel.set_threshold("clarity", 5 + index / 2)
            panel.set_lift("clarity", index / 2)
            panel.set_lift("speed", 0.5)
        panel.min_n.value = 1
        panel.months.value = ("2024-04", "2024-05")
        # A filter that keeps nobody: advocates (recommend 9-10) among the web answers of May.
        panel.advocates_only.value = True
        panel.touchpoints.value = ("web",)
        for index, name in enumerate(VIEW_TITLES):
            panel.tabs.selected_index = index
    assert set(panel.figures) == set(VIEW_TITLES) and sent and not panel.message.value
    assert not [w for w in caught if "JSON" in str(w.message)]
    _assert_clean(panel, sent)
    if clarity == "unmapped":
        panel.advocates_only.value, panel.touchpoints.value, panel.months.value = False, (), ("2024-03", "2024-05")
        row = re.search(r"Clear bills</td>.*?</tr>", panel.status.value).group(0)
        assert charts.NO_ANSWERS in row and "%" not in row
        _assert_clean(panel, sent)


def test_the_room_adds_the_views_it_used_to_the_report(workshop_dir):
    from workshop.feedback.load import load_workshop_feedback
    from workshop.reporting import REPORT_VIEWS_FILE, load_report_views

    promise = load_promise(workshop_dir)
    panel = GapPanel(load_workshop_feedback(workshop_dir).cube, promise, workshop_dir)
    months = panel.filter().months
    assert months is None and "Months" not in panel.filter().caption()  # the whole span filters nothing
    last = len(panel.months.options) - 1
    panel.months.index = (1, last)
    assert panel.filter().months == (panel.months.options[1], panel.months.options[last])
    panel.months.index = (0, last)
    panel.touchpoints.value = ("phone",)
    panel.report_button.click()
    phone = gap.Filter(touchpoints=("phone",), months=months)
    assert panel.message.value == html.escape(f"Added to the report: {phone.caption()}")
    panel.report_button.click()
    assert panel.message.value == html.escape(f"Already in the report: {phone.caption()}")
    panel.touchpoints.value = ()
    panel.advocates_only.value = True
    assert panel.add_to_report() is True
    advocates = gap.Filter(advocates_only=True, months=months)
    assert load_report_views(workshop_dir) == [phone, advocates]
    text = (workshop_dir / REPORT_VIEWS_FILE).read_text(encoding="utf-8")
    assert text.count("\n- ") == 2 and "phone" in text and "advocates_only: true" in text


def test_a_broken_report_views_file_shows_a_message_and_is_kept(workshop_dir):
    from workshop.feedback.load import load_workshop_feedback
    from workshop.reporting import REPORT_VIEWS_FILE

    broken = "- touchpoints: [fax]\n"
    (workshop_dir / REPORT_VIEWS_FILE).write_text(broken, encoding="utf-8")
    panel = GapPanel(load_workshop_feedback(workshop_dir).cube, load_promise(workshop_dir), workshop_dir)
    panel.report_button.click()
    assert "report_views.yml, line 1, item 1, field &#x27;touchpoints&#x27;" in panel.message.value
    assert "&#x27;fax&#x27;" in panel.message.value and "Traceback" not in panel.message.value
    assert (workshop_dir / REPORT_VIEWS_FILE).read_text(encoding="utf-8") == broken


def test_without_a_folder_the_report_button_is_off(panel):
    assert panel.report_button.disabled


def test_a_panel_for_the_feedback_words_importance_and_unmapped_pillars_as_the_mapping_has_them(workshop_dir):
    from workshop.feedback.load import usable_workshop_feedback
    from workshop.feedback.mapping import load_mapping, save_mapping

    mapping = load_mapping(workshop_dir)
    mapping.recommend = None
    del mapping.pillars["expert_advice"]
    save_mapping(mapping, workshop_dir)
    promise = load_promise(workshop_dir)
    panel = GapPanel.for_feedback(usable_workshop_feedback(workshop_dir), promise, workshop_dir)
    assert re.search(r"Advice from people who know</td>.*?<td>not measured</td>", panel.status.value)
    assert panel.figure("quadrant").layout.title.text.replace("<br>", " ") == ("Importance is not derived: nothing to weigh the "
                                                          "pillars against")
    assert [a.text for a in panel.figure("overview").layout.annotations] == ["<i>not measured</i>"]


def test_the_rules_under_the_views_name_what_importance_is_derived_against(data):
    from workshop.feedback.advocates import NPS_RULE
    from workshop.feedback.mapping import NO_IMPORTANCE, ImportanceMeasure

    promise, _, cube = data
    overall = GapPanel(cube, promise, importance=ImportanceMeasure("overall", "Rating"))
    rules = overall._rules()
    assert rules[0].startswith("Importance: how strongly a pillar's score moves with the overall rating ('Rating')")
    assert NPS_RULE not in rules
    assert GapPanel(cube, promise, importance=None)._rules()[0] == NO_IMPORTANCE
    assert NPS_RULE in GapPanel(cube, promise)._rules()


def test_goal_posts_on_a_promise_edited_since_notebook_03_read_it_are_refused_and_kept(workshop_dir):
    """Notebook 03 reads the promise a cell before its panel; if notebook 01 saved in between, the panel's
    promise is already old, and saving its goal posts would write that old promise back."""
    from workshop.feedback.load import load_workshop_feedback
    from workshop.ui.promise_editor import PromiseEditor

    promise = load_promise(workshop_dir)
    PromiseEditor(workshop_dir).statement.value = "Edited in notebook 01 meanwhile"
    edited = (workshop_dir / "promise.yml").read_bytes()
    panel = GapPanel(load_workshop_feedback(workshop_dir).cube, promise, workshop_dir)
    panel.set_threshold("on_time_delivery", 7.5)
    panel.save_button.click()
    assert "changed in another tab — reload to see it" in panel.message.value
    assert panel.goal_posts()["on_time_delivery"].threshold == 7.5, "the goal posts stay on the sliders"
    assert (workshop_dir / "promise.yml").read_bytes() == edited and not (workshop_dir / "versions").exists()

    reloaded = GapPanel(load_workshop_feedback(workshop_dir).cube, load_promise(workshop_dir), workshop_dir)
    reloaded.set_threshold("on_time_delivery", 7.5)
    reloaded.save_button.click()
    saved = load_promise(workshop_dir)
    assert saved.version == 2 and saved.statement == "Edited in notebook 01 meanwhile"
    assert saved.pillar("on_time_delivery").threshold == 7.5


def test_a_view_added_over_report_views_saved_in_another_tab_is_refused(workshop_dir):
    from workshop.feedback.load import load_workshop_feedback
    from workshop.reporting import REPORT_VIEWS_FILE, load_report_views

    cube = load_workshop_feedback(workshop_dir).cube
    stale, other_tab = (GapPanel(cube, load_promise(workshop_dir), workshop_dir) for _ in range(2))
    other_tab.touchpoints.value = ("phone",)
    assert other_tab.add_to_report() is True
    saved = (workshop_dir / REPORT_VIEWS_FILE).read_bytes()

    stale.advocates_only.value = True
    stale.report_button.click()
    assert "changed in another tab — reload to see it" in stale.message.value
    assert stale.advocates_only.value is True
    assert (workshop_dir / REPORT_VIEWS_FILE).read_bytes() == saved
    other_tab.touchpoints.value = ("web",)
    assert other_tab.add_to_report() is True, "the tab that saved goes on adding views"
    assert load_report_views(workshop_dir) == [gap.Filter(touchpoints=("phone",)), gap.Filter(touchpoints=("web",))]


def test_a_half_point_the_slider_sent_as_float_noise_is_written_as_the_half_point(workshop_dir):
    """A browser slider stepping by 0.5 can send 6.499999999999999; the file and the projector say 6.5."""
    from workshop.feedback.load import load_workshop_feedback

    panel = GapPanel(load_workshop_feedback(workshop_dir).cube, load_promise(workshop_dir), workshop_dir)
    panel.set_target("on_time_delivery", 8.500000000000002)
    panel.set_threshold("on_time_delivery", 6.499999999999999)
    saved = panel.save()
    assert (saved.pillar("on_time_delivery").target, saved.pillar("on_time_delivery").threshold) == (8.5, 6.5)
    written = (workshop_dir / "promise.yml").read_text(encoding="utf-8")
    assert "threshold: 6.5\n" in written and "target: 8.5\n" in written and "99999" not in written


def test_goal_posts_and_the_rooms_own_entry_survive_filters_tabs_and_a_refused_save(workshop_dir):
    """STYLE rule 11 on step 3: every redraw leaves the sliders and the half-typed form as they were."""
    from workshop.feedback.load import load_workshop_feedback

    panel = GapPanel(load_workshop_feedback(workshop_dir).cube, load_promise(workshop_dir), workshop_dir)
    panel.set_target("on_time_delivery", 9)
    panel.set_threshold("on_time_delivery", 6.5)
    panel.set_lift("on_time_delivery", 1.5)
    panel.form.department.value = "Operations"
    panel.form.sliders["on_time_delivery"][0].value = 8.5
    panel.advocates_only.value = True
    panel.min_n.value = 50
    panel.tabs.selected_index = list(VIEW_TITLES).index("internal")
    panel.add_internal_ratings(pd.DataFrame(columns=list(gap.INTERNAL_COLUMNS)))
    (workshop_dir / "promise.yml").write_text((workshop_dir / "promise.yml").read_text() + "\n")  # another tab
    panel.save_button.click()
    assert "changed in another tab" in panel.message.value
    assert panel.goal_posts()["on_time_delivery"] == gap.GoalPost(9, 6.5, 1.5)
    assert (panel.form.department.value, panel.form.sliders["on_time_delivery"][0].value) == ("Operations", 8.5)
    assert panel.advocates_only.value and panel.min_n.value == 50
