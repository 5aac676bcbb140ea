"""The script and the panels agree: notebooks 00–05 and the facilitator guide tell one story.

Read the way a facilitator reads them: the minutes in each notebook's headings and tables add up to the step's
length, and to the agendas' blocks for that step; the room rates itself once, in step 3, before any customer
number, and its results are revealed at *Room vs customers*; every filter or choice the script names leads to
a screen with something on it, on the sample company; no notebook asks for a cell to be run again to wire two
panels together; and no output is a Python repr (a dict, a path object, a quoted string): each notebook is
executed top to bottom on a fresh kernel, on a copy of the sample, and every result it shows is read.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, SAMPLE, markdown_table_rows

NOTEBOOKS = REPO / "notebooks"
GUIDE = REPO / "facilitator_guide"
STEPS = {1: "01_define_the_promise", 2: "02_load_advocate_feedback", 3: "03_visualise_the_gap",
         4: "04_agree_on_actions"}
MINUTES = re.compile(r"\((\d+) minutes\)")
RANGE = re.compile(r"(\d+)\s*[–-]\s*(\d+) minutes")


def notebook(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def markdown(name: str) -> str:
    return "\n\n".join(cell.source for cell in notebook(name).cells if cell.cell_type == "markdown")


def headings(text: str, level: int) -> list[str]:
    return re.findall(rf"^{'#' * level} (.+)$", text, re.M)


def step_minutes(name: str) -> int:
    """The length a step notebook states in its title: '(45 minutes)'; a range is no length."""
    title = headings(markdown(name), 1)[0]
    assert not RANGE.search(title), f"{name}: the title gives a range ({title}); say how long the step takes"
    found = MINUTES.search(title)
    assert found, f"{name}: the title '{title}' does not say how many minutes the step takes"
    return int(found.group(1))


def section_minutes(name: str) -> list[tuple[str, int]]:
    return [(heading, int(MINUTES.search(heading).group(1))) for heading in headings(markdown(name), 2)
            if MINUTES.search(heading)]


def agenda_minutes_by_notebook(agenda: str) -> dict[str, int]:
    """Minutes of an agenda's blocks, summed by the notebook each block runs in (the break has none)."""
    totals: dict[str, int] = {}
    for row in markdown_table_rows((GUIDE / agenda).read_text(), "| Start | Min |"):
        found = re.match(r"`(\d\d_[a-z_]+)`", row[3])
        if found:
            totals[found.group(1)] = totals.get(found.group(1), 0) + int(row[1])
    return totals


# --- timings add up -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", STEPS.values())
def test_each_steps_sections_add_up_to_the_length_in_its_title(name: str):
    sections = section_minutes(name)
    assert sections, f"{name}: no section says how long it takes"
    assert sum(m for _, m in sections) == step_minutes(name), \
        f"{name}: sections {sections} add up to {sum(m for _, m in sections)}, the title says {step_minutes(name)}"


def test_step_3s_timetable_runs_without_gaps_to_the_steps_length():
    clock = 0
    for row in markdown_table_rows(markdown(STEPS[3]), "| minutes |"):
        start, end = map(int, re.fullmatch(r"(\d+)–(\d+)", row[0]).groups())
        assert start == clock, f"03: '{row[1]}' starts at {start}, the row before ends at {clock}"
        clock = end
    assert clock == step_minutes(STEPS[3])


def test_step_4s_timetable_adds_up_to_the_steps_length():
    parts = markdown_table_rows(markdown(STEPS[4]), "| Part | Time |")
    assert sum(int(re.fullmatch(r"(\d+) min", time).group(1)) for _, time in parts) == step_minutes(STEPS[4])


def test_the_half_day_agenda_gives_each_step_the_minutes_its_notebook_says():
    by_notebook = agenda_minutes_by_notebook("agenda_half_day.md")
    for name in STEPS.values():
        assert by_notebook[name] == step_minutes(name), \
            f"agenda_half_day.md gives {name} {by_notebook[name]} min, the notebook says {step_minutes(name)}"
    opening = sum(m for _, m in section_minutes("00_start_here"))
    assert by_notebook["00_start_here"] == opening, f"00's opening takes {opening} min, the agenda gives it " \
                                                    f"{by_notebook['00_start_here']}"


