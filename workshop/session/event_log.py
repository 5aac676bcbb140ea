"""Where a session's events are kept, named by a URL, and what every place that keeps them guarantees.

``sqlite:///session.sqlite`` (the default: the file in the workshop folder) or ``postgresql://…`` (one
database per workshop, shared by every participant-server process and the facilitator's kernels). A folder
names its store in ``session.yml`` (``store: postgresql://promise@db.example.org/acme``);
``$PROMISE_GAP_STORE`` wins over that (one process, a container, the test suite). Passwords belong in
neither: PostgreSQL reads them from ``~/.pgpass`` or ``$PGPASSWORD``, and messages show URLs without one.

Every event log keeps the same guarantees, so ``SessionStore`` is written once for all of them: events are
only ever appended (the database refuses updates and deletes), a write transaction excludes every other
writer of the session (so a submission is validated against the state it joins, and ids grow in commit
order: a reader that has seen event n has seen every event below it), an idempotency key is stored once, and
a write that meets a busy store or a dropped connection is retried (a retried write whose first attempt did
commit finds its key and stores nothing twice).
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

from workshop.errors import Problem
from workshop.session.events import Event
from workshop.session.rules import SessionError
from workshop.yaml_files import read_yaml

SESSION_FILE = "session.sqlite"
SETTINGS_FILE = "session.yml"
"""A workshop folder's optional settings for its session; today one key, ``store``."""
STORE_ENV = "PROMISE_GAP_STORE"
"""Environment variable naming the store's URL; wins over ``session.yml``."""
SCHEMA_VERSION = 2
"""The events' schema, the same in every store; older SQLite files are migrated up to it."""

BUSY_TIMEOUT_S = 5.0
WRITE_ATTEMPTS = 8
"""With the busy timeout, a write waits up to about 40 s in all before it gives up: far beyond a room's
load."""


class EventLog(Protocol):
    """A session's append-only events, as ``SessionStore`` uses them. Not thread-safe: the store serialises
    its calls."""

    @property
    def location(self) -> Path | str:
        """What messages name: the file, or the URL without its password."""

    def since(self, event_id: int) -> list[Event]:
        """Committed events with an id above ``event_id``, oldest first."""

    def by_key(self, key: str) -> Event | None:
        """The stored event with this idempotency key, if any."""

    def write_transaction(self) -> AbstractContextManager[None]:
        """Exclusive among all writers of the session; commits on leaving, rolls back on an exception."""

    def append(
        self, key: str, kind: str, participant_id: str | None, department: str | None, created: str, payload: str
    ) -> Event:
        """Store one event (``payload`` as JSON text) inside ``write_transaction``; returns it as stored."""

    def retrying(self, work: Callable[[], Any]) -> Any:
        """``work()``, again after a short wait while the store is busy or its connection dropped."""

    def close(self) -> None: ...


class SQLEventLog:
    """What an SQL store says in the same words whatever the database: the reads, the append and the refusal
    of a newer schema. A backend gives ``_rows`` (run one statement and return its rows), the driver's
    parameter marker and ``write_transaction``; ``location`` is what messages name."""

    location: Path | str
    _MARK = "?"

    def _rows(self, statement: str, parameters: Sequence[Any]) -> list[tuple]:
        raise NotImplementedError

    def since(self, event_id: int) -> list[Event]:
        rows = self._rows(f"SELECT {_COLUMNS} FROM events WHERE id > {self._MARK} ORDER BY id", (event_id,))
        return [_event(row) for row in rows]

    def by_key(self, key: str) -> Event | None:
        rows = self._rows(f"SELECT {_COLUMNS} FROM events WHERE idempotency_key = {self._MARK}", (key,))
        return _event(rows[0]) if rows else None

    def append(
        self, key: str, kind: str, participant_id: str | None, department: str | None, created: str, payload: str
    ) -> Event:
        (row,) = self._rows(
            "INSERT INTO events (idempotency_key, kind, participant_id, department, created, payload) "
            f"VALUES ({', '.join([self._MARK] * 6)}) RETURNING {_COLUMNS}",
            (key, kind, participant_id, department, created, payload),
        )
        return _event(row)

    def refuse_newer_schema(self, version: int) -> None:
        """A store written by a newer kit is read by none older: its events may mean what this kit cannot say."""
        if version > SCHEMA_VERSION:
            raise SessionError(
                [
                    Problem(
                        self.location,
                        "",
                        "schema version",
                        f"was written by a newer kit (version {version}, this kit reads up to {SCHEMA_VERSION})",
                        "Update the kit: git pull in its folder, then make install.",
                        str(version),
                    )
                ]
            )

    def write_transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError


