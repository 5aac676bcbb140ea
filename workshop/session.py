"""The live session store: everything the room enters, kept as append-only events in ``session.sqlite``.

Participants' kernels and the facilitator's panels all open the same SQLite file in the workshop folder
(WAL mode, so readers never wait for writers; short ``BEGIN IMMEDIATE`` transactions; a busy timeout plus
retries on "database is locked"). Nothing is ever updated or deleted: a changed rating or vote is a new
event, and the current state (``SessionState``) is derived from the events by pure functions, so a restart
of anything loses nothing and derives the same state again.

Every write is validated here, in the kernel, because a browser can send anything: scores are 0–10 in whole
or half points, ideas are 1–280 characters, votes stay within the dot budget, pillars must exist, the
participant must have joined with the session code, and the stage for that input must be open. A refusal
raises a ``SessionError`` (a ``WorkshopError``) and writes nothing. Each submission carries an idempotency
key, so the same submission sent twice is stored once.

The facilitator's decisions are events too: ideas typed in for the room (no participant), splits, actions
agreed from ideas (with the pillar's gap at that moment), changes to an action, and each refresh of the promise
(the new version is saved by ``workshop.promise.save_new_version``; the event records the version numbers).
These kinds need no schema change: every event is a JSON payload in the same table.

Participant text is stored verbatim; whoever displays it in HTML escapes it. This module imports neither
ipywidgets nor plotly; pandas comes with ``workshop.actions`` (its gap order reads ``workshop.gap``).
"""
from __future__ import annotations

import json
import math
import os
import random
import re
import secrets
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from workshop.actions import (LEVERS, MOVES, Action, ActionError, action_from_payload, action_to_payload,
                              refreshed_promise, updated_action, validate_action)
from workshop.errors import Problem, WorkshopError
from workshop.gap import INTERNAL_COLUMNS
from workshop.promise import (PROMISE_FILE, SCORE_MAX, SCORE_MIN, Promise, load_promise, load_promise_and_stamp,
                              save_new_version)

if TYPE_CHECKING:
    import pandas as pd

SESSION_FILE = "session.sqlite"
SCHEMA_VERSION = 2
"""Stored as ``PRAGMA user_version``; ``MIGRATIONS`` bring older files up to it."""

STAGES = {"rating": "Rate the promise", "ideas": "Propose ideas", "voting": "Vote"}
"""The stages the facilitator opens one at a time, and what a participant sees them called. An idea's move
and lever are ``workshop.actions.MOVES`` / ``LEVERS``: the vocabulary its actions are agreed in."""
RATING_QUESTIONS = {
    "deliver_today": "How well do we deliver this today?",
    "customers_would_rate": "How would our customers rate it?",
}
"""The two 0–10 questions a participant answers for each pillar."""

RATING_STEP = 0.5
"""Sliders move in half points: fine enough to say 'a bit better', coarse enough to tap on a phone."""
TEXT_MAX_CHARS = 280
"""Ideas and promise sentences: long enough for a sentence, short enough to read on a projector."""
NAME_MAX_CHARS = 40
DEPARTMENT_MAX_CHARS = 60
OWNER_MAX_CHARS = 80
FACILITATOR_LABEL = "Facilitator"
"""Who an idea typed in by the facilitator is shown as (the facilitator never joins as a participant)."""
RESERVED_NAME = re.compile(rf"^({FACILITATOR_LABEL}|participant\s*\d+)$", re.IGNORECASE)
"""Display names a participant may not take: the facilitator's label, and the 'Participant N' of anonymity."""
INVISIBLE_CHARACTERS = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                                  "\u2066-\u2069\ufeff]")
"""Bidi overrides and isolates, zero-width and other invisible characters: removed from participant text so
a name or idea cannot reorder what the room reads ('evil\u202egnp.exe') or hide one name inside another."""
DEFAULT_DOT_BUDGET = 3
MAX_DOT_BUDGET = 20
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Session codes avoid 0/O and 1/I, which people misread from a projector."""
CODE_LENGTH = 5

BUSY_TIMEOUT_S = 5.0
WRITE_ATTEMPTS = 8
"""With the busy timeout, a write waits up to about 40 s in all before it gives up: far beyond a room's load."""


class Kind:
    """Event kinds, as stored in the ``kind`` column."""

    SESSION_CODE_SET = "session_code_set"
    PARTICIPANT_JOINED = "participant_joined"
    RATING_GIVEN = "rating_given"
    PROMISE_SENTENCE_GIVEN = "promise_sentence_given"
    IDEA_PROPOSED = "idea_proposed"
    IDEA_MERGED = "idea_merged"
    VOTE_CAST = "vote_cast"
    STAGE_OPENED = "stage_opened"
    STAGE_CLOSED = "stage_closed"
    RESULTS_REVEALED = "results_revealed"
    ANONYMITY_SET = "anonymity_set"
    DOT_BUDGET_SET = "dot_budget_set"
    IDEA_TYPED_IN = "idea_typed_in"
    IDEA_SPLIT = "idea_split"
    ACTION_AGREED = "action_agreed"
    ACTION_UPDATED = "action_updated"
    PROMISE_REFRESHED = "promise_refreshed"


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