def test_notebook_00s_table_gives_each_step_its_notebooks_length():
    for step, _notebook, minutes, _ends in markdown_table_rows(markdown("00_start_here"), "| Step | Notebook |"):
        name = STEPS[int(step[0])]
        assert minutes == f"{step_minutes(name)} min", f"00 gives {name} {minutes}"


def test_notebook_00s_preparation_time_is_the_agendas():
    before = re.search(r"\*\*Before the room arrives\*\* \((\d+) minutes", markdown("00_start_here"))
    agenda = re.search(r"\*\*Before 0:00\*\* \((\d+) minutes", (GUIDE / "agenda_half_day.md").read_text())
    assert before and agenda and before.group(1) == agenda.group(1)


def test_the_guides_overview_table_matches_both_agendas():
    half_day = agenda_minutes_by_notebook("agenda_half_day.md")
    short = agenda_minutes_by_notebook("agenda_90_minutes.md")
    for row in markdown_table_rows((GUIDE / "README.md").read_text(), "| Step | Notebook |"):
        name = re.search(r"(\d\d_[a-z_]+)\.ipynb", row[1]).group(1)
        if name in half_day:
            assert row[2:4] == [f"{half_day[name]} min", f"{short[name]} min"], f"README: {name} {row[2:4]}"


@pytest.mark.parametrize("step", STEPS)
def test_each_step_page_states_the_timings_of_both_agendas(step: int):
    page = next(GUIDE.glob(f"step_{step}_*.md")).read_text()
    timing = next(row[1] for row in markdown_table_rows(page, "| | |") if row[0] == "**Timing**")
    found = re.match(r"(\d+) min in the half day \(([^)]*)\); (\d+) min in the 90-minute version(?: \(([^)]*)\))?",
                     timing)
    assert found, f"step {step}: the timing reads '{timing}'"
    half_day, parts, short, short_parts = int(found.group(1)), found.group(2), int(found.group(3)), found.group(4)
    assert half_day == step_minutes(STEPS[step]) == sum(int(n) for n in re.findall(r"\b(\d+) ", parts))
    assert short == agenda_minutes_by_notebook("agenda_90_minutes.md")[STEPS[step]]
    if re.search(r"\d", short_parts or ""):
        assert short == sum(int(n) for n in re.findall(r"\b(\d+) ", short_parts)), f"step {step}: {short_parts}"
    assert "notebook allows" not in timing, f"step {step}: one length, the notebook's: '{timing}'"


def test_the_cheat_sheet_gives_each_step_its_notebooks_length():
    totals: dict[str, int] = {}
    cheat_sheet = (GUIDE / "printables" / "facilitator_cheat_sheet.md").read_text()
    for _time, block, panel, _ends in markdown_table_rows(cheat_sheet, "| Time | Block |"):
        number = re.match(r"(\d\d) ·", panel)
        if number and number.group(1) != "00":
            totals[number.group(1)] = totals.get(number.group(1), 0) + int(re.search(r"\((\d+)\)", block).group(1))
    assert totals == {name[:2]: step_minutes(name) for name in STEPS.values()}


# --- one story: who rates when, and when results are revealed -------------------------------------------


RATE = "Open: Rate the promise"


def test_only_step_3_opens_the_rating_stage():
    """The agenda has the room rate itself at the start of step 3, before any customer number: no other
    notebook or step page opens the rating stage (notebook 01 used to have the room rate and reveal)."""
    opening = [name for name in ["00_start_here", *STEPS.values()] if RATE in markdown(name)]
    assert opening == [STEPS[3]]
    pages = [page.name for page in GUIDE.glob("step_*.md") if "Rate the promise" in page.read_text()]
    assert pages == ["step_3_visualise_the_gap.md"]
    for agenda in ("agenda_half_day.md", "agenda_90_minutes.md"):
        rows = [row for row in markdown_table_rows((GUIDE / agenda).read_text(), "| Start | Min |") if RATE in row[3]]
        assert [row[3][:22] for row in rows] == ["`03_visualise_the_gap`"], agenda


