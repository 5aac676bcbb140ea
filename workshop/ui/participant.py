"""The participant app: what each person in the room opens on their phone (served by Voila, code hidden).

Join with the session code, a department and a display name (or none, to stay anonymous); then whatever
stage the facilitator has opened: rate the pillars, propose ideas, or spend dots on ideas. Every value is
validated by ``workshop.session`` in this kernel, whatever the browser sent; this panel only wires widgets
to it, shows refusals as plain sentences (never a traceback), and escapes all text it shows as HTML.

The browser remembers who you are (``BrowserMemory``, a localStorage entry per session code), so reloading
the page or losing the connection rejoins you as yourself, with your earlier inputs filled in.
"""
from __future__ import annotations

import hashlib
import html
import os
import threading
import time
import uuid
from typing import Callable

import anywidget
import ipywidgets as widgets
import traitlets

from workshop.actions import LEVERS, MOVES
from workshop.errors import WorkshopError
from workshop.promise import SCORE_MAX, SCORE_MIN, Promise
from workshop.session import (
    RATING_QUESTIONS, RATING_STEP, STAGES, TEXT_MAX_CHARS, Idea, Participant, SessionState, SessionStore,
    UnknownParticipant,
)
from workshop.ui.guard import guarded

POLL_SECONDS = 1.0
"""How often the app looks for the facilitator's stage changes: within a second feels instant in a room."""
WIDE = widgets.Layout(width="100%")
TOUCH = widgets.Layout(width="100%", height="3.2em")
STYLE = """<style>
.pg-app { max-width: 36em; margin: 0 auto; font-size: 17px; }
.pg-app .widget-button, .pg-app .widget-toggle-button { font-size: 17px; }
.pg-app .widget-text input, .pg-app textarea, .pg-app select { font-size: 17px; min-height: 2.6em; }
.pg-app .widget-inline-hbox:not(.widget-textarea) { height: auto !important; margin-bottom: 0.4em; }
.pg-app .widget-toggle-button { height: auto !important; min-height: 2.6em; }
.pg-app .widget-slider .ui-slider-handle { width: 1.6em !important; height: 1.6em !important; top: -0.7em !important; }
.pg-app .pg-message-error { color: #a40000; font-weight: bold; }
.pg-app .pg-message-ok { color: #1d6b2a; }
</style>"""


class BrowserMemory(anywidget.AnyWidget):
    """Keeps the participant's rejoin token in the browser's localStorage, under a key per session.

    On page load the browser sends the stored token (``token`` changes in the kernel); when the kernel sets
    ``token`` after a join the browser stores it, and an empty token forgets it.
    """

    _esm = """
    export default {
      render({ model, el }) {
        el.style.display = "none";
        const key = () => "promise-gap:" + model.get("storage_key");
        const stored = window.localStorage.getItem(key());
        if (stored && !model.get("token")) { model.set("token", stored); model.save_changes(); }
        model.on("change:token", () => {
          const token = model.get("token");
          if (token) { window.localStorage.setItem(key(), token); } else { window.localStorage.removeItem(key()); }
        });
      }
    };
    """
    storage_key = traitlets.Unicode("").tag(sync=True)
    token = traitlets.Unicode("").tag(sync=True)


def plain_message(error: WorkshopError) -> str:
    """A refusal as a participant should read it: what is wrong and what to do, without server paths."""
    parts = []
    for problem in error.problems:
        subject = f"{problem.field[0].upper()}{problem.field[1:]}: " if problem.field else ""
        parts.append(f"{subject}{problem.message}." + (f" {problem.fix}" if problem.fix else ""))
    return " ".join(parts)


def participant_text(error: Exception) -> str:
    """What a participant reads when a tap fails: a refusal in plain words; for a bug, only that it failed
    (its details would name files on the facilitator's laptop, which is none of a phone's business)."""
    if isinstance(error, WorkshopError):
        return plain_message(error)
    return "Something went wrong on the facilitator's laptop. Try again in a moment, or tell the facilitator."


