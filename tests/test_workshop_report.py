"""``run_report``: notebook 05 executed with papermill on real workshop folders (a copy of the sample company,
a folder built from a client-format fixture), the same content twice, and a broken folder refused with its file
and line before anything runs. Each papermill run takes seconds, so the runs are few."""
from __future__ import annotations

import html
import shutil
from datetime import date

import pytest

from workshop import charts
from workshop.actions import Action
from workshop.feedback.load import load_workshop_feedback
from workshop.gap import Filter, GapError, GapMetrics, goal_posts_from_promise
from workshop.errors import PromiseError, WorkshopFolderError
from workshop.feedback.mapping import save_mapping
from workshop.feedback.readers import read_preview
from workshop.feedback.suggest import suggest_mapping
from workshop.promise import load_promise
from workshop.report import export_all, export_html, export_markdown
from workshop.reporting import REPORT_VIEWS_FILE, add_report_view, build_report, check_workshop, load_report_views, run_report
from workshop.session import SessionStore

from conftest import DATA

FIXTURES = DATA / "feedback"


def exported(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "exports").iterdir())
            if p.suffix in (".html", ".csv", ".md")}


def test_the_sample_report_runs_and_twice_gives_the_same_files(workshop_dir):
    with SessionStore(workshop_dir) as store:
        store.type_idea("Two-hour delivery slots", "on_time_delivery", "lift_experience", "process")
        store.agree_action(Action("", "on_time_delivery", "Two-hour delivery slots", owner_department="Operations",
                                  due=date(2026, 6, 30), idea_ids=["idea-1"]))
    html = run_report(workshop_dir)
    assert html.parent == workshop_dir / "exports" and html.name.endswith("-report.html")
    first = exported(workshop_dir)
    assert sorted(first) == sorted(p.name for p in (workshop_dir / "exports").iterdir()
                                   if p.suffix in (".html", ".csv", ".md"))
    assert len(first) == 3
    page = first[html.name].decode("utf-8")
    assert "Two-hour delivery slots" in page
    # the three gap views and the impact-effort matrix; nobody rated, so no room view
    assert page.count('class="plotly-graph-div"') == 4
    assert run_report(workshop_dir) == html
    assert exported(workshop_dir) == first


def test_a_folder_built_from_a_client_format_fixture_reports(tmp_path):
    folder = tmp_path / "client"
    folder.mkdir()
    shutil.copy(FIXTURES / "promise.yml", folder / "promise.yml")
    shutil.copy(FIXTURES / "semicolon_cp1252.csv", folder / "semicolon_cp1252.csv")
    mapping = suggest_mapping(read_preview(folder / "semicolon_cp1252.csv"), load_promise(folder),
                              source="semicolon_cp1252.csv")
    save_mapping(mapping, folder)
    html = run_report(folder)
    page = html.read_text(encoding="utf-8")
    assert "Quick answers" in page and "No actions were agreed." in page
    assert not (folder / "session.sqlite").exists()  # a report never starts a session


def test_a_corrupt_promise_fails_with_the_file_and_line_before_papermill_runs(workshop_dir, monkeypatch):
    promise = workshop_dir / "promise.yml"
    lines = promise.read_text(encoding="utf-8").splitlines()
    broken_line = next(i for i, line in enumerate(lines) if line.startswith("pillars:")) + 2
    lines[broken_line - 1] += " ]["
    promise.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import papermill
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("papermill ran"))
    with pytest.raises(PromiseError) as caught:
        run_report(workshop_dir)
    problem = caught.value.problems[0]
    assert problem.file == promise
    assert problem.line == broken_line
    assert f"promise.yml, line {broken_line}" in str(caught.value)


def test_a_mapping_naming_a_missing_file_is_refused_with_the_mapping_file(workshop_dir):
    (workshop_dir / "feedback.csv").unlink()
    with pytest.raises(WorkshopFolderError, match="mapping.yml.*names a file that is not there"):
        check_workshop(workshop_dir)


def test_a_folder_without_a_promise_is_refused(tmp_path):
    with pytest.raises(WorkshopFolderError, match="no promise.yml"):
        run_report(tmp_path)


def test_the_report_cites_ideas_by_number_and_keeps_earlier_promise_versions(workshop_dir):
    with SessionStore(workshop_dir) as store:
        first = store.type_idea("Say 'within a week'", "on_time_delivery", "refresh_promise", "marketing_message")
        action = store.agree_action(Action("", "on_time_delivery", "Say 'within a week'", move="refresh_promise",
                                           lever="marketing_message", refresh_kind="reword", idea_ids=[first]))
        store.refresh_promise(action, name="Delivered within the week")
    report = build_report(workshop_dir)
    assert report.idea_labels == {first: "#1"}
    assert [p.version for p in report.earlier_promises] == [1]
    assert report.promise.version == 2
    assert report.anonymous is True
    assert [str(c) for _, _, changes in report.refreshes() for c in changes] == [
        "Pillar 'Delivered within the week': name: “Delivered when we say” → “Delivered within the week”"]


