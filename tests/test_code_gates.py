"""The code gate: ruff (lint and format) and mypy pass over workshop/, with the rules in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

# Files not yet clean under the gate (issue 14 stays open until this list and the session package's exclusion
# are gone): they were rewritten in parallel branches and merged after the gate was set up.
NOT_YET_GATED = frozenset(
    {
        "workshop/live.py",  # WEB: Voila replaced by a Starlette app
        "workshop/charts.py",  # CHARTS
        "workshop/action_charts.py",  # CHARTS
        "workshop/report.py",  # CHARTS
        "workshop/web/app.py",  # WEB: 4 mypy errors (run_in_threadpool keyword, an Optional promise)
        "workshop/campaign.py",  # WHATIF: 3 mypy errors (sign-off tuples typed None)
        "workshop/internal_brand.py",  # WHATIF: 1 mypy error
        "workshop/ui/whatif_panel.py",  # WHATIF: 3 mypy errors (Optionals not narrowed)
    }
)


def gated_files() -> list[str]:
    files = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "workshop").rglob("*.py"))
    return [f for f in files if f not in NOT_YET_GATED and not f.startswith("workshop/session/")]


def run(tool: str, *args: str) -> subprocess.CompletedProcess:
    # The tools of the environment running the tests (a venv's or a conda environment's), not a PATH lookup.
    return subprocess.run([str(BIN / tool), *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_every_excluded_file_still_exists():
    """A stale entry would hide nothing and say something false; a file that moved must leave the list."""
    assert all((REPO / f).is_file() for f in NOT_YET_GATED), sorted(
        f for f in NOT_YET_GATED if not (REPO / f).is_file()
    )


@pytest.mark.parametrize(
    "args",
    [("check", "--no-fix", "--output-format", "concise"), ("format", "--check", "--diff")],
    ids=["ruff check", "ruff format"],
)
def test_ruff(args):
    result = run("ruff", *args, *gated_files())
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy():
    # follow-imports=silent: the gated files are checked against the types of what they import, and errors
    # inside a file not yet gated are not reported against them.
    result = run("mypy", "--follow-imports=silent", "--no-incremental", *gated_files())
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_gate_catches_a_lint_error_and_a_type_error(tmp_path):
    """The gate is not vacuous: with the project's settings, an unused import and a wrong type both fail."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\n\ndef half(n: int) -> int:\n    return n / 2\n")
    settings = str(REPO / "pyproject.toml")
    assert "F401" in run("ruff", "check", "--no-fix", "--config", settings, str(bad)).stdout
    typed = run("mypy", "--config-file", settings, "--no-incremental", str(bad))
    assert typed.returncode == 1 and "Incompatible return value type" in typed.stdout
