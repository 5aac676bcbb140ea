"""The set-up check shown in notebook 00: what is in place for a workshop, and plainly what is missing.

Each check is a question a facilitator would ask before the room arrives; a failed one says what to do.
It only looks; it never installs or changes anything.
"""

from __future__ import annotations

import importlib.metadata
import sys
from dataclasses import dataclass
from pathlib import Path

from workshop.errors import WorkshopError
from workshop.feedback.themes import THEMES_FILE, themes_problems
from workshop.folder import sample_folder
from workshop.promise import load_promise

REQUIRED_PACKAGES = {
    "jupyterlab": "the notebook app the facilitator runs",
    "ipywidgets": "sliders, buttons and forms",
    "jupyterlab_widgets": "shows the widgets inside JupyterLab",
    "plotly": "the charts",
    "pandas": "reading survey exports",
    "starlette": "the participants' page",
    "uvicorn": "serves the participants' page",
    "psutil": "finds the laptop's address on the room's network",
    "openpyxl": "reading and writing Excel files",
    "pyarrow": "reading Parquet files",
    "segno": "the QR code participants scan",
    "papermill": "the report notebook",
    "anywidget": "draws the live charts (plotly FigureWidget)",
}
FIX_INSTALL = "Run 'make workshop' from the kit's folder; it installs everything into .venv."


@dataclass(frozen=True)
class Check:
    """One line of the set-up check: what we looked at, whether it is fine, and what to do if not."""

    what: str
    ok: bool
    detail: str
    fix: str = ""


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 11)
    return Check("Python 3.11 or newer", ok, f"Python {version}", "" if ok else "Install Python 3.11.")


def check_packages() -> list[Check]:
    checks = []
    for package, purpose in REQUIRED_PACKAGES.items():
        try:
            version = importlib.metadata.version(package)
            checks.append(Check(f"{package} ({purpose})", True, f"version {version}"))
        except importlib.metadata.PackageNotFoundError:
            checks.append(Check(f"{package} ({purpose})", False, "not installed", FIX_INSTALL))
    return checks


def check_workshop(folder: Path | None) -> list[Check]:
    """The chosen folder's promise.yml and, once the promise loads, its themes.yml against it."""
    if folder is None:
        return [Check("A workshop folder is chosen", False, "none yet", "Create or choose one below.")]
    try:
        promise = load_promise(folder)
    except WorkshopError as error:
        return [
            Check(
                "The workshop's promise.yml is valid",
                False,
                str(error),
                "Fix the file as the message says, or create a fresh folder from the sample.",
            )
        ]
    return [
        Check(
            "The workshop's promise.yml is valid",
            True,
            f"{folder.name}: {len(promise.pillars)} pillars, version {promise.version}",
        ),
        check_themes(folder, promise.pillar_ids),
    ]


def check_themes(folder: Path, pillar_ids: list[str]) -> Check:
    """themes.yml as notebook 02's verbatim explorer will read it; a missing file is fine (no themes yet)."""
    what = f"The workshop's {THEMES_FILE} matches the promise"
    problems = themes_problems(folder, pillar_ids)
    if problems:
        return Check(
            what,
            False,
            "\n".join(map(str, problems)),
            "Rename or remove each phrase list named above, or delete themes.yml to start without "
            "themes. The scores load either way; the verbatim explorer in notebook 02 needs it fixed.",
        )
    detail = "present" if (folder / THEMES_FILE).is_file() else "none yet: the room can add phrases in notebook 02"
    return Check(what, True, detail)


def check_sample() -> Check:
    csv = sample_folder() / "feedback.csv"
    ok = csv.is_file()
    return Check(
        "The sample company is present",
        ok,
        str(csv) if ok else "datasets/sample/feedback.csv missing",
        "" if ok else "Run 'python datasets/generate_sample.py' from the kit's folder.",
    )


def run_checks(folder: Path | None) -> list[Check]:
    return [check_python(), *check_packages(), check_sample(), *check_workshop(folder)]