def test_step_3_rates_first_and_reveals_at_room_vs_customers():
    sections = re.split(r"^## ", markdown(STEPS[3]), flags=re.M)[1:]
    rating = next(i for i, text in enumerate(sections) if RATE in text)
    reveal = [i for i, text in enumerate(sections)
              if re.search(r"(?<!not )(?<!not\*\* )click \*\*Reveal results\*\*", text)]
    gap = next(i for i, text in enumerate(sections) if "**Gap overview**" in text)
    assert rating < gap and reveal == [next(i for i, text in enumerate(sections) if "Room vs customers" in
                                            text.splitlines()[0])], "reveal once, at Room vs customers"
    for agenda in ("agenda_half_day.md", "agenda_90_minutes.md"):
        blocks = [row[2] for row in markdown_table_rows((GUIDE / agenda).read_text(), "| Start | Min |")]
        shown = [row[2] for row in markdown_table_rows((GUIDE / agenda).read_text(), "| Start | Min |")
                 if "**Reveal results**" in row[3] and row[3].startswith("`03_")]
        assert shown == ["Room vs customers"], agenda
        assert blocks.index("The room rates itself") < blocks.index("The gap on one screen"), agenda


def test_step_1_reads_the_promise_card_and_asks_no_phones():
    text = markdown(STEPS[1])
    assert "promise card" in text
    sources = "\n".join(cell.source for cell in notebook(STEPS[1]).cells if cell.cell_type == "code")
    assert "LivePanel" not in sources, "step 1 is the room and the flip chart; the phones come out in step 3"


# --- no cell to run again -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["00_start_here", *STEPS.values(), "05_workshop_report"])
def test_no_notebook_asks_for_a_cell_to_be_run_again(name: str):
    """Panels follow each other (the explorer follows the mapping panel's loads, Room vs customers follows the
    live panel's reveal): the facilitator never re-runs a cell to carry one into the other."""
    text = markdown(name)
    asks = re.findall(r"[^.]*\b(?:run|re-run)\b[^.]*\bcell\b[^.]*\bagain\b[^.]*\.|[^.]*then\s+run\s+the\s+cell\s+below[^.]*\.",
                      text, re.I)
    assert asks == [], f"{name}: {asks}"


# --- every instruction leads to a non-empty screen on the sample ----------------------------------------


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory) -> Path:
    from workshop.folder import new_workshop

    return new_workshop(tmp_path_factory.mktemp("story") / "sample", SAMPLE)


@pytest.fixture(scope="module")
def sample_feedback(sample_folder):
    from workshop.feedback.load import load_workshop_feedback

    return load_workshop_feedback(sample_folder)


def explorer_instructions(text: str) -> list[tuple[str, str]]:
    """(control, choice) for each 'set/switch **Control** to *choice*' in the order the script gives them."""
    return re.findall(r"\*\*(Who|Score|Pillar|Touchpoint|Segment)\*\*(?: back)? to \*([^*]+)\*", text)


def test_the_explorer_instructions_are_found():
    assert explorer_instructions("Set **Who** to *Advocates only*, then switch **Score** back to *Any score*") == [
        ("Who", "Advocates only"), ("Score", "Any score")]


