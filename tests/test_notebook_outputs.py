"""The printed results of notebooks 03 and 05 that matter, from their real outputs: committed notebooks carry no
output, so each is run here top to bottom on a fresh kernel against a new copy of the sample company, and what
it printed is compared with the sample's planted story (datasets/generate_sample.py) and the report's files."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO, SAMPLE
from workshop import gap
from workshop.folder import WORKSHOP_ENV, new_workshop

NOTEBOOKS = REPO / "notebooks"
OVER_PROMISED = "Delivered when we say"
"""The sample's one over-promised pillar (``on_time_delivery``): shouted loudest, delivered least."""
EXPORT_KINDS = ("action-plan.csv", "action-plan.xlsx", "report.md", "report.html")
"""What ``workshop.report.export_all`` writes, in the order notebook 05 lists it."""


def printed(notebook: nbformat.NotebookNode, marker: str) -> list[str]:
    """The lines printed by the one code cell whose source contains ``marker``."""
    (cell,) = [c for c in notebook.cells if c.cell_type == "code" and marker in c.source]
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout").splitlines()


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    """Notebooks 03 and 05 executed, each on a fresh kernel told the workshop folder through its environment,
    with the folder and the days the run spanned (the export names carry the day)."""
    folder = new_workshop(tmp_path_factory.mktemp("outputs") / "acme", SAMPLE)
    kernel_env = {**os.environ, WORKSHOP_ENV: str(folder)}
    first_day = date.today()
    notebooks = {}
    for name in ("03_visualise_the_gap", "05_workshop_report"):
        notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        client = NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
        )
        client.execute(env=kernel_env)
        notebooks[name] = notebook
    return {"folder": folder, "days": {first_day, date.today()}, **notebooks}


def test_notebook_3_states_each_column_s_scale_in_words(run):
    """What the figures stand on, as the client hears it: a scale and its rule in words, never a formula in x."""
    lines = printed(run["03_visualise_the_gap"], "evidence_of")
    scales = [line.strip() for line in lines if " from column " in line]
    assert scales[0] == "Scales: Delivered when we say from column 'on_time_delivery': 0 to 10, as given."
    assert all(line.endswith(": 0 to 10, as given.") for line in scales), scales


def test_notebook_3_prints_the_rule_and_the_sample_s_statuses(run):
    """The planted story: every pillar is promise-able but the over-promised one, which is broken."""
    lines = printed(run["03_visualise_the_gap"], "panel.statuses()")
    assert lines[:2] == [gap.promise_ability_rule(gap.DEFAULT_MIN_N), gap.ABOVE_RULE]
    statuses = dict(line.rsplit(": ", 1) for line in lines[2:])
    assert statuses == {
        OVER_PROMISED: gap.BROKEN,
        "Advice from people who know": gap.PROMISE_ABLE,
        "Made to last": gap.PROMISE_ABLE,
        "Put right without a fight": gap.PROMISE_ABLE,
        "Easy to choose online": gap.PROMISE_ABLE,
    }


def test_notebook_5_lists_the_files_it_exported_and_they_are_there(run):
    folder: Path = run["folder"]
    lines = printed(run["05_workshop_report"], "export_all")
    assert lines[0] == "Written into the workshop folder:"
    listed = [line.removeprefix("  exports/") for line in lines[1:]]
    (day,) = {name.removeprefix(f"{folder.name}-")[:10] for name in listed}
    assert date.fromisoformat(day) in run["days"]
    assert listed == [f"{folder.name}-{day}-{kind}" for kind in EXPORT_KINDS]
    assert all((folder / "exports" / name).stat().st_size > 0 for name in listed)
