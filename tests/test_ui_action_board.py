"""The action board driven from Python as a facilitator would: the room's ideas merged (dots add up), promoted
to actions, owner/date/measure filled in the widgets, effort and impact on the sliders, a pillar refreshed;
then the exports read back cell by cell. Real files: a temporary copy of the sample company."""
from __future__ import annotations

import csv
import html
import sqlite3
from datetime import date, datetime

import openpyxl
import pytest

from workshop.feedback.load import load_workshop_feedback
from workshop.promise import load_versions, promise_diff
from workshop.report import export_all
from workshop.reporting import build_report
from workshop.session import SessionStore
from workshop.ui.action_board import ActionBoard

from conftest import SAMPLE

HOSTILE_TITLE = '=HYPERLINK("http://evil.example","win")'
MEASURE = "'Delivered when we say' scores above 6 for 70 % of advocates by 2026-06-30"


@pytest.fixture(scope="module")
def cube():
    return load_workshop_feedback(SAMPLE).cube


def voted_room(folder) -> tuple[str, str]:
    """Two participants propose the same idea in two wordings and spend 3 and 2 dots on them."""
    with SessionStore(folder) as store:
        code = store.start("ROOM1")
        alice, bob = store.join(code, "Operations").id, store.join(code, "Sales").id
        store.open_stage("ideas")
        a = store.propose_idea(alice, "Text customers their delivery slot", "on_time_delivery",
                               "lift_experience", "tools")
        b = store.propose_idea(bob, "<script>alert(1)</script> SMS the slot", "on_time_delivery",
                               "lift_experience", "tools")
        store.open_stage("voting")
        store.vote(alice, {a: 3})
        store.vote(bob, {b: 2})
        store.close_stage()
        store.set_anonymity(False)
    return a, b


def test_pillars_are_in_gap_order_with_the_broken_one_first_and_ideas_escaped(workshop_dir, cube):
    voted_room(workshop_dir)
    board = ActionBoard(workshop_dir, cube)
    gaps = [s.gap for s in board.standing]
    assert gaps == sorted(gaps, reverse=True)
    assert board.standing[0].pillar_id == "on_time_delivery" and board.standing[0].broken
    assert "<script>" not in board.ideas_html.value
    assert html.escape("<script>alert(1)</script>") in board.ideas_html.value
    assert board.warnings()[0].message == "'Delivered when we say' is broken today and has no action yet."


def test_without_feedback_the_pillars_keep_the_promises_order(workshop_dir):
    board = ActionBoard(workshop_dir)
    assert [s.pillar_id for s in board.standing] == board.promise.pillar_ids
    assert board.warnings() == []


def test_reload_shows_ideas_the_room_sent_after_the_board_opened(workshop_dir):
    board = ActionBoard(workshop_dir)
    with SessionStore(workshop_dir) as store:
        store.type_idea("Weekend deliveries", "on_time_delivery", "lift_experience", "staffing")
    assert "Weekend deliveries" not in board.ideas_html.value
    board.reload_button.click()
    assert "Weekend deliveries" in board.ideas_html.value
    assert [label for label, _ in board.merge_from.options] == ["#1 Weekend deliveries"]


def test_a_refused_input_is_a_message_not_a_traceback(workshop_dir):
    board = ActionBoard(workshop_dir)
    board.idea_text.value = "x" * 300
    board.add_button.click()
    assert "more than the 280 allowed" in board.message.value
    board.promote_button.click()  # nothing chosen
    assert "choose ideas" in board.message.value
    board.refresh_button.click()  # no action picked yet
    assert "Pick a &#x27;refresh the promise&#x27; action" in board.message.value
    assert load_versions(workshop_dir)[-1].version == 1  # nothing was saved


def test_a_callback_that_fails_unexpectedly_is_a_message_not_a_traceback(workshop_dir, monkeypatch):
    board = ActionBoard(workshop_dir)

    def broken(*_args):
        raise sqlite3.OperationalError("database disk image is malformed")

    monkeypatch.setattr(board.store, "type_idea", broken)
    board.idea_text.value = "Weekend deliveries"
    board.add_button.click()
    assert "Something went wrong (OperationalError: database disk image is malformed)" in board.message.value
    assert board.idea_text.value == "Weekend deliveries"  # what was typed is kept


