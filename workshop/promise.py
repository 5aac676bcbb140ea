"""The brand promise: its statement and pillars, loaded from and saved to a workshop's ``promise.yml``.

This module is the one source of truth for what a valid promise is. It validates everything a person can
get wrong in a hand-edited file and says where (file, line, pillar, field) and how to fix it. It knows
nothing of feedback, metrics, widgets or charts.

Scores, targets, thresholds and loudness are on the 0–10 scale of a customer's "out of 10".
"""

from __future__ import annotations

import copy
import difflib
import os
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, NamedTuple

from workshop.errors import Problem, PromiseError
from workshop.files import FileStamp, refuse_if_changed, stamp_of_held, write_if_unchanged, write_new
from workshop.yaml_files import file_in, read_yaml, yaml_rewrite, yaml_text

DEFAULT_TARGET = 10.0
"""Where every customer would give us 10 out of 10."""
DEFAULT_THRESHOLD = 6.0
"""The promise-able line: a pillar is promise-able when customers score it above this most of the time."""
SCORE_MIN, SCORE_MAX = 0.0, 10.0

PILLAR_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED_PILLAR_IDS = frozenset(
    {"response_id", "date", "touchpoint", "segment", "recommend", "comment", "source", "advocate", "month"}
)
"""Canonical feedback columns: a pillar id becomes a column name too, so it may not be one of these."""

PROMISE_FILE = "promise.yml"
VERSIONS_FOLDER = "versions"
FILE_HEADER = (
    "# The brand promise for this workshop. Edit it in notebook 01 or by hand.\n"
    "# Scores are 0-10. A pillar is promise-able when customers score it above its threshold most of the time.\n"
    "# Saving from the notebook keeps your comments beside the fields; this header is written anew.\n"
)


@dataclass
class Pillar:
    """One part of the promise: what a customer should experience, and how we will know we deliver it.

    ``target`` and ``threshold`` are 0–10 with ``threshold <= target``; ``loudness`` is 0–10, how hard
    marketing pushes the ``claim``.
    """

    id: str
    name: str
    description: str = ""
    target: float = DEFAULT_TARGET
    threshold: float = DEFAULT_THRESHOLD
    owners: list[str] = field(default_factory=list)
    touchpoints: list[str] = field(default_factory=list)
    claim: str = ""
    loudness: float = 5.0
    channels: list[str] = field(default_factory=list)


@dataclass
class Promise:
    """The whole promise: a statement and its pillars, plus the workshop's lists to choose from.

    ``departments``, ``touchpoints`` and ``channels`` are the choices offered when editing a pillar;
    ``version`` counts refreshes of the promise (earlier versions are kept in ``versions/``).
    """

    statement: str = ""
    pillars: list[Pillar] = field(default_factory=list)
    company: str = ""
    departments: list[str] = field(default_factory=list)
    touchpoints: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    version: int = 1

    def pillar(self, pillar_id: str) -> Pillar:
        for pillar in self.pillars:
            if pillar.id == pillar_id:
                return pillar
        raise PromiseError(
            [
                Problem(
                    None,
                    "",
                    "pillar",
                    "is not a pillar of the promise",
                    f"Use one of: {', '.join(self.pillar_ids)}, or add it in notebook 01.",
                    repr(pillar_id),
                )
            ]
        )

    @property
    def pillar_ids(self) -> list[str]:
        return [p.id for p in self.pillars]

    def copy(self) -> Promise:
        return copy.deepcopy(self)


PROMISE_KEYS = [f.name for f in fields(Promise)]
PILLAR_KEYS = [f.name for f in fields(Pillar)]
_SCORE_KEYS = ("target", "threshold", "loudness")
SCORE_DECIMALS = 2
"""Scores are kept to hundredths. A slider's steps are added up in binary floating point, so half a point can
arrive as 6.499999999999999; whatever lies below a hundredth is that noise, never the room's choice."""


def score_points(value: float) -> float:
    """A 0–10 score as the room chose it: ``score_points(6.499999999999999) == 6.5``."""
    return round(float(value), SCORE_DECIMALS)