class RateView:
    """Two sliders per pillar and the promise sentence, filled with the participant's earlier answers."""

    def __init__(self, promise: Promise, state: SessionState, participant_id: str):
        self.sliders: dict[str, tuple[widgets.FloatSlider, widgets.FloatSlider]] = {}
        mine = state.ratings_of(participant_id)
        rows: list[widgets.Widget] = [widgets.HTML(f"<h3>{STAGES['rating']}</h3>")]
        for pillar in promise.pillars:
            earlier = mine.get(pillar.id)
            pair = tuple(widgets.FloatSlider(value=getattr(earlier, question, 5.0), min=SCORE_MIN, max=SCORE_MAX,
                                             step=RATING_STEP, readout_format=".1f", continuous_update=False,
                                             layout=WIDE)
                         for question in RATING_QUESTIONS)
            self.sliders[pillar.id] = pair
            rows.append(widgets.HTML(f"<h4>{html.escape(pillar.name)}</h4><p>{html.escape(pillar.description)}</p>"))
            for question, slider in zip(RATING_QUESTIONS.values(), pair):
                rows += [widgets.HTML(html.escape(question)), slider]
        self.sentence = widgets.Textarea(value=state.sentences.get(participant_id, ""),
                                         placeholder="Could you state our promise in a sentence?",
                                         layout=widgets.Layout(width="100%", height="5em"))
        self.save_button = widgets.Button(description="Save my ratings", button_style="primary", layout=TOUCH)
        self.widget = widgets.VBox([*rows, widgets.HTML("<b>Could you state our promise in a sentence?</b>"),
                                    self.sentence, self.save_button])


class IdeasView:
    """An idea's text, pillar, move and lever, and the participant's ideas so far."""

    def __init__(self, promise: Promise):
        self.text = widgets.Textarea(placeholder=f"Your idea (up to {TEXT_MAX_CHARS} characters)",
                                     layout=widgets.Layout(width="100%", height="6em"))
        self.pillar = widgets.Dropdown(options=[(p.name, p.id) for p in promise.pillars], description="For pillar",
                                       layout=WIDE)
        self.move = widgets.ToggleButtons(options=[(label, key) for key, label in MOVES.items()],
                                          style={"button_width": "auto"})
        self.lever = widgets.Dropdown(options=[(label, key) for key, label in LEVERS.items()], description="Lever",
                                      layout=WIDE)
        self.propose_button = widgets.Button(description="Propose this idea", button_style="primary", layout=TOUCH)
        self.mine = widgets.HTML()
        self.widget = widgets.VBox([widgets.HTML(f"<h3>{STAGES['ideas']}</h3>"), self.text, self.pillar, self.move,
                                    self.lever, self.propose_button, self.mine])

    def show_mine(self, state: SessionState, participant_id: str) -> None:
        mine = [idea for idea in state.ideas.values() if idea.participant_id == participant_id]
        items = "".join(f"<li>{html.escape(idea.text)}</li>" for idea in mine)
        self.mine.value = f"<p><b>Your ideas</b></p><ul>{items}</ul>" if mine else ""


class VoteView:
    """One row per live idea with − and + buttons; ``on_dot(idea_id, ±1)`` is called on a tap."""

    def __init__(self, on_dot: Callable[[str, int], None]):
        self._on_dot = on_dot
        self.dots_left = widgets.HTML()
        self.rows = widgets.VBox()
        self.counts: dict[str, widgets.HTML] = {}
        self.widget = widgets.VBox([widgets.HTML(f"<h3>{STAGES['voting']}</h3>"), self.dots_left, self.rows])

    def show(self, ideas: list[Idea], allocation: dict[str, int], budget: int, rebuild: bool) -> None:
        left = budget - sum(allocation.values())
        self.dots_left.value = (f"<p>You have <b>{budget}</b> dots: <b>{left}</b> left. "
                                "Change your mind until voting closes.</p>")
        if rebuild:
            self.counts = {}
            self.rows.children = [self._row(idea) for idea in ideas]
        for idea_id, count in self.counts.items():
            count.value = f"<b>{allocation.get(idea_id, 0)}</b> dots"

    def _row(self, idea: Idea) -> widgets.VBox:
        button = widgets.Layout(width="4em", height="3em")
        minus = widgets.Button(description="−", layout=button)
        plus = widgets.Button(description="+", button_style="primary", layout=button)
        count = self.counts[idea.id] = widgets.HTML()
        minus.on_click(lambda _b: self._on_dot(idea.id, -1))
        plus.on_click(lambda _b: self._on_dot(idea.id, 1))
        return widgets.VBox([widgets.HTML(f"<p>{html.escape(idea.text)}</p>"),
                             widgets.HBox([minus, count, plus], layout=widgets.Layout(align_items="center"))],
                            layout=widgets.Layout(border_bottom="1px solid #ddd", padding="0.4em 0"))


