"""Session events and what they add up to: the event kinds, the state a room's events derive, and the pure
functions (reducers) that derive it.

Nothing here reads or writes storage: ``workshop.session.store`` appends events and hands them to
``SessionState.advance``; a restart derives the same state from the same events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from workshop.actions import Action, action_from_payload, updated_action

STAGES = {"rating": "Rate the promise", "ideas": "Propose ideas", "voting": "Vote"}
"""The stages the facilitator opens one at a time, and what a participant sees them called. An idea's move
and lever are ``workshop.actions.MOVES`` / ``LEVERS``: the vocabulary its actions are agreed in."""
RATING_QUESTIONS = {
    "deliver_today": "How well do we deliver this today?",
    "customers_would_rate": "How would our customers rate it?",
}
"""The two 0–10 questions a participant answers for each pillar."""

FACILITATOR_LABEL = "Facilitator"
"""Who an idea typed in by the facilitator is shown as (the facilitator never joins as a participant)."""
DEFAULT_DOT_BUDGET = 3


class Kind:
    """Event kinds, as stored in the ``kind`` column."""

    SESSION_CODE_SET = "session_code_set"
    PARTICIPANT_JOINED = "participant_joined"
    RATING_GIVEN = "rating_given"
    PROMISE_SENTENCE_GIVEN = "promise_sentence_given"
    IDEA_PROPOSED = "idea_proposed"
    IDEA_MERGED = "idea_merged"
    VOTE_CAST = "vote_cast"
    STAGE_OPENED = "stage_opened"
    STAGE_CLOSED = "stage_closed"
    RESULTS_REVEALED = "results_revealed"
    ANONYMITY_SET = "anonymity_set"
    DOT_BUDGET_SET = "dot_budget_set"
    IDEA_TYPED_IN = "idea_typed_in"
    IDEA_SPLIT = "idea_split"
    ACTION_AGREED = "action_agreed"
    ACTION_UPDATED = "action_updated"
    PROMISE_REFRESHED = "promise_refreshed"
    CAMPAIGN_SIGNED_OFF = "campaign_signed_off"


@dataclass(frozen=True)
class Event:
    """One stored event. ``created`` is an ISO 8601 UTC timestamp; ``payload`` is the kind's own fields."""

    id: int
    key: str
    kind: str
    participant_id: str | None
    department: str | None
    created: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Participant:
    """Someone who joined. ``id`` is a secret token (it lets them rejoin), so screens show ``label``."""

    id: str
    number: int
    department: str
    display_name: str
    joined: str

    @property
    def label(self) -> str:
        """What the room sees when names are shown: the display name, else 'Participant N'."""
        return self.display_name or self.public_label

    @property
    def public_label(self) -> str:
        """What the room sees when the facilitator has anonymity on."""
        return f"Participant {self.number}"


@dataclass(frozen=True)
class Rating:
    """A participant's latest answers for one pillar, each 0–10 in half points."""

    deliver_today: float
    customers_would_rate: float


@dataclass(frozen=True)
class Idea:
    """A proposed action. ``merged_into`` is the idea it was folded into by the facilitator, if any;
    ``participant_id`` is None for an idea the facilitator typed in; ``split_from`` is the idea this one was
    split off (it starts with no dots: the dots stay with the original, which the voters chose)."""

    id: str
    number: int
    text: str
    pillar: str
    move: str
    lever: str
    participant_id: str | None
    department: str
    proposed: str
    merged_into: str | None = None
    split_from: str | None = None


@dataclass(frozen=True)
class CampaignSignOff:
    """A department's latest word on a planned campaign (``workshop.campaign`` says who may give it):
    ``signed`` True to sign it off, False to hold it back; ``campaign_stamp`` is the campaign as it was
    judged, so a sign-off of an earlier wording can be told apart."""

    campaign: str
    department: str
    signed: bool
    by: str
    campaign_stamp: str
    created: str


