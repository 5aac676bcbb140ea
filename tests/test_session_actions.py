"""The facilitator's decisions as session events: typed-in ideas, splits, agreed and updated actions, promise
refreshes. Real session stores (a file, then a PostgreSQL database) for a temporary copy of the sample company."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from workshop.actions import Action
from workshop.promise import load_promise, load_versions, promise_diff
from workshop.session import (FACILITATOR_LABEL, InvalidSubmission, Kind, SessionStore, actions_of,
                              derive_state)

pytestmark = pytest.mark.usefixtures("each_store")  # every test on session.sqlite, then on PostgreSQL


@pytest.fixture
def store(workshop_dir):
    with SessionStore(workshop_dir) as opened:
        yield opened


def room(store: SessionStore, people: int = 2) -> list[str]:
    """Participants who joined, with the ideas stage open."""
    code = store.start("ROOM1")
    ids = [store.join(code, "Operations").id for _ in range(people)]
    store.open_stage("ideas")
    return ids


def test_a_typed_in_idea_needs_no_participant_or_stage_and_is_shown_as_the_facilitators(store):
    idea = store.type_idea("Call back within a day", "on_time_delivery", "lift_experience", "process")
    table = store.ideas()
    assert table.loc[0, "idea_id"] == idea
    assert table.loc[0, "author"] == FACILITATOR_LABEL
    assert store.events()[-1].kind == Kind.IDEA_TYPED_IN
    assert store.events()[-1].participant_id is None


def test_a_typed_in_idea_is_validated_like_a_participants(store):
    with pytest.raises(InvalidSubmission, match="pillar"):
        store.type_idea("x", "no_such_pillar", "lift_experience", "process")
    with pytest.raises(InvalidSubmission, match="empty"):
        store.type_idea("   ", "on_time_delivery", "lift_experience", "process")
    assert store.events() == []


def test_a_split_keeps_the_dots_with_the_original_and_the_new_idea_starts_at_zero(store):
    alice, bob = room(store)
    both = store.propose_idea(alice, "Train drivers and add a van", "on_time_delivery", "lift_experience",
                              "training")
    store.open_stage("voting")
    store.vote(alice, {both: 2})
    store.vote(bob, {both: 1})
    with pytest.raises(InvalidSubmission, match="voting is open"):
        store.split_idea(both, "Train drivers", "Add a van")
    store.close_stage()
    van = store.split_idea(both, "Train drivers", "Add a van")
    state = store.state()
    assert state.ideas[both].text == "Train drivers"
    assert state.ideas[van].text == "Add a van"
    assert state.ideas[van].split_from == both
    assert state.ideas[van].participant_id == alice  # the author stays the same
    assert state.vote_totals() == {both: 3, van: 0}


def test_an_action_gets_the_votes_of_its_ideas_merged_ones_counted_once(store):
    alice, bob = room(store)
    a = store.propose_idea(alice, "Text the delivery slot", "on_time_delivery", "lift_experience", "tools")
    b = store.propose_idea(bob, "SMS the slot", "on_time_delivery", "lift_experience", "tools")
    c = store.type_idea("Van tracking", "on_time_delivery", "lift_experience", "tools")
    store.open_stage("voting")
    store.vote(alice, {a: 2, c: 1})
    store.vote(bob, {b: 3})
    store.close_stage()
    store.merge_ideas(b, a)
    action_id = store.agree_action(Action("ignored", "on_time_delivery", "Tell customers their slot",
                                          lever="tools", idea_ids=[a, b], gap=4.5))
    [action] = actions_of(store.state())
    assert action.id == action_id
    assert action.votes == 5  # a's 2 plus b's 3, b merged into a and counted once
    assert action.gap == 4.5
    assert action.idea_ids == [a, b]


def test_agreeing_refuses_a_bad_action_and_writes_nothing(store):
    before = len(store.events())
    with pytest.raises(InvalidSubmission, match="effort"):
        store.agree_action(Action("", "on_time_delivery", "Do it", effort=9))
    with pytest.raises(InvalidSubmission, match="refresh_kind"):
        store.agree_action(Action("", "on_time_delivery", "Change the words", move="refresh_promise"))
    with pytest.raises(InvalidSubmission, match="idea"):
        store.agree_action(Action("", "on_time_delivery", "Do it", idea_ids=["idea-999"]))
    assert len(store.events()) == before


def test_updates_change_only_what_they_name_and_a_repeated_key_is_stored_once(store):
    action_id = store.agree_action(Action("", "put_right", "Refund on the spot", owner_department="Customer service"))
    store.update_action(action_id, key="owner-1", owner_name="Sam", due=date(2026, 6, 30))
    store.update_action(action_id, key="owner-1", owner_name="Sam", due=date(2026, 6, 30))
    updated = store.update_action(action_id, effort=2, impact=5, status="in progress")
    assert [e.kind for e in store.events()].count(Kind.ACTION_UPDATED) == 2
    assert (updated.owner_department, updated.owner_name, updated.due) == ("Customer service", "Sam",
                                                                           date(2026, 6, 30))
    assert (updated.effort, updated.impact, updated.status) == (2, 5, "in progress")
    assert updated.quadrant == "quick win"
    with pytest.raises(InvalidSubmission, match="pillar_id"):
        store.update_action(action_id, pillar_id="easy_online")
    with pytest.raises(InvalidSubmission, match="status"):
        store.update_action(action_id, status="forgotten")
    with pytest.raises(InvalidSubmission, match="due") as refused:
        store.update_action(action_id, due="30 June")
    assert refused.value.problems[0].value == "'30 June'" and refused.value.problems[0].file == store.path
    # A fresh store reads the same actions back from the file.
    with SessionStore(store.folder) as again:
        assert actions_of(again.state()) == actions_of(store.state())


def test_refreshing_the_promise_saves_a_new_version_keeps_the_old_and_is_recorded_once(store):
    folder = store.folder
    action_id = store.agree_action(Action("", "on_time_delivery", "Promise 8 out of 10, not 10",
                                          move="refresh_promise", lever="marketing_message",
                                          refresh_kind="lower_target"))
    with pytest.raises(InvalidSubmission, match="is not changed by 'Lower the target'"):
        store.refresh_promise(action_id, name="Delivered on the day")  # a rewording is not a lower target
    refreshed = store.refresh_promise(action_id, target=8.0)
    versions = load_versions(folder)
    assert [p.version for p in versions] == [1, 2]
    assert load_promise(folder) == refreshed
    assert [str(c) for c in promise_diff(versions[0], versions[1])] == [
        "Pillar 'Delivered when we say': target: 10 → 8"]
    assert store.state().promise_versions == {action_id: (1, 2)}
    with pytest.raises(InvalidSubmission, match="already refreshed"):
        store.refresh_promise(action_id, target=7.0)
    assert len(load_versions(folder)) == 2


def test_a_lift_action_cannot_refresh_the_promise(store):
    action_id = store.agree_action(Action("", "on_time_delivery", "More vans"))
    with pytest.raises(InvalidSubmission, match="not a 'refresh the promise' action"):
        store.refresh_promise(action_id, target=8.0)
    assert len(load_versions(store.folder)) == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_derived_actions_equal_the_events_replayed_in_any_batching(store, data):
    """Deriving the state in one pass or event by event gives the same actions (the pure functions hold)."""
    if not store.events():
        first = store.agree_action(Action("", "made_to_last", "Longer warranty"))
        store.update_action(first, effort=4)
        store.type_idea("Repair kits", "made_to_last", "lift_experience", "tools")
        store.agree_action(Action("", "made_to_last", "Repair kits", idea_ids=[store.ideas().idea_id[0]]))
    events = store.events()
    cut = data.draw(st.integers(0, len(events)))
    stepwise = derive_state(events[:cut]).advance(events[cut:])
    assert actions_of(stepwise) == actions_of(derive_state(events))