# --- events and state -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One stored event. ``created`` is an ISO 8601 UTC timestamp; ``payload`` is the kind's own fields."""

    id: int
    key: str
    kind: str
    participant_id: str | None
    department: str | None
    created: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Participant:
    """Someone who joined. ``id`` is a secret token (it lets them rejoin), so screens show ``label``."""

    id: str
    number: int
    department: str
    display_name: str
    joined: str

    @property
    def label(self) -> str:
        """What the room sees when names are shown: the display name, else 'Participant N'."""
        return self.display_name or self.public_label

    @property
    def public_label(self) -> str:
        """What the room sees when the facilitator has anonymity on."""
        return f"Participant {self.number}"


@dataclass(frozen=True)
class Rating:
    """A participant's latest answers for one pillar, each 0–10 in half points."""

    deliver_today: float
    customers_would_rate: float


@dataclass(frozen=True)
class Idea:
    """A proposed action. ``merged_into`` is the idea it was folded into by the facilitator, if any;
    ``participant_id`` is None for an idea the facilitator typed in; ``split_from`` is the idea this one was
    split off (it starts with no dots: the dots stay with the original, which the voters chose)."""

    id: str
    number: int
    text: str
    pillar: str
    move: str
    lever: str
    participant_id: str | None
    department: str
    proposed: str
    merged_into: str | None = None
    split_from: str | None = None


@dataclass
class SessionState:
    """What the events add up to. Built only by ``advance``/``derive_state``; treat it as read-only.

    ``ratings`` maps (participant id, pillar id) to the latest rating; ``votes`` maps a participant to their
    latest whole allocation of dots (idea id -> dots); ``stage`` is the open stage or None. ``actions`` are
    as agreed and updated, their votes not yet counted (``actions_of`` counts them); ``promise_versions`` maps
    an action id to the (before, after) versions of the promise refresh it carried out.
    """

    code: str | None = None
    participants: dict[str, Participant] = field(default_factory=dict)
    ratings: dict[tuple[str, str], Rating] = field(default_factory=dict)
    sentences: dict[str, str] = field(default_factory=dict)
    ideas: dict[str, Idea] = field(default_factory=dict)
    votes: dict[str, dict[str, int]] = field(default_factory=dict)
    stage: str | None = None
    revealed: bool = False
    anonymous: bool = True
    dot_budget: int = DEFAULT_DOT_BUDGET
    actions: dict[str, Action] = field(default_factory=dict)
    promise_versions: dict[str, tuple[int, int]] = field(default_factory=dict)
    last_event_id: int = 0

    def advance(self, events: Iterable[Event]) -> SessionState:
        """A new state with ``events`` (ids above ``last_event_id``, in order) applied; self is unchanged.

        Values inside the dictionaries are never changed in place (actions are replaced, not edited), so
        copying the dictionaries once per batch is enough.
        """
        state = replace(self, participants=dict(self.participants), ratings=dict(self.ratings),
                        sentences=dict(self.sentences), ideas=dict(self.ideas), votes=dict(self.votes),
                        actions=dict(self.actions), promise_versions=dict(self.promise_versions))
        for event in events:
            if event.id <= state.last_event_id:
                continue
            _APPLY[event.kind](state, event)
            state.last_event_id = event.id
        return state

    def resolve(self, idea_id: str) -> str:
        """The live idea an idea ended up in after merges (itself when never merged)."""
        seen = set()
        while (into := self.ideas[idea_id].merged_into) is not None and idea_id not in seen:
            seen.add(idea_id)
            idea_id = into
        return idea_id

    def live_ideas(self) -> list[Idea]:
        """Ideas not merged into another, in the order they were proposed."""
        return [idea for idea in self.ideas.values() if idea.merged_into is None]

    def vote_totals(self) -> dict[str, int]:
        """Dots per live idea (0 when none), dots given to a merged idea counting for the one it joined."""
        totals = {idea.id: 0 for idea in self.live_ideas()}
        for allocation in self.votes.values():
            for idea_id, dots in allocation.items():
                totals[self.resolve(idea_id)] += dots
        return totals

    def departments(self) -> dict[str, int]:
        """How many participants joined from each department, in order of first arrival."""
        counts: dict[str, int] = {}
        for participant in self.participants.values():
            counts[participant.department] = counts.get(participant.department, 0) + 1
        return counts

    def ratings_of(self, participant_id: str) -> dict[str, Rating]:
        """One participant's latest rating per pillar id."""
        return {pillar: rating for (who, pillar), rating in self.ratings.items() if who == participant_id}


def _apply_code(state: SessionState, event: Event) -> None:
    state.code = event.payload["code"]


def _apply_joined(state: SessionState, event: Event) -> None:
    if event.participant_id in state.participants:
        return
    state.participants[event.participant_id] = Participant(
        event.participant_id, len(state.participants) + 1, event.department or "",
        event.payload.get("display_name", ""), event.created)


def _apply_rating(state: SessionState, event: Event) -> None:
    p = event.payload
    state.ratings[(event.participant_id, p["pillar"])] = Rating(p["deliver_today"], p["customers_would_rate"])


def _apply_sentence(state: SessionState, event: Event) -> None:
    state.sentences[event.participant_id] = event.payload["text"]


def _apply_idea(state: SessionState, event: Event) -> None:
    p = event.payload
    idea_id = idea_id_of(event)
    state.ideas[idea_id] = Idea(idea_id, len(state.ideas) + 1, p["text"], p["pillar"], p["move"], p["lever"],
                                event.participant_id, event.department or "", event.created)