@dataclass
class SessionState:
    """What the events add up to. Built only by ``advance``/``derive_state``; treat it as read-only.

    ``ratings`` maps (participant id, pillar id) to the latest rating; ``votes`` maps a participant to their
    latest whole allocation of dots (idea id -> dots); ``stage`` is the open stage or None. ``actions`` are
    as agreed and updated, their votes not yet counted (``actions_of`` counts them); ``promise_versions`` maps
    an action id to the (before, after) versions of the promise refresh it carried out.
    """

    code: str | None = None
    participants: dict[str, Participant] = field(default_factory=dict)
    ratings: dict[tuple[str, str], Rating] = field(default_factory=dict)
    sentences: dict[str, str] = field(default_factory=dict)
    ideas: dict[str, Idea] = field(default_factory=dict)
    votes: dict[str, dict[str, int]] = field(default_factory=dict)
    stage: str | None = None
    revealed: bool = False
    anonymous: bool = True
    dot_budget: int = DEFAULT_DOT_BUDGET
    actions: dict[str, Action] = field(default_factory=dict)
    promise_versions: dict[str, tuple[int, int]] = field(default_factory=dict)
    sign_offs: dict[tuple[str, str], CampaignSignOff] = field(default_factory=dict)
    last_event_id: int = 0

    def advance(self, events: Iterable[Event]) -> SessionState:
        """A new state with ``events`` (ids above ``last_event_id``, in order) applied; self is unchanged.

        Values inside the dictionaries are never changed in place (actions are replaced, not edited), so
        copying the dictionaries once per batch is enough.
        """
        state = replace(
            self,
            participants=dict(self.participants),
            ratings=dict(self.ratings),
            sentences=dict(self.sentences),
            ideas=dict(self.ideas),
            votes=dict(self.votes),
            actions=dict(self.actions),
            promise_versions=dict(self.promise_versions),
            sign_offs=dict(self.sign_offs),
        )
        for event in events:
            if event.id <= state.last_event_id:
                continue
            _APPLY[event.kind](state, event)
            state.last_event_id = event.id
        return state

    def resolve(self, idea_id: str) -> str:
        """The live idea an idea ended up in after merges (itself when never merged)."""
        seen = set()
        while (into := self.ideas[idea_id].merged_into) is not None and idea_id not in seen:
            seen.add(idea_id)
            idea_id = into
        return idea_id

    def live_ideas(self) -> list[Idea]:
        """Ideas not merged into another, in the order they were proposed."""
        return [idea for idea in self.ideas.values() if idea.merged_into is None]

    def vote_totals(self) -> dict[str, int]:
        """Dots per live idea (0 when none), dots given to a merged idea counting for the one it joined."""
        totals = {idea.id: 0 for idea in self.live_ideas()}
        for allocation in self.votes.values():
            for idea_id, dots in allocation.items():
                totals[self.resolve(idea_id)] += dots
        return totals

    def ideas_by_dots(self) -> list[Idea]:
        """Live ideas, most dots first, ties in proposal order: the one ranking every panel and table shows."""
        totals = self.vote_totals()
        return sorted(self.live_ideas(), key=lambda idea: (-totals[idea.id], idea.number))

    def departments(self) -> dict[str, int]:
        """How many participants joined from each department, in order of first arrival."""
        counts: dict[str, int] = {}
        for participant in self.participants.values():
            counts[participant.department] = counts.get(participant.department, 0) + 1
        return counts

    def ratings_of(self, participant_id: str) -> dict[str, Rating]:
        """One participant's latest rating per pillar id."""
        return {pillar: rating for (who, pillar), rating in self.ratings.items() if who == participant_id}


def _apply_code(state: SessionState, event: Event) -> None:
    state.code = event.payload["code"]


def _apply_joined(state: SessionState, event: Event) -> None:
    participant_id = participant_id_of(event)
    if participant_id in state.participants:
        return
    state.participants[participant_id] = Participant(
        participant_id,
        len(state.participants) + 1,
        event.department or "",
        event.payload.get("display_name", ""),
        event.created,
    )


def _apply_rating(state: SessionState, event: Event) -> None:
    p = event.payload
    state.ratings[(participant_id_of(event), p["pillar"])] = Rating(p["deliver_today"], p["customers_would_rate"])


def _apply_sentence(state: SessionState, event: Event) -> None:
    state.sentences[participant_id_of(event)] = event.payload["text"]


def _apply_idea(state: SessionState, event: Event) -> None:
    p = event.payload
    idea_id = idea_id_of(event)
    state.ideas[idea_id] = Idea(
        idea_id,
        len(state.ideas) + 1,
        p["text"],
        p["pillar"],
        p["move"],
        p["lever"],
        event.participant_id,
        event.department or "",
        event.created,
    )


def _apply_split(state: SessionState, event: Event) -> None:
    p = event.payload
    original = state.ideas[p["idea_id"]]
    state.ideas[original.id] = replace(original, text=p["keep_text"])
    new_id = idea_id_of(event)
    state.ideas[new_id] = replace(
        original, id=new_id, number=len(state.ideas) + 1, text=p["text"], proposed=event.created, split_from=original.id
    )


def _apply_action_agreed(state: SessionState, event: Event) -> None:
    state.actions[action_id_of(event)] = action_from_payload({**event.payload, "id": action_id_of(event)})


def _apply_action_updated(state: SessionState, event: Event) -> None:
    action_id = event.payload["action_id"]
    state.actions[action_id] = updated_action(state.actions[action_id], event.payload["changes"])


