"""Step 1 panel: the room edits the promise on the projector, and every change is saved to promise.yml.

The panel holds no rule of its own: validity is ``workshop.promise.validate``; saving is
``workshop.promise.save_promise``. An edit that would make the file invalid is kept on screen, not saved,
and the message says what to fix, so nothing typed is lost. The panel saves only over the promise.yml it read
or last saved itself: once another tab (step 3's goal posts, step 4's refresh) has saved, it refuses and says
to reload, keeping the edit on screen.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import ipywidgets as widgets

from workshop.errors import PromiseError
from workshop.promise import (
    PROMISE_FILE,
    Pillar,
    Promise,
    load_promise_and_stamp,
    new_pillar_id,
    save_promise,
    score_points,
)
from workshop.ui.fit import whole_button
from workshop.ui.guard import guarded
from workshop.ui.sliders import score_slider

LABEL_WIDTH = "12em"
"""Wide enough for the longest label ("Customers experience") at JupyterLab's font: no label is cut to "…"."""
LABEL = {"description_width": LABEL_WIDTH}


class ChoiceChips:
    """Pick any number of choices with toggle buttons; type a new one and press Enter to add it."""

    def __init__(self, label: str, on_change: Callable[[list[str]], None]):
        self._on_change = on_change
        self._buttons: dict[str, widgets.ToggleButton] = {}
        self._chips = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.new_choice = widgets.Text(
            placeholder=f"add another {label.lower().rstrip('s')}…",
            continuous_update=False,
            layout=widgets.Layout(width="16em"),
        )
        self.new_choice.observe(self._on_new_choice, names="value")
        self.widget = widgets.VBox([widgets.HTML(f"<b>{html.escape(label)}</b>"), self._chips, self.new_choice])

    @property
    def value(self) -> list[str]:
        return [choice for choice, button in self._buttons.items() if button.value]

    def show(self, choices: list[str], chosen: list[str]) -> None:
        """Offer ``choices`` (plus any chosen ones not among them) with ``chosen`` switched on, silently."""
        self._buttons = {}
        for choice in dict.fromkeys([*choices, *chosen]):
            button = widgets.ToggleButton(
                value=choice in chosen, description=choice, tooltip=choice, layout=widgets.Layout(width="auto")
            )
            button.observe(self._on_toggle, names="value")
            self._buttons[choice] = button
        self._chips.children = tuple(self._buttons.values())

    def toggle(self, choice: str, on: bool = True) -> None:
        """Switch a choice on or off, adding it when it is new (what a click or Enter does)."""
        if choice not in self._buttons:
            self.show(list(self._buttons), [*self.value, choice] if on else self.value)
            self._on_change(self.value)
        else:
            self._buttons[choice].value = on

    def _on_toggle(self, _change) -> None:
        self._on_change(self.value)

    def _on_new_choice(self, change) -> None:
        choice = change["new"].strip()
        if choice:
            self.toggle(choice)
            self.new_choice.value = ""


