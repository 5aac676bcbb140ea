"""Gap views as plotly figures, from the metric tables of ``workshop.gap``, readable on a projector.

Each view is a function returning a ``Chart``: the figure as plain data (traces and the parts of the layout
that follow the data). ``Chart.figure()`` builds the ``go.Figure`` once; ``update_figure`` moves an existing
figure (a ``go.FigureWidget`` in a panel) to a new Chart in one ``plotly_update``, sending only the properties
that changed, so a slider move never rebuilds a figure. A view keeps the same number of traces whatever the
data, which is what makes updating in place possible.

This module must not import ipywidgets, and holds no business rule: statuses, quadrants, loudness and blind
spots come from ``workshop.gap``. Every label and hover text made from names (pillars, touchpoints, segments,
departments) is HTML-escaped, because plotly renders a subset of HTML in text.

A metric with no answers behind it is NaN in ``workshop.gap``; it must never reach the screen as "nan" nor a
widget message as NaN (which is not JSON, so the kernel drops the message with a warning). Text says
``NO_ANSWERS`` through ``worded``, and a ``Chart`` turns every non-finite number into None (plotly's gap).
"""
from __future__ import annotations

import html
import math
import textwrap
from dataclasses import dataclass, field
from typing import Any, Collection, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from workshop import gap
from workshop.feedback.advocates import DETRACTOR_MAX, PASSIVE_MAX
from workshop.feedback.mapping import NO_IMPORTANCE, ImportanceMeasure
from workshop.gap import Table

OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
"""Okabe & Ito's colour-blind-safe palette."""
STATUS_COLOURS = {gap.PROMISE_ABLE: "#009E73", gap.AT_RISK: "#E69F00", gap.BROKEN: "#D55E00",
                  gap.NOT_JUDGED: "#999999"}
"""The same colour for a status in every view."""
BAND_COLOURS = {"detractor": "#D55E00", "passive": "#56B4E9", "promoter": "#0072B2"}
SMALL_SAMPLE_GREY = STATUS_COLOURS[gap.NOT_JUDGED]
NO_ANSWERS = "no answers yet"
"""What the screen says where a number has no answers behind it (the filter keeps none)."""
NOT_MEASURED = "not measured"
"""What a pillar's row says when the feedback cannot score it at all (nothing mapped to it): never a blank row."""
FONT_SIZE = 18
"""Base font in px: readable from the back of a room on a projector."""
TITLE_SIZE = 24
TITLE_CHARACTERS = 58
"""A title wraps after this many characters: at TITLE_SIZE, the width of the narrowest place a figure is shown
(a JupyterLab notebook beside its file browser at 1280×800, about 850 px) less the margins."""
ROW_PX = 46
"""Height of one category row: a row label at FONT_SIZE and its markers, with air between rows."""
PLOT_CONFIG = {"displayModeBar": False, "responsive": True}
"""How every figure is drawn: no toolbar over the title, and resized with the window."""

BASE_LAYOUT: dict[str, Any] = {
    "template": "simple_white",
    "autosize": True,
    "font": {"size": FONT_SIZE, "family": "Arial, Helvetica, sans-serif", "color": "#000000"},
    # Above the plot, and automargin: the top margin grows with a wrapped title instead of the title being cut.
    "title": {"font": {"size": TITLE_SIZE}, "x": 0.01, "xref": "container", "xanchor": "left", "yref": "paper", "y": 1,
              "yanchor": "bottom", "automargin": True, "pad": {"b": 16}},
    "colorway": list(OKABE_ITO[1:]),
    "hoverlabel": {"font": {"size": FONT_SIZE}},
    # At the very bottom of the figure, under the axis title (never on it): the bottom margin leaves it room.
    "legend": {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.0, "x": 0, "xanchor": "left",
               "font": {"size": FONT_SIZE - 1}},
    "margin": {"l": 40, "r": 30, "t": 60, "b": 150, "autoexpand": True},
}


def wrapped(title: str, width: int = TITLE_CHARACTERS) -> str:
    """A title broken into lines of at most ``width`` characters (at spaces) with plotly's ``<br>``, so it
    wraps rather than running off the figure."""
    return "<br>".join(textwrap.wrap(title, width, break_long_words=False, break_on_hyphens=False)) or title


ROW_LABEL_CHARACTERS = 26
"""A row label (a pillar, or a pillar and a department) wraps after this many characters, so long names take
lines, not half the figure's width."""
LINE_PX = 23
"""One line of a row label at FONT_SIZE."""


def rows_height(labels: Sequence[str], extra: int = 300, least: int = 480) -> int:
    """A figure's height in px for these category rows plus title, axis and legend. Rows are evenly spaced, so
    each is as tall as the label with the most lines needs (at least ROW_PX)."""
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    return max(least, extra + len(labels) * max(ROW_PX, LINE_PX * lines + 12))


def row_axis(labels: Sequence[str]) -> dict[str, Any]:
    """A category axis of rows, top to bottom, that labels every row (plotly would skip some when they crowd)."""
    return {"autorange": "reversed", "automargin": True, "tickmode": "array", "tickvals": list(labels),
            "ticktext": list(labels)}


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


