"""The exports, read back with real readers: CSV (csv module and pandas), XLSX (openpyxl), Markdown and HTML
as text. Hostile text from the room must arrive as text everywhere; the owners the facilitator typed arrive
whatever the room chose about anonymity; the HTML report must stand alone and come out the same twice."""
from __future__ import annotations

import csv
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshop.actions import Action, FacilitatorWarning as PlanWarning
from workshop.promise import load_promise_and_stamp, load_versions, save_new_version
from workshop.report import (
    NO_FEEDBACK, PLAN_COLUMNS, ReportFigure, WorkshopReport, action_plan_table, export_all, export_html,
    export_markdown,
)
from workshop.spreadsheets import export_csv, export_xlsx, neutralise_formula

HYPERLINK = '=HYPERLINK("http://evil","x")'
SCRIPT = "<script>alert(1)</script>"
PIPE_MEASURE = "Delivered when we say above 6 for 70 % of advocates | by 30 June\nchecked monthly"
LONG_MEASURE = ("Made to last scores above 6 for 70 % of advocates who bought a sofa more than two years ago, "
                "by the end of the year")
OWNERS = ("Zoë Lindqvist", "@SUM(A1)", "Priya Shah")


def hostile_actions() -> list[Action]:
    """Three actions, given in the reverse of their priority, carrying every kind of hostile text."""
    return [
        Action("a3", "made_to_last", "Frame test for every new range", lever="training", owner_department="Sales",
               owner_name=OWNERS[2], due=date(2026, 9, 1), effort=1, impact=2, measure=LONG_MEASURE),
        Action("a2", "put_right", SCRIPT, move="refresh_promise", refresh_kind="narrow", lever="marketing_message",
               owner_department="+1+1", owner_name=OWNERS[1], effort=4, impact=4, measure="-2+3",
               status="in progress", gap=-0.4),
        Action("a1", "on_time_delivery", HYPERLINK, owner_department="Operations", owner_name=OWNERS[0],
               due=date(2026, 6, 30), effort=2, impact=5, measure=PIPE_MEASURE, votes=7,
               idea_ids=["idea-4", "idea-9"], gap=3.14),
    ]


IDEA_LABELS = {"idea-4": "#4"}

EXPECTED_ROWS = [  # in priority order: quick win, major project, fill-in
    ["Delivered when we say", 3.1, "Lift the experience", "", "Process and operations", "'" + HYPERLINK,
     "Operations", OWNERS[0], date(2026, 6, 30), 2, 5, "quick win", PIPE_MEASURE, "agreed", 7, "#4, idea-9"],
    ["Put right without a fight", -0.4, "Refresh the promise", "Narrow it (fewer touchpoints or customers)",
     "Marketing message", SCRIPT, "'+1+1", "'@SUM(A1)", None, 4, 4, "major project", "'-2+3", "in progress", 0, ""],
    ["Made to last", None, "Lift the experience", "", "Training", "Frame test for every new range", "Sales",
     OWNERS[2], date(2026, 9, 1), 1, 2, "fill-in", LONG_MEASURE, "agreed", 0, ""],
]


def bar(title: str, x: list, y: list) -> go.Figure:
    return go.Figure(go.Bar(x=x, y=y), layout={"title": {"text": title}})


@pytest.fixture
def report(workshop_dir: Path) -> WorkshopReport:
    """The sample company's promise refreshed once (v1 -> v2), the hostile actions, warnings and two figures."""
    promise, read = load_promise_and_stamp(workshop_dir)
    refreshed = promise.copy()
    refreshed.pillar("put_right").target = 8
    refreshed.pillar("put_right").claim = "We sort it within a week."
    save_new_version(refreshed, workshop_dir, expected=read)
    *earlier, current = load_versions(workshop_dir)
    warnings = [PlanWarning("easy_online", "'Easy to choose online' is broken today and has no action yet."),
                PlanWarning("put_right", f"'{SCRIPT}' has no due date.")]
    return WorkshopReport(
        workshop="acme", day=date(2026, 3, 14), promise=current, actions=hostile_actions(),
        warnings=warnings, earlier_promises=earlier, idea_labels=IDEA_LABELS,
        gap_views=[ReportFigure("Two pillars are promise-able", bar("gap <b>", ["a", "b"], [3, 1]),
                                "All customers, all touchpoints")],
        room_views=[ReportFigure(SCRIPT, bar("</script><script>alert(2)</script>", ["x"], [1]), HYPERLINK)])


