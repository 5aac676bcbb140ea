"""Promise Gap: a workshop kit for closing the gap between a brand promise and today's experience.

The package holds all logic; notebooks only call it. Layers import downward only:
``ui`` -> ``charts`` -> ``gap`` -> ``feedback`` / ``promise`` / ``cube``.
Nothing below ``ui`` imports ipywidgets; nothing below ``charts`` imports plotly.
"""

from __future__ import annotations

__version__ = "0.1.0"
