"""The action model: validation, the impact–effort quadrants, and the warnings a facilitator would give."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from workshop.actions import (NOT_RATED, Action, ActionError, action_from_ideas, action_from_payload,
                              action_to_payload, facilitator_warnings, pillar_standing, prioritised, quick_wins_sentence,
                              refreshed_promise, suggested_measure, updated_action, validate_action)
from workshop.gap import Table
from workshop.promise import load_promise, promise_diff

from conftest import DATA

PILLARS = {"fresh": "Fresh every time", "expert_help": "Expert help", "returns": "Easy returns"}


def action(**fields) -> Action:
    base = dict(id="a1", pillar_id="fresh", title="Cold chain audit", owner_department="Operations",
                owner_name="Sam", due=date(2027, 3, 31))
    return Action(**{**base, **fields})


def test_a_complete_action_is_valid():
    validate_action(action(), PILLARS)


@pytest.mark.parametrize("fields, field_name", [
    ({"title": " "}, "'title'"),
    ({"pillar_id": "speed"}, "'pillar'"),
    ({"move": "spin"}, "'move'"),
    ({"lever": "luck"}, "'lever'"),
    ({"move": "refresh_promise"}, "'refresh_kind'"),
    ({"effort": 0}, "'effort'"),
    ({"impact": 6}, "'impact'"),
    ({"impact": True}, "'impact'"),
    ({"status": "someday"}, "'status'"),
    ({"due": "next week"}, "'due'"),
])
def test_each_bad_field_is_named(fields, field_name):
    with pytest.raises(ActionError) as raised:
        validate_action(action(**fields), PILLARS)
    assert f"field {field_name}" in str(raised.value)


def test_quadrants_and_priority_order():
    plan = [action(id="t", effort=5, impact=1), action(id="q", effort=1, impact=5),
            action(id="m", effort=5, impact=5), action(id="f", effort=1, impact=1)]
    assert [a.quadrant for a in plan] == ["thankless task", "quick win", "major project", "fill-in"]
    assert [a.id for a in prioritised(plan)] == ["q", "m", "f", "t"]


def test_an_action_without_effort_and_impact_is_not_rated_yet_and_never_a_quick_win():
    unrated, half = action(id="u", effort=None, impact=None), action(id="h", effort=1, impact=None)
    assert unrated.quadrant == half.quadrant == NOT_RATED
    validate_action(unrated, PILLARS)
    assert [a.id for a in prioritised([unrated, action(id="f", effort=1, impact=1)])] == ["f", "u"]
    assert quick_wins_sentence([unrated]) == "1 not rated yet (judge effort and impact)"
    assert quick_wins_sentence([unrated, half, action(id="q", effort=1, impact=5)]) == (
        "1 of 1 rated actions are quick wins; 2 not rated yet (judge effort and impact)")


def test_warnings_name_what_a_facilitator_would_point_at():
    plan = [
        action(id="1", pillar_id="expert_help", lever="marketing_message"),
        action(id="2", pillar_id="fresh", owner_department="", owner_name="", due=None, title="Faster vans"),
        action(id="3", pillar_id="fresh"),
        action(id="4", pillar_id="fresh"),
        action(id="5", pillar_id="fresh"),
    ]
    messages = [w.message for w in facilitator_warnings(plan, PILLARS, ["expert_help", "returns"])]
    assert messages == [
        "'Expert help' is broken today, yet every action on it changes the marketing message: "
        "changing the words does not change the port.",
        "'Easy returns' is broken today and has no action yet.",
        "'Faster vans' has no owner and no due date.",
        "Operations owns 4 of 4 actions: the gap belongs to every department.",
    ]


def test_a_plan_without_problems_has_no_warnings():
    plan = [action(id="1", pillar_id="expert_help", lever="training", owner_department="Customer service"),
            action(id="2", pillar_id="fresh")]
    assert facilitator_warnings(plan, PILLARS, ["expert_help"]) == []


def test_dropped_actions_do_not_count():
    plan = [action(id="1", pillar_id="returns", status="dropped")]
    assert [w.message for w in facilitator_warnings(plan, PILLARS, ["returns"])] == [
        "'Easy returns' is broken today and has no action yet."]


# --- stored form, updates, measures, refreshes, pillar order ----------------------------------------------


def test_an_action_survives_its_stored_form():
    action = Action("a1", "speed", "Answer in a day", lever="staffing", owner_department="Service",
                    due=date(2026, 6, 30), idea_ids=["idea-3"], gap=2.25)
    payload = action_to_payload(action)
    assert payload["due"] == "2026-06-30"
    assert json.loads(json.dumps(payload)) == payload
    assert action_from_payload(payload) == action


def test_updates_change_only_updatable_fields():
    action = Action("a1", "speed", "Answer in a day")
    assert updated_action(action, {"due": "2026-06-30", "effort": 2}).due == date(2026, 6, 30)
    assert action.due is None  # the original is untouched
    with pytest.raises(ActionError, match="gap"):
        updated_action(action, {"gap": 0.0})
    with pytest.raises(ActionError) as refused:
        updated_action(action, {"due": "30 June"})
    assert [(p.field, p.value) for p in refused.value.problems] == [("due", "'30 June'")]
    assert "YYYY-MM-DD" in str(refused.value)
    assert updated_action(action, {"due": ""}).due is None


def test_the_suggested_measure_names_pillar_threshold_share_and_date():
    assert suggested_measure("Quick answers", 6.5, date(2026, 6, 30)) == (
        "'Quick answers' scores above 6.5 for 70 % of advocates by 2026-06-30")
    assert suggested_measure("Quick answers", 6.0, None).endswith("above 6 for 70 % of advocates by <date>")


@pytest.mark.parametrize("kind, changes, changed", [
    ("reword", {"name": "Answers the same day", "description": "We answer by 5 pm."}, {"name", "description"}),
    ("lower_target", {"target": 8.0}, {"target"}),
    ("narrow", {"touchpoints": ["phone"]}, {"touchpoints"}),
    ("do_over", {"name": "New", "threshold": 5.0}, {"name", "threshold"}),
])
def test_a_refresh_changes_what_its_kind_allows_on_its_pillar_only(kind, changes, changed):
    promise = load_promise(DATA / "feedback" / "promise.yml")
    action = Action("a1", "speed", "Refresh", move="refresh_promise", refresh_kind=kind)
    refreshed = refreshed_promise(promise, action, **changes)
    assert {c.field for c in promise_diff(promise, refreshed)} == changed
    assert {c.pillar for c in promise_diff(promise, refreshed)} == {changes.get("name", "Quick answers")}
    assert promise == load_promise(DATA / "feedback" / "promise.yml")  # the input is not changed


def test_a_refresh_outside_its_kind_or_on_a_lift_action_is_refused():
    promise = load_promise(DATA / "feedback" / "promise.yml")
    reword = Action("a1", "speed", "Reword", move="refresh_promise", refresh_kind="reword")
    with pytest.raises(ActionError, match="target.*is not changed by 'Reword the pillar'"):
        refreshed_promise(promise, reword, target=7.0)
    with pytest.raises(ActionError, match="says nothing to change"):
        refreshed_promise(promise, reword)
    with pytest.raises(ActionError, match="not a 'refresh the promise' action"):
        refreshed_promise(promise, Action("a2", "speed", "Hire"), name="x")


def test_pillars_stand_largest_gap_first_and_unmeasured_last():
    promise = load_promise(DATA / "feedback" / "promise.yml")
    table = Table({"pillar": np.array(["speed", "care", "clarity"], dtype=object),
                   "gap": np.array([1.0, np.nan, 3.5]),
                   "status": np.array(["at risk", "not judged", "broken"], dtype=object)})
    standing = pillar_standing(promise, table)
    assert [(s.pillar_id, s.gap, s.broken) for s in standing] == [
        ("clarity", 3.5, True), ("speed", 1.0, False), ("care", None, False)]
    assert [s.pillar_id for s in pillar_standing(promise)] == promise.pillar_ids


def test_an_action_is_made_from_at_least_one_idea():
    """The board, the CLI or a test agreeing an action from no ideas is told so, not that the title is empty."""
    with pytest.raises(ActionError) as refused:
        action_from_ideas(None, [])
    [problem] = refused.value.problems
    assert problem.field == "ideas" and "choose ideas on the board to agree an action" in problem.message
    assert problem.fix
