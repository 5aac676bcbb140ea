"""A session's events in PostgreSQL: for a room that outgrows one laptop, where several participant-server
processes (or machines behind a load balancer) and the facilitator's kernels share one session.

One database per workshop, holding the same ``events`` table as ``session.sqlite`` (the payload the same JSON
text) and ``session_meta`` (the schema version, and the workshop the database belongs to, so a second
workshop pointed at it by mistake is refused instead of mixing two rooms). Triggers refuse every UPDATE,
DELETE and TRUNCATE of events. A write takes ``LOCK TABLE events IN EXCLUSIVE MODE`` for its short
transaction: writers of the session queue (readers do not wait), each validates against every event before
it, and ids grow in commit order. A lock wait past ``BUSY_TIMEOUT_S``, a serialisation failure or a dropped
connection (the server restarted) is retried on a fresh connection; the idempotency key makes a retry of a
write that did commit store nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from workshop.errors import Problem
from workshop.session import event_log
from workshop.session.event_log import SCHEMA_VERSION, SQLEventLog, events_table_sql, without_password
from workshop.session.rules import SessionError

_SCHEMA_V2 = f"""
CREATE TABLE session_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
{events_table_sql("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")}
CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'session events are append-only'; END $$;
CREATE TRIGGER events_never_changed BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_never_truncated BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
"""


def _is_transient(error: Exception) -> bool:
    """A lock wait that timed out, a serialisation failure or deadlock, or a connection that failed: all
    ``OperationalError`` in psycopg's classes (SQLSTATE 55P03, 40001, 40P01, 08…), never a guess from text."""
    return isinstance(error, psycopg.OperationalError)


class PostgreSQLEventLog(SQLEventLog):
    """A workshop's events in the PostgreSQL database ``url`` names, its tables created on first open."""

    _MARK = "%s"

    def __init__(self, url: str, workshop: str):
        self._url = url
        self.location = without_password(url)
        self._workshop = workshop
        try:
            # Only this first connection's failure is final (a wrong URL, password or database): once
            # connected, a failure is the server restarting or the network, and is retried.
            self._conn = self._connect()
        except psycopg.OperationalError as error:
            raise self._unreachable(error) from None
        self.retrying(self._prepare)

    def close(self) -> None:
        self._conn.close()

    def _connect(self) -> psycopg.Connection:
        conn = psycopg.connect(self._url, autocommit=True, connect_timeout=10, application_name="promise-gap")
        conn.execute(f"SET lock_timeout = {int(event_log.BUSY_TIMEOUT_S * 1000)}")
        return conn

    def _reconnect(self) -> None:
        if self._conn.broken or self._conn.closed:
            self._conn.close()
            self._conn = self._connect()

    def _unreachable(self, error: Exception) -> SessionError:
        reason = " ".join(str(error).split()) or type(error).__name__
        return SessionError(
            [
                Problem(
                    self.location,
                    "",
                    None,
                    f"cannot be opened: {reason}",
                    "Check the URL in session.yml or $PROMISE_GAP_STORE, that the database "
                    "exists (createdb NAME) and that ~/.pgpass or $PGPASSWORD holds the "
                    "password.",
                )
            ]
        )

    def retrying(self, work: Callable[[], Any]) -> Any:
        return event_log.retry_while(
            work, _is_transient, self.location, "the session database stayed busy or out of reach", self._reconnect
        )

    def _prepare(self) -> None:
        conn = self._conn
        with conn.transaction():
            # Two processes opening a new database at once: one creates the tables, the other waits here.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('promise-gap session schema'))")
            if conn.execute("SELECT to_regclass('session_meta')").fetchone() == (None,):
                conn.execute(_SCHEMA_V2)
                conn.execute(
                    "INSERT INTO session_meta (name, value) VALUES ('schema_version', %s), ('workshop', %s)",
                    (str(SCHEMA_VERSION), self._workshop),
                )
            meta: dict[str, str] = dict(conn.execute("SELECT name, value FROM session_meta").fetchall())
        version = int(meta["schema_version"])
        self.refuse_newer_schema(version)
        if meta["workshop"] != self._workshop:
            raise SessionError(
                [
                    Problem(
                        self.location,
                        "",
                        "workshop",
                        f"holds the session of the workshop '{meta['workshop']}', not of '{self._workshop}'",
                        "Give each workshop its own database (createdb NAME) and name it in the folder's session.yml.",
                        repr(self._workshop),
                    )
                ]
            )

    def _rows(self, statement: str, parameters: Sequence[Any]) -> list[tuple]:
        return self._conn.execute(statement, parameters).fetchall()

    @contextmanager
    def write_transaction(self) -> Iterator[None]:
        conn = self._conn
        with conn.transaction():
            conn.execute("LOCK TABLE events IN EXCLUSIVE MODE")
            yield
