"""Actions: what the room agrees to do on Monday, and the warnings a good facilitator would give.

An action closes the gap of one pillar by one of the two moves — refresh the promise, or lift the
experience — through a lever, with an owner, a date and a success measure. This module holds the
vocabulary (moves, levers, statuses), the Action record, its validation, prioritisation and the warnings.
It stores nothing (actions are kept as events in the session store) and imports no widgets or charts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping

from workshop.errors import Problem, WorkshopError

MOVES = {"refresh_promise": "Refresh the promise", "lift_experience": "Lift the experience"}
REFRESH_KINDS = {
    "reword": "Reword the pillar",
    "narrow": "Narrow it (fewer touchpoints or customers)",
    "lower_target": "Lower the target",
    "do_over": "Start the pillar again",
}
"""How a promise is refreshed; only ``refresh_promise`` actions have one."""
LEVERS = {
    "training": "Training",
    "staffing": "Staffing",
    "recruiting": "Recruiting",
    "reward_retention": "Reward and retention",
    "process": "Process and operations",
    "tools": "Tools",
    "marketing_message": "Marketing message",
    "internal_communication": "Internal brand communication",
    "other": "Other",
}
STATUSES = ("agreed", "in progress", "done", "dropped")
EFFORT_IMPACT_RANGE = range(1, 6)
"""Effort and impact are judged by the room on 1 (little) to 5 (a lot)."""
ONE_OWNER_SHARE = 0.75
"""Warn when one department owns more than this share of three or more actions: the gap is everyone's."""


class ActionError(WorkshopError):
    """An action is missing something or holds a value outside its choices."""


@dataclass
class Action:
    """One agreed action. ``gap`` is the pillar's gap (target − mean, 0–10 points) when it was agreed."""

    id: str
    pillar_id: str
    title: str
    move: str = "lift_experience"
    lever: str = "process"
    refresh_kind: str | None = None
    owner_department: str = ""
    owner_name: str = ""
    due: date | None = None
    effort: int = 3
    impact: int = 3
    measure: str = ""
    status: str = "agreed"
    idea_ids: list[str] = field(default_factory=list)
    votes: int = 0
    gap: float | None = None

    @property
    def quadrant(self) -> str:
        """Where it sits on the impact–effort matrix (3 is the middle of both scales)."""
        high_impact, low_effort = self.impact >= 3, self.effort <= 3
        return {(True, True): "quick win", (True, False): "major project",
                (False, True): "fill-in", (False, False): "thankless task"}[(high_impact, low_effort)]


def validate_action(action: Action, pillar_ids: Iterable[str]) -> None:
    """Raise ActionError naming each field that is outside its choices (owner and date may still be empty)."""
    where = f"action '{action.title or action.id}'"
    problems = []

    def refuse(field_name: str, message: str, fix: str, value) -> None:
        problems.append(Problem(None, where, field_name, message, fix, repr(value)))

    if not action.title.strip():
        refuse("title", "must not be empty", "Say what will be done in a few words.", action.title)
    if action.pillar_id not in set(pillar_ids):
        refuse("pillar", "is not a pillar of the promise", "Choose one of the promise's pillars.", action.pillar_id)
    if action.move not in MOVES:
        refuse("move", "must be 'refresh_promise' or 'lift_experience'", "", action.move)
    if action.lever not in LEVERS:
        refuse("lever", "is not one of the levers", f"Choose one of: {', '.join(LEVERS)}.", action.lever)
    if action.move == "refresh_promise" and action.refresh_kind not in REFRESH_KINDS:
        refuse("refresh_kind", "says how the promise is refreshed", f"Choose one of: {', '.join(REFRESH_KINDS)}.",
               action.refresh_kind)
    for name in ("effort", "impact"):
        value = getattr(action, name)
        if isinstance(value, bool) or not isinstance(value, int) or value not in EFFORT_IMPACT_RANGE:
            refuse(name, "must be a whole number from 1 to 5", "1 is little, 5 is a lot.", value)
    if action.status not in STATUSES:
        refuse("status", "is not a status", f"Choose one of: {', '.join(STATUSES)}.", action.status)
    if action.due is not None and not isinstance(action.due, date):
        refuse("due", "must be a date", "Write it as YYYY-MM-DD.", action.due)
    if problems:
        raise ActionError(problems)


def prioritised(actions: Iterable[Action]) -> list[Action]:
    """Quick wins first, then by impact, fewer effort, more votes; stable for equal actions."""
    order = {"quick win": 0, "major project": 1, "fill-in": 2, "thankless task": 3}
    return sorted(actions, key=lambda a: (order[a.quadrant], -a.impact, a.effort, -a.votes))


@dataclass(frozen=True)
class FacilitatorWarning:
    """Something a good facilitator would say before the room leaves. ``pillar_id`` is None for plan-wide ones."""

    pillar_id: str | None
    message: str


def facilitator_warnings(actions: list[Action], pillar_names: Mapping[str, str],
                         broken_pillars: Iterable[str]) -> list[FacilitatorWarning]:
    """The warnings for an action plan.

    ``broken_pillars`` are the ids of pillars whose experience is broken today (the gap metrics decide that;
    see ``workshop.gap``). Dropped actions do not count.
    """
    live = [a for a in actions if a.status != "dropped"]
    warnings: list[FacilitatorWarning] = []
    for pillar_id in broken_pillars:
        name = pillar_names.get(pillar_id, pillar_id)
        own = [a for a in live if a.pillar_id == pillar_id]
        if not own:
            warnings.append(FacilitatorWarning(pillar_id, f"'{name}' is broken today and has no action yet."))
        elif all(a.lever == "marketing_message" for a in own):
            warnings.append(FacilitatorWarning(pillar_id, f"'{name}' is broken today, yet every action on it changes the "
                                               "marketing message: changing the words does not change the port."))
    for action in live:
        missing = [label for label, empty in (("owner", not (action.owner_department or action.owner_name)),
                                              ("due date", action.due is None)) if empty]
        if missing:
            warnings.append(FacilitatorWarning(action.pillar_id, f"'{action.title}' has no {' and no '.join(missing)}."))
    departments = [a.owner_department for a in live if a.owner_department]
    if len(departments) >= 3:
        top = max(set(departments), key=departments.count)
        if departments.count(top) / len(departments) > ONE_OWNER_SHARE:
            warnings.append(FacilitatorWarning(None, f"{top} owns {departments.count(top)} of {len(departments)} actions: "
                                          "the gap belongs to every department."))
    return warnings
