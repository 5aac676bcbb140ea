"""Step 2 panel: the advocate call log, a small form that records a phone call with an advocate.

One call is one feedback row marked ``source = call`` (``workshop.feedback.calls``): the touchpoint talked
about, the segment if known, a 0–10 score per pillar asked about ("not asked" otherwise, never 0), the
would-recommend answer if asked, a note and who called. The panel holds no rule: checking and storing the
call is ``workshop.feedback.calls.log_call``. A refused call keeps everything typed and says what to fix;
a panel whose log another tab wrote to since it opened refuses too, and says to reload.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from workshop.errors import WorkshopError
from workshop.feedback.calls import CALLS_FILE, NOTE_MAX_CHARS, AdvocateCall, calls_path, load_calls, log_call
from workshop.files import stamp_of
from workshop.promise import Promise, load_promise
from workshop.ui.guard import guarded

NOT_ASKED = "not asked"
POINTS = [(NOT_ASKED, None)] + [(str(points), points) for points in range(11)]
RED, GREEN = "#b2182b", "#1b7837"


class CallLogPanel:
    """Record calls with advocates into the workshop folder's ``advocate_calls.csv``.

    Tests set the widgets (``touchpoint``, ``segment``, ``scores[pillar_id]``, ``recommend``, ``note``,
    ``caller``) and call ``log``; ``calls_logged`` counts the calls in the file.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.promise: Promise = load_promise(self.folder)
        self._calls_stamp = stamp_of(calls_path(self.folder))
        style = {"description_width": "14em"}
        layout = widgets.Layout(width="26em")
        self.touchpoint = widgets.Dropdown(
            description="Touchpoint talked about",
            options=[("choose…", "")] + [(t, t) for t in self.promise.touchpoints],
            style=style,
            layout=layout,
        )
        self.segment = widgets.Text(description="Segment (optional)", style=style, layout=layout)
        self.scores = {
            p.id: widgets.Dropdown(description=p.name or p.id, options=POINTS, value=None, style=style, layout=layout)
            for p in self.promise.pillars
        }
        self.recommend = widgets.Dropdown(
            description="Would recommend (0–10)", options=POINTS, value=None, style=style, layout=layout
        )
        self.note = widgets.Textarea(
            description="What they said",
            placeholder=f"up to {NOTE_MAX_CHARS} characters",
            style=style,
            layout=widgets.Layout(width="40em", height="7em"),
        )
        self.caller = widgets.Text(description="Who called", style=style, layout=layout)
        self.log_button = widgets.Button(description="Log this call", button_style="primary", icon="phone")
        self.status = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HTML("<b>Advocate call</b> (a 0–10 score for each pillar you asked about)"),
                self.touchpoint,
                self.segment,
                *self.scores.values(),
                self.recommend,
                self.note,
                self.caller,
                self.log_button,
                self.status,
            ]
        )
        self.log_button.on_click(lambda _button: guarded(self.log, self._not_logged))

    @property
    def calls_logged(self) -> int:
        return len(load_calls(self.folder, self.promise))

    def log(self) -> pd.DataFrame | None:
        """Log the call as the form shows it; on success clear the answers (not the caller), else say why."""
        call = AdvocateCall(
            touchpoint=self.touchpoint.value,
            scores={p: d.value for p, d in self.scores.items()},
            note=self.note.value,
            caller=self.caller.value,
            segment=self.segment.value or None,
            recommend=self.recommend.value,
        )
        try:
            row, self._calls_stamp = log_call(self.folder, call, self.promise, expected=self._calls_stamp)
            logged = self.calls_logged
        except (WorkshopError, OSError) as error:  # everything typed stays in the form
            self._not_logged(str(error))
            return None
        for dropdown in [*self.scores.values(), self.recommend]:
            dropdown.value = None
        self.note.value = ""
        self._say(
            f"Call logged ({logged} in {CALLS_FILE}). Load the feedback again to see it in the charts and comments.",
            GREEN,
        )
        return row

    def _not_logged(self, text: str) -> None:
        self._say("Not logged: " + html.escape(text).replace("\n", "<br>"), RED)

    def _say(self, message_html: str, colour: str) -> None:
        self.status.value = f'<div style="font-size:16px;color:{colour}">{message_html}</div>'
