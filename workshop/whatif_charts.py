"""What the gap costs, as ``workshop.charts.Chart``s: the three scenarios month by month, the budget's splits,
how the budget's answer moves with each assumption, and whether the room's sentences name each pillar.

Built on ``workshop.charts``' machinery (``BASE_LAYOUT``, ``OKABE_ITO``, ``FONT_SIZE``, ``Chart`` and
``update_figure``): each view keeps the same number of traces whatever the assumptions, so a panel moves it in
place. Every title says what the figure shows *on the room's assumptions*: a what-if, never a forecast. No
widgets, and no rule: the numbers come from ``workshop.whatif`` and ``workshop.internal_brand``. Names (pillars,
departments) are escaped.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np

from workshop import whatif, whatif_budget
from workshop.charts import FONT_SIZE, OKABE_ITO, Chart, escape
from workshop.internal_brand import WHOLE_ROOM, PromiseKnown

SCENARIO_COLOURS = {whatif.TODAY: "#D55E00", whatif.LIFTED: OKABE_ITO[3], whatif.REFRESHED: OKABE_ITO[5]}
SCENARIO_DASHES = {whatif.TODAY: "solid", whatif.LIFTED: "dash", whatif.REFRESHED: "dot"}
"""Colour and dash both tell the scenarios apart, so a grey projector or a colour-blind eye still can."""
WHAT_IF = "what-if on the room's assumptions"
TITLE_LINES = 3
"""A what-if title says its figure, its subject and that it is a what-if: up to three lines at 52 characters."""
TITLE_PLACE = {"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 30}, "automargin": False}
"""Hung from the top of the figure, in a margin made for ``TITLE_LINES``: anchored at the plot's top instead (the
charts' default), a three-line title came down over the plot in the browser."""
TITLE_MARGIN = 30 + 31 * TITLE_LINES + 16


def cost_of_gap_chart(cost: whatif.CostOfGap) -> Chart:
    """Sales per month (top) and customers lost per month to word of mouth (bottom), one line per scenario."""
    months = cost.outcome.months + 1
    traces = []
    for row, (quantity, axis) in enumerate((("sales", ""), ("lost", "2"))):
        for i, scenario in enumerate(cost.scenarios):
            values = getattr(cost.outcome, quantity)[i]
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": scenario,
                    "legendgroup": scenario,
                    "showlegend": row == 0,
                    "x": months,
                    "y": values,
                    "xaxis": f"x{axis}",
                    "yaxis": f"y{axis}",
                    "line": {"color": SCENARIO_COLOURS[scenario], "dash": SCENARIO_DASHES[scenario], "width": 4},
                    "hovertemplate": f"{scenario}, month %{{x}}: %{{y:,.0f}}<extra></extra>",
                }
            )
    today = cost.lost_per_month(whatif.TODAY)
    title = (
        f"About {whatif.people_text(today)} customers a month lost to word of mouth about "
        f"{escape(cost.subject)} by month {len(months)} ({WHAT_IF})"
    )
    return Chart(
        traces,
        {"title": {"text": _wrapped(title)}},
        style={
            "xaxis": {"domain": [0, 1], "anchor": "y", "showticklabels": False, "dtick": 3},
            "yaxis": {
                "domain": [0.58, 1],
                "title": {"text": "sales a month,<br>net of word of mouth"},
                "zeroline": True,
                "zerolinewidth": 2,
                "zerolinecolor": "#555555",
            },
            "xaxis2": {"domain": [0, 1], "anchor": "y2", "title": {"text": "month", "standoff": 4}, "dtick": 3},
            "yaxis2": {
                "domain": [0, 0.42],
                "title": {"text": "customers lost<br>to word of mouth"},
                "rangemode": "tozero",
            },
            "legend": {"y": -0.2},
            "title": TITLE_PLACE,
            "margin": {"l": 120, "t": TITLE_MARGIN, "b": 110},
        },
    )


def budget_chart(answer: whatif_budget.BudgetAnswer) -> Chart:
    """Customers at the horizon for each split of the budget, the best split marked."""
    shares = np.round(100 * whatif_budget.MARKETING_SHARES)
    best = answer.best
    horizon = int(answer.assumptions["horizon_months"])
    title = (
        f"{shares[best]:.0f}% to marketing, {100 - shares[best]:.0f}% to the front line keeps the most "
        f"customers at month {horizon} ({WHAT_IF})"
    )
    return Chart(
        traces=[
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "customers at the horizon",
                "x": shares,
                "y": answer.customers,
                "line": {"color": OKABE_ITO[5], "width": 4},
                "marker": {"size": 9},
                "hovertemplate": "%{x:.0f}% to marketing: %{y:,.0f} customers<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "best split",
                "x": [shares[best]],
                "y": [answer.customers[best]],
                "marker": {"symbol": "star", "size": 26, "color": OKABE_ITO[1], "line": {"width": 2}},
                "hovertemplate": "best: %{x:.0f}% to marketing<extra></extra>",
            },
        ],
        layout={"title": {"text": _wrapped(title)}},
        style={
            "xaxis": {
                "range": [-3, 103],
                "title": {"text": "% of the budget to marketing (rest: front line)"},
                "dtick": 10,
            },
            # Below zero, word of mouth keeps away more people than the campaign wins (whatif.customers_text):
            # the zero line is always drawn and says so, so nobody reads a negative count of customers aloud.
            "yaxis": {
                "title": {"text": f"customers at month {horizon}"},
                "rangemode": "tozero",
                "zeroline": True,
                "zerolinewidth": 2,
                "zerolinecolor": "#555555",
            },
            "annotations": [
                {
                    "text": "below 0: word of mouth keeps away more people than the campaign wins",
                    "xref": "paper",
                    "x": 1,
                    "xanchor": "right",
                    "yref": "y",
                    "y": 0,
                    "yanchor": "top",
                    "showarrow": False,
                    "font": {"size": FONT_SIZE - 2, "color": "#555555"},
                }
            ],
            "legend": {"y": -0.28},
            "title": TITLE_PLACE,
            "margin": {"l": 110, "t": TITLE_MARGIN, "b": 130},
        },
    )


