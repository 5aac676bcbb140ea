"""Steps 3–4 panel, 'What the gap costs': the campaign check with its sign-offs, the cost of the gap in three
scenarios, the budget question and whether the room knows the promise, with a slider for every assumption.

The model is ``workshop.whatif``, the verdict ``workshop.campaign`` (gap's promise-able rule), the sentences
``workshop.internal_brand``; the figures are ``workshop.whatif_charts`` views wrapped in ``go.FigureWidget``s
once and moved in place by ``charts.update_figure``. As in the gap panel, a figure is made when its tab first
opens, and a slider moves only the one on screen (the others catch up when their tab opens). The campaign form
is a ``Draft``: what marketing typed survives every slider move and redraw until it is saved or discarded.
Every callback runs through ``guard.guarded_on``. The panel holds no rule of its own.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workshop import campaign, charts, gap, whatif, whatif_budget, whatif_charts, whatif_file
from workshop.cube import ScoreCube
from workshop.feedback.themes import Themes, load_themes
from workshop.files import NO_FILE
from workshop.internal_brand import promise_known, room_sentences
from workshop.promise import Promise
from workshop.session import SessionState, SessionStore, actions_of
from workshop.ui.draft import Draft, offer
from workshop.ui.figures import move_figure, projector_figure
from workshop.ui.guard import guarded_on

VIEW_TITLES = {
    "cost": "What the gap costs",
    "budget": "The budget",
    "sensitivity": "What matters most",
    "known": "Do we know it?",
}
FIGURE_HEIGHT = {"cost": 640, "budget": 520, "sensitivity": 520, "known": 480}
SLIDER_STYLE = {"description_width": "27em"}
CELL = "padding:2px 18px 2px 0;text-align:left"
"""The sign-off table's cells: left-aligned with room between the columns, read from the back of a room."""
NEW_CAMPAIGN = "new"
"""The form's subject while marketing types a campaign not yet saved."""