@pytest.mark.parametrize("source", ["notebook 02", "step 2 page"])
def test_every_explorer_instruction_shows_comments_for_every_pillar(source, sample_folder, sample_feedback):
    """Followed in order, each 'set **Who** to …' / 'switch **Score** to …' leaves comments on screen whichever
    pillar the facilitator picked (02 used to say Advocates only, then Detractors: 0 comments match)."""
    from workshop.promise import load_promise
    from workshop.ui.verbatims import VerbatimExplorer

    text = markdown(STEPS[2]) if source == "notebook 02" else (GUIDE / "step_2_load_advocate_feedback.md").read_text()
    instructions = explorer_instructions(text)
    assert len(instructions) >= 2, f"{source} names no explorer choice"
    promise = load_promise(sample_folder)
    explorer = VerbatimExplorer.for_workshop(sample_folder, sample_feedback, promise)
    controls = {"Who": explorer.advocate, "Score": explorer.band, "Pillar": explorer.pillar,
                "Touchpoint": explorer.touchpoint, "Segment": explorer.segment}
    chosen: dict[str, object] = {}
    for control, choice in instructions:
        options = [value for label, value in controls[control].options if label.lower().startswith(choice.lower())]
        assert options, f"{source}: **{control}** has no choice '{choice}'"
        chosen[{"Who": "advocate", "Score": "band"}.get(control, control.lower())] = options[0]
        for pillar_id in promise.pillar_ids:
            explorer.set_filters(**{"pillar": pillar_id, **chosen})
            assert explorer.shown_comments(), f"{source}: after **{control}** to *{choice}*, {pillar_id}: " \
                                              f"{re.sub('<[^>]+>', '', explorer.counts.value)}"


def test_every_gap_filter_the_script_names_judges_every_pillar(sample_folder, sample_feedback):
    """03 says to look at the *phone* touchpoint on its own and at *advocates only*: each, on the sample, leaves
    every pillar judged (enough answers), so the view the room goes quiet at has something to show."""
    from workshop.promise import load_promise
    from workshop.ui.gap_panel import GapPanel

    text = markdown(STEPS[3])
    touchpoints = re.findall(r"the \*([a-z]+)\* touchpoint", text)
    assert touchpoints and "*advocates only*" in text
    panel = GapPanel.for_feedback(sample_feedback, load_promise(sample_folder))
    for touchpoint in touchpoints:
        panel.touchpoints.value = (touchpoint,)
        assert "not judged" not in panel.statuses().values(), (touchpoint, panel.statuses())
    panel.touchpoints.value = ()
    panel.advocates_only.value = True
    assert "not judged" not in panel.statuses().values(), panel.statuses()


# --- no output looks like code ---------------------------------------------------------------------------


RICH = {"text/html", "application/vnd.jupyter.widget-view+json", "text/markdown", "image/png"}


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    """Notebooks 00–05 run top to bottom, each on a fresh kernel, on a new copy of the sample company."""
    from nbclient import NotebookClient

    from workshop.folder import WORKSHOP_ENV, new_workshop

    folder = new_workshop(tmp_path_factory.mktemp("facilitator") / "rehearsal", SAMPLE)
    previous = os.environ.get(WORKSHOP_ENV)
    os.environ[WORKSHOP_ENV] = str(folder)
    runs = {}
    try:
        for path in sorted(NOTEBOOKS.glob("0*.ipynb")):
            run = nbformat.read(path, as_version=4)
            NotebookClient(run, timeout=300, kernel_name="python3",
                           resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
            runs[path.stem] = run
    finally:
        if previous is None:
            os.environ.pop(WORKSHOP_ENV)
        else:
            os.environ[WORKSHOP_ENV] = previous
    return runs


REPR = re.compile(r"^\s*(?:\[.*\]|\{.*\}|(['\"]).*\1|[A-Z]\w*\(.*\))\s*$|PosixPath\(|dtype: ")
"""A printed line that is a list, a dict, a quoted string or an object's repr (``PosixPath('…')``)."""


@pytest.mark.parametrize("name", ["00_start_here", *STEPS.values(), "05_workshop_report"])
def test_no_output_looks_like_code(executed, name: str):
    """A result shown as a Python repr (a dict of pillar ids, PosixPath('…'), a quoted string, a list) is code
    on the projector: every result is a widget, a table or HTML, and printed text reads as sentences."""
    for number, cell in enumerate(executed[name].cells):
        for output in cell.get("outputs", []):
            if output.output_type in ("execute_result", "display_data"):
                rich = RICH & set(output.data)
                assert rich, f"{name} cell {number} shows a repr: {output.data.get('text/plain', '')[:120]}"
            elif output.output_type == "stream":
                for line in output.text.splitlines():
                    assert not REPR.search(line), f"{name} cell {number} prints code: {line[:120]}"
            assert output.output_type != "error", f"{name} cell {number}: {output.get('evalue')}"