def slugify(name: str) -> str:
    """A pillar id made from a name: lower case, words joined by ``_``, starting with a letter."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "pillar_" + slug
    return slug[:40].rstrip("_")


def new_pillar_id(name: str, existing: list[str]) -> str:
    """A valid, unused pillar id for a pillar called ``name``."""
    base = slugify(name or "pillar")
    if base in RESERVED_PILLAR_IDS:
        base = f"{base}_pillar"
    candidate, counter = base, 2
    while candidate in existing:
        candidate = f"{base[:36]}_{counter}"
        counter += 1
    return candidate


# --- validation -------------------------------------------------------------------------------------------


class _Checker:
    """Collects every problem in a promise document instead of stopping at the first."""

    def __init__(self, file: Path | None, lines: dict[tuple, int]):
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: tuple, where: str, key: str | None, message: str, fix: str = "", value: Any = None) -> None:
        shown = None if value is _ABSENT else repr(value)
        self.problems.append(Problem(self.file, where, key, message, fix, shown, self.lines.get(path)))

    def unknown_keys(self, mapping: dict, allowed: list[str], path: tuple, where: str) -> None:
        for key in mapping:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            fix = f"Did you mean '{close[0]}'?" if close else f"Known fields: {', '.join(allowed)}."
            self.add(path + (key,), where, str(key), "unknown field", fix, _ABSENT)

    def text(self, mapping: dict, key: str, path: tuple, where: str, required: bool = False) -> str:
        value = mapping.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.add(path + (key,), where, key, "must be text", "Put the text in quotes.", value)
            return str(value)
        if required and not value.strip():
            self.add(path + (key,), where, key, "must not be empty", f"Give the {key} a few words.", value)
        return value.strip()

    def score(self, mapping: dict, key: str, default: float, path: tuple, where: str) -> float:
        value = mapping.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(
                path + (key,), where, key, "must be a number from 0 to 10", f"Write it as e.g. {default:g}.", value
            )
            return default
        if not SCORE_MIN <= value <= SCORE_MAX:
            self.add(path + (key,), where, key, "must be between 0 and 10", "Scores are out of 10.", value)
        return float(value)

    def text_list(self, mapping: dict, key: str, path: tuple, where: str) -> list[str]:
        value = mapping.get(key) or []
        if not isinstance(value, list):
            self.add(
                path + (key,), where, key, "must be a list", f"Write it as [{value}] or one '- item' per line.", value
            )
            return []
        items: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.add(path + (key, index), where, key, f"item {index + 1} must be non-empty text", "", item)
            elif item.strip() in items:
                self.add(path + (key, index), where, key, f"'{item.strip()}' is listed twice", "Remove one.", _ABSENT)
            else:
                items.append(item.strip())
        return items


_ABSENT = object()


def _pillar_from_mapping(raw: Any, index: int, checker: _Checker, seen_ids: set[str]) -> Pillar | None:
    path = ("pillars", index)
    label = f"pillar {index + 1}"
    if not isinstance(raw, dict):
        checker.add(path, label, None, "must be a set of fields (id, name, target, ...)", "", raw)
        return None
    raw_id = raw.get("id")
    raw_name = raw.get("name")
    if isinstance(raw_name, str) and raw_name.strip():
        label = f"pillar '{raw_name.strip()}'"
    elif isinstance(raw_id, str) and raw_id:
        label = f"pillar '{raw_id}'"
    name = checker.text(raw, "name", path, label, required=True)
    if raw_id is None:
        checker.add(path, label, "id", "is missing", f"Add 'id: {new_pillar_id(name, sorted(seen_ids))}'.", _ABSENT)
        pillar_id = new_pillar_id(name, sorted(seen_ids))
    elif not isinstance(raw_id, str) or not PILLAR_ID_PATTERN.match(raw_id):
        suggestion = new_pillar_id(str(raw_id), sorted(seen_ids))
        checker.add(
            path + ("id",),
            label,
            "id",
            "must be lower-case letters, digits and _, starting with a letter, at most 40 characters",
            f"Try '{suggestion}'.",
            raw_id,
        )
        pillar_id = suggestion
    elif raw_id in RESERVED_PILLAR_IDS:
        checker.add(
            path + ("id",),
            label,
            "id",
            "is a reserved feedback column name",
            f"Choose another id, e.g. '{raw_id}_pillar'.",
            raw_id,
        )
        pillar_id = raw_id
    elif raw_id in seen_ids:
        checker.add(path + ("id",), label, "id", "is used by another pillar", "Each pillar needs its own id.", raw_id)
        pillar_id = raw_id
    else:
        pillar_id = raw_id
    seen_ids.add(pillar_id)
    checker.unknown_keys(raw, PILLAR_KEYS, path, label)
    target = checker.score(raw, "target", DEFAULT_TARGET, path, label)
    threshold = checker.score(raw, "threshold", DEFAULT_THRESHOLD, path, label)
    if threshold > target:
        checker.add(
            path + ("threshold",),
            label,
            "threshold",
            f"is above the target ({target:g}): the promise-able line cannot be higher than the promise",
            "Lower the threshold or raise the target.",
            raw.get("threshold"),
        )
    return Pillar(
        id=pillar_id,
        name=name,
        description=checker.text(raw, "description", path, label),
        target=target,
        threshold=threshold,
        owners=checker.text_list(raw, "owners", path, label),
        touchpoints=checker.text_list(raw, "touchpoints", path, label),
        claim=checker.text(raw, "claim", path, label),
        loudness=checker.score(raw, "loudness", 5.0, path, label),
        channels=checker.text_list(raw, "channels", path, label),
    )


def promise_from_dict(data: Any, file: Path | None = None, lines: dict[tuple, int] | None = None) -> Promise:
    """Build a Promise from plain data (as read from YAML), or raise PromiseError listing every problem."""
    checker = _Checker(file, lines or {})
    if data is None:
        raise PromiseError(
            [
                Problem(
                    file,
                    "",
                    None,
                    "the file is empty",
                    "Start from datasets/sample/promise.yml or run 'workshop new NAME'.",
                )
            ]
        )
    if not isinstance(data, dict):
        raise PromiseError(
            [Problem(file, "", None, "must be a set of fields (statement, pillars, ...)", "", repr(data))]
        )
    checker.unknown_keys(data, PROMISE_KEYS, (), "")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        checker.add(("version",), "", "version", "must be a whole number from 1 up", "", version)
        version = 1
    raw_pillars = data.get("pillars") or []
    if not isinstance(raw_pillars, list):
        checker.add(
            ("pillars",), "", "pillars", "must be a list of pillars, each starting with '- id:'", "", raw_pillars
        )
        raw_pillars = []
    seen_ids: set[str] = set()
    pillars = [
        p for i, raw in enumerate(raw_pillars) if (p := _pillar_from_mapping(raw, i, checker, seen_ids)) is not None
    ]
    promise = Promise(
        statement=checker.text(data, "statement", (), ""),
        pillars=pillars,
        company=checker.text(data, "company", (), ""),
        departments=checker.text_list(data, "departments", (), ""),
        touchpoints=checker.text_list(data, "touchpoints", (), ""),
        channels=checker.text_list(data, "channels", (), ""),
        version=version,
    )
    if checker.problems:
        raise PromiseError(checker.problems)
    return promise


def validate(promise: Promise, file: Path | None = None) -> None:
    """Raise PromiseError if an in-memory promise (e.g. one being edited) would not load back."""
    promise_from_dict(promise_to_dict(promise), file)


def promise_to_dict(promise: Promise) -> dict[str, Any]:
    data = asdict(promise)
    ordered = {key: data[key] for key in ("company", "statement", "version", "departments", "touchpoints", "channels")}
    ordered["pillars"] = [{key: _written(key, v) for key, v in pillar.items()} for pillar in data["pillars"]]
    return ordered


def _written(key: str, value: Any) -> Any:
    """A pillar's value as promise.yml holds it: scores rounded (``score_points``), whole ones without '.0'."""
    if key in _SCORE_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = score_points(value)
    return int(value) if isinstance(value, float) and value.is_integer() else value


