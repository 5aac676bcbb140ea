"""What lies behind a gap, as figures: which pillars matter most to customers against how they perform
(importance–performance), which are shouted louder than they are delivered (loudness), and where the room's own
view differs from customers' (internal vs customers). Quadrants, loudness and blind spots are ``workshop.gap``'s
rules; this module only draws them.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np

from workshop import gap
from workshop.charts.figure_data import Chart
from workshop.charts.projector import (
    FONT_SIZE,
    OKABE_ITO,
    ROW_LABEL_CHARACTERS,
    STATUS_COLOURS,
    corner_boxes,
    escape,
    percent,
    pillar_labels,
    point_labels,
    row_axis,
    row_labels,
    rows_height,
    wrapped,
)
from workshop.feedback.mapping import NO_IMPORTANCE, ImportanceMeasure
from workshop.gap import Table

# --- importance–performance ---------------------------------------------------------------------------------

Y_RANGE = (0, 105)
"""The performance axis (% above the threshold), with room above 100 for a dot's outline."""


def importance_performance(
    quadrant: Table, statuses: Sequence[str], names: Mapping[str, str], measure: ImportanceMeasure | None
) -> Chart:
    """Martilla & James: importance (r with ``measure``, e.g. likelihood to recommend) across, performance
    (share above the threshold) up, split at the average importance and the promise-able line. ``quadrant``
    is ``gap.quadrants(...)``; ``measure`` is ``feedback.mapping.importance_measure(mapping)``.

    With no measure the view draws nothing and says why (``NO_IMPORTANCE``); with no pillar placed its title
    says nothing can be judged yet, never that no important pillar falls short."""
    labels = pillar_labels(quadrant["pillar"], names)
    line = float(quadrant["importance_line"][0]) if len(quadrant) else math.nan
    placed = [q is not None for q in quadrant["quadrant"]]
    concentrate = [label for label, q in zip(labels, quadrant["quadrant"], strict=True) if q == gap.CONCENTRATE]
    # Quotes left as they are: the phrase quotes a column's name, and the report shows titles as text too.
    against = html.escape(measure.phrase, quote=False) if measure is not None else ""
    if measure is None:
        title = "Importance is not derived: nothing to weigh the pillars against"
    elif not any(placed):
        title = f"Nothing can be judged yet: no pillar has enough answers alongside {against}"
    elif concentrate:
        title = f"Concentrate here: {', '.join(concentrate)}"
    else:
        title = "No important pillar falls below the promise-able line"
    importance = quadrant["importance"]
    low = float(np.nanmin(importance)) if np.any(~np.isnan(importance)) else 0.0
    x_range = [min(0.0, low) - 0.05, 1.0]
    shapes = (
        []
        if math.isnan(line)
        else [
            {"type": "line", "x0": line, "x1": line, "y0": 0, "y1": 100, "line": {"dash": "dash", "color": "#555555"}}
        ]
    )
    shapes.append(
        {
            "type": "line",
            "x0": x_range[0],
            "x1": 1,
            "y0": 100 * gap.PROMISE_ABLE_SHARE,
            "y1": 100 * gap.PROMISE_ABLE_SHARE,
            "line": {"dash": "dash", "color": "#555555"},
        }
    )
    if measure is None:
        annotations = [
            {
                "text": "<br>".join(textwrap.wrap(NO_IMPORTANCE, 60)),
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": FONT_SIZE},
            }
        ]
    else:
        corners = (
            (gap.CONCENTRATE, 0.99, 0.01, "right", "bottom"),
            (gap.KEEP_UP, 0.99, 0.99, "right", "top"),
            (gap.LOW_PRIORITY, 0.01, 0.01, "left", "bottom"),
            (gap.OVERKILL, 0.01, 0.99, "left", "top"),
        )
        annotations = [
            {
                "text": f"<b>{text}</b>",
                "xref": "paper",
                "yref": "paper",
                "x": x,
                "y": y,
                "showarrow": False,
                "xanchor": xa,
                "yanchor": ya,
                "font": {"size": FONT_SIZE, "color": "#555555"},
            }
            for text, x, y, xa, ya in corners
        ]
    performance = percent(quadrant["performance"])
    return Chart(
        traces=[
            {
                "type": "scatter",
                "name": "pillars",
                "mode": "markers",
                "x": importance,
                "y": performance,
                # For the hover; the labels on the plot are annotations, which can sit away from a crowded dot.
                "text": labels,
                "marker": {
                    "size": 24,
                    "color": [STATUS_COLOURS[s] for s in statuses],
                    "symbol": ["circle-open" if s == gap.NOT_JUDGED else "circle" for s in statuses],
                    "line": {"width": 3},
                },
                "hovertemplate": "%{text}<br>importance r=%{x:.2f}<br>%{y:.0f}% above the threshold<extra></extra>",
            }
        ],
        layout={
            "title": {"text": title},
            "shapes": shapes,
            "xaxis": {"range": x_range},
            "annotations": [
                *annotations,
                *point_labels(importance, performance, labels, x_range, Y_RANGE, corner_boxes(annotations)),
            ],
        },
        style={
            "showlegend": False,
            "height": 640,
            "xaxis": {
                "title": {
                    "text": f"importance: how much it moves {against} (r)" if against else "importance (not derived)"
                }
            },
            "yaxis": {"range": list(Y_RANGE), "title": {"text": "% of customers above the threshold"}},
        },
    )


