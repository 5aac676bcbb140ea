"""What only the SQLite store has: the file itself (WAL, user_version, append-only triggers), its migrations,
and waiting for another process's write lock."""
from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from workshop.session import SCHEMA_VERSION, SESSION_FILE, STORE_ENV, SessionError, SessionStore

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def the_default_store(monkeypatch) -> None:
    """Every test here is about session.sqlite, whatever store the environment names."""
    monkeypatch.delenv(STORE_ENV, raising=False)


def test_the_file_is_wal_versioned_and_append_only(store: SessionStore):
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE events SET kind = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM events")


# --- schema versions --------------------------------------------------------------------------------------


def test_a_version_1_file_is_migrated_and_reads_the_same(live_dir: Path):
    shutil.copy(DATA / "session_v1.sqlite", live_dir / SESSION_FILE)
    with SessionStore(live_dir) as store:
        state = store.state()
        events = store.events()
    with sqlite3.connect(live_dir / SESSION_FILE) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM events")
    assert [e.department for e in events] == [None, "Sales", "Service", None, "Sales", "Service", "Sales", None,
                                              "Service", None, "Sales"]
    assert state.code == "HB7KQ" and state.stage == "voting"
    assert state.departments() == {"Sales": 1, "Service": 1}
    assert state.ratings_of("ana_token_0123456789ab")["same_day"].deliver_today == 6.5
    assert state.ideas["idea-9"].department == "Service"
    assert state.vote_totals() == {"idea-9": 2}


def test_a_file_from_a_newer_kit_is_refused(live_dir: Path):
    with sqlite3.connect(live_dir / SESSION_FILE) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SessionError, match="newer kit"):
        SessionStore(live_dir)


def _hold_the_write_lock(path: Path, seconds: float, ready) -> None:
    """Another process writing: it takes the write lock and keeps it for ``seconds``."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    ready.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def _locked_store(store: SessionStore, monkeypatch, seconds: float) -> multiprocessing.Process:
    import workshop.session.event_log as session

    # A short busy timeout on a reopened store, so the retries, not SQLite's own wait, meet the lock.
    monkeypatch.setattr(session, "BUSY_TIMEOUT_S", 0.05)
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_the_write_lock, args=(store.path, seconds, ready))
    holder.start()
    assert ready.wait(10)
    return holder


def test_a_write_meeting_a_held_lock_retries_until_the_lock_is_given_back(store, monkeypatch):
    store.close()
    holder = _locked_store(store, monkeypatch, seconds=0.4)
    with SessionStore(store.path.parent) as reopened:
        reopened.open_stage("rating")
        assert reopened.state().stage == "rating"
    holder.join(10)


def test_a_lock_held_past_every_retry_is_said_in_words(store, monkeypatch):
    import workshop.session.event_log as session

    store.close()
    monkeypatch.setattr(session, "WRITE_ATTEMPTS", 2)
    holder = _locked_store(store, monkeypatch, seconds=3)
    with SessionStore(store.path.parent) as reopened:
        with pytest.raises(SessionError, match="the session file stayed busy"):
            reopened.open_stage("rating")
    holder.join(10)
    with SessionStore(store.path.parent) as after:
        assert after.state().stage != "rating", "the refused write left nothing behind"


def test_the_schema_is_split_into_whole_statements_triggers_included():
    from workshop.session.sqlite_log import _SCHEMA_V2, _statements

    statements = _statements(_SCHEMA_V2)
    assert all(sqlite3.complete_statement(s) for s in statements)
    triggers = [s for s in statements if s.lstrip().upper().startswith("CREATE TRIGGER")]
    assert triggers and all(s.rstrip().upper().endswith("END;") for s in triggers)
    assert "".join(statements).replace("\n", "").replace(" ", "") == _SCHEMA_V2.replace("\n", "").replace(" ", "")
