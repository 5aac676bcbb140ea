"""Advocate call log: calls written to a real advocate_calls.csv, read back, and merged into the feedback."""
from __future__ import annotations

import csv
from datetime import date

import numpy as np
import pytest

from workshop.cube import NOT_STATED
from workshop.feedback.calls import (
    CALLS_FILE,
    NOTE_MAX_CHARS,
    AdvocateCall,
    calls_path,
    check_call,
    load_calls,
    log_call,
)
from workshop.feedback.load import load_workshop_feedback
from workshop.errors import FeedbackError
from workshop.errors import StaleFileError
from workshop.files import stamp_of
from workshop.promise import load_promise

CALL = AdvocateCall(touchpoint="phone", scores={"expert_advice": 9, "put_right": 4, "made_to_last": None},
                    note="Loves the advice; the refund took three calls. Call me on 020 7946 0958.",
                    caller="Sam", segment="trade", recommend=10, called_on=date(2025, 5, 2))


def log_now(folder, call: AdvocateCall, promise):
    """Log a call as a panel does that read the call log just before."""
    return log_call(folder, call, promise, expected=stamp_of(calls_path(folder)))


def test_a_logged_call_is_a_canonical_feedback_row_on_disk(workshop_dir):
    promise = load_promise(workshop_dir)
    log_now(workshop_dir, CALL, promise)
    with open(workshop_dir / CALLS_FILE, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 1
    row = rows[0]
    assert row["source"] == "call" and row["touchpoint"] == "phone" and row["segment"] == "trade"
    assert row["date"] == "2025-05-02" and row["caller"] == "Sam" and row["recommend"] == "10"
    assert (row["expert_advice"], row["put_right"], row["made_to_last"], row["on_time_delivery"]) == ("9", "4", "", "")
    assert row["comment"] == CALL.note  # raw in the folder; scrubbed only when shown
    assert row["response_id"].startswith("call-20250502-")


def test_calls_append_and_read_back_with_not_asked_as_missing(workshop_dir):
    promise = load_promise(workshop_dir)
    log_now(workshop_dir, CALL, promise)
    log_now(workshop_dir, AdvocateCall(touchpoint="store", scores={"on_time_delivery": 0}, caller="Ana"), promise)
    calls = load_calls(workshop_dir, promise)
    assert len(calls) == 2 and calls["response_id"].is_unique
    assert calls["on_time_delivery"].tolist()[1] == 0.0  # a real 0, kept as 0
    assert np.isnan(calls["on_time_delivery"].iloc[0]) and np.isnan(calls["made_to_last"].iloc[0])
    assert calls["segment"].tolist() == ["trade", NOT_STATED]
    assert calls["comment"].tolist()[1] is None
    assert calls["advocate"].tolist() == [True, True]  # called as advocates; recommend 10 agrees
    assert str(calls["date"].dtype).startswith("datetime64")


def test_a_detractor_answer_is_not_flagged_as_advocate(workshop_dir):
    promise = load_promise(workshop_dir)
    log_now(workshop_dir, AdvocateCall(touchpoint="web", scores={"easy_online": 3}, recommend=5), promise)
    assert load_calls(workshop_dir, promise)["advocate"].tolist() == [False]


@pytest.mark.parametrize("call, field, words", [
    (AdvocateCall(touchpoint="phone", scores={"expert_advice": 11}), "expert_advice", "0 to 10"),
    (AdvocateCall(touchpoint="phone", scores={"expert_advice": 7.5}), "expert_advice", "whole number"),
    (AdvocateCall(touchpoint="phone", scores={"speed": 7}), "speed", "not a pillar"),
    (AdvocateCall(touchpoint="fax", scores={"expert_advice": 7}), "touchpoint", "not one of"),
    (AdvocateCall(touchpoint="", scores={"expert_advice": 7}), "touchpoint", "no touchpoint"),
    (AdvocateCall(touchpoint="phone", note="x" * (NOTE_MAX_CHARS + 1)), "note", "more than 1,000"),
    (AdvocateCall(touchpoint="phone", scores={"expert_advice": None}), "scores", "nothing recorded"),
    (AdvocateCall(touchpoint="phone", recommend=-1, note="hi"), "recommend", "0 to 10"),
])
def test_invalid_calls_are_refused_and_nothing_is_written(workshop_dir, call, field, words):
    promise = load_promise(workshop_dir)
    problems = check_call(call, promise)
    assert [p.field for p in problems] == [field] and words in problems[0].message and problems[0].fix
    with pytest.raises(FeedbackError):
        log_now(workshop_dir, call, promise)
    assert not calls_path(workshop_dir).exists()


# A 6.5 is refused like the form refuses it: the cube takes whole points, and would round it to 6 (half to even).
@pytest.mark.parametrize("typed", ["12", "6.5"])
def test_a_hand_broken_call_log_names_row_column_and_value(workshop_dir, typed):
    promise = load_promise(workshop_dir)
    log_now(workshop_dir, CALL, promise)
    path = calls_path(workshop_dir)
    path.write_text(path.read_text(encoding="utf-8").replace(",10,", f",{typed},", 1), encoding="utf-8")
    with pytest.raises(FeedbackError) as error:
        load_calls(workshop_dir, promise)
    problem = error.value.problems[0]
    assert (problem.where, problem.field, problem.value) == ("row 2", "recommend", typed)
    assert "whole score from 0 to 10" in problem.message


def test_calls_merge_into_the_cube_and_the_explorer(workshop_dir):
    before = load_workshop_feedback(workshop_dir)
    promise = load_promise(workshop_dir)
    log_now(workshop_dir, CALL, promise)
    log_now(workshop_dir, AdvocateCall(touchpoint="store", scores={"expert_advice": 2}), promise)
    after = load_workshop_feedback(workshop_dir)
    assert after.calls == 2
    assert after.cube.total_responses == before.cube.total_responses + 2
    assert after.report.rows_read == before.report.rows_read  # the report stays the file's
    gained = after.cube.score_histogram("expert_advice") - before.cube.score_histogram("expert_advice")
    assert gained.tolist() == [0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0]  # one 2 and one 9
    calls = after.explorer[after.explorer["source"] == "call"]
    assert calls["comment"].tolist() == [CALL.note]  # the call without a note has no comment to explore
    assert any("Advocate calls: 2" in note for note in after.report.notes)


def test_a_call_logged_over_a_log_changed_since_it_was_read_is_refused_and_nothing_is_lost(workshop_dir):
    promise = load_promise(workshop_dir)
    read = stamp_of(calls_path(workshop_dir))
    first_tab = log_call(workshop_dir, CALL, promise, expected=read)
    second_call = AdvocateCall(touchpoint="store", scores={"expert_advice": 2}, caller="Ana")
    with pytest.raises(StaleFileError, match="changed in another tab — reload to see it"):
        log_call(workshop_dir, second_call, promise, expected=read)
    assert stamp_of(calls_path(workshop_dir)) == first_tab.stamp
    assert load_calls(workshop_dir, promise)["caller"].tolist() == ["Sam"]
    log_call(workshop_dir, second_call, promise, expected=first_tab.stamp)  # reloaded: it logs
    assert load_calls(workshop_dir, promise)["caller"].tolist() == ["Sam", "Ana"]
