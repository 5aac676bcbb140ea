"""How far each pillar is from its promise, as figures: the gap overview, the score distribution, the gap per
pillar and touchpoint, and the trend by month, each a function of ``workshop.gap``'s metric tables returning a
``Chart``. Statuses and small samples are ``workshop.gap``'s; this module computes no metric.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np

from workshop import gap
from workshop.charts.figure_data import Chart
from workshop.charts.projector import (
    BAND_COLOURS,
    NO_ANSWERS,
    NOT_MEASURED,
    OKABE_ITO,
    SMALL_SAMPLE_GREY,
    STATUS_COLOURS,
    escape,
    interval_text,
    percent,
    pillar_labels,
    row_axis,
    row_labels,
    rows_height,
    share_above_text,
    worded,
    wrapped,
)
from workshop.feedback.advocates import DETRACTOR_MAX, PASSIVE_MAX
from workshop.gap import Table

VIEW_GOAL_POSTS = {
    "overview": frozenset({"target", "threshold", "lift"}),
    "distribution": frozenset({"lift"}),
    "heatmap": frozenset({"target", "lift"}),
    "quadrant": frozenset({"threshold", "lift"}),
    "loudness": frozenset({"threshold", "lift"}),
    "internal": frozenset({"lift"}),
    "trend": frozenset({"threshold", "lift"}),
}
"""The views, and which goal posts (``target``, ``threshold``, ``lift``) each one shows: a slider move
redraws only the views that show what it moved."""


def _grid(table: Table, column: str) -> tuple[list[str], list[str], np.ndarray]:
    """A long pillar-major table as (pillars, groups, values[pillar, group])."""
    pillars = list(dict.fromkeys(table["pillar"]))
    groups = list(table["group"][: len(table) // max(len(pillars), 1)])
    return pillars, groups, np.asarray(table[column]).reshape(len(pillars), len(groups))


def _small_label(n: np.ndarray, min_n: int) -> list[str]:
    return [f"n={k} (<{min_n})" for k in n]


# --- gap overview -------------------------------------------------------------------------------------------


def gap_overview(
    pillars: Table, names: Mapping[str, str], min_n: int = gap.DEFAULT_MIN_N, not_measured: Collection[str] = ()
) -> Chart:
    """Per pillar: the target, the threshold and the mean experience with its 95 % interval, coloured by
    status. ``pillars`` is a by-pillar metrics table; the pillars in ``not_measured`` (ids the feedback cannot
    score, ``evidence.pillars_not_measured``) read ``NOT_MEASURED`` on their row."""
    labels = pillar_labels(pillars["pillar"], names)
    rows = row_labels(labels)
    small = pillars["small_sample"]
    mean = pillars["mean"]
    status = pillars["status"]
    status_text = np.where(small, _small_label(pillars["n"], min_n), status)
    hover = [
        f"<b>{label}</b><br>experience {worded(m, '.1f')}{interval_text(lo, hi)}<br>"
        f"{share_above_text(share, threshold, n)}<br>{s}"
        for label, m, lo, hi, share, threshold, n, s in zip(
            labels,
            mean,
            pillars["mean_low"],
            pillars["mean_high"],
            pillars["share_above"],
            pillars["threshold"],
            pillars["n"],
            status,
            strict=True,
        )
    ]
    # A pillar with no score has no dot to carry its status, so its row says it in words at the left.
    unmeasured = [
        {
            "text": f"<i>{NOT_MEASURED}</i>",
            "x": 0,
            "y": row,
            "xanchor": "left",
            "showarrow": False,
            "font": {"color": "#555555"},
        }
        for pillar_id, row in zip(pillars["pillar"], rows, strict=True)
        if pillar_id in not_measured
    ]
    connector_x = np.ravel([[m, t, None] for m, t in zip(mean, pillars["target"], strict=True)]).tolist()
    connector_y = [y for row in rows for y in (row, row, None)]
    judged = [n for n, s in zip(labels, status, strict=True) if s != gap.NOT_JUDGED]
    promise_able = gap.promise_able_count(pillars)
    if judged:
        widest = int(np.nanargmax(np.where(small, np.nan, pillars["gap"])))
        title = (
            f"{promise_able} of {len(labels)} pillars are promise-able; "
            f"{labels[widest]} is furthest from its target ({pillars['gap'][widest]:.1f} points)"
        )
    else:
        title = f"Too few answers to judge any pillar (fewer than {min_n} each)"
    return Chart(
        traces=[
            {
                "type": "scatter",
                "name": "gap to target",
                "x": connector_x,
                "y": connector_y,
                "mode": "lines",
                "line": {"color": "#BBBBBB", "width": 6},
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "name": "experience (95% interval)",
                "x": mean,
                "y": rows,
                "mode": "markers+text",
                "text": status_text,
                "textposition": "top center",
                "marker": {
                    "size": 22,
                    "color": [STATUS_COLOURS[s] for s in status],
                    "symbol": np.where(small, "circle-open", "circle"),
                    "line": {"width": 3},
                },
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": pillars["mean_high"] - mean,
                    "arrayminus": mean - pillars["mean_low"],
                    "thickness": 3,
                    "width": 8,
                    "color": "#000000",
                },
                "hovertext": hover,
                "hoverinfo": "text",
            },
            {
                "type": "scatter",
                "name": "threshold",
                "x": pillars["threshold"],
                "y": rows,
                "mode": "markers",
                # No taller than the dot, so the status above the dot clears it wherever the threshold is moved.
                "marker": {"symbol": "line-ns-open", "size": 16, "line": {"width": 5}, "color": "#000000"},
                "hovertemplate": "threshold %{x:.1f}<extra></extra>",
            },
            {
                "type": "scatter",
                "name": "target",
                "x": pillars["target"],
                "y": rows,
                "mode": "markers",
                "marker": {"symbol": "star", "size": 24, "color": "#000000"},
                "hovertemplate": "target %{x:.1f}<extra></extra>",
            },
        ],
        layout={"title": {"text": title}},
        style={
            "xaxis": {"range": [-0.2, 10.4], "title": {"text": "score out of 10"}, "dtick": 1},
            "yaxis": row_axis(rows),
            "annotations": unmeasured,
            "height": rows_height(rows, extra=340),
        },
    )


# --- score distribution -------------------------------------------------------------------------------------


def score_distribution(pillars: Table, names: Mapping[str, str], min_n: int = gap.DEFAULT_MIN_N) -> Chart:
    """Per pillar, the share of (lifted) scores in the detractor (0–6), passive (7–8) and promoter (9–10)
    bands, stacked to 100 %. Small samples are hatched."""
    labels = pillar_labels(pillars["pillar"], names)
    rows = row_labels(labels)
    small = pillars["small_sample"]
    pattern = {"shape": np.where(small, "/", "").tolist(), "fgcolor": "#FFFFFF", "size": 14}
    bands = (
        ("detractor", f"0–{DETRACTOR_MAX}", "score_detractors"),
        ("passive", f"{DETRACTOR_MAX + 1}–{PASSIVE_MAX}", "score_passives"),
        ("promoter", f"{PASSIVE_MAX + 1}–10", "score_promoters"),
    )
    traces = []
    for band, points, column in bands:
        share = percent(pillars[column])
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": f"{band}s ({points})",
                "x": share,
                "y": rows,
                "marker": {"color": BAND_COLOURS[band], "pattern": pattern},
                "text": [f"{s:.0f}%" if s >= 6 else "" for s in np.nan_to_num(share)],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "hovertext": [
                    f"{label}: {s:.0f}% score {points} (n={n})" if n else f"{label}: {NO_ANSWERS}"
                    for label, s, n in zip(labels, share, pillars["n"], strict=True)
                ],
                "hoverinfo": "text",
            }
        )
    detractors = np.where(small, np.nan, pillars["score_detractors"])
    if np.all(np.isnan(detractors)):
        title = f"Too few answers to judge any pillar (fewer than {min_n} each)"
    else:
        worst = int(np.nanargmax(detractors))
        title = f"{detractors[worst]:.0%} of customers score {labels[worst]} {DETRACTOR_MAX} or below"
    return Chart(
        traces,
        {"title": {"text": title}},
        style={
            "barmode": "stack",
            "xaxis": {"range": [0, 100], "title": {"text": "% of customers"}},
            "yaxis": row_axis(rows),
            "height": rows_height(rows),
        },
    )


# --- heatmap ------------------------------------------------------------------------------------------------


def gap_heatmap(cells: Table, names: Mapping[str, str], min_n: int = gap.DEFAULT_MIN_N) -> Chart:
    """The gap (target − mean, points) per pillar × touchpoint (or any grouping of ``cells``). Small-sample
    cells (the table's ``small_sample``, fewer than ``min_n`` answers) are grey and labelled with their n
    instead of a number; ``min_n`` only words the labels."""
    pillar_ids, groups, gaps = _grid(cells, "gap")
    _, _, n = _grid(cells, "n")
    _, _, small = _grid(cells, "small_sample")
    labels, columns = pillar_labels(pillar_ids, names), [escape(g) for g in groups]
    rows, column_labels = row_labels(labels), [wrapped(c, 14) for c in columns]
    judged = np.where(small, np.nan, gaps)
    text = np.where(
        small, [[f"n={k}" for k in row] for row in n], [[f"{g:.1f}" if g == g else "" for g in row] for row in gaps]
    )
    if np.all(np.isnan(judged)):
        title = f"Too few answers in every cell to compare (fewer than {min_n} each)"
    else:
        p, g = np.unravel_index(int(np.nanargmax(judged)), judged.shape)
        title = f"{labels[p]} at {columns[g]} is furthest from target: {judged[p, g]:.1f} points"
    return Chart(
        traces=[
            {
                "type": "heatmap",
                "name": "gap",
                "z": judged,
                "x": column_labels,
                "y": rows,
                "text": text,
                "texttemplate": "%{text}",
                "zmin": 0,
                "zmax": 10,
                "colorscale": [[0, "#FFFFFF"], [0.5, "#E69F00"], [1, "#D55E00"]],
                "colorbar": {"title": {"text": "gap"}},
                "xgap": 3,
                "ygap": 3,
                "hovertemplate": "%{y} at %{x}: %{z:.1f} points below target<extra></extra>",
            },
            {
                "type": "heatmap",
                "name": f"fewer than {min_n} answers",
                "z": np.where(small, 1.0, np.nan),
                "x": column_labels,
                "y": rows,
                "text": text,
                "texttemplate": "%{text}",
                "showscale": False,
                "colorscale": [[0, "#DDDDDD"], [1, "#DDDDDD"]],
                "xgap": 3,
                "ygap": 3,
                "hovertemplate": "%{y} at %{x}: %{text}, too few answers to judge<extra></extra>",
            },
        ],
        layout={"title": {"text": title}},
        style={
            "yaxis": row_axis(rows),
            "xaxis": {"automargin": True, "tickangle": 0},
            "height": rows_height(rows, extra=260),
        },
    )


# --- trend --------------------------------------------------------------------------------------------------


TREND_COLUMNS = 2


def trend(months: Table, names: Mapping[str, str], min_n: int = gap.DEFAULT_MIN_N) -> Chart:
    """Mean score by month per pillar (one small panel each) with its 95 % band and the threshold line.
    Small-sample months (the table's ``small_sample``; ``min_n`` is that table's minimum) are open grey
    markers, and leave the band."""
    pillar_ids, groups, mean = _grid(months, "mean")
    _, _, low = _grid(months, "mean_low")
    _, _, high = _grid(months, "mean_high")
    _, _, n = _grid(months, "n")
    _, _, threshold = _grid(months, "threshold")
    _, _, small = _grid(months, "small_sample")
    labels, columns = pillar_labels(pillar_ids, names), [escape(g) for g in groups]
    rows_count = max(1, math.ceil(len(labels) / TREND_COLUMNS))
    traces: list[dict[str, Any]] = []
    style: dict[str, Any] = {"showlegend": False, "annotations": [], "height": 200 + 300 * rows_count}
    for p, label in enumerate(labels):
        axis = "" if p == 0 else str(p + 1)
        row, col = divmod(p, TREND_COLUMNS)
        x0, x1 = col / TREND_COLUMNS + 0.04, (col + 1) / TREND_COLUMNS - 0.04
        y1 = 1 - row / rows_count - 0.08
        y0 = 1 - (row + 1) / rows_count + 0.06
        style[f"xaxis{axis}"] = {
            "domain": [x0, x1],
            "anchor": f"y{axis}",
            "type": "category",
            "tickfont": {"size": 16},
            "tickangle": 0,
            "nticks": 5,
        }
        style[f"yaxis{axis}"] = {"domain": [y0, y1], "anchor": f"x{axis}", "range": [0, 10.4], "dtick": 2}
        style["annotations"].append(
            {
                "text": f"<b>{wrapped(label, 30)}</b>",
                "xref": "paper",
                "yref": "paper",
                "x": x0,
                "y": y1 + 0.01,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
        band_low, band_high = np.where(small[p], np.nan, low[p]), np.where(small[p], np.nan, high[p])
        refs = {"xaxis": f"x{axis}", "yaxis": f"y{axis}"}
        traces += [
            {
                "type": "scatter",
                "name": "95% interval",
                **refs,
                "x": columns + columns[::-1],
                "y": np.concatenate([band_high, band_low[::-1]]),
                "fill": "toself",
                "mode": "lines",
                "line": {"width": 0},
                "fillcolor": "rgba(0,114,178,0.2)",
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "name": "mean score",
                **refs,
                "x": columns,
                "y": mean[p],
                "mode": "lines+markers",
                "line": {"color": OKABE_ITO[5], "width": 3},
                "marker": {
                    "size": 12,
                    "color": np.where(small[p], SMALL_SAMPLE_GREY, OKABE_ITO[5]).tolist(),
                    "symbol": np.where(small[p], "circle-open", "circle").tolist(),
                },
                "customdata": n[p],
                "hovertemplate": f"{label} %{{x}}: %{{y:.1f}} (n=%{{customdata}})<extra></extra>",
            },
            {
                "type": "scatter",
                "name": "threshold",
                **refs,
                "x": [columns[0], columns[-1]] if columns else [],
                "y": [threshold[p, 0]] * 2 if columns else [],
                "mode": "lines",
                "line": {"color": "#000000", "dash": "dash", "width": 3},
                "hovertemplate": "threshold %{y:.1f}<extra></extra>",
            },
        ]
    return Chart(traces, {"title": {"text": _trend_title(labels, columns, np.where(small, np.nan, mean))}}, style=style)


def _trend_title(labels: list[str], columns: list[str], judged: np.ndarray) -> str:
    best = None
    for p, label in enumerate(labels):
        months = np.flatnonzero(~np.isnan(judged[p]))
        if len(months) >= 2:
            change = judged[p, months[-1]] - judged[p, months[0]]
            if best is None or abs(change) > abs(best[0]):
                best = (change, label, columns[months[0]], columns[months[-1]])
    if best is None:
        return "Too few months with enough answers to show a trend"
    change, label, first, last = best
    return f"{label} {'rose' if change > 0 else 'fell'} {abs(change):.1f} points from {first} to {last}"