def test_the_whole_flow_from_ideas_to_the_exports(workshop_dir, cube):
    a, b = voted_room(workshop_dir)
    board = ActionBoard(workshop_dir, cube)

    board.merge(b, a)
    assert board.store.state().vote_totals()[a] == 5

    first = board.promote([a, b], title=HOSTILE_TITLE)
    assert board.action_pick.value == first
    board.owner_department.value = "Operations"
    board.owner_name.value = "Sam Lee"
    board.due.value = date(2026, 6, 30)
    assert board.measure.value == MEASURE  # the suggestion follows the date picked
    board.save_button.click()
    board.effort.value = 2
    board.impact.value = 5
    assert board.message.value == ""
    assert list(board.matrix.data[0].x) == [2] and list(board.matrix.data[0].y) == [5]

    c = board.type_idea("Promise delivery within 8 of 10", "on_time_delivery", "refresh_promise",
                        "marketing_message")
    second = board.promote([c], refresh_kind="lower_target")
    board.update(second, effort=1, impact=2)
    assert sorted(board.matrix.data[0].x) == [1, 2]
    board.refresh_target.value = 8.0
    board.refresh_button.click()
    assert board.message.value == ""

    versions = load_versions(workshop_dir)
    assert [p.version for p in versions] == [1, 2]
    assert versions[0].pillar("on_time_delivery").target == 10
    assert [str(ch) for ch in promise_diff(*versions)] == ["Pillar 'Delivered when we say': target: 10 → 8"]
    assert [w.message for w in board.warnings()] == [
        "'Promise delivery within 8 of 10' has no owner and no due date."]

    report = build_report(workshop_dir)
    paths = export_all(report, workshop_dir)
    header = ["Pillar", "Gap when agreed", "Move", "How (refresh kind)", "Lever", "Action", "Owner department",
              "Owner", "Due", "Effort", "Impact", "Priority (quadrant)", "Success measure", "Status", "Votes",
              "From ideas"]
    rows = [["Delivered when we say", "4.6", "Lift the experience", "", "Tools", "'" + HOSTILE_TITLE, "Operations",
             "Sam Lee", "2026-06-30", "2", "5", "quick win", MEASURE, "agreed", "5", "#1, #2"],
            ["Delivered when we say", "4.6", "Refresh the promise", "Lower the target", "Marketing message",
             "Promise delivery within 8 of 10", "", "", "", "1", "2", "fill-in", "", "agreed", "0", "#3"]]
    with open(paths["csv"], encoding="utf-8-sig", newline="") as stream:
        assert list(csv.reader(stream)) == [header, *rows]

    sheet = openpyxl.load_workbook(paths["xlsx"]).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0] == header
    assert cells[1] == ["Delivered when we say", 4.6, "Lift the experience", None, "Tools", "'" + HOSTILE_TITLE,
                        "Operations", "Sam Lee", datetime(2026, 6, 30), 2, 5, "quick win", MEASURE, "agreed", 5,
                        "#1, #2"]
    assert cells[2] == ["Delivered when we say", 4.6, "Refresh the promise", "Lower the target", "Marketing message",
                        "Promise delivery within 8 of 10", None, None, None, 1, 2, "fill-in", None, "agreed", 0,
                        "#3"]
    assert sheet["I2"].number_format == "yyyy-mm-dd"

    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert ("| Delivered when we say | 4.6 | Lift the experience |  | Tools | '=HYPERLINK(\"http://evil.example\","
            "\"win\") | Operations | Sam Lee | 2026-06-30 | 2 | 5 | quick win | " + MEASURE
            + " | agreed | 5 | #1, #2 |") in markdown.splitlines()
    assert ("| Delivered when we say | 4.6 | Refresh the promise | Lower the target | Marketing message | "
            "Promise delivery within 8 of 10 |  |  |  | 1 | 2 | fill-in |  | agreed | 0 | #3 |") in markdown.splitlines()
    assert "- Pillar 'Delivered when we say': target: 10 → 8" in markdown.splitlines()
    assert "- 'Promise delivery within 8 of 10' has no owner and no due date." in markdown.splitlines()
    page = paths["html"].read_text(encoding="utf-8")
    assert html.escape("'" + HOSTILE_TITLE) in page
    assert "alert(1)" not in page  # ideas' words reach the report only through the actions agreed from them