@dataclass
class Chart:
    """A figure as plain data. ``traces`` are plotly trace dicts (always the same number for a view);
    ``layout`` holds what follows the data (title, shapes, ranges); ``style`` what never changes after the
    figure is built."""

    traces: list[dict[str, Any]]
    layout: dict[str, Any]
    style: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Here, once, because every figure and every in-place update is made from a Chart.
        self.traces = [_finite(trace) for trace in self.traces]
        if "title" in self.layout and "<br>" not in self.layout["title"]["text"]:
            self.layout = {**self.layout, "title": {**self.layout["title"],
                                                    "text": wrapped(self.layout["title"]["text"])}}
        self.layout = _finite(self.layout)
        self.style = _finite(self.style)

    @property
    def title(self) -> str:
        """The title as one line of text (the figure shows it wrapped)."""
        return self.layout["title"]["text"].replace("<br>", " ")

    def full_layout(self) -> dict[str, Any]:
        return _merged(_merged(BASE_LAYOUT, self.style), self.layout)

    def figure(self) -> go.Figure:
        return go.Figure(data=self.traces, layout=self.full_layout())


def update_figure(fig: go.Figure, chart: Chart, shown: Chart | None = None) -> int:
    """Move ``fig`` (a Figure or FigureWidget built from the same view) to ``chart`` in place, in one
    ``plotly_update`` that sends only the top-level properties that changed. Returns how many were sent.

    ``shown`` is the Chart the figure shows now (the one it was built from or last updated to): given, the
    comparison needs no reading back from plotly. Whole top-level properties (``marker``, ``title``) are sent
    rather than dotted paths (``marker.color``) because plotly parses a dotted path several times per update,
    which costs more than validating the whole property.
    """
    if len(fig.data) != len(chart.traces):
        raise ValueError(f"the figure has {len(fig.data)} traces and the chart {len(chart.traces)}: "
                         "build the figure from the same view")
    olds = shown.traces if shown is not None else [trace.to_plotly_json() for trace in fig.data]
    old_layout = shown.full_layout() if shown is not None else fig.layout.to_plotly_json()
    changed = {index: [key for key, value in new.items() if not _same(old.get(key), value)]
               for index, (old, new) in enumerate(zip(olds, chart.traces))}
    indexes = [index for index, keys in changed.items() if keys]
    restyle: dict[str, list] = {}
    for key in dict.fromkeys(key for index in indexes for key in changed[index]):
        restyle[key] = [chart.traces[index].get(key) for index in indexes]
    layout = chart.full_layout()
    relayout = {key: layout[key] for key in chart.layout if not _same(old_layout.get(key), layout[key])}
    if restyle or relayout:
        fig.plotly_update(restyle_data=restyle, relayout_data=relayout, trace_indexes=indexes)
    return sum(len(changed[index]) for index in indexes) + len(relayout)


def _same(old: Any, new: Any) -> bool:
    """Whether two plotly property values (numbers, text, arrays, dicts of them) show the same thing."""
    if old is new:
        return True
    if type(old) is dict or type(new) is dict:
        return (type(old) is dict and type(new) is dict and old.keys() == new.keys()
                and all(_same(old[key], new[key]) for key in new))
    if type(old) is list and type(new) is list and old == new:
        return True
    if isinstance(old, np.ndarray) and isinstance(new, np.ndarray) and old.dtype == new.dtype \
            and old.dtype.kind in "fiub":
        # Comparing bytes is an order of magnitude faster than array_equal, and a NaN equals itself.
        return old.shape == new.shape and old.tobytes() == new.tobytes()
    if isinstance(old, np.ndarray):
        old = old.tolist()
    if isinstance(new, np.ndarray):
        new = new.tolist()
    if isinstance(old, (list, tuple)) or isinstance(new, (list, tuple)):
        if not (isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)) and len(old) == len(new)):
            return False
        # NaN is not equal to itself, so a plain == can say "changed" where nothing did: look closer then.
        return list(old) == list(new) or all(_same(a, b) for a, b in zip(old, new))
    if isinstance(old, float) and isinstance(new, float) and math.isnan(old) and math.isnan(new):
        return True
    return old == new and type(old) in (type(new), int, float, np.float64, np.int64)


_PLAIN_SCALARS = frozenset({str, int, bool, type(None)})