def test_the_room_is_compared_with_the_customers_once_it_has_rated(workshop_dir):
    with SessionStore(workshop_dir) as store:
        code = store.start("ROOM1")
        store.open_stage("rating")
        for department, score in (("Operations", 9.0), ("Sales", 7.5)):
            who = store.join(code, department).id
            store.rate(who, "on_time_delivery", score, score - 2)
    report = build_report(workshop_dir)
    assert len(report.room_views) == 1
    assert report.room_views[0].caption == "2 participants rated the pillars."
    assert report.plan_views == []  # no actions, no matrix


def test_the_gap_views_say_in_words_which_responses_they_show(workshop_dir):
    assert {view.caption for view in build_report(workshop_dir).gap_views} == {"All responses (no filter)."}
    filtered = build_report(workshop_dir, Filter(touchpoints=("phone",), advocates_only=True))
    assert {view.caption for view in filtered.gap_views} == {"Touchpoints: phone. Advocates only."}


def test_a_folder_that_never_held_a_session_says_nothing_about_anonymity(workshop_dir, tmp_path):
    report = build_report(workshop_dir)
    assert not (workshop_dir / "session.sqlite").exists()
    text = export_markdown(report, tmp_path / "r.md").read_text(encoding="utf-8")
    page = export_html(report, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No actions were agreed." in text
    assert "anonymity" not in text and "anonymity" not in page


def _room_adds_phone_and_advocates(workshop_dir) -> list[Filter]:
    """Step 3 as the room does it: the phone touchpoint added (twice), then advocates only."""
    from workshop.ui.gap_panel import GapPanel

    panel = GapPanel(load_workshop_feedback(workshop_dir).cube, load_promise(workshop_dir), workshop_dir)
    panel.touchpoints.value = ("phone",)
    phone = panel.filter()
    panel.report_button.click()
    panel.report_button.click()
    panel.touchpoints.value = ()
    panel.advocates_only.value = True
    advocates = panel.filter()
    panel.report_button.click()
    return [phone, advocates]


def test_a_view_already_in_the_file_in_another_order_is_not_added_twice(workshop_dir):
    (workshop_dir / REPORT_VIEWS_FILE).write_text("- touchpoints: [web, phone]\n", encoding="utf-8")  # by hand
    assert add_report_view(workshop_dir, Filter(touchpoints=("phone", "web"))) is False
    assert load_report_views(workshop_dir) == [Filter(touchpoints=("phone", "web"))]


def test_the_report_draws_the_overview_on_each_view_the_room_added(workshop_dir, tmp_path):
    used = _room_adds_phone_and_advocates(workshop_dir)
    assert load_report_views(workshop_dir) == used
    report = build_report(workshop_dir)
    assert [view.caption for view in report.gap_views] == ["All responses (no filter)."] * 3 + [
        f.caption() for f in used]
    promise = load_promise(workshop_dir)
    engine = GapMetrics(load_workshop_feedback(workshop_dir).cube)
    names = {p.id: p.name for p in promise.pillars}
    for view, flt in zip(report.gap_views[3:], used):
        expected = charts.gap_overview(engine.table(flt, "pillar", goal_posts_from_promise(promise)), names)
        assert view.title == expected.title
        assert view.figure.to_json() == expected.figure().to_json()
    assert report.gap_views[3].figure.to_json() != report.gap_views[0].figure.to_json()
    page = export_all(report, workshop_dir)["html"].read_text(encoding="utf-8")
    for flt in used:
        assert f"<figcaption>{html.escape(flt.caption())}</figcaption>" in page


@pytest.mark.parametrize("text, where, field, value", [
    ("- touchpoints: [phone]\n- advocates_only: true\n  touchpoints: [fax]\n", "item 2", "touchpoints", "'fax'"),
    ("touchpoints: [phone]\n", "", None, "{'touchpoints': ['phone']}"),
])
def test_a_broken_report_views_file_stops_the_report_before_papermill(workshop_dir, monkeypatch, text, where,
                                                                       field, value):
    (workshop_dir / REPORT_VIEWS_FILE).write_text(text, encoding="utf-8")
    import papermill
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("papermill ran"))
    for check in (check_workshop, run_report):
        with pytest.raises(GapError) as caught:
            check(workshop_dir)
        (problem,) = caught.value.problems
        assert (problem.file, problem.where, problem.field, problem.value) == (
            workshop_dir / REPORT_VIEWS_FILE, where, field, value)
        assert str(workshop_dir / REPORT_VIEWS_FILE) in str(caught.value)
