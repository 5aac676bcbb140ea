"""The live session: everything the room enters, kept as append-only events.

- ``events``: the event kinds, ``SessionState`` and the pure reducers that derive it from events;
- ``rules``: the submission rules and limits every write is checked against, and the errors they raise;
- ``tables``: the state as pandas tables for charts and reports;
- ``store``: ``SessionStore``, which validates and appends events and reads them back;
- ``event_log``: how a folder names its store (a URL) and what every store guarantees; ``sqlite_log`` (the
  default, ``session.sqlite``: schema and migrations) and ``postgresql_log`` keep the events.

Everything a panel, the CLI or a test needs is importable from ``workshop.session`` itself.
This package imports neither ipywidgets nor plotly.
"""

from workshop.session.event_log import SCHEMA_VERSION, SESSION_FILE, SETTINGS_FILE, STORE_ENV, store_url
from workshop.session.events import (
    DEFAULT_DOT_BUDGET,
    FACILITATOR_LABEL,
    RATING_QUESTIONS,
    STAGES,
    CampaignSignOff,
    Event,
    Idea,
    Kind,
    Participant,
    Rating,
    SessionState,
    action_id_of,
    actions_of,
    allocation_of,
    author_label,
    derive_state,
    idea_id_of,
)
from workshop.session.rules import (
    DEPARTMENT_MAX_CHARS,
    MAX_DOT_BUDGET,
    NAME_MAX_CHARS,
    OWNER_MAX_CHARS,
    RATING_STEP,
    RESERVED_NAME,
    TEXT_MAX_CHARS,
    InvalidSubmission,
    SessionError,
    StageNotOpen,
    StaleAllocation,
    UnknownParticipant,
    WrongSessionCode,
)
from workshop.session.store import CODE_ALPHABET, CODE_LENGTH, KEY_PATTERN, SessionStore, has_session, new_session_code
from workshop.session.tables import ideas_table, room_ratings, vote_totals_series

__all__ = [
    "CampaignSignOff",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DEFAULT_DOT_BUDGET",
    "DEPARTMENT_MAX_CHARS",
    "FACILITATOR_LABEL",
    "KEY_PATTERN",
    "MAX_DOT_BUDGET",
    "NAME_MAX_CHARS",
    "OWNER_MAX_CHARS",
    "RATING_QUESTIONS",
    "RATING_STEP",
    "RESERVED_NAME",
    "SCHEMA_VERSION",
    "SESSION_FILE",
    "SETTINGS_FILE",
    "STAGES",
    "STORE_ENV",
    "TEXT_MAX_CHARS",
    "Event",
    "Idea",
    "InvalidSubmission",
    "Kind",
    "Participant",
    "Rating",
    "SessionError",
    "SessionState",
    "SessionStore",
    "StageNotOpen",
    "StaleAllocation",
    "UnknownParticipant",
    "WrongSessionCode",
    "action_id_of",
    "actions_of",
    "allocation_of",
    "author_label",
    "derive_state",
    "has_session",
    "ideas_table",
    "idea_id_of",
    "new_session_code",
    "room_ratings",
    "store_url",
    "vote_totals_series",
]
