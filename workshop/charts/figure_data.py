"""A figure as plain data (``Chart``), built once and moved in place: ``Chart.figure()`` builds the ``go.Figure``;
``update_figure`` moves an existing figure (a ``go.FigureWidget`` in a panel) to a new Chart in one
``plotly_update``, sending only the properties that changed, so a slider move never rebuilds a figure. A view
keeps the same number of traces whatever the data, which is what makes updating in place possible.

A metric with no answers behind it is NaN in ``workshop.gap``; it must never reach a widget message as NaN
(which is not JSON, so the kernel drops the message with a warning): a ``Chart`` turns every non-finite number
into None (plotly's gap).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go

from workshop.charts.projector import BASE_LAYOUT, wrapped


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
            self.layout = {
                **self.layout,
                "title": {**self.layout["title"], "text": wrapped(self.layout["title"]["text"])},
            }
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
        raise ValueError(
            f"the figure has {len(fig.data)} traces and the chart {len(chart.traces)}: "
            "build the figure from the same view"
        )
    olds = shown.traces if shown is not None else [trace.to_plotly_json() for trace in fig.data]
    old_layout = shown.full_layout() if shown is not None else fig.layout.to_plotly_json()
    changed = {
        index: [key for key, value in new.items() if not _same(old.get(key), value)]
        for index, (old, new) in enumerate(zip(olds, chart.traces, strict=True))
    }
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
        return (
            type(old) is dict
            and type(new) is dict
            and old.keys() == new.keys()
            and all(_same(old[key], new[key]) for key in new)
        )
    if type(old) is list and type(new) is list and old == new:
        return True
    if (
        isinstance(old, np.ndarray)
        and isinstance(new, np.ndarray)
        and old.dtype == new.dtype
        and old.dtype.kind in "fiub"
    ):
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
        return list(old) == list(new) or all(_same(a, b) for a, b in zip(old, new, strict=True))
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
            if finite.all():
                return value
            kept = value.astype(object)
            kept[~finite] = None
            return kept.tolist()
        return _finite(value.tolist()) if value.dtype.kind == "O" else value
    if isinstance(value, (list, tuple)):
        if all(type(item) in _PLAIN_SCALARS or (type(item) is float and math.isfinite(item)) for item in value):
            return value  # the usual flat list of labels or numbers: one pass, no copy
        return [item if type(item) in _PLAIN_SCALARS else _finite(item) for item in value]
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return None
    return value


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = _merged(merged[key], value) if type(value) is dict and type(merged.get(key)) is dict else value
    return merged
