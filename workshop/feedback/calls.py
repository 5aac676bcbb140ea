"""The advocate call log: phone calls with advocates, kept as feedback rows marked ``source = call``.

Listening to advocates by phone is part of the method. Each call becomes one canonical feedback row
(``workshop.cube``): the touchpoint talked about, a 0–10 score per pillar asked about (NaN for "not asked",
never 0), the optional would-recommend answer, and the note as the comment (raw here; scrubbed before any
display, like every comment).

Calls are stored in the workshop folder as ``advocate_calls.csv``, not in ``session.sqlite``: they are
feedback, so they load with the feedback (``workshop.feedback.load.load_workshop_feedback`` merges them
into the cube and the explorer) and survive a new session; and a CSV in canonical columns is what a
consultant can open, check and hand to the client. The file is append-only: a call is never edited or
removed by the kit. Each save reads the file, appends the row and rewrites it atomically (temp file,
fsync, rename), so a crash leaves the old file or the new one, never half a line; and only if the file is
unchanged since the panel read it or last logged to it (``workshop.files.write_if_unchanged``), so a call
logged in another tab, or a hand correction, is never written over: the stale panel refuses and says to reload.

Who is an advocate: a call is made to someone the room chose as an advocate, so the row is flagged as
one, unless they answered would-recommend and ``advocates.advocate_flags`` (the NPS rule) says otherwise.
This module reads and writes that one CSV; it knows nothing of widgets.
"""

from __future__ import annotations

import io
import math
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from workshop.cube import CANONICAL_COLUMNS, NOT_STATED
from workshop.errors import FeedbackError, Problem
from workshop.feedback.advocates import advocate_flags
from workshop.files import FileStamp, write_if_unchanged
from workshop.promise import Promise

CALLS_FILE = "advocate_calls.csv"
SOURCE = "call"
NOTE_MAX_CHARS = 1000
CALLER_COLUMN = "caller"
"""Who made the call: the one column beyond the canonical ones (the explorer and the cube ignore it)."""


@dataclass(frozen=True)
class AdvocateCall:
    """One call as the form records it.

    ``scores`` maps pillar id → whole points 0–10, or None when that pillar was not asked about (missing,
    never 0). ``recommend`` is the 0–10 would-recommend answer or None. ``note`` is at most
    ``NOTE_MAX_CHARS`` characters. ``called_on`` defaults to today.
    """

    touchpoint: str
    scores: dict[str, int | None] = field(default_factory=dict)
    note: str = ""
    caller: str = ""
    segment: str | None = None
    recommend: int | None = None
    called_on: date | None = None


def calls_path(folder: str | Path) -> Path:
    """The call log of a workshop folder."""
    return Path(folder) / CALLS_FILE


def check_call(call: AdvocateCall, promise: Promise, file: Path | None = None) -> list[Problem]:
    """Every reason ``call`` cannot be logged (empty when it can), each with what to do."""
    problems: list[Problem] = []

    def problem(field_name: str, message: str, fix: str, value: object = None) -> None:
        problems.append(Problem(file, "new call", field_name, message, fix, None if value is None else repr(value)))

    touchpoint = (call.touchpoint or "").strip()
    if not touchpoint:
        problem("touchpoint", "no touchpoint", "Choose the touchpoint the call was about.")
    elif promise.touchpoints and touchpoint not in promise.touchpoints:
        problem(
            "touchpoint",
            "is not one of the promise's touchpoints",
            "Choose one of: " + ", ".join(promise.touchpoints) + ".",
            touchpoint,
        )
    for pillar_id, score in call.scores.items():
        if pillar_id not in promise.pillar_ids:
            problem(
                pillar_id,
                "is not a pillar of the promise",
                "Score only the promise's pillars: " + ", ".join(promise.pillar_ids) + ".",
                pillar_id,
            )
        elif score is not None and not _whole_point(score):
            problem(pillar_id, "score must be a whole number from 0 to 10", "Choose 0–10, or 'not asked'.", score)
    if call.recommend is not None and not _whole_point(call.recommend):
        problem(
            "recommend",
            "would-recommend must be a whole number from 0 to 10",
            "Choose 0–10, or leave it not asked.",
            call.recommend,
        )
    if len(call.note) > NOTE_MAX_CHARS:
        problem(
            "note",
            f"is {len(call.note):,} characters, more than {NOTE_MAX_CHARS:,}",
            "Keep the note to what the advocate said that matters; shorten it.",
        )
    asked = [s for s in call.scores.values() if s is not None]
    if not asked and call.recommend is None and not call.note.strip():
        problem(
            "scores",
            "nothing recorded: no score, no would-recommend and no note",
            "Score at least one pillar or write what the advocate said.",
        )
    return problems


def call_row(call: AdvocateCall, promise: Promise) -> pd.DataFrame:
    """The call as one canonical feedback row (plus ``caller``); raises FeedbackError if it is invalid."""
    problems = check_call(call, promise)
    if problems:
        raise FeedbackError(problems)
    recommend = np.nan if call.recommend is None else float(call.recommend)
    called_on = call.called_on or date.today()
    row = {
        "response_id": f"call-{called_on:%Y%m%d}-{uuid.uuid4().hex[:8]}",
        "date": pd.Timestamp(called_on),
        "touchpoint": call.touchpoint.strip(),
        "segment": (call.segment or "").strip() or NOT_STATED,
        "recommend": recommend,
        "advocate": _advocate(recommend),
        "comment": call.note.strip() or None,
        "source": SOURCE,
        **{p: _score(call.scores.get(p)) for p in promise.pillar_ids},
        CALLER_COLUMN: call.caller.strip(),
    }
    return _typed(pd.DataFrame([row]), promise.pillar_ids)


