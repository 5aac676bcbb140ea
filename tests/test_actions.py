"""The action model: validation, the impact–effort quadrants, and the warnings a facilitator would give."""
from __future__ import annotations

from datetime import date

import pytest

from workshop.actions import Action, ActionError, facilitator_warnings, prioritised, validate_action

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
