"""The impact–effort matrix: one point per live action at its effort and impact, ties drawn apart, text escaped,
and the same single trace whatever the plan, so a figure can be moved in place."""
from __future__ import annotations

import plotly.graph_objects as go

from workshop.action_charts import SPREAD, impact_effort_matrix
from workshop.actions import Action
from workshop.charts import update_figure

NAMES = {"speed": "Quick <answers>"}


def test_each_live_action_sits_at_its_effort_and_impact_ties_drawn_apart():
    actions = [Action("a", "speed", "One", effort=2, impact=5), Action("b", "speed", "Two", effort=2, impact=5),
               Action("c", "speed", "Gone", effort=4, impact=1, status="dropped"),
               Action("d", "speed", "<b>Four</b>", effort=5, impact=1)]
    trace = impact_effort_matrix(actions, NAMES).traces[0]
    assert list(zip(trace["x"], trace["y"])) == [(2, 5), (2 + SPREAD, 5), (5, 1)]
    assert trace["text"] == ["1", "2", "4"]  # the dropped action keeps its number 3, undrawn
    assert trace["customdata"][2] == ["&lt;b&gt;Four&lt;/b&gt;", "Quick &lt;answers&gt;", "Process and operations"]
    assert impact_effort_matrix(actions, NAMES).title == "2 of 3 actions are quick wins"


def test_a_figure_built_empty_moves_in_place_to_a_plan():
    empty = impact_effort_matrix([], NAMES)
    assert empty.title == "No actions agreed yet"
    figure = go.Figure(empty.figure())
    plan = impact_effort_matrix([Action("a", "speed", "One", effort=1, impact=4)], NAMES)
    update_figure(figure, plan, empty)
    assert len(figure.data) == 1
    assert list(figure.data[0].x) == [1] and list(figure.data[0].y) == [4]
    assert figure.layout.title.text == "1 of 1 actions are quick wins"


def test_an_action_the_room_has_not_rated_is_not_drawn_nor_counted_as_a_quick_win():
    unrated = Action("a", "speed", "Not judged yet")
    assert impact_effort_matrix([unrated], NAMES).title == "1 not rated yet (judge effort and impact)"
    plan = impact_effort_matrix([unrated, Action("b", "speed", "Judged", effort=4, impact=4)], NAMES)
    assert plan.traces[0]["text"] == ["2"]
    assert plan.title == "0 of 1 rated actions are quick wins; 1 not rated yet (judge effort and impact)"
