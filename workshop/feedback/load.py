"""Loading a client's feedback file: streamed in chunks into the score cube, with the validation report.

``load_feedback`` reads the file ``chunk_rows`` records at a time (pandas chunks for CSV, openpyxl's
read-only rows for Excel, pyarrow record batches for Parquet), converts and checks each chunk
(``canonical``), pivots long exports (``long_format``), and adds the kept responses to a
``workshop.cube.CubeBuilder``. Memory is one chunk, the cube, the report, 8 bytes per response id (to
count each response once), and the explorer frame:

The **explorer frame** holds the kept responses that have a comment (canonical columns). Up to
``EXPLORER_CAP`` comments it holds them all; past that, a uniform random sample of ``EXPLORER_CAP``
(seeded, so the same file gives the same sample), because a room reads dozens of comments, not millions,
and the counts on screen come from the cube. ``LoadedFeedback.comments_total`` says how many there were.

Mapping problems that make a column unreadable (a column not in the file, a pillar not in the promise, no
pillar at all) are blocking problems in the report; the rest of the file is still read so the report lists
everything at once. A file that cannot be read at all raises FeedbackError. This module must not import
widgets or plotting libraries.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from workshop.cube import CANONICAL_COLUMNS, OTHER, AxisGrouping, CubeBuilder, ScoreCube
from workshop.errors import FeedbackError, Problem
from workshop.feedback.calls import CALLS_FILE, load_calls
from workshop.feedback.canonical import DUPLICATE_ID, Canonicalizer, Responses, still_kept
from workshop.feedback.column_checks import MOSTLY, judge_columns, judge_dates
from workshop.feedback.long_format import NOT_TOGETHER, LongPivot
from workshop.feedback.mapping import (
    FeedbackMapping,
    importance_measure,
    load_mapping,
    mapping_issues,
    mapping_to_dict,
    source_path,
)
from workshop.feedback.names import names_in_comments, names_offer
from workshop.feedback.privacy import privacy_rules
from workshop.feedback.readers import RawChunk, detect_format, read_chunks, read_columns, read_preview
from workshop.feedback.scales import ROUNDING_RULE
from workshop.feedback.suggest import suggest_mapping
from workshop.feedback.validation import BLOCKING, WARNING, ValidationReport
from workshop.promise import Promise, load_promise

EXPLORER_CAP = 50_000
"""Comments kept for the verbatim explorer; past this, a seeded uniform random sample of this many."""
EXPLORER_SEED = 20_240_325
NOT_MAPPED = "no column or question is mapped to it"
"""Why a pillar of the promise is not measured when the mapping leaves it out."""
Progress = Callable[[float, int], None]
"""Called after each chunk with (fraction of the file read 0–1, rows read so far)."""


@dataclass
class LoadedFeedback:
    """What loading a file gives: the cube, the explorer's comments, the report, and the mapping used."""

    cube: ScoreCube
    explorer: pd.DataFrame
    report: ValidationReport
    mapping: FeedbackMapping
    comments_total: int = 0
    calls: int = 0
    """Advocate calls merged in (rows with ``source = call``), beyond the file's responses."""

    @property
    def explorer_is_sample(self) -> bool:
        return self.comments_total > len(self.explorer)


class _ExplorerSample:
    """Kept responses with a comment: all of them up to the cap, else a seeded uniform random sample."""

    def __init__(self, cap: int, seed: int):
        self.cap = cap
        self.rng = np.random.default_rng(seed)
        self.parts: list[pd.DataFrame] = []
        self.held = 0
        self.total = 0

    def add(self, frame: pd.DataFrame) -> None:
        commented = frame[frame["comment"].notna().to_numpy()]
        if commented.empty:
            return
        # A random key per comment; keeping the smallest keys is a uniform sample of any size of stream.
        self.parts.append(
            commented.assign(
                _key=self.rng.random(len(commented)), _order=np.arange(self.total, self.total + len(commented))
            )
        )
        self.total += len(commented)
        self.held += len(commented)
        if self.held > 2 * self.cap:
            self._shrink()

    def _shrink(self) -> None:
        frame = pd.concat(self.parts)
        if len(frame) > self.cap:
            frame = frame.nsmallest(self.cap, "_key")
        self.parts, self.held = [frame], len(frame)

    def frame(self, columns: list[str]) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        self._shrink()
        frame = self.parts[0].sort_values("_order")
        return frame[columns].reset_index(drop=True)


