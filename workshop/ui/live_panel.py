"""The facilitator's live panel: who has joined, which stage is open, and the room's answers as they arrive.

It reads the same session store the participant server writes, refreshing on its own every
``REFRESH_SECONDS`` (a background thread that reads only the events it has not shown, redraws only the views
they change, and only updates widget values and figure traces), and writes the facilitator's
decisions (open a stage, close it, reveal results, anonymity, dot budget, merge ideas) as events through
``workshop.session``. The room's ratings and votes stay hidden until the facilitator reveals them, so
nobody anchors on the room; before that the panel shows only how many answers are in.

Participant text (names, ideas, promise sentences) is untrusted: every piece is escaped before it becomes
HTML or hover text. No business rule lives here; counts and totals come from ``SessionState``.
"""

from __future__ import annotations

import html
import math
import os
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path

import ipywidgets as widgets

from workshop import charts, gap
from workshop.actions import LEVERS, MOVES
from workshop.cube import ScoreCube
from workshop.live import join_qr, read_join_url
from workshop.promise import Promise
from workshop.session import MAX_DOT_BUDGET, STAGES, SessionState, SessionStore, room_ratings
from workshop.ui.draft import offer
from workshop.ui.figures import move_figure, projector_figure
from workshop.ui.guard import guarded_on

REFRESH_SECONDS = 0.2
"""A participant's tap reaches the projector within a second (issue 13's budget) even on a laptop whose CPU is
busy: a refresh with nothing new costs one indexed read of the store, so polling often is cheap, and the wait
for the next poll (up to this long) is most of the latency."""


