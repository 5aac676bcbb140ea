"""``run_report``: notebook 05 executed with papermill on real workshop folders (a copy of the sample company,
a folder built from a client-format fixture), the same content twice, and a broken folder refused with its file
and line before anything runs. Each papermill run takes seconds, so the runs are few."""
from __future__ import annotations

import html
import shutil
from datetime import date

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from workshop import charts
from workshop.actions import Action
from workshop.feedback.load import FeedbackBlocked, load_workshop_feedback
from workshop.feedback.scales import ROUNDING_RULE
from workshop.files import stamp_of
from workshop.folder import WORKSHOP_ENV
from workshop.gap import Filter, GapError, GapMetrics, goal_posts_from_promise
from workshop.errors import PromiseError, WorkshopFolderError
from workshop.feedback.mapping import NO_IMPORTANCE, load_mapping, save_mapping
from workshop.feedback.readers import read_preview
from workshop.feedback.suggest import suggest_mapping
from workshop.promise import load_promise
from workshop.report import export_all, export_html, export_markdown
from workshop.reporting import REPORT_VIEWS_FILE, add_report_view, build_report, check_workshop, load_report_views, run_report
from workshop.session import SessionStore

from conftest import DATA, REPO

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
    assert report.room_views[0].caption.startswith("2 participants rated the pillars. Customers: All responses")
    assert report.plan_views == []  # no actions, no matrix


def filter_words(caption: str) -> str:
    """A gap view's caption without its n."""
    return caption[:caption.index(" n = ")]


def test_the_gap_views_say_in_words_which_responses_they_show(workshop_dir):
    assert {filter_words(view.caption) for view in build_report(workshop_dir).gap_views} == {
        "All responses (no filter)."}
    filtered = build_report(workshop_dir, Filter(touchpoints=("phone",), advocates_only=True))
    assert {filter_words(view.caption) for view in filtered.gap_views} == {"Touchpoints: phone. Advocates only."}