def load_feedback(
    path: str | Path,
    mapping: FeedbackMapping,
    promise: Promise,
    *,
    chunk_rows: int = 200_000,
    progress: Progress | None = None,
    calls: pd.DataFrame | None = None,
) -> LoadedFeedback:
    """Stream a feedback file through ``mapping`` into a cube, an explorer frame and a validation report.

    Scores in the cube and the explorer are whole points 0–10; missing is NaN, never 0. ``calls`` are
    logged advocate calls (``workshop.feedback.calls.load_calls``), added to the cube and the explorer as
    they are: the report's row counts stay the file's. Raises FeedbackError when the file cannot be read
    at all; every other problem is in ``.report``.
    """
    path = Path(path)
    fmt = detect_format(path, mapping.file_format(path))
    columns = read_columns(path, fmt)
    report = ValidationReport(path, questions=frozenset(mapping.questions_used()), privacy=privacy_rules(mapping))
    _describe(report, fmt, mapping)
    usable = _usable(mapping, columns, promise, report)
    measure = importance_measure(usable)
    builder = CubeBuilder(promise.pillar_ids, measure.target if measure is not None else "recommend")
    explorer = _ExplorerSample(EXPLORER_CAP, EXPLORER_SEED)
    pillar_ids = [p for p in usable.pillars if p in promise.pillar_ids]
    explorer_columns = list(CANONICAL_COLUMNS) + pillar_ids
    if usable.layout == "long" and not _can_pivot(usable, columns):
        report.rows_read = 0
        return LoadedFeedback(builder.build(), explorer.frame(explorer_columns), report, mapping)
    targets = _targets(usable)
    canonical = Canonicalizer(
        usable,
        promise,
        report,
        labels=_labels(usable),
        duplicate_reason=NOT_TOGETHER if usable.layout == "long" else DUPLICATE_ID,
    )
    pivot = LongPivot(usable, report) if usable.layout == "long" else None
    wanted = usable.columns_used()
    scored_columns = {s.column for s in [*usable.pillars.values(), *usable.measures().values()] if s.column}
    chunks = read_chunks(path, fmt, wanted, chunk_rows, numbers=scored_columns)
    chunk = next(chunks, None)
    while chunk is not None:
        following = next(chunks, None)
        report.rows_read += len(chunk.rows) + len(chunk.rejected)
        _reader_rejects(chunk, report)
        _reader_replacements(chunk, report)
        if pivot is None:
            _wide_chunk(chunk, targets, usable, canonical, builder, explorer, report)
        else:
            _long_chunk(chunk, pivot, following is None, canonical, builder, explorer, report)
        if progress is not None:
            progress(chunk.fraction, report.rows_read)
        chunk = following
    _finish(report, canonical, pivot)
    merged = _merge_calls(calls, builder, explorer, report)
    cube = builder.build()
    for grouping in cube.grouped:
        _report_grouping(report, grouping, canonical.labels.get(grouping.axis))
    if progress is not None:
        progress(1.0, report.rows_read)
    return LoadedFeedback(cube, explorer.frame(explorer_columns), report, mapping, explorer.total, merged)


_FEW_VALUES = {"touchpoint": "where customers met you: phone, store, web", "segment": "a channel or a customer type"}


def _report_grouping(report: ValidationReport, grouping: AxisGrouping, column: str | None) -> None:
    report.add(
        WARNING,
        f"has {grouping.distinct:,} different values, more than a room can read: the "
        f"{grouping.kept} largest are kept and the rest shown as '{OTHER}'",
        column,
        f"Map a column with a few values ({_FEW_VALUES[grouping.axis]}) as the {grouping.axis}, or leave it unmapped.",
        count=grouping.distinct,
    )


def _merge_calls(
    calls: pd.DataFrame | None, builder: CubeBuilder, explorer: _ExplorerSample, report: ValidationReport
) -> int:
    if calls is None or calls.empty:
        return 0
    builder.add(calls)
    explorer.add(calls)
    report.notes.append(
        f"Advocate calls: {len(calls):,} logged in {CALLS_FILE}, added to the scores and "
        "comments (source 'call'); the row counts below are the file's alone."
    )
    return len(calls)