class LivePanel:
    """Stage control, join card and live charts. ``customers`` maps pillar id -> customers' mean score
    (0–10), shown next to the room once results are revealed; or give ``cube`` (the customers' feedback) and
    the panel asks ``workshop.gap`` for those means over all responses. ``refresh_seconds=None`` turns off the
    background refresh (tests call ``refresh()``)."""

    def __init__(
        self,
        workshop_dir: str | os.PathLike,
        customers: Mapping[str, float] | None = None,
        refresh_seconds: float | None = REFRESH_SECONDS,
        join_url: str | None = None,
        cube: ScoreCube | None = None,
    ):
        self.folder = Path(workshop_dir)
        self.store = SessionStore(self.folder)
        self.promise = self.store.promise()
        self.customers = _answered(customers or {}) if cube is None else _customer_means(cube, self.promise)
        self._shown_event_id = -1
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._syncing = False  # True while controls are set from the store, so that is not taken as a click

        self.join_card = widgets.HTML()
        self.joined = widgets.HTML()
        self.status = widgets.HTML()
        self.message = widgets.HTML()
        self.store_problem = widgets.HTML()  # the background refresh's, cleared by the next read that works
        self.stage_buttons = {
            stage: widgets.Button(description=f"Open: {label}", layout=widgets.Layout(width="auto"))
            for stage, label in STAGES.items()
        }
        self.close_button = widgets.Button(description="Close stage", button_style="warning")
        self.reveal = widgets.ToggleButton(description="Reveal results", icon="eye")
        self.show_names = widgets.Checkbox(description="Show participants' names", indent=False)
        self.dot_budget = widgets.BoundedIntText(
            min=1, max=MAX_DOT_BUDGET, description="Dots each", layout=widgets.Layout(width="10em")
        )
        self.merge_from = widgets.Dropdown(description="Merge idea", layout=widgets.Layout(width="22em"))
        self.merge_into = widgets.Dropdown(description="into", layout=widgets.Layout(width="22em"))
        self.merge_button = widgets.Button(description="Merge")
        self.ideas_list = widgets.HTML()
        self.sentences = widgets.HTML()

        # Made from the session as it is, so the first state the browser gets already shows it (ui.figures).
        first = self.store.state()
        self._charts = list(self._room_charts(first, _ROOM_VIEWS))
        self._shown_inputs: list[object] = self._inputs(first)
        self.ratings_figure, self.gap_figure, self.votes_figure = (projector_figure(chart) for chart in self._charts)
        self._figures = (self.ratings_figure, self.gap_figure, self.votes_figure)

        self.widget = widgets.VBox(
            [
                widgets.HBox([self.join_card, widgets.VBox([self.joined, self.status])]),
                widgets.HBox([*self.stage_buttons.values(), self.close_button, self.reveal]),
                widgets.HBox([self.show_names, self.dot_budget]),
                self.message,
                self.store_problem,
                self.ratings_figure,
                self.gap_figure,
                self.sentences,
                self.ideas_list,
                widgets.HBox([self.merge_from, self.merge_into, self.merge_button]),
                self.votes_figure,
            ]
        )

        for stage, button in self.stage_buttons.items():
            button.on_click(lambda _b, stage=stage: self._guarded(lambda: self.open_stage(stage)))
        self.close_button.on_click(lambda _b: self._guarded(self.close_stage))
        self.merge_button.on_click(
            lambda _b: self._guarded(lambda: self.merge(self.merge_from.value, self.merge_into.value))
        )
        self.reveal.observe(lambda c: self._clicked(lambda: self.reveal_results(c["new"])), names="value")
        self.show_names.observe(lambda c: self._clicked(lambda: self.set_anonymity(not c["new"])), names="value")
        self.dot_budget.observe(lambda c: self._clicked(lambda: self.set_dot_budget(c["new"])), names="value")

        self._join_url = join_url  # None: follow the join URL the latest `workshop serve` wrote
        self._shown_card: tuple[str | None, str | None] | None = None
        self.refresh()
        if refresh_seconds:
            threading.Thread(
                target=self._refresh_loop, args=(refresh_seconds,), daemon=True, name="live-panel-refresh"
            ).start()

    # -- the Python API (what the buttons call, and what tests read) --------------------------------------

    def state(self) -> SessionState:
        """The session as the panel last showed it, brought up to date first."""
        self.refresh()
        return self.store.state()

    def open_stage(self, stage: str) -> None:
        self.store.open_stage(stage)
        self.refresh()

    def close_stage(self) -> None:
        self.store.close_stage()
        self.refresh()

    def reveal_results(self, revealed: bool = True) -> None:
        self.store.reveal_results(revealed)
        self.refresh()

    def set_anonymity(self, anonymous: bool) -> None:
        self.store.set_anonymity(anonymous)
        self.refresh()

    def set_dot_budget(self, dots: int) -> None:
        self.store.set_dot_budget(dots)
        self.refresh()

    def merge(self, idea_id: str, into: str) -> None:
        self.store.merge_ideas(idea_id, into)
        self.refresh()

    def set_customers(self, customers: Mapping[str, float]) -> None:
        """The customers' mean score per pillar id (0–10), e.g. from the gap metrics of step 3."""
        with self._lock:
            self.customers = _answered(customers)
            self._shown_event_id = -1
            self._shown_inputs = [None] * len(_ROOM_VIEWS)
        self.refresh()

    def stop(self) -> None:
        """Stop the background refresh (the kernel's end stops it too)."""
        self._stop.set()

    def _show_join_card(self, join_url: str | None, code: str | None) -> None:
        """The URL, the session code and a QR code, big enough to read from the back of the room."""
        self._shown_card = (join_url, code)
        code = html.escape(code or "not started")
        if not join_url:
            self.join_card.value = (
                f"<div style='font-size:1.4em'>Session code <b>{code}</b><br>"
                "Start the participant server in a terminal: <code>workshop serve</code></div>"
            )
            return
        qr = join_qr(join_url).svg_inline(scale=9, border=2)
        self.join_card.value = (
            f"<div style='font-size:2em; line-height:1.4'>{qr}<br>"
            f"<b>{html.escape(join_url)}</b><br>Session code <b>{code}</b></div>"
        )

    # -- refreshing ---------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Bring every view up to date with the store; does nothing when no event arrived since last time."""
        with self._lock:
            state = self.store.state()
            # `workshop serve` may start after this panel: the card follows the URL it writes and the code it sets.
            card = (self._join_url or read_join_url(self.folder), state.code)
            if card != self._shown_card:
                self._show_join_card(*card)
            if state.last_event_id == self._shown_event_id:
                return
            self._show_controls(state)
            self._show_charts(state)
            self._show_ideas(state)
            self._shown_event_id = state.last_event_id

    @property
    def shown_event_id(self) -> int:
        """The last event the views show (-1 before the first refresh): what a latency measurement reads."""
        return self._shown_event_id

    def _show_controls(self, state: SessionState) -> None:
        people = state.participants.values()
        by_department = ", ".join(f"{html.escape(d)} {n}" for d, n in state.departments().items())
        names = "" if state.anonymous else "<br><small>" + ", ".join(html.escape(p.label) for p in people) + "</small>"
        self.joined.value = (
            f"<div style='font-size:1.6em'><b>{len(state.participants)}</b> joined</div>"
            f"<div>{by_department}</div>{names}"
        )
        stage = STAGES.get(state.stage or "", "nothing open")
        shown = "results revealed" if state.revealed else "results hidden"
        self.status.value = f"<div style='font-size:1.3em'>Open now: <b>{stage}</b> · {shown}</div>"
        for key, button in self.stage_buttons.items():
            button.button_style = "success" if state.stage == key else ""
        self._syncing = True
        try:
            self.reveal.value, self.show_names.value = state.revealed, not state.anonymous
            self.dot_budget.value = state.dot_budget
        finally:
            self._syncing = False

    def _inputs(self, state: SessionState) -> list[object]:
        """What each room view shows, compared to skip the views an event does not change: until results are
        revealed the charts show only how many people answered (and the ideas' numbers), so a rating changes
        nothing on screen unless it is someone's first."""
        if not state.revealed:
            raters = len({who for who, _pillar in state.ratings})
            return [("hidden", raters), ("hidden",), ("hidden", len(state.votes), tuple(state.live_ideas()))]
        names = None if state.anonymous else tuple(p.label for p in state.participants.values())
        room = ("revealed", tuple(state.ratings.items()), names)
        return [
            room,
            (room, tuple(self.customers.items())),
            ("revealed", tuple(state.ideas.items()), tuple(sorted(state.vote_totals().items()))),
        ]

    def _room_charts(self, state: SessionState, views: Collection[str]) -> Iterator[charts.Chart]:
        """The charts of ``views`` (of ``_ROOM_VIEWS``, in that order) as ``state`` has them."""
        names = {p.id: p.name for p in self.promise.pillars}
        if "ratings" in views or "gap" in views:
            ratings = room_ratings(state)
            if not state.anonymous:
                ratings["participant"] = [state.participants[who].label for who, _pillar in state.ratings]
        if "ratings" in views:
            yield charts.room_ratings(ratings, names, state.revealed)
        if "gap" in views:
            yield charts.room_next_to_customers(gap.room_means(ratings, names), self.customers, names, state.revealed)
        if "votes" in views:
            totals = state.vote_totals()
            ordered = state.ideas_by_dots()
            yield charts.dots_per_idea(
                [idea.number for idea in ordered],
                [idea.text for idea in ordered],
                [totals[idea.id] for idea in ordered],
                len(state.votes),
                state.revealed,
            )

    def _show_charts(self, state: SessionState) -> None:
        inputs = self._inputs(state)
        changed = [index for index, shown in enumerate(self._shown_inputs) if shown != inputs[index]]
        for index, chart in zip(changed, self._room_charts(state, [_ROOM_VIEWS[i] for i in changed]), strict=True):
            move_figure(self._figures[index], chart, self._charts[index])
            self._charts[index], self._shown_inputs[index] = chart, inputs[index]
        sentences = "".join(f"<li>{html.escape(text)}</li>" for text in state.sentences.values())
        sentences = (
            f"<b>Our promise in a sentence, as the room puts it</b><ul>{sentences}</ul>"
            if state.revealed and sentences
            else ""
        )
        if self.sentences.value != sentences:
            self.sentences.value = sentences

    def _show_ideas(self, state: SessionState) -> None:
        live = state.live_ideas()
        names = {p.id: p.name for p in self.promise.pillars}
        rows = "".join(
            f"<tr><td>#{idea.number}</td><td>{html.escape(idea.text)}</td>"
            f"<td>{html.escape(names.get(idea.pillar, idea.pillar))}</td><td>{MOVES[idea.move]}</td>"
            f"<td>{LEVERS[idea.lever]}</td><td>{html.escape(idea.department)}</td></tr>"
            for idea in live
        )
        self.ideas_list.value = (
            f"<b>{len(live)} ideas</b><table style='width:100%'><tr><th></th><th>Idea</th>"
            f"<th>Pillar</th><th>Move</th><th>Lever</th><th>From</th></tr>{rows}</table>"
        )
        options = [(f"#{idea.number} {idea.text[:40]}", idea.id) for idea in live]
        offer(self.merge_from, options)
        offer(self.merge_into, options)

    def _refresh_loop(self, seconds: float) -> None:
        while not self._stop.wait(seconds):
            # A busy or broken session file must not end the loop: the next poll tries again.
            guarded_on(self.store_problem, self.refresh)

    def _clicked(self, action: Callable[[], None]) -> None:
        """A control the refresh also sets: act only when the facilitator changed it."""
        with self._lock:
            if not self._syncing:
                self._guarded(action)
                self._shown_event_id = -1  # a refused change must snap the control back to the store's value
                guarded_on(self.store_problem, self.refresh)  # not self.message: that holds the refusal

    def _guarded(self, action: Callable[[], None]) -> None:
        """Run a callback; a refusal or a bug becomes a plain message, never a traceback."""
        with self._lock:
            guarded_on(self.message, action)


_ROOM_VIEWS = ("ratings", "gap", "votes")
"""The panel's figures, in the order they are shown."""


def _customer_means(cube: ScoreCube, promise: Promise) -> dict[str, float]:
    table = gap.GapMetrics(cube).table(gap.Filter(), "pillar", gap.goal_posts_from_promise(promise))
    return _answered(dict(zip(table["pillar"], table["mean"], strict=True)))


def _answered(customers: Mapping[str, float]) -> dict[str, float]:
    """The means that have answers behind them: a pillar no customer scored (NaN) is left out, so its bar is
    simply absent, rather than a NaN the kernel cannot send to the figure."""
    return {pillar_id: float(mean) for pillar_id, mean in customers.items() if mean is not None and math.isfinite(mean)}