# --- loudness -----------------------------------------------------------------------------------------------


def loudness_chart(loud: Table, names: Mapping[str, str]) -> Chart:
    """Who speaks louder, the lighthouse or the port: marketing's loudness (0–10) against the mean
    experience (0–10) per pillar. Pillars shouted but not delivered (``gap.LOUDNESS_RULE``) are in vermillion."""
    labels = pillar_labels(loud["pillar"], names)
    rows = row_labels(labels)
    stands_out = loud["shouted_not_delivered"]

    def connectors(keep: np.ndarray) -> dict[str, list]:
        return {
            "x": [
                v
                for shouted, delivered, k in zip(loud["loudness"], loud["delivered"], keep, strict=True)
                for v in ((shouted, delivered, None) if k else ())
            ],
            "y": [v for row, k in zip(rows, keep, strict=True) for v in ((row, row, None) if k else ())],
        }

    colours = np.where(stands_out, STATUS_COLOURS[gap.BROKEN], "#555555").tolist()
    over = loud["over_promise"]
    delivered = loud["delivered"]
    if stands_out.any():
        loudest, least = int(np.argmax(loud["loudness"])), int(np.nanargmin(delivered))
        if loudest == least and stands_out[loudest]:
            title = f"{labels[loudest]} is shouted loudest and delivered least"
        else:
            worst = int(np.nanargmax(np.where(stands_out, over, np.nan)))
            title = f"{labels[worst]} is shouted {over[worst]:.1f} points louder than customers experience it"
    else:
        title = "No pillar is shouted louder than it is delivered"
    return Chart(
        traces=[
            {
                "type": "scatter",
                "name": "shouted, not delivered",
                "mode": "lines",
                **connectors(stands_out),
                "line": {"color": STATUS_COLOURS[gap.BROKEN], "width": 8},
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "name": "in step",
                "mode": "lines",
                **connectors(~stands_out),
                "line": {"color": "#BBBBBB", "width": 6},
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "name": "marketing loudness (the lighthouse)",
                "mode": "markers",
                "x": loud["loudness"],
                "y": rows,
                "marker": {"symbol": "triangle-right", "size": 26, "color": colours},
                "hovertemplate": "%{y}: shouted at %{x:.1f}/10<extra></extra>",
            },
            {
                "type": "scatter",
                "name": "delivered experience (the port)",
                "mode": "markers",
                "x": delivered,
                "y": rows,
                "marker": {"symbol": "square", "size": 22, "color": colours},
                "hovertemplate": "%{y}: customers score %{x:.1f}/10<extra></extra>",
            },
        ],
        layout={"title": {"text": title}},
        style={
            "xaxis": {"range": [-0.2, 10.4], "title": {"text": "out of 10"}, "dtick": 1},
            "yaxis": row_axis(rows),
            "height": rows_height(rows),
        },
    )


