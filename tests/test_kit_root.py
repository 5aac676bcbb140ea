"""The kit's own files (notebooks, the sample company, workshops/) are found from where the package is
installed, an editable checkout, never from the directory a command happens to be run in."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROBE = (
    "import json; from workshop import folder, kit_notebooks;"
    "print(json.dumps([str(folder.kit_root()), str(folder.sample_folder()), str(folder.workshops_root()),"
    " str(kit_notebooks.kit_notebooks_folder())]))"
)


def probe(cwd: Path, pythonpath: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "PROMISE_GAP_WORKSHOPS"} | env
    environment["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def test_a_sample_folder_in_the_working_directory_does_not_move_the_kit(tmp_path):
    decoy = tmp_path / "elsewhere"
    shutil.copytree(REPO / "datasets" / "sample", decoy / "datasets" / "sample")
    (decoy / "notebooks").mkdir()
    result = probe(decoy / "datasets", REPO)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        str(REPO),
        str(REPO / "datasets" / "sample"),
        str(REPO / "workshops"),
        str(REPO / "notebooks"),
    ]


def test_the_workshops_folder_can_be_named_outside_the_checkout(tmp_path):
    result = probe(tmp_path, REPO, PROMISE_GAP_WORKSHOPS=str(tmp_path / "clients"))
    assert json.loads(result.stdout)[2] == str(tmp_path / "clients")


def test_a_copy_of_the_package_without_the_kit_beside_it_says_how_to_install_the_kit(tmp_path):
    shutil.copytree(REPO / "workshop", tmp_path / "site" / "workshop", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "datasets" / "sample", tmp_path / "datasets" / "sample")  # a cwd search would find it
    result = probe(tmp_path, tmp_path / "site")
    assert result.returncode == 1
    message = result.stderr.strip().splitlines()[-1]
    assert "has no notebooks/ or datasets/sample/ beside the workshop package" in message
    assert "Install the kit from its git checkout: 'make install' there" in message