class LoggedCall(NamedTuple):
    """The row a call was logged as, and the stamp of the call log as written (for the next call)."""

    row: pd.DataFrame
    stamp: FileStamp


def log_call(folder: str | Path, call: AdvocateCall, promise: Promise, *, expected: FileStamp) -> LoggedCall:
    """Validate ``call`` and append it to the folder's ``advocate_calls.csv``, only if the log is unchanged
    since it was read with the stamp ``expected`` (``files.NO_FILE``: no call logged yet).

    Raises FeedbackError (file, field, value, fix) when the call is invalid or the log cannot be read, and
    StaleFileError when another tab logged a call or the file was edited since; nothing is written then.
    """
    path = calls_path(folder)
    row = call_row(call, promise)
    existing = read_calls_file(path)
    columns = list(existing.columns) + [c for c in row.columns if c not in existing.columns]
    table = pd.concat([existing, _as_text(row)], ignore_index=True)[columns] if len(existing) else _as_text(row)
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    return LoggedCall(row, write_if_unchanged(path, buffer.getvalue().encode("utf-8"), expected))


def read_calls_file(path: Path) -> pd.DataFrame:
    """The call log as written (all text, "" for blanks); an empty frame when no call was logged yet."""
    if not path.is_file():
        return pd.DataFrame()
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise FeedbackError(
            [
                Problem(
                    path,
                    "",
                    None,
                    f"cannot be read as the call log: {error}",
                    "Restore it from a backup, or move it aside to start a new log.",
                )
            ]
        ) from None


def load_calls(folder: str | Path, promise: Promise) -> pd.DataFrame:
    """The folder's logged calls as canonical feedback (``workshop.cube``), with ``caller``; empty if none.

    Pillar columns are the promise's (a pillar added since a call is NaN for it: not asked). Raises
    FeedbackError naming the row, column and value of anything a hand edit broke.
    """
    path = calls_path(folder)
    raw = read_calls_file(path)
    if raw.empty:
        return _typed(
            pd.DataFrame({c: [] for c in [*CANONICAL_COLUMNS, *promise.pillar_ids, CALLER_COLUMN]}), promise.pillar_ids
        )
    problems: list[Problem] = []
    missing = [c for c in ("response_id", "date", "touchpoint", "comment") if c not in raw.columns]
    if missing:
        raise FeedbackError(
            [
                Problem(
                    path,
                    "heading row",
                    ", ".join(missing),
                    "column missing from the call log",
                    "Restore the file from a backup; the kit writes these columns.",
                )
            ]
        )
    frame = raw.reindex(columns=[*CANONICAL_COLUMNS, *promise.pillar_ids, CALLER_COLUMN], fill_value="")
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    for position in np.flatnonzero(dates.isna().to_numpy()):
        problems.append(
            Problem(
                path,
                f"row {position + 2}",
                "date",
                "is not a date (YYYY-MM-DD)",
                "Correct the date in the call log.",
                str(frame["date"].iat[int(position)]),
            )
        )
    numbers = {}
    for column in ["recommend", *promise.pillar_ids]:
        text = frame[column].str.strip()
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        # The form's rule (check_call): whole points only, since the cube takes scores as whole points.
        bad = (text != "") & ~values.map(_whole_point).astype(bool)
        for position in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem(
                    path,
                    f"row {position + 2}",
                    column,
                    "is not a whole score from 0 to 10",
                    "Correct it, or empty the cell for 'not asked'.",
                    str(frame[column].iat[int(position)]),
                )
            )
        numbers[column] = values
    if problems:
        raise FeedbackError(problems)
    frame = frame.assign(date=dates, **numbers)
    frame["segment"] = frame["segment"].where(frame["segment"].str.strip() != "", NOT_STATED)
    frame["comment"] = frame["comment"].astype(object).where(frame["comment"] != "", None)
    frame["source"] = SOURCE
    frame["advocate"] = [_advocate(r) for r in frame["recommend"]]
    return _typed(frame, promise.pillar_ids)


def _advocate(recommend: float) -> bool:
    """Called as an advocate: True, unless the NPS rule reads their would-recommend answer otherwise."""
    if math.isnan(recommend):
        return True
    return bool(advocate_flags(pd.DataFrame({"recommend": [recommend]})).iloc[0])


def _whole_point(score: object) -> bool:
    return (
        isinstance(score, (int, float, np.integer, np.floating))
        and not isinstance(score, bool)
        and float(score).is_integer()
        and 0 <= float(score) <= 10
    )


def _score(score: int | None) -> float:
    return np.nan if score is None else float(score)


def _typed(frame: pd.DataFrame, pillar_ids: list[str]) -> pd.DataFrame:
    """Canonical dtypes: text as object, date datetime64, scores float (NaN = not asked), advocate bool."""
    return frame.astype(
        {
            "response_id": object,
            "touchpoint": object,
            "segment": object,
            "comment": object,
            "source": object,
            CALLER_COLUMN: object,
            "date": "datetime64[ns]",
            "recommend": float,
            "advocate": bool,
            **{p: float for p in pillar_ids},
        }
    )


def _as_text(row: pd.DataFrame) -> pd.DataFrame:
    """A row as the CSV holds it: dates as YYYY-MM-DD, whole scores without '.0', blanks for missing."""
    text = row.copy().astype(object)
    text["date"] = row["date"].dt.strftime("%Y-%m-%d")
    for column in row.columns:
        if row[column].dtype.kind == "f":
            text[column] = [("" if math.isnan(v) else f"{v:g}") for v in row[column]]
    text["advocate"] = row["advocate"].map({True: "true", False: "false"})
    return text.fillna("").astype(str)
