"""Drive the step-1 promise editor the way a facilitator does, and read back promise.yml from disk."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from workshop.promise import load_promise
from workshop.ui import promise_editor
from workshop.ui.promise_editor import PromiseEditor

DATA = Path(__file__).parent / "data"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(DATA / "promise_good.yml", tmp_path / "promise.yml")
    return tmp_path


def on_disk(folder: Path) -> dict:
    return yaml.safe_load((folder / "promise.yml").read_text())


def test_editing_fields_saves_each_change_and_survives_a_reload(folder):
    editor = PromiseEditor(folder)
    editor.statement.value = "Fresh tea, expert help, no waiting."
    editor.select_pillar("expert_help")
    editor.name.value = "Expert advice"
    editor.description.value = "Whoever answers knows tea."
    editor.target.value = 9
    editor.threshold.value = 7
    editor.loudness.value = 9
    editor.claim.value = "Real experts, every call"
    editor.owners.toggle("Operations")
    editor.touchpoints.toggle("web", on=False)
    editor.channels.new_choice.value = "Radio"

    saved = on_disk(folder)
    assert saved["statement"] == "Fresh tea, expert help, no waiting."
    expert = saved["pillars"][1]
    assert expert["name"] == "Expert advice" and expert["description"] == "Whoever answers knows tea."
    assert (expert["target"], expert["threshold"], expert["loudness"]) == (9, 7, 9)
    assert expert["claim"] == "Real experts, every call"
    assert expert["owners"] == ["Customer service", "Operations"]
    assert expert["touchpoints"] == ["phone"]
    assert expert["channels"] == ["social", "Radio"]
    assert "Radio" in saved["channels"], "a new choice joins the workshop's list for other pillars"

    reopened = PromiseEditor(folder)
    reopened.select_pillar("expert_help")
    assert reopened.name.value == "Expert advice" and reopened.threshold.value == 7
    assert reopened.owners.value == ["Customer service", "Operations"]
    assert reopened.promise == load_promise(folder)


def test_add_rename_reorder_remove_and_undo(folder):
    editor = PromiseEditor(folder)
    editor.new_pillar_name.value = "Easy returns"
    assert on_disk(folder)["pillars"][-1] == {**on_disk(folder)["pillars"][-1], "id": "easy_returns",
                                              "name": "Easy returns", "target": 10, "threshold": 6}
    assert editor.selected_id == "easy_returns"

    editor.name.value = "Returns without questions"
    assert editor.pillar_list.options[-1] == ("3. Returns without questions", "easy_returns")
    assert on_disk(folder)["pillars"][-1]["id"] == "easy_returns", "renaming keeps the id stable"

    editor.up_button.click()
    assert [p["id"] for p in on_disk(folder)["pillars"]] == ["fresh", "easy_returns", "expert_help"]

    editor.select_pillar("fresh")
    editor.remove_button.click()
    assert [p["id"] for p in on_disk(folder)["pillars"]] == ["easy_returns", "expert_help"]
    editor.undo_button.click()
    assert [p["id"] for p in on_disk(folder)["pillars"]] == ["fresh", "easy_returns", "expert_help"]


def test_threshold_can_never_rise_above_target(folder):
    editor = PromiseEditor(folder)
    editor.select_pillar("fresh")
    editor.threshold.value = 8
    editor.target.value = 7
    fresh = on_disk(folder)["pillars"][0]
    assert (fresh["target"], fresh["threshold"]) == (7, 7)


def test_an_invalid_edit_is_kept_on_screen_not_saved_and_explained(folder):
    editor = PromiseEditor(folder)
    editor.select_pillar("fresh")
    editor.name.value = "   "
    assert on_disk(folder)["pillars"][0]["name"] == "Fresh every time"
    assert "Not saved yet" in editor.status.value and "must not be empty" in editor.status.value
    editor.description.value = "Picked within the month"
    assert on_disk(folder)["pillars"][0]["description"] != "Picked within the month"
    editor.name.value = "Always fresh"
    saved = on_disk(folder)["pillars"][0]
    assert (saved["name"], saved["description"]) == ("Always fresh", "Picked within the month")
    assert "Saved" in editor.status.value


def test_participant_text_in_the_promise_card_is_escaped(folder):
    editor = PromiseEditor(folder)
    editor.statement.value = "<script>alert('x')</script>"
    assert "<script>" not in editor.card.value
    assert "&lt;script&gt;" in editor.card.value
    editor.select_pillar("fresh")
    editor.name.value = "<img src=x onerror=alert(1)>"
    editor.description.value = "<b>bold</b> claim"
    editor.owners.toggle("<i>Ops</i>")
    assert on_disk(folder)["pillars"][0]["name"] == "<img src=x onerror=alert(1)>"  # saved as typed
    assert "<img" not in editor.card.value and "<b>bold" not in editor.card.value and "<i>Ops" not in editor.card.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in editor.card.value and "&lt;i&gt;Ops&lt;/i&gt;" in editor.card.value


def test_empty_new_pillar_name_says_what_to_do(folder):
    editor = PromiseEditor(folder)
    assert editor.add_pillar("  ") is None
    assert "Type the new pillar" in editor.status.value
    assert len(on_disk(folder)["pillars"]) == 2


def test_a_folder_that_cannot_be_written_keeps_the_edit_and_says_so(folder, monkeypatch):
    editor = PromiseEditor(folder)

    def read_only(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied", str(folder / "promise.yml"))

    monkeypatch.setattr(promise_editor, "save_promise", read_only)
    editor.statement.value = "Fresh tea <always>"
    assert "Not saved" in editor.status.value and "Permission denied" in editor.status.value
    assert editor.statement.value == "Fresh tea <always>" and editor.promise.statement == "Fresh tea <always>"
    monkeypatch.undo()
    editor.company.value = "Tea Co"  # the next change saves everything kept on screen
    assert on_disk(folder)["statement"] == "Fresh tea <always>" and "Saved" in editor.status.value
