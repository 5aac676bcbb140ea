"""The set-up check of notebook 00 on real workshop folders: a themes.yml left from the sample, with a client's
promise, is reported with its file, line and pillar before notebook 02 trips over it."""
from __future__ import annotations

import shutil
from pathlib import Path

from workshop.setup_check import check_workshop, run_checks

from conftest import DATA

REPO = Path(__file__).resolve().parents[1]


def sample_with_client_promise(tmp_path: Path) -> Path:
    """What `workshop new` gives, after the promise got the client's pillars (speed, care, clarity)."""
    folder = tmp_path / "acme"
    shutil.copytree(REPO / "datasets" / "sample", folder)
    shutil.copy(DATA / "feedback" / "promise.yml", folder / "promise.yml")
    return folder


def test_themes_left_from_the_sample_are_a_thing_to_fix(tmp_path):
    folder = sample_with_client_promise(tmp_path)
    promise_check, themes_check = check_workshop(folder)
    assert promise_check.ok
    assert not themes_check.ok
    assert f"{folder / 'themes.yml'}, line 4, pillar 'on_time_delivery': is not a pillar of the promise" \
        in themes_check.detail
    assert "delete themes.yml to start without themes" in themes_check.detail + themes_check.fix
    assert not all(check.ok for check in run_checks(folder))


def test_themes_that_match_or_are_missing_are_fine(tmp_path):
    folder = tmp_path / "sample"
    shutil.copytree(REPO / "datasets" / "sample", folder)
    assert all(check.ok for check in check_workshop(folder))
    (folder / "themes.yml").unlink()
    themes_check = check_workshop(folder)[1]
    assert themes_check.ok and "none yet" in themes_check.detail
