"""What only the PostgreSQL store has: a database shared by several server processes, its guards (append-only,
schema version, one workshop per database), a server that restarts or cannot be reached, and writers queued
behind each other's lock. A real, throwaway server (tests/postgresql_server.py)."""
from __future__ import annotations

import multiprocessing
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from workshop.session import STORE_ENV, Kind, SessionError, SessionStore, derive_state

DATA = Path(__file__).parent / "data"
DEPARTMENTS = ["Sales", "Service", "Marketing", "Operations"]
PILLARS = ["same_day", "honest_advice", "easy_booking"]


@pytest.fixture(autouse=True)
def database(postgresql_server, monkeypatch) -> str:
    """A fresh database, named to every store of the test (and its subprocesses) by $PROMISE_GAP_STORE before
    any opens."""
    url = postgresql_server.new_database()
    monkeypatch.setenv(STORE_ENV, url)
    return url


def _rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT * FROM events ORDER BY id").fetchall()


def test_the_database_is_versioned_owned_by_its_workshop_and_append_only(store: SessionStore, database: str):
    store.join("HB7KQ", "Sales", "Ana")
    assert not (store.folder / "session.sqlite").exists()
    with psycopg.connect(database, autocommit=True) as conn:
        assert dict(conn.execute("SELECT name, value FROM session_meta").fetchall()) == {
            "schema_version": "2", "workshop": "harbour"}
        for statement in ("UPDATE events SET kind = 'x'", "DELETE FROM events", "TRUNCATE events"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(statement)
    assert len(_rows(database)) == 2


def test_a_second_workshop_pointed_at_the_same_database_is_refused(store: SessionStore, database: str,
                                                                    tmp_path: Path):
    before = _rows(database)
    other = Path(shutil.copytree(DATA / "live_workshop", tmp_path / "quay"))
    with pytest.raises(SessionError, match="holds the session of the workshop 'harbour', not of 'quay'") as refused:
        SessionStore(other)
    assert "its own database" in refused.value.problems[0].fix
    assert _rows(database) == before


def test_a_database_from_a_newer_kit_is_refused(store: SessionStore, database: str, live_dir: Path):
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("UPDATE session_meta SET value = '3' WHERE name = 'schema_version'")
    with pytest.raises(SessionError, match="newer kit"):
        SessionStore(live_dir)


def test_a_database_that_cannot_be_opened_is_said_in_words_without_its_password(postgresql_server, live_dir):
    missing = f"postgresql://postgres:s3cret@127.0.0.1:{postgresql_server.port}/no_such_workshop"
    with pytest.raises(SessionError, match="cannot be opened: .*no_such_workshop") as refused:
        SessionStore(live_dir, url=missing)
    assert "s3cret" not in str(refused.value) and "createdb" in str(refused.value)
    assert "postgresql://postgres@127.0.0.1" in str(refused.value)


def test_a_server_restart_mid_session_loses_and_doubles_nothing(store: SessionStore, postgresql_server,
                                                                 database: str):
    ana = store.join("HB7KQ", "Sales", "Ana")
    store.open_stage("rating")
    store.rate(ana.id, "same_day", 7, 6, key="ana-rating")
    postgresql_server.restart()  # an immediate stop, as a crash: the store's connection is gone
    store.rate(ana.id, "same_day", 7, 6, key="ana-rating")  # the phone's retry of a tap it saw no answer to
    store.rate(ana.id, "honest_advice", 4, 5)
    events = store.events()
    assert [e.kind for e in events].count(Kind.RATING_GIVEN) == 2
    assert store.state() == derive_state(events)
    assert set(store.state().ratings_of(ana.id)) == {"same_day", "honest_advice"}


def _hold_the_table_lock(url: str, seconds: float, ready: threading.Event) -> None:
    """Another writer: it takes the events table's write lock and keeps it for ``seconds``."""
    with psycopg.connect(url) as conn, conn.transaction():
        conn.execute("LOCK TABLE events IN EXCLUSIVE MODE")
        ready.set()
        time.sleep(seconds)


def _locked(url: str, seconds: float) -> threading.Thread:
    ready = threading.Event()
    holder = threading.Thread(target=_hold_the_table_lock, args=(url, seconds, ready))
    holder.start()
    assert ready.wait(10)
    return holder


def test_a_write_meeting_a_held_lock_waits_its_turn(store: SessionStore, live_dir: Path, database: str,
                                                    monkeypatch):
    import workshop.session.event_log as event_log

    store.close()
    # A short lock timeout on a reopened store, so the retries, not PostgreSQL's own wait, meet the lock.
    monkeypatch.setattr(event_log, "BUSY_TIMEOUT_S", 0.05)
    with SessionStore(live_dir) as reopened:
        holder = _locked(database, seconds=0.4)
        reopened.open_stage("rating")
        holder.join(10)
        assert reopened.state().stage == "rating"


def test_a_lock_held_past_every_retry_is_said_in_words_and_writes_nothing(store: SessionStore, live_dir: Path,
                                                                          database: str, monkeypatch):
    import workshop.session.event_log as event_log

    store.close()
    monkeypatch.setattr(event_log, "BUSY_TIMEOUT_S", 0.05)
    monkeypatch.setattr(event_log, "WRITE_ATTEMPTS", 2)
    before = _rows(database)
    with SessionStore(live_dir) as reopened:
        holder = _locked(database, seconds=3)
        with pytest.raises(SessionError, match="stayed busy or out of reach"):
            reopened.open_stage("rating")
        holder.join(10)
    assert _rows(database) == before


# --- two participant-server processes on one session --------------------------------------------------------

PARTICIPANTS = 50


def _serve(store: SessionStore, request: tuple) -> str | None:
    """One submission as a participant server makes it; returns the new participant's or idea's id, or the
    refusal (which fails the test with its words)."""
    try:
        return _submit(store, *request)
    except Exception as error:  # as a server answers any failure: the test then fails on its words
        return f"failed: {type(error).__name__}: {error}"


def _submit(store: SessionStore, what: str, key: str, *args) -> str | None:
    if what == "join":
        return store.join("HB7KQ", *args, key=key).id
    if what == "rate":
        return store.rate(*args, key=key)
    if what == "idea":
        return store.propose_idea(*args, key=key)
    return store.vote(*args, key=key)


def _server_process(folder: str, requests, answers) -> None:
    """A participant-server process: its own store on the shared database, eight request threads."""
    with SessionStore(folder) as store, ThreadPoolExecutor(8) as threads:
        while (batch := requests.get()) is not None:
            answers.put(list(threads.map(lambda request: _serve(store, request), batch)))


def test_two_server_processes_on_one_session_lose_and_double_nothing(store: SessionStore, live_dir: Path):
    """50 participants spread over two processes; each submission also reaches the other process at the same
    moment with the same key (a load balancer's retry): each is stored exactly once, and a reader that only
    ever asks for events after the last it saw sees every one of them."""
    context = multiprocessing.get_context("spawn")
    pipes = [(context.Queue(), context.Queue()) for _ in range(2)]
    servers = [context.Process(target=_server_process, args=(str(live_dir), *pipe)) for pipe in pipes]
    for server in servers:
        server.start()
    seen = store.since(0)

    def both_servers(requests: list[tuple]) -> list:
        """Request i to server i % 2 and, at the same moment, to the other (the two swap each pair); both
        answer it alike. Returns the answers in request order."""
        assert len(requests) % 2 == 0
        orders = [[i ^ server for i in range(len(requests))] for server in (0, 1)]
        for order, (requests_queue, _) in zip(orders, pipes):
            requests_queue.put([requests[i] for i in order])
        answers: dict[int, str | None] = {}
        for order, (_, answers_queue) in zip(orders, pipes):
            for i, answer in zip(order, answers_queue.get(timeout=120)):
                assert answers.setdefault(i, answer) == answer, requests[i]
        seen.extend(store.since(seen[-1].id))
        return [answers[i] for i in range(len(requests))]

    try:
        people = both_servers([("join", f"join-{n}", DEPARTMENTS[n % 4], f"P{n}") for n in range(PARTICIPANTS)])
        store.open_stage("rating")
        both_servers([("rate", f"rate-{n}-{p}", people[n], pillar, n % 11, (n + p) % 11)
                      for n in range(PARTICIPANTS) for p, pillar in enumerate(PILLARS)])
        store.open_stage("ideas")
        ideas = both_servers([("idea", f"idea-{n}", people[n], f"Idea {n}", PILLARS[n % 3], "lift_experience",
                               "process") for n in range(PARTICIPANTS)])
        store.open_stage("voting")
        both_servers([("vote", f"vote-{n}", people[n], {ideas[(n + 1) % PARTICIPANTS]: 2,
                                                         ideas[(n + 2) % PARTICIPANTS]: 1})
                      for n in range(PARTICIPANTS)])
    finally:
        for requests_queue, _ in pipes:
            requests_queue.put(None)
        for server in servers:
            server.join(30)
    events = store.events()
    assert [e.id for e in seen] == [e.id for e in events], "the incremental reader missed or repeated events"
    kinds = [e.kind for e in events]
    assert (kinds.count(Kind.PARTICIPANT_JOINED), kinds.count(Kind.RATING_GIVEN), kinds.count(Kind.IDEA_PROPOSED),
            kinds.count(Kind.VOTE_CAST)) == (PARTICIPANTS, 3 * PARTICIPANTS, PARTICIPANTS, PARTICIPANTS)
    assert len({e.key for e in events}) == len(events)
    state = store.state()
    assert state == derive_state(events)
    assert len(set(people)) == len(state.participants) == PARTICIPANTS
    assert state.vote_totals() == {idea: 3 for idea in ideas}
    assert state.ratings[(people[7], "easy_booking")].customers_would_rate == (7 + 2) % 11
    assert all(server.exitcode == 0 for server in servers)
