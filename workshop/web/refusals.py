"""What a participant's page is told when a request is refused: a code of ``REFUSALS`` and its numbers, never a
sentence of the server's. The sentences are the page's (``static/strings.js``, ``refusals``), so a translator
edits one file; ``session_refusal`` gives the code of each refusal of ``workshop.session`` a participant can
meet (tests/test_web.py checks every ``refuse(...)`` of the rules maps to one).
"""

from __future__ import annotations

import re
from typing import Any

from workshop.errors import WorkshopError
from workshop.session import (
    InvalidSubmission,
    SessionError,
    StageNotOpen,
    StaleAllocation,
    UnknownParticipant,
    WrongSessionCode,
)


class Refusal(Exception):
    """A request refused: its status, and what the page says, as one of ``REFUSALS`` with its parameters.
    The sentences are the page's (``strings.js``, ``refusals``), so a translator edits one file."""

    def __init__(self, status: int, code: str, **params: int):
        if code not in REFUSALS:
            raise ValueError(f"{code!r} is not one of REFUSALS")
        super().__init__(code)
        self.status, self.code, self.params = status, code, params

    def body(self) -> dict[str, Any]:
        return {"code": self.code, **self.params}


REFUSALS = frozenset(
    {
        "notJoined", "outOfDate", "otherOrigin", "unreadable", "tooBig", "lockedOut", "tooManyTries",
        "notFound", "failed", "notStarted", "wrongCode", "stageClosed", "badScore", "typeAgain", "emptyText",
        "tooLong", "notAChoice", "notAnIdea", "reservedName", "staleDots", "overBudget",
    }
)  # fmt: skip
"""Every code a participant's page can be sent, each a sentence (or a function of the parameters) in strings.js."""

SESSION_REFUSALS: list[tuple[type[SessionError], str | None, re.Pattern[str], str]] = [
    (kind, wanted_field, re.compile(pattern), code)
    for kind, wanted_field, pattern, code in [
        # the refusals of workshop/session/rules.py (and the store's key checks) a participant can meet:
        # the error, the problem's field (None: any), its message, and the page's code; named groups are
        # the code's parameters
        (StageNotOpen, "session code", r"the session has not started yet", "notStarted"),
        (WrongSessionCode, "session code", r"does not match this session's code", "wrongCode"),
        (UnknownParticipant, "participant", r"has not joined this session", "notJoined"),
        (StageNotOpen, "stage", r"is not open", "stageClosed"),
        (InvalidSubmission, None, r"must be a number from 0 to 10", "badScore"),
        (InvalidSubmission, "text", r"^must be text$", "unreadable"),
        (InvalidSubmission, "text", r"contains a NUL character", "typeAgain"),
        (InvalidSubmission, "text", r"^is empty$", "emptyText"),
        (InvalidSubmission, "text", r"^is (?P<length>\d+) characters, more than the (?P<most>\d+) allowed", "tooLong"),
        (InvalidSubmission, None, r"is not one of the choices offered", "notAChoice"),
        (InvalidSubmission, "idea", r"is not an idea on the current list", "notAnIdea"),
        (InvalidSubmission, "name", r"is kept for the workshop itself", "reservedName"),
        (StaleAllocation, "dots", r"changed since this page showed them", "staleDots"),
        (InvalidSubmission, "dots", r"must give dots per idea|must be a whole number of dots", "unreadable"),
        (InvalidSubmission, "dots", r"^(?P<spent>\d+) dots placed, but each person has (?P<budget>\d+)$", "overBudget"),
        (SessionError, "idempotency key", r"must be 1-100|was already used", "unreadable"),
    ]
]
STATUS_OF = {WrongSessionCode: 403, UnknownParticipant: 401, StageNotOpen: 409, StaleAllocation: 409}


def session_refusal(error: WorkshopError) -> Refusal | None:
    """The page's code for a refusal of ``workshop.session``, or None for an error no participant should
    meet (a promise.yml broken mid-edit): the page then says something went wrong, and the log says what."""
    problem = error.problems[0]
    for kind, wanted_field, pattern, code in SESSION_REFUSALS:
        found = pattern.search(problem.message)
        if isinstance(error, kind) and wanted_field in (None, problem.field) and found:
            status = next((status for cls, status in STATUS_OF.items() if isinstance(error, cls)), 422)
            return Refusal(status, code, **{name: int(value) for name, value in found.groupdict().items()})
    return None
