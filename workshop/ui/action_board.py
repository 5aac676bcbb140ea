"""The action board: the room's ideas per pillar, largest gap first, turned into owned, dated actions.

The facilitator types ideas in (the room's come from the live session), merges duplicates (their dots add
up), splits an idea that holds two, promotes ideas to an action and fills its owner, due date and success
measure, judges effort and impact on sliders (the impact–effort matrix follows in place), and carries out
'refresh the promise' actions (a new promise version; the old one is kept). Every decision is an event in
``session.sqlite`` written through ``workshop.session``; the board only reads the state back.

No rule lives here: the order of pillars and what is broken come from ``workshop.actions.pillar_standing``
(on ``workshop.gap`` metrics), the warnings from ``facilitator_warnings``, the matrix from
``workshop.action_charts``. Text typed by people is escaped before it becomes HTML; a refused input is shown
as a plain message, never a traceback. What the facilitator typed for an action stays on screen through every
redraw (a slider saving, a reload, another action picked and back) until it is saved or discarded: the edit
fields are a ``workshop.ui.draft.Draft``. Owners' departments are picked from the promise's list, or named.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from workshop.action_charts import impact_effort_matrix
from workshop.actions import (
    EFFORT_IMPACT_RANGE,
    LEVERS,
    MOVES,
    NOT_RATED,
    REFRESH_KINDS,
    STATUSES,
    Action,
    ActionError,
    FacilitatorWarning,
    PillarStanding,
    action_from_ideas,
    facilitator_warnings,
    pillar_standing,
    suggested_measure,
)
from workshop.cube import ScoreCube
from workshop.errors import Problem
from workshop.gap import Filter, GapMetrics, goal_posts_from_promise
from workshop.promise import Promise
from workshop.session import SessionStore, actions_of, author_label
from workshop.ui.draft import Draft, offer
from workshop.ui.figures import move_figure, projector_figure
from workshop.ui.fit import ISO_DATE_ONLY, WIDE_READOUT, stylesheet, whole_button
from workshop.ui.guard import guarded_on

WIDE = widgets.Layout(width="36em")
LABEL = {"description_width": "8em"}
"""Wide enough for the longest label on the board ("Promise-able", "Department") whole."""
UNRATED = 0
"""The sliders' left end, "not rated yet": the action's effort or impact is None until the room judges it."""
RATINGS = [(NOT_RATED, UNRATED)] + [(str(points), points) for points in EFFORT_IMPACT_RANGE]
NO_DEPARTMENT, OTHER_DEPARTMENT = "", "another department…"


class ActionBoard:
    """The board for one workshop folder. ``cube`` (the customers' feedback) orders the pillars by gap and
    finds the broken ones, on ``flt`` (the filters the room used; all responses by default)."""

    def __init__(self, workshop_dir: str | os.PathLike, cube: ScoreCube | None = None, flt: Filter = Filter()):
        self.folder = Path(workshop_dir)
        self.store = SessionStore(self.folder)
        self.metrics = GapMetrics(cube) if cube is not None else None
        self.filter = flt
        self.promise: Promise = self.store.promise()
        self.standing: list[PillarStanding] = []

        self.message = widgets.HTML()
        self.reload_button = whole_button("Reload ideas and votes", icon="refresh")
        self.ideas_html = widgets.HTML()
        self.warnings_html = widgets.HTML()

        self.idea_text = widgets.Text(description="Idea", placeholder="What would close the gap?", layout=WIDE)
        self.idea_pillar = widgets.Dropdown(description="Pillar")
        self.idea_move = widgets.Dropdown(description="Move", options=[(v, k) for k, v in MOVES.items()])
        self.idea_lever = widgets.Dropdown(description="Lever", options=[(v, k) for k, v in LEVERS.items()])
        self.add_button = whole_button("Add idea", icon="plus")

        self.merge_from = widgets.Dropdown(description="Merge", layout=WIDE)
        self.merge_into = widgets.Dropdown(description="into", layout=WIDE)
        self.merge_button = whole_button("Merge ideas")
        self.split_from = widgets.Dropdown(description="Split", layout=WIDE)
        self.split_keep = widgets.Text(description="Keep", placeholder="what the idea keeps", layout=WIDE)
        self.split_new = widgets.Text(description="New", placeholder="the second idea", layout=WIDE)
        self.split_button = whole_button("Split idea")

        self.promote_ideas = widgets.SelectMultiple(description="Ideas", layout=WIDE)
        self.promote_title = widgets.Text(description="Action", placeholder="(the idea's words)", layout=WIDE)
        self.promote_refresh = widgets.Dropdown(
            description="Refresh",
            options=[("(lift the experience)", None)] + [(v, k) for k, v in REFRESH_KINDS.items()],
        )
        self.promote_button = whole_button("Agree as action", button_style="primary")

        self.action_pick = widgets.Dropdown(description="Action", style=LABEL, layout=WIDE)
        self.owner_department = widgets.Dropdown(description="Department", style=LABEL)
        self.other_department = widgets.Text(
            description="Other", placeholder="the department's name", layout=widgets.Layout(display="none")
        )
        self.owner_name = widgets.Text(description="Owner")
        self.due = widgets.DatePicker(description="Due", style=LABEL, layout=widgets.Layout(width="auto"))
        self.due.add_class(ISO_DATE_ONLY)
        self.due_iso = widgets.HTML()
        self.measure = widgets.Textarea(
            description="Measure", rows=2, style=LABEL, layout=widgets.Layout(width="100%", max_width="60em")
        )
        self.status = widgets.Dropdown(description="Status", options=list(STATUSES))
        self.effort = widgets.SelectionSlider(description="Effort", options=RATINGS, continuous_update=False)
        self.impact = widgets.SelectionSlider(description="Impact", options=RATINGS, continuous_update=False)
        for slider in (self.effort, self.impact):
            slider.add_class(WIDE_READOUT)
        self.save_button = whole_button("Save action", button_style="success")
        self.discard_button = whole_button("Discard changes", icon="undo")

        self.refresh_name = widgets.Text(description="New name", style=LABEL, layout=WIDE)
        self.refresh_description = widgets.Textarea(description="New words", style=LABEL, layout=WIDE)
        self.refresh_target = widgets.BoundedFloatText(description="Target", min=0, max=10, step=0.5, style=LABEL)
        self.refresh_threshold = widgets.BoundedFloatText(
            description="Promise-able", min=0, max=10, step=0.5, style=LABEL
        )
        self.refresh_button = whole_button("Refresh the promise", button_style="warning")
        self.draft = Draft(
            {
                "owner_department": self.owner_department,
                "other_department": self.other_department,
                "owner_name": self.owner_name,
                "due": self.due,
                "measure": self.measure,
                "status": self.status,
                "effort": self.effort,
                "impact": self.impact,
                "name": self.refresh_name,
                "description": self.refresh_description,
                "target": self.refresh_target,
                "threshold": self.refresh_threshold,
            }
        )

        self._matrix_chart = impact_effort_matrix([], {})
        self.matrix = projector_figure(self._matrix_chart)

        self.reload_button.on_click(lambda _: self._guarded(self.refresh))
        self.add_button.on_click(lambda _: self._guarded(self._add_from_widgets))
        self.merge_button.on_click(
            lambda _: self._guarded(lambda: self.merge(self.merge_from.value, self.merge_into.value))
        )
        self.split_button.on_click(
            lambda _: self._guarded(
                lambda: self.split(self.split_from.value, self.split_keep.value, self.split_new.value)
            )
        )
        self.promote_button.on_click(lambda _: self._guarded(self._promote_from_widgets))
        self.save_button.on_click(lambda _: self._guarded(self._save_from_widgets))
        self.discard_button.on_click(lambda _: self._guarded(self.discard))
        self.refresh_button.on_click(lambda _: self._guarded(self._refresh_from_widgets))
        self.action_pick.observe(lambda _: self._show_action(), names="value")
        self.due.observe(self._due_changed, names="value")
        self.owner_department.observe(lambda _: self._show_other_department(), names="value")
        for slider in (self.effort, self.impact):
            slider.observe(
                lambda change: self._rated(change["owner"].description.lower(), change["new"]), names="value"
            )

        self.widget = widgets.VBox(
            [
                stylesheet(),
                self.message,
                self.warnings_html,
                self.reload_button,
                self.ideas_html,
                widgets.HTML("<h3>Add an idea</h3>"),
                widgets.HBox([self.idea_text, self.add_button]),
                widgets.HBox([self.idea_pillar, self.idea_move, self.idea_lever]),
                widgets.HTML("<h3>Merge or split</h3>"),
                widgets.HBox([self.merge_from, self.merge_into, self.merge_button]),
                widgets.HBox([self.split_from, self.split_button]),
                widgets.HBox([self.split_keep, self.split_new]),
                widgets.HTML("<h3>Agree an action</h3>"),
                self.promote_ideas,
                widgets.HBox([self.promote_title, self.promote_refresh, self.promote_button]),
                widgets.HTML("<h3>Owner, date and measure</h3>"),
                self.action_pick,
                widgets.HBox([self.owner_department, self.other_department, self.owner_name]),
                widgets.HBox([self.due, self.due_iso, self.status]),
                self.measure,
                widgets.HBox([self.effort, self.impact]),
                widgets.HBox([self.save_button, self.discard_button]),
                self.matrix,
                widgets.HTML("<h3>Refresh the promise (for a 'refresh the promise' action)</h3>"),
                widgets.HBox([self.refresh_name, self.refresh_target, self.refresh_threshold]),
                widgets.HBox([self.refresh_description, self.refresh_button]),
            ]
        )
        self.refresh()

    # -- what tests and callbacks call ----------------------------------------------------------------------

    def type_idea(self, text: str, pillar: str, move: str = "lift_experience", lever: str = "process") -> str:
        """Add an idea for the room (the facilitator is not a participant); returns its id."""
        idea_id = self.store.type_idea(text, pillar, move, lever)
        self.refresh()
        return idea_id

    def merge(self, idea_id: str, into: str) -> None:
        """Fold a duplicate into another idea: its dots count for ``into``."""
        self.store.merge_ideas(idea_id, into)
        self.refresh()

    def split(self, idea_id: str, keep_text: str, new_text: str) -> str:
        """Split an idea in two; the dots stay with the original. Returns the new idea's id."""
        new_id = self.store.split_idea(idea_id, keep_text, new_text)
        self.refresh()
        return new_id

    def promote(self, idea_ids: Sequence[str], title: str = "", refresh_kind: str | None = None, **fields: Any) -> str:
        """Agree an action from ideas (the first one gives the pillar, move, lever and, by default, the title);
        ``refresh_kind`` makes it a 'refresh the promise' action. The pillar's gap now is kept with it; other
        ``fields`` (owner_department, owner_name, due, measure, effort, impact) may be given at once."""
        state = self.store.state()
        known = [state.ideas[state.resolve(i)] for i in idea_ids if i in state.ideas]
        first = known[0] if known else None
        gaps = {s.pillar_id: s.gap for s in self.standing}
        gap = gaps.get(first.pillar) if first else None
        action = action_from_ideas(first, idea_ids, title, refresh_kind, gap, **fields)
        action_id = self.store.agree_action(action)
        self.refresh()
        self.action_pick.value = action_id
        return action_id

    def update(self, action_id: str, **changes: Any) -> Action:
        """Change an agreed action (owner, due, measure, effort, impact, status...). Fields typed on the board and
        not among ``changes`` keep what was typed."""
        action = self.store.update_action(action_id, **changes)
        self.draft.saved(action_id, changes)
        self.refresh()
        return action

    def discard(self) -> None:
        """Put the picked action's fields back as stored, forgetting what was typed and not saved."""
        self.draft.discard()
        self._show_action()

    def refresh_promise(self, action_id: str, **changes: Any) -> Promise:
        """Carry out a 'refresh the promise' action (e.g. ``target=8`` for lower_target, ``name=...`` for a
        reword): saves the next promise version, keeps the old one, and records it."""
        promise = self.store.refresh_promise(action_id, **changes)
        self.draft.saved(action_id, ("name", "description", "target", "threshold"))
        self.refresh()
        return promise

    def actions(self) -> list[Action]:
        """The agreed actions with their votes, in the order agreed."""
        return actions_of(self.store.state())

    def warnings(self) -> list[FacilitatorWarning]:
        names = {p.id: p.name for p in self.promise.pillars}
        return facilitator_warnings(self.actions(), names, [s.pillar_id for s in self.standing if s.broken])

    def refresh(self) -> None:
        """Re-read the session (and the promise, which a refresh may have changed) and redraw the board."""
        self.promise = self.store.promise()
        table = None
        if self.metrics is not None:
            table = self.metrics.table(self.filter, "pillar", goal_posts_from_promise(self.promise))
        self.standing = pillar_standing(self.promise, table)
        state = self.store.state()
        actions = actions_of(state)
        self._show_ideas(state)
        self._show_options(state, actions)
        self.warnings_html.value = _warnings_html(self.warnings())
        self._show_action()
        self._redraw_matrix(actions)

    # -- drawing --------------------------------------------------------------------------------------------

    def _show_ideas(self, state) -> None:
        totals = state.vote_totals()
        ranked = state.ideas_by_dots()
        parts = []
        for standing in self.standing:
            ideas = [i for i in ranked if i.pillar == standing.pillar_id]
            gap = "no gap measured" if standing.gap is None else f"gap {standing.gap:.1f} points"
            status = f", {standing.status}" if standing.status else ""
            items = "".join(
                f"<li><b>{totals[i.id]} ●</b> #{i.number} {html.escape(i.text)} "
                f"<small>({html.escape(MOVES[i.move])}, {html.escape(LEVERS[i.lever])}, "
                f"{html.escape(author_label(state, i))})</small></li>"
                for i in ideas
            )
            parts.append(
                f"<h4>{html.escape(standing.name)} <small>({gap}{status})</small></h4>"
                + (f"<ul>{items}</ul>" if items else "<p><i>No ideas yet.</i></p>")
            )
        self.ideas_html.value = "\n".join(parts)

    def _show_options(self, state, actions: list[Action]) -> None:
        pillars = [(s.name, s.pillar_id) for s in self.standing]
        ideas = [(f"#{i.number} {i.text[:60]}", i.id) for i in state.live_ideas()]
        for choice, options in (
            (self.idea_pillar, pillars),
            (self.merge_from, ideas),
            (self.merge_into, ideas),
            (self.split_from, ideas),
            (self.promote_ideas, ideas),
            (self.action_pick, [(f"{n}. {a.title[:60]}", a.id) for n, a in enumerate(actions, 1)]),
            (self.owner_department, self._departments()),
        ):
            offer(choice, options)

    def _departments(self) -> list[tuple[str, str]]:
        """The promise's departments to choose an owner from, and a way to name another one."""
        return (
            [("(choose)", NO_DEPARTMENT)]
            + [(d, d) for d in self.promise.departments]
            + [(OTHER_DEPARTMENT, OTHER_DEPARTMENT)]
        )

    def _show_action(self) -> None:
        """Fill the edit widgets from the picked action, keeping whatever was typed there and not yet saved."""
        action = self._picked()
        if action is None:
            return
        pillar = self.promise.pillar(action.pillar_id)
        listed = action.owner_department in self.promise.departments or not action.owner_department
        self.draft.show(
            action.id,
            {
                "owner_department": action.owner_department if listed else OTHER_DEPARTMENT,
                "other_department": "" if listed else action.owner_department,
                "owner_name": action.owner_name,
                "due": action.due,
                "measure": action.measure or self._suggestion(action, action.due),
                "status": action.status,
                "effort": action.effort or UNRATED,
                "impact": action.impact or UNRATED,
                "name": pillar.name,
                "description": pillar.description,
                "target": pillar.target,
                "threshold": pillar.threshold,
            },
        )
        self._show_due_iso()

    def _show_other_department(self) -> None:
        self.other_department.layout.display = None if self.owner_department.value == OTHER_DEPARTMENT else "none"

    def _show_due_iso(self) -> None:
        due = self.due.value
        self.due_iso.value = f"<b>{due.isoformat()}</b>" if due else "<i>no due date yet</i>"

    def _typed_department(self) -> str:
        chosen = self.owner_department.value
        return self.other_department.value.strip() if chosen == OTHER_DEPARTMENT else chosen

    def _redraw_matrix(self, actions: list[Action]) -> None:
        chart = impact_effort_matrix(actions, {p.id: p.name for p in self.promise.pillars})
        with self.matrix.batch_update():
            move_figure(self.matrix, chart, self._matrix_chart)
        self._matrix_chart = chart

    # -- callbacks --------------------------------------------------------------------------------------------

    def _picked(self) -> Action | None:
        return next((a for a in self.actions() if a.id == self.action_pick.value), None)

    def _suggestion(self, action: Action, due: date | None) -> str:
        pillar = self.promise.pillar(action.pillar_id)
        return suggested_measure(pillar.name, pillar.threshold, due)

    def _due_changed(self, change: dict) -> None:
        """Keep the suggested measure's date in step with the due date, unless the facilitator rewrote it."""
        self._show_due_iso()
        action = self._picked()
        if action is not None and self.measure.value in ("", self._suggestion(action, change["old"])):
            self.measure.value = self._suggestion(action, change["new"])

    def _add_from_widgets(self) -> None:
        self.type_idea(self.idea_text.value, self.idea_pillar.value, self.idea_move.value, self.idea_lever.value)
        self.idea_text.value = ""

    def _promote_from_widgets(self) -> None:
        self.promote(list(self.promote_ideas.value), self.promote_title.value, self.promote_refresh.value)
        self.promote_title.value = ""

    def _save_from_widgets(self) -> None:
        self.update(
            self.action_pick.value,
            owner_department=self._typed_department(),
            owner_name=self.owner_name.value.strip(),
            due=self.due.value,
            measure=self.measure.value,
            status=self.status.value,
            effort=self.effort.value or None,
            impact=self.impact.value or None,
        )
        self.draft.saved(self.action_pick.value, ("other_department",))  # saved as the owner_department

    def _refresh_from_widgets(self) -> None:
        action = self._picked()
        if action is None:
            raise ActionError(
                [
                    Problem(
                        None,
                        "Refresh the promise",
                        "Action",
                        "no action is picked",
                        "Pick a 'refresh the promise' action under 'Owner, date and measure' first.",
                    )
                ]
            )
        pillar = self.promise.pillar(action.pillar_id)
        typed = {
            "name": self.refresh_name.value.strip(),
            "description": self.refresh_description.value.strip(),
            "target": self.refresh_target.value,
            "threshold": self.refresh_threshold.value,
        }
        self.refresh_promise(action.id, **{k: v for k, v in typed.items() if v != getattr(pillar, k)})

    def _rated(self, kind: str, points: int) -> None:
        """The room judged effort or impact: saved at once (the matrix follows), the other fields kept as typed.
        A move the board made itself while showing an action is no judgement."""
        if not self.draft.showing and self.action_pick.value is not None:
            self._guarded(lambda: self.update(self.action_pick.value, **{kind: points or None}))

    def _guarded(self, action: Callable[[], Any]) -> None:
        guarded_on(self.message, action)


def _warnings_html(warnings: list[FacilitatorWarning]) -> str:
    if not warnings:
        return "<p>No warnings: every broken pillar has an owned, dated action.</p>"
    items = "".join(f"<li>{html.escape(w.message)}</li>" for w in warnings)
    return f"<div style='color:#8a4b00'><b>Before the room leaves:</b><ul>{items}</ul></div>"
