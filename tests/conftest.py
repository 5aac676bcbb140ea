"""Shared fixtures: real files from the repository, copied so that no test writes into the tree."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SAMPLE = REPO / "datasets" / "sample"


@pytest.fixture
def workshop_dir(tmp_path: Path) -> Path:
    """A fresh workshop folder made from the sample company, as `workshop new` makes it."""
    from workshop.folder import new_workshop

    return new_workshop(tmp_path / "acme", SAMPLE)


@pytest.fixture
def client_folder(tmp_path: Path) -> Path:
    """A workshop folder with the feedback fixtures' promise (speed, care, clarity; phone, store, web), no
    mapping yet: where a consultant starts with a client's export."""
    folder = tmp_path / "client"
    folder.mkdir()
    shutil.copy(DATA / "feedback" / "promise.yml", folder / "promise.yml")
    return folder


@pytest.fixture
def data_dir() -> Path:
    return DATA


def copy_to(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / source.name
    shutil.copy(source, target)
    return target
