"""Deriving state from events: the incremental path (``since`` + ``advance``) must equal a fold of the whole
list, and vote totals must equal an obvious recount over the raw events."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.session import Event, Kind, SessionState, derive_state

PEOPLE = [f"participant-token-{n:04d}" for n in range(4)]
PILLARS = ["same_day", "honest_advice"]


@st.composite
def sessions(draw) -> list[Event]:
    """A valid event list: people join, rate, propose, merge and vote in any interleaving."""
    events: list[Event] = []
    joined: list[str] = []
    live: list[str] = []

    def add(kind: str, who: str | None, payload: dict) -> None:
        events.append(Event(len(events) + 1, f"k{len(events) + 1}", kind, who, "Sales" if who else None,
                            f"2026-03-02T09:{len(events) % 60:02d}:00.000+00:00", payload))

    for _ in range(draw(st.integers(0, 40))):
        step = draw(st.sampled_from(["join", "rate", "idea", "merge", "vote", "stage", "reveal"]))
        if step == "join" or not joined:
            who = draw(st.sampled_from(PEOPLE))
            add(Kind.PARTICIPANT_JOINED, who, {"display_name": "", "department": "Sales"})
            joined.append(who)
        elif step == "rate":
            add(Kind.RATING_GIVEN, draw(st.sampled_from(joined)),
                {"pillar": draw(st.sampled_from(PILLARS)), "deliver_today": draw(st.integers(0, 20)) / 2,
                 "customers_would_rate": draw(st.integers(0, 20)) / 2})
        elif step == "idea":
            add(Kind.IDEA_PROPOSED, draw(st.sampled_from(joined)),
                {"text": "an idea", "pillar": "same_day", "move": "lift_experience", "lever": "other"})
            live.append(f"idea-{len(events)}")
        elif step == "merge" and len(live) >= 2:
            gone, into = draw(st.permutations(live))[:2]
            add(Kind.IDEA_MERGED, None, {"idea_id": gone, "into": into})
            live.remove(gone)
        elif step == "vote" and live:
            chosen = draw(st.lists(st.sampled_from(live), max_size=3))
            add(Kind.VOTE_CAST, draw(st.sampled_from(joined)), {"dots": {i: chosen.count(i) for i in chosen}})
        elif step == "stage":
            add(Kind.STAGE_OPENED, None, {"stage": draw(st.sampled_from(["rating", "ideas", "voting"]))})
        elif step == "reveal":
            add(Kind.RESULTS_REVEALED, None, {"revealed": draw(st.booleans())})
    return events


@settings(max_examples=200, deadline=None)
@given(events=sessions(), cuts=st.lists(st.integers(0, 40), max_size=5))
def test_advancing_in_batches_equals_deriving_at_once(events: list[Event], cuts: list[int]):
    state = SessionState()
    start = 0
    for cut in sorted(cuts) + [len(events)]:
        state = state.advance(events[start:cut])  # what a live view reading since(last id) does
        start = max(start, cut)
    assert state == derive_state(events)
    assert state.advance(events) == state  # events already seen are not applied twice


@settings(max_examples=200, deadline=None)
@given(events=sessions())
def test_vote_totals_equal_a_recount_of_the_latest_votes(events: list[Event]):
    merged_into = {e.payload["idea_id"]: e.payload["into"] for e in events if e.kind == Kind.IDEA_MERGED}
    latest = {e.participant_id: e.payload["dots"] for e in events if e.kind == Kind.VOTE_CAST}
    ideas = [f"idea-{e.id}" for e in events if e.kind == Kind.IDEA_PROPOSED]
    expected = {idea: 0 for idea in ideas if idea not in merged_into}
    for allocation in latest.values():
        for idea, dots in allocation.items():
            while idea in merged_into:
                idea = merged_into[idea]
            expected[idea] += dots
    assert derive_state(events).vote_totals() == expected


@given(events=sessions())
def test_the_latest_rating_wins(events: list[Event]):
    state = derive_state(events)
    for (who, pillar), rating in state.ratings.items():
        last = [e for e in events if e.kind == Kind.RATING_GIVEN and e.participant_id == who
                and e.payload["pillar"] == pillar][-1]
        assert (rating.deliver_today, rating.customers_would_rate) == (
            last.payload["deliver_today"], last.payload["customers_would_rate"])