# --- files ------------------------------------------------------------------------------------------------


def load_promise(path: str | os.PathLike) -> Promise:
    """Read and validate a promise file; a folder means its ``promise.yml``."""
    return load_promise_and_stamp(path)[0]


def load_promise_and_stamp(path: str | os.PathLike) -> tuple[Promise, FileStamp]:
    """``load_promise``, with the stamp of the bytes it read: what a panel saves against (``save_promise``)."""
    path = file_in(path, PROMISE_FILE)
    if not path.exists():
        raise PromiseError(
            [
                Problem(
                    path,
                    "",
                    None,
                    "file not found",
                    "Create the workshop with 'workshop new NAME' or copy datasets/sample/promise.yml.",
                )
            ]
        )
    document = read_yaml(path, PromiseError, "Check the indentation and the ':' after each field name on that line.")
    return promise_from_dict(document.data, path, document.lines), document.stamp


def promise_read_stamp(promise: Promise, path: str | os.PathLike) -> FileStamp:
    """The stamp to save ``promise`` against when it was loaded earlier with ``load_promise`` (notebook 03 loads
    it a cell before its panel): promise.yml's own while the file still holds this promise, else one that
    makes the save refuse (``files.stamp_of_held``)."""
    return stamp_of_held(promise, dump_promise(promise).encode("utf-8"), lambda: load_promise_and_stamp(path))


def dump_promise(promise: Promise) -> str:
    return yaml_text(FILE_HEADER, promise_to_dict(promise))


