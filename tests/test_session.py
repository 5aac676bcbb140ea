"""The live session store: validation on write, idempotency, restarts and concurrent writers, each test run on
both stores (``session.sqlite`` and PostgreSQL: the ``each_store`` fixture). What only one store has is tested
in test_session_sqlite.py and test_session_postgresql.py."""
from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import psycopg
import pytest

from workshop.session import (
    InvalidSubmission, Kind, SessionError, SessionStore, StageNotOpen, UnknownParticipant, WrongSessionCode,
    derive_state,
)

XSS = "<img src=x onerror=alert(1)>"
pytestmark = pytest.mark.usefixtures("each_store")


def _rows(store: SessionStore) -> list[tuple]:
    """Every stored row, read past the store: what 'nothing was written' is checked against."""
    if store.url.startswith("postgresql"):
        with psycopg.connect(store.url) as conn:
            return conn.execute("SELECT * FROM events ORDER BY id").fetchall()
    with sqlite3.connect(store.path) as conn:
        return conn.execute("SELECT * FROM events ORDER BY id").fetchall()


def test_a_session_keeps_its_code_across_restarts(live_dir: Path):
    with SessionStore(live_dir) as first:
        code = first.start()
    assert len(code) == 5 and not set(code) & set("01OI")
    with SessionStore(live_dir) as again:
        assert again.start() == code


def test_a_whole_session_derives_the_expected_state(store: SessionStore):
    ana = store.join("hb7kq ", "Sales", "Ana")
    ben = store.join("HB7KQ", "Service")
    store.open_stage("rating")
    store.rate(ana.id, "same_day", 7, 5.5)
    store.rate(ana.id, "same_day", 6.5, 5)  # changed her mind: the latest counts
    store.rate(ben.id, "same_day", 4, 3)
    store.give_promise_sentence(ana.id, "  Ride away happy today.  ")
    store.open_stage("ideas")
    first = store.propose_idea(ben.id, "Text riders when the bike is ready", "same_day", "lift_experience",
                               "process")
    second = store.propose_idea(ana.id, "SMS when ready", "same_day", "lift_experience", "process")
    third = store.propose_idea(ana.id, "Promise next-day, not same-day", "same_day", "refresh_promise", "other")
    store.set_dot_budget(4)
    store.open_stage("voting")
    store.vote(ana.id, {second: 2, third: 2})
    store.vote(ben.id, {first: 1, third: 3})
    store.merge_ideas(second, into=first)
    store.close_stage()
    store.reveal_results()

    state = store.state()
    assert state.departments() == {"Sales": 1, "Service": 1}
    assert [p.label for p in state.participants.values()] == ["Ana", "Participant 2"]
    assert state.ratings_of(ana.id)["same_day"].deliver_today == 6.5
    assert state.sentences[ana.id] == "Ride away happy today."
    assert [idea.id for idea in state.live_ideas()] == [first, third]
    assert state.vote_totals() == {first: 3, third: 5}
    assert [idea.id for idea in state.ideas_by_dots()] == [third, first]  # the merged idea's 2 dots count for first
    assert (state.stage, state.revealed, state.anonymous, state.dot_budget) == (None, True, True, 4)

    ratings = store.room_ratings()
    assert list(ratings.columns) == ["participant", "department", "pillar", "deliver_today",
                                     "customers_would_rate"]
    assert ratings.to_dict("records") == [
        {"participant": "Participant 1", "department": "Sales", "pillar": "same_day", "deliver_today": 6.5,
         "customers_would_rate": 5.0},
        {"participant": "Participant 2", "department": "Service", "pillar": "same_day", "deliver_today": 4.0,
         "customers_would_rate": 3.0}]
    ideas = store.ideas()
    assert ideas["idea_id"].tolist() == [first, third]
    assert ideas.loc[0, "merged"] == [2] and ideas["dots"].tolist() == [3, 5]
    assert store.vote_totals().to_dict() == {third: 5, first: 3}


def test_the_same_submission_sent_twice_is_stored_once(store: SessionStore):
    ana = store.join("HB7KQ", "Sales", key="join-ana")
    assert store.join("HB7KQ", "Sales", key="join-ana").id == ana.id
    store.open_stage("ideas")
    first = store.propose_idea(ana.id, "Loan bikes", "same_day", "lift_experience", "other", key="idea-1")
    again = store.propose_idea(ana.id, "Loan bikes", "same_day", "lift_experience", "other", key="idea-1")
    assert first == again
    assert len(store.state().ideas) == 1
    assert sum(e.kind == Kind.PARTICIPANT_JOINED for e in store.events()) == 1