def test_an_anonymous_room_s_report_names_the_owners_the_facilitator_typed(workshop_dir, tmp_path):
    """Anonymity hides participants' names on ideas and votes; an action's owner is the plan's accountability."""
    with SessionStore(workshop_dir) as store:
        code = store.start("ROOM1")
        who = store.join(code, "Operations", "Ann Participant").id
        store.open_stage("ideas")
        idea = store.propose_idea(who, "Text the slot", "on_time_delivery", "lift_experience", "tools")
        store.agree_action(Action("", "on_time_delivery", "Text the slot", owner_department="Operations",
                                  owner_name="Sam Lee", idea_ids=[idea]))
        assert store.state().anonymous
    report = build_report(workshop_dir)
    assert report.plan()["Owner"].tolist() == ["Sam Lee"]
    text = export_markdown(report, tmp_path / "r.md").read_text(encoding="utf-8")
    page = export_html(report, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "| Operations | Sam Lee |" in text and "<td>Sam Lee</td>" in page
    assert "Ann Participant" not in text and "Ann Participant" not in page


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
    read = stamp_of(workshop_dir / REPORT_VIEWS_FILE)
    assert add_report_view(workshop_dir, Filter(touchpoints=("phone", "web")), expected=read) is None
    assert load_report_views(workshop_dir) == [Filter(touchpoints=("phone", "web"))]


def test_the_report_draws_the_overview_on_each_view_the_room_added(workshop_dir, tmp_path):
    used = _room_adds_phone_and_advocates(workshop_dir)
    assert load_report_views(workshop_dir) == used
    report = build_report(workshop_dir)
    assert [filter_words(view.caption) for view in report.gap_views] == ["All responses (no filter)."] * 3 + [
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
    for view in report.gap_views[3:]:
        assert f"<figcaption>{html.escape(view.caption)}</figcaption>" in page


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


# --- the report stands on checked feedback, and says what it stands on --------------------------------------


def _mapping_edited(folder, change) -> None:
    """Edit the folder's mapping.yml through the kit's own loader and writer, as notebook 02 would save it."""
    mapping = load_mapping(folder)
    change(mapping)
    save_mapping(mapping, folder)


def _blocked(folder):
    """The sample with its expert_advice column (0–10 answers) mapped as 1–5: most answers are out of range,
    so `workshop check` blocks."""
    _mapping_edited(folder, lambda m: setattr(m.pillars["expert_advice"], "scale", "1-5"))
    return folder


def first_screen(page: str) -> str:
    """What the HTML report shows before its first section (the promise, then the figures)."""
    return page[:page.index('<section class="promise"')]


def test_feedback_that_did_not_pass_the_check_stops_the_report_before_papermill(workshop_dir, monkeypatch):
    _blocked(workshop_dir)
    import papermill
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("papermill ran"))
    for refuse in (run_report, build_report):
        with pytest.raises(FeedbackBlocked) as caught:
            refuse(workshop_dir)
        (problem,) = caught.value.problems
        assert (problem.file, problem.field) == (workshop_dir / "feedback.csv", "expert_advice")
        assert "is mostly outside the 1-5 scale" in str(caught.value)
        assert "no finding is drawn from it" in str(caught.value)
    assert not list((workshop_dir / "exports").glob("*.html"))


@pytest.mark.parametrize("notebook", ["03_visualise_the_gap.ipynb", "05_workshop_report.ipynb"])
def test_notebooks_3_and_5_show_the_check_s_problem_instead_of_figures(workshop_dir, monkeypatch, notebook):
    _blocked(workshop_dir)
    monkeypatch.setenv(WORKSHOP_ENV, str(workshop_dir))
    executed = nbformat.read(REPO / "notebooks" / notebook, as_version=4)
    with pytest.raises(CellExecutionError):
        NotebookClient(executed, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
    outputs = [o for cell in executed.cells if cell.cell_type == "code" for o in cell.outputs]
    (error,) = [o for o in outputs if o.output_type == "error"]
    shown = "\n".join(error.traceback)
    assert shown.startswith("The feedback did not pass the check, so no finding is drawn from it:")
    assert "field 'expert_advice': is mostly outside the 1-5 scale" in shown
    assert "Traceback" not in shown and "File " not in shown  # words, not frames
    assert not any(o.get("data", {}).keys() & {"application/vnd.jupyter.widget-view+json",
                                               "application/vnd.plotly.v1+json"} for o in outputs)
    assert not list((workshop_dir / "exports").glob("*.html"))


def test_the_report_states_its_evidence_on_its_first_screen(workshop_dir):
    """A client file with a 1–5 column and rows without a date: the counts, period and rules the report states
    are computed here again from the file with pandas."""
    path = workshop_dir / "feedback.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw["made_to_last"] = [str(1 + round(int(v) * 0.4)) if v else "" for v in raw["made_to_last"]]
    raw.loc[raw.index % 25 == 0, "date"] = ""  # no date: these rows are set aside
    raw.to_csv(path, index=False)
    _mapping_edited(workshop_dir, lambda m: setattr(m.pillars["made_to_last"], "scale", "1-5"))

    report = build_report(workshop_dir)
    page = first_screen(export_html(report, workshop_dir / "r.html").read_text(encoding="utf-8"))
    dated = raw[raw["date"] != ""]
    months = pd.to_datetime(dated["date"]).dt.strftime("%Y-%m")
    assert "<td>feedback.csv</td>" in page
    assert (f"{len(raw):,} rows read: {len(dated):,} kept, {len(raw) - len(dated):,} set aside. "
            f"Figures count {len(dated):,} responses.") in page
    assert f"{months.min()} to {months.max()} ({months.nunique()} months)." in page
    assert f"<td>{', '.join(sorted(dated['touchpoint'].unique()))}</td>" in page
    # The rules in words a client reads, not the formulas the mapping panel shows the consultant.
    assert "Made to last from column &#x27;made_to_last&#x27;: 1 to 5, stretched to 0–10 (1 counts as 0, 5 as 10)." \
        in page
    assert "Put right without a fight from column &#x27;put_right&#x27;: 0 to 10, as given." in page
    promoters = int((pd.to_numeric(dated["recommend"], errors="coerce") >= 9).sum())
    assert f"promoters: recommend 9–10 ({promoters:,} of {len(dated):,} responses)." in page
    assert html.escape(ROUNDING_RULE) in page
    assert "Every pillar of the promise has scores." in page
    assert "<td>derived against likelihood to recommend.</td>" in page
    answers = dated[[p.id for p in report.promise.pillars]].replace("", None).notna().sum()
    assert {view.caption for view in report.gap_views} == {
        f"All responses (no filter). n = {len(dated):,} responses; {answers.min():,} to {answers.max():,} answers "
        "per measured pillar."}


def test_a_pillar_the_mapping_leaves_out_is_named_not_measured_on_the_first_screen(workshop_dir):
    _mapping_edited(workshop_dir, lambda m: m.pillars.pop("expert_advice"))
    report = build_report(workshop_dir)
    page = first_screen(export_html(report, workshop_dir / "r.html").read_text(encoding="utf-8"))
    headlines = page[page.index('<div class="headlines">'):page.index("</div>")]
    assert "Pillar &#x27;Advice from people who know&#x27; is not measured: no column or question is mapped to it" \
        in headlines
    assert "Advice from people who know: no column or question is mapped to it." in page
    overview = report.gap_views[0].figure
    assert [(a.text, a.y.replace("<br>", " ")) for a in overview.layout.annotations] == [("<i>not measured</i>",
                                                                     "Advice from people who know")]
    markdown = export_markdown(report, workshop_dir / "r.md").read_text(encoding="utf-8")
    assert markdown.index("Advice from people who know: no column") < markdown.index("## The promise")


def test_a_mapping_with_no_date_column_makes_the_report_say_the_responses_are_undated(workshop_dir):
    _mapping_edited(workshop_dir, lambda m: m.fields.pop("date"))
    report = build_report(workshop_dir)
    page = first_screen(export_html(report, workshop_dir / "r.html").read_text(encoding="utf-8"))
    assert ("<tr><th scope=\"row\">Period</th><td>undated: the mapping names no date column, so no period and no "
            "month-by-month view can be shown.</td></tr>") in page


def test_without_a_recommend_question_the_importance_view_says_importance_is_not_derived(workshop_dir):
    _mapping_edited(workshop_dir, lambda m: setattr(m, "recommend", None))
    report = build_report(workshop_dir)
    importance = report.gap_views[1]
    assert importance.title == "Importance is not derived: nothing to weigh the pillars against"
    assert [a.text.replace("<br>", " ") for a in importance.figure.layout.annotations] == [NO_IMPORTANCE]
    page = export_html(report, workshop_dir / "r.html").read_text(encoding="utf-8")
    assert "No important pillar falls below the promise-able line" not in page
    assert f"<th scope=\"row\">Importance</th><td>{html.escape(NO_IMPORTANCE)}</td>" in first_screen(page)
