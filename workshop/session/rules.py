"""The submission rules: every value a participant or the facilitator sends is checked here against the
state it would join, because a browser can send anything. A refusal raises a ``SessionError`` (a
``WorkshopError``) naming the field, the value and the fix, and nothing is written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from workshop.actions import Action, ActionError, action_to_payload, validate_action
from workshop.errors import Problem, WorkshopError
from workshop.promise import SCORE_MAX, SCORE_MIN, Promise
from workshop.session.events import FACILITATOR_LABEL, STAGES, Idea, Participant, SessionState, allocation_of

RATING_STEP = 0.5
"""Sliders move in half points: fine enough to say 'a bit better', coarse enough to tap on a phone."""
TEXT_MAX_CHARS = 280
"""Ideas and promise sentences: long enough for a sentence, short enough to read on a projector."""
NAME_MAX_CHARS = 40
DEPARTMENT_MAX_CHARS = 60
OWNER_MAX_CHARS = 80
MAX_DOT_BUDGET = 20
RESERVED_NAME = re.compile(rf"^({FACILITATOR_LABEL}|participant\s*\d+)$", re.IGNORECASE)
"""Display names a participant may not take: the facilitator's label, and the 'Participant N' of anonymity."""
INVISIBLE_CHARACTERS = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
"""Bidi overrides and isolates, zero-width and other invisible characters: removed from participant text so
a name or idea cannot reorder what the room reads ('evil\u202egnp.exe') or hide one name inside another."""


# --- errors -----------------------------------------------------------------------------------------------


class SessionError(WorkshopError):
    """A submission to the live session was refused, or the session file cannot be used."""


class WrongSessionCode(SessionError):
    """The session code typed does not match this session's."""


class UnknownParticipant(SessionError):
    """A submission names a participant who never joined this session."""


class StageNotOpen(SessionError):
    """A submission arrived for a stage the facilitator has not opened (or has closed)."""


class InvalidSubmission(SessionError):
    """A value is out of bounds, too long, or not one of the choices offered."""


class StaleAllocation(SessionError):
    """A vote was built on dots that have changed since (another tab of the same participant, or a merge)."""


def _shown(value: Any) -> str:
    """``repr`` of a value, shortened so a 10,000-character idea does not flood a message."""
    if isinstance(value, str) and len(value) > 40:
        return f"{value[:40]!r}… ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "…"


# --- validation -------------------------------------------------------------------------------------------


