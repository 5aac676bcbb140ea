"""The live session store: everything the room enters, kept as append-only events.

Participants' server and the facilitator's panels all open the same store: ``session.sqlite`` in the workshop
folder by default, or a PostgreSQL database when a room outgrows one laptop (``workshop.session.event_log``
says how a folder names it and what every store guarantees). Nothing is ever updated or deleted: a changed
rating or vote is a new event, and the current state (``SessionState``) is derived from the events by pure
functions, so a restart of anything loses nothing and derives the same state again.

Every write is validated here, against the state it joins, by ``workshop.session.rules``: a browser can send
anything. A refusal raises a ``SessionError`` (a ``WorkshopError``) and writes nothing. Each submission carries
an idempotency key, so the same submission sent twice is stored once.

The facilitator's decisions are events too: ideas typed in for the room (no participant), splits, actions
agreed from ideas (with the pillar's gap at that moment), changes to an action, and each refresh of the promise
(the new version is saved by ``workshop.promise.save_new_version``; the event records the version numbers).
These kinds need no schema change: every event is a JSON payload in the same table.

Participant text is stored verbatim; whoever displays it in HTML escapes it. This module imports neither
ipywidgets nor plotly; pandas comes with ``workshop.actions`` (its gap order reads ``workshop.gap``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workshop.actions import LEVERS, MOVES, Action, ActionError, refreshed_promise, updated_action
from workshop.errors import Problem
from workshop.promise import PROMISE_FILE, Promise, load_promise, load_promise_and_stamp, save_new_version
from workshop.session.event_log import EventLog, has_events, open_event_log, store_url
from workshop.session.events import (
    RATING_QUESTIONS,
    STAGES,
    Event,
    Kind,
    Participant,
    SessionState,
    action_id_of,
    actions_of,
    idea_id_of,
    participant_id_of,
)
from workshop.session.rules import (
    DEPARTMENT_MAX_CHARS,
    MAX_DOT_BUDGET,
    OWNER_MAX_CHARS,
    InvalidSubmission,
    SessionError,
    _Rules,
    _shown,
)
from workshop.session.tables import ideas_table, room_ratings, vote_totals_series

if TYPE_CHECKING:
    import pandas as pd

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Session codes avoid 0/O and 1/I, which people misread from a projector."""
CODE_LENGTH = 5


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_session_code() -> str:
    """A short code for the projector: 5 characters without look-alikes (about 33 million codes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def has_session(workshop_dir: str | os.PathLike, url: str | None = None) -> bool:
    """Whether a folder's store holds a session already (asking creates no session file)."""
    folder = Path(workshop_dir)
    return has_events(folder, store_url(folder, url))