def events_table_sql(id_column: str) -> str:
    """The events table and its index, the same in every store but for how the database numbers ``id``."""
    return f"""CREATE TABLE events (
    id {id_column},
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    participant_id TEXT,
    department TEXT,
    created TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX events_by_kind ON events(kind);"""


_COLUMNS = "id, idempotency_key, kind, participant_id, department, created, payload"


def _event(row: tuple) -> Event:
    return Event(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]))


def store_url(folder: Path, url: str | None = None) -> str:
    """The URL of a folder's store: ``url`` when given, else ``$PROMISE_GAP_STORE``, else ``session.yml``'s
    ``store``, else the SQLite file in the folder."""
    if url:
        return url
    if os.environ.get(STORE_ENV):
        return os.environ[STORE_ENV]
    settings_file = folder / SETTINGS_FILE
    if settings_file.is_file():
        document = read_yaml(settings_file, SessionError, "Write 'store: URL' on one line.")
        chosen = document.data.get("store") if isinstance(document.data, dict) else None
        if not isinstance(chosen, str) or not chosen.strip():
            raise SessionError(
                [
                    Problem(
                        settings_file,
                        "",
                        "store",
                        "must be the URL of the session's store",
                        "Write e.g. 'store: postgresql://promise@db.example.org/acme', or "
                        "delete the file to keep the session in session.sqlite.",
                        repr(chosen),
                        line=document.lines.get(("store",)),
                    )
                ]
            )
        return chosen.strip()
    return f"sqlite:///{SESSION_FILE}"


def without_password(url: str) -> str:
    """The URL as messages may show it."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def open_event_log(folder: Path, url: str) -> EventLog:
    """The event log ``url`` names, created or migrated to ``SCHEMA_VERSION``. A relative SQLite path is
    relative to the workshop folder (never the working directory)."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        from workshop.session.sqlite_log import SQLiteEventLog

        return SQLiteEventLog(_sqlite_file(folder, url))
    if scheme in ("postgresql", "postgres"):
        from workshop.session.postgresql_log import PostgreSQLEventLog

        return PostgreSQLEventLog(url, workshop=folder.resolve().name)
    raise _unknown_url(url)


def has_events(folder: Path, url: str) -> bool:
    """Whether the store ``url`` names holds any event; a missing SQLite file is not created (a PostgreSQL
    database gets its empty tables, as it would on the first open)."""
    if urlsplit(url).scheme == "sqlite" and not _sqlite_file(folder, url).is_file():
        return False
    log = open_event_log(folder, url)
    try:
        return bool(log.since(0))
    finally:
        log.close()


def _sqlite_file(folder: Path, url: str) -> Path:
    if not url.startswith("sqlite:///") or len(url) == len("sqlite:///"):
        raise _unknown_url(url)
    return folder / unquote(url[len("sqlite:///") :])


def _unknown_url(url: str) -> SessionError:
    return SessionError(
        [
            Problem(
                None,
                "session store",
                "URL",
                "is neither sqlite:///FILE nor postgresql://…",
                f"Name the store in {SETTINGS_FILE} or ${STORE_ENV} as e.g. "
                "'sqlite:///session.sqlite' or 'postgresql://promise@db.example.org/acme'.",
                repr(without_password(url)),
            )
        ]
    )


def retry_while(
    work: Callable[[], Any],
    transient: Callable[[Exception], bool],
    location: Path | str,
    what: str,
    recover: Callable[[], None] = lambda: None,
) -> Any:
    """``work()``, retried with a growing, jittered wait (so writers that met each other do not meet again)
    while it raises an error ``transient`` accepts; ``recover`` runs before each retry (a reconnect). After
    ``WRITE_ATTEMPTS`` it says ``what`` went wrong, in words."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            return work()
        except Exception as error:
            if not transient(error):
                raise
            if attempt == WRITE_ATTEMPTS - 1:
                fix = "Try again in a moment; if it persists, restart 'workshop serve'."
                raise SessionError([Problem(location, "", None, what, fix)]) from error
            time.sleep(0.05 * (2 ** min(attempt, 4)) * (0.5 + random.random()))
            try:
                recover()
            except Exception as error_again:
                if not transient(error_again):
                    raise
    raise AssertionError("unreachable")