class ParticipantApp:
    """One participant's screen. ``poll_seconds=None`` turns off the background refresh (tests call
    ``refresh()`` themselves). The stage views are built when first shown, so the join screen loads fast."""

    def __init__(self, workshop_dir: str | os.PathLike, poll_seconds: float | None = POLL_SECONDS):
        self.store = SessionStore(workshop_dir)
        self.promise = self.store.promise()
        self.me: Participant | None = None
        self.rate: RateView | None = None
        self.ideas: IdeasView | None = None
        self.vote: VoteView | None = None
        self._allocation: dict[str, int] = {}
        self._lock = threading.RLock()
        self._shown_view: tuple | None = None
        self._join_key = uuid.uuid4().hex

        self.memory = BrowserMemory(storage_key=self.store.state().code or "")
        self.message = widgets.HTML()
        self.title = widgets.HTML(f"<h2>{html.escape(self.promise.company or 'Promise Gap')}</h2>")
        self.who = widgets.HTML()
        wide_label = {"description_width": "initial"}
        self.code = widgets.Text(description="Session code", placeholder="on the facilitator's screen",
                                 style=wide_label, layout=WIDE)
        self.department = (widgets.Dropdown(options=self.promise.departments, value=None,
                                            description="Your department", style=wide_label, layout=WIDE)
                           if self.promise.departments else
                           widgets.Text(description="Your department", style=wide_label, layout=WIDE))
        self.display_name = widgets.Text(description="Your name", placeholder="leave empty to stay anonymous",
                                         style=wide_label, layout=WIDE)
        self.join_button = widgets.Button(description="Join", button_style="primary", layout=TOUCH)
        self.join_box = widgets.VBox([widgets.HTML("<p>Join the workshop: type the code shown on the screen.</p>"),
                                      self.code, self.department, self.display_name, self.join_button])
        self.waiting = widgets.HTML("<p>Thank you. The next step opens when the facilitator is ready.</p>")
        self.stage_box = widgets.VBox()
        self.widget = widgets.VBox([widgets.HTML(STYLE), self.memory, self.title, self.who, self.message,
                                    self.join_box, self.stage_box])
        self.widget.add_class("pg-app")

        self.join_button.on_click(lambda _b: self._guarded(self._on_join))
        self.memory.observe(lambda change: self._guarded(lambda: self.resume(change["new"])), names="token")

        if poll_seconds:
            threading.Thread(target=self._poll, args=(poll_seconds,), daemon=True, name="participant-poll").start()

    # -- what a participant does (tests call these too) ---------------------------------------------------

    def join(self, code: str, department: str, display_name: str = "") -> Participant:
        """Join the session; the browser remembers the participant so a reload rejoins them."""
        participant = self.store.join(code, department, display_name, key=self._join_key)
        self.memory.storage_key = self.store.state().code or ""
        self._become(participant)
        self._say(f"Welcome{', ' + participant.display_name if participant.display_name else ''}!", ok=True)
        return participant

    def resume(self, token: str) -> bool:
        """Rejoin as the participant behind a remembered token; forget a token this session does not know."""
        if not token or (self.me is not None and self.me.id == token):
            return self.me is not None
        try:
            participant = self.store.participant(token)
        except UnknownParticipant:
            self.memory.token = ""
            return False
        self._become(participant)
        return True

    def save_ratings(self) -> None:
        """Send every pillar's two sliders, and the promise sentence if one is written."""
        me, view = self._joined(), self._rate_view()
        for pillar_id, (today, customers) in view.sliders.items():
            self.store.rate(me.id, pillar_id, today.value, customers.value)
        if view.sentence.value.strip():
            self.store.give_promise_sentence(me.id, view.sentence.value)
        self._say("Saved. You can change your ratings until the facilitator closes this step.", ok=True)

    def propose(self, text: str, pillar: str, move: str, lever: str) -> str:
        """Propose an idea; the same idea sent twice (a double tap) is stored once."""
        me = self._joined()
        digest = hashlib.sha256("\x1f".join([me.id, text.strip(), pillar, move, lever]).encode()).hexdigest()
        idea_id = self.store.propose_idea(me.id, text, pillar, move, lever, key=f"idea-{digest[:40]}")
        self._ideas_view().show_mine(self.store.state(), me.id)
        return idea_id

    def add_dot(self, idea_id: str, change: int) -> None:
        """Put one more dot on an idea (``change=1``) or take one off (``-1``); stored at once."""
        me = self._joined()
        allocation = dict(self._allocation)
        allocation[idea_id] = max(0, allocation.get(idea_id, 0) + change)
        self.store.vote(me.id, allocation)
        self._allocation = {k: v for k, v in allocation.items() if v}
        state = self.store.state()
        self._vote_view().show(state.live_ideas(), self._allocation, state.dot_budget, rebuild=False)

    def refresh(self) -> None:
        """Show the stage the facilitator has open now (what the background poll calls every second)."""
        with self._lock:
            state = self.store.state()
            if self.me is None:
                self.memory.storage_key = state.code or ""
                return
            view = (state.stage, tuple(i.id for i in state.live_ideas()) if state.stage == "voting" else (),
                    state.dot_budget)
            if view != self._shown_view:
                self._shown_view = view
                self._show_stage(state)

    # -- screens ------------------------------------------------------------------------------------------

    def _become(self, participant: Participant) -> None:
        with self._lock:
            self.me = participant
            self.memory.token = participant.id
            self.join_box.layout.display = "none"
            self.who.value = (f"<p>You are <b>{html.escape(participant.label)}</b>, "
                              f"{html.escape(participant.department)}.</p>")
            self._shown_view = None
        self.refresh()

    def _show_stage(self, state: SessionState) -> None:
        if state.stage == "rating":
            shown = self._rate_view().widget
        elif state.stage == "ideas":
            shown = self._ideas_view().widget
        elif state.stage == "voting":
            live = state.live_ideas()
            live_ids = {idea.id for idea in live}
            self._allocation = {k: v for k, v in state.votes.get(self.me.id, {}).items() if k in live_ids}
            self._vote_view().show(live, self._allocation, state.dot_budget, rebuild=True)
            shown = self.vote.widget
        else:
            shown = self.waiting
        self.stage_box.children = (shown,)

    def _rate_view(self) -> RateView:
        if self.rate is None:
            self.rate = RateView(self.promise, self.store.state(), self._joined().id)
            self.rate.save_button.on_click(lambda _b: self._guarded(self.save_ratings))
        return self.rate

    def _ideas_view(self) -> IdeasView:
        if self.ideas is None:
            self.ideas = IdeasView(self.promise)
            self.ideas.propose_button.on_click(lambda _b: self._guarded(self._on_propose))
            self.ideas.show_mine(self.store.state(), self._joined().id)
        return self.ideas

    def _vote_view(self) -> VoteView:
        if self.vote is None:
            self.vote = VoteView(lambda idea_id, change: self._guarded(lambda: self.add_dot(idea_id, change)))
        return self.vote

    # -- wiring -------------------------------------------------------------------------------------------

    def _on_join(self) -> None:
        self.join(self.code.value, self.department.value or "", self.display_name.value)

    def _on_propose(self) -> None:
        view = self._ideas_view()
        self.propose(view.text.value, view.pillar.value, view.move.value, view.lever.value)
        view.text.value = ""
        self._say("Thank you: your idea is on the list.", ok=True)

    def _joined(self) -> Participant:
        if self.me is None:
            raise UnknownParticipant("You have not joined yet. Type the session code and press Join.")
        return self.me

    def _guarded(self, action: Callable[[], object]) -> None:
        """Run a callback; a refusal or a bug becomes a plain message on screen, never a traceback."""
        with self._lock:
            guarded(action, lambda text: self._say(text, ok=False), participant_text)

    def _say(self, text: str, ok: bool) -> None:
        css = "pg-message-ok" if ok else "pg-message-error"
        self.message.value = f'<p class="{css}">{html.escape(text)}</p>'

    def _poll(self, seconds: float) -> None:
        # A daemon thread: it ends with the participant's kernel, which Voila stops when the page closes.
        while True:
            time.sleep(seconds)
            self._guarded(self.refresh)
