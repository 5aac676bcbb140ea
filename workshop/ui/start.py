"""Step 0 panel: choose or create the workshop folder, and show the set-up check.

Folder rules live in ``workshop.folder``; checks in ``workshop.setup_check``. This panel only wires them.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from workshop.errors import WorkshopError
from workshop.folder import choose_workshop, current_workshop, list_workshops, new_workshop, sample_folder
from workshop.setup_check import Check, run_checks
from workshop.ui.draft import offer
from workshop.ui.guard import guarded

SAMPLE_LABEL = "the sample company"


class StartPanel:
    """Pick the workshop the other notebooks open, create a new one, and see what is missing."""

    def __init__(self) -> None:
        self.workshop_list = widgets.Dropdown(
            description="Workshop", style={"description_width": "8em"}, layout=widgets.Layout(width="40em")
        )
        self.open_button = widgets.Button(description="Use this workshop", button_style="primary", icon="check")
        self.new_name = widgets.Text(
            description="New workshop", placeholder="e.g. acme-2026-03", style={"description_width": "8em"}
        )
        self.new_source = widgets.Dropdown(description="starting from", style={"description_width": "8em"})
        self.create_button = widgets.Button(description="Create", icon="plus")
        self.message = widgets.HTML()
        self.checks = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.workshop_list, self.open_button]),
                widgets.HBox([self.new_name, self.new_source, self.create_button]),
                self.message,
                self.checks,
            ]
        )
        self.open_button.on_click(lambda _b: guarded(lambda: self.use(self.workshop_list.value), self._refused))
        self.create_button.on_click(
            lambda _b: guarded(lambda: self.create(self.new_name.value, self.new_source.value), self._refused)
        )
        self.refresh()

    @property
    def current(self) -> Path | None:
        try:
            return current_workshop()
        except WorkshopError:
            return None

    def refresh(self) -> None:
        folders = list_workshops()
        current = self.current
        options = [(f.name, f) for f in folders]
        if current is not None and current not in folders:
            options.insert(0, (str(current), current))
        self.workshop_list.options = options
        self.workshop_list.value = current if current is not None else (folders[0] if folders else None)
        offer(self.new_source, [(SAMPLE_LABEL, sample_folder())] + [(f"workshop {f.name}", f) for f in folders])
        self.checks.value = checks_html(run_checks(current))

    def use(self, folder: Path | None) -> None:
        if folder is None:
            self._say("Create a workshop first.", ok=False)
            return
        try:
            chosen = choose_workshop(folder)
        except WorkshopError as error:
            self._refused(str(error))
            return
        self.refresh()
        self._say(f"The notebooks now open <b>{html.escape(chosen.name)}</b>.", ok=True)

    def create(self, name: str, source: Path) -> Path | None:
        try:
            folder = new_workshop(name.strip(), source)
        except WorkshopError as error:
            self._refused(str(error))
            return None
        self.new_name.value = ""
        self.use(folder)
        return folder

    def _refused(self, text: str) -> None:
        self._say(html.escape(text), ok=False)

    def _say(self, message_html: str, ok: bool) -> None:
        colour = "#1b7837" if ok else "#b2182b"
        self.message.value = f'<div style="font-size:1.1em;color:{colour}">{message_html}</div>'


def checks_html(checks: list[Check]) -> str:
    """The set-up check as a table the room can read: a tick or a cross, and the fix where needed."""
    rows = "".join(
        f"<tr><td style='font-size:1.3em'>{'✅' if c.ok else '❌'}</td><td>{html.escape(c.what)}</td>"
        f"<td>{html.escape(c.detail)}</td><td><b>{html.escape(c.fix)}</b></td></tr>"
        for c in checks
    )
    missing = sum(not c.ok for c in checks)
    summary = "Everything is in place." if not missing else f"{missing} thing(s) to fix before the room arrives."
    return f"<h4>{summary}</h4><table>{rows}</table>"
