"""Gap views: each builds on a real (small) cube, its title states the finding the data shows, names are
escaped, and updating a figure in place gives the same figure as building it afresh."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from workshop import charts, gap
from workshop.cube import cube_from_frames
from workshop.feedback.mapping import NO_IMPORTANCE, ImportanceMeasure
from workshop.gap import Filter, GoalPost
from workshop.promise import load_promise

GAP_DATA = Path(__file__).resolve().parent / "data" / "gap"
HOSTILE = '<img src=x onerror="alert(1)">'
RECOMMEND = ImportanceMeasure("recommend", "recommend")


@pytest.fixture(scope="module")
def sample():
    promise = load_promise(GAP_DATA / "promise.yml")
    frame = pd.read_csv(GAP_DATA / "feedback.csv", parse_dates=["date"])
    engine = gap.GapMetrics(cube_from_frames([frame], promise.pillar_ids))
    posts = gap.goal_posts_from_promise(promise)
    names = {p.id: p.name for p in promise.pillars}
    return promise, frame, engine, posts, names


def tables(engine, posts):
    return {grouping: engine.table(Filter(), grouping, posts) for grouping in ("pillar", "touchpoint", "month")}


def builds(chart: charts.Chart) -> go.Figure:
    figure = chart.figure()
    assert len(figure.data) == len(chart.traces) > 0
    assert figure.layout.font.size >= 18
    return figure


def test_overview_names_the_pillar_furthest_from_target(sample):
    promise, frame, engine, posts, names = sample
    figure = builds(charts.gap_overview(tables(engine, posts)["pillar"], names))
    gaps = {p: promise.pillar(p).target - frame[p].mean() for p in promise.pillar_ids}
    widest = max(gaps, key=gaps.get)
    assert f"{names[widest]} is furthest from its target ({gaps[widest]:.1f} points)" in figure.layout.title.text.replace("<br>", " ")
    experience = figure.data[1]
    statuses = tables(engine, posts)["pillar"]["status"]
    assert list(experience.marker.color) == [charts.STATUS_COLOURS[s] for s in statuses]


def test_distribution_names_the_pillar_with_most_detractors(sample):
    promise, frame, engine, posts, names = sample
    figure = builds(charts.score_distribution(tables(engine, posts)["pillar"], names))
    detractors = {p: (frame[p].dropna() <= 6).mean() for p in promise.pillar_ids}
    worst = max(detractors, key=detractors.get)
    assert figure.layout.title.text.replace("<br>", " ") == f"{detractors[worst]:.0%} of customers score {names[worst]} 6 or below"
    assert [t.name for t in figure.data] == ["detractors (0–6)", "passives (7–8)", "promoters (9–10)"]


def test_heatmap_finds_the_phone_and_greys_small_cells(sample):
    promise, frame, engine, posts, names = sample
    figure = builds(charts.gap_heatmap(tables(engine, posts)["touchpoint"], names))
    rows = frame.melt(id_vars="touchpoint", value_vars=promise.pillar_ids, var_name="pillar").dropna()
    cells = rows.groupby(["pillar", "touchpoint"])["value"].agg(["mean", "size"]).reset_index()
    cells = cells[cells["size"] >= 30]
    cells["gap"] = [promise.pillar(p).target - m for p, m in zip(cells["pillar"], cells["mean"])]
    worst = cells.loc[cells["gap"].idxmax()]
    assert figure.layout.title.text.replace("<br>", " ") == (f"{names[worst['pillar']]} at {worst['touchpoint']} is furthest from "
                                        f"target: {worst['gap']:.1f} points")
    chat = list(figure.data[0].x).index("chat")
    assert np.all(np.isnan(np.asarray(figure.data[0].z, dtype=float)[:, chat])), "small cells never look certain"
    assert np.all(np.asarray(figure.data[1].z, dtype=float)[:, chat] == 1)
    assert all(text.startswith("n=") for text in np.asarray(figure.data[1].text)[:, chat])


def test_heatmap_and_trend_grey_exactly_the_cells_the_table_flags(sample):
    # The small-sample rule is the gap table's: a chart given another minimum must not judge cells again.
    _, _, engine, posts, names = sample
    for grouping, view, judged_trace in (("touchpoint", charts.gap_heatmap, 0), ("month", charts.trend, 1)):
        n = engine.table(Filter(), grouping, posts)["n"]
        # A minimum between the cells' sizes: some cells are flagged that the chart's default (30) would judge.
        minimum = int(np.median(n[n >= gap.DEFAULT_MIN_N])) + 1
        table = engine.table(Filter(), grouping, posts, min_n=minimum)
        flagged = table["small_sample"]
        assert flagged.any() and not flagged.all() and (n[flagged] >= gap.DEFAULT_MIN_N).any()
        figure = view(table, names).figure()
        if view is charts.gap_heatmap:
            shown = ~np.isnan(np.asarray(figure.data[judged_trace].z, dtype=float)).ravel()
        else:
            shown = np.concatenate([[s == "circle" for s in t.marker.symbol]
                                    for t in figure.data if t.name == "mean score"])
        assert shown.tolist() == (~flagged).tolist()


def test_internal_view_names_a_pillar_missing_from_names_by_its_id(sample):
    promise, _, engine, posts, _ = sample
    ratings = pd.DataFrame({"participant": ["a"], "department": ["Operations"], "pillar": ["fast_delivery"],
                            "deliver_today": [9.0], "customers_would_rate": [7.0]})
    blind = gap.blind_spots(gap.internal_summary(ratings, promise.pillar_ids), tables(engine, posts)["pillar"])
    chart = charts.internal_vs_customers(blind, {})
    assert chart.title.startswith("Operations rates fast_delivery ")
    assert [y.replace("<br>", " ") for y in chart.traces[1]["y"]] == ["fast_delivery · Operations"]


def test_quadrant_says_where_to_concentrate(sample):
    _, _, engine, posts, names = sample
    pillars = tables(engine, posts)["pillar"]
    quadrant = gap.quadrants(pillars)
    figure = builds(charts.importance_performance(quadrant, pillars["status"], names, RECOMMEND))
    concentrate = [names[p] for p, q in zip(quadrant["pillar"], quadrant["quadrant"]) if q == gap.CONCENTRATE]
    assert concentrate and figure.layout.title.text.replace("<br>", " ") == f"Concentrate here: {', '.join(concentrate)}"
    labels = {a.text.replace("<br>", " ") for a in figure.layout.annotations}
    corners = {f"<b>{q}</b>" for q in (gap.CONCENTRATE, gap.KEEP_UP, gap.LOW_PRIORITY, gap.OVERKILL)}
    assert labels == corners | {names[p] for p in quadrant["pillar"]}  # each corner named, each dot labelled


def test_quadrant_without_a_measure_says_importance_is_not_derived(sample):
    promise, frame, _, posts, names = sample
    unmeasured = gap.GapMetrics(cube_from_frames([frame.assign(recommend=np.nan)], promise.pillar_ids))
    pillars = unmeasured.table(Filter(), "pillar", posts)
    figure = builds(charts.importance_performance(gap.quadrants(pillars), pillars["status"], names, None))
    assert figure.layout.title.text.replace("<br>", " ") == "Importance is not derived: nothing to weigh the pillars against"
    (note,) = figure.layout.annotations  # the sentence, and no quadrant names over an empty plot
    assert note.text.replace("<br>", " ") == NO_IMPORTANCE
    assert "recommend" not in figure.layout.xaxis.title.text


def test_quadrant_names_its_measure_and_says_when_nothing_can_be_judged(sample):
    promise, frame, _, posts, names = sample
    overall = ImportanceMeasure("overall", "Rating")
    few = gap.GapMetrics(cube_from_frames([frame.head(10)], promise.pillar_ids))
    pillars = few.table(Filter(), "pillar", posts)
    figure = builds(charts.importance_performance(gap.quadrants(pillars), pillars["status"], names, overall))
    assert figure.layout.title.text.replace("<br>", " ") == ("Nothing can be judged yet: no pillar has enough answers alongside the "
                                        "overall rating ('Rating')")
    assert figure.layout.xaxis.title.text == "importance: how much it moves the overall rating ('Rating') (r)"


def test_overview_says_not_measured_on_the_row_of_a_pillar_nothing_scores(sample):
    promise, frame, _, posts, names = sample
    engine = gap.GapMetrics(cube_from_frames([frame.assign(expert_help=np.nan)], promise.pillar_ids))
    figure = builds(charts.gap_overview(engine.table(Filter(), "pillar", posts), names,
                                        not_measured={"expert_help"}))
    assert [(a.text, a.y) for a in figure.layout.annotations] == [
        (f"<i>{charts.NOT_MEASURED}</i>", names["expert_help"])]


def test_loudness_shows_the_lighthouse_louder_than_the_port(sample):
    promise, frame, engine, posts, names = sample
    loud = gap.loudness(tables(engine, posts)["pillar"], promise)
    figure = builds(charts.loudness_chart(loud, names))
    assert figure.layout.title.text.replace("<br>", " ") == "Fast delivery is shouted loudest and delivered least"
    stands_out = figure.data[0]
    assert [y for y in stands_out.y if y] == ["Fast delivery", "Fast delivery"]
    assert max(promise.pillars, key=lambda p: p.loudness).id == min(promise.pillar_ids, key=lambda p: frame[p].mean())


def test_trend_reports_the_biggest_change_between_first_and_last_month(sample):
    promise, frame, engine, posts, names = sample
    figure = builds(charts.trend(tables(engine, posts)["month"], names))
    monthly = frame.assign(month=frame["date"].dt.strftime("%Y-%m")).groupby("month")[promise.pillar_ids].mean()
    change = monthly.iloc[-1] - monthly.iloc[0]
    biggest = change.abs().idxmax()
    verb = "rose" if change[biggest] > 0 else "fell"
    assert figure.layout.title.text.replace("<br>", " ") == (f"{names[biggest]} {verb} {abs(change[biggest]):.1f} points from "
                                        f"{monthly.index[0]} to {monthly.index[-1]}")
    thresholds = [t for t in figure.data if t.name == "threshold"]
    assert [t.y[0] for t in thresholds] == [promise.pillar(p).threshold for p in promise.pillar_ids]


def test_internal_view_escapes_department_names_everywhere(sample):
    promise, frame, engine, posts, names = sample
    ratings = pd.DataFrame({"participant": ["a", "b"], "department": [HOSTILE, "Operations"],
                            "pillar": ["fast_delivery", "easy_returns"], "deliver_today": [9.0, 8.0],
                            "customers_would_rate": [7.0, 8.0]})
    pillars = tables(engine, posts)["pillar"]
    blind = gap.blind_spots(gap.internal_summary(ratings, promise.pillar_ids), pillars)
    figure = builds(charts.internal_vs_customers(blind, names))
    text = json.dumps(figure.to_plotly_json(), default=str)
    assert "<img" not in text and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text
    spot = 9.0 - frame["fast_delivery"].mean()
    assert figure.layout.title.text.replace("<br>", " ") == f"{charts.escape(HOSTILE)} rates Fast delivery {spot:.1f} points higher than customers do"


def test_internal_view_without_ratings_keeps_its_traces(sample):
    promise, _, engine, posts, names = sample
    empty = gap.internal_summary(pd.DataFrame(columns=list(gap.INTERNAL_COLUMNS)), promise.pillar_ids)
    chart = charts.internal_vs_customers(gap.blind_spots(empty, tables(engine, posts)["pillar"]), names)
    assert chart.title == "No ratings from the room yet" and len(builds(chart).data) == 4


def test_names_are_escaped_in_labels_and_hover(sample):
    promise, _, engine, posts, _ = sample
    hostile_names = {p: f"{HOSTILE} {p}" for p in promise.pillar_ids}
    made = tables(engine, posts)
    for chart in (charts.gap_overview(made["pillar"], hostile_names),
                  charts.score_distribution(made["pillar"], hostile_names),
                  charts.gap_heatmap(made["touchpoint"], hostile_names),
                  charts.loudness_chart(gap.loudness(made["pillar"], promise), hostile_names),
                  charts.trend(made["month"], hostile_names)):
        text = json.dumps(chart.figure().to_plotly_json(), default=str)
        assert "<img" not in text and "&lt;img" in text


def test_updating_in_place_equals_building_afresh(sample):
    promise, _, engine, posts, names = sample
    moved = posts | {"fast_delivery": GoalPost(9, 3, lift=1.5), "expert_help": GoalPost(8, 7)}
    before, after = tables(engine, posts), tables(engine, moved)
    for view in (lambda t: charts.gap_overview(t["pillar"], names),
                 lambda t: charts.score_distribution(t["pillar"], names),
                 lambda t: charts.gap_heatmap(t["touchpoint"], names),
                 lambda t: charts.trend(t["month"], names)):
        figure = view(before).figure()
        for shown in (view(before), None):
            sent = charts.update_figure(figure, view(after), shown)
            assert sent > 0 if shown is not None else sent == 0
        fresh = view(after).figure()
        assert _plain(figure.to_plotly_json()["data"]) == _plain(fresh.to_plotly_json()["data"])
        assert figure.layout.title.text == fresh.layout.title.text
        assert charts.update_figure(figure, view(after), view(after)) == 0


def _plain(data: list) -> str:
    return json.dumps(data, default=lambda value: np.asarray(value).tolist(), sort_keys=True)


def test_a_figure_from_another_view_is_refused(sample):
    _, _, engine, posts, names = sample
    made = tables(engine, posts)
    with pytest.raises(ValueError, match="same view"):
        charts.update_figure(charts.gap_overview(made["pillar"], names).figure(),
                             charts.score_distribution(made["pillar"], names))


def every_view(engine, posts, names, promise, flt=Filter()) -> dict[str, charts.Chart]:
    pillars = engine.table(flt, "pillar", posts)
    room = pd.DataFrame({"participant": ["ana"] * len(names), "department": ["Ops"] * len(names),
                         "pillar": list(names), "deliver_today": [7] * len(names),
                         "customers_would_rate": [6] * len(names)})
    return {
        "overview": charts.gap_overview(pillars, names),
        "distribution": charts.score_distribution(pillars, names),
        "heatmap": charts.gap_heatmap(engine.table(flt, "touchpoint", posts), names),
        "quadrant": charts.importance_performance(gap.quadrants(pillars), pillars["status"], names, RECOMMEND),
        "loudness": charts.loudness_chart(gap.loudness(pillars, promise), names),
        "internal": charts.internal_vs_customers(
            gap.blind_spots(gap.internal_summary(room, list(names)), pillars), names),
        "trend": charts.trend(engine.table(flt, "month", posts), names),
    }


def test_a_pillar_nobody_answered_is_worded_and_drawn_as_a_gap(sample):
    promise, frame, _, posts, names = sample
    silent = frame.assign(expert_help=np.nan)
    engine = gap.GapMetrics(cube_from_frames([silent], promise.pillar_ids))
    nobody = Filter(touchpoints=("phone",), advocates_only=True, months=("2025-01", "2025-01"))
    for flt in (Filter(), nobody):
        views = every_view(engine, posts, names, promise, flt)
        for name, chart in views.items():
            figure = builds(chart)
            text = json.dumps(figure.to_plotly_json(), allow_nan=False, default=lambda array: array.tolist())
            assert not re.search(r"\bnan\b", text, re.IGNORECASE), name
    hover = dict(zip(promise.pillar_ids, builds(every_view(engine, posts, names, promise)["overview"]).data[1].hovertext))
    assert charts.NO_ANSWERS in hover["expert_help"] and "%" not in hover["expert_help"]
    assert charts.NO_ANSWERS not in hover["fast_delivery"] and "(95% " in hover["fast_delivery"]


def test_updating_to_a_view_with_missing_values_sends_none(sample):
    promise, frame, engine, posts, names = sample
    shown = every_view(engine, posts, names, promise)["trend"]
    figure = go.FigureWidget(shown.figure())
    silent = gap.GapMetrics(cube_from_frames([frame.assign(expert_help=np.nan)], promise.pillar_ids))
    charts.update_figure(figure, every_view(silent, posts, names, promise)["trend"], shown)
    json.dumps(figure.to_plotly_json(), allow_nan=False, default=lambda array: array.tolist())
    assert None in list(figure.data[4].y)


@pytest.mark.parametrize("value, spec, words", [(0.625, ".0%", "62%"), (7.25, ".1f", "7.2"),
                                                 (np.nan, ".1f", charts.NO_ANSWERS), (None, ".0%", charts.NO_ANSWERS),
                                                 (np.inf, ".1f", charts.NO_ANSWERS)])
def test_a_missing_number_is_put_into_words(value, spec, words):
    assert charts.worded(value, spec) == words