def _apply_split(state: SessionState, event: Event) -> None:
    p = event.payload
    original = state.ideas[p["idea_id"]]
    state.ideas[original.id] = replace(original, text=p["keep_text"])
    new_id = idea_id_of(event)
    state.ideas[new_id] = replace(original, id=new_id, number=len(state.ideas) + 1, text=p["text"],
                                  proposed=event.created, split_from=original.id)


def _apply_action_agreed(state: SessionState, event: Event) -> None:
    state.actions[action_id_of(event)] = action_from_payload({**event.payload, "id": action_id_of(event)})


def _apply_action_updated(state: SessionState, event: Event) -> None:
    action_id = event.payload["action_id"]
    state.actions[action_id] = updated_action(state.actions[action_id], event.payload["changes"])


def _apply_promise_refreshed(state: SessionState, event: Event) -> None:
    p = event.payload
    state.promise_versions[p["action_id"]] = (int(p["version_before"]), int(p["version_after"]))


def _apply_merged(state: SessionState, event: Event) -> None:
    idea_id = event.payload["idea_id"]
    state.ideas[idea_id] = replace(state.ideas[idea_id], merged_into=event.payload["into"])


def _apply_vote(state: SessionState, event: Event) -> None:
    state.votes[event.participant_id] = {k: int(v) for k, v in event.payload["dots"].items() if v}


def _apply_stage_opened(state: SessionState, event: Event) -> None:
    state.stage = event.payload["stage"]


def _apply_stage_closed(state: SessionState, event: Event) -> None:
    state.stage = None


def _apply_revealed(state: SessionState, event: Event) -> None:
    state.revealed = bool(event.payload["revealed"])


def _apply_anonymity(state: SessionState, event: Event) -> None:
    state.anonymous = bool(event.payload["anonymous"])


def _apply_dot_budget(state: SessionState, event: Event) -> None:
    state.dot_budget = int(event.payload["dots"])


_APPLY: dict[str, Callable[[SessionState, Event], None]] = {
    Kind.SESSION_CODE_SET: _apply_code,
    Kind.PARTICIPANT_JOINED: _apply_joined,
    Kind.RATING_GIVEN: _apply_rating,
    Kind.PROMISE_SENTENCE_GIVEN: _apply_sentence,
    Kind.IDEA_PROPOSED: _apply_idea,
    Kind.IDEA_MERGED: _apply_merged,
    Kind.VOTE_CAST: _apply_vote,
    Kind.STAGE_OPENED: _apply_stage_opened,
    Kind.STAGE_CLOSED: _apply_stage_closed,
    Kind.RESULTS_REVEALED: _apply_revealed,
    Kind.ANONYMITY_SET: _apply_anonymity,
    Kind.DOT_BUDGET_SET: _apply_dot_budget,
    Kind.IDEA_TYPED_IN: _apply_idea,
    Kind.IDEA_SPLIT: _apply_split,
    Kind.ACTION_AGREED: _apply_action_agreed,
    Kind.ACTION_UPDATED: _apply_action_updated,
    Kind.PROMISE_REFRESHED: _apply_promise_refreshed,
}


def derive_state(events: Iterable[Event]) -> SessionState:
    """The state a list of events (in id order) adds up to."""
    return SessionState().advance(events)


def idea_id_of(event: Event) -> str:
    """An idea's id comes from the event that proposed it, so no client can choose or collide ids."""
    return f"idea-{event.id}"


def action_id_of(event: Event) -> str:
    """An action's id comes from the event that agreed it, like an idea's."""
    return f"action-{event.id}"


def allocation_of(state: SessionState, participant_id: str) -> dict[str, int]:
    """A participant's dots as they stand now: dots on an idea merged into another count for the idea it
    joined (what their phone shows, and what a new vote must start from)."""
    allocation: dict[str, int] = {}
    for idea_id, dots in state.votes.get(participant_id, {}).items():
        live = state.resolve(idea_id)
        allocation[live] = allocation.get(live, 0) + dots
    return allocation


def author_label(state: SessionState, idea: Idea) -> str:
    """Who proposed an idea, as screens show it with anonymity on: 'Participant N', or 'Facilitator'."""
    if idea.participant_id is None:
        return FACILITATOR_LABEL
    return state.participants[idea.participant_id].public_label


def actions_of(state: SessionState) -> list[Action]:
    """The agreed actions in the order they were agreed, each a fresh copy whose ``votes`` are the dots of
    the ideas it came from (an idea merged into another counts once, with the idea it joined)."""
    totals = state.vote_totals()
    result = []
    for action in state.actions.values():
        live = dict.fromkeys(state.resolve(i) for i in action.idea_ids if i in state.ideas)
        result.append(replace(action, idea_ids=list(action.idea_ids),
                              votes=sum(totals.get(i, 0) for i in live)))
    return result


# --- tables for charts and reports ------------------------------------------------------------------------


def room_ratings(state: SessionState) -> pd.DataFrame:
    """One row per participant and pillar they rated, in ``workshop.gap.INTERNAL_COLUMNS``: participant (public
    label), department, pillar, deliver_today, customers_would_rate (0–10, half points). Empty, with these columns, before anyone rates."""
    import pandas as pd

    rows = [(state.participants[who].public_label, state.participants[who].department, pillar,
             rating.deliver_today, rating.customers_would_rate)
            for (who, pillar), rating in state.ratings.items()]
    frame = pd.DataFrame(rows, columns=list(INTERNAL_COLUMNS))
    return frame.astype({"deliver_today": "float64", "customers_would_rate": "float64"})


