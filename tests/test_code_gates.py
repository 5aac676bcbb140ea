"""The code gate: ruff (lint and format) and mypy pass over workshop/, with the rules in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def gated_files() -> list[str]:
    """Every module of the package: no file is excused from the gate."""
    return sorted(p.relative_to(REPO).as_posix() for p in (REPO / "workshop").rglob("*.py"))


def run(tool: str, *args: str) -> subprocess.CompletedProcess:
    # The tools of the environment running the tests (a venv's or a conda environment's), not a PATH lookup.
    return subprocess.run([str(BIN / tool), *args], cwd=REPO, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "args",
    [("check", "--no-fix", "--output-format", "concise"), ("format", "--check", "--diff")],
    ids=["ruff check", "ruff format"],
)
def test_ruff(args):
    result = run("ruff", *args, *gated_files())
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy():
    result = run("mypy", "--no-incremental", *gated_files())
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_gate_catches_a_lint_error_and_a_type_error(tmp_path):
    """The gate is not vacuous: with the project's settings, an unused import and a wrong type both fail."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\n\ndef half(n: int) -> int:\n    return n / 2\n")
    settings = str(REPO / "pyproject.toml")
    assert "F401" in run("ruff", "check", "--no-fix", "--config", settings, str(bad)).stdout
    typed = run("mypy", "--config-file", settings, "--no-incremental", str(bad))
    assert typed.returncode == 1 and "Incompatible return value type" in typed.stdout
