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


LABEL_DIRECTIONS = ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1))
"""Where a point's label may go, as (right, up) steps from its point, in order of preference: above, below,
beside, then the corners."""
LABEL_REACH_PX = (0, 40)
"""How much further than next to its point a label may sit: beside it, or out along a leader line."""
POINT_LABEL_CHARACTERS = 18
"""A point's label wraps after this many characters (``point_labels`` places it so wrapped)."""
PLOT_PX = (600, 360)
"""The plot area a label placement assumes (width, height in px): the narrowest a projector shows."""


ARIAL_EMS = {**dict.fromkeys("ijlI.,:;'|!", 0.25), **dict.fromkeys("ftr -()/", 0.31), **dict.fromkeys("mwMW", 0.86)}
"""Widths in em of Arial's narrowest and widest characters, rounded up from its metrics; capitals not listed
are ARIAL_CAPITAL_EM wide and every other character ARIAL_EM."""
ARIAL_CAPITAL_EM = 0.73
ARIAL_EM = 0.57
BOLD_WIDER = 1.1


def _text_size(text: str) -> tuple[float, float]:
    """Estimated (width, height) in px of a text of lines at FONT_SIZE in Arial, a little wider than it draws:
    a label placed by it clears its neighbours for real."""
    bold = "<b>" in text
    lines = html.unescape(text.replace("<b>", "").replace("</b>", "")).split("<br>")
    widest = max(sum(ARIAL_EMS.get(c, ARIAL_CAPITAL_EM if c.isupper() else ARIAL_EM) for c in line) for line in lines)
    return widest * FONT_SIZE * (BOLD_WIDER if bold else 1.0), 1.3 * FONT_SIZE * len(lines)


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


def point_labels(
    x: np.ndarray,
    y: np.ndarray,
    labels: Sequence[str],
    x_range: Sequence[float],
    y_range: Sequence[float],
    reserved: Sequence[tuple[float, float, float, float]] = (),
) -> list[dict[str, Any]]:
    """Each point's label as an annotation (points with a missing coordinate get none), placed so that no two
    labels overlap and none lies on a point or a ``reserved`` box (px on a PLOT_PX plot, y up). A label sits next
    to its point, or further out on a leader line where the points crowd. Each label's box is estimated from its
    lines at FONT_SIZE on a PLOT_PX plot, the narrowest a projector shows, so the labels clear each other there
    and, the points only drawing apart, on any wider screen.

    All the labels are placed together, not one after the other: a label placed first in its favourite place
    can leave a later one nowhere to go (the advocates-only filter brings the dots that close). The search takes
    the first arrangement, in order of preference (near before far, LABEL_DIRECTIONS' order), that overlaps
    nothing; if none does within PLACEMENT_SEARCH_STEPS, the one that overlaps least of those tried."""
    placed = [
        (index, (_px(float(xi), x_range, PLOT_PX[0]), _px(float(yi), y_range, PLOT_PX[1])))
        for index, (xi, yi) in enumerate(zip(x, y, strict=True))
        if math.isfinite(float(xi)) and math.isfinite(float(yi))
    ]
    if not placed:
        return []
    texts = [wrapped(labels[i], POINT_LABEL_CHARACTERS) for i, _ in placed]
    # offsets[i, k]: how far (px, y up) the centre of the i-th placed label sits from its point in place k.
    offsets = np.array([_label_offsets(_text_size(text)) for text in texts])
    sizes = np.array([_text_size(text) for text in texts])
    centres = np.array([point for _, point in placed])[:, None, :] + offsets
    boxes = np.concatenate([centres - sizes[:, None, :] / 2, centres + sizes[:, None, :] / 2], axis=-1)
    inside = (boxes[..., 0] >= 0) & (boxes[..., 2] <= PLOT_PX[0]) & (boxes[..., 1] >= 0) & (boxes[..., 3] <= PLOT_PX[1])
    half = MARKER_PX / 2
    markers = [(cx - half, cy - half, cx + half, cy + half) for _, (cx, cy) in placed]
    obstacles = np.array([*reserved, *markers], dtype=float).reshape(-1, 4)
    # What each place costs by itself (what it covers, and leaving the plot), and against each other label's places.
    alone = _overlap(boxes[:, :, None, :], obstacles[None, None, :, :]).sum(axis=2) + np.where(inside, 0.0, 1e6)
    between = _overlap(boxes[:, :, None, None, :], boxes[None, None, :, :, :])
    chosen = _least_overlapping(alone, between)
    return [
        {
            "text": text,
            "x": float(x[i]),
            "y": float(y[i]),
            "ax": float(offsets[label, place, 0]),
            "ay": -float(offsets[label, place, 1]),
            "showarrow": True,
            "arrowhead": 0,
            "arrowwidth": 1.5,
            "arrowcolor": "#555555",
            "standoff": MARKER_PX / 2,
            "font": {"size": FONT_SIZE},
        }
        for label, ((i, _), text, place) in enumerate(zip(placed, texts, chosen, strict=True))
    ]


def _label_offsets(size: tuple[float, float]) -> list[tuple[float, float]]:
    """The centre (px from its point, y up) of a label of ``size`` in each place: LABEL_DIRECTIONS at each of
    LABEL_REACH_PX, a marker's radius and some air clear of the point."""
    width, height = size
    gap = 16
    return [
        (right * (width / 2 + gap + reach), up * (height / 2 + gap + reach))
        for reach in LABEL_REACH_PX
        for right, up in LABEL_DIRECTIONS
    ]


MARKER_PX = 28
"""A point's marker, with its outline and a little air, as a square a label must clear."""
PLACEMENT_SEARCH_STEPS = 4000
"""How many partial arrangements of labels the search tries at most: it ends well within a slider's budget."""


def _px(value: float, span: Sequence[float], size: float) -> float:
    return (value - span[0]) / (span[1] - span[0]) * size


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The area (px²) two boxes (or broadcast arrays of them, last axis left, bottom, right, top) share."""
    width = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    height = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def _least_overlapping(alone: np.ndarray, between: np.ndarray) -> list[int]:
    """A place for each label (an index into LABEL_PLACES), by depth-first search in order of preference:
    ``alone[i, k]`` is what label i costs in place k by itself, ``between[i, k, j, l]`` what it shares with
    label j in place l. Returns the first arrangement that costs nothing, or the cheapest one tried."""
    count, choices = alone.shape
    best: tuple[float, list[int]] = (math.inf, [])
    steps = 0

    def search(chosen: list[int], cost: float) -> bool:
        nonlocal best, steps
        if cost >= best[0]:
            return False
        if len(chosen) == count:
            best = (cost, list(chosen))
            return cost == 0
        label = len(chosen)
        for place in range(choices):
            steps += 1
            if steps > PLACEMENT_SEARCH_STEPS:
                return True
            added = alone[label, place] + sum(between[label, place, other, chosen[other]] for other in range(label))
            chosen.append(place)
            if search(chosen, cost + added):
                return True
            chosen.pop()
        return False

    search([], 0.0)
    if not best[1]:
        # Out of steps before any whole arrangement: each label in its own least costly place.
        return [int(np.argmin(alone[label])) for label in range(count)]
    return best[1]
