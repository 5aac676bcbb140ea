"""Session-wide test set-up: notebooks run against a temporary workshop folder, never the repository's.

nbval starts each notebook's kernel with this process's environment, so setting PROMISE_GAP_WORKSHOP here
makes ``workshop.folder.current_workshop()`` open the temporary copy inside every notebook under test, and
PROMISE_GAP_WORKSHOPS makes a workshop created by name (``workshop new acme``) land in the scratch folder.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent


def pytest_configure(config):
    from workshop.folder import WORKSHOP_ENV, WORKSHOPS_ENV, new_workshop

    scratch = Path(tempfile.mkdtemp(prefix="promise-gap-tests-"))
    config._promise_gap_scratch = scratch
    os.environ[WORKSHOPS_ENV] = str(scratch / "workshops")
    os.environ[WORKSHOP_ENV] = str(new_workshop(scratch / "example", REPO / "datasets" / "sample"))


def pytest_unconfigure(config):
    scratch = getattr(config, "_promise_gap_scratch", None)
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
