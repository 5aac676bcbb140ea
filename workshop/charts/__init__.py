"""The workshop's figures, as plotly figures from the metric tables of ``workshop.gap``, readable on a projector.

- ``projector``: the rules every figure follows on a projector (palette, status colours, fonts, the base layout,
  wrapped titles and row labels, row heights, point labels that do not overlap, numbers in words);
- ``figure_data``: ``Chart``, a figure as plain data, and ``update_figure``, which moves a shown figure in place;
- ``gap_views``: how far each pillar is from its promise (overview, score distribution, heatmap, trend);
- ``driver_views``: what lies behind a gap (importance–performance, loudness, internal vs customers);
- ``room_views``: the live room's ratings and dots.

Each view is a function returning a ``Chart``. Everything a panel, the report or a test needs is importable from
``workshop.charts`` itself. This package must not import ipywidgets, and holds no business rule: statuses,
quadrants, loudness and blind spots come from ``workshop.gap``.
"""

from workshop.charts.driver_views import importance_performance, internal_vs_customers, loudness_chart
from workshop.charts.figure_data import Chart, update_figure
from workshop.charts.gap_views import VIEW_GOAL_POSTS, gap_heatmap, gap_overview, score_distribution, trend
from workshop.charts.projector import (
    BAND_COLOURS,
    BASE_LAYOUT,
    FONT_SIZE,
    NO_ANSWERS,
    NOT_MEASURED,
    OKABE_ITO,
    PLOT_CONFIG,
    STATUS_COLOURS,
    escape,
    point_labels,
    share_above_text,
    worded,
    wrapped,
)
from workshop.charts.room_views import ROOM_QUESTIONS, dots_per_idea, room_next_to_customers, room_ratings

__all__ = [
    "BAND_COLOURS",
    "BASE_LAYOUT",
    "FONT_SIZE",
    "NO_ANSWERS",
    "NOT_MEASURED",
    "OKABE_ITO",
    "PLOT_CONFIG",
    "ROOM_QUESTIONS",
    "STATUS_COLOURS",
    "VIEW_GOAL_POSTS",
    "Chart",
    "dots_per_idea",
    "escape",
    "gap_heatmap",
    "gap_overview",
    "importance_performance",
    "internal_vs_customers",
    "loudness_chart",
    "point_labels",
    "room_next_to_customers",
    "room_ratings",
    "score_distribution",
    "share_above_text",
    "trend",
    "update_figure",
    "worded",
    "wrapped",
]
