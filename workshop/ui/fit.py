"""How a panel keeps its words whole on a projector (JupyterLab at 1280×800): buttons as wide as their words, tab
titles and slider readouts never cut to "…", a date shown once as the kit writes it.

JupyterLab's widget styles give buttons, tabs and readouts fixed widths that cut longer words; a layout can
widen a button, but tabs, readouts and the date picker's text are reachable only by a stylesheet, so this module
holds those few overrides as one stylesheet a panel shows with itself. It holds no workshop rule.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

WHOLE_TABS = "promise-gap-whole-tabs"
"""A ``widgets.Tab`` with this class sizes each tab to its title."""
WIDE_READOUT = "promise-gap-wide-readout"
"""A slider with this class reads out words ("not rated yet"), not only numbers."""
ISO_DATE_ONLY = "promise-gap-iso-date"
"""A ``widgets.DatePicker`` with this class shows only its calendar button; the panel shows the date beside it
as YYYY-MM-DD, the way the kit writes it, instead of the browser's locale (mm/dd/yyyy on an American laptop)."""
STYLESHEET = f"""<style>
.widget-tab.{WHOLE_TABS} > .lm-TabBar .lm-TabBar-tab {{flex: 0 0 auto; max-width: none}}
.{WIDE_READOUT} .widget-readout {{max-width: none; min-width: 7.5em}}
.{ISO_DATE_ONLY} input[type=date]::-webkit-datetime-edit {{display: none}}
.{ISO_DATE_ONLY} input[type=date] {{flex: 0 0 2.5em}}
</style>"""


def stylesheet() -> widgets.HTML:
    """The overrides, as a widget that takes no room: show it in the panel's ``widget``."""
    return widgets.HTML(STYLESHEET, layout=widgets.Layout(display="none"))


def kept_whole() -> widgets.Layout:
    """The layout of a headline or button in a row: too narrow a row moves it to the next line, never cuts or
    breaks it."""
    return widgets.Layout(flex="0 0 auto", width="auto")


def whole_button(description: str, **settings: Any) -> widgets.Button:
    """A button as wide as its words, never cut to "Refresh the prom…"."""
    return widgets.Button(description=description, layout=kept_whole(), **settings)
