"""Step 3's *Room vs customers* follows the live panel's reveal: no cell is run again, no store opened by hand.

The room rates on phones (a second store stands for the participant server), the facilitator presses
**Reveal results** on the live panel, and the gap panel's Room vs customers view shows the room next to the
customers; before that it shows none of the room's ratings, so nobody anchors on them.
"""
from __future__ import annotations

import pandas as pd
import pytest

from workshop.feedback.load import load_workshop_feedback
from workshop.gap import INTERNAL_COLUMNS
from workshop.promise import load_promise
from workshop.session import SessionStore
from workshop.ui.gap_panel import GapPanel
from workshop.ui.live_panel import LivePanel
from workshop.ui.room_reveal import show_the_room_when_revealed


def room_rows(panel: GapPanel) -> set[str]:
    """The rows (pillar · department) the Room vs customers view draws the room's ratings on, as one line each
    (the chart wraps long row labels with <br>)."""
    figure = panel.figure("internal")
    return {y.replace("<br>", " ") for trace in figure.data if trace.name == "we deliver this today (the room)" for y in (trace.y or ())}


@pytest.fixture
def step_3(workshop_dir):
    feedback = load_workshop_feedback(workshop_dir)
    promise = load_promise(workshop_dir)
    live = LivePanel(workshop_dir, cube=feedback.cube, refresh_seconds=None)
    gap_panel = GapPanel.for_feedback(feedback, promise, folder=workshop_dir)
    with SessionStore(workshop_dir) as phones:
        phones.start("HB7KQ")
        live.refresh()
        yield live, gap_panel, phones, promise
    live.stop()


def rate_all(phones: SessionStore, promise, department: str) -> None:
    person = phones.join("HB7KQ", department)
    for pillar_id in promise.pillar_ids:
        phones.rate(person.id, pillar_id, 8, 6.5)


def test_the_room_appears_beside_the_customers_when_results_are_revealed(step_3):
    live, gap_panel, phones, promise = step_3
    show_the_room_when_revealed(live, gap_panel)
    live.open_stage("rating")
    rate_all(phones, promise, "Sales")
    live.close_stage()
    assert room_rows(gap_panel) == set(), "the room's ratings stay hidden until the reveal"
    live.reveal.value = True  # the facilitator's click
    assert room_rows(gap_panel) == {f"{p.name} · Sales" for p in promise.pillars}


def test_a_reveal_pressed_in_another_tab_reaches_the_view_with_the_live_panels_refresh(step_3):
    live, gap_panel, phones, promise = step_3
    show_the_room_when_revealed(live, gap_panel)
    live.open_stage("rating")
    rate_all(phones, promise, "Operations")
    phones.reveal_results(True)
    live.refresh()
    assert f"{promise.pillars[0].name} · Operations" in room_rows(gap_panel)


def test_a_room_revealed_before_the_cell_ran_is_shown_at_once(step_3):
    """After a kernel restart, Run All brings the revealed room back without a click."""
    live, gap_panel, phones, promise = step_3
    live.open_stage("rating")
    rate_all(phones, promise, "HR")
    live.reveal_results(True)
    show_the_room_when_revealed(live, gap_panel)
    assert f"{promise.pillars[0].name} · HR" in room_rows(gap_panel)


def deliver_today_drawn(panel: GapPanel, row: str) -> float:
    trace = next(t for t in panel.figure("internal").data if t.name == "we deliver this today (the room)")
    return dict(zip((y.replace("<br>", " ") for y in trace.y), trace.x, strict=True))[row]


def test_ratings_typed_in_the_form_stay_through_the_reveal_and_each_rating_counts_once(step_3):
    live, gap_panel, phones, promise = step_3
    show_the_room_when_revealed(live, gap_panel)
    typed = pd.DataFrame([("Finance (form entry 1)", "Finance", pillar_id, 5.0, 4.0) for pillar_id in
                          promise.pillar_ids], columns=list(INTERNAL_COLUMNS))
    gap_panel.add_internal_ratings(typed)
    live.open_stage("rating")
    first, second = phones.join("HB7KQ", "Sales"), phones.join("HB7KQ", "Sales")
    pillar = promise.pillars[0]
    phones.rate(first.id, pillar.id, 8, 6)
    live.reveal.value = True
    live.reveal.value = False
    phones.rate(second.id, pillar.id, 6, 6)  # a late answer, shown at the second reveal
    live.reveal.value = True
    assert f"{pillar.name} · Finance" in room_rows(gap_panel)
    assert deliver_today_drawn(gap_panel, f"{pillar.name} · Sales") == pytest.approx(7.0)