# --- the table and the neutralisation ---------------------------------------------------------------------


def test_plan_table_is_prioritised_readable_and_names_the_owners(report):
    table = action_plan_table(report.actions, report.promise, idea_labels=IDEA_LABELS)
    assert list(table.columns) == list(PLAN_COLUMNS)
    raw = [row[:] for row in EXPECTED_ROWS]
    for row in raw:  # the table itself is not neutralised: exports are
        for i, cell in enumerate(row):
            if isinstance(cell, str) and cell.startswith("'"):
                row[i] = cell[1:]
    got = [[None if isinstance(v, float) and pd.isna(v) else v for v in row]
           for row in table.itertuples(index=False, name=None)]
    assert got == raw


@pytest.mark.parametrize("text", [HYPERLINK, "+1+1", "@SUM(A1)", "-2+3", "\tcmd", "\rcmd", "=1+1"])
def test_text_a_spreadsheet_would_run_becomes_text(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", [-2, -2.5, 0, date(2026, 1, 1), None, "", "Plain words", "3 + 4", " =1"])
def test_numbers_dates_and_ordinary_text_are_untouched(value):
    assert neutralise_formula(value) is value


@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_only_gains_a_quote(text):
    safe = neutralise_formula(text)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert safe in (text, "'" + text)


# --- CSV --------------------------------------------------------------------------------------------------


def test_csv_cell_by_cell(report, tmp_path):
    table = action_plan_table(report.actions, report.promise, idea_labels=IDEA_LABELS)
    path = export_csv(table, tmp_path / "plan.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    as_text = {None: "", 3.1: "3.1", -0.4: "-0.4"}
    expected = [[as_text.get(v, v.isoformat() if isinstance(v, date) else str(v))
                 if not isinstance(v, str) else v for v in row] for row in EXPECTED_ROWS]
    assert rows == [list(PLAN_COLUMNS), *expected]
    frame = pd.read_csv(path, encoding="utf-8-sig")
    assert frame["Effort"].tolist() == [2, 4, 1]
    assert frame["Gap when agreed"].tolist()[:2] == [3.1, -0.4]  # a negative number stays a number
    assert pd.isna(frame["Gap when agreed"][2])
    assert frame["Action"].tolist()[0] == "'" + HYPERLINK


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(measure=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_measure_comes_back_from_csv_as_typed_or_quoted(report, tmp_path, measure):
    action = Action("m", "made_to_last", "Measure it", measure=measure)
    path = export_csv(action_plan_table([action], report.promise), tmp_path / "one.csv")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        header, row = list(csv.reader(stream))
    assert row[header.index("Success measure")] == neutralise_formula(measure)


# --- XLSX -------------------------------------------------------------------------------------------------


def test_xlsx_cell_by_cell_with_formats(report, tmp_path):
    table = action_plan_table(report.actions, report.promise, idea_labels=IDEA_LABELS)
    book = openpyxl.load_workbook(export_xlsx(table, tmp_path / "plan.xlsx"))
    ws = book.active
    assert ws.title == "Action plan"
    assert [c.value for c in ws[1]] == list(PLAN_COLUMNS)
    for row_number, expected in enumerate(EXPECTED_ROWS, start=2):
        got = [c.value for c in ws[row_number]]
        # Dates come back as datetimes, empty text as empty cells.
        want = [datetime(v.year, v.month, v.day) if isinstance(v, date) else (v if v != "" else None)
                for v in expected]
        assert got == want, f"row {row_number}"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    for coordinate in ("F2", "G3", "H3", "M3"):  # the hyperlink, +1+1, @SUM(A1), -2+3
        assert ws[coordinate].data_type == "s" and ws[coordinate].value.startswith("'")
    assert ws["B3"].value == -0.4 and ws["B3"].data_type == "n"
    assert ws["I2"].is_date and ws["I2"].number_format == "yyyy-mm-dd"
    assert ws["I4"].is_date and ws["I4"].value == datetime(2026, 9, 1)
    assert ws["B2"].number_format == "0.0"
    assert all(c.font.bold and c.fill.fgColor.rgb == "00DCE6F1" for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:P4"
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABJMO"}
    assert widths == {"A": len("Put right without a fight") + 2, "B": len("Gap when agreed") + 2,
                      "J": 8, "M": 50, "O": 8}
    assert ws["M4"].alignment.wrap_text and ws["M2"].alignment.wrap_text  # long; has a line break
    assert not ws["A2"].alignment.wrap_text


def test_xlsx_drops_control_characters_xml_cannot_hold(report, tmp_path):
    action = Action("c", "made_to_last", "Bell\x07 and NUL\x00 gone")
    table = action_plan_table([action], report.promise)
    ws = openpyxl.load_workbook(export_xlsx(table, tmp_path / "c.xlsx")).active
    assert ws.cell(2, list(table.columns).index("Action") + 1).value == "Bell and NUL gone"


# --- Markdown ---------------------------------------------------------------------------------------------


def test_markdown_report_exactly(report, tmp_path):
    text = export_markdown(report, tmp_path / "report.md").read_text(encoding="utf-8")
    plan = text[text.index("## Action plan"):text.index("## Warnings")]
    assert plan == (
        "## Action plan\n\n"
        "| Pillar | Gap when agreed | Move | How (refresh kind) | Lever | Action | Owner department | Owner | Due "
        "| Effort "
        "| Impact | Priority (quadrant) | Success measure | Status | Votes | From ideas |\n"
        "|---|---:|---|---|---|---|---|---|---|---:|---:|---|---|---|---:|---|\n"
        "| Delivered when we say | 3.1 | Lift the experience |  | Process and operations "
        "| '=HYPERLINK(\"http://evil\",\"x\") | Operations | Zoë Lindqvist | 2026-06-30 | 2 | 5 | quick win "
        "| Delivered when we say above 6 for 70 % of advocates \\| by 30 June<br>checked monthly | agreed | 7 "
        "| #4, idea-9 |\n"
        "| Put right without a fight | -0.4 | Refresh the promise | Narrow it (fewer touchpoints or customers) "
        "| Marketing message | &lt;script&gt;alert(1)&lt;/script&gt; | '+1+1 | '@SUM(A1) |  | 4 | 4 | major project | '-2+3 "
        "| in progress | 0 |  |\n"
        f"| Made to last |  | Lift the experience |  | Training | Frame test for every new range | Sales | Priya Shah "
        f"| 2026-09-01 "
        f"| 1 | 2 | fill-in | {LONG_MEASURE} | agreed | 0 |  |\n\n")
    assert text.startswith("# Bramblewick Home: the promise and the action plan\n\n"
                           "Workshop acme, 2026-03-14. Promise version 2.\n\n"
                           f"## What this report stands on\n\n{NO_FEEDBACK}\n\n## The promise\n\n"
                           "> Furniture made to last, chosen with people who know, delivered when we say, and put "
                           "right without a fight.\n\n"
                           "| Pillar | What a customer should experience | Target | Promise-able above | Owners "
                           "| Claim | Loudness |\n|---|---|---:|---:|---|---|---:|\n"
                           "| Delivered when we say | Your order arrives on the day")
    assert "| Put right without a fight | If something goes wrong" in text
    assert "| Customer service, Operations | We sort it within a week. | 3 |\n" in text
    assert text.endswith(
        "## Warnings\n\n"
        "- 'Easy to choose online' is broken today and has no action yet.\n"
        "- '&lt;script&gt;alert(1)&lt;/script&gt;' has no due date.\n\n"
        "## How the promise changed\n\n"
        "### Version 1 → version 2\n\n"
        "- Pillar 'Put right without a fight': target: 10 → 8\n"
        "- Pillar 'Put right without a fight': claim: “One call and it's sorted.” → “We sort it within a week.”\n")


@pytest.mark.parametrize("hostile", ["[click](javascript:alert(1))", "![x](http://evil.example/p.png)",
                                     "[x][1]\n\n[1]: http://evil.example", "<http://evil.example>",
                                     "[a](<javascript:alert(1)>)"])
def test_participant_text_makes_no_link_or_image_in_any_markdown_viewer(report, tmp_path, hostile):
    """An idea that became an action's title stays text: no live link, no remote image, in the table or a
    warning (Markdown keeps link and image syntax unless it is escaped)."""
    import markdown

    report.actions[0].title = hostile
    report.warnings.append(PlanWarning("put_right", f"'{hostile}' has no due date."))
    text = export_markdown(report, tmp_path / "r.md").read_text(encoding="utf-8")
    rendered = markdown.markdown(text, extensions=["tables"])
    assert "<a " not in rendered and "<img" not in rendered
    assert "javascript:alert(1)" in rendered or "evil.example" in rendered  # still there to read


def test_markdown_without_refresh_or_actions_says_so(report, tmp_path):
    report.earlier_promises, report.actions, report.warnings = [], [], []
    text = export_markdown(report, tmp_path / "r.md").read_text(encoding="utf-8")
    assert "No actions were agreed.\n\n## Warnings\n\nNone.\n" in text
    assert text.endswith("## How the promise changed\n\nThe promise was not refreshed: this is version 2.\n")


# --- HTML -------------------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """The page's elements: every src/href attribute, the script elements and the figure divs."""

    def __init__(self, page: str):
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[dict] = []
        self.figure_ids: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.links += [attrs[name] for name in ("src", "href") if attrs.get(name)]
        if tag == "script":
            self.scripts.append(attrs)
        if "plotly-graph-div" in (attrs.get("class") or ""):
            self.figure_ids.append(attrs["id"])


def test_html_stands_alone_escapes_and_is_deterministic(report, tmp_path):
    first = export_html(report, tmp_path / "one.html").read_bytes()
    second = export_html(report, tmp_path / "two.html").read_bytes()
    assert first == second
    page = first.decode("utf-8")
    assert page.count("* plotly.js v") == 1  # the bundle's licence header: plotly.js inlined once
    parsed = _Page(page)
    assert parsed.links == []  # no src or href at all: nothing external, nothing local either
    assert all("src" not in script for script in parsed.scripts)
    assert len(parsed.scripts) == 1 + 2  # the bundle, then one call per figure
    assert parsed.figure_ids == ["gap-figure-1", "room-figure-1"]
    assert "<script>alert" not in page and "</script><script>alert(2)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the action, the warning and the figure's title
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<td class=\"text\">&#x27;=HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;)</td>" in page
    assert "Version 1 → version 2" in page and "target: 10 → 8" in page


def test_html_names_the_owners_typed_and_shows_sections_in_order(report, tmp_path):
    page = export_html(report, tmp_path / "named.html").read_text(encoding="utf-8")
    assert "<td>Zoë Lindqvist</td>" in page and "<td>&#x27;@SUM(A1)</td>" in page
    order = [page.index(f'id="{section}"') for section in ("promise", "gap", "room", "decisions", "plan")]
    assert order == sorted(order)


def test_html_without_figures_carries_no_plotly(report, tmp_path):
    report.gap_views, report.room_views = [], []
    page = export_html(report, tmp_path / "plain.html").read_text(encoding="utf-8")
    assert "plotly.js v" not in page and "<script" not in page
    assert "No gap views were chosen for the report." in page


# --- all exports ------------------------------------------------------------------------------------------


def test_export_all_names_files_by_workshop_and_date_and_carries_every_owner(report, workshop_dir):
    written = export_all(report, workshop_dir)
    assert {kind: path.name for kind, path in written.items()} == {
        "csv": "acme-2026-03-14-action-plan.csv", "xlsx": "acme-2026-03-14-action-plan.xlsx",
        "markdown": "acme-2026-03-14-report.md", "html": "acme-2026-03-14-report.html"}
    assert all(path.parent == workshop_dir / "exports" and path.is_file() for path in written.values())
    texts = [written[k].read_text(encoding="utf-8-sig") for k in ("csv", "markdown", "html")]
    cells = [str(c.value) for row in openpyxl.load_workbook(written["xlsx"]).active.iter_rows() for c in row]
    for owner in ("Zoë Lindqvist", "Priya Shah", "SUM(A1)"):
        assert all(owner in text for text in texts) and any(owner in cell for cell in cells)


def test_fractional_goal_posts_are_written_as_set(report, tmp_path):
    report.promise.pillar("made_to_last").target = 9.25
    report.promise.pillar("made_to_last").threshold = 6.5
    text = export_markdown(report, tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| Made to last | What you buy still looks" in text
    assert "| 9.25 | 6.5 | Operations, Sales |" in text


def test_an_action_not_rated_yet_is_said_so_and_its_effort_and_impact_left_empty(report, tmp_path):
    rated = Action("r", "made_to_last", "Rated", effort=1, impact=5)
    table = action_plan_table([Action("u", "made_to_last", "Not judged yet"), rated], report.promise)
    path = export_csv(table, tmp_path / "plan.csv")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        header, *rows = list(csv.reader(stream))
    cells = [{name: row[header.index(name)] for name in ("Action", "Effort", "Impact", "Priority (quadrant)")}
             for row in rows]
    assert cells == [{"Action": "Rated", "Effort": "1", "Impact": "5", "Priority (quadrant)": "quick win"},
                     {"Action": "Not judged yet", "Effort": "", "Impact": "", "Priority (quadrant)": "not rated yet"}]