def _describe(report: ValidationReport, fmt, mapping: FeedbackMapping) -> None:
    if fmt.kind == "csv":
        replaced = ", bytes that are not UTF-8 read as �" if fmt.encoding_errors == "replace" else ""
        report.notes.append(
            f"Read as CSV: encoding {fmt.encoding}{replaced}, delimiter {fmt.delimiter!r}, "
            f"headings on row {fmt.header_row}."
        )
    elif fmt.kind == "xlsx":
        report.notes.append(f"Read as Excel: sheet '{fmt.sheet}', headings on row {fmt.header_row}.")
    else:
        report.notes.append("Read as Parquet: the first record is numbered row 2, as in a spreadsheet.")
    shape = "a row per response × question" if mapping.layout == "long" else "a column per question"
    report.notes.append(f"Layout: {mapping.layout} ({shape}).")
    report.notes.append(ROUNDING_RULE)


def _usable(
    mapping: FeedbackMapping, columns: list[str], promise: Promise, report: ValidationReport
) -> FeedbackMapping:
    """The mapping without what cannot be read (each recorded as a blocking problem)."""
    for message, column, fix in mapping_issues(mapping, columns, promise):
        report.add(BLOCKING, message, column or None, fix, count=1)
    for pillar in promise.pillars:
        if pillar.id not in mapping.pillars:
            report.add(
                WARNING,
                f"pillar '{pillar.name}' is not measured: {NOT_MAPPED}",
                None,
                "Map the column or question that scores it in notebook 02 (or mapping.yml), or tell the "
                "room the feedback says nothing about it.",
                count=1,
                headline=True,
            )
    usable = copy.deepcopy(mapping)
    usable.fields = {k: s for k, s in usable.fields.items() if s.column is None or s.column in columns}
    usable.pillars = {
        k: s for k, s in usable.pillars.items() if k in promise.pillar_ids and (s.column is None or s.column in columns)
    }
    for target, measure in usable.measures().items():
        if measure.column is not None and measure.column not in columns:
            setattr(usable, target, None)
    if usable.advocate is not None and usable.advocate.column not in columns:
        usable.advocate = None
    return usable


def _can_pivot(mapping: FeedbackMapping, columns: list[str]) -> bool:
    needed = [
        mapping.question_column,
        mapping.answer_column,
        mapping.fields["response_id"].column if "response_id" in mapping.fields else None,
    ]
    return all(c is not None and c in columns for c in needed)


def _targets(mapping: FeedbackMapping) -> dict[str, str]:
    """Target → client column, for the wide layout."""
    targets = {name: s.column for name, s in mapping.fields.items() if s.column is not None}
    targets.update({p: s.column for p, s in mapping.pillars.items() if s.column is not None})
    targets.update({target: s.column for target, s in mapping.measures().items() if s.column is not None})
    if mapping.advocate is not None:
        targets["advocate"] = mapping.advocate.column
    return targets


def _labels(mapping: FeedbackMapping) -> dict[str, str]:
    """Target → the client column or question it comes from, as the report names it."""
    labels = {name: s.label for name, s in mapping.fields.items()}
    labels.update({p: s.label for p, s in mapping.pillars.items()})
    labels.update({target: s.label for target, s in mapping.measures().items()})
    if mapping.advocate is not None:
        labels["advocate"] = mapping.advocate.column
    return labels


def _reader_rejects(chunk: RawChunk, report: ValidationReport) -> None:
    if not chunk.rejected:
        return
    rows = np.array([r for r, _ in chunk.rejected], dtype=np.int64)
    reasons = np.array([why for _, why in chunk.rejected], dtype=object)
    report.set_aside(rows, reasons)
    for reason in dict.fromkeys(reasons):
        hit = rows[reasons == reason]
        report.add(
            WARNING,
            f"{_kind_of(reason)}, row set aside",
            None,
            "Open the file at that row: a delimiter inside an unquoted value, or a cut-off export.",
            hit[:5],
            count=len(hit),
        )


def _reader_replacements(chunk: RawChunk, report: ValidationReport) -> None:
    rows_by_column: dict[str, list[int]] = {}
    for row, column in chunk.replaced:
        rows_by_column.setdefault(column, []).append(row)
    for column, rows in rows_by_column.items():
        report.add(
            WARNING,
            "bytes that are not UTF-8 in a file marked as UTF-8, kept as �",
            column,
            "Retype those characters in the client's file, or have it saved again as CSV UTF-8.",
            rows,
        )