def _apply_promise_refreshed(state: SessionState, event: Event) -> None:
    p = event.payload
    state.promise_versions[p["action_id"]] = (int(p["version_before"]), int(p["version_after"]))


def _apply_sign_off(state: SessionState, event: Event) -> None:
    p = event.payload
    state.sign_offs[(p["campaign"], p["department"])] = CampaignSignOff(
        p["campaign"], p["department"], bool(p["signed"]), p["by"], p["campaign_stamp"], event.created
    )


def _apply_merged(state: SessionState, event: Event) -> None:
    idea_id = event.payload["idea_id"]
    state.ideas[idea_id] = replace(state.ideas[idea_id], merged_into=event.payload["into"])


def _apply_vote(state: SessionState, event: Event) -> None:
    state.votes[participant_id_of(event)] = {k: int(v) for k, v in event.payload["dots"].items() if v}


def _apply_stage_opened(state: SessionState, event: Event) -> None:
    state.stage = event.payload["stage"]


def _apply_stage_closed(state: SessionState, event: Event) -> None:
    state.stage = None


def _apply_revealed(state: SessionState, event: Event) -> None:
    state.revealed = bool(event.payload["revealed"])


def _apply_anonymity(state: SessionState, event: Event) -> None:
    state.anonymous = bool(event.payload["anonymous"])


def _apply_dot_budget(state: SessionState, event: Event) -> None:
    state.dot_budget = int(event.payload["dots"])


_APPLY: dict[str, Callable[[SessionState, Event], None]] = {
    Kind.SESSION_CODE_SET: _apply_code,
    Kind.PARTICIPANT_JOINED: _apply_joined,
    Kind.RATING_GIVEN: _apply_rating,
    Kind.PROMISE_SENTENCE_GIVEN: _apply_sentence,
    Kind.IDEA_PROPOSED: _apply_idea,
    Kind.IDEA_MERGED: _apply_merged,
    Kind.VOTE_CAST: _apply_vote,
    Kind.STAGE_OPENED: _apply_stage_opened,
    Kind.STAGE_CLOSED: _apply_stage_closed,
    Kind.RESULTS_REVEALED: _apply_revealed,
    Kind.ANONYMITY_SET: _apply_anonymity,
    Kind.DOT_BUDGET_SET: _apply_dot_budget,
    Kind.IDEA_TYPED_IN: _apply_idea,
    Kind.IDEA_SPLIT: _apply_split,
    Kind.ACTION_AGREED: _apply_action_agreed,
    Kind.ACTION_UPDATED: _apply_action_updated,
    Kind.PROMISE_REFRESHED: _apply_promise_refreshed,
    Kind.CAMPAIGN_SIGNED_OFF: _apply_sign_off,
}


def derive_state(events: Iterable[Event]) -> SessionState:
    """The state a list of events (in id order) adds up to."""
    return SessionState().advance(events)


def participant_id_of(event: Event) -> str:
    """Who wrote a participant's event (a join, rating, sentence or vote): the store writes none without it."""
    if event.participant_id is None:
        raise ValueError(f"event {event.id} ({event.kind}) has no participant")
    return event.participant_id


def idea_id_of(event: Event) -> str:
    """An idea's id comes from the event that proposed it, so no client can choose or collide ids."""
    return f"idea-{event.id}"


def action_id_of(event: Event) -> str:
    """An action's id comes from the event that agreed it, like an idea's."""
    return f"action-{event.id}"


def allocation_of(state: SessionState, participant_id: str) -> dict[str, int]:
    """A participant's dots as they stand now: dots on an idea merged into another count for the idea it
    joined (what their phone shows, and what a new vote must start from)."""
    allocation: dict[str, int] = {}
    for idea_id, dots in state.votes.get(participant_id, {}).items():
        live = state.resolve(idea_id)
        allocation[live] = allocation.get(live, 0) + dots
    return allocation


def author_label(state: SessionState, idea: Idea) -> str:
    """Who proposed an idea, as screens show it with anonymity on: 'Participant N', or 'Facilitator'."""
    if idea.participant_id is None:
        return FACILITATOR_LABEL
    return state.participants[idea.participant_id].public_label


def actions_of(state: SessionState) -> list[Action]:
    """The agreed actions in the order they were agreed, each a fresh copy whose ``votes`` are the dots of
    the ideas it came from (an idea merged into another counts once, with the idea it joined)."""
    totals = state.vote_totals()
    result = []
    for action in state.actions.values():
        live = dict.fromkeys(state.resolve(i) for i in action.idea_ids if i in state.ideas)
        result.append(replace(action, idea_ids=list(action.idea_ids), votes=sum(totals.get(i, 0) for i in live)))
    return result