def ideas_table(state: SessionState) -> pd.DataFrame:
    """Live ideas in proposal order: idea_id, number, text (verbatim: escape before showing as HTML), pillar,
    move, lever, department, author (public label, or 'Facilitator'), merged (numbers of ideas folded in),
    dots."""
    import pandas as pd

    totals = state.vote_totals()
    merged: dict[str, list[int]] = {}
    for idea in state.ideas.values():
        if idea.merged_into is not None:
            merged.setdefault(state.resolve(idea.id), []).append(idea.number)
    rows = [(idea.id, idea.number, idea.text, idea.pillar, idea.move, idea.lever, idea.department,
             author_label(state, idea), merged.get(idea.id, []), totals[idea.id])
            for idea in state.live_ideas()]
    return pd.DataFrame(rows, columns=["idea_id", "number", "text", "pillar", "move", "lever", "department",
                                       "author", "merged", "dots"])


def vote_totals_series(state: SessionState) -> pd.Series:
    """Dots per live idea id, most dots first (ties in proposal order); 0 for ideas nobody voted for."""
    import pandas as pd

    totals = state.vote_totals()
    order = sorted(totals, key=lambda idea_id: (-totals[idea_id], state.ideas[idea_id].number))
    return pd.Series([totals[i] for i in order], index=pd.Index(order, name="idea_id"), name="dots",
                     dtype="int64")


# --- validation -------------------------------------------------------------------------------------------


class _Rules:
    """Checks one submission against the state it would join; raises the first problem found."""

    def __init__(self, path: Path, state: SessionState, promise: Promise):
        self.path = path
        self.state = state
        self.promise = promise

    def refuse(self, error: type[SessionError], where: str, field: str | None, message: str, fix: str,
               value: Any = None) -> None:
        shown = None if value is None else _shown(value)
        raise error([Problem(self.path, where, field, message, fix, shown)])

    def code(self, code: Any) -> None:
        if self.state.code is None:
            self.refuse(StageNotOpen, "joining", "session code", "the session has not started yet",
                        "Wait for the facilitator to start the session, then scan the code again.")
        typed = code.strip().upper() if isinstance(code, str) else code
        if typed != self.state.code:
            self.refuse(WrongSessionCode, "joining", "session code", "does not match this session's code",
                        "Type the code shown on the facilitator's screen.", code)

    def participant(self, participant_id: Any) -> Participant:
        if not isinstance(participant_id, str) or participant_id not in self.state.participants:
            self.refuse(UnknownParticipant, "submission", "participant", "has not joined this session",
                        "Join with the session code first (reload the page to start again).", participant_id)
        return self.state.participants[participant_id]

    def stage(self, stage: str) -> None:
        if self.state.stage != stage:
            now = f"'{STAGES[self.state.stage]}' is open" if self.state.stage else "no stage is open"
            self.refuse(StageNotOpen, "submission", "stage", f"'{STAGES[stage]}' is not open ({now})",
                        "Wait for the facilitator to open it.")

    def score(self, value: Any, question: str) -> float:
        ok = (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
              and SCORE_MIN <= value <= SCORE_MAX and float(value / RATING_STEP).is_integer())
        if not ok:
            self.refuse(InvalidSubmission, "rating", question,
                        "must be a number from 0 to 10 in whole or half points", "Move the slider to a mark.",
                        value)
        return float(value)

    def text(self, value: Any, what: str, required: bool = True, max_chars: int = TEXT_MAX_CHARS) -> str:
        if not isinstance(value, str):
            self.refuse(InvalidSubmission, what, "text", "must be text", "Type a few words.", value)
        text = INVISIBLE_CHARACTERS.sub("", value).strip()
        if required and not text:
            self.refuse(InvalidSubmission, what, "text", "is empty", "Type a few words.")
        if len(text) > max_chars:
            self.refuse(InvalidSubmission, what, "text",
                        f"is {len(text)} characters, more than the {max_chars} allowed",
                        "Shorten it to one or two sentences.", value)
        return text

    def choice(self, value: Any, choices: Iterable[str], what: str, field: str) -> str:
        choices = list(choices)
        if not isinstance(value, str) or value not in choices:
            self.refuse(InvalidSubmission, what, field, "is not one of the choices offered",
                        f"Choose one of: {', '.join(choices)}.", value)
        return value

    def department(self, value: Any) -> str:
        if self.promise.departments:
            return self.choice(value, self.promise.departments, "joining", "department")
        return self.text(value, "joining", max_chars=DEPARTMENT_MAX_CHARS)

    def live_idea(self, idea_id: Any, what: str) -> Idea:
        idea = self.state.ideas.get(idea_id) if isinstance(idea_id, str) else None
        if idea is None or idea.merged_into is not None:
            self.refuse(InvalidSubmission, what, "idea", "is not an idea on the current list",
                        "Reload the list of ideas and choose again.", idea_id)
        return idea

    def action(self, action_id: Any, what: str) -> Action:
        found = self.state.actions.get(action_id) if isinstance(action_id, str) else None
        if found is None:
            self.refuse(InvalidSubmission, what, "action", "is not an agreed action",
                        "Reload the action board and choose again.", action_id)
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
            self.refuse(InvalidSubmission, where, "gap", "must be a number of points or empty",
                        "Agree the action again from the board.", action.gap)
        payload = action_to_payload(action)
        del payload["id"], payload["votes"]  # the id is the event's; votes are derived from the ideas
        return payload

    def display_name(self, value: Any) -> str:
        name = self.text(value, "joining", required=False, max_chars=NAME_MAX_CHARS)
        if RESERVED_NAME.match(name):
            self.refuse(InvalidSubmission, "joining", "name", f"'{name}' is kept for the workshop itself",
                        "Choose another name, or leave it empty to stay anonymous.", name)
        return name

    def dots(self, allocation: Any, participant_id: str) -> dict[str, int]:
        if not isinstance(allocation, dict):
            self.refuse(InvalidSubmission, "vote", "dots", "must give dots per idea", "Place your dots again.",
                        allocation)
        clean: dict[str, int] = {}
        for idea_id, dots in allocation.items():
            self.live_idea(idea_id, "vote")
            if isinstance(dots, bool) or not isinstance(dots, int) or dots < 0:
                self.refuse(InvalidSubmission, "vote", "dots", "must be a whole number of dots, 0 or more",
                            "Place your dots again.", dots)
            if dots:
                clean[idea_id] = dots
        spent = sum(clean.values())
        # Taking dots off is always allowed: a budget lowered since leaves the voter a way back under it.
        if spent > self.state.dot_budget and spent >= sum(self.state.votes.get(participant_id, {}).values()):
            self.refuse(InvalidSubmission, "vote", "dots",
                        f"{spent} dots placed, but each person has {self.state.dot_budget}",
                        "Take some dots off an idea.", spent)
        return clean


