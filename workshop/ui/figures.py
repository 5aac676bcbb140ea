"""FigureWidgets made from ``workshop.charts`` Charts that draw what the kernel last said and fill their container,
whenever, however often and in however many tabs the browser shows them.

Why this exists: plotly's own FigureWidget (an anywidget since plotly 6) loses updates in two ways, both seen
in JupyterLab in Chromium (tests/test_live_panel_lab.py).

1. A view draws the model's whole state (``_widget_data``, ``_widget_layout``), which plotly's kernel side
   sets only when the figure is made. An in-place update (``plotly_update``, what ``charts.update_figure``
   sends) is a message about a change: a view already listening applies it, but one made later (the browser
   still compiling plotly's 5 MB code when the update came, a second tab, a reloaded page) draws the figure
   as it was made, and no later update repeats what it missed. Waiting for ipywidgets' ``_view_count`` does
   not help: it counts a view before plotly's code has loaded. So every new view tells the kernel it is
   listening (``LISTENING``), and the kernel answers with the whole figure, as state and as one update.
2. A view that is removed (a re-run cell, a closed tab, an output re-rendered) leaves its listeners on the
   model: plotly registers them through the model it got in ``initialize``, not the one anywidget gives the
   view and cleans up. The next update reaches the dead view, Plotly.update throws on its purged element
   ("Error setting state: Cannot read properties of undefined (reading 'length')"), and views registered
   after it never get that update. So each view listens through its own model, removed with it.

Both are mended in the browser code: plotly's bundle with its last statement (the anywidget entry point)
replaced by ``_ENTRY``, which uses plotly's own model and view classes. plotly also draws an element that is not
yet in the page at its 700 px fallback and never resizes it there, and a widget Box (each gap and what-if tab
holds its figure in one) makes the element as wide as that plot; ``_ENTRY`` makes the element as wide as its
container and sizes the plot to it once drawn and whenever the width changes (tab shown, notebook resized, file
browser opened or closed).
"""

from __future__ import annotations

import re
from copy import deepcopy
from functools import cache
from typing import Any

import plotly
import plotly.graph_objects as go
import traitlets
from plotly.basewidget import BaseFigureWidget

from workshop import charts

LISTENING = "promise-gap:listening"
"""What a view sends the kernel once it draws and listens for updates."""

_PLOTLY_EXPORT = re.compile(
    r"export\{(?P<model>[\w$]+) as FigureModel,(?P<view>[\w$]+) as FigureView,[\w$]+ as default\};"
)
"""The last statement of plotly's bundle: its anywidget entry point, and the model and view classes it uses."""
_ENTRY = """const bundles = (window.promiseGapPlotly ??= new Map());

function plotlyWidget(model) {
  const key = model.get("_plotly_bundle_key");
  if (!bundles.has(key)) {
    const code = new Blob([model.get("_plotly_bundle")], { type: "text/javascript" });
    bundles.set(key, import(URL.createObjectURL(code)));
  }
  return bundles.get(key);
}

export default {
  async render({ model, el, signal }) {
    const { FigureModel, FigureView, serializers } = await plotlyWidget(model);
    if (signal.aborted) return;
    // A widget Box lays its children in a row, each as wide as its content: the plot's own 700 px.
    Object.assign(el.style, { width: "100%", minWidth: "0" });
    const view = new FigureView(new FigureModel(model, serializers), el);
    const fit = () => {
      const width = el.getBoundingClientRect().width;
      if (width > 0 && el._fullLayout && Math.abs(width - el._fullLayout.width) > 1) view.relayout({ autosize: true });
    };
    const drawn = (event) => { if (event.detail.element === el) fit(); };
    document.addEventListener("plotlywidget-after-render", drawn);
    view.perform_render();
    model.send({ event: "LISTENING" });
    const resized = new ResizeObserver(fit);
    resized.observe(el);
    return () => {
      resized.disconnect();
      document.removeEventListener("plotlywidget-after-render", drawn);
      view.remove();
    };
  },
};
"""
"""The figure's own entry point: small, so anywidget has it running within its two seconds (a model whose code
is not running by then ignores every message from the kernel); plotly's 5 MB is compiled once per page, in the
first view, and shared by every figure after it."""


@cache
def _plotly_bundle() -> str:
    """plotly's widget bundle, exporting its model and view classes and their serializers; read once per kernel."""
    bundle = str(BaseFigureWidget._esm)  # anywidget holds the file as its contents
    exported = _PLOTLY_EXPORT.search(bundle)
    names = exported and re.search(
        rf"{re.escape(exported['view'])}=class\{{.*?(?P<plotly>[\w$]+)\.default\.newPlot\(.*?"
        rf"new {re.escape(exported['model'])}\([\w$]+\.model,(?P<serializers>[\w$]+)\)",
        bundle,
        re.DOTALL,
    )
    if exported is None or names is None:  # only a plotly upgrade can do this, and every figure test then fails
        raise RuntimeError(f"plotly {plotly.__version__} changed its widget code: update {__name__}._PLOTLY_EXPORT")
    view = exported["view"]
    patched = (
        f"{view}.prototype.relayout=function(changes){{return {names['plotly']}.default.relayout(this.el,changes)}};"
        f"export{{{exported['model']} as FigureModel,{view} as FigureView,{names['serializers']} as serializers}};"
    )
    return bundle[: exported.start()] + patched + bundle[exported.end() :]


class ProjectorFigure(go.FigureWidget):
    """A FigureWidget whose every view draws the latest state and fills its container (see the module)."""

    _esm = _ENTRY.replace("LISTENING", LISTENING)
    _plotly_bundle = traitlets.Unicode(_plotly_bundle()).tag(sync=True)
    _plotly_bundle_key = traitlets.Unicode(f"plotly {plotly.__version__}").tag(sync=True)

    def __init__(self, chart: charts.Chart) -> None:
        super().__init__(chart.figure())
        self._config = dict(charts.PLOT_CONFIG)
        self.on_msg(_send_whole_figure)


def projector_figure(chart: charts.Chart) -> go.FigureWidget:
    """The FigureWidget of ``chart``: made from its whole state, drawn in every view and tab as it is now."""
    return ProjectorFigure(chart)


def move_figure(figure: go.FigureWidget, chart: charts.Chart, shown: charts.Chart) -> int:
    """``charts.update_figure`` for a ``projector_figure``: in place. Returns how many properties changed."""
    return charts.update_figure(figure, chart, shown)


def _send_whole_figure(figure: Any, content: Any, _buffers: object) -> None:
    """A view is listening now: give it (and every other view) the whole figure as state and as one update, so it
    draws what was sent before it listened."""
    if not isinstance(content, dict) or content.get("event") != LISTENING:
        return
    traces = figure._data
    keys = dict.fromkeys(key for trace in traces for key in trace)
    style = {key: [trace.get(key) for trace in traces] for key in keys}
    figure._widget_layout = deepcopy(figure._layout_obj._props)
    figure._widget_data = deepcopy(figure._data)
    figure._send_update_msg(style, dict(figure._layout), list(range(len(traces))))