def save_promise(promise: Promise, path: str | os.PathLike, *, expected: FileStamp) -> FileStamp:
    """Validate, then write atomically, only if the file is unchanged since it was read with the stamp
    ``expected`` (``files.NO_FILE`` for a new file); a folder means its ``promise.yml``. Returns the new
    stamp, for the next save. Raises ``PromiseError``, or ``StaleFileError`` when another tab saved since."""
    path = file_in(path, PROMISE_FILE)
    validate(promise, path)
    return write_if_unchanged(path, yaml_rewrite(FILE_HEADER, promise_to_dict(promise)), expected)


def version_path(folder: Path, version: int) -> Path:
    return Path(folder) / VERSIONS_FOLDER / f"promise.v{version}.yml"


class NewVersion(NamedTuple):
    """A promise saved as the next version, and the stamp of promise.yml as written (for the next save)."""

    promise: Promise
    stamp: FileStamp


def save_new_version(promise: Promise, folder: str | os.PathLike, *, expected: FileStamp) -> NewVersion:
    """Keep the current promise.yml, version N, as ``versions/promise.v{N}.yml`` and save ``promise`` as
    version N+1, only if promise.yml is unchanged since it was read with the stamp ``expected``.

    ``versions/`` is append-only: a kept version is never rewritten, so a promise.yml that says a version
    already kept (an older copy put back) is refused with ``FileKeptError`` and nothing is written. Raises
    ``StaleFileError`` when another tab saved promise.yml since, ``PromiseError`` for an invalid promise.
    """
    folder = Path(folder)
    path = folder / PROMISE_FILE
    current, found = load_promise_and_stamp(path)
    refuse_if_changed(path, found, expected)
    refreshed = promise.copy()
    refreshed.version = current.version + 1
    validate(refreshed, path)
    kept = version_path(folder, current.version)
    fix = (
        f"{PROMISE_FILE} says version {current.version}, which is kept already: set 'version:' in "
        f"{PROMISE_FILE} to the number after the newest file in {VERSIONS_FOLDER}/, then save again."
    )
    stamp = write_if_unchanged(
        path,
        yaml_rewrite(FILE_HEADER, promise_to_dict(refreshed)),
        expected,
        first=lambda: write_new(kept, dump_promise(current).encode("utf-8"), fix),
    )
    return NewVersion(refreshed, stamp)


def load_versions(folder: str | os.PathLike) -> list[Promise]:
    """Every kept version of the promise, oldest first, ending with the current one."""
    folder = Path(folder)
    kept = sorted(
        (folder / VERSIONS_FOLDER).glob("promise.v*.yml"),
        key=lambda p: int(re.sub(r"\D", "", p.stem.split(".v")[-1]) or 0),
    )
    return [load_promise(p) for p in kept] + [load_promise(folder)]


@dataclass(frozen=True)
class PromiseChange:
    """One difference between two versions of the promise, readable by the room.

    ``pillar`` is the pillar's name (``None`` for the statement and other promise-wide fields);
    ``field`` is ``"pillar"`` when the whole pillar was added or removed.
    """

    pillar: str | None
    field: str
    before: Any
    after: Any

    def __str__(self) -> str:
        if self.field == "pillar":
            return f"Pillar '{self.pillar}' {'added' if self.before is None else 'removed'}"
        subject = f"Pillar '{self.pillar}': {self.field}" if self.pillar else self.field.capitalize()
        return f"{subject}: {_readable(self.before)} → {_readable(self.after)}"


def _readable(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "(none)"
    if isinstance(value, float):
        return f"{value:g}"
    return f"“{value}”" if value else "(empty)"


def promise_diff(before: Promise, after: Promise) -> list[PromiseChange]:
    """What changed from ``before`` to ``after``: promise-wide fields, then pillars matched by id, in order."""
    changes = [
        PromiseChange(None, key, getattr(before, key), getattr(after, key))
        for key in ("company", "statement")
        if getattr(before, key) != getattr(after, key)
    ]
    old = {p.id: p for p in before.pillars}
    new = {p.id: p for p in after.pillars}
    for pillar in after.pillars:
        if pillar.id not in old:
            changes.append(PromiseChange(pillar.name, "pillar", None, pillar.name))
            continue
        changes.extend(
            PromiseChange(pillar.name, key, getattr(old[pillar.id], key), getattr(pillar, key))
            for key in PILLAR_KEYS
            if key != "id" and getattr(old[pillar.id], key) != getattr(pillar, key)
        )
    changes.extend(PromiseChange(p.name, "pillar", p.name, None) for p in before.pillars if p.id not in new)
    return changes