class PromiseEditor:
    """Edit the statement and the pillars of a workshop's promise; autosave each change.

    Tests (and facilitators at the keyboard) can drive it through its widgets or its methods:
    ``add_pillar``, ``select_pillar``, ``remove_pillar``, ``restore_last_removed``, ``move_pillar``.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path = self.folder / PROMISE_FILE
        self.promise, self._stamp = load_promise_and_stamp(self.path)
        self._last_removed: tuple[int, Pillar] | None = None
        self._loading = False

        self.company = widgets.Text(
            description="Company", continuous_update=False, style=LABEL, layout=widgets.Layout(width="100%")
        )
        self.statement = widgets.Textarea(
            description="Our promise",
            continuous_update=False,
            style=LABEL,
            placeholder="One sentence a customer would recognise…",
            layout=widgets.Layout(width="100%", height="5em"),
        )
        self.pillar_list = widgets.Select(
            description="Pillars", rows=7, style=LABEL, layout=widgets.Layout(width="30em")
        )
        self.new_pillar_name = widgets.Text(placeholder="name of a new pillar", continuous_update=False)
        self.add_button = whole_button("Add pillar", icon="plus", button_style="primary")
        self.up_button = whole_button("Up", icon="arrow-up")
        self.down_button = whole_button("Down", icon="arrow-down")
        self.remove_button = whole_button("Remove", icon="trash", button_style="danger")
        self.undo_button = whole_button("Undo remove", icon="undo", disabled=True)

        self.name = widgets.Text(
            description="Name", continuous_update=False, style=LABEL, layout=widgets.Layout(width="100%")
        )
        self.description = widgets.Textarea(
            description="Customers experience",
            continuous_update=False,
            style=LABEL,
            layout=widgets.Layout(width="100%", height="4em"),
        )
        self.target = score_slider("Target (promise)", LABEL_WIDTH, "34em")
        self.threshold = score_slider("Promise-able above", LABEL_WIDTH, "34em")
        self.claim = widgets.Textarea(
            description="Marketing claims",
            continuous_update=False,
            style=LABEL,
            layout=widgets.Layout(width="100%", height="3em"),
        )
        self.loudness = score_slider("How loudly", LABEL_WIDTH, "34em", step=1)
        self.owners = ChoiceChips("Owners (departments)", lambda value: self._set_field("owners", value))
        self.touchpoints = ChoiceChips("Touchpoints", lambda value: self._set_field("touchpoints", value))
        self.channels = ChoiceChips("Marketing channels", lambda value: self._set_field("channels", value))
        self.status = widgets.HTML()
        self.card = widgets.HTML()

        self.pillar_form = widgets.VBox(
            [
                self.name,
                self.description,
                self.target,
                self.threshold,
                self.owners.widget,
                self.touchpoints.widget,
                self.claim,
                self.loudness,
                self.channels.widget,
            ],
            layout=widgets.Layout(border="1px solid #bbb", padding="0.5em", width="100%"),
        )
        self.pillar_section = widgets.HBox(
            [
                self.pillar_list,
                widgets.VBox(
                    [
                        widgets.HBox([self.new_pillar_name, self.add_button]),
                        widgets.HBox([self.up_button, self.down_button, self.remove_button, self.undo_button]),
                    ]
                ),
            ]
        )
        # The status line starts at the top; each save moves it right under the field it saved (_place_status).
        self.widget = widgets.VBox(
            [self.status, self.company, self.statement, self.pillar_section, self.pillar_form, self.card]
        )

        self.company.observe(lambda c: self._set_promise_field("company", c["new"].strip()), names="value")
        self.statement.observe(lambda c: self._set_promise_field("statement", c["new"].strip()), names="value")
        self.pillar_list.observe(self._on_select, names="value")
        self.add_button.on_click(lambda _b: self.add_pillar(self.new_pillar_name.value))
        self.new_pillar_name.observe(self._on_new_pillar_name, names="value")
        self.up_button.on_click(lambda _b: self.move_pillar(self.selected_id, -1))
        self.down_button.on_click(lambda _b: self.move_pillar(self.selected_id, +1))
        self.remove_button.on_click(lambda _b: self.remove_pillar(self.selected_id))
        self.undo_button.on_click(lambda _b: self.restore_last_removed())
        for key in ("name", "description", "claim"):
            getattr(self, key).observe(lambda c, key=key: self._set_field(key, c["new"].strip()), names="value")
        for key in ("target", "threshold", "loudness"):
            getattr(self, key).observe(lambda c, key=key: self._set_field(key, score_points(c["new"])), names="value")

        self._show_promise()
        self.card.value = promise_card_html(self.promise)  # read aloud at the end of step 1, edited or not
        self._say(
            f"Editing {PROMISE_FILE} of the workshop folder {html.escape(self.folder.name)}. "
            "Every change is saved as you make it.",
            "info",
        )

    # --- what a facilitator does ------------------------------------------------------------------------

    @property
    def selected_id(self) -> str | None:
        return self.pillar_list.value

    @property
    def selected(self) -> Pillar | None:
        return self.promise.pillar(self.selected_id) if self.selected_id else None

    def select_pillar(self, pillar_id: str) -> None:
        self.pillar_list.value = pillar_id

    def add_pillar(self, name: str) -> str | None:
        name = name.strip()
        if not name:
            self._place_status(self.pillar_section)
            self._say("Type the new pillar's name first, e.g. <i>Fixed first time</i>.", "error")
            return None
        pillar = Pillar(id=new_pillar_id(name, self.promise.pillar_ids), name=name)
        self.promise.pillars.append(pillar)
        self.new_pillar_name.value = ""
        self._show_promise(select=pillar.id)
        self._save(self.pillar_section)
        return pillar.id

    def remove_pillar(self, pillar_id: str | None) -> None:
        if pillar_id is None:
            return
        index = self.promise.pillar_ids.index(pillar_id)
        self._last_removed = (index, self.promise.pillars.pop(index))
        remaining = self.promise.pillar_ids
        self._show_promise(select=remaining[min(index, len(remaining) - 1)] if remaining else None)
        self._save(self.pillar_section)

    def restore_last_removed(self) -> None:
        if self._last_removed is None:
            return
        index, pillar = self._last_removed
        self._last_removed = None
        self.promise.pillars.insert(index, pillar)
        self._show_promise(select=pillar.id)
        self._save(self.pillar_section)

    def move_pillar(self, pillar_id: str | None, offset: int) -> None:
        if pillar_id is None:
            return
        pillars = self.promise.pillars
        index = self.promise.pillar_ids.index(pillar_id)
        new_index = min(max(index + offset, 0), len(pillars) - 1)
        pillars.insert(new_index, pillars.pop(index))
        self._show_promise(select=pillar_id)
        self._save(self.pillar_section)

    # --- wiring -----------------------------------------------------------------------------------------

    def _on_select(self, _change) -> None:
        if not self._loading:
            self._show_pillar()

    def _on_new_pillar_name(self, change) -> None:
        if change["new"].strip():
            self.add_pillar(change["new"])

    def _set_promise_field(self, key: str, value: str) -> None:
        if self._loading:
            return
        setattr(self.promise, key, value)
        self._save(getattr(self, key))

    def _set_field(self, key: str, value) -> None:
        pillar = self.selected
        if self._loading or pillar is None:
            return
        setattr(pillar, key, value)
        if key == "target":
            self.threshold.max = value  # the promise-able line can never sit above the promise
        list_of_choices = {"owners": "departments", "touchpoints": "touchpoints", "channels": "channels"}
        if key in list_of_choices:
            offered = getattr(self.promise, list_of_choices[key])
            offered.extend(choice for choice in value if choice not in offered)
        if key == "name":
            self._show_pillar_list(select=pillar.id)
        chips = {"owners": self.owners, "touchpoints": self.touchpoints, "channels": self.channels}
        self._save(chips[key].widget if key in chips else getattr(self, key))

    def _show_promise(self, select: str | None = None) -> None:
        self._loading = True
        try:
            self.company.value = self.promise.company
            self.statement.value = self.promise.statement
        finally:
            self._loading = False
        ids = self.promise.pillar_ids
        self._show_pillar_list(select=select if select in ids else (ids[0] if ids else None))
        self._show_pillar()

    def _show_pillar_list(self, select: str | None) -> None:
        self._loading = True
        try:
            self.pillar_list.options = [
                (f"{i + 1}. {p.name or p.id}", p.id) for i, p in enumerate(self.promise.pillars)
            ]
            self.pillar_list.value = select
        finally:
            self._loading = False
        self.undo_button.disabled = self._last_removed is None

    def _show_pillar(self) -> None:
        pillar = self.selected
        self.pillar_form.layout.display = None if pillar else "none"
        if pillar is None:
            return
        self._loading = True
        try:
            self.name.value = pillar.name
            self.description.value = pillar.description
            self.target.value = pillar.target
            self.threshold.max = pillar.target
            self.threshold.value = pillar.threshold
            self.claim.value = pillar.claim
            self.loudness.value = pillar.loudness
            self.owners.show(self.promise.departments, pillar.owners)
            self.touchpoints.show(self.promise.touchpoints, pillar.touchpoints)
            self.channels.show(self.promise.channels, pillar.channels)
        finally:
            self._loading = False

    def _save(self, used: widgets.Widget) -> None:
        """Save the promise as it is on screen; the outcome shows right under ``used``, the field (or the pillar
        list) the person just changed, so a refusal is read where they are looking, not a screen further down."""
        self._place_status(used)
        guarded(self._write, lambda text: self._say(f"<b>Not saved</b>: {html.escape(text)}", "error"))

    def _place_status(self, used: widgets.Widget) -> None:
        for box in (self.widget, self.pillar_form):
            children = [child for child in box.children if child is not self.status]
            if used in children:
                children.insert(children.index(used) + 1, self.status)
            if tuple(children) != box.children:
                box.children = tuple(children)

    def _write(self) -> None:
        try:
            self._stamp = save_promise(self.promise, self.path, expected=self._stamp)
        except PromiseError as error:
            problems = "".join(f"<li>{html.escape(_short(p))}</li>" for p in error.problems)
            self._say(
                f"<b>Not saved yet</b>, your edits are kept here. Fix this and it saves:<ul>{problems}</ul>", "error"
            )
            return
        except OSError as error:  # a read-only folder, a full disk, a file held open by a sync client
            self._say(
                f"<b>Not saved</b>, your edits are kept here: {html.escape(str(error))}. Check that the "
                "workshop folder can be written to; the next change saves again.",
                "error",
            )
            return
        self.card.value = promise_card_html(self.promise)
        self._say(f"Saved at {datetime.now():%H:%M:%S}.", "ok")

    def _say(self, message_html: str, kind: str) -> None:
        colour = {"ok": "#1b7837", "error": "#b2182b", "info": "#333"}[kind]
        self.status.value = f'<div style="font-size:1.1em;color:{colour}">{message_html}</div>'


def _short(problem) -> str:
    """A problem as the room needs it: no file path (the panel says which file it edits)."""
    parts = [p for p in (problem.where, f"'{problem.field}'" if problem.field else "") if p]
    return f"{' '.join(parts)}: {problem.message}. {problem.fix}".strip()


def promise_card_html(promise: Promise) -> str:
    """The promise as the room reads it on the projector: statement, then each pillar and its goal posts."""
    rows = "".join(
        f"<li><b>{html.escape(p.name)}</b> — {html.escape(p.description)}"
        f"<br><small>target {p.target:g}/10 · promise-able above {p.threshold:g} · "
        f"owners: {html.escape(', '.join(p.owners) or 'nobody yet')}</small></li>"
        for p in promise.pillars
    )
    return (
        f'<div style="font-size:1.3em;line-height:1.4;border-left:6px solid #0072B2;padding:0.5em 1em">'
        f"<div style='font-size:1.2em'><i>“{html.escape(promise.statement or 'No statement yet')}”</i></div>"
        f"<ol>{rows}</ol></div>"
    )