def _finite(value: Any) -> Any:
    """``value`` (a plotly property: numbers, text, arrays, dicts of them) with every NaN or infinity replaced
    by None, which plotly draws as a gap and JSON can carry. Arrays without one are returned as they are, so
    the usual case costs one ``isfinite`` per array. Text and whole numbers are passed over without a call:
    this runs on every figure of every slider move."""
    if type(value) is dict:
        return {key: item if type(item) in _PLAIN_SCALARS else _finite(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            finite = np.isfinite(value)
            return value if finite.all() else np.where(finite, value, None).tolist()
        return _finite(value.tolist()) if value.dtype.kind == "O" else value
    if isinstance(value, (list, tuple)):
        if all(type(item) in _PLAIN_SCALARS or (type(item) is float and math.isfinite(item)) for item in value):
            return value  # the usual flat list of labels or numbers: one pass, no copy
        return [item if type(item) in _PLAIN_SCALARS else _finite(item) for item in value]
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return None
    return value


def worded(value: Any, spec: str) -> str:
    """``value`` formatted by ``spec`` (e.g. ``".1f"``, ``".0%"``), or ``NO_ANSWERS`` when it is missing
    (None, NaN or infinite): the one place a missing number is put into words."""
    if value is None or not math.isfinite(float(value)):
        return NO_ANSWERS
    return format(value, spec)


def share_above_text(share: float, threshold: float, n: int) -> str:
    """"62% above 6 (n=40)": the share of answers (0–1) above a threshold (0–10), in the room's words."""
    return NO_ANSWERS if not n else f"{worded(share, '.0%')} above {threshold:g} (n={n})"


def _interval_text(low: float, high: float) -> str:
    """" (95% 6.1–7.3)", or nothing when there are too few answers for an interval."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f" (95% {low:.1f}–{high:.1f})"


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = _merged(merged[key], value) if type(value) is dict and type(merged.get(key)) is dict else value
    return merged


def escape(text: Any) -> str:
    """Text from people (names, departments, touchpoints) made safe for plotly's HTML-ish labels."""
    return html.escape(str(text))


def _names(pillar_ids: Sequence[str], names: Mapping[str, str]) -> list[str]:
    return [escape(names.get(p, p)) for p in pillar_ids]


def _row_labels(texts: Sequence[str]) -> list[str]:
    """Escaped row labels, wrapped at ROW_LABEL_CHARACTERS."""
    return [wrapped(text, ROW_LABEL_CHARACTERS) for text in texts]


def _grid(table: Table, column: str) -> tuple[list[str], list[str], np.ndarray]:
    """A long pillar-major table as (pillars, groups, values[pillar, group])."""
    pillars = list(dict.fromkeys(table["pillar"]))
    groups = list(table["group"][: len(table) // max(len(pillars), 1)])
    return pillars, groups, np.asarray(table[column]).reshape(len(pillars), len(groups))


def _percent(share: np.ndarray) -> np.ndarray:
    return np.round(100 * np.asarray(share, dtype=float), 1)


def _small_label(n: np.ndarray, min_n: int) -> list[str]:
    return [f"n={k} (<{min_n})" for k in n]


# --- gap overview -------------------------------------------------------------------------------------------


def gap_overview(pillars: Table, names: Mapping[str, str], min_n: int = gap.DEFAULT_MIN_N,
                 not_measured: Collection[str] = ()) -> Chart:
    """Per pillar: the target, the threshold and the mean experience with its 95 % interval, coloured by
    status. ``pillars`` is a by-pillar metrics table; the pillars in ``not_measured`` (ids the feedback cannot
    score, ``evidence.pillars_not_measured``) read ``NOT_MEASURED`` on their row."""
    labels = _names(pillars["pillar"], names)
    rows = _row_labels(labels)
    small = pillars["small_sample"]
    mean = pillars["mean"]
    status = pillars["status"]
    status_text = np.where(small, _small_label(pillars["n"], min_n), status)
    hover = [f"<b>{label}</b><br>experience {worded(m, '.1f')}{_interval_text(lo, hi)}<br>"
             f"{share_above_text(share, threshold, n)}<br>{s}"
             for label, m, lo, hi, share, threshold, n, s in zip(
                 labels, mean, pillars["mean_low"], pillars["mean_high"], pillars["share_above"],
                 pillars["threshold"], pillars["n"], status)]
    # A pillar with no score has no dot to carry its status, so its row says it in words at the left.
    unmeasured = [{"text": f"<i>{NOT_MEASURED}</i>", "x": 0, "y": row, "xanchor": "left", "showarrow": False,
                   "font": {"color": "#555555"}}
                  for pillar_id, row in zip(pillars["pillar"], rows) if pillar_id in not_measured]
    connector_x = np.ravel([[m, t, None] for m, t in zip(mean, pillars["target"])]).tolist()
    connector_y = [y for row in rows for y in (row, row, None)]
    judged = [n for n, s in zip(labels, status) if s != gap.NOT_JUDGED]
    promise_able = gap.promise_able_count(pillars)
    if judged:
        widest = int(np.nanargmax(np.where(small, np.nan, pillars["gap"])))
        title = (f"{promise_able} of {len(labels)} pillars are promise-able; "
                 f"{labels[widest]} is furthest from its target ({pillars['gap'][widest]:.1f} points)")
    else:
        title = f"Too few answers to judge any pillar (fewer than {min_n} each)"
    return Chart(
        traces=[
            {"type": "scatter", "name": "gap to target", "x": connector_x, "y": connector_y, "mode": "lines",
             "line": {"color": "#BBBBBB", "width": 6}, "hoverinfo": "skip"},
            {"type": "scatter", "name": "experience (95% interval)", "x": mean, "y": rows,
             "mode": "markers+text", "text": status_text, "textposition": "top center",
             "marker": {"size": 22, "color": [STATUS_COLOURS[s] for s in status],
                        "symbol": np.where(small, "circle-open", "circle"), "line": {"width": 3}},
             "error_x": {"type": "data", "symmetric": False, "array": pillars["mean_high"] - mean,
                         "arrayminus": mean - pillars["mean_low"], "thickness": 3, "width": 8,
                         "color": "#000000"},
             "hovertext": hover, "hoverinfo": "text"},
            {"type": "scatter", "name": "threshold", "x": pillars["threshold"], "y": rows, "mode": "markers",
             "marker": {"symbol": "line-ns-open", "size": 36, "line": {"width": 5}, "color": "#000000"},
             "hovertemplate": "threshold %{x:.1f}<extra></extra>"},
            {"type": "scatter", "name": "target", "x": pillars["target"], "y": rows, "mode": "markers",
             "marker": {"symbol": "star", "size": 24, "color": "#000000"},
             "hovertemplate": "target %{x:.1f}<extra></extra>"},
        ],
        layout={"title": {"text": title}},
        style={"xaxis": {"range": [-0.2, 10.4], "title": {"text": "score out of 10"}, "dtick": 1},
               "yaxis": row_axis(rows), "annotations": unmeasured, "height": rows_height(rows, extra=340)},
    )


# --- score distribution -------------------------------------------------------------------------------------


def score_distribution(pillars: Table, names: Mapping[str, str], min_n: int = gap.DEFAULT_MIN_N) -> Chart:
    """Per pillar, the share of (lifted) scores in the detractor (0–6), passive (7–8) and promoter (9–10)
    bands, stacked to 100 %. Small samples are hatched."""
    labels = _names(pillars["pillar"], names)
    rows = _row_labels(labels)
    small = pillars["small_sample"]
    pattern = {"shape": np.where(small, "/", "").tolist(), "fgcolor": "#FFFFFF", "size": 14}
    bands = (("detractor", f"0–{DETRACTOR_MAX}", "score_detractors"),
             ("passive", f"{DETRACTOR_MAX + 1}–{PASSIVE_MAX}", "score_passives"),
             ("promoter", f"{PASSIVE_MAX + 1}–10", "score_promoters"))
    traces = []
    for band, points, column in bands:
        share = _percent(pillars[column])
        traces.append({
            "type": "bar", "orientation": "h", "name": f"{band}s ({points})", "x": share, "y": rows,
            "marker": {"color": BAND_COLOURS[band], "pattern": pattern},
            "text": [f"{s:.0f}%" if s >= 6 else "" for s in np.nan_to_num(share)], "textposition": "inside",
            "insidetextanchor": "middle",
            "hovertext": [f"{label}: {s:.0f}% score {points} (n={n})" if n else f"{label}: {NO_ANSWERS}"
                          for label, s, n in zip(labels, share, pillars["n"])], "hoverinfo": "text"})
    detractors = np.where(small, np.nan, pillars["score_detractors"])
    if np.all(np.isnan(detractors)):
        title = f"Too few answers to judge any pillar (fewer than {min_n} each)"
    else:
        worst = int(np.nanargmax(detractors))
        title = f"{detractors[worst]:.0%} of customers score {labels[worst]} {DETRACTOR_MAX} or below"
    return Chart(traces, {"title": {"text": title}},
                 style={"barmode": "stack", "xaxis": {"range": [0, 100], "title": {"text": "% of customers"}},
                        "yaxis": row_axis(rows), "height": rows_height(rows)})


# --- heatmap ------------------------------------------------------------------------------------------------


def gap_heatmap(cells: Table, names: Mapping[str, str], min_n: int = gap.DEFAULT_MIN_N) -> Chart:
    """The gap (target − mean, points) per pillar × touchpoint (or any grouping of ``cells``). Small-sample
    cells (the table's ``small_sample``, fewer than ``min_n`` answers) are grey and labelled with their n
    instead of a number; ``min_n`` only words the labels."""
    pillar_ids, groups, gaps = _grid(cells, "gap")
    _, _, n = _grid(cells, "n")
    _, _, small = _grid(cells, "small_sample")
    labels, columns = _names(pillar_ids, names), [escape(g) for g in groups]
    rows, column_labels = _row_labels(labels), [wrapped(c, 14) for c in columns]
    judged = np.where(small, np.nan, gaps)
    text = np.where(small, [[f"n={k}" for k in row] for row in n],
                    [[f"{g:.1f}" if g == g else "" for g in row] for row in gaps])
    if np.all(np.isnan(judged)):
        title = f"Too few answers in every cell to compare (fewer than {min_n} each)"
    else:
        p, g = np.unravel_index(int(np.nanargmax(judged)), judged.shape)
        title = f"{labels[p]} at {columns[g]} is furthest from target: {judged[p, g]:.1f} points"
    return Chart(
        traces=[
            {"type": "heatmap", "name": "gap", "z": judged, "x": column_labels, "y": rows, "text": text,
             "texttemplate": "%{text}", "zmin": 0, "zmax": 10,
             "colorscale": [[0, "#FFFFFF"], [0.5, "#E69F00"], [1, "#D55E00"]],
             "colorbar": {"title": {"text": "gap"}}, "xgap": 3, "ygap": 3,
             "hovertemplate": "%{y} at %{x}: %{z:.1f} points below target<extra></extra>"},
            {"type": "heatmap", "name": f"fewer than {min_n} answers", "z": np.where(small, 1.0, np.nan),
             "x": column_labels, "y": rows, "text": text, "texttemplate": "%{text}", "showscale": False,
             "colorscale": [[0, "#DDDDDD"], [1, "#DDDDDD"]], "xgap": 3, "ygap": 3,
             "hovertemplate": "%{y} at %{x}: %{text}, too few answers to judge<extra></extra>"},
        ],
        layout={"title": {"text": title}},
        style={"yaxis": row_axis(rows), "xaxis": {"automargin": True, "tickangle": 0},
               "height": rows_height(rows, extra=260)},
    )


# --- importance–performance ---------------------------------------------------------------------------------


def importance_performance(quadrant: Table, statuses: Sequence[str], names: Mapping[str, str],
                           measure: ImportanceMeasure | None) -> Chart:
    """Martilla & James: importance (r with ``measure``, e.g. likelihood to recommend) across, performance
    (share above the threshold) up, split at the average importance and the promise-able line. ``quadrant``
    is ``gap.quadrants(...)``; ``measure`` is ``feedback.mapping.importance_measure(mapping)``.

    With no measure the view draws nothing and says why (``NO_IMPORTANCE``); with no pillar placed its title
    says nothing can be judged yet, never that no important pillar falls short."""
    labels = _names(quadrant["pillar"], names)
    line = float(quadrant["importance_line"][0]) if len(quadrant) else math.nan
    placed = [q is not None for q in quadrant["quadrant"]]
    concentrate = [label for label, q in zip(labels, quadrant["quadrant"]) if q == gap.CONCENTRATE]
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
    shapes = [] if math.isnan(line) else [
        {"type": "line", "x0": line, "x1": line, "y0": 0, "y1": 100, "line": {"dash": "dash", "color": "#555555"}}]
    shapes.append({"type": "line", "x0": x_range[0], "x1": 1, "y0": 100 * gap.PROMISE_ABLE_SHARE,
                   "y1": 100 * gap.PROMISE_ABLE_SHARE, "line": {"dash": "dash", "color": "#555555"}})
    if measure is None:
        annotations = [{"text": "<br>".join(textwrap.wrap(NO_IMPORTANCE, 60)), "xref": "paper", "yref": "paper",
                        "x": 0.5, "y": 0.5, "showarrow": False, "font": {"size": FONT_SIZE}}]
    else:
        corners = ((gap.CONCENTRATE, 0.99, 0.01, "right", "bottom"), (gap.KEEP_UP, 0.99, 0.99, "right", "top"),
                   (gap.LOW_PRIORITY, 0.01, 0.01, "left", "bottom"), (gap.OVERKILL, 0.01, 0.99, "left", "top"))
        annotations = [{"text": f"<b>{text}</b>", "xref": "paper", "yref": "paper", "x": x, "y": y,
                        "showarrow": False, "xanchor": xa, "yanchor": ya,
                        "font": {"size": FONT_SIZE, "color": "#555555"}} for text, x, y, xa, ya in corners]
    performance = _percent(quadrant["performance"])
    return Chart(
        traces=[{"type": "scatter", "name": "pillars", "mode": "markers+text", "x": importance,
                 "y": performance, "text": [wrapped(label, 18) for label in labels],
                 "textposition": label_positions(importance, performance, labels, x_range, (0, 105),
                                                 _corner_boxes(annotations)),
                 "marker": {"size": 24, "color": [STATUS_COLOURS[s] for s in statuses],
                            "symbol": ["circle-open" if s == gap.NOT_JUDGED else "circle" for s in statuses],
                            "line": {"width": 3}},
                 "hovertemplate": "%{text}<br>importance r=%{x:.2f}<br>%{y:.0f}% above the threshold<extra></extra>"}],
        layout={"title": {"text": title}, "shapes": shapes, "xaxis": {"range": x_range}},
        style={"annotations": annotations, "showlegend": False, "height": 640,
               "xaxis": {"title": {"text": f"importance: how much it moves {against} (r)" if against
                                   else "importance (not derived)"}},
               "yaxis": {"range": [0, 105], "title": {"text": "% of customers above the threshold"}}},
    )


LABEL_PLACES = ("top center", "bottom center", "middle right", "middle left", "top right", "top left",
                "bottom right", "bottom left")
PLOT_PX = (600, 360)
"""The plot area a label placement assumes (width, height in px): the narrowest a projector shows."""


def _text_size(text: str) -> tuple[float, float]:
    """Estimated (width, height) in px of a text of lines at FONT_SIZE in Arial."""
    lines = html.unescape(text).replace("<b>", "").replace("</b>", "").split("<br>")
    return 0.6 * FONT_SIZE * max(len(line) for line in lines), 1.3 * FONT_SIZE * len(lines)


def _corner_boxes(annotations: list[dict[str, Any]]) -> list[tuple[float, float, float, float]]:
    """The boxes (px on a PLOT_PX plot, y up) of annotations placed in paper corners."""
    boxes = []
    for note in annotations:
        width, height = _text_size(note["text"])
        x, y = note["x"] * PLOT_PX[0], note["y"] * PLOT_PX[1]
        left = x - width if note.get("xanchor") == "right" else x if note.get("xanchor") == "left" else x - width / 2
        bottom = y - height if note.get("yanchor") == "top" else y if note.get("yanchor") == "bottom" else y - height / 2
        boxes.append((left, bottom, left + width, bottom + height))
    return boxes


def label_positions(x: np.ndarray, y: np.ndarray, labels: Sequence[str], x_range: Sequence[float],
                    y_range: Sequence[float], reserved: Sequence[tuple[float, float, float, float]] = ()
                    ) -> list[str]:
    """A ``textposition`` per point so that no two point labels overlap: each label (in point order) takes the
    first place around its point whose box, estimated from its lines at FONT_SIZE on a PLOT_PX plot, clears the
    points, the ``reserved`` boxes (px, y up) and the labels placed so far, or else the one overlapping them least."""
    def px(value: float, axis: int) -> float:
        span = (x_range, y_range)[axis]
        return (value - span[0]) / (span[1] - span[0]) * PLOT_PX[axis]

    def box(cx: float, cy: float, place: str, width: float, height: float) -> tuple[float, float, float, float]:
        vertical, horizontal = place.split()
        gap = 16  # half a marker and some air
        left = {"center": cx - width / 2, "right": cx + gap, "left": cx - gap - width}[horizontal]
        bottom = {"top": cy + gap, "bottom": cy - gap - height, "middle": cy - height / 2}[vertical]
        return left, bottom, left + width, bottom + height

    def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
        return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))

    points = [(px(float(xi), 0), px(float(yi), 1)) if math.isfinite(float(xi)) and math.isfinite(float(yi))
              else None for xi, yi in zip(x, y)]
    taken = [*reserved, *[(cx - 12, cy - 12, cx + 12, cy + 12) for point in points if point for cx, cy in [point]]]
    places = []
    for point, label in zip(points, labels):
        if point is None:
            places.append(LABEL_PLACES[0])
            continue
        width, height = _text_size(wrapped(label, 18))
        boxes = {place: box(*point, place, width, height) for place in LABEL_PLACES}
        inside = [place for place, b in boxes.items()
                  if b[0] >= 0 and b[2] <= PLOT_PX[0] and b[1] >= 0 and b[3] <= PLOT_PX[1]] or list(LABEL_PLACES)
        # The first place that clears everything, else the one that overlaps least.
        place = min(inside, key=lambda place: sum(overlap(boxes[place], other) for other in taken))
        places.append(place)
        taken.append(boxes[place])
    return places


# --- loudness -----------------------------------------------------------------------------------------------


def loudness_chart(loud: Table, names: Mapping[str, str]) -> Chart:
    """Who speaks louder, the lighthouse or the port: marketing's loudness (0–10) against the mean
    experience (0–10) per pillar. Pillars shouted but not delivered (``gap.LOUDNESS_RULE``) are in vermillion."""
    labels = _names(loud["pillar"], names)
    rows = _row_labels(labels)
    stands_out = loud["shouted_not_delivered"]

    def connectors(keep: np.ndarray) -> dict[str, list]:
        return {"x": [v for l, d, k in zip(loud["loudness"], loud["delivered"], keep) for v in ((l, d, None) if k else ())],
                "y": [v for row, k in zip(rows, keep) for v in ((row, row, None) if k else ())]}

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
            {"type": "scatter", "name": "shouted, not delivered", "mode": "lines", **connectors(stands_out),
             "line": {"color": STATUS_COLOURS[gap.BROKEN], "width": 8}, "hoverinfo": "skip"},
            {"type": "scatter", "name": "in step", "mode": "lines", **connectors(~stands_out),
             "line": {"color": "#BBBBBB", "width": 6}, "hoverinfo": "skip"},
            {"type": "scatter", "name": "marketing loudness (the lighthouse)", "mode": "markers", "x": loud["loudness"],
             "y": rows, "marker": {"symbol": "triangle-right", "size": 26, "color": colours},
             "hovertemplate": "%{y}: shouted at %{x:.1f}/10<extra></extra>"},
            {"type": "scatter", "name": "delivered experience (the port)", "mode": "markers", "x": delivered,
             "y": rows, "marker": {"symbol": "square", "size": 22, "color": colours},
             "hovertemplate": "%{y}: customers score %{x:.1f}/10<extra></extra>"},
        ],
        layout={"title": {"text": title}},
        style={"xaxis": {"range": [-0.2, 10.4], "title": {"text": "out of 10"}, "dtick": 1},
               "yaxis": row_axis(rows), "height": rows_height(rows)},
    )


