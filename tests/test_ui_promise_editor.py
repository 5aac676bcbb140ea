"""Drive the step-1 promise editor the way a facilitator does, and read back promise.yml from disk."""
from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest
import yaml

from workshop.promise import PROMISE_FILE, load_promise
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


def test_an_editor_left_open_in_another_tab_refuses_and_keeps_what_was_typed(folder):
    """Notebook 01 open in two tabs: once one has saved, the other is stale; its edit stays on screen, the
    file stays as the first tab saved it, and once opened again (its cell run again) it saves."""
    first, second = PromiseEditor(folder), PromiseEditor(folder)
    first.statement.value = "Fresh tea, expert help."
    saved = (folder / "promise.yml").read_bytes()

    second.company.value = "Second tab tea"
    second.select_pillar("expert_help")
    second.target.value = 8.5
    assert "changed in another tab — reload to see it" in second.status.value
    assert "your edit is still on screen" in second.status.value and "Traceback" not in second.status.value
    assert (second.company.value, second.target.value) == ("Second tab tea", 8.5)
    assert second.promise.pillar("expert_help").target == 8.5 and second.selected_id == "expert_help"
    assert (folder / "promise.yml").read_bytes() == saved

    first.company.value = "First tab tea"  # the tab that saved last goes on saving
    assert on_disk(folder)["company"] == "First tab tea" and "Saved" in first.status.value

    reloaded = PromiseEditor(folder)
    assert reloaded.statement.value == "Fresh tea, expert help." and reloaded.company.value == "First tab tea"
    reloaded.company.value = "Reloaded tea"
    assert on_disk(folder)["company"] == "Reloaded tea" and "Saved" in reloaded.status.value


def test_the_goal_posts_and_the_refresh_survive_a_stale_notebook_01_tab(workshop_dir):
    """Issue 12, in order: notebook 01 left open; step 3 saves the goal posts as version 2; an edit in the
    notebook 01 tab must not write its version 1 back; step 4's refresh must not rewrite the kept version 1."""
    from workshop.feedback.load import load_workshop_feedback
    from workshop.promise import load_versions
    from workshop.session import SessionStore
    from workshop.ui.action_board import ActionBoard
    from workshop.ui.gap_panel import GapPanel

    notebook_01 = PromiseEditor(workshop_dir)
    cube = load_workshop_feedback(workshop_dir).cube
    step_3 = GapPanel(cube, load_promise(workshop_dir), workshop_dir)
    step_3.set_threshold("on_time_delivery", 7.5)
    step_3.save_button.click()
    assert "Saved as version 2" in step_3.message.value
    version_1 = (workshop_dir / "versions" / "promise.v1.yml").read_bytes()
    version_2 = (workshop_dir / "promise.yml").read_bytes()

    notebook_01.statement.value = "An edit typed in the tab left open"
    assert "changed in another tab — reload to see it" in notebook_01.status.value
    assert notebook_01.statement.value == "An edit typed in the tab left open"
    assert (workshop_dir / "promise.yml").read_bytes() == version_2

    with SessionStore(workshop_dir) as store:
        store.start("ROOM1")
    step_4 = ActionBoard(workshop_dir, cube)
    idea = step_4.type_idea("Promise delivery within 8 of 10", "on_time_delivery", "refresh_promise",
                            "marketing_message")
    step_4.promote([idea], refresh_kind="lower_target")
    step_4.refresh_target.value = 8.0
    step_4.refresh_button.click()
    assert step_4.message.value == ""

    assert (workshop_dir / "versions" / "promise.v1.yml").read_bytes() == version_1
    assert (workshop_dir / "versions" / "promise.v2.yml").read_bytes() == version_2
    versions = load_versions(workshop_dir)
    assert [v.version for v in versions] == [1, 2, 3]
    assert [v.pillar("on_time_delivery").threshold for v in versions] == [6, 7.5, 7.5]
    assert [v.pillar("on_time_delivery").target for v in versions] == [10, 10, 8]


def test_what_was_typed_survives_a_slider_move_a_new_pillar_and_a_reorder_until_it_saves(folder):
    """STYLE rule 11 on step 1: an edit the file refuses stays on screen through every re-render."""
    editor = PromiseEditor(folder)
    editor.select_pillar("fresh")
    editor.name.value = ""  # not saved: a pillar needs a name
    editor.description.value = "Picked within the month"
    editor.target.value = 8.5
    new_id = editor.add_pillar("Fixed first time")
    editor.move_pillar(new_id, -1)
    editor.select_pillar("fresh")
    assert (editor.name.value, editor.description.value, editor.target.value) == (
        "", "Picked within the month", 8.5)
    editor.name.value = "Always fresh"
    saved = on_disk(folder)["pillars"]
    fresh = next(p for p in saved if p["id"] == "fresh")
    assert (fresh["name"], fresh["description"], fresh["target"]) == ("Always fresh", "Picked within the month", 8.5)
    assert [p["id"] for p in saved] == ["fresh", new_id, "expert_help"]


def test_a_half_point_slider_value_is_written_as_the_half_point(folder):
    editor = PromiseEditor(folder)
    editor.select_pillar("expert_help")
    editor.threshold.value = 6.499999999999999
    assert on_disk(folder)["pillars"][1]["threshold"] == 6.5
    assert "99999" not in (folder / "promise.yml").read_text()


def test_the_promise_card_shows_from_the_start(folder):
    """Step 1 closes by reading the card aloud: it is there when the cell runs, before any edit."""
    editor = PromiseEditor(folder)
    promise = load_promise(folder / PROMISE_FILE)
    assert promise.statement and html.escape(promise.statement) in editor.card.value
    assert all(html.escape(p.name) in editor.card.value for p in promise.pillars)


def test_a_stale_refusal_shows_next_to_the_field_used_in_one_sentence_without_the_laptops_path(folder):
    """The rehearsal's refusal sat ~650 px under the field, off screen, named /tmp/.../promise.yml and said
    "reload" twice: it now sits right under the field the person used and reads as one sentence."""
    first, stale = PromiseEditor(folder), PromiseEditor(folder)
    first.statement.value = "Saved in the first tab."
    assert str(folder) not in stale.status.value  # the opening line names the file, not the laptop's path

    stale.select_pillar("expert_help")
    stale.claim.value = "A claim typed in the stale tab"
    children = list(stale.pillar_form.children)
    assert children[children.index(stale.claim) + 1] is stale.status
    assert stale.status not in stale.widget.children
    text = html.unescape(stale.status.value)
    assert "promise.yml changed in another tab — reload to see it" in text
    assert str(folder) not in text and text.lower().count("reload") == 1
    assert text.count("edit") == 1  # "your edit is still on screen", said once

    stale.statement.value = "A statement typed in the stale tab"
    children = list(stale.widget.children)
    assert children[children.index(stale.statement) + 1] is stale.status
    assert stale.status not in stale.pillar_form.children