# --- the store --------------------------------------------------------------------------------------------


_SCHEMA_V2 = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    participant_id TEXT,
    department TEXT,
    created TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX events_by_kind ON events(kind);
CREATE TRIGGER events_never_updated BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'session events are append-only'); END;
CREATE TRIGGER events_never_deleted BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'session events are append-only'); END;
"""


def _migrate_v1_to_v2(conn: sqlite3.Connection) -> None:
    """v1 kept a participant's department only in their join payload; v2 stores it on every event (an
    indexed column a department filter can use) and forbids updates and deletes with triggers."""
    conn.execute("ALTER TABLE events ADD COLUMN department TEXT")
    conn.execute("""
        UPDATE events SET department = (
            SELECT json_extract(joined.payload, '$.department') FROM events AS joined
            WHERE joined.kind = 'participant_joined' AND joined.participant_id = events.participant_id
            ORDER BY joined.id LIMIT 1)
        WHERE participant_id IS NOT NULL""")
    for statement in _statements(_SCHEMA_V2):
        if not statement.startswith("CREATE TABLE"):
            conn.execute(statement)


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_v1_to_v2}
"""``MIGRATIONS[n]`` turns a version-n file into version n+1, inside the caller's transaction."""


def _is_busy(error: sqlite3.OperationalError) -> bool:
    """SQLite's own word that another connection holds the lock (SQLITE_BUSY, SQLITE_LOCKED and their
    extended codes), never a guess from the message's text."""
    return (error.sqlite_errorname or "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def new_session_code() -> str:
    """A short code for the projector: 5 characters without look-alikes (about 33 million codes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class SessionStore:
    """One workshop's session file, opened for reading and writing from one process.

    Safe to share between threads of that process (a lock serialises its connection); other processes open
    their own store on the same file. Creating the store creates or migrates ``session.sqlite``.
    """

    def __init__(self, workshop_dir: str | os.PathLike):
        self.folder = Path(workshop_dir)
        self.path = self.folder / SESSION_FILE
        if not (self.folder / PROMISE_FILE).is_file():
            raise SessionError([Problem(self.folder, "", None, "is not a workshop folder (no promise.yml)",
                                        "Create it with 'workshop new NAME' first.")])
        self._lock = threading.RLock()
        self._state = SessionState()
        self._promise: tuple[float, Promise] | None = None
        self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                     check_same_thread=False)
        self._retrying(self._prepare)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    # -- opening and migrating ----------------------------------------------------------------------------

    def _prepare(self) -> None:
        with self._lock:
            conn = self._conn
            # WAL lets the facilitator's reads run while participants write; FULL survives a power cut.
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return
            if version > SCHEMA_VERSION:
                raise SessionError([Problem(self.path, "", "schema version",
                                            f"was written by a newer kit (version {version}, this kit reads "
                                            f"up to {SCHEMA_VERSION})", "Update the kit: git pull in its folder, then make install.",
                                            str(version))])
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
                if version == 0:
                    for statement in _statements(_SCHEMA_V2):
                        conn.execute(statement)
                else:
                    while version < SCHEMA_VERSION:
                        MIGRATIONS[version](conn)
                        version += 1
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _retrying(self, work: Callable[[], Any]) -> Any:
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return work()
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    raise
                if attempt == WRITE_ATTEMPTS - 1:
                    raise SessionError([Problem(self.path, "", None, "the session file stayed busy",
                                                "Try again in a moment; if it persists, restart 'workshop serve'.")]
                                       ) from error
                time.sleep(0.05 * (2 ** min(attempt, 4)) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    # -- reading ------------------------------------------------------------------------------------------

    def since(self, event_id: int = 0) -> list[Event]:
        """Events with an id above ``event_id``, oldest first: what a live view has not seen yet."""
        def read() -> list[Event]:
            with self._lock:
                return self._since_locked(event_id)
        return self._retrying(read)

    def events(self) -> list[Event]:
        """Every event, oldest first."""
        return self.since(0)

    def state(self) -> SessionState:
        """The current state, brought up to date with events written by anyone since the last read."""
        with self._lock:
            self._state = self._state.advance(self.since(self._state.last_event_id))
            return self._state

    def room_ratings(self) -> pd.DataFrame:
        return room_ratings(self.state())

    def ideas(self) -> pd.DataFrame:
        return ideas_table(self.state())

    def vote_totals(self) -> pd.Series:
        return vote_totals_series(self.state())

    def participant(self, participant_id: str) -> Participant:
        """The participant with this id, for rejoining; refuses an id that never joined."""
        state = self.state()
        return _Rules(self.path, state, self._current_promise()).participant(participant_id)

    def promise(self) -> Promise:
        """The workshop's promise, re-read when promise.yml changes (the pillars rated are its pillars)."""
        return self._current_promise()

    def _current_promise(self) -> Promise:
        file = self.folder / PROMISE_FILE
        stamp = file.stat().st_mtime_ns
        if self._promise is None or self._promise[0] != stamp:
            self._promise = (stamp, load_promise(file))
        return self._promise[1]

    # -- writing ------------------------------------------------------------------------------------------

    def _append(self, kind: str, participant_id: str | None, department: str | None, key: str | None,
                build: Callable[[_Rules], dict[str, Any]]) -> Event:
        """Validate with ``build`` against the latest state and append one event, atomically.

        ``build`` raises a SessionError to refuse, or returns the payload. A key already stored returns the
        stored event without checking again: the submission was accepted the first time.
        """
        key = key or uuid.uuid4().hex
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise InvalidSubmission([Problem(self.path, "submission", "idempotency key",
                                             "must be 1-100 letters, digits or . _ : -",
                                             "Send the submission again from the app.", _shown(key))])
        promise = self._current_promise()

        def write() -> Event:
            with self._lock:
                conn = self._conn
                conn.execute("BEGIN IMMEDIATE")
                try:
                    stored = self._by_key(key)
                    if stored is None:
                        self._state = self._state.advance(self._since_locked(self._state.last_event_id))
                        payload = build(_Rules(self.path, self._state, promise))
                        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
                        conn.execute("INSERT INTO events (idempotency_key, kind, participant_id, department, "
                                     "created, payload) VALUES (?, ?, ?, ?, ?, ?)",
                                     (key, kind, participant_id, department, _now(), text))
                        stored = self._by_key(key)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            # A join's participant id is drawn afresh on each call, so a repeated join compares by kind only.
            if stored.kind != kind or (kind != Kind.PARTICIPANT_JOINED and stored.participant_id != participant_id):
                raise SessionError([Problem(self.path, "submission", "idempotency key",
                                            "was already used for a different submission",
                                            "Send it again from the app, which makes a new key.", _shown(key))])
            return stored

        event = self._retrying(write)
        self.state()
        return event

    def _by_key(self, key: str) -> Event | None:
        row = self._conn.execute(
            "SELECT id, idempotency_key, kind, participant_id, department, created, payload "
            "FROM events WHERE idempotency_key = ?", (key,)).fetchone()
        return None if row is None else Event(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]))

    def _since_locked(self, event_id: int) -> list[Event]:
        rows = self._conn.execute(
            "SELECT id, idempotency_key, kind, participant_id, department, created, payload "
            "FROM events WHERE id > ? ORDER BY id", (event_id,)).fetchall()
        return [Event(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]

    # facilitator

    def start(self, code: str | None = None) -> str:
        """The session code, set now (``code`` or a new random one) unless the session already has one.

        Restarting ``workshop serve`` keeps the code, so the QR codes already printed still work.
        """
        existing = self.state().code
        if existing and (code is None or code.strip().upper() == existing):
            return existing
        chosen = (code or new_session_code()).strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{4,12}", chosen):
            raise InvalidSubmission([Problem(self.path, "session", "session code",
                                             "must be 4-12 letters or digits", "Try e.g. 'KX7Q2'.", _shown(code))])
        self._append(Kind.SESSION_CODE_SET, None, None, None, lambda rules: {"code": chosen})
        return chosen

    def open_stage(self, stage: str) -> None:
        """Open one stage (closing any other): participants see its inputs on their next refresh."""
        self._append(Kind.STAGE_OPENED, None, None, None,
                     lambda rules: {"stage": rules.choice(stage, STAGES, "stage control", "stage")})

    def close_stage(self) -> None:
        """Close the open stage: inputs for it are refused from now on."""
        self._append(Kind.STAGE_CLOSED, None, None, None, lambda rules: {"stage": rules.state.stage})

    def reveal_results(self, revealed: bool = True) -> None:
        """Show (or hide again) the room's results next to the customers' on the facilitator's screen."""
        self._append(Kind.RESULTS_REVEALED, None, None, None, lambda rules: {"revealed": bool(revealed)})

    def set_anonymity(self, anonymous: bool) -> None:
        """Whether screens show 'Participant N' (True) or the display names people chose."""
        self._append(Kind.ANONYMITY_SET, None, None, None, lambda rules: {"anonymous": bool(anonymous)})

    def set_dot_budget(self, dots: int) -> None:
        """How many dots each participant spends when voting: 1 to 20, changed only while voting is closed."""
        def build(rules: _Rules) -> dict[str, Any]:
            if isinstance(dots, bool) or not isinstance(dots, int) or not 1 <= dots <= MAX_DOT_BUDGET:
                rules.refuse(InvalidSubmission, "voting", "dot budget",
                             f"must be a whole number from 1 to {MAX_DOT_BUDGET}", "Try 3 or 5.", dots)
            if rules.state.stage == "voting":
                rules.refuse(InvalidSubmission, "voting", "dot budget", "cannot change while voting is open",
                             "Close voting first, then change the budget.", dots)
            return {"dots": dots}
        self._append(Kind.DOT_BUDGET_SET, None, None, None, build)

    def merge_ideas(self, idea_id: str, into: str) -> None:
        """Fold one idea into another (duplicates): its dots count for ``into`` from now on."""
        def build(rules: _Rules) -> dict[str, Any]:
            rules.live_idea(idea_id, "merge")
            rules.live_idea(into, "merge")
            if idea_id == into:
                rules.refuse(InvalidSubmission, "merge", "idea", "cannot be merged into itself",
                             "Choose two different ideas.", idea_id)
            return {"idea_id": idea_id, "into": into}
        self._append(Kind.IDEA_MERGED, None, None, None, build)

    def type_idea(self, text: str, pillar: str, move: str, lever: str, key: str | None = None) -> str:
        """Record an idea the facilitator types in for the room (any stage, no participant); returns its id."""
        def build(rules: _Rules) -> dict[str, Any]:
            return {"text": rules.text(text, "idea"),
                    "pillar": rules.choice(pillar, rules.promise.pillar_ids, "idea", "pillar"),
                    "move": rules.choice(move, MOVES, "idea", "move"),
                    "lever": rules.choice(lever, LEVERS, "idea", "lever")}
        return idea_id_of(self._append(Kind.IDEA_TYPED_IN, None, None, key, build))

    def split_idea(self, idea_id: str, keep_text: str, new_text: str, key: str | None = None) -> str:
        """Split an idea that holds two: the original keeps ``keep_text``, its dots and its author; a new idea
        with ``new_text`` (same pillar, move, lever and author) starts with no dots. Returns the new id."""
        def build(rules: _Rules) -> dict[str, Any]:
            rules.live_idea(idea_id, "split")
            if rules.state.stage == "voting":
                rules.refuse(InvalidSubmission, "split", "stage", "ideas cannot be split while voting is open",
                             "Close voting first, then split the idea.", idea_id)
            return {"idea_id": idea_id, "keep_text": rules.text(keep_text, "split"),
                    "text": rules.text(new_text, "split")}
        return idea_id_of(self._append(Kind.IDEA_SPLIT, None, None, key, build))

    def agree_action(self, action: Action, key: str | None = None) -> str:
        """Record an action the room agreed (``action.id`` and ``votes`` are ignored: the id comes from the
        event, the votes from its ideas); returns the new action's id. Its ideas must exist."""
        def build(rules: _Rules) -> dict[str, Any]:
            if not isinstance(action.idea_ids, list):
                rules.refuse(InvalidSubmission, "action", "ideas", "must be a list of idea ids",
                             "Promote the idea again from the board.", action.idea_ids)
            for idea_id in action.idea_ids:
                if not isinstance(idea_id, str) or idea_id not in rules.state.ideas:
                    rules.refuse(InvalidSubmission, "action", "idea", "is not an idea of this session",
                                 "Reload the list of ideas and choose again.", idea_id)
            return rules.valid_action(action)
        return action_id_of(self._append(Kind.ACTION_AGREED, None, None, key, build))

    def update_action(self, action_id: str, key: str | None = None, **changes: Any) -> Action:
        """Change an agreed action's owner, date, measure, effort, impact, status... (see
        ``workshop.actions.UPDATABLE_FIELDS``; ``due`` a date or None). Returns the action as now stored."""
        def build(rules: _Rules) -> dict[str, Any]:
            current = rules.action(action_id, "action update")
            try:
                changed = updated_action(current, changes)
            except ActionError as error:
                raise InvalidSubmission([replace(p, file=self.path) for p in error.problems]) from None
            payload = rules.valid_action(changed)
            return {"action_id": action_id, "changes": {name: payload[name] for name in changes}}
        self._append(Kind.ACTION_UPDATED, None, None, key, build)
        return next(a for a in actions_of(self.state()) if a.id == action_id)

    def refresh_promise(self, action_id: str, **changes: Any) -> Promise:
        """Carry out a 'refresh the promise' action: edit its pillar (``workshop.actions.refreshed_promise``
        says what each refresh kind may change), save the result as the next promise version (the current one
        is kept in ``versions/``), and record the refresh. Returns the new promise. An action is carried out
        once; the event's key makes a repeated call (e.g. a double click) record nothing twice."""
        state = self.state()
        # Read here, not from the cache: the new version is saved only over the promise.yml it was made from.
        promise, read = load_promise_and_stamp(self.folder / PROMISE_FILE)
        rules = _Rules(self.path, state, promise)
        action = rules.action(action_id, "refresh")
        if action_id in state.promise_versions:
            before, after = state.promise_versions[action_id]
            rules.refuse(InvalidSubmission, "refresh", "action",
                         f"has already refreshed the promise (version {before} → {after})",
                         "Agree a new 'refresh the promise' action to change it again.", action.title)
        try:
            refreshed = refreshed_promise(rules.promise, action, **changes)
        except ActionError as error:
            raise InvalidSubmission([replace(p, file=self.path) for p in error.problems]) from None
        saved = save_new_version(refreshed, self.folder, expected=read).promise
        self._append(Kind.PROMISE_REFRESHED, None, None, f"refresh-{action_id}",
                     lambda rules: {"action_id": action_id, "version_before": saved.version - 1,
                                    "version_after": saved.version})
        return saved

    # participants

    def join(self, code: str, department: str, display_name: str = "", key: str | None = None) -> Participant:
        """Join with the session code; returns the participant, whose ``id`` is their secret rejoin token.

        An empty ``display_name`` joins anonymously. ``department`` must be one of the promise's
        departments when it lists any.
        """
        participant_id = secrets.token_urlsafe(18)

        def build(rules: _Rules) -> dict[str, Any]:
            rules.code(code)
            name = rules.display_name(display_name)
            return {"display_name": name, "department": clean_department}

        # Departments come from the promise, not the session, so the event's department column can be
        # checked before the write transaction starts.
        clean_department = _Rules(self.path, self.state(), self._current_promise()).department(department)
        event = self._append(Kind.PARTICIPANT_JOINED, participant_id, clean_department, key, build)
        return self.state().participants[event.participant_id]

    def rate(self, participant_id: str, pillar: str, deliver_today: float, customers_would_rate: float,
             key: str | None = None) -> None:
        """Record a participant's two 0–10 answers for a pillar (replacing their earlier ones in the state)."""
        def build(rules: _Rules) -> dict[str, Any]:
            rules.participant(participant_id)
            rules.stage("rating")
            return {"pillar": rules.choice(pillar, rules.promise.pillar_ids, "rating", "pillar"),
                    "deliver_today": rules.score(deliver_today, RATING_QUESTIONS["deliver_today"]),
                    "customers_would_rate": rules.score(customers_would_rate,
                                                        RATING_QUESTIONS["customers_would_rate"])}
        self._append(Kind.RATING_GIVEN, participant_id, self._department(participant_id), key, build)

    def give_promise_sentence(self, participant_id: str, text: str, key: str | None = None) -> None:
        """Record 'our promise in a sentence', as the participant would put it (during the rating stage)."""
        def build(rules: _Rules) -> dict[str, Any]:
            rules.participant(participant_id)
            rules.stage("rating")
            return {"text": rules.text(text, "promise sentence")}
        self._append(Kind.PROMISE_SENTENCE_GIVEN, participant_id, self._department(participant_id), key, build)

    def propose_idea(self, participant_id: str, text: str, pillar: str, move: str, lever: str,
                     key: str | None = None) -> str:
        """Record an idea for a pillar, tagged with a move and a lever; returns the new idea's id."""
        def build(rules: _Rules) -> dict[str, Any]:
            rules.participant(participant_id)
            rules.stage("ideas")
            return {"text": rules.text(text, "idea"),
                    "pillar": rules.choice(pillar, rules.promise.pillar_ids, "idea", "pillar"),
                    "move": rules.choice(move, MOVES, "idea", "move"),
                    "lever": rules.choice(lever, LEVERS, "idea", "lever")}
        event = self._append(Kind.IDEA_PROPOSED, participant_id, self._department(participant_id), key, build)
        return idea_id_of(event)

    def vote(self, participant_id: str, dots: dict[str, int], key: str | None = None,
             expected: dict[str, int] | None = None) -> None:
        """Record a participant's whole allocation of dots (idea id -> dots), replacing their earlier one.

        ``expected`` is the allocation the new one was made from (what the phone showed): if the stored one
        (``allocation_of``) differs, because another tab voted or an idea was merged, the vote is refused
        with ``StaleAllocation`` and nothing is written, so no dot is silently lost.
        """
        def build(rules: _Rules) -> dict[str, Any]:
            rules.participant(participant_id)
            rules.stage("voting")
            if expected is not None and {k: v for k, v in expected.items() if v} != allocation_of(
                    rules.state, participant_id):
                rules.refuse(StaleAllocation, "vote", "dots", "changed since this page showed them (another "
                             "tab or window, or ideas merged)", "Check your dots as shown now and tap again.")
            return {"dots": rules.dots(dots, participant_id)}
        self._append(Kind.VOTE_CAST, participant_id, self._department(participant_id), key, build)

    def _department(self, participant_id: Any) -> str | None:
        """The joined participant's department for the event row; None for an unknown id (refused later)."""
        found = self.state().participants.get(participant_id) if isinstance(participant_id, str) else None
        return found.department if found else None


def _statements(script: str) -> list[str]:
    """Split a schema script into statements, line by line, by SQLite's own test of a complete statement
    (which keeps each trigger's ``BEGIN ... END`` whole)."""
    statements, current = [], []
    for line in script.strip().splitlines():
        current.append(line)
        joined = "\n".join(current).strip()
        if sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    return statements
