"""The impact–effort matrix of an action plan, as a ``workshop.charts.Chart`` (plain figure data).

The board builds the figure once and moves it with ``workshop.charts.update_figure`` as effort and impact
sliders change; the report draws the same Chart. One trace holds every action, so the figure keeps its shape
whatever the plan. Quadrants come from ``Action.quadrant``; this module holds no rule of its own and must not
import ipywidgets. Action titles and pillar names are typed by people: they are escaped in every label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workshop.actions import EFFORT_IMPACT_RANGE, LEVERS, Action, quick_wins_sentence
from workshop.charts import OKABE_ITO, Chart, escape

QUADRANT_LABELS = (
    ("Quick wins", 1.6, 5.4),
    ("Major projects", 4.4, 5.4),
    ("Fill-ins", 1.6, 0.6),
    ("Thankless tasks", 4.4, 0.6),
)
"""Where each quadrant's name sits (effort, impact): in the corners, clear of the points."""
SPREAD = 0.18
"""How far apart (in scale points) actions with the same effort and impact are drawn, so none hides another."""


def _offsets(cells: Sequence[tuple[int, int]]) -> list[tuple[float, float]]:
    """Small deterministic offsets for actions sharing an (effort, impact) cell: the first stays put, the others
    ring it."""
    seen: dict[tuple[int, int], int] = {}
    ring = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1))
    result = []
    for cell in cells:
        count = seen.get(cell, 0)
        seen[cell] = count + 1
        dx, dy = ring[count % len(ring)]
        result.append((dx * SPREAD, dy * SPREAD))
    return result


def impact_effort_matrix(actions: Sequence[Action], pillar_names: Mapping[str, str]) -> Chart:
    """Each live action (not dropped) the room has rated, at its effort (x, 1–5) and impact (y, 1–5); the point's
    label is its place in ``actions`` counting from 1 (dropped and unrated ones keep their number, so labels
    match a list of the same actions), the hover its title, pillar and lever. Quick wins are top left."""
    placed = [
        (number, a, cell)
        for number, a in enumerate(actions, start=1)
        if a.status != "dropped" and (cell := a.rating) is not None
    ]
    numbered = [(number, a) for number, a, _ in placed]
    live = [a for _, a in numbered]
    cells = [cell for _, _, cell in placed]
    offsets = _offsets(cells)
    low, high = min(EFFORT_IMPACT_RANGE) - 0.5, max(EFFORT_IMPACT_RANGE) + 0.5
    middle = (min(EFFORT_IMPACT_RANGE) + max(EFFORT_IMPACT_RANGE)) / 2
    trace = {
        "type": "scatter",
        "mode": "markers+text",
        "name": "actions",
        "x": [effort + dx for (effort, _), (dx, _) in zip(cells, offsets, strict=True)],
        "y": [impact + dy for (_, impact), (_, dy) in zip(cells, offsets, strict=True)],
        "text": [str(number) for number, _ in numbered],
        "textposition": "middle center",
        "customdata": [
            [escape(a.title), escape(pillar_names.get(a.pillar_id, a.pillar_id)), escape(LEVERS.get(a.lever, a.lever))]
            for a in live
        ],
        "hovertemplate": "%{customdata[0]}<br>%{customdata[1]} · %{customdata[2]}<extra></extra>",
        "marker": {"size": 34, "color": OKABE_ITO[5], "line": {"color": "#FFFFFF", "width": 2}},
        "textfont": {"color": "#FFFFFF", "size": 16},
    }
    layout = {"title": {"text": quick_wins_sentence(actions)}}
    style = {
        "xaxis": {
            "title": {"text": "Effort (1 little – 5 a lot)"},
            "range": [low, high],
            "dtick": 1,
            "zeroline": False,
        },
        "yaxis": {
            "title": {"text": "Impact (1 little – 5 a lot)"},
            "range": [low, high],
            "dtick": 1,
            "zeroline": False,
        },
        "shapes": [
            {
                "type": "line",
                "x0": middle,
                "x1": middle,
                "y0": low,
                "y1": high,
                "line": {"color": "#999999", "dash": "dot"},
            },
            {
                "type": "line",
                "x0": low,
                "x1": high,
                "y0": middle,
                "y1": middle,
                "line": {"color": "#999999", "dash": "dot"},
            },
        ],
        "annotations": [
            {"text": text, "x": x, "y": y, "showarrow": False, "font": {"color": "#666666"}}
            for text, x, y in QUADRANT_LABELS
        ],
        "showlegend": False,
        "height": 560,
        "margin": {"b": 90},
    }
    return Chart([trace], layout, style)
