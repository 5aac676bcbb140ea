"""The room's own ratings, entered on the facilitator's screen when there is no live session.

One entry is one department's view: for each pillar, "how well do we deliver this today?" and "how would
customers rate it?", both 0–10. The form only collects; checking and comparing live in ``workshop.gap``.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets
import pandas as pd

from workshop.gap import INTERNAL_COLUMNS
from workshop.promise import Promise
from workshop.ui.sliders import score_slider


class RatingsForm:
    """Department plus two sliders per pillar; "add" hands the entry, as rows of ``INTERNAL_COLUMNS``, to
    ``on_add``."""

    def __init__(self, promise: Promise, on_add: Callable[[pd.DataFrame], None]):
        self._on_add = on_add
        self._entries = 0
        self.department = widgets.Combobox(
            options=tuple(promise.departments), placeholder="department", description="Department", ensure_option=False
        )
        self.sliders: dict[str, tuple[widgets.FloatSlider, widgets.FloatSlider]] = {}
        rows = []
        for pillar in promise.pillars:
            today = score_slider("we deliver it today", "14em", "34em", value=5)
            customers = score_slider("customers would rate it", "14em", "34em", value=5)
            self.sliders[pillar.id] = (today, customers)
            rows.append(widgets.VBox([widgets.HTML(f"<b>{html.escape(pillar.name)}</b>"), today, customers]))
        self.add_button = widgets.Button(description="Add", icon="plus", button_style="primary")
        self.message = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HTML("<h3>How does the room rate itself?</h3>"),
                self.department,
                *rows,
                widgets.HBox([self.add_button, self.message]),
            ]
        )
        self.add_button.on_click(lambda _button: self.add())

    def add(self) -> pd.DataFrame | None:
        """Hand the current entry to ``on_add``; returns its rows, or None when no department is given."""
        department = self.department.value.strip()
        if not department:
            self.message.value = "Name the department first."
            return None
        self._entries += 1
        participant = f"{department} (form entry {self._entries})"
        rows = pd.DataFrame(
            [
                (participant, department, pillar_id, today.value, customers.value)
                for pillar_id, (today, customers) in self.sliders.items()
            ],
            columns=list(INTERNAL_COLUMNS),
        )
        self._on_add(rows)
        self.message.value = f"Added {html.escape(department)}'s view."
        return rows
