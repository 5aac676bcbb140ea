"""House rules for notebooks that nbval cannot see: stripped outputs, short cells, logic kept in workshop/.

(nbval itself runs every notebook top to bottom on a fresh kernel as part of `make test`.)
"""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
MAX_CODE_LINES = 10


def code_cells(path: Path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_the_workshop_notebooks_are_there():
    names = {p.name for p in NOTEBOOKS}
    assert {"00_start_here.ipynb", "01_define_the_promise.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_stripped(path):
    """No cell keeps an output or a count: a committed output is a run's data in a tracked file."""
    for cell in code_cells(path):
        assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip outputs before commit"


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