# --- internal vs customers ----------------------------------------------------------------------------------


def internal_vs_customers(blind: Table, names: Mapping[str, str]) -> Chart:
    """Each department's view of each pillar against customers': one row per pillar × department, the room's
    "we deliver this today" and "customers would rate us" against customers' mean. ``blind`` is
    ``gap.blind_spots(...)``; it may be empty (no ratings yet). Rows go pillar by pillar in the order of
    ``names`` (the promise's), so the room compares its departments on one pillar at a glance."""
    if len(blind):
        rank = {pillar_id: i for i, pillar_id in enumerate(names)}
        order = sorted(
            range(len(blind)), key=lambda i: (rank.get(str(blind["pillar"][i]), len(rank)), str(blind["department"][i]))
        )
        blind = Table({name: column[order] for name, column in blind.columns.items()})
    rows = (
        [
            f"{label}<br>· {wrapped(escape(d), ROW_LABEL_CHARACTERS)}"
            for label, d in zip(row_labels(pillar_labels(blind["pillar"], names)), blind["department"], strict=True)
        ]
        if len(blind)
        else []
    )
    deliver = blind["deliver_today"].astype(float) if len(blind) else np.array([])
    guess = blind["customers_would_rate"].astype(float) if len(blind) else np.array([])
    customers = blind["customers"] if len(blind) else np.array([])
    connector_x = [v for d, c in zip(deliver, customers, strict=True) for v in (d, c, None)]
    connector_y = [v for row in rows for v in (row, row, None)]
    if len(blind) and np.any(~np.isnan(blind["blind_spot"])):
        spot = blind["blind_spot"]
        worst = int(np.nanargmax(np.abs(spot)))
        direction = "higher" if spot[worst] > 0 else "lower"
        title = (
            f"{escape(blind['department'][worst])} rates {pillar_labels([blind['pillar'][worst]], names)[0]} "
            f"{abs(spot[worst]):.1f} points {direction} than customers do"
        )
    else:
        title = "No ratings from the room yet"
    raters = blind["raters"] if len(blind) else np.array([], dtype=int)
    return Chart(
        traces=[
            {
                "type": "scatter",
                "name": "blind spot",
                "mode": "lines",
                "x": connector_x,
                "y": connector_y,
                "line": {"color": "#BBBBBB", "width": 6},
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "name": "we deliver this today (the room)",
                "mode": "markers",
                "x": deliver,
                "y": rows,
                "marker": {"symbol": "circle", "size": 22, "color": OKABE_ITO[5]},
                "customdata": raters,
                "hovertemplate": "%{y}: we deliver %{x:.1f}/10 (%{customdata} raters)<extra></extra>",
            },
            {
                "type": "scatter",
                "name": "customers would rate us (the room's guess)",
                "mode": "markers",
                "x": guess,
                "y": rows,
                "marker": {"symbol": "circle-open", "size": 22, "color": OKABE_ITO[5], "line": {"width": 3}},
                "hovertemplate": "%{y}: customers would rate %{x:.1f}/10<extra></extra>",
            },
            {
                "type": "scatter",
                "name": "customers (measured)",
                "mode": "markers",
                "x": customers,
                "y": rows,
                "marker": {"symbol": "diamond", "size": 24, "color": "#000000"},
                "hovertemplate": "%{y}: customers score %{x:.1f}/10<extra></extra>",
            },
        ],
        # The rows come and go with the room's ratings, so their axis and the height follow the data.
        layout={"title": {"text": title}, "yaxis": row_axis(rows), "height": rows_height(rows)},
        style={"xaxis": {"range": [-0.2, 10.4], "title": {"text": "out of 10"}, "dtick": 1}},
    )