def agreed_action(folder) -> tuple[ActionBoard, str]:
    a, _b = voted_room(folder)
    board = ActionBoard(folder)
    return board, board.promote([a])


def type_owner_date_and_measure(board: ActionBoard) -> None:
    board.owner_department.value = "Operations"
    board.owner_name.value = "Sam Lee"
    board.due.value = date(2026, 6, 30)
    board.measure.value = "Slot texted for 9 of 10 deliveries"


def test_moving_effort_and_impact_keeps_the_owner_date_and_measure_typed_first(workshop_dir):
    """Notebook 04's order: owner, department, date and measure first, then the sliders, then Save."""
    board, action_id = agreed_action(workshop_dir)
    type_owner_date_and_measure(board)
    board.effort.value = 2
    board.impact.value = 5
    board.reload_button.click()  # and the room's ideas arriving meanwhile
    board.type_idea("Call before the slot", "on_time_delivery")
    assert (board.owner_department.value, board.owner_name.value, board.due.value, board.measure.value) == (
        "Operations", "Sam Lee", date(2026, 6, 30), "Slot texted for 9 of 10 deliveries")
    board.save_button.click()
    saved = next(a for a in board.actions() if a.id == action_id)
    assert (saved.owner_department, saved.owner_name, saved.due, saved.measure, saved.effort, saved.impact) == (
        "Operations", "Sam Lee", date(2026, 6, 30), "Slot texted for 9 of 10 deliveries", 2, 5)


def test_typed_fields_stay_with_their_action_until_saved_or_discarded(workshop_dir):
    board, first = agreed_action(workshop_dir)
    second = board.promote([board.type_idea("Call before the slot", "on_time_delivery")])
    board.action_pick.value = first
    type_owner_date_and_measure(board)
    board.action_pick.value = second
    assert board.owner_name.value == ""
    board.action_pick.value = first
    assert board.owner_name.value == "Sam Lee"
    board.discard_button.click()
    assert (board.owner_department.value, board.owner_name.value, board.due.value) == ("", "", None)
    assert all(a.owner_name == "" for a in board.actions())


def test_an_unrated_action_says_so_and_a_slider_moved_back_unrates_it(workshop_dir):
    board, action_id = agreed_action(workshop_dir)
    assert board.effort.label == board.impact.label == "not rated yet"
    assert board.matrix.layout.title.text == "1 not rated yet (judge effort and impact)"
    board.effort.value, board.impact.value = 1, 5
    assert board.matrix.layout.title.text == "1 of 1 actions are quick wins"
    board.impact.value = 0
    assert next(a for a in board.actions() if a.id == action_id).impact is None


def test_the_department_is_chosen_from_the_promise_or_named_and_the_date_reads_iso(workshop_dir):
    board, action_id = agreed_action(workshop_dir)
    offered = [value for _label, value in board.owner_department.options]
    assert offered[1:-1] == board.promise.departments
    board.owner_department.value = "another department…"
    board.other_department.value = "Logistics partner"
    board.due.value = date(2026, 6, 30)
    assert "2026-06-30" in board.due_iso.value
    board.save_button.click()
    assert next(a for a in board.actions() if a.id == action_id).owner_department == "Logistics partner"
    board.refresh()
    assert (board.owner_department.value, board.other_department.value) == ("another department…",
                                                                             "Logistics partner")


def test_ideas_the_session_does_not_have_are_refused_by_the_sessions_rule_and_nothing_is_agreed(workshop_dir, cube):
    a, _ = voted_room(workshop_dir)
    board = ActionBoard(workshop_dir, cube)
    for picked in (["no-such-idea"], [a, "no-such-idea"]):
        board._guarded(lambda picked=picked: board.promote(picked))
        assert "is not an idea of this session" in html.unescape(board.message.value)
        assert "Reload the list of ideas and choose again." in html.unescape(board.message.value)
        assert "Something went wrong" not in board.message.value
    assert board.store.state().actions == {}
    board._guarded(lambda: board.promote([]))
    assert "choose ideas on the board to agree an action" in board.message.value
