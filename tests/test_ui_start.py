"""Drive the step-0 start panel: create and choose workshops inside a temporary kit folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workshop.folder import WORKSHOP_ENV, WORKSHOPS_ENV, current_workshop, new_workshop
from workshop.ui import start
from workshop.ui.start import StartPanel

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def kit(tmp_path, monkeypatch) -> Path:
    shutil.copytree(REPO / "datasets" / "sample", tmp_path / "datasets" / "sample")
    monkeypatch.setenv(WORKSHOPS_ENV, str(tmp_path / "workshops"))
    monkeypatch.delenv(WORKSHOP_ENV, raising=False)
    return tmp_path


def test_without_any_workshop_the_check_says_what_to_do(kit):
    panel = StartPanel()
    assert panel.current is None
    assert "❌" in panel.checks.value and "Create or choose one below" in panel.checks.value


def test_create_chooses_the_new_workshop_for_the_other_notebooks(kit):
    panel = StartPanel()
    panel.new_name.value = "acme-2026-03"
    panel.create_button.click()
    assert (kit / "workshops" / "acme-2026-03" / "promise.yml").is_file()
    assert current_workshop() == kit / "workshops" / "acme-2026-03"
    assert panel.workshop_list.value == kit / "workshops" / "acme-2026-03"
    assert "acme-2026-03" in panel.message.value
    assert "The workshop&#x27;s promise.yml is valid" in panel.checks.value


def test_choosing_another_workshop_switches_the_notebooks(kit):
    panel = StartPanel()
    panel.create("first", kit / "datasets" / "sample")
    panel.create("second", kit / "workshops" / "first")
    panel.workshop_list.value = kit / "workshops" / "first"
    panel.open_button.click()
    assert current_workshop() == kit / "workshops" / "first"


def test_creating_over_an_existing_workshop_is_refused_in_plain_words(kit):
    panel = StartPanel()
    panel.create("acme", kit / "datasets" / "sample")
    (kit / "workshops" / "acme" / "promise.yml").write_text("statement: kept\npillars: []\n")
    assert panel.create("acme", kit / "datasets" / "sample") is None
    assert "already exists" in panel.message.value
    assert (kit / "workshops" / "acme" / "promise.yml").read_text() == "statement: kept\npillars: []\n"


def test_a_broken_promise_shows_in_the_check_not_as_a_traceback(kit):
    panel = StartPanel()
    folder = panel.create("acme", kit / "datasets" / "sample")
    (folder / "promise.yml").write_text("pillars:\n  - id: a\n    name: A\n    target: 11\n")
    panel.refresh()
    assert "❌" in panel.checks.value and "between 0 and 10" in panel.checks.value


def test_a_bug_behind_a_button_is_a_message_not_a_traceback(kit, monkeypatch):
    panel = StartPanel()

    def broken(_folder):
        raise PermissionError("[Errno 13] Permission denied: '.promise-gap'")

    monkeypatch.setattr(start, "run_checks", broken)
    panel.new_name.value = "acme"
    panel.create_button.click()
    assert "Something went wrong (PermissionError: [Errno 13] Permission denied: &#x27;.promise-gap&#x27;)" \
        in panel.message.value
    assert "#b2182b" in panel.message.value


def test_the_new_workshop_half_filled_in_survives_using_another_one(kit):
    """STYLE rule 11: 'Use this workshop' refreshes the panel, listing a workshop made meanwhile in another tab;
    the new name and its source stay as chosen."""
    panel = StartPanel()
    panel.create("first", kit / "datasets" / "sample")
    panel.create("second", kit / "datasets" / "sample")
    panel.new_name.value = "third"
    panel.new_source.value = kit / "workshops" / "first"
    new_workshop("made-in-another-tab", kit / "datasets" / "sample")
    panel.workshop_list.value = kit / "workshops" / "second"
    panel.open_button.click()
    assert (panel.new_name.value, panel.new_source.value) == ("third", kit / "workshops" / "first")
    panel.create_button.click()
    assert (kit / "workshops" / "third" / "promise.yml").is_file()
