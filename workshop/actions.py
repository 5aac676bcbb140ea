"""Actions: what the room agrees to do on Monday, and the warnings a good facilitator would give.

An action closes the gap of one pillar by one of the two moves — refresh the promise, or lift the
experience — through a lever, with an owner, a date and a success measure. This module holds the
vocabulary (moves, levers, statuses), the Action record, its validation, prioritisation and the warnings,
the order pillars are discussed in (largest gap first) and what refreshing a pillar changes.
It stores nothing (actions are kept as events in the session store) and imports no widgets or charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any, Protocol

from workshop import gap as gap_metrics
from workshop.errors import Problem, WorkshopError
from workshop.promise import Promise

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
"""Effort and impact are judged by the room on 1 (little) to 5 (a lot); None until the room has judged them."""
NOT_RATED = "not rated yet"
"""The quadrant of an action whose effort or impact the room has not judged: it is in no quadrant, and never
counted as a quick win."""
UPDATABLE_FIELDS = (
    "title",
    "move",
    "lever",
    "refresh_kind",
    "owner_department",
    "owner_name",
    "due",
    "effort",
    "impact",
    "measure",
    "status",
)
"""What the facilitator may change on an agreed action; its pillar, ideas and gap snapshot stay as agreed."""
MEASURE_SHARE = 0.7
"""The share of advocates the suggested success measure asks for: 'most', with room to spare."""
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
    effort: int | None = None
    impact: int | None = None
    measure: str = ""
    status: str = "agreed"
    idea_ids: list[str] = field(default_factory=list)
    votes: int = 0
    gap: float | None = None

    @property
    def rating(self) -> tuple[int, int] | None:
        """(effort, impact) once the room has judged both; None until then."""
        return None if self.effort is None or self.impact is None else (self.effort, self.impact)

    @property
    def quadrant(self) -> str:
        """Where it sits on the impact–effort matrix (3 is the middle of both scales), or ``NOT_RATED``."""
        if self.rating is None:
            return NOT_RATED
        effort, impact = self.rating
        high_impact, low_effort = impact >= 3, effort <= 3
        return {
            (True, True): "quick win",
            (True, False): "major project",
            (False, True): "fill-in",
            (False, False): "thankless task",
        }[(high_impact, low_effort)]


class ProposedIdea(Protocol):
    """What an action takes from the idea it is agreed from (``workshop.session.Idea``)."""

    @property
    def pillar(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def move(self) -> str: ...
    @property
    def lever(self) -> str: ...


def action_from_ideas(
    first: ProposedIdea | None,
    idea_ids: Sequence[str],
    title: str = "",
    refresh_kind: str | None = None,
    gap: float | None = None,
    **fields: Any,
) -> Action:
    """The action the room agrees from ideas: ``first``, the first of them, gives the pillar, move, lever and,
    unless ``title`` is given, the title; ``refresh_kind`` makes it a 'refresh the promise' action; ``gap`` is
    the pillar's gap now; other ``fields`` (owner, due, measure, effort, impact) may be given at once. Which
    ideas a session has is the session's rule (``SessionStore.agree_action`` refuses any other), so with no
    ``first`` known the action carries only its ideas, for the session to refuse. No ideas at all is refused
    here, in words, rather than as the empty title and pillar it would make."""
    if not idea_ids:
        fix = (
            "Pick one or more ideas under 'Agree an action' (Reload ideas and votes first if the room just sent them)."
        )
        raise ActionError(
            [Problem(None, "Agree an action", "ideas", "choose ideas on the board to agree an action", fix)]
        )
    if first is None:
        return Action("", "", title.strip(), idea_ids=list(idea_ids))
    return Action(
        "",
        first.pillar,
        title.strip() or first.text,
        move="refresh_promise" if refresh_kind else first.move,
        lever=first.lever,
        refresh_kind=refresh_kind,
        idea_ids=list(idea_ids),
        gap=gap,
        **fields,
    )


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
        refuse(
            "refresh_kind",
            "says how the promise is refreshed",
            f"Choose one of: {', '.join(REFRESH_KINDS)}.",
            action.refresh_kind,
        )
    for name in ("effort", "impact"):
        value = getattr(action, name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value not in EFFORT_IMPACT_RANGE
        ):
            refuse(name, "must be a whole number from 1 to 5, or not rated yet", "1 is little, 5 is a lot.", value)
    if action.status not in STATUSES:
        refuse("status", "is not a status", f"Choose one of: {', '.join(STATUSES)}.", action.status)
    if action.due is not None and not isinstance(action.due, date):
        refuse("due", "must be a date", "Write it as YYYY-MM-DD.", action.due)
    if problems:
        raise ActionError(problems)


def prioritised(actions: Iterable[Action]) -> list[Action]:
    """Quick wins first, then by impact, fewer effort, more votes; actions not rated yet last; stable for equal
    actions."""
    order = {"quick win": 0, "major project": 1, "fill-in": 2, "thankless task": 3, NOT_RATED: 4}
    return sorted(actions, key=lambda a: (order[a.quadrant], -(a.impact or 0), a.effort or 0, -a.votes))


def quick_wins_sentence(actions: Iterable[Action]) -> str:
    """How many of the live (not dropped) actions are quick wins, counted among the rated ones only: an action
    whose effort or impact is not judged yet is said to be so, never counted as a quick win."""
    live = [a for a in actions if a.status != "dropped"]
    if not live:
        return "No actions agreed yet"
    rated = [a for a in live if a.quadrant != NOT_RATED]
    unrated = len(live) - len(rated)
    quick = sum(a.quadrant == "quick win" for a in rated)
    counted = f"{quick} of {len(rated)}{' rated' if unrated else ''} actions"
    parts = [f"{counted} are quick wins"] if rated else []
    if unrated:
        parts.append(f"{unrated} not rated yet (judge effort and impact)")
    return "; ".join(parts)


@dataclass(frozen=True)
class FacilitatorWarning:
    """Something a good facilitator would say before the room leaves. ``pillar_id`` is None for plan-wide ones."""

    pillar_id: str | None
    message: str


def facilitator_warnings(
    actions: list[Action], pillar_names: Mapping[str, str], broken_pillars: Iterable[str]
) -> list[FacilitatorWarning]:
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
            warnings.append(
                FacilitatorWarning(
                    pillar_id,
                    f"'{name}' is broken today, yet every action on it changes the "
                    "marketing message: changing the words does not change the port.",
                )
            )
    for action in live:
        missing = [
            label
            for label, empty in (
                ("owner", not (action.owner_department or action.owner_name)),
                ("due date", action.due is None),
            )
            if empty
        ]
        if missing:
            warnings.append(
                FacilitatorWarning(action.pillar_id, f"'{action.title}' has no {' and no '.join(missing)}.")
            )
    departments = [a.owner_department for a in live if a.owner_department]
    if len(departments) >= 3:
        top = max(set(departments), key=departments.count)
        if departments.count(top) / len(departments) > ONE_OWNER_SHARE:
            warnings.append(
                FacilitatorWarning(
                    None,
                    f"{top} owns {departments.count(top)} of {len(departments)} actions: "
                    "the gap belongs to every department.",
                )
            )
    return warnings


# --- stored form ------------------------------------------------------------------------------------------


def action_to_payload(action: Action) -> dict[str, Any]:
    """The action as JSON-ready values (the due date as ``YYYY-MM-DD``), for a session event."""
    payload = {f.name: getattr(action, f.name) for f in fields(Action)}
    payload["due"] = action.due.isoformat() if action.due else None
    payload["idea_ids"] = list(action.idea_ids)
    return payload


def action_from_payload(payload: Mapping[str, Any]) -> Action:
    """The inverse of ``action_to_payload``."""
    values = dict(payload)
    values["due"] = date.fromisoformat(values["due"]) if values.get("due") else None
    values["idea_ids"] = list(values.get("idea_ids", []))
    return Action(**values)


def updated_action(action: Action, changes: Mapping[str, Any]) -> Action:
    """A copy of ``action`` with ``changes`` (a subset of ``UPDATABLE_FIELDS``; ``due`` a date or ISO text)."""
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS))
    if unknown:
        raise ActionError(
            [
                Problem(
                    None,
                    f"action '{action.title}'",
                    name,
                    "cannot be changed after agreeing",
                    f"Change only: {', '.join(UPDATABLE_FIELDS)}.",
                )
                for name in unknown
            ]
        )
    values = dict(changes)
    if isinstance(values.get("due"), str):
        try:
            values["due"] = date.fromisoformat(values["due"]) if values["due"] else None
        except ValueError:
            raise ActionError(
                [
                    Problem(
                        None,
                        f"action '{action.title}'",
                        "due",
                        "must be a date",
                        "Write it as YYYY-MM-DD.",
                        repr(changes["due"]),
                    )
                ]
            ) from None
    return replace(action, **values)


# --- words the facilitator starts from --------------------------------------------------------------------


def suggested_measure(pillar_name: str, threshold: float, due: date | None) -> str:
    """The success measure offered when an idea becomes an action, e.g. "'Fast claims' scores above 6 for
    70 % of advocates by 2026-06-30". ``threshold`` is the pillar's promise-able line (0–10)."""
    by = due.isoformat() if due else "<date>"
    return f"'{pillar_name}' scores above {threshold:g} for {MEASURE_SHARE * 100:.0f} % of advocates by {by}"