class _Rules:
    """Checks one submission against the state it would join; raises the first problem found."""

    def __init__(self, path: Path | str, state: SessionState, promise: Promise):
        self.path = path
        self.state = state
        self.promise = promise

    def refuse(
        self, error: type[SessionError], where: str, field: str | None, message: str, fix: str, value: Any = None
    ) -> NoReturn:
        shown = None if value is None else _shown(value)
        raise error([Problem(self.path, where, field, message, fix, shown)])

    def code(self, code: Any) -> None:
        if self.state.code is None:
            self.refuse(
                StageNotOpen,
                "joining",
                "session code",
                "the session has not started yet",
                "Wait for the facilitator to start the session, then scan the code again.",
            )
        typed = code.strip().upper() if isinstance(code, str) else code
        if typed != self.state.code:
            self.refuse(
                WrongSessionCode,
                "joining",
                "session code",
                "does not match this session's code",
                "Type the code shown on the facilitator's screen.",
                code,
            )

    def participant(self, participant_id: Any) -> Participant:
        if not isinstance(participant_id, str) or participant_id not in self.state.participants:
            self.refuse(
                UnknownParticipant,
                "submission",
                "participant",
                "has not joined this session",
                "Join with the session code first (reload the page to start again).",
                participant_id,
            )
        return self.state.participants[participant_id]

    def stage(self, stage: str) -> None:
        if self.state.stage != stage:
            now = f"'{STAGES[self.state.stage]}' is open" if self.state.stage else "no stage is open"
            self.refuse(
                StageNotOpen,
                "submission",
                "stage",
                f"'{STAGES[stage]}' is not open ({now})",
                "Wait for the facilitator to open it.",
            )

    def score(self, value: Any, question: str) -> float:
        ok = (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
            and SCORE_MIN <= value <= SCORE_MAX
            and float(value / RATING_STEP).is_integer()
        )
        if not ok:
            self.refuse(
                InvalidSubmission,
                "rating",
                question,
                "must be a number from 0 to 10 in whole or half points",
                "Move the slider to a mark.",
                value,
            )
        return float(value)

    def text(self, value: Any, what: str, required: bool = True, max_chars: int = TEXT_MAX_CHARS) -> str:
        if not isinstance(value, str):
            self.refuse(InvalidSubmission, what, "text", "must be text", "Type a few words.", value)
        if "\x00" in value:  # no keyboard types it, and PostgreSQL cannot store it in a text column
            self.refuse(InvalidSubmission, what, "text", "contains a NUL character", "Type it again.", value)
        text = INVISIBLE_CHARACTERS.sub("", value).strip()
        if required and not text:
            self.refuse(InvalidSubmission, what, "text", "is empty", "Type a few words.")
        if len(text) > max_chars:
            self.refuse(
                InvalidSubmission,
                what,
                "text",
                f"is {len(text)} characters, more than the {max_chars} allowed",
                "Shorten it to one or two sentences.",
                value,
            )
        return text

    def choice(self, value: Any, choices: Iterable[str], what: str, field: str) -> str:
        choices = list(choices)
        if not isinstance(value, str) or value not in choices:
            self.refuse(
                InvalidSubmission,
                what,
                field,
                "is not one of the choices offered",
                f"Choose one of: {', '.join(choices)}.",
                value,
            )
        return value

    def department(self, value: Any) -> str:
        if self.promise.departments:
            return self.choice(value, self.promise.departments, "joining", "department")
        return self.text(value, "joining", max_chars=DEPARTMENT_MAX_CHARS)

    def live_idea(self, idea_id: Any, what: str) -> Idea:
        idea = self.state.ideas.get(idea_id) if isinstance(idea_id, str) else None
        if idea is None or idea.merged_into is not None:
            self.refuse(
                InvalidSubmission,
                what,
                "idea",
                "is not an idea on the current list",
                "Reload the list of ideas and choose again.",
                idea_id,
            )
        return idea

    def action(self, action_id: Any, what: str) -> Action:
        found = self.state.actions.get(action_id) if isinstance(action_id, str) else None
        if found is None:
            self.refuse(
                InvalidSubmission,
                what,
                "action",
                "is not an agreed action",
                "Reload the action board and choose again.",
                action_id,
            )
        return found

    def valid_action(self, action: Action) -> dict[str, Any]:
        """The action's stored payload once it passes ``validate_action`` and the text limits here."""
        try:
            validate_action(action, self.promise.pillar_ids)
        except ActionError as error:
            raise InvalidSubmission([replace(p, file=self.path) for p in error.problems]) from None
        where = f"action '{action.title}'"
        self.text(action.title, where)
        self.text(action.measure, where, required=False)
        self.text(action.owner_department, where, required=False, max_chars=DEPARTMENT_MAX_CHARS)
        self.text(action.owner_name, where, required=False, max_chars=OWNER_MAX_CHARS)
        if action.gap is not None and not (isinstance(action.gap, (int, float)) and math.isfinite(action.gap)):
            self.refuse(
                InvalidSubmission,
                where,
                "gap",
                "must be a number of points or empty",
                "Agree the action again from the board.",
                action.gap,
            )
        payload = action_to_payload(action)
        del payload["id"], payload["votes"]  # the id is the event's; votes are derived from the ideas
        return payload

    def display_name(self, value: Any) -> str:
        name = self.text(value, "joining", required=False, max_chars=NAME_MAX_CHARS)
        if RESERVED_NAME.match(name):
            self.refuse(
                InvalidSubmission,
                "joining",
                "name",
                f"'{name}' is kept for the workshop itself",
                "Choose another name, or leave it empty to stay anonymous.",
                name,
            )
        return name

    def allocation_unchanged(self, expected: dict[str, int], participant_id: str) -> None:
        """Refuse a vote made from dots other than those stored now (``allocation_of``)."""
        if {k: v for k, v in expected.items() if v} != allocation_of(self.state, participant_id):
            self.refuse(
                StaleAllocation,
                "vote",
                "dots",
                "changed since this page showed them (another tab or window, or ideas merged)",
                "Check your dots as shown now and tap again.",
            )

    def dots(self, allocation: Any, participant_id: str) -> dict[str, int]:
        if not isinstance(allocation, dict):
            self.refuse(
                InvalidSubmission, "vote", "dots", "must give dots per idea", "Place your dots again.", allocation
            )
        clean: dict[str, int] = {}
        for idea_id, dots in allocation.items():
            self.live_idea(idea_id, "vote")
            if isinstance(dots, bool) or not isinstance(dots, int) or dots < 0:
                self.refuse(
                    InvalidSubmission,
                    "vote",
                    "dots",
                    "must be a whole number of dots, 0 or more",
                    "Place your dots again.",
                    dots,
                )
            if dots:
                clean[idea_id] = dots
        spent = sum(clean.values())
        # Taking dots off is always allowed: a budget lowered since leaves the voter a way back under it.
        if spent > self.state.dot_budget and spent >= sum(self.state.votes.get(participant_id, {}).values()):
            self.refuse(
                InvalidSubmission,
                "vote",
                "dots",
                f"{spent} dots placed, but each person has {self.state.dot_budget}",
                "Take some dots off an idea.",
                spent,
            )
        return clean
