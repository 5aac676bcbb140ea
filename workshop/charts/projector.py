"""How every figure reads on a projector: the colour-blind-safe palette and the status colours, the fonts and the
base layout, titles and row labels wrapped to the narrowest place a figure is shown, rows tall enough for their
labels, point labels placed so none overlaps, and numbers put into the room's words (``NO_ANSWERS`` where there
are none). Every view of ``workshop.charts`` (and the action and what-if charts) follows these rules.

Text made from names (pillars, touchpoints, segments, departments) goes through ``escape``: plotly renders a
subset of HTML in text. This module holds no business rule and imports no widget library.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from workshop import gap

OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
"""Okabe & Ito's colour-blind-safe palette."""
STATUS_COLOURS = {gap.PROMISE_ABLE: "#009E73", gap.AT_RISK: "#E69F00", gap.BROKEN: "#D55E00", gap.NOT_JUDGED: "#999999"}
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
    "title": {
        "font": {"size": TITLE_SIZE},
        "x": 0.01,
        "xref": "container",
        "xanchor": "left",
        "yref": "paper",
        "y": 1,
        "yanchor": "bottom",
        "automargin": True,
        "pad": {"b": 16},
    },
    "colorway": list(OKABE_ITO[1:]),
    "hoverlabel": {"font": {"size": FONT_SIZE}},
    # At the very bottom of the figure, under the axis title (never on it): the bottom margin leaves it room.
    "legend": {
        "orientation": "h",
        "yref": "container",
        "yanchor": "bottom",
        "y": 0.0,
        "x": 0,
        "xanchor": "left",
        "font": {"size": FONT_SIZE - 1},
    },
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
    return {
        "autorange": "reversed",
        "automargin": True,
        "tickmode": "array",
        "tickvals": list(labels),
        "ticktext": list(labels),
    }


def worded(value: Any, spec: str) -> str:
    """``value`` formatted by ``spec`` (e.g. ``".1f"``, ``".0%"``), or ``NO_ANSWERS`` when it is missing
    (None, NaN or infinite): the one place a missing number is put into words."""
    if value is None or not math.isfinite(float(value)):
        return NO_ANSWERS
    return format(value, spec)


def share_above_text(share: float, threshold: float, n: int) -> str:
    """ "62% above 6 (n=40)": the share of answers (0–1) above a threshold (0–10), in the room's words."""
    return NO_ANSWERS if not n else f"{worded(share, '.0%')} above {threshold:g} (n={n})"


def interval_text(low: float, high: float) -> str:
    """ " (95% 6.1–7.3)", or nothing when there are too few answers for an interval."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f" (95% {low:.1f}–{high:.1f})"


def escape(text: Any) -> str:
    """Text from people (names, departments, touchpoints) made safe for plotly's HTML-ish labels."""
    return html.escape(str(text))


def pillar_labels(pillar_ids: Iterable[str], names: Mapping[str, str]) -> list[str]:
    return [escape(names.get(p, p)) for p in pillar_ids]


def row_labels(texts: Sequence[str]) -> list[str]:
    """Escaped row labels, wrapped at ROW_LABEL_CHARACTERS."""
    return [wrapped(text, ROW_LABEL_CHARACTERS) for text in texts]


def percent(share: np.ndarray) -> np.ndarray:
    return np.round(100 * np.asarray(share, dtype=float), 1)


LABEL_PLACES = (
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
)
PLOT_PX = (600, 360)
"""The plot area a label placement assumes (width, height in px): the narrowest a projector shows."""


def _text_size(text: str) -> tuple[float, float]:
    """Estimated (width, height) in px of a text of lines at FONT_SIZE in Arial."""
    lines = html.unescape(text).replace("<b>", "").replace("</b>", "").split("<br>")
    return 0.6 * FONT_SIZE * max(len(line) for line in lines), 1.3 * FONT_SIZE * len(lines)


def corner_boxes(annotations: list[dict[str, Any]]) -> list[tuple[float, float, float, float]]:
    """The boxes (px on a PLOT_PX plot, y up) of annotations placed in paper corners."""
    boxes = []
    for note in annotations:
        width, height = _text_size(note["text"])
        x, y = note["x"] * PLOT_PX[0], note["y"] * PLOT_PX[1]
        left = x - width if note.get("xanchor") == "right" else x if note.get("xanchor") == "left" else x - width / 2
        bottom = (
            y - height if note.get("yanchor") == "top" else y if note.get("yanchor") == "bottom" else y - height / 2
        )
        boxes.append((left, bottom, left + width, bottom + height))
    return boxes


def label_positions(
    x: np.ndarray,
    y: np.ndarray,
    labels: Sequence[str],
    x_range: Sequence[float],
    y_range: Sequence[float],
    reserved: Sequence[tuple[float, float, float, float]] = (),
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

    points = [
        (px(float(xi), 0), px(float(yi), 1)) if math.isfinite(float(xi)) and math.isfinite(float(yi)) else None
        for xi, yi in zip(x, y, strict=True)
    ]
    taken = [*reserved, *[(cx - 12, cy - 12, cx + 12, cy + 12) for point in points if point for cx, cy in [point]]]
    places = []
    for point, label in zip(points, labels, strict=True):
        if point is None:
            places.append(LABEL_PLACES[0])
            continue
        width, height = _text_size(wrapped(label, 18))
        boxes = {place: box(*point, place, width, height) for place in LABEL_PLACES}
        inside = [
            place for place, b in boxes.items() if b[0] >= 0 and b[2] <= PLOT_PX[0] and b[1] >= 0 and b[3] <= PLOT_PX[1]
        ] or list(LABEL_PLACES)
        # The first place that clears everything, else the one that overlaps least.
        place = min(inside, key=lambda place: sum(overlap(boxes[place], other) for other in taken))
        places.append(place)
        taken.append(boxes[place])
    return places
