"""How every panel runs a callback: a refusal or a bug becomes one plain sentence on screen, never a traceback.

A widget callback that raises shows a traceback in the notebook (or nothing at all in Voila, while the
button seems dead), and a background refresh thread that raises stops for good. Each panel therefore runs its
callbacks and refresh loops through ``guarded``, and decides only where and in what colour the sentence
goes; ``guarded_on`` is the common case, a panel's message line in the panels' red. This module holds no
workshop rule; the sentence is escaped wherever it becomes HTML.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from workshop.errors import WorkshopError


def problem_text(error: Exception) -> str:
    """What the room reads for an error raised in a callback: a ``WorkshopError`` says what is wrong and what
    to do in its own words; anything else is a bug, named so it can be reported, with nothing lost."""
    if isinstance(error, WorkshopError):
        return str(error)
    return f"Something went wrong ({type(error).__name__}: {error}). What you typed is kept; please report this."


def guarded(
    action: Callable[[], object], show: Callable[[str], None], text: Callable[[Exception], str] = problem_text
) -> bool:
    """Run ``action``; on any error pass ``text(error)`` (plain text, not yet escaped) to ``show`` instead of
    raising. Returns True when the action ran to the end."""
    try:
        action()
    except Exception as error:  # any error at all: a callback must never put a traceback on the room's screen
        show(text(error))
        return False
    return True


REFUSAL_COLOUR = "#a40000"


def guarded_on(message: Any, action: Callable[[], object], clear: bool = True) -> bool:
    """``guarded`` for a panel's message line (an ``ipywidgets.HTML``): emptied when ``action`` runs to the end
    (left as the action wrote it with ``clear=False``, for a panel that confirms there, "Saved as version 2"),
    else the sentence, escaped, in ``REFUSAL_COLOUR``. Returns True when the action ran to the end."""

    def show(text: str) -> None:
        message.value = f"<p style='color:{REFUSAL_COLOUR}'>{html.escape(text)}</p>"

    if guarded(action, show):
        if clear:
            message.value = ""
        return True
    return False