def refreshed_promise(
    promise: Promise,
    action: Action,
    *,
    name: str | None = None,
    description: str | None = None,
    target: float | None = None,
    threshold: float | None = None,
    touchpoints: list[str] | None = None,
) -> Promise:
    """The promise after a ``refresh_promise`` action is carried out on its pillar (``promise`` unchanged).

    What may change follows the action's refresh kind: ``reword`` the pillar's name and description;
    ``narrow`` its touchpoints (and description); ``lower_target`` its target (and threshold, 0–10, never
    above the target); ``do_over`` any of these. The result is not validated here: saving it is
    (``workshop.promise.save_new_version``).
    """
    allowed = {
        "reword": {"name", "description"},
        "narrow": {"touchpoints", "description"},
        "lower_target": {"target", "threshold"},
        "do_over": {"name", "description", "target", "threshold", "touchpoints"},
    }
    given = {
        key: value
        for key, value in (
            ("name", name),
            ("description", description),
            ("target", target),
            ("threshold", threshold),
            ("touchpoints", touchpoints),
        )
        if value is not None
    }
    where = f"refreshing '{action.title}'"
    if action.move != "refresh_promise" or action.refresh_kind not in allowed:
        raise ActionError(
            [
                Problem(
                    None,
                    where,
                    "move",
                    "is not a 'refresh the promise' action",
                    "Only actions that refresh the promise change it.",
                    repr(action.move),
                )
            ]
        )
    if not given:
        raise ActionError(
            [Problem(None, where, None, "says nothing to change", "Give the new wording, touchpoints or target.")]
        )
    outside = sorted(set(given) - allowed[action.refresh_kind])
    if outside:
        raise ActionError(
            [
                Problem(
                    None,
                    where,
                    key,
                    f"is not changed by '{REFRESH_KINDS[action.refresh_kind]}'",
                    f"Change only: {', '.join(sorted(allowed[action.refresh_kind]))}.",
                    repr(given[key]),
                )
                for key in outside
            ]
        )
    refreshed = promise.copy()
    pillar = refreshed.pillar(action.pillar_id)
    for key, value in given.items():
        setattr(pillar, key, list(value) if isinstance(value, (list, tuple)) else value)
    return refreshed


