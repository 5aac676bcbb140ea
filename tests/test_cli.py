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
    (["serve"], ["--workshop", "--host", "--port", "--code"]),
    (["new"], ["NAME", "--from"]),
    (["check"], ["FILE", "--mapping", "--save-mapping", "--workshop"]),
])
def test_help_lists_every_option(command, options):
    result = run(*command, "--help")
    assert result.returncode == 0
    for option in options:
        assert option in result.stdout


FEEDBACK = DATA / "feedback"


def test_check_file_prints_the_suggested_mapping_and_the_report(client_folder):
    result = run("check", str(FEEDBACK / "clean_comma.csv"), "--workshop", str(client_folder))
    assert result.returncode == 0, result.stderr
    assert "Suggested mapping (no mapping.yml given" in result.stdout
    assert "      column: Quick answers" in result.stdout
    assert "Rows read: 6 = kept 6 + set aside 0" in result.stdout and "No problems found." in result.stdout


@pytest.mark.parametrize("name, line", [
    ("text_in_score.csv", "column 'speed': is mostly text that is no answer on the 0-10 scale (3 of 4 answers)"),
    ("empty.csv", "the file is empty (0 bytes)"),
    ("truncated.parquet", "is not a complete Parquet file"),
])
def test_check_file_exits_1_on_blocking_problems(name, line, client_folder):
    result = run("check", str(FEEDBACK / name), "--workshop", str(client_folder))
    assert result.returncode == 1
    assert "BLOCKING: fix these before using the scores:" in result.stdout and line in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_save_mapping_then_check_the_folder_and_correct_the_mapping(client_folder):
    folder = client_folder
    shutil.copy(FEEDBACK / "ambiguous_dates.csv", folder / "export.csv")
    saved = run("check", str(folder / "export.csv"), "--workshop", str(folder), "--save-mapping")
    assert saved.returncode == 1  # the dates are ambiguous until the mapping says their order
    assert f"Saved the mapping to {folder / 'mapping.yml'}" in saved.stdout
    text = (folder / "mapping.yml").read_text(encoding="utf-8")
    assert "source: export.csv\n" in text and "date_order: auto" in text

    folder_check = run("check", "--workshop", str(folder))
    assert folder_check.returncode == 1
    assert "OK - version 1, 3 pillars" in folder_check.stdout
    assert "can be read day-first or month-first" in folder_check.stdout

    (folder / "mapping.yml").write_text(text.replace("date_order: auto", "date_order: day_first"), encoding="utf-8")
    fixed = run("check", str(folder / "export.csv"), "--mapping", str(folder / "mapping.yml"),
                "--workshop", str(folder))
    assert fixed.returncode == 0, fixed.stdout
    assert "Suggested mapping" not in fixed.stdout and "Rows read: 3 = kept 3 + set aside 0" in fixed.stdout
    assert run("check", "--workshop", str(folder)).returncode == 0


def test_save_mapping_never_overwrites_another_mapping(client_folder):
    folder = client_folder
    (folder / "mapping.yml").write_text("source: corrected.csv\n", encoding="utf-8")
    result = run("check", str(FEEDBACK / "clean_comma.csv"), "--workshop", str(folder), "--save-mapping")
    assert result.returncode == 1 and "Nothing saved" in result.stderr and "already exists" in result.stderr
    assert (folder / "mapping.yml").read_text(encoding="utf-8") == "source: corrected.csv\n"


def test_check_folder_without_a_mapping_says_what_to_do(client_folder):
    result = run("check", "--workshop", str(client_folder))
    assert result.returncode == 0 and "mapping.yml: none yet" in result.stdout


def test_check_the_sample_folder_reports_its_feedback(tmp_path):
    folder = tmp_path / "sample"
    shutil.copytree(REPO / "datasets" / "sample", folder)
    result = run("check", "--workshop", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Rows read: 5,000 = kept 5,000 + set aside 0" in result.stdout


def test_check_the_folder_reads_its_call_log(tmp_path):
    from workshop.feedback.calls import AdvocateCall, log_call
    from workshop.files import NO_FILE
    from workshop.promise import load_promise

    folder = tmp_path / "sample"
    shutil.copytree(REPO / "datasets" / "sample", folder)
    log_call(folder, AdvocateCall(touchpoint="phone", scores={"put_right": 9}, note="Sorted in one call."),
             load_promise(folder), expected=NO_FILE)
    result = run("check", "--workshop", str(folder))
    assert result.returncode == 0 and "advocate_calls.csv: OK - 1 advocate calls" in result.stdout
    log = folder / "advocate_calls.csv"
    log.write_text(log.read_text(encoding="utf-8").replace(",9,", ",nine,"), encoding="utf-8")
    broken = run("check", "--workshop", str(folder))
    assert broken.returncode == 1 and "row 2" in broken.stderr and "put_right" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_mapping_options_without_a_file_are_a_usage_error(client_folder):
    result = run("check", "--save-mapping", "--workshop", str(client_folder))
    assert result.returncode == 2 and "need a FILE" in result.stderr


def client_from_the_sample(tmp_path: Path) -> Path:
    """`workshop new` from the sample, then the client's promise (speed, care, clarity) and export put in."""
    folder = tmp_path / "acme"
    assert run("new", str(folder)).returncode == 0
    shutil.copy(FEEDBACK / "promise.yml", folder / "promise.yml")
    shutil.copy(FEEDBACK / "clean_comma.csv", folder / "export.csv")
    return folder


def test_check_the_folder_warns_about_themes_left_from_the_sample(tmp_path):
    folder = client_from_the_sample(tmp_path)
    (folder / "mapping.yml").unlink()
    result = run("check", "--workshop", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr  # a warning: the scores still load
    assert f"WARNING: {folder / 'themes.yml'} does not match the promise" in result.stdout
    assert (f"{folder / 'themes.yml'}, line 4, pillar 'on_time_delivery': is not a pillar of the promise"
            in result.stdout)
    assert "or delete themes.yml to start without themes" in result.stdout
    (folder / "themes.yml").unlink()
    assert "WARNING" not in run("check", "--workshop", str(folder)).stdout


def test_save_mapping_replaces_the_sample_mapping_left_by_workshop_new(tmp_path):
    folder = client_from_the_sample(tmp_path)
    result = run("check", str(folder / "export.csv"), "--workshop", str(folder), "--save-mapping")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Replaced the sample company's unedited mapping.yml" in result.stdout
    assert "source: export.csv\n" in (folder / "mapping.yml").read_text(encoding="utf-8")
    again = run("check", str(folder / "export.csv"), "--workshop", str(folder), "--save-mapping")
    assert again.returncode == 1 and "Nothing saved" in again.stderr  # now it is the consultant's own
    assert f"mv {folder / 'mapping.yml'} {folder / 'mapping.old.yml'}" in again.stderr


def test_save_mapping_keeps_an_edited_sample_mapping(tmp_path):
    folder = client_from_the_sample(tmp_path)
    edited = (folder / "mapping.yml").read_text(encoding="utf-8") + "# checked with the client\n"
    (folder / "mapping.yml").write_text(edited, encoding="utf-8")
    result = run("check", str(folder / "export.csv"), "--workshop", str(folder), "--save-mapping")
    assert result.returncode == 1 and "Nothing saved" in result.stderr and "mv " in result.stderr
    assert (folder / "mapping.yml").read_text(encoding="utf-8") == edited