class SessionStore:
    """One workshop's session, opened for reading and writing from one process.

    ``url`` names the store (``workshop.session.event_log.store_url``: by default the folder's
    ``session.yml``, ``$PROMISE_GAP_STORE`` or ``session.sqlite``). Safe to share between threads of that
    process (a lock serialises its connection); other processes open their own store on the same session.
    Creating the store creates or migrates the session's schema. ``path`` is where the events are, as
    messages name it: the SQLite file, or the PostgreSQL URL without its password.
    """

    def __init__(self, workshop_dir: str | os.PathLike, url: str | None = None):
        self.folder = Path(workshop_dir)
        if not (self.folder / PROMISE_FILE).is_file():
            raise SessionError(
                [
                    Problem(
                        self.folder,
                        "",
                        None,
                        "is not a workshop folder (no promise.yml)",
                        "Create it with 'workshop new NAME' first.",
                    )
                ]
            )
        self.url = store_url(self.folder, url)
        self._lock = threading.RLock()
        self._state = SessionState()
        self._promise: tuple[float, Promise] | None = None
        self._log: EventLog = open_event_log(self.folder, self.url)
        self.path = self._log.location

    def close(self) -> None:
        with self._lock:
            self._log.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------------------------

    def since(self, event_id: int = 0) -> list[Event]:
        """Events with an id above ``event_id``, oldest first: what a live view has not seen yet."""

        def read() -> list[Event]:
            with self._lock:
                return self._log.since(event_id)

        return self._log.retrying(read)

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

    def _append(
        self,
        kind: str,
        participant_id: str | None,
        department: str | None,
        key: str | None,
        build: Callable[[_Rules], dict[str, Any]],
    ) -> Event:
        """Validate with ``build`` against the latest state and append one event, atomically.

        ``build`` raises a SessionError to refuse, or returns the payload. A key already stored returns the
        stored event without checking again: the submission was accepted the first time.
        """
        key = key or uuid.uuid4().hex
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise InvalidSubmission(
                [
                    Problem(
                        self.path,
                        "submission",
                        "idempotency key",
                        "must be 1-100 letters, digits or . _ : -",
                        "Send the submission again from the app.",
                        _shown(key),
                    )
                ]
            )
        promise = self._current_promise()

        def write() -> Event:
            with self._lock, self._log.write_transaction():
                stored = self._log.by_key(key)
                if stored is None:
                    self._state = self._state.advance(self._log.since(self._state.last_event_id))
                    payload = build(_Rules(self.path, self._state, promise))
                    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
                    stored = self._log.append(key, kind, participant_id, department, _now(), text)
            # A join's participant id is drawn afresh on each call, so a repeated join compares by kind only.
            if stored.kind != kind or (kind != Kind.PARTICIPANT_JOINED and stored.participant_id != participant_id):
                raise SessionError(
                    [
                        Problem(
                            self.path,
                            "submission",
                            "idempotency key",
                            "was already used for a different submission",
                            "Send it again from the app, which makes a new key.",
                            _shown(key),
                        )
                    ]
                )
            return stored

        event = self._log.retrying(write)
        self.state()
        return event

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
            raise InvalidSubmission(
                [
                    Problem(
                        self.path,
                        "session",
                        "session code",
                        "must be 4-12 letters or digits",
                        "Try e.g. 'KX7Q2'.",
                        _shown(code),
                    )
                ]
            )
        self._append(Kind.SESSION_CODE_SET, None, None, None, lambda rules: {"code": chosen})
        return chosen

    def open_stage(self, stage: str) -> None:
        """Open one stage (closing any other): participants see its inputs on their next refresh."""
        self._append(
            Kind.STAGE_OPENED,
            None,
            None,
            None,
            lambda rules: {"stage": rules.choice(stage, STAGES, "stage control", "stage")},
        )

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
                rules.refuse(
                    InvalidSubmission,
                    "voting",
                    "dot budget",
                    f"must be a whole number from 1 to {MAX_DOT_BUDGET}",
                    "Try 3 or 5.",
                    dots,
                )
            if rules.state.stage == "voting":
                rules.refuse(
                    InvalidSubmission,
                    "voting",
                    "dot budget",
                    "cannot change while voting is open",
                    "Close voting first, then change the budget.",
                    dots,
                )
            return {"dots": dots}

        self._append(Kind.DOT_BUDGET_SET, None, None, None, build)

    def merge_ideas(self, idea_id: str, into: str) -> None:
        """Fold one idea into another (duplicates): its dots count for ``into`` from now on."""

        def build(rules: _Rules) -> dict[str, Any]:
            rules.live_idea(idea_id, "merge")
            rules.live_idea(into, "merge")
            if idea_id == into:
                rules.refuse(
                    InvalidSubmission,
                    "merge",
                    "idea",
                    "cannot be merged into itself",
                    "Choose two different ideas.",
                    idea_id,
                )
            return {"idea_id": idea_id, "into": into}

        self._append(Kind.IDEA_MERGED, None, None, None, build)

    def type_idea(self, text: str, pillar: str, move: str, lever: str, key: str | None = None) -> str:
        """Record an idea the facilitator types in for the room (any stage, no participant); returns its id."""

        def build(rules: _Rules) -> dict[str, Any]:
            return {
                "text": rules.text(text, "idea"),
                "pillar": rules.choice(pillar, rules.promise.pillar_ids, "idea", "pillar"),
                "move": rules.choice(move, MOVES, "idea", "move"),
                "lever": rules.choice(lever, LEVERS, "idea", "lever"),
            }

        return idea_id_of(self._append(Kind.IDEA_TYPED_IN, None, None, key, build))

    def split_idea(self, idea_id: str, keep_text: str, new_text: str, key: str | None = None) -> str:
        """Split an idea that holds two: the original keeps ``keep_text``, its dots and its author; a new idea
        with ``new_text`` (same pillar, move, lever and author) starts with no dots. Returns the new id."""

        def build(rules: _Rules) -> dict[str, Any]:
            rules.live_idea(idea_id, "split")
            if rules.state.stage == "voting":
                rules.refuse(
                    InvalidSubmission,
                    "split",
                    "stage",
                    "ideas cannot be split while voting is open",
                    "Close voting first, then split the idea.",
                    idea_id,
                )
            return {
                "idea_id": idea_id,
                "keep_text": rules.text(keep_text, "split"),
                "text": rules.text(new_text, "split"),
            }

        return idea_id_of(self._append(Kind.IDEA_SPLIT, None, None, key, build))

    def agree_action(self, action: Action, key: str | None = None) -> str:
        """Record an action the room agreed (``action.id`` and ``votes`` are ignored: the id comes from the
        event, the votes from its ideas); returns the new action's id. Its ideas must exist."""

        def build(rules: _Rules) -> dict[str, Any]:
            if not isinstance(action.idea_ids, list):
                rules.refuse(
                    InvalidSubmission,
                    "action",
                    "ideas",
                    "must be a list of idea ids",
                    "Promote the idea again from the board.",
                    action.idea_ids,
                )
            for idea_id in action.idea_ids:
                if not isinstance(idea_id, str) or idea_id not in rules.state.ideas:
                    rules.refuse(
                        InvalidSubmission,
                        "action",
                        "idea",
                        "is not an idea of this session",
                        "Reload the list of ideas and choose again.",
                        idea_id,
                    )
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
            rules.refuse(
                InvalidSubmission,
                "refresh",
                "action",
                f"has already refreshed the promise (version {before} → {after})",
                "Agree a new 'refresh the promise' action to change it again.",
                action.title,
            )
        try:
            refreshed = refreshed_promise(rules.promise, action, **changes)
        except ActionError as error:
            raise InvalidSubmission([replace(p, file=self.path) for p in error.problems]) from None
        saved = save_new_version(refreshed, self.folder, expected=read).promise
        self._append(
            Kind.PROMISE_REFRESHED,
            None,
            None,
            f"refresh-{action_id}",
            lambda rules: {"action_id": action_id, "version_before": saved.version - 1, "version_after": saved.version},
        )
        return saved

    def sign_off_campaign(
        self,
        campaign: str,
        department: str,
        signed: bool,
        by: str = "",
        campaign_stamp: str = "",
        key: str | None = None,
    ) -> None:
        """Record a department's sign-off (``signed`` True) or hold (False) of a planned campaign, replacing its
        earlier word in the state. Whether that department may sign is ``workshop.campaign``'s rule."""

        def build(rules: _Rules) -> dict[str, Any]:
            if not isinstance(campaign, str) or not KEY_PATTERN.match(campaign):
                rules.refuse(
                    InvalidSubmission,
                    "sign-off",
                    "campaign",
                    "is not a campaign id",
                    "Choose the campaign again in the panel.",
                    campaign,
                )
            if not isinstance(signed, bool):
                rules.refuse(
                    InvalidSubmission,
                    "sign-off",
                    "signed",
                    "must be true or false",
                    "Sign it off or hold it back.",
                    signed,
                )
            chosen = (
                rules.choice(department, rules.promise.departments, "sign-off", "department")
                if rules.promise.departments
                else rules.text(department, "sign-off", max_chars=DEPARTMENT_MAX_CHARS)
            )
            return {
                "campaign": campaign,
                "department": chosen,
                "signed": signed,
                "by": rules.text(by, "sign-off", required=False, max_chars=OWNER_MAX_CHARS),
                "campaign_stamp": rules.text(campaign_stamp, "sign-off", required=False, max_chars=64),
            }

        self._append(Kind.CAMPAIGN_SIGNED_OFF, None, None, key, build)

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
        return self.state().participants[participant_id_of(event)]

    def rate(
        self,
        participant_id: str,
        pillar: str,
        deliver_today: float,
        customers_would_rate: float,
        key: str | None = None,
    ) -> None:
        """Record a participant's two 0–10 answers for a pillar (replacing their earlier ones in the state)."""

        def build(rules: _Rules) -> dict[str, Any]:
            rules.participant(participant_id)
            rules.stage("rating")
            return {
                "pillar": rules.choice(pillar, rules.promise.pillar_ids, "rating", "pillar"),
                "deliver_today": rules.score(deliver_today, RATING_QUESTIONS["deliver_today"]),
                "customers_would_rate": rules.score(customers_would_rate, RATING_QUESTIONS["customers_would_rate"]),
            }

        self._append(Kind.RATING_GIVEN, participant_id, self._department(participant_id), key, build)

    def give_promise_sentence(self, participant_id: str, text: str, key: str | None = None) -> None:
        """Record 'our promise in a sentence', as the participant would put it (during the rating stage)."""

        def build(rules: _Rules) -> dict[str, Any]:
            rules.participant(participant_id)
            rules.stage("rating")
            return {"text": rules.text(text, "promise sentence")}

        self._append(Kind.PROMISE_SENTENCE_GIVEN, participant_id, self._department(participant_id), key, build)

    def propose_idea(
        self, participant_id: str, text: str, pillar: str, move: str, lever: str, key: str | None = None
    ) -> str:
        """Record an idea for a pillar, tagged with a move and a lever; returns the new idea's id."""

        def build(rules: _Rules) -> dict[str, Any]:
            rules.participant(participant_id)
            rules.stage("ideas")
            return {
                "text": rules.text(text, "idea"),
                "pillar": rules.choice(pillar, rules.promise.pillar_ids, "idea", "pillar"),
                "move": rules.choice(move, MOVES, "idea", "move"),
                "lever": rules.choice(lever, LEVERS, "idea", "lever"),
            }

        event = self._append(Kind.IDEA_PROPOSED, participant_id, self._department(participant_id), key, build)
        return idea_id_of(event)

    def vote(
        self, participant_id: str, dots: dict[str, int], key: str | None = None, expected: dict[str, int] | None = None
    ) -> None:
        """Record a participant's whole allocation of dots (idea id -> dots), replacing their earlier one.

        ``expected`` is the allocation the new one was made from (what the phone showed): if the stored one
        (``allocation_of``) differs, because another tab voted or an idea was merged, the vote is refused
        with ``StaleAllocation`` and nothing is written, so no dot is silently lost.
        """

        def build(rules: _Rules) -> dict[str, Any]:
            rules.participant(participant_id)
            rules.stage("voting")
            if expected is not None:
                rules.allocation_unchanged(expected, participant_id)
            return {"dots": rules.dots(dots, participant_id)}

        self._append(Kind.VOTE_CAST, participant_id, self._department(participant_id), key, build)

    def _department(self, participant_id: Any) -> str | None:
        """The joined participant's department for the event row; None for an unknown id (refused later)."""
        found = self.state().participants.get(participant_id) if isinstance(participant_id, str) else None
        return found.department if found else None
