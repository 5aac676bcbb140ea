"""The `workshop` command as a consultant types it: real processes, real folders, real exit codes."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
WORKSHOP = str(Path(sys.executable).parent / "workshop")


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([WORKSHOP, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_new_copies_the_sample_without_any_session(tmp_path):
    result = run("new", str(tmp_path / "acme"), "--from", str(REPO / "datasets" / "sample"))
    assert result.returncode == 0, result.stderr
    created = tmp_path / "acme"
    assert (created / "promise.yml").read_bytes() == (REPO / "datasets/sample/promise.yml").read_bytes()
    assert (created / "exports").is_dir()
    assert not list(created.glob("session.sqlite*"))


def test_new_from_an_earlier_workshop_leaves_its_session_and_exports_behind(tmp_path):
    earlier = tmp_path / "earlier"
    shutil.copytree(REPO / "datasets" / "sample", earlier)
    (earlier / "session.sqlite").write_bytes(b"events")
    (earlier / "exports").mkdir()
    (earlier / "exports" / "plan.csv").write_text("a,b\n")
    assert run("new", str(tmp_path / "follow-up"), "--from", str(earlier)).returncode == 0
    assert not (tmp_path / "follow-up" / "session.sqlite").exists()
    assert list((tmp_path / "follow-up" / "exports").iterdir()) == []


def test_new_refuses_to_overwrite(tmp_path):
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "notes.txt").write_text("precious")
    result = run("new", str(tmp_path / "acme"))
    assert result.returncode == 1
    assert "already exists, and nothing was changed" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "acme" / "notes.txt").read_text() == "precious"


def test_new_refuses_a_bad_name(tmp_path):
    result = run("new", "acme corp!", cwd=tmp_path)
    assert result.returncode == 1 and "letters, digits" in result.stderr


def test_check_accepts_a_good_folder(tmp_path):
    shutil.copy(DATA / "promise_good.yml", tmp_path / "promise.yml")
    result = run("check", "--workshop", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "2 pillars (fresh, expert_help)" in result.stdout


def test_check_fails_with_the_file_pillar_and_field(tmp_path):
    shutil.copy(DATA / "bad_promises" / "threshold_above_target.yml", tmp_path / "promise.yml")
    result = run("check", "--workshop", str(tmp_path))
    assert result.returncode == 1
    assert str(tmp_path / "promise.yml") in result.stderr
    assert "pillar 'Fresh every time', field 'threshold'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command, options", [
    ([], ["new", "check", "serve"]),
    (["serve"], ["--workshop", "--host", "--port", "--kernels", "--code"]),
    (["new"], ["NAME", "--from"]),
    (["check"], ["--workshop"]),
])
def test_help_lists_every_option(command, options):
    result = run(*command, "--help")
    assert result.returncode == 0
    for option in options:
        assert option in result.stdout