# --- internal vs customers ----------------------------------------------------------------------------------


def internal_vs_customers(blind: Table, names: Mapping[str, str]) -> Chart:
    """Each department's view of each pillar against customers': one row per pillar × department, the room's
    "we deliver this today" and "customers would rate us" against customers' mean. ``blind`` is
    ``gap.blind_spots(...)``; it may be empty (no ratings yet). Rows go pillar by pillar in the order of
    ``names`` (the promise's), so the room compares its departments on one pillar at a glance."""
    if len(blind):
        rank = {pillar_id: i for i, pillar_id in enumerate(names)}
        order = sorted(range(len(blind)), key=lambda i: (rank.get(blind["pillar"][i], len(rank)),
                                                         str(blind["department"][i])))
        blind = Table({name: column[order] for name, column in blind.columns.items()})
    rows = [f"{label}<br>· {wrapped(escape(d), ROW_LABEL_CHARACTERS)}"
            for label, d in zip(_row_labels(_names(blind["pillar"], names)), blind["department"])] if len(blind) else []
    deliver = blind["deliver_today"].astype(float) if len(blind) else np.array([])
    guess = blind["customers_would_rate"].astype(float) if len(blind) else np.array([])
    customers = blind["customers"] if len(blind) else np.array([])
    connector_x = [v for d, c in zip(deliver, customers) for v in (d, c, None)]
    connector_y = [v for row in rows for v in (row, row, None)]
    if len(blind) and np.any(~np.isnan(blind["blind_spot"])):
        spot = blind["blind_spot"]
        worst = int(np.nanargmax(np.abs(spot)))
        direction = "higher" if spot[worst] > 0 else "lower"
        title = (f"{escape(blind['department'][worst])} rates {_names([blind['pillar'][worst]], names)[0]} "
                 f"{abs(spot[worst]):.1f} points {direction} than customers do")
    else:
        title = "No ratings from the room yet"
    raters = blind["raters"] if len(blind) else []
    return Chart(
        traces=[
            {"type": "scatter", "name": "blind spot", "mode": "lines", "x": connector_x, "y": connector_y,
             "line": {"color": "#BBBBBB", "width": 6}, "hoverinfo": "skip"},
            {"type": "scatter", "name": "we deliver this today (the room)", "mode": "markers", "x": deliver, "y": rows,
             "marker": {"symbol": "circle", "size": 22, "color": OKABE_ITO[5]}, "customdata": raters,
             "hovertemplate": "%{y}: we deliver %{x:.1f}/10 (%{customdata} raters)<extra></extra>"},
            {"type": "scatter", "name": "customers would rate us (the room's guess)", "mode": "markers", "x": guess,
             "y": rows, "marker": {"symbol": "circle-open", "size": 22, "color": OKABE_ITO[5], "line": {"width": 3}},
             "hovertemplate": "%{y}: customers would rate %{x:.1f}/10<extra></extra>"},
            {"type": "scatter", "name": "customers (measured)", "mode": "markers", "x": customers, "y": rows,
             "marker": {"symbol": "diamond", "size": 24, "color": "#000000"},
             "hovertemplate": "%{y}: customers score %{x:.1f}/10<extra></extra>"},
        ],
        # The rows come and go with the room's ratings, so their axis and the height follow the data.
        layout={"title": {"text": title}, "yaxis": row_axis(rows), "height": rows_height(rows)},
        style={"xaxis": {"range": [-0.2, 10.4], "title": {"text": "out of 10"}, "dtick": 1}},
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
    labels, columns = _names(pillar_ids, names), [escape(g) for g in groups]
    rows_count = max(1, math.ceil(len(labels) / TREND_COLUMNS))
    traces, style = [], {"showlegend": False, "annotations": [], "height": 200 + 300 * rows_count}
    for p, label in enumerate(labels):
        axis = "" if p == 0 else str(p + 1)
        row, col = divmod(p, TREND_COLUMNS)
        x0, x1 = col / TREND_COLUMNS + 0.04, (col + 1) / TREND_COLUMNS - 0.04
        y1 = 1 - row / rows_count - 0.08
        y0 = 1 - (row + 1) / rows_count + 0.06
        style[f"xaxis{axis}"] = {"domain": [x0, x1], "anchor": f"y{axis}", "type": "category",
                                 "tickfont": {"size": 16}, "tickangle": 0, "nticks": 5}
        style[f"yaxis{axis}"] = {"domain": [y0, y1], "anchor": f"x{axis}", "range": [0, 10.4], "dtick": 2}
        style["annotations"].append({"text": f"<b>{wrapped(label, 30)}</b>", "xref": "paper", "yref": "paper",
                                     "x": x0, "y": y1 + 0.01, "xanchor": "left", "yanchor": "bottom",
                                     "showarrow": False})
        band_low, band_high = np.where(small[p], np.nan, low[p]), np.where(small[p], np.nan, high[p])
        refs = {"xaxis": f"x{axis}", "yaxis": f"y{axis}"}
        traces += [
            {"type": "scatter", "name": "95% interval", **refs, "x": columns + columns[::-1],
             "y": np.concatenate([band_high, band_low[::-1]]), "fill": "toself", "mode": "lines",
             "line": {"width": 0}, "fillcolor": "rgba(0,114,178,0.2)", "hoverinfo": "skip"},
            {"type": "scatter", "name": "mean score", **refs, "x": columns, "y": mean[p], "mode": "lines+markers",
             "line": {"color": OKABE_ITO[5], "width": 3},
             "marker": {"size": 12, "color": np.where(small[p], SMALL_SAMPLE_GREY, OKABE_ITO[5]).tolist(),
                        "symbol": np.where(small[p], "circle-open", "circle").tolist()},
             "customdata": n[p], "hovertemplate": f"{label} %{{x}}: %{{y:.1f}} (n=%{{customdata}})<extra></extra>"},
            {"type": "scatter", "name": "threshold", **refs, "x": [columns[0], columns[-1]] if columns else [],
             "y": [threshold[p, 0]] * 2 if columns else [], "mode": "lines",
             "line": {"color": "#000000", "dash": "dash", "width": 3},
             "hovertemplate": "threshold %{y:.1f}<extra></extra>"},
        ]
    return Chart(traces, {"title": {"text": _trend_title(labels, columns, np.where(small, np.nan, mean))}},
                 style=style)


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


# --- the live room ------------------------------------------------------------------------------------------


ROOM_QUESTIONS = {"deliver_today": ("How well do we deliver this today?", OKABE_ITO[5]),
                  "customers_would_rate": ("How would our customers rate it?", OKABE_ITO[1])}
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
    columns = [wrapped(label, 14) for label in _names(pillars, names)]
    column_of = dict(zip(pillars, columns))
    raters = len(set(ratings["participant"]))
    x = [column_of.get(p, escape(p)) for p in ratings["pillar"]]
    who = [escape(person) for person in ratings["participant"]]
    traces = [{"type": "box", "name": question, "x": x, "y": np.asarray(ratings[key], dtype=float), "text": who,
               "boxpoints": "all", "jitter": 0.4, "pointpos": 0, "visible": revealed,
               "marker": {"color": colour, "size": 10}, "line": {"color": colour},
               "hovertemplate": "%{text}: %{y}<extra></extra>"}
              for key, (question, colour) in ROOM_QUESTIONS.items()]
    title = (f"The room's ratings ({_people(raters)})" if revealed
             else f"The room's ratings: {_people(raters)} rated so far ({HIDDEN})")
    return Chart(traces, {"title": {"text": title}},
                 style={"boxmode": "group", "height": 560,
                        "yaxis": {"range": [-0.5, 10.5], "title": {"text": "out of 10"}, "dtick": 2},
                        "xaxis": {"categoryorder": "array", "categoryarray": columns, "tickangle": 0,
                                  "automargin": True}})


def room_next_to_customers(room: Table, customers: Mapping[str, float], names: Mapping[str, str],
                           revealed: bool) -> Chart:
    """Per pillar, the room's mean answers (``room``: ``gap.room_means``) next to customers' mean score
    (``customers``: pillar id -> 0–10; a pillar without one has no bar)."""
    columns = [wrapped(label, 14) for label in _names(room["pillar"], names)]
    measured = np.array([customers.get(p, np.nan) for p in room["pillar"]], dtype=float)
    bars = [(question, colour, np.asarray(room[key], dtype=float)) for key, (question, colour) in ROOM_QUESTIONS.items()]
    bars.append(("Customers' own scores", CUSTOMERS_COLOUR, measured))
    traces = [{"type": "bar", "name": name, "x": columns, "y": values, "visible": revealed,
               "marker": {"color": colour}, "hovertemplate": f"{escape(name)}: %{{y:.1f}}<extra></extra>"}
              for name, colour, values in bars]
    title = "The room next to the customers" if revealed else f"The room next to the customers ({HIDDEN})"
    return Chart(traces, {"title": {"text": title}},
                 style={"barmode": "group", "height": 520,
                        "yaxis": {"range": [0, 10], "title": {"text": "mean, out of 10"}, "dtick": 2},
                        "xaxis": {"tickangle": 0, "automargin": True}})


def dots_per_idea(numbers: Sequence[int], texts: Sequence[str], dots: Sequence[int], voters: int,
                  revealed: bool) -> Chart:
    """The ideas' dots, in the order given (most first): one bar per idea labelled by its number, its text in
    the hover."""
    rows = [f"#{number}" for number in numbers]
    title = (f"Dots per idea ({_people(voters)} voted)" if revealed
             else f"Votes: {_people(voters)} voted so far ({HIDDEN})")
    trace = {"type": "bar", "orientation": "h", "name": "dots", "x": list(dots), "y": rows,
             "text": [escape(text) for text in texts], "textposition": "none", "visible": revealed,
             "marker": {"color": OKABE_ITO[5]}, "hovertemplate": "%{text}: %{x} dots<extra></extra>"}
    return Chart([trace], {"title": {"text": title}, "yaxis": row_axis(rows), "height": rows_height(rows, least=420),
                           "xaxis": {"range": [0, max(max(dots, default=0), 1) * 1.05], "title": {"text": "dots"}}},
                 style={"showlegend": False})
