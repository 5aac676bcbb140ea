"""The default event log: ``session.sqlite`` in the workshop folder, embedded, one file per session.

Participants' server and the facilitator's kernels open the same file (WAL mode, so readers never wait for
writers; short ``BEGIN IMMEDIATE`` transactions, which exclude other writers; a busy timeout plus retries
while another connection holds the lock). ``PRAGMA user_version`` is the schema version, and
``MIGRATIONS`` bring older files up to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workshop.session import event_log
from workshop.session.event_log import SCHEMA_VERSION, SQLEventLog, events_table_sql

_SCHEMA_V2 = f"""
{events_table_sql("INTEGER PRIMARY KEY AUTOINCREMENT")}
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


def _is_busy(error: Exception) -> bool:
    """SQLite's own word that another connection holds the lock (SQLITE_BUSY, SQLITE_LOCKED and their
    extended codes), never a guess from the message's text."""
    return isinstance(error, sqlite3.OperationalError) and (error.sqlite_errorname or "").startswith(
        ("SQLITE_BUSY", "SQLITE_LOCKED")
    )


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


class SQLiteEventLog(SQLEventLog):
    """A session's events in one SQLite file, created or migrated when opened."""

    def __init__(self, path: Path):
        self.location = self.path = path
        self._conn = sqlite3.connect(
            path, timeout=event_log.BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        self.retrying(self._prepare)

    def close(self) -> None:
        self._conn.close()

    def _prepare(self) -> None:
        conn = self._conn
        # WAL lets the facilitator's reads run while participants write; FULL survives a power cut.
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        self.refuse_newer_schema(version)
        with self.write_transaction():
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
            if version == 0:
                for statement in _statements(_SCHEMA_V2):
                    conn.execute(statement)
            else:
                while version < SCHEMA_VERSION:
                    MIGRATIONS[version](conn)
                    version += 1
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def retrying(self, work: Callable[[], Any]) -> Any:
        return event_log.retry_while(work, _is_busy, self.path, "the session file stayed busy")

    def _rows(self, statement: str, parameters: Sequence[Any]) -> list[tuple]:
        return self._conn.execute(statement, parameters).fetchall()

    @contextmanager
    def write_transaction(self) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
