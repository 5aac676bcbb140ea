"""Workshop folders: what a consultant copies per client, and the only place a session writes.

A folder holds ``promise.yml``, ``mapping.yml``, the client's feedback file, ``session.sqlite`` and
``exports/``. This module finds, creates and checks folders; it does not interpret their contents.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from workshop.errors import Problem, WorkshopFolderError
from workshop.feedback.mapping import MAPPING_FILE, FeedbackMapping, save_mapping
from workshop.files import atomic_write_text, stamp_of
from workshop.promise import PROMISE_FILE

WORKSHOP_ENV = "PROMISE_GAP_WORKSHOP"
"""Environment variable naming the workshop folder; wins over the choice made in notebook 00."""
CURRENT_FILE = ".current"
EXAMPLE = "example"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SESSION_FILES = ("session.sqlite", "session.sqlite-wal", "session.sqlite-shm", "session.yml")
"""Never copied into a new workshop: its session, and the setting naming its store (a PostgreSQL database is
one workshop's, like its file)."""


def kit_root() -> Path:
    """The folder holding ``datasets/sample``: the current directory or one above it, else the package's."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "datasets" / "sample").is_dir():
            return folder
    return Path(__file__).resolve().parents[1]


def sample_folder() -> Path:
    return kit_root() / "datasets" / "sample"


def is_unedited_sample_copy(file: str | os.PathLike) -> bool:
    """True when ``file`` is byte for byte the sample company's file of the same name (as ``new_workshop``
    copied it): replacing it loses nothing anyone entered, since the sample keeps its own."""
    file, original = Path(file), sample_folder() / Path(file).name
    return (file.is_file() and original.is_file() and file.resolve() != original.resolve()
            and file.read_bytes() == original.read_bytes())


def workshops_root() -> Path:
    return kit_root() / "workshops"


def new_workshop(name_or_path: str | os.PathLike, source: str | os.PathLike | None = None) -> Path:
    """Create a workshop folder by copying ``source`` (default: the sample company).

    A bare name is created under ``workshops/``; a path is used as given. Refuses to overwrite an existing
    folder, and never copies another workshop's session or exports.
    """
    target = _resolve(name_or_path)
    if target.exists():
        raise WorkshopFolderError([Problem(target, "", None, "already exists, and nothing was changed",
                                           "Choose another name, or open this one in notebook 00.")])
    source = Path(source) if source is not None else sample_folder()
    if not (source / PROMISE_FILE).is_file():
        raise WorkshopFolderError([Problem(source, "", None, f"has no {PROMISE_FILE} to start from",
                                           "Name a workshop folder or datasets/sample with --from.")])
    ignored = shutil.ignore_patterns(*SESSION_FILES, "exports", ".ipynb_checkpoints", "__pycache__")
    shutil.copytree(source, target, ignore=ignored)
    (target / "exports").mkdir(exist_ok=True)
    return target


def _resolve(name_or_path: str | os.PathLike) -> Path:
    text = str(name_or_path)
    if os.sep in text or "/" in text or text.startswith("."):
        return Path(text).resolve()
    if not NAME_PATTERN.match(text):
        raise WorkshopFolderError([Problem(None, "", "name", "may use letters, digits, '-', '_' and '.' only",
                                           "Try e.g. 'acme-2026-03'.", repr(text))])
    return workshops_root() / text


def choose_workshop(folder: str | os.PathLike) -> Path:
    """Remember ``folder`` as the workshop the notebooks open (written by notebook 00)."""
    folder = Path(folder).resolve()
    if not (folder / PROMISE_FILE).is_file():
        raise WorkshopFolderError([Problem(folder, "", None, f"has no {PROMISE_FILE}",
                                           "Create it with 'workshop new NAME' first.")])
    atomic_write_text(workshops_root() / CURRENT_FILE, str(folder) + "\n")
    return folder


def current_workshop() -> Path:
    """The workshop folder the notebooks work on: $PROMISE_GAP_WORKSHOP, else the one chosen in notebook 00,
    else ``workshops/example``."""
    named = os.environ.get(WORKSHOP_ENV)
    if named:
        folder = Path(named).resolve()
    else:
        chosen = workshops_root() / CURRENT_FILE
        folder = Path(chosen.read_text().strip()) if chosen.is_file() else workshops_root() / EXAMPLE
    if not (folder / PROMISE_FILE).is_file():
        raise WorkshopFolderError([Problem(folder, "", None, "is not a workshop folder (no promise.yml)",
                                           "Open notebook 00 to choose or create one, or run 'make workshop'.")])
    return folder


def list_workshops() -> list[Path]:
    root = workshops_root()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / PROMISE_FILE).is_file())


def save_suggested_mapping(folder: str | os.PathLike, mapping: FeedbackMapping,
                           checked_with: str | os.PathLike | None = None) -> bool:
    """Save ``mapping`` as the folder's mapping.yml by the one rule for a mapping nobody confirmed on screen:
    it may take the place of no file, of the sample company's copy left unedited by ``new_workshop``, or of the
    very file it was checked with (``checked_with``); any other mapping.yml is someone's work and is kept
    (``WorkshopFolderError`` says how to move it aside). True when it replaced the sample's copy. A file
    changed between this decision and the write is refused too (``StaleFileError``)."""
    target = Path(folder) / MAPPING_FILE
    decided_on = stamp_of(target)
    replaces_sample = is_unedited_sample_copy(target)
    is_the_checked_file = checked_with is not None and Path(checked_with).resolve() == target.resolve()
    if target.exists() and not replaces_sample and not is_the_checked_file:
        raise WorkshopFolderError([Problem(
            target, "", None, "Nothing saved: it already exists and is not the sample company's, so it is kept",
            f"Check the file with it: add --mapping {target}. Or move it aside and run this command again to "
            f"save a new suggestion: mv {target} {target.with_suffix('.old.yml')}")])
    save_mapping(mapping, target, expected=decided_on)
    return replaces_sample