def _kind_of(reason: str) -> str:
    return "rows with more values than columns" if reason.startswith("has ") else reason


def _wide_chunk(
    chunk: RawChunk,
    targets: dict[str, str],
    mapping: FeedbackMapping,
    canonical: Canonicalizer,
    builder: CubeBuilder,
    explorer: _ExplorerSample,
    report: ValidationReport,
) -> None:
    frame = chunk.frame
    values = {target: frame[column].to_numpy() for target, column in targets.items()}
    converted = canonical.convert(Responses(values, chunk.rows))
    _keep(converted.frame, builder, explorer, report)
    report.rows_kept += len(converted.frame)
    aside = ~still_kept(converted.reasons)
    if aside.any():
        comment = mapping.fields.get("comment")
        raw = frame[aside].drop(columns=[comment.column] if comment and comment.column in frame else [])
        report.set_aside(chunk.rows[aside], converted.reasons[aside], raw.assign(file_row=chunk.rows[aside]))


def _long_chunk(
    chunk: RawChunk,
    pivot: LongPivot,
    final: bool,
    canonical: Canonicalizer,
    builder: CubeBuilder,
    explorer: _ExplorerSample,
    report: ValidationReport,
) -> None:
    pivoted = pivot.feed(chunk.frame, chunk.rows, final)
    report.set_aside(pivoted.set_aside_rows, pivoted.set_aside_reasons, pivoted.set_aside_raw)
    converted = canonical.convert(pivoted.responses, blank_rows_possible=False)
    _keep(converted.frame, builder, explorer, report)
    row_reasons = converted.reasons[pivoted.owner] if len(pivoted.owner) else np.zeros(0, dtype=object)
    aside = ~still_kept(row_reasons)
    report.rows_kept += int((~aside).sum())
    if aside.any():
        report.set_aside(pivoted.rows[aside], row_reasons[aside], pivoted.raw[aside])


def _keep(frame: pd.DataFrame, builder: CubeBuilder, explorer: _ExplorerSample, report: ValidationReport) -> None:
    builder.add(frame)
    explorer.add(frame)
    report.responses_kept += len(frame)


def _finish(report: ValidationReport, canonical: Canonicalizer, pivot: LongPivot | None) -> None:
    """Whole-file judgements: mostly unreadable columns, date order, unseen questions, nothing kept."""
    judge_columns(report, canonical.tallies.values())
    judge_dates(
        report,
        canonical.labels.get("date") if "date" in canonical.mapping.fields else None,
        canonical.date_counts,
        canonical.period,
    )
    ambiguity = canonical.dates.ambiguity()
    if ambiguity is not None:
        message, fix, (row, value) = ambiguity
        report.add(BLOCKING, message, canonical.labels.get("date"), fix, [row], [value], count=1)
    elif canonical.dates.decided and canonical.dates.order == "auto" and canonical.dates.evidence:
        row, value = canonical.dates.evidence[canonical.dates.decided]
        report.notes.append(
            f"Dates read {canonical.dates.decided.replace('_', '-')}: row {row} ({value!r}) can only be read that way."
        )
    if pivot is not None:
        for question, target in pivot.unseen_questions().items():
            report.add(
                BLOCKING,
                f"is mapped to '{target}' but never appears in the file",
                question,
                "Copy the question exactly as the export writes it into mapping.yml.",
                count=1,
            )
    if report.rows_read == 0:
        report.add(
            BLOCKING,
            "the file has column headings but no responses",
            None,
            "Export the survey again with its responses.",
            count=1,
        )
    elif report.responses_kept == 0:
        report.add(
            BLOCKING,
            "no response could be kept: see the reasons above",
            None,
            "Fix the mapping or the file, then load it again.",
            count=1,
        )
    elif report.rows_set_aside > MOSTLY * report.rows_read:
        # The findings would rest on a minority of the file: said before any figure.
        report.add(
            WARNING,
            f"most rows were set aside ({report.rows_set_aside:,} of {report.rows_read:,} read): "
            f"every finding rests on the {report.rows_kept:,} kept",
            None,
            "Read the reasons above and fix the mapping or the file before the workshop; say so to the "
            "room if it must go ahead.",
            count=report.rows_set_aside,
            headline=True,
        )


# --- checking a file, for `workshop check` and the mapping panel ------------------------------------------


