"""House rules for notebooks that nbval cannot see: stripped outputs, short cells, logic kept in workshop/.

(nbval itself runs every notebook top to bottom on a fresh kernel as part of `make test`.)
"""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from workshop.kit_notebooks import is_checked

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
MAX_CODE_LINES = 10


def code_cells(path: Path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_the_workshop_notebooks_are_there():
    names = {p.name for p in NOTEBOOKS}
    assert {"00_start_here.ipynb", "01_define_the_promise.ipynb"} <= names


CHECKED = "# NBVAL_CHECK_OUTPUT"
"""nbval compares the output of a cell so marked with the one the notebook keeps (the sample company's). The
marker is the cell's last line, so a collapsed cell shows its first line of code, not the marker."""
CHECKED_RESULTS = {"03_visualise_the_gap.ipynb": "panel.statuses()", "05_workshop_report.ipynb": "export_all("}
"""The cells whose printed result matters: step 3's statuses, and the report's list of exports."""


def checked(cell) -> bool:
    return is_checked(cell.source)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_stripped(path):
    """Only a cell nbval checks keeps an output: the sample's, collapsed so that nobody reads it as their own
    (JupyterLab shows a cell's output again when it runs)."""
    for cell in code_cells(path):
        if checked(cell):
            assert cell.outputs and cell.execution_count, \
                f"{path.name}: a cell marked {CHECKED} needs the output nbval compares (and a count, or nbval skips it)"
            assert cell.metadata.get("jupyter", {}).get("outputs_hidden") is True, \
                f"{path.name}: collapse the sample's output of the checked cell (View > Collapse Selected Outputs)"
        else:
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip outputs before commit"


@pytest.mark.parametrize("name", sorted(CHECKED_RESULTS))
def test_the_printed_results_that_matter_are_checked_by_nbval(name):
    cells = [cell for cell in code_cells(NOTEBOOKS[0].parent / name) if CHECKED_RESULTS[name] in cell.source]
    assert len(cells) == 1 and checked(cells[0]), f"{name}: mark the cell with {CHECKED}"
    assert cells[0].source.splitlines()[-1] == CHECKED, f"{name}: put {CHECKED} on the cell's last line"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_opens_no_session_store_of_its_own(path):
    """The panels own the stores they read (and close them); a store opened in a cell is never closed."""
    assert not any("SessionStore" in cell.source for cell in code_cells(path)), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_are_short_and_only_call_the_package(path):
    for cell in code_cells(path):
        lines = [line for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")]
        assert len(lines) <= MAX_CODE_LINES, f"{path.name}: a cell of {len(lines)} lines belongs in workshop/"
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)), \
                f"{path.name}: define functions in workshop/, not in a notebook"
            if isinstance(node, ast.ImportFrom):
                assert node.module.split(".")[0] == "workshop", f"{path.name}: import from workshop only"
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] == "workshop" for a in node.names), path.name


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2].isdigit()], ids=lambda p: p.name)
def test_the_workshop_steps_open_with_their_code_collapsed(path):
    """On a projector the room reads the facilitator's words and the panels, not Python: each code cell's source
    is hidden (one click on its bar shows it)."""
    hidden = [cell.metadata.get("jupyter", {}).get("source_hidden") for cell in code_cells(path)]
    assert hidden and all(hidden), f"{path.name}: collapse every code cell (View > Collapse All Code, then save)"
