"""Step 3 panel: the room moves the goal posts and the what-if lift, and every gap view follows at once.

Metrics come from ``workshop.gap`` (cached per filter, so a slider move only recomputes small arrays);
views from ``workshop.charts``. Figures are ``go.FigureWidget``s built once and moved in place with
``charts.update_figure``; a slider redraws only the views that show what it moved, and of those only the one on
screen: the others are marked stale and brought up to date when their tab opens. The panel holds no rule:
statuses, the promise-able rule text, quadrants and blind spots all come from ``workshop.gap``. It saves
promise.yml and report_views.yml only over the files as it read them or last saved them itself, so a panel
left open while another tab saved refuses and says to reload, its goal posts kept on the sliders.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection
from contextlib import contextmanager
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from workshop import charts, gap
from workshop.cube import UNDATED, ScoreCube
from workshop.evidence import pillars_not_measured
from workshop.feedback.advocates import NPS_RULE
from workshop.feedback.load import LoadedFeedback
from workshop.feedback.mapping import NO_IMPORTANCE, ImportanceMeasure, importance_measure
from workshop.files import stamp_of
from workshop.gap import Filter, GoalPost
from workshop.promise import PROMISE_FILE, Promise, promise_read_stamp, save_new_version
from workshop.reporting import REPORT_VIEWS_FILE, add_report_view
from workshop.ui.figures import move_figure, projector_figure
from workshop.ui.fit import WHOLE_TABS, kept_whole, stylesheet, whole_button
from workshop.ui.gap_ratings_form import RatingsForm
from workshop.ui.guard import guarded_on

GOAL_SLIDER = dict(
    min=0,
    max=10,
    step=0.5,
    continuous_update=True,
    readout_format=".1f",
    style={"description_width": "5.5em"},
    layout=widgets.Layout(width="17.5em"),
)
"""Three of these and the pillar picker fit one row of a notebook at 1280×800, right above the chart they move;
the label is wide enough for "threshold" whole."""

VIEW_TITLES = {
    "overview": "Gap overview",
    "distribution": "Score bands",
    "heatmap": "Touchpoints",
    "quadrant": "Importance",
    "loudness": "Who speaks louder?",
    "internal": "Room vs customers",
    "trend": "By month",
}
LIKELIHOOD_TO_RECOMMEND = ImportanceMeasure("recommend", "recommend")
"""What a panel built straight from a cube derives importance against (the canonical recommend answers)."""


class GapPanel:
    """Goal-post sliders, filters and the seven gap views for one cube and promise.

    Tests drive it through widget ``.value``s or the methods ``set_target``, ``set_threshold``, ``set_lift``,
    ``statuses``, ``promise_able_count``, ``set_internal_ratings``, ``save``, ``add_to_report`` and
    ``figure(name)``, which
    gives the FigureWidget of a view (``charts.VIEW_GOAL_POSTS``), up to date; ``figures`` holds those made
    so far, of which only the visible one (``visible_view``) is kept up to date as the sliders move.
    """

    def __init__(
        self,
        cube: ScoreCube,
        promise: Promise,
        folder: str | Path | None = None,
        ratings: pd.DataFrame | None = None,
        min_n: int = gap.DEFAULT_MIN_N,
        on_save: Callable[[Promise], None] | None = None,
        importance: ImportanceMeasure | None = LIKELIHOOD_TO_RECOMMEND,
        not_measured: Collection[str] = (),
    ):
        self.promise = promise
        self.importance = importance
        self.not_measured = frozenset(not_measured)
        self.folder = Path(folder) if folder is not None else None
        self.on_save = on_save
        if self.folder is not None:
            self._promise_stamp = promise_read_stamp(promise, self.folder / PROMISE_FILE)
            self._report_views_stamp = stamp_of(self.folder / REPORT_VIEWS_FILE)
        self.engine = gap.GapMetrics(cube)
        self.names = {p.id: p.name for p in promise.pillars}
        self._ratings = pd.DataFrame(columns=list(gap.INTERNAL_COLUMNS))
        self._summary = gap.internal_summary(self._ratings, promise.pillar_ids)
        self._tables: dict[str, gap.Table] = {}
        self._held: set[str] | None = None

        self.sliders: dict[str, dict[str, widgets.FloatSlider]] = {}
        self.goal_rows: dict[str, widgets.HBox] = {}
        for pillar in promise.pillars:
            row = {
                "target": widgets.FloatSlider(value=pillar.target, description="target", **GOAL_SLIDER),
                "threshold": widgets.FloatSlider(value=pillar.threshold, description="threshold", **GOAL_SLIDER),
                "lift": widgets.FloatSlider(value=0, description="lift", **GOAL_SLIDER),
            }
            row["threshold"].max = pillar.target
            self.sliders[pillar.id] = row
            self.goal_rows[pillar.id] = widgets.HBox(list(row.values()))
        # One pillar's goal posts at a time, so the chart they move stays on screen right under them.
        self.goal_pillar = widgets.Dropdown(
            options=[(p.name, p.id) for p in promise.pillars],
            description="Goal posts of",
            style={"description_width": "7em"},
            layout=widgets.Layout(width="23em"),
        )
        self.headline = widgets.HTML(layout=kept_whole())
        dated = [m for m in cube.months if m != UNDATED]
        self.touchpoints = widgets.SelectMultiple(options=cube.touchpoints, description="Touchpoints", rows=4)
        self.segments = widgets.SelectMultiple(options=cube.segments, description="Segments", rows=4)
        self.advocates_only = widgets.Checkbox(description="advocates only")
        self.months = widgets.SelectionRangeSlider(
            options=dated or ["—"],
            index=(0, max(len(dated) - 1, 0)),
            description="Months",
            disabled=len(dated) < 2,
            layout=widgets.Layout(width="36em"),
        )
        self.min_n = widgets.BoundedIntText(
            value=min_n,
            min=1,
            max=10_000,
            description="min answers",
            style={"description_width": "7em"},
            layout=widgets.Layout(width="14em"),
        )
        self.status = widgets.HTML()
        self.message = widgets.HTML(layout=widgets.Layout(flex="1 1 24em"))
        self.save_button = whole_button(
            "Save goal posts as proposed promise", icon="save", disabled=self.folder is None
        )
        self.report_button = whole_button("Add this view to the report", icon="plus", disabled=self.folder is None)
        self.form = RatingsForm(promise, self.add_internal_ratings)

        self.figures: dict[str, go.FigureWidget] = {}
        self._shown: dict[str, charts.Chart] = {}
        self._stale: set[str] = set()
        self._places = {name: widgets.Box() for name in VIEW_TITLES}
        self.tabs = widgets.Tab(children=list(self._places.values()), titles=list(VIEW_TITLES.values()))
        self.tabs.add_class(WHOLE_TABS)
        self.figure(next(iter(VIEW_TITLES)))
        self.widget = widgets.VBox(
            [
                stylesheet(),
                widgets.HBox([self.goal_pillar, *self.goal_rows.values()], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox(
                    [self.headline, self.save_button, self.report_button, self.message],
                    layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
                ),
                self.tabs,
                widgets.HTML("<h3>Filter the responses</h3>"),
                widgets.HBox(
                    [self.touchpoints, self.segments, widgets.VBox([self.advocates_only, self.months, self.min_n])]
                ),
                self.status,
                widgets.HTML(
                    "<p style='font-size:16px'>" + "<br>".join(html.escape(rule) for rule in self._rules()) + "</p>"
                ),
                widgets.Accordion(children=[self.form.widget], titles=("The room's own view (no live session)",)),
            ]
        )
        self._show_status()
        self._show_goal_row()

        self.goal_pillar.observe(lambda _change: self._show_goal_row(), names="value")
        for pillar_id, row in self.sliders.items():
            for kind, slider in row.items():
                slider.observe(lambda change, p=pillar_id, k=kind: self._on_goal_post(p, k), names="value")
        for control in (self.touchpoints, self.segments, self.advocates_only, self.months, self.min_n):
            control.observe(lambda _change: self._guarded(self.refresh), names="value")
        self.save_button.on_click(lambda _button: self._guarded(self.save))
        self.report_button.on_click(lambda _button: self._guarded(self.add_to_report))
        self.tabs.observe(
            lambda change: self._guarded(lambda: self.figure(list(VIEW_TITLES)[change["new"]])), names="selected_index"
        )
        if ratings is not None:
            self.set_internal_ratings(ratings)

    @classmethod
    def for_feedback(
        cls,
        feedback: LoadedFeedback,
        promise: Promise,
        folder: str | Path | None = None,
        ratings: pd.DataFrame | None = None,
    ) -> GapPanel:
        """The panel for feedback that passed the check (``usable_workshop_feedback``): importance worded by
        what the mapping measures it against, and pillars it cannot score reading "not measured"."""
        return cls(
            feedback.cube,
            promise,
            folder,
            ratings,
            importance=importance_measure(feedback.mapping),
            not_measured=pillars_not_measured(feedback, promise),
        )

    # --- what the room chose ---------------------------------------------------------------------------

    def goal_posts(self) -> dict[str, GoalPost]:
        return {
            p: GoalPost(row["target"].value, row["threshold"].value, row["lift"].value)
            for p, row in self.sliders.items()
        }

    def filter(self) -> Filter:
        # The full span is no month filter: the report's caption and its list of views must not tell them apart.
        whole_span = tuple(self.months.index) == (0, len(self.months.options) - 1)
        months = None if self.months.disabled or whole_span else tuple(self.months.value)
        return Filter(
            touchpoints=self.touchpoints.value,
            segments=self.segments.value,
            advocates_only=self.advocates_only.value,
            months=months,
        )

    def set_target(self, pillar_id: str, value: float) -> None:
        self.sliders[pillar_id]["target"].value = value

    def set_threshold(self, pillar_id: str, value: float) -> None:
        """Move a threshold; it stops at the pillar's target (the slider's maximum)."""
        self.sliders[pillar_id]["threshold"].value = value

    def set_lift(self, pillar_id: str, value: float) -> None:
        self.sliders[pillar_id]["lift"].value = value

    # --- what the room sees ----------------------------------------------------------------------------

    def table(self, grouping: str = "pillar") -> gap.Table:
        """The metrics behind the views, for the current filter and goal posts."""
        if grouping not in self._tables:
            self._tables[grouping] = self.engine.table(self.filter(), grouping, self.goal_posts(), self.min_n.value)
        return self._tables[grouping]

    def statuses(self) -> dict[str, str]:
        pillars = self.table()
        return dict(zip(pillars["pillar"], pillars["status"], strict=True))

    def promise_able_count(self) -> int:
        return gap.promise_able_count(self.table())

    def figure(self, name: str) -> go.FigureWidget:
        """The FigureWidget of a view, made the first time its tab is opened.

        Each plotly FigureWidget makes the browser load plotly.js (about 5 MB) again, and anywidget gives a
        model two seconds to load before it stops listening to it; seven at once on a slow laptop miss that,
        and then never redraw. So a figure is made when first shown, and kept and moved in place afterwards;
        one that went stale while its tab was hidden is brought up to date here.
        """
        if name in self._stale:
            self._update({name})
        if name not in self.figures:
            chart = self._views({name})[name]
            figure = projector_figure(chart)
            self.figures[name], self._shown[name] = figure, chart
            self._places[name].children = (figure,)
        return self.figures[name]

    def visible_view(self) -> str:
        """The view whose tab is on screen."""
        return list(VIEW_TITLES)[self.tabs.selected_index or 0]

    def refresh(self, moved: set[str] | None = None) -> None:
        """Recompute after ``moved`` (goal-post kinds; None for everything, e.g. a filter): the figures made so
        far that show what moved go stale, and the visible one is moved at once.

        Hidden figures wait for their tab because each update costs plotly about half a millisecond to
        validate and serialise, and a lift moves all seven views: updating only the one on screen keeps a
        slider drag within its 5 ms budget (benchmarks/slider_kernel.py measures both ways).
        """
        self._tables = {}
        self._stale |= (
            set(self.figures)
            if moved is None
            else {name for name in self.figures if charts.VIEW_GOAL_POSTS[name] & moved}
        )
        self._update(self._stale & {self.visible_view()})
        self._show_status()
        self.message.value = ""

    def _update(self, names: set[str]) -> None:
        """Move these made figures to the current metrics, in place."""
        for name, chart in self._views(names).items():
            move_figure(self.figures[name], chart, self._shown[name])
            self._shown[name] = chart
        self._stale -= names

    def _views(self, names: set[str]) -> dict[str, charts.Chart]:
        min_n = self.min_n.value
        build = {
            "overview": lambda: charts.gap_overview(self.table(), self.names, min_n, self.not_measured),
            "distribution": lambda: charts.score_distribution(self.table(), self.names, min_n),
            "heatmap": lambda: charts.gap_heatmap(self.table("touchpoint"), self.names, min_n),
            "quadrant": lambda: charts.importance_performance(
                gap.quadrants(self.table()), list(self.table()["status"]), self.names, self.importance
            ),
            "loudness": lambda: charts.loudness_chart(gap.loudness(self.table(), self.promise), self.names),
            "internal": lambda: charts.internal_vs_customers(gap.blind_spots(self._summary, self.table()), self.names),
            "trend": lambda: charts.trend(self.table("month"), self.names, min_n),
        }
        return {name: build[name]() for name in charts.VIEW_GOAL_POSTS if name in names}

    def _rules(self) -> list[str]:
        """The rules under the views, in the words of what this feedback measures: no NPS without its question."""
        if self.importance is None:
            return [NO_IMPORTANCE, gap.LOUDNESS_RULE]
        nps = [NPS_RULE] if self.importance.target == "recommend" else []
        return [gap.quadrant_rule(self.importance.phrase), gap.LOUDNESS_RULE, *nps]

    def _show_goal_row(self) -> None:
        for pillar_id, row in self.goal_rows.items():
            row.layout.display = "" if pillar_id == self.goal_pillar.value else "none"

    def _show_status(self) -> None:
        pillars = self.table()
        rows = "".join(
            f"<tr><td>{html.escape(self.names[p])}</td>"
            f"<td style='color:{charts.STATUS_COLOURS[s]};font-weight:bold'>{s}</td>"
            f"<td>{charts.NOT_MEASURED if p in self.not_measured else charts.share_above_text(share, threshold, n)}"
            "</td></tr>"
            for p, s, share, threshold, n in zip(
                pillars["pillar"],
                pillars["status"],
                pillars["share_above"],
                pillars["threshold"],
                pillars["n"],
                strict=True,
            )
        )
        value = (
            f"<div style='font-size:18px'><b>{self.promise_able_count()} of {len(pillars)} pillars are "
            f"promise-able</b><table>{rows}</table>"
            f"<p>{html.escape(gap.promise_ability_rule(self.min_n.value))} {html.escape(gap.ABOVE_RULE)} "
            f"{html.escape(gap.LIFT_RULE)}</p></div>"
        )
        if self.status.value != value:
            self.status.value = value
        headline = (
            f"<span style='font-size:20px'><b>{self.promise_able_count()} of {len(pillars)} pillars are "
            "promise-able</b></span>"
        )
        if self.headline.value != headline:
            self.headline.value = headline

    # --- the room's own view and saving ----------------------------------------------------------------

    def set_internal_ratings(self, ratings: pd.DataFrame) -> None:
        """Show these ratings (columns ``gap.INTERNAL_COLUMNS``, e.g. from the live session) against customers."""
        self._summary = gap.internal_summary(ratings, self.promise.pillar_ids)
        self._ratings = ratings.loc[:, list(gap.INTERNAL_COLUMNS)].reset_index(drop=True)
        self._refresh_internal()

    def add_internal_ratings(self, rows: pd.DataFrame) -> None:
        """Add entries (e.g. from the form) to the ratings shown."""
        self._guarded(lambda: self.set_internal_ratings(pd.concat([self._ratings, rows], ignore_index=True)))

    def _refresh_internal(self) -> None:
        if "internal" in self.figures:
            self._stale.add("internal")
            self._update(self._stale & {self.visible_view()})

    def save(self) -> Promise:
        """Save the goal posts as the next version of promise.yml (the current one is kept in versions/)."""
        if self.folder is None:
            raise gap.GapError("This panel was opened without a workshop folder, so it cannot save.")
        proposed = gap.promise_with_goal_posts(self.promise, self.goal_posts())
        saved, self._promise_stamp = save_new_version(proposed, self.folder, expected=self._promise_stamp)
        self.promise = saved
        self.message.value = (
            f"Saved as version {saved.version} of promise.yml; version {saved.version - 1} is kept in versions/."
        )
        if self.on_save is not None:
            self.on_save(saved)
        return saved

    def add_to_report(self) -> bool:
        """Record the current filter in the folder's report_views.yml, where the report draws its gap overview;
        True when it was added (a filter already there is kept once)."""
        if self.folder is None:
            raise gap.GapError("This panel was opened without a workshop folder, so it cannot add to the report.")
        flt = self.filter()
        written = add_report_view(self.folder, flt, self.engine.cube, expected=self._report_views_stamp)
        if written is not None:
            self._report_views_stamp = written
        said = "Added to" if written else "Already in"
        self.message.value = html.escape(f"{said} the report: {flt.caption()}")
        return written is not None

    # --- wiring ----------------------------------------------------------------------------------------

    def _on_goal_post(self, pillar_id: str, kind: str) -> None:
        if self._held is not None:
            self._held.add(kind)
            return
        with self._holding() as moved:
            moved.add(kind)
            if kind == "target":
                # The threshold can never pass the target: its slider stops there (and moves down with it).
                self.sliders[pillar_id]["threshold"].max = self.sliders[pillar_id]["target"].value

    @contextmanager
    def _holding(self):
        """Collect goal-post moves made while inside (a target dragging its threshold along) into one refresh."""
        self._held = set()
        try:
            yield self._held
        finally:
            moved, self._held = self._held, None
            self._guarded(lambda: self.refresh(moved))

    def _guarded(self, action: Callable[[], object]) -> None:
        # Not cleared on success: save and add_to_report confirm on the same line.
        guarded_on(self.message, action, clear=False)
