"""The live room as figures: every rating of the room beside the customers', and the dots on each idea. Until
the facilitator reveals results the points are hidden and the titles say only how many took part, so nobody
anchors on the room.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from workshop.charts.figure_data import Chart
from workshop.charts.projector import OKABE_ITO, escape, pillar_labels, row_axis, rows_height, wrapped
from workshop.gap import Table

ROOM_QUESTIONS = {
    "deliver_today": ("How well do we deliver this today?", OKABE_ITO[5]),
    "customers_would_rate": ("How would our customers rate it?", OKABE_ITO[1]),
}
"""The room's two questions (``gap.INTERNAL_COLUMNS``) as they are worded and coloured in every room view."""
CUSTOMERS_COLOUR = "#000000"
HIDDEN = "hidden until you reveal results"


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def room_ratings(ratings: Any, names: Mapping[str, str], revealed: bool) -> Chart:
    """Every rating of the room as a point per pillar, both questions side by side, with their spread.
    ``ratings`` has ``gap.INTERNAL_COLUMNS`` (``participant`` as it may be shown). Until ``revealed`` the
    points are hidden and the title says only how many people rated, so nobody anchors on the room."""
    pillars = list(names)
    columns = [wrapped(label, 14) for label in pillar_labels(pillars, names)]
    column_of = dict(zip(pillars, columns, strict=True))
    raters = len(set(ratings["participant"]))
    x = [column_of.get(p, escape(p)) for p in ratings["pillar"]]
    who = [escape(person) for person in ratings["participant"]]
    traces = [
        {
            "type": "box",
            "name": question,
            "x": x,
            "y": np.asarray(ratings[key], dtype=float),
            "text": who,
            "boxpoints": "all",
            "jitter": 0.4,
            "pointpos": 0,
            "visible": revealed,
            "marker": {"color": colour, "size": 10},
            "line": {"color": colour},
            "hovertemplate": "%{text}: %{y}<extra></extra>",
        }
        for key, (question, colour) in ROOM_QUESTIONS.items()
    ]
    title = (
        f"The room's ratings ({_people(raters)})"
        if revealed
        else f"The room's ratings: {_people(raters)} rated so far ({HIDDEN})"
    )
    return Chart(
        traces,
        {"title": {"text": title}},
        style={
            "boxmode": "group",
            "height": 560,
            "yaxis": {"range": [-0.5, 10.5], "title": {"text": "out of 10"}, "dtick": 2},
            "xaxis": {"categoryorder": "array", "categoryarray": columns, "tickangle": 0, "automargin": True},
        },
    )


def room_next_to_customers(
    room: Table, customers: Mapping[str, float], names: Mapping[str, str], revealed: bool
) -> Chart:
    """Per pillar, the room's mean answers (``room``: ``gap.room_means``) next to customers' mean score
    (``customers``: pillar id -> 0–10; a pillar without one has no bar)."""
    columns = [wrapped(label, 14) for label in pillar_labels(room["pillar"], names)]
    measured = np.array([customers.get(p, np.nan) for p in room["pillar"]], dtype=float)
    bars = [
        (question, colour, np.asarray(room[key], dtype=float)) for key, (question, colour) in ROOM_QUESTIONS.items()
    ]
    bars.append(("Customers' own scores", CUSTOMERS_COLOUR, measured))
    traces = [
        {
            "type": "bar",
            "name": name,
            "x": columns,
            "y": values,
            "visible": revealed,
            "marker": {"color": colour},
            "hovertemplate": f"{escape(name)}: %{{y:.1f}}<extra></extra>",
        }
        for name, colour, values in bars
    ]
    title = "The room next to the customers" if revealed else f"The room next to the customers ({HIDDEN})"
    return Chart(
        traces,
        {"title": {"text": title}},
        style={
            "barmode": "group",
            "height": 520,
            "yaxis": {"range": [0, 10], "title": {"text": "mean, out of 10"}, "dtick": 2},
            "xaxis": {"tickangle": 0, "automargin": True},
        },
    )


def dots_per_idea(
    numbers: Sequence[int], texts: Sequence[str], dots: Sequence[int], voters: int, revealed: bool
) -> Chart:
    """The ideas' dots, in the order given (most first): one bar per idea labelled by its number, its text in
    the hover."""
    rows = [f"#{number}" for number in numbers]
    title = (
        f"Dots per idea ({_people(voters)} voted)" if revealed else f"Votes: {_people(voters)} voted so far ({HIDDEN})"
    )
    trace = {
        "type": "bar",
        "orientation": "h",
        "name": "dots",
        "x": list(dots),
        "y": rows,
        "text": [escape(text) for text in texts],
        "textposition": "none",
        "visible": revealed,
        "marker": {"color": OKABE_ITO[5]},
        "hovertemplate": "%{text}: %{x} dots<extra></extra>",
    }
    return Chart(
        [trace],
        {
            "title": {"text": title},
            "yaxis": row_axis(rows),
            "height": rows_height(rows, least=420),
            "xaxis": {"range": [0, max(max(dots, default=0), 1) * 1.05], "title": {"text": "dots"}},
        },
        style={"showlegend": False},
    )