def sensitivity_chart(answer: whatif_budget.BudgetAnswer) -> Chart:
    """For each assumption, the best split when it is halved and when it is doubled: the longer the bar, the
    more the answer rests on that assumption."""
    labels = [
        escape((whatif.ASSUMPTION.get(n) or whatif_budget.BUDGET_ASSUMPTION[n]).label) for n, *_ in answer.sensitivity
    ]
    at_low = np.array([row[3] for row in answer.sensitivity]) * 100
    at_high = np.array([row[4] for row in answer.sensitivity]) * 100
    name, *_ = answer.most_sensitive()
    moved = bool(np.any(at_low != at_high))
    most = escape((whatif.ASSUMPTION.get(name) or whatif_budget.BUDGET_ASSUMPTION[name]).label)
    title = _wrapped(
        f"The answer rests most on: {most}" if moved else "Halving or doubling any one assumption keeps the answer"
    )
    connector_x = [v for lo, hi in zip(at_low, at_high, strict=True) for v in (lo, hi, None)]
    connector_y = [v for label in labels for v in (label, label, None)]
    hover = [
        f"{label}: {row[1]:g} → {lo:.0f}% to marketing; {row[2]:g} → {hi:.0f}%"
        for label, row, lo, hi in zip(labels, answer.sensitivity, at_low, at_high, strict=True)
    ]
    return Chart(
        traces=[
            {
                "type": "scatter",
                "mode": "lines",
                "name": "how far the answer moves",
                "x": connector_x,
                "y": connector_y,
                "line": {"color": "#BBBBBB", "width": 10},
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "assumption halved",
                "x": at_low,
                "y": labels,
                "marker": {"symbol": "triangle-left", "size": 20, "color": OKABE_ITO[2]},
                "hovertext": hover,
                "hoverinfo": "text",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "assumption doubled",
                "x": at_high,
                "y": labels,
                "marker": {"symbol": "triangle-right", "size": 20, "color": OKABE_ITO[6]},
                "hovertext": hover,
                "hoverinfo": "text",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "today's best split",
                "x": [answer.best_share * 100] * 2,
                "y": [labels[0], labels[-1]],
                "line": {"color": "#000000", "dash": "dash", "width": 3},
                "hoverinfo": "skip",
            },
        ],
        layout={"title": {"text": title}},
        style={
            "xaxis": {"range": [-3, 103], "title": {"text": "best % of the budget to marketing"}, "dtick": 20},
            "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
            "legend": {"y": -0.3},
            "title": TITLE_PLACE,
            "margin": {"t": TITLE_MARGIN, "b": 140},
        },
    )


def promise_known_chart(known: PromiseKnown, names: Mapping[str, str]) -> Chart:
    """The share of each department's sentences (and the whole room's) that name each pillar; pillars the promise
    as written names are marked ✓ under their name."""
    table = known.table
    pillars = list(dict.fromkeys(table["pillar"]))
    departments = list(dict.fromkeys(table["department"]))
    share = np.asarray(table["share"], dtype=float).reshape(len(pillars), len(departments)).T
    given = np.asarray(table["sentences"]).reshape(len(pillars), len(departments)).T
    # Pillar names over short lines under the grid: slanted above it, they ran into the title.
    columns = [_wrapped(f"{escape(names.get(p, p))}{' ✓' if p in known.in_statement else ''}", 9) for p in pillars]
    rows = [f"<b>{escape(d)}</b>" if d == WHOLE_ROOM else escape(d) for d in departments]
    text = np.where(
        np.isnan(share), "no sentence", np.char.add(np.round(100 * np.nan_to_num(share)).astype(int).astype(str), "%")
    )
    least = known.least_known()
    title = _wrapped(
        f"Fewest of the room name {escape(names.get(least, least))} when they say the promise"
        if least
        else "No one has put the promise in a sentence yet"
    )
    return Chart(
        traces=[
            {
                "type": "heatmap",
                "name": "name the pillar",
                "z": share * 100,
                "x": columns,
                "y": rows,
                "text": text,
                "texttemplate": "%{text}",
                "zmin": 0,
                "zmax": 100,
                "customdata": given,
                "colorscale": [[0, "#FFFFFF"], [1, OKABE_ITO[5]]],
                "xgap": 3,
                "ygap": 3,
                "colorbar": {"title": {"text": "% name it"}},
                "hovertemplate": "%{y}: %{text} of %{customdata} sentences name %{x}<extra></extra>",
            }
        ],
        layout={
            "title": {"text": title},
            "annotations": []
            if least
            else [
                {
                    "text": "The room's sentences appear here once they rate the pillars (the live session).",
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "showarrow": False,
                }
            ],
        },
        style={
            "yaxis": {"autorange": "reversed", "automargin": True},
            "xaxis": {"side": "bottom", "tickangle": 0, "automargin": True},
            "title": TITLE_PLACE,
            "margin": {"t": TITLE_MARGIN},
            "font": {"size": FONT_SIZE},
        },
    )


def _wrapped(title: str, width: int = 52) -> str:
    """A long title over lines at word breaks, so it never runs off a projector's figure."""
    return "<br>".join(textwrap.wrap(title, width))