@dataclass
class FeedbackCheck:
    """The outcome of checking a file: its report, the mapping used, and whether that was suggested."""

    report: ValidationReport
    mapping: FeedbackMapping | None
    suggested: bool
    names_seen: list[tuple[str, int]] = field(default_factory=list)
    """Likely first names in the loaded comments (``names.names_in_comments``), for the do-not-show list."""
    comments_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.report.blocking

    def to_text(self) -> str:
        text = self.report.to_text()
        if self.suggested and self.mapping is not None:
            body = yaml.safe_dump(mapping_to_dict(self.mapping), sort_keys=False, allow_unicode=True, width=110)
            notes = "".join(f"  - {note.sentence()}\n" for note in self.mapping.notes)
            text = (
                "Suggested mapping (no mapping.yml given; save it with --save-mapping and correct it):\n"
                + "\n".join("  " + line for line in body.splitlines())
                + "\n\n"
                + (f"How sure the suggestion is, field by field:\n{notes}\n" if notes else "")
                + text
            )
        offer = names_offer(self.names_seen, self.comments_read)
        return text + "\n" + offer if offer else text


def check_feedback(
    path: str | Path,
    promise: Promise,
    mapping: FeedbackMapping | None = None,
    *,
    source: str | None = None,
    chunk_rows: int = 200_000,
    progress: Progress | None = None,
) -> FeedbackCheck:
    """Load ``path`` with ``mapping`` (or a suggested one) and return the report; never raises FeedbackError.

    A file that cannot be read at all gives a report whose blocking problems say why.
    """
    path = Path(path)
    suggested = mapping is None
    try:
        if mapping is None:
            mapping = suggest_mapping(read_preview(path), promise, source=source if source is not None else path.name)
        loaded = load_feedback(path, mapping, promise, chunk_rows=chunk_rows, progress=progress)
    except FeedbackError as error:
        report = ValidationReport(path)
        for problem in error.problems:
            report.add(BLOCKING, _sentence(problem), problem.field, problem.fix, count=1)
        return FeedbackCheck(report, mapping, suggested)
    comments = loaded.explorer["comment"]
    return FeedbackCheck(
        loaded.report, mapping, suggested, names_in_comments(comments, privacy_rules(mapping)), len(comments)
    )


def _sentence(problem: Problem) -> str:
    where = f"{problem.where}: " if problem.where else ""
    value = f" (found {problem.value})" if problem.value else ""
    return f"{where}{problem.message}{value}"


def load_workshop_feedback(
    folder: str | Path, *, progress: Callable[[float, int], None] | None = None
) -> LoadedFeedback:
    """The feedback of a workshop folder: its promise.yml, its mapping.yml, the file the mapping names, and
    the advocate calls logged in it (``advocate_calls.csv``, merged with ``source = call``).

    Raises PromiseError / FeedbackError (WorkshopErrors) when a file is missing or unreadable; blocking
    problems in the data are in the returned report, as with ``load_feedback``.
    """
    folder = Path(folder)
    promise = load_promise(folder)
    mapping = load_mapping(folder)
    return load_feedback(
        source_path(mapping, folder), mapping, promise, progress=progress, calls=load_calls(folder, promise)
    )


class FeedbackBlocked(FeedbackError):
    """Feedback that did not pass the check: its blocking problems, and that no finding is drawn from it."""

    def __str__(self) -> str:
        problems = "\n".join(f"- {problem}" for problem in self.problems)
        return (
            f"The feedback did not pass the check, so no finding is drawn from it:\n{problems}\n"
            "Fix these in notebook 02 or mapping.yml ('workshop check' prints the whole report), "
            "then run this again."
        )


def usable_workshop_feedback(
    folder: str | Path, *, progress: Callable[[float, int], None] | None = None
) -> LoadedFeedback:
    """The feedback of a workshop folder, only when it passes the check: the one gate every finding goes
    through (``workshop report``, notebook 03's gap panel, notebook 05's report).

    Raises FeedbackBlocked (a FeedbackError) with the check's blocking problems (file, row, column, value,
    what to do), because a figure from the few rows that could be read would tell a story the data does not
    support. Warnings pass: the report names those that change the story.
    """
    loaded = load_workshop_feedback(folder, progress=progress)
    if loaded.report.blocking:
        raise FeedbackBlocked([issue.to_problem(loaded.report.file) for issue in loaded.report.blocking])
    return loaded