def test_a_key_reused_for_another_kind_of_submission_is_refused(store: SessionStore):
    ana = store.join("HB7KQ", "Sales", key="k-1")
    store.open_stage("rating")
    before = _rows(store)
    with pytest.raises(SessionError, match="already used for a different submission"):
        store.rate(ana.id, "same_day", 5, 5, key="k-1")
    assert _rows(store) == before


# --- hostile input: each refused (or neutralised) with a clear message, nothing else disturbed ------------


@pytest.fixture
def busy_room(store: SessionStore):
    """Two participants, one rating each, one idea, voting open: a store with something to disturb."""
    ana = store.join("HB7KQ", "Sales", "Ana")
    ben = store.join("HB7KQ", "Service", "Ben")
    store.open_stage("rating")
    store.rate(ana.id, "same_day", 7, 6)
    store.open_stage("ideas")
    idea = store.propose_idea(ben.id, "Loan bikes while we fix yours", "same_day", "lift_experience", "other")
    return store, ana, ben, idea


def test_markup_in_an_idea_is_stored_verbatim(busy_room):
    store, ana, _ben, _idea = busy_room
    idea_id = store.propose_idea(ana.id, XSS, "honest_advice", "refresh_promise", "marketing_message")
    assert store.state().ideas[idea_id].text == XSS  # escaping is the display's job (tests/test_live_panel.py)


@pytest.mark.parametrize("submit, error, message", [
    (lambda s, a, b, i: s.propose_idea(a.id, "x" * 10_000, "same_day", "lift_experience", "other"),
     InvalidSubmission, "is 10000 characters, more than the 280 allowed"),
    (lambda s, a, b, i: s.propose_idea(a.id, "   ", "same_day", "lift_experience", "other"),
     InvalidSubmission, "is empty"),
    (lambda s, a, b, i: s.propose_idea(a.id, "Good idea", "no_such_pillar", "lift_experience", "other"),
     InvalidSubmission, "not one of the choices"),
    (lambda s, a, b, i: s.propose_idea(a.id, "Good idea", "same_day", "lift_experience", "bribery"),
     InvalidSubmission, "not one of the choices"),
    (lambda s, a, b, i: s.propose_idea("forged-participant-id-000", "Hi", "same_day", "lift_experience", "other"),
     UnknownParticipant, "has not joined this session"),
    (lambda s, a, b, i: s.join("WRONG", "Sales", "Eve"), WrongSessionCode, "does not match this session's code"),
    (lambda s, a, b, i: s.join("", "Sales", "Eve"), WrongSessionCode, "does not match"),
    (lambda s, a, b, i: s.join("HB7KQ", "Legal", "Eve"), InvalidSubmission, "not one of the choices"),
    (lambda s, a, b, i: s.join("HB7KQ", "Sales", "E" * 41), InvalidSubmission, "more than the 40 allowed"),
    (lambda s, a, b, i: s.rate(a.id, "same_day", 5, 5), StageNotOpen, "'Rate the promise' is not open"),
    (lambda s, a, b, i: s.propose_idea(a.id, "Loan\x00bikes", "same_day", "lift_experience", "other"),
     InvalidSubmission, "contains a NUL character"),
])
def test_hostile_submissions_are_refused_and_leave_the_store_untouched(busy_room, submit, error, message):
    store, ana, ben, idea = busy_room
    before, state_before = _rows(store), store.state()
    with pytest.raises(error, match=message) as refused:
        submit(store, ana, ben, idea)
    assert str(store.path) in str(refused.value) and refused.value.problems[0].fix
    assert _rows(store) == before
    assert store.state() == state_before


@pytest.mark.parametrize("deliver_today, customers", [(11, 5), (-1, 5), (5, 10.5), (5, 4.3), (float("nan"), 5),
                                                      ("7", 5), (True, 5), (5, None)])
def test_ratings_outside_0_to_10_in_half_points_are_refused(busy_room, deliver_today, customers):
    store, ana, _ben, _idea = busy_room
    store.open_stage("rating")
    before = _rows(store)
    with pytest.raises(InvalidSubmission, match="must be a number from 0 to 10 in whole or half points"):
        store.rate(ana.id, "same_day", deliver_today, customers)
    assert _rows(store) == before
    assert store.state().ratings_of(ana.id)["same_day"].deliver_today == 7


