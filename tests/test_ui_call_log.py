"""Call log form: filled in as a facilitator does, checked against the real advocate_calls.csv it writes."""
from __future__ import annotations

import csv

from workshop.feedback.calls import CALLS_FILE, NOTE_MAX_CHARS
from workshop.ui import call_log
from workshop.ui.call_log import CallLogPanel


def test_a_call_is_logged_to_the_folder_and_the_form_is_ready_for_the_next(workshop_dir):
    panel = CallLogPanel(workshop_dir)
    panel.touchpoint.value = "phone"
    panel.scores["expert_advice"].value = 9
    panel.scores["put_right"].value = 0
    panel.recommend.value = 10
    panel.note.value = "The fitter came back the same day."
    panel.caller.value = "Sam"
    panel.log_button.click()
    assert "Call logged (1 in advocate_calls.csv)" in panel.status.value
    with open(workshop_dir / CALLS_FILE, newline="", encoding="utf-8") as stream:
        (row,) = list(csv.DictReader(stream))
    assert (row["expert_advice"], row["put_right"], row["made_to_last"]) == ("9", "0", "")
    assert row["comment"] == "The fitter came back the same day." and row["caller"] == "Sam"
    assert row["source"] == "call"
    assert panel.note.value == "" and panel.scores["expert_advice"].value is None
    assert panel.caller.value == "Sam" and panel.touchpoint.value == "phone"


def test_a_refused_call_keeps_what_was_typed_and_says_why(workshop_dir):
    panel = CallLogPanel(workshop_dir)
    panel.scores["made_to_last"].value = 8
    panel.note.value = "x" * (NOTE_MAX_CHARS + 5)
    assert panel.log() is None
    assert "no touchpoint" in panel.status.value and "more than 1,000" in panel.status.value
    assert "Traceback" not in panel.status.value
    assert panel.scores["made_to_last"].value == 8 and len(panel.note.value) == NOTE_MAX_CHARS + 5
    assert not (workshop_dir / CALLS_FILE).exists() and panel.calls_logged == 0


def test_a_bug_on_the_button_is_a_message_and_keeps_what_was_typed(workshop_dir, monkeypatch):
    panel = CallLogPanel(workshop_dir)

    def broken(*_args, **_kwargs):
        raise RuntimeError("<calls> writer fell over")

    monkeypatch.setattr(call_log, "log_call", broken)
    panel.touchpoint.value = "phone"
    panel.note.value = "Came back the same day."
    panel.log_button.click()
    assert "Not logged: Something went wrong (RuntimeError: &lt;calls&gt; writer fell over)" in panel.status.value
    assert panel.note.value == "Came back the same day." and panel.calls_logged == 0


def test_a_call_over_a_log_another_tab_wrote_since_is_refused_and_keeps_the_form(workshop_dir):
    stale, other_tab = CallLogPanel(workshop_dir), CallLogPanel(workshop_dir)
    other_tab.touchpoint.value = "phone"
    other_tab.note.value = "Logged in the other tab."
    assert other_tab.log() is not None
    logged = (workshop_dir / CALLS_FILE).read_bytes()

    stale.touchpoint.value = "store"
    stale.scores["expert_advice"].value = 7
    stale.note.value = "Typed in the stale tab."
    stale.log_button.click()
    assert "Not logged" in stale.status.value and "changed in another tab — reload to see it" in stale.status.value
    assert (stale.touchpoint.value, stale.scores["expert_advice"].value, stale.note.value) == (
        "store", 7, "Typed in the stale tab.")
    assert (workshop_dir / CALLS_FILE).read_bytes() == logged

    other_tab.note.value = "A second call from the tab that logged."
    assert other_tab.log() is not None and other_tab.calls_logged == 2


def test_every_field_typed_survives_a_refusal_and_reaches_the_logged_call(workshop_dir):
    panel = CallLogPanel(workshop_dir)
    panel.segment.value = "Gold"
    panel.scores["expert_advice"].value = 9
    panel.recommend.value = 10
    panel.note.value = "Came back the same day."
    panel.caller.value = "Sam"
    panel.log_button.click()  # no touchpoint yet: refused
    assert "Not logged" in panel.status.value
    assert (panel.segment.value, panel.scores["expert_advice"].value, panel.recommend.value, panel.note.value,
            panel.caller.value) == ("Gold", 9, 10, "Came back the same day.", "Sam")
    panel.touchpoint.value = "phone"
    panel.log_button.click()
    with open(workshop_dir / CALLS_FILE, newline="", encoding="utf-8") as stream:
        (row,) = list(csv.DictReader(stream))
    assert (row["touchpoint"], row["segment"], row["expert_advice"], row["recommend"], row["comment"],
            row["caller"]) == ("phone", "Gold", "9", "10", "Came back the same day.", "Sam")
