"""`workshop report` as a consultant runs it the morning after: a real process, papermill, real files."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKSHOP = str(Path(sys.executable).parent / "workshop")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([WORKSHOP, *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_report_writes_the_html_and_the_action_plan(workshop_dir):
    result = run("report", "--workshop", str(workshop_dir))
    assert result.returncode == 0, result.stderr
    written = {p.suffix for p in (workshop_dir / "exports").iterdir()}
    assert {".html", ".csv", ".xlsx", ".md"} <= written
    html = next((workshop_dir / "exports").glob("*-report.html"))
    assert f"Report written: {html}" in result.stdout
    assert "Bramblewick Home" in html.read_text(encoding="utf-8")


def test_report_on_a_corrupt_promise_names_the_file_and_line(workshop_dir):
    promise = workshop_dir / "promise.yml"
    promise.write_text(promise.read_text().replace("  name: ", "   name: ", 1))
    result = run("report", "--workshop", str(workshop_dir))
    assert result.returncode == 1
    assert f"{promise}, line " in result.stderr and "is not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((workshop_dir / "exports").glob("*.html"))


def test_report_help_names_its_option():
    result = run("report", "--help")
    assert result.returncode == 0 and "--workshop" in result.stdout


def test_report_on_feedback_that_did_not_pass_the_check_exits_with_the_check_s_message(workshop_dir):
    mapping = workshop_dir / "mapping.yml"
    text = mapping.read_text(encoding="utf-8")
    expert = "  expert_advice:\n    column: expert_advice\n    scale: 0-10\n"
    assert expert in text
    mapping.write_text(text.replace(expert, expert.replace("0-10", "1-5")), encoding="utf-8")  # by hand
    check = run("check", "--workshop", str(workshop_dir))
    result = run("report", "--workshop", str(workshop_dir))
    assert check.returncode == result.returncode == 1
    assert "is mostly outside the 1-5 scale" in check.stdout
    assert result.stderr.startswith("workshop report: The feedback did not pass the check, so no finding is drawn")
    assert f"{workshop_dir / 'feedback.csv'}, field 'expert_advice': is mostly outside the 1-5 scale" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((workshop_dir / "exports").glob("*.html"))