@pytest.mark.parametrize("dots, message", [
    ({"IDEA": 4}, "4 dots placed, but each person has 3"),
    ({"IDEA": -1}, "whole number of dots"),
    ({"IDEA": 1.5}, "whole number of dots"),
    ({"idea-999": 1}, "not an idea on the current list"),
    (["IDEA"], "must give dots per idea"),
])
def test_votes_beyond_the_budget_or_for_unknown_ideas_are_refused(busy_room, dots, message):
    store, ana, _ben, idea = busy_room
    store.open_stage("voting")
    store.vote(ana.id, {idea: 2})
    before = _rows(store)
    hostile = {(idea if k == "IDEA" else k): v for k, v in dots.items()} if isinstance(dots, dict) else dots
    with pytest.raises(InvalidSubmission, match=message):
        store.vote(ana.id, hostile)
    assert _rows(store) == before
    assert store.state().votes[ana.id] == {idea: 2}


def test_a_nul_character_in_a_typed_department_is_refused_by_every_store(live_dir: Path):
    """PostgreSQL cannot store a NUL in a text column, SQLite can: the rule refuses it before either is asked,
    so both stores answer alike, in words."""
    promise = live_dir / "promise.yml"
    promise.write_text(promise.read_text().replace("departments: [Sales, Service, Marketing, Operations]",
                                                   "departments: []"))
    with SessionStore(live_dir) as store:
        store.start("HB7KQ")
        with pytest.raises(InvalidSubmission, match="contains a NUL character"):
            store.join("HB7KQ", "Sa\x00les", "Ana")
        assert store.join("HB7KQ", "Sales", "Ana").department == "Sales"


def test_the_dot_budget_cannot_change_while_voting_is_open(busy_room):
    store, *_ = busy_room
    store.open_stage("voting")
    with pytest.raises(InvalidSubmission, match="cannot change while voting is open"):
        store.set_dot_budget(5)
    with pytest.raises(InvalidSubmission, match="from 1 to 20"):
        store.set_dot_budget(0)


def test_joining_before_the_session_starts_is_refused(live_dir: Path):
    with SessionStore(live_dir) as store:
        with pytest.raises(StageNotOpen, match="has not started"):
            store.join("ABCDE", "Sales")
        assert store.events() == []


def test_a_folder_without_a_promise_is_refused(tmp_path: Path):
    with pytest.raises(SessionError, match="not a workshop folder"):
        SessionStore(tmp_path)


# --- restarts and concurrency -----------------------------------------------------------------------------


def test_reopening_the_store_derives_the_same_state(busy_room, live_dir: Path):
    store, ana, ben, idea = busy_room
    store.open_stage("voting")
    store.vote(ana.id, {idea: 3})
    store.set_anonymity(False)
    before = store.state()
    store.close()
    with SessionStore(live_dir) as reopened:
        assert reopened.state() == before
        assert derive_state(reopened.events()) == before


PARTICIPANTS, EVENTS_EACH = 30, 20


def _participant_process(folder: str, number: int) -> list[str]:
    """Join, then send 19 ratings, each submission twice (as a flaky network would); returns the keys used."""
    with SessionStore(folder) as store:
        keys = [f"p{number}-join"]
        me = store.join("HB7KQ", ["Sales", "Service", "Marketing", "Operations"][number % 4], key=keys[0])
        for index in range(EVENTS_EACH - 1):
            key = f"p{number}-rate-{index}"
            pillar = ["same_day", "honest_advice", "easy_booking"][index % 3]
            for _ in range(2):
                store.rate(me.id, pillar, index % 11, (index + number) % 11, key=key)
            keys.append(key)
    return keys


def test_thirty_participant_processes_lose_and_double_nothing(store: SessionStore, live_dir: Path):
    store.open_stage("rating")
    setup_events = len(store.events())
    context = multiprocessing.get_context("spawn")
    polls = 0
    with context.Pool(PARTICIPANTS) as pool:
        pending = pool.starmap_async(_participant_process, [(str(live_dir), n) for n in range(PARTICIPANTS)])
        while not pending.ready():
            store.state()  # the facilitator's view refreshing, as the live panel does
            polls += 1
            time.sleep(0.5)
        sent = [key for keys in pending.get(timeout=120) for key in keys]
    events = store.events()
    stored = [e.key for e in events[setup_events:]]
    assert sorted(stored) == sorted(sent) and len(stored) == PARTICIPANTS * EVENTS_EACH
    state = store.state()
    assert len(state.participants) == PARTICIPANTS and polls >= 1
    assert state == derive_state(events)
    last_same_day = 18  # ratings 0, 3, ..., 18 went to same_day: the latest one must win
    for participant in state.participants.values():
        number = int(next(e.key for e in events if e.participant_id == participant.id)[1:].split("-")[0])
        rating = state.ratings[(participant.id, "same_day")]
        assert (rating.deliver_today, rating.customers_would_rate) == (7, (last_same_day + number) % 11)
