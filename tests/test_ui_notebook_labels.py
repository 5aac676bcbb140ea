"""The notebooks are the facilitator's script, read aloud: every bold label they say to press, tick, set or look
under must be on the panels that notebook shows, word for word. The panels are built for real on a copy of the
sample workshop and their widget trees read (button and field labels, options, tab and section titles,
headings), so a renamed button fails here rather than in front of the room."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import ipywidgets as widgets
import nbformat
import pytest

from workshop.feedback.load import load_workshop_feedback
from workshop.folder import WORKSHOP_ENV, WORKSHOPS_ENV, new_workshop
from workshop.promise import load_promise
from workshop.ui.action_board import ActionBoard
from workshop.ui.call_log import CallLogPanel
from workshop.ui.gap_panel import GapPanel
from workshop.ui.live_panel import LivePanel
from workshop.ui.mapping_panel import MappingPanel
from workshop.ui.promise_editor import PromiseEditor
from workshop.ui.start import StartPanel
from workshop.ui.verbatims import VerbatimExplorer
from workshop.ui.whatif_panel import WhatIfPanel

from conftest import SAMPLE

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_PANELS = {
    "00_start_here": ("start", "live"),
    "01_define_the_promise": ("editor", "live"),
    "02_load_advocate_feedback": ("mapping", "explorer", "calls"),
    "03_visualise_the_gap": ("live", "gap", "whatif"),
    "04_agree_on_actions": ("live", "board", "whatif"),
}
EMPHASIS = {
    "00_start_here": {"one brand", "gap", "the promise", "the experience", "Before the room arrives",
                      "session code", "01_define_the_promise"},
    "01_define_the_promise": {"Goal:", "Set-up:", "02_load_advocate_feedback"},
    "02_load_advocate_feedback": {"Goal:", "Set-up:", "into the\nworkshop folder", "rows read = kept + set aside",
                                  "agree who will call an advocate this week"},
    "03_visualise_the_gap": {"Goal:", "Set-up:", "not"},
    "04_agree_on_actions": {"ideas → dots → owned actions → the budget question → the closing round.", "\"What will you do on Monday?\""},
}
"""Bold that is emphasis, not a label. New emphasis is better written in italics; a label never belongs here."""


def labels_in(widget: widgets.Widget) -> set[str]:
    """Every text a facilitator can point at in a widget tree."""
    found: set[str] = set()
    if getattr(widget, "description", ""):
        found.add(widget.description)
    for option in getattr(widget, "options", ()) or ():
        found.add(option[0] if isinstance(option, tuple) else str(option))
    found |= set(getattr(widget, "titles", ()) or ())
    if isinstance(widget, widgets.HTML):
        found |= {re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<(?:h\d|b)>(.*?)</(?:h\d|b)>", widget.value)}
    for child in getattr(widget, "children", ()) or ():
        found |= labels_in(child)
    return found


@pytest.fixture(scope="module")
def panel_labels(tmp_path_factory) -> dict[str, set[str]]:
    kit = tmp_path_factory.mktemp("kit")
    shutil.copytree(SAMPLE, kit / "datasets" / "sample")
    folder = new_workshop(kit / "workshops" / "acme", SAMPLE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(WORKSHOPS_ENV, str(kit / "workshops"))
        patch.setenv(WORKSHOP_ENV, str(folder))
        start = StartPanel()
    loaded = load_workshop_feedback(folder)
    mapping = MappingPanel(folder, load=True)
    live = LivePanel(folder, refresh_seconds=None, cube=loaded.cube)
    panels = {
        "start": start, "live": live, "editor": PromiseEditor(folder), "mapping": mapping,
        "explorer": VerbatimExplorer.for_workshop(folder, mapping.loaded, mapping.promise),
        "calls": CallLogPanel(folder), "gap": GapPanel(loaded.cube, load_promise(folder), folder=folder),
        "board": ActionBoard(folder, loaded.cube),
        "whatif": WhatIfPanel.for_session(live.store, loaded.cube, load_promise(folder)),
    }
    return {name: labels_in(panel.widget) for name, panel in panels.items()}


def test_the_label_reader_sees_buttons_fields_tabs_and_headings(panel_labels):
    assert {"Close stage", "Reveal results", "Open: Rate the promise", "Dots each"} <= panel_labels["live"]
    assert {"Gap overview", "Save goal posts as proposed promise", "threshold"} <= panel_labels["gap"]
    assert {"Add an idea", "Save action", "Effort"} <= panel_labels["board"]
    assert "Advocates only" in panel_labels["explorer"] and "Target (promise)" in panel_labels["editor"]


@pytest.mark.parametrize("name", sorted(NOTEBOOK_PANELS))
def test_every_bold_label_in_a_notebook_is_on_its_panels(name, panel_labels):
    notebook = nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4)
    script = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    shown = set().union(*(panel_labels[panel] for panel in NOTEBOOK_PANELS[name]))
    unknown = [bold for bold in re.findall(r"\*\*([^*]+)\*\*", script) if bold not in shown | EMPHASIS[name]]
    assert unknown == [], f"{name} tells the facilitator to use labels its panels do not show: {unknown}"
