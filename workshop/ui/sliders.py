"""The slider every panel uses for a 0–10 score (a rating, a target, a threshold): one look and one step for all."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets


def score_slider(description: str, label_width: str, width: str, **settings: Any) -> widgets.FloatSlider:
    """A 0–10 slider in half points, read out to one decimal, that reports its value when released (a drag is
    one change, not fifty); ``settings`` override any of these (``value``, ``step``)."""
    defaults: dict[str, Any] = {
        "min": 0,
        "max": 10,
        "step": 0.5,
        "continuous_update": False,
        "readout_format": ".1f",
        "style": {"description_width": label_width},
        "layout": widgets.Layout(width=width),
    }
    return widgets.FloatSlider(description=description, **{**defaults, **settings})
