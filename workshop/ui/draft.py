"""The one rule every panel keeps: a panel never loses what a person typed (STYLE rule 11).

A panel fills its fields from the store and fills them again whenever it redraws: a slider that saves at once,
a reload of the room's ideas, a background refresh every second, a re-read of a file. Setting every field from
what is stored each time would lose whatever the person had typed and not yet saved. The rule, written once for
all panels:

- ``Draft``: the fields of a form the person fills in. A field they changed keeps their value through every
  redraw until they save it or discard it; only untouched fields follow the store.
- ``offer``: give a choice widget new options and keep what the person had chosen, when it is still offered
  (ipywidgets moves a Dropdown back to its first option whenever its options are set).
- ``shown_values`` and ``restore``: a view rebuilt with new widgets (a file read again) gives each new field
  the value its namesake showed before, wherever the new one can hold it.

Panels build their widgets once and change only values and options in place; what they must rebuild, they
rebuild through these two. This module holds no workshop rule.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
from traitlets import TraitError


class Draft:
    """The fields of one form, named, with the edits the person has made and not yet saved or discarded.

    The form shows one *subject* at a time (an action, a pillar); edits are kept per subject, so picking
    another subject and coming back finds them as typed. ``show`` is how the panel fills the form; while it
    runs, ``showing`` is True, so a field's own callback can tell the panel's change from the person's.
    """

    def __init__(self, fields: Mapping[str, widgets.ValueWidget]):
        self.fields = dict(fields)
        self.subject: Hashable | None = None
        self._edits: dict[Hashable, dict[str, Any]] = {}
        self._showing = False
        for name, field in self.fields.items():
            field.observe(lambda change, name=name: self._changed(name, change["new"]), names="value")

    @property
    def showing(self) -> bool:
        return self._showing

    def show(self, subject: Hashable, stored: Mapping[str, Any]) -> None:
        """Show ``subject``: each field holds the person's unsaved edit for it, else the ``stored`` value."""
        self.subject = subject
        kept = self._edits.get(subject, {})
        self._showing = True
        try:
            for name, field in self.fields.items():
                value = kept.get(name, stored[name])
                if field.value != value:
                    field.value = value
        finally:
            self._showing = False

    def edits(self, subject: Hashable | None = None) -> dict[str, Any]:
        """The unsaved edits of ``subject`` (the one shown by default), by field name."""
        return dict(self._edits.get(self.subject if subject is None else subject, {}))

    def saved(self, subject: Hashable, names: Iterable[str]) -> None:
        """These fields of ``subject`` are in the store now: they follow it again."""
        edits = self._edits.get(subject, {})
        for name in names:
            edits.pop(name, None)

    def discard(self, subject: Hashable | None = None) -> None:
        """Forget the person's edits of ``subject`` (the one shown by default); the next ``show`` shows the store."""
        self._edits.pop(self.subject if subject is None else subject, None)

    def _changed(self, name: str, value: Any) -> None:
        if not self._showing and self.subject is not None:
            self._edits.setdefault(self.subject, {})[name] = value


def offer(choice: widgets.ValueWidget, options: Sequence[Any]) -> None:
    """Set a Dropdown's (or Select's, SelectMultiple's) options in place, keeping the person's choice while it is
    still among them; nothing happens when the options are unchanged."""
    if list(choice.options) == list(options):
        return
    kept = choice.value
    choice.options = options
    offered = {option[1] if isinstance(option, tuple) else option for option in options}
    if isinstance(choice, widgets.SelectMultiple):
        choice.value = tuple(value for value in kept if value in offered)
    elif kept in offered:
        choice.value = kept


def shown_values(fields: Mapping[str, widgets.ValueWidget]) -> dict[str, Any]:
    """What each field shows now, by name: taken before a view is rebuilt, handed to ``restore`` after."""
    return {name: field.value for name, field in fields.items()}


def restore(fields: Mapping[str, widgets.ValueWidget], shown: Mapping[str, Any]) -> None:
    """Give each rebuilt field the value its namesake showed (``shown_values``), in the order of ``fields``. A
    value the new field cannot hold (a column no longer in the file) leaves the new field as it was built."""
    for name, field in fields.items():
        if name in shown:
            try:
                field.value = shown[name]
            except TraitError:
                continue