class WhatIfPanel:
    """The what-if for one cube and promise. ``folder`` (a workshop folder) holds ``campaigns.yml`` and the
    session the sign-offs go to; without it the panel looks at pillars only and saves nothing. ``store``: the
    notebook's open session (its folder is then the panel's), which the panel reads and writes instead of opening
    its own; the room's sentences and the agreed actions come from it. ``for_session`` builds the panel from it.

    Tests drive it through widget ``.value``s or ``choose``, ``set_assumption``, ``assumptions``, ``cost``,
    ``budget``, ``verdict``, ``save_campaign``, ``sign_off``, ``set_sentences``, ``take_lift_from_actions`` and
    ``figure(name)``.
    """

    @classmethod
    def for_session(cls, store: SessionStore, cube: ScoreCube, promise: Promise | None = None) -> WhatIfPanel:
        """The panel on the notebook's live session: its folder's campaigns, themes and the room's sentences,
        the promise as the session has it unless the notebook passes its own."""
        promise = promise if promise is not None else store.promise()
        themes = load_themes(store.folder, promise.pillar_ids)
        return cls(cube, promise, themes=themes, store=store)

    def __init__(
        self,
        cube: ScoreCube,
        promise: Promise,
        folder: str | Path | None = None,
        sentences: pd.DataFrame | None = None,
        themes: Themes | None = None,
        lift: float | None = None,
        min_n: int = gap.DEFAULT_MIN_N,
        store: SessionStore | None = None,
    ):
        self.promise = promise
        self._store = store
        self.folder = store.folder if store is not None else Path(folder) if folder is not None else None
        self.engine = gap.GapMetrics(cube)
        self.min_n = min_n
        self.names = {p.id: p.name for p in promise.pillars}
        self.themes = themes or {}
        # None: the room's sentences are read from the session each time the tab opens (none without one).
        self._sentences = sentences
        self._curves: dict[tuple[str, ...], whatif.BelowCurve] = {}
        self.campaigns: list[campaign.Campaign] = []
        self._campaigns_stamp = NO_FILE
        self._what_ifs_read = whatif_file.KeptWhatIfs(())
        if self.folder is not None:
            self._what_ifs_read = whatif_file.read_what_ifs(self.folder)
            self.campaigns, self._campaigns_stamp = campaign.load_campaigns_and_stamp(
                self.folder, promise, cube.touchpoints
            )

        self.sliders: dict[str, widgets.FloatSlider | widgets.IntSlider] = {}
        for spec in (*whatif.ASSUMPTIONS, *whatif_budget.BUDGET_ASSUMPTIONS):
            kind = widgets.IntSlider if spec.whole else widgets.FloatSlider
            value = lift if spec.name == "lift_points" and lift is not None else spec.default
            self.sliders[spec.name] = kind(
                value=value,
                min=spec.low,
                max=spec.high,
                step=spec.step,
                description=f"{spec.label} ({spec.unit})",
                continuous_update=True,
                style=SLIDER_STYLE,
                layout=widgets.Layout(width="52em"),
                **({} if spec.whole else {"readout_format": _format(spec.step)}),
            )
        self.subject = widgets.Dropdown(
            options=self._subjects(), description="What-if for", layout=widgets.Layout(width="44em")
        )
        self.verdict_text = widgets.HTML()
        self.cost_text = widgets.HTML()
        self.budget_text = widgets.HTML()
        self.lift_source = widgets.HTML(layout=widgets.Layout(flex="1 1 auto"))
        self._lift_from: whatif.ExpectedLift | None = None
        """The agreed actions' lift while the sliders follow it; None once the room sets the lift by hand."""
        self._setting_lift = False
        self.actions_button = widgets.Button(
            description="Take the lift from the agreed actions",
            icon="list",
            disabled=self.folder is None,
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        self.message = widgets.HTML()

        self.form = {
            "id": widgets.Text(description="id", placeholder="e.g. sofa_in_14_days"),
            "claim": widgets.Textarea(description="claim", layout=widgets.Layout(width="44em")),
            "pillars": widgets.SelectMultiple(
                options=[(p.name, p.id) for p in promise.pillars],
                description="pillars",
                rows=min(6, len(promise.pillars)),
            ),
            "loudness": widgets.FloatSlider(value=5, min=0, max=10, step=0.5, description="loudness"),
            "touchpoints": widgets.SelectMultiple(
                options=list(cube.touchpoints), description="touchpoints", rows=min(6, max(len(cube.touchpoints), 1))
            ),
            "reach_per_month": widgets.BoundedIntText(value=0, min=0, max=100_000_000, description="reach/month"),
            "start": widgets.DatePicker(description="start"),
        }
        self.draft = Draft(self.form)
        self.save_button = widgets.Button(description="Save campaign", icon="save", disabled=self.folder is None)
        self.discard_button = widgets.Button(description="Discard changes", icon="undo")
        # Not "department": the action board below it in notebook 04 has a Department field of its own.
        self.department = widgets.Dropdown(description="pillar owner")
        self.signer = widgets.Text(description="name", placeholder="who signs (optional)")
        self.sign_button = widgets.Button(description="Sign off", icon="check", disabled=self.folder is None)
        self.hold_button = widgets.Button(description="Hold back", icon="hand-paper-o", disabled=self.folder is None)
        self.sign_offs = widgets.HTML()
        self.report_button = widgets.Button(
            description="Add this what-if to the report",
            icon="plus",
            disabled=self.folder is None,
            layout=widgets.Layout(width="auto"),
        )

        self.figures: dict[str, go.FigureWidget] = {}
        self._shown: dict[str, charts.Chart] = {}
        self._stale: set[str] = set()
        self._places = {name: widgets.Box(layout=widgets.Layout(width="100%")) for name in VIEW_TITLES}
        self.tabs = widgets.Tab(children=list(self._places.values()), titles=list(VIEW_TITLES.values()))
        self._cost: whatif.CostOfGap | None = None
        self._budget: whatif_budget.BudgetAnswer | None = None

        sources = "".join(
            f"<li><b>{html.escape(a.label)}</b> (default {a.default:g}, {a.low:g}–{a.high:g}): "
            f"{html.escape(a.source)}</li>"
            for a in (*whatif.ASSUMPTIONS, *whatif_budget.BUDGET_ASSUMPTIONS)
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    f"<p style='font-size:18px'><b>{html.escape(whatif.MODEL_STATEMENT)}</b> Every number "
                    "below is an assumption the room can move.</p>"
                ),
                self.subject,
                self.verdict_text,
                widgets.HBox([self.department, self.signer, self.sign_button, self.hold_button]),
                self.sign_offs,
                self.cost_text,
                widgets.HBox([self.actions_button, self.lift_source]),
                self.budget_text,
                widgets.HBox([self.report_button, self.message]),
                self.tabs,
                widgets.Accordion(
                    children=[
                        widgets.VBox([self.sliders[a.name] for a in whatif.ASSUMPTIONS]),
                        widgets.VBox([self.sliders[a.name] for a in whatif_budget.BUDGET_ASSUMPTIONS]),
                        widgets.HTML(f"<ul style='font-size:16px'>{sources}</ul>"),
                        widgets.VBox([*self.form.values(), widgets.HBox([self.save_button, self.discard_button])]),
                    ],
                    titles=(
                        "Assumptions: the cost of the gap",
                        "Assumptions: the budget",
                        "Where each number comes from",
                        "Enter or change a campaign",
                    ),
                    selected_index=0,
                ),
            ]
        )

        self._guarded(self._show_subject)
        self.figure(next(iter(VIEW_TITLES)))
        for name, slider in self.sliders.items():
            slider.observe(lambda _change, name=name: self._guarded(lambda: self._moved(name)), names="value")
        self.subject.observe(lambda _change: self._guarded(self._show_subject), names="value")
        self.tabs.observe(
            lambda change: self._guarded(lambda: self._open_tab(list(VIEW_TITLES)[change["new"]])),
            names="selected_index",
        )
        self.actions_button.on_click(lambda _b: self._guarded(self.take_lift_from_actions))
        self.save_button.on_click(lambda _b: self._guarded(self.save_campaign))
        self.report_button.on_click(lambda _b: self._guarded(self.add_to_report))
        self.discard_button.on_click(lambda _b: self._guarded(self._discard))
        self.sign_button.on_click(
            lambda _b: self._guarded(lambda: self.sign_off(self.department.value, True, self.signer.value))
        )
        self.hold_button.on_click(
            lambda _b: self._guarded(lambda: self.sign_off(self.department.value, False, self.signer.value))
        )

    # --- what the room chose ---------------------------------------------------------------------------

    def assumptions(self) -> dict[str, float]:
        return {name: float(slider.value) for name, slider in self.sliders.items()}

    def set_assumption(self, name: str, value: float) -> None:
        self.sliders[name].value = value

    def take_lift_from_actions(self) -> whatif.ExpectedLift:
        """Set the lift (scenario 2) and the lift per £k (the budget) from the agreed actions' expected impact on
        the subject's pillars, and say on screen where the numbers came from; the sliders follow the actions
        (a new subject, a new points-per-impact) until the room moves a lift by hand."""
        if self.folder is None:
            raise whatif.WhatIfError("This panel was opened without a workshop folder, so it has no agreed actions.")
        pillars = self._subject_parts()[0]
        expected = whatif.lift_from_actions(
            actions_of(self._state()), pillars, self.names, float(self.sliders["points_per_impact"].value)
        )
        counted = float(np.floor(expected.points / whatif.LIFT_STEP + 1e-9) * whatif.LIFT_STEP)
        per_unit_step = whatif_budget.BUDGET_ASSUMPTION["lift_per_unit"].step
        per_unit = whatif_budget.lift_per_unit_from(counted, self.assumptions())
        per_unit = float(np.floor(per_unit / per_unit_step + 1e-9) * per_unit_step)
        self._lift_from = expected if expected.actions else None
        if expected.actions:
            self._setting_lift = True
            try:
                self.sliders["lift_points"].value = counted
                self.sliders["lift_per_unit"].value = per_unit
            finally:
                self._setting_lift = False
            self.refresh()
        self._show_lift_source(counted, per_unit, expected)
        return expected

    def _moved(self, name: str) -> None:
        if not self._setting_lift and self._lift_from is not None:
            if name in ("points_per_impact", "budget_per_month"):
                self.take_lift_from_actions()
                return
            if name in ("lift_points", "lift_per_unit"):
                self._lift_from = None
                self._show_lift_source()
        self.refresh()

    def _show_lift_source(
        self, counted: float = 0.0, per_unit: float = 0.0, expected: whatif.ExpectedLift | None = None
    ) -> None:
        if expected is None:
            self.lift_source.value = (
                "<span style='font-size:16px'>Lift: the room's own figure, on the sliders.</span>"
                if self.folder is not None
                else ""
            )
            return
        said = expected.source()
        if expected.actions:
            if counted != expected.points:
                said += f" Counted as {counted:g} points (the sliders' half points)."
            budget = self.sliders["budget_per_month"].value
            said += (
                f" Budget: {per_unit:g} points per £k, taking the actions as what the whole £{budget:g}k a month "
                "would buy on the front line."
            )
        self.lift_source.value = f"<span style='font-size:16px'>{html.escape(said)}</span>"

    def choose(self, kind: str, key: str) -> None:
        """Look at a campaign (``"campaign"``, its id) or a pillar (``"pillar"``, its id)."""
        self.subject.value = (kind, key)

    def chosen_campaign(self) -> campaign.Campaign | None:
        kind, key = self.subject.value
        return next((c for c in self.campaigns if c.id == key), None) if kind == "campaign" else None

    def _subject_parts(self) -> tuple[list[str], float, tuple[str, ...], str]:
        """Pillars, loudness, touchpoints and the subject's name in words."""
        chosen = self.chosen_campaign()
        if chosen is not None:
            return (
                chosen.pillars,
                campaign.loudness_of(chosen, self.promise),
                tuple(chosen.touchpoints),
                " and ".join(self.names[p] for p in chosen.pillars),
            )
        pillar = self.promise.pillar(self.subject.value[1])
        return [pillar.id], pillar.loudness, tuple(pillar.touchpoints), pillar.name

    # --- what the room sees ----------------------------------------------------------------------------

    def curve(self) -> whatif.BelowCurve:
        """The share below the line for the subject's touchpoints, read from gap once per touchpoint choice."""
        touchpoints = tuple(t for t in self._subject_parts()[2] if t in self.engine.cube.touchpoints)
        if touchpoints not in self._curves:
            self._curves[touchpoints] = whatif.below_curve(
                self.engine, self.promise, gap.Filter(touchpoints=touchpoints or None)
            )
        return self._curves[touchpoints]

    def cost(self) -> whatif.CostOfGap:
        """The three scenarios for the subject on the sliders' assumptions (recomputed when one they use moved)."""
        used = {name: self.sliders[name].value for name in whatif.ASSUMPTION}
        if self._cost is None or self._cost.assumptions != used:
            pillars, loudness, _, subject = self._subject_parts()
            self._cost = whatif.cost_of_gap(self.curve(), pillars, loudness, subject, used)
        return self._cost

    def budget(self) -> whatif_budget.BudgetAnswer:
        """The budget question for the subject (recomputed when an assumption it uses moved: the scenarios'
        lift and refresh do not enter it)."""
        used = {name: float(self.sliders[name].value) for name in whatif_budget.BUDGET_USES}
        if self._budget is None or {n: self._budget.assumptions[n] for n in whatif_budget.BUDGET_USES} != used:
            pillars, loudness, _, _ = self._subject_parts()
            self._budget = whatif_budget.budget_question(self.curve(), pillars, loudness, self.assumptions())
        return self._budget

    def verdict(self) -> campaign.Verdict | None:
        chosen = self.chosen_campaign()
        return None if chosen is None else campaign.judge(chosen, self.engine, self.promise, self.min_n)

    def figure(self, name: str) -> go.FigureWidget:
        """The FigureWidget of a view, made when its tab first opens and brought up to date if it went stale."""
        if name in self._stale and name in self.figures:
            self._update({name})
        if name not in self.figures:
            chart = self._view(name)
            # The height goes in with the figure: set afterwards, the page drew it at plotly's default 360 px.
            # A projector figure: a tab opened while plotly's code still compiles in the page draws all the same.
            figure = projector_figure(
                charts.Chart(chart.traces, chart.layout, {**chart.style, "height": FIGURE_HEIGHT[name]})
            )
            self.figures[name], self._shown[name] = figure, chart
            self._places[name].children = (figure,)
            self._stale.discard(name)
        return self.figures[name]

    def visible_view(self) -> str:
        return list(VIEW_TITLES)[self.tabs.selected_index or 0]

    def refresh(self) -> None:
        """Recompute after an assumption moved: the texts and the figure on screen at once, the others stale."""
        self._stale |= set(self.figures) - {"known"}
        self._update(self._stale & {self.visible_view()})
        self._show_sentences()

    def _update(self, names: set[str]) -> None:
        for name in names:
            chart = self._view(name)
            move_figure(self.figures[name], chart, self._shown[name])
            self._shown[name] = chart
        self._stale -= names

    def _view(self, name: str) -> charts.Chart:
        if name == "cost":
            return whatif_charts.cost_of_gap_chart(self.cost())
        if name == "budget":
            return whatif_charts.budget_chart(self.budget())
        if name == "sensitivity":
            return whatif_charts.sensitivity_chart(self.budget())
        return whatif_charts.promise_known_chart(promise_known(self.sentences(), self.themes, self.promise), self.names)

    def sentences(self) -> pd.DataFrame:
        """The promise sentences shown: those given to ``set_sentences``, else the session's (none without one)."""
        if self._sentences is not None:
            return self._sentences
        if self.folder is None:
            return pd.DataFrame(columns=["department", "text"])
        return room_sentences(self._state())

    def _open_tab(self, name: str) -> None:
        if name == "known" and self._sentences is None:
            self._stale.add(name)  # the room may have given sentences since the tab last opened
        self.figure(name)

    def _show_sentences(self) -> None:
        for field, text in ((self.cost_text, self.cost().sentence()), (self.budget_text, self.budget().sentence())):
            value = f"<p style='font-size:20px'>{html.escape(text)}</p>"
            if field.value != value:
                field.value = value

    def _subjects(self) -> list[tuple[str, tuple[str, str]]]:
        return [(self._subject_label("campaign", c.id), ("campaign", c.id)) for c in self.campaigns] + [
            (self._subject_label("pillar", p.id), ("pillar", p.id)) for p in self.promise.pillars
        ]

    def _subject_label(self, kind: str, key: str) -> str:
        """A subject as the chooser names it (a campaign kept in whatif.yml but since gone: by its id)."""
        if kind == "campaign":
            chosen = next((c for c in self.campaigns if c.id == key), None)
            if chosen is None:
                return f"Campaign: {key}"
            claim = chosen.claim if len(chosen.claim) <= 60 else chosen.claim[:59].rstrip() + "…"
            return f"Campaign: {claim} ({key})"
        return f"Pillar: {self.names.get(key, key)}"

    def _show_subject(self) -> None:
        chosen = self.chosen_campaign()
        verdict = self.verdict()
        if chosen is not None and chosen.reach_per_month:
            self.sliders["reach_per_month"].value = min(chosen.reach_per_month, self.sliders["reach_per_month"].max)
        colour = "#009E73" if verdict is not None and verdict.promise_able else "#D55E00"
        self.verdict_text.value = (
            ""
            if verdict is None or chosen is None
            else (
                f"<p style='font-size:20px;border-left:6px solid {colour};padding-left:8px'>"
                f"“{html.escape(chosen.claim)}”<br>{html.escape(verdict.sentence())}</p>"
            )
        )
        offer(self.department, list(verdict.owners) if verdict is not None else [])
        self.draft.show(chosen.id if chosen is not None else NEW_CAMPAIGN, _stored(chosen, self.promise))
        self._show_sign_offs()
        if self._lift_from is not None:
            self.take_lift_from_actions()
        else:
            self._show_lift_source()
        self._cost = self._budget = None
        self._stale |= set(self.figures) - {"known"}
        self._update(self._stale & {self.visible_view()})
        self._show_sentences()

    def _show_sign_offs(self) -> None:
        verdict = self.verdict()
        if verdict is None or self.folder is None:
            self.sign_offs.value = ""
            return
        standing = campaign.sign_off_standing(self._state(), verdict)
        rows = "".join(
            f"<tr><td style='{CELL}'>{html.escape(d)}</td><td style='{CELL}'>{html.escape(s)}</td>"
            f"<td style='{CELL}'>{html.escape(word.by if word else '')}</td></tr>"
            for d, (s, word) in standing.items()
        )
        self.sign_offs.value = (
            f"<table style='font-size:17px'><tr><th style='{CELL}'>owner</th><th style='{CELL}'>sign-off</th>"
            f"<th style='{CELL}'>by</th></tr>{rows}</table>"
        )

    def _state(self) -> SessionState:
        with self._session() as store:
            return store.state()

    def _session(self) -> AbstractContextManager[SessionStore]:
        """The notebook's store when the panel was given one (left open), else one opened for the call."""
        if self._store is not None:
            return nullcontext(self._store)
        if self.folder is None:
            raise whatif.WhatIfError("This panel was opened without a workshop folder, so it has no session.")
        return SessionStore(self.folder)

    # --- entering campaigns, signing off, the room's sentences -----------------------------------------

    def save_campaign(self) -> campaign.Campaign:
        """Save the form as a campaign in campaigns.yml (replacing the one with its id), over the file as the
        panel read it or last saved it."""
        if self.folder is None:
            raise campaign.CampaignError("This panel was opened without a workshop folder, so it cannot save.")
        values = {name: field.value for name, field in self.form.items()}
        entered = campaign.Campaign(
            values["id"].strip(),
            values["claim"].strip(),
            list(values["pillars"]),
            float(values["loudness"]),
            list(values["touchpoints"]),
            float(values["reach_per_month"]),
            values["start"],
        )
        kept = [c for c in self.campaigns if c.id != entered.id]
        position = next((i for i, c in enumerate(self.campaigns) if c.id == entered.id), len(kept))
        saved = [*kept[:position], entered, *kept[position:]]
        self._campaigns_stamp = campaign.save_campaigns(
            saved, self.folder, self.promise, expected=self._campaigns_stamp, touchpoints=self.engine.cube.touchpoints
        )
        self.campaigns = saved
        self.draft.saved(self.draft.subject, self.form)
        self.draft.discard(NEW_CAMPAIGN)
        self.subject.options = self._subjects()
        self.subject.value = ("campaign", entered.id)
        self.message.value = html.escape(f"Saved campaign '{entered.id}' in {campaign.CAMPAIGNS_FILE}.")
        return entered

    def add_to_report(self) -> None:
        """Keep the subject and the assumptions on the sliders in whatif.yml, which the report redraws: in
        place of this subject's what-if, beside the other subjects' (those other tabs kept too), and say on
        screen which what-ifs the report now holds."""
        if self.folder is None:
            raise whatif.WhatIfError("This panel was opened without a workshop folder, so it cannot add to the report.")
        kind, key = self.subject.value
        self._what_ifs_read = whatif_file.keep_what_if(
            self.folder, whatif_file.KeptWhatIf(kind, key, self.assumptions()), self._what_ifs_read
        )
        kept = [self._subject_label(*w.subject) for w in self._what_ifs_read.what_ifs or ()]
        self.message.value = html.escape(
            f"Added to the report with these assumptions ({whatif_file.WHATIF_FILE}). The report keeps "
            f"{len(kept)} what-if{'' if len(kept) == 1 else 's'}: {'; '.join(kept)}."
        )

    def _discard(self) -> None:
        self.draft.discard()
        chosen = self.chosen_campaign()
        self.draft.show(chosen.id if chosen is not None else NEW_CAMPAIGN, _stored(chosen, self.promise))

    def sign_off(self, department: str, signed: bool, by: str = "") -> None:
        """Record an owner's sign-off (or hold) of the campaign on screen, as a session event."""
        verdict = self.verdict()
        if verdict is None or self.folder is None:
            raise campaign.CampaignError("Choose a campaign (in a workshop folder) to sign it off.")
        with self._session() as store:
            campaign.sign_off(store, verdict, department, signed, by)
        self._show_sign_offs()
        self.message.value = html.escape(f"{department}: {campaign.SIGNED if signed else campaign.HELD}.")

    def set_sentences(self, sentences: pd.DataFrame, themes: Themes | None = None) -> None:
        """Show these promise sentences (``internal_brand.room_sentences``) against the pillars."""
        self._sentences = sentences
        self.themes = themes if themes is not None else self.themes
        if "known" in self.figures:
            self._stale.add("known")
            self._update(self._stale & {self.visible_view()})

    def _guarded(self, action: Callable[[], Any]) -> None:
        # The message line keeps what the action wrote ("Saved campaign …"): cleared only by the next refusal.
        guarded_on(self.message, action, clear=False)


def _stored(chosen: campaign.Campaign | None, promise: Promise) -> dict[str, Any]:
    """What the form shows for a campaign as saved (empty fields for a new one)."""
    if chosen is None:
        return {
            "id": "",
            "claim": "",
            "pillars": (),
            "loudness": 5.0,
            "touchpoints": (),
            "reach_per_month": 0,
            "start": None,
        }
    return {
        "id": chosen.id,
        "claim": chosen.claim,
        "pillars": tuple(chosen.pillars),
        "loudness": campaign.loudness_of(chosen, promise),
        "touchpoints": tuple(chosen.touchpoints),
        "reach_per_month": int(chosen.reach_per_month),
        "start": chosen.start,
    }


def _format(step: float) -> str:
    """A slider's readout with as many decimals as its step has."""
    text = f"{step:g}"
    return f".{len(text.split('.')[1]) if '.' in text else 0}f"
