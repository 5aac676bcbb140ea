"""The layering rule, kept by a test: each module of the package is imported alone in a fresh interpreter, and
nothing below ``ui`` may bring in a widget library, nothing below ``charts`` plotly (docs/architecture.md).

A fresh interpreter per module, because an import already made by another module would hide one: the test
sees what importing that module alone pulls in, directly or through what it imports.
"""
from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import workshop

WIDGETS = ("ipywidgets", "anywidget")
PLOTTING = ("plotly",)
MODULES = sorted(info.name for info in pkgutil.walk_packages(workshop.__path__, "workshop."))
MAY_DRAW = {"workshop.charts", "workshop.action_charts", "workshop.whatif_charts", "workshop.report",
            "workshop.reporting"}
"""Below ``ui`` only these (and the modules of the ``charts`` package) turn metrics into plotly figures: the
charts, and the report that embeds them."""


def layer_of(module: str) -> tuple[str, ...]:
    """The libraries ``module`` may bring in."""
    if module == "workshop.ui" or module.startswith("workshop.ui."):
        return WIDGETS + PLOTTING
    draws = module in MAY_DRAW or module.startswith("workshop.charts.")
    return PLOTTING if draws else ()


def imported_alone(module: str) -> list[str]:
    probe = (f"import json, sys, {module}; "
             f"print(json.dumps(sorted(n for n in {WIDGETS + PLOTTING!r} if n in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", MODULES)
def test_a_module_brings_in_only_what_its_layer_may(module):
    beyond = [name for name in imported_alone(module) if name not in layer_of(module)]
    assert beyond == [], (f"{module} imports {', '.join(beyond)}, which its layer may not: widgets belong in "
                          "workshop/ui, figures in workshop/charts/ (see docs/architecture.md)")


def test_every_module_of_the_package_is_checked():
    assert {"workshop.gap", "workshop.cube", "workshop.feedback.load", "workshop.session", "workshop.charts",
            "workshop.charts.gap_views",
            "workshop.ui.gap_panel"} <= set(MODULES)