# --- which pillars first ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PillarStanding:
    """A pillar as the action board orders it: ``gap`` is target − mean in points (0–10; None without
    feedback or answers), ``status`` one of ``workshop.gap.STATUSES`` (None without feedback)."""

    pillar_id: str
    name: str
    gap: float | None = None
    status: str | None = None

    @property
    def broken(self) -> bool:
        return self.status == gap_metrics.BROKEN


def pillar_standing(promise: Promise, pillar_table: gap_metrics.Table | None = None) -> list[PillarStanding]:
    """The promise's pillars, largest gap first (pillars without a gap last, in the promise's order).

    ``pillar_table`` is ``GapMetrics(cube).table(flt, "pillar", goal_posts)``: one row per pillar. Without it
    (no feedback loaded) the pillars keep the promise's order and carry no gap.
    """
    found: dict[str, tuple[float | None, str]] = {}
    if pillar_table is not None:
        for pillar_id, value, status in zip(
            pillar_table["pillar"], pillar_table["gap"], pillar_table["status"], strict=True
        ):
            found[str(pillar_id)] = (None if value != value else float(value), str(status))  # NaN: no answers
    standing = [PillarStanding(p.id, p.name, *found.get(p.id, (None, None))) for p in promise.pillars]
    return sorted(standing, key=lambda s: (s.gap is None, -(s.gap or 0.0)))
