"""FigureWidgets made from ``workshop.charts`` Charts that draw what the kernel last said and fill their container,
whenever and however often the browser shows them.

Why this exists. A FigureWidget in plotly 6+ is an anywidget: the browser compiles plotly's 5 MB widget code for
each new figure before the figure's model listens to anything. An in-place update (``plotly_update``, what
``charts.update_figure`` and ``batch_update`` send) is a message about a change, not the state: one that
arrives while that code is still compiling is dropped, and the view later draws the figure as it was created.
plotly re-sends the whole state (``_widget_data``, ``_widget_layout``) only when the figure itself is displayed
at the top of a cell, never when it sits inside a Box, as every panel's figures do. That is how the live panel,
which made empty figures and filled them in place, came up with empty axes and no title on a busy laptop.
So: a figure is created from its complete Chart, and every update made before a view of it is displayed also
carries the whole state (cheap then: nobody is dragging a slider at a figure nobody sees).

And plotly's widget draws into its element before the element is in the page, where its width is unknown, so it
falls back to plotly's 700 px; the anywidget path never resizes it. When a view is displayed (ipywidgets counts
views in ``_view_count``) the figure is told to size itself to its container.
"""

from __future__ import annotations

from copy import deepcopy

import plotly.graph_objects as go

from workshop import charts


def projector_figure(chart: charts.Chart) -> go.FigureWidget:
    """The FigureWidget of ``chart``, with its whole state, resized to its container on every display."""
    figure = go.FigureWidget(chart.figure())
    figure._config = dict(charts.PLOT_CONFIG)
    figure.observe(lambda change: _fill_container(figure, change), names="_view_count")
    return figure


def move_figure(figure: go.FigureWidget, chart: charts.Chart, shown: charts.Chart) -> int:
    """``charts.update_figure`` for a ``projector_figure``: in place; and, while no view of it is displayed,
    with the whole state too, so a view that loads later draws this. Returns how many properties changed."""
    changed = charts.update_figure(figure, chart, shown)
    if changed and not figure._view_count:
        figure._widget_layout = deepcopy(figure._layout_obj._props)
        figure._widget_data = deepcopy(figure._data)
    return changed


def _fill_container(figure: go.FigureWidget, change: dict) -> None:
    if (change["new"] or 0) > (change["old"] or 0):
        # Sent even when autosize is already on: it is what makes the view measure its container again.
        figure._send_relayout_msg({"autosize": True})
