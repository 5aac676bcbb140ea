"""The column mapping (``mapping.yml``): which client column, or question, is each canonical field and pillar.

A mapping says where the feedback file is (relative to the workshop folder), how it is written (layout,
encoding, delimiter, sheet, heading row: unset means detected), which client column is ``response_id``,
``date``, ``touchpoint``, ``segment`` and ``comment``, which column or long-format question is
``recommend`` and each pillar with its scale (see ``workshop.feedback.scales``), how client touchpoint and
segment values translate (``Call centre`` → ``phone``), the day/month order of dates, an optional advocate
column with its values, and the privacy lists the comment scrub reads. ``workshop.feedback.suggest`` proposes
one from column names and values; the facilitator confirms it before anything loads.

Layouts: ``wide`` has a column per question; ``long`` has a row per response × question, with a question
column and an answer column (``question_column``, ``answer_column``); pillars, ``recommend`` and ``comment``
then name a question label instead of a column.

This module reads, writes and checks mappings; it does not read feedback rows.
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workshop.errors import FeedbackError, Problem
from workshop.feedback.dates import DATE_ORDERS
from workshop.feedback.readers import FileFormat, file_kind
from workshop.feedback.scales import SCALES, AnswerRule
from workshop.files import FileStamp, atomic_write_text, stamp_of_bytes, write_if_unchanged
from workshop.promise import Promise
from workshop.yaml_files import file_in, read_yaml, yaml_rewrite, yaml_text

MAPPING_FILE = "mapping.yml"
FIELDS = ("response_id", "date", "touchpoint", "segment", "comment")
COLUMN_ONLY_FIELDS = ("response_id", "date", "touchpoint", "segment")
"""The fields read from a column even in a long export (a row per response × question): the scores and the
comment may name a question instead."""
"""Canonical fields read from one column each (``recommend`` and pillars also carry a scale)."""
LAYOUTS = ("wide", "long")
FILE_HEADER = (
    "# How the client's feedback file maps onto the workshop's fields. Check it in notebook 02 or edit by hand.\n"
    "# Scales: " + ", ".join(SCALES) + ". null under 'format' means: detect it from the file.\n"
    "# touchpoints / segments: client value -> workshop value. date_order: auto, day_first or month_first.\n"
    "# A column's missing: [codes that mean not answered]. scale: labels reads the column's own words, with\n"
    "# labels: {word: points 0-10}.\n"
)


@dataclass
class Source:
    """Where a value comes from: a ``column`` (wide layout) or a ``question`` label (long layout).

    ``scale`` is set for scores (pillars, ``recommend``, ``overall``) and names a scale in ``scales.SCALES``;
    ``missing`` lists the column's own answers that mean "not answered" (e.g. ``[0]`` when 0 is "not rated");
    ``labels`` gives the points of each label for the ``labels`` scale.
    """

    column: str | None = None
    question: str | None = None
    scale: str | None = None
    missing: list[str | float] = field(default_factory=list)
    labels: dict[str, float] = field(default_factory=dict)

    def answer_rule(self) -> AnswerRule:
        """How this column's answers become 0–10 points (its scale, missing codes and labels)."""
        return AnswerRule.of(self.scale or "0-10", self.missing, self.labels)

    @property
    def label(self) -> str:
        return self.column if self.column is not None else (self.question or "")


@dataclass
class AdvocateRule:
    """Advocates are the responses whose ``column`` holds one of ``values`` (compared case-insensitively)."""

    column: str
    values: list[str]


@dataclass(frozen=True)
class SuggestionNote:
    """One decision of a suggested mapping: ``field`` from ``column`` (None when left unmapped), how sure
    (sure / likely / left for you) and why, in words."""

    field: str
    column: str | None
    confidence: str
    reason: str

    def sentence(self) -> str:
        where = f"'{self.column}'" if self.column else "nothing"
        # One line, whatever a client's heading holds: the sentence is also a comment line in mapping.yml.
        return " ".join(f"{self.field} <- {where} [{self.confidence}]: {self.reason}".split())


@dataclass
class FeedbackMapping:
    """How one client file maps onto canonical feedback (see the module docstring)."""

    source: str = ""
    layout: str = "wide"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    header_row: int | None = None
    question_column: str | None = None
    answer_column: str | None = None
    fields: dict[str, Source] = field(default_factory=dict)
    recommend: Source | None = None
    overall: Source | None = None
    """An overall rating ("How would you rate us overall?"): what importance is derived against when there is
    no 0–10 recommend question. It is never read as an NPS answer."""
    pillars: dict[str, Source] = field(default_factory=dict)
    date_order: str = "auto"
    touchpoints: dict[str, str] = field(default_factory=dict)
    segments: dict[str, str] = field(default_factory=dict)
    advocate: AdvocateRule | None = None
    privacy: dict[str, list[str]] = field(default_factory=lambda: {"do_not_show": [], "safe_patterns": []})
    notes: list[SuggestionNote] = field(default_factory=list, compare=False, repr=False)
    """How sure a suggested mapping is of each field, and why (``workshop.feedback.suggest``); not saved."""

    def file_format(self, path: str | Path) -> FileFormat:
        """The reading options for ``path``; unset ones are detected by the reader."""
        return FileFormat(
            kind=file_kind(Path(path)),
            encoding=self.encoding,
            delimiter=self.delimiter,
            sheet=self.sheet,
            header_row=self.header_row,
        )

    def columns_used(self) -> list[str]:
        """Every client column this mapping reads, in a stable order."""
        used: list[str] = []
        sources = [*self.fields.values(), *self.measures().values(), *self.pillars.values()]
        names = [s.column for s in sources if s is not None] + [self.question_column, self.answer_column]
        names.append(self.advocate.column if self.advocate else None)
        for name in names:
            if name is not None and name not in used:
                used.append(name)
        return used

    def measures(self) -> dict[str, Source]:
        """The whole-response measures mapped (``recommend``, ``overall``), by target."""
        return {
            target: source
            for target, source in (("recommend", self.recommend), ("overall", self.overall))
            if source is not None
        }

    def questions_used(self) -> list[str]:
        """Every question label this mapping reads (long layout only), in a stable order."""
        sources = [*self.fields.values(), *self.measures().values(), *self.pillars.values()]
        return list(dict.fromkeys(s.question for s in sources if s is not None and s.question is not None))


# --- YAML -------------------------------------------------------------------------------------------------

_TOP_KEYS = (
    "source",
    "format",
    "fields",
    "recommend",
    "overall",
    "pillars",
    "date_order",
    "touchpoints",
    "segments",
    "advocate",
    "privacy",
)
_FORMAT_KEYS = ("layout", "encoding", "delimiter", "sheet", "header_row", "question_column", "answer_column")


class _Reader:
    """Collects every problem in a mapping document instead of stopping at the first."""

    def __init__(self, file: Path | None):
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, where: str, key: str | None, message: str, fix: str = "", value: Any = None) -> None:
        self.problems.append(Problem(self.file, where, key, message, fix, None if value is None else repr(value)))

    def known_keys(self, data: dict, allowed: tuple[str, ...], where: str) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                fix = f"Did you mean '{close[0]}'?" if close else f"Known keys: {', '.join(allowed)}."
                self.problem(where, str(key), "unknown key", fix)

    def section(self, data: dict, key: str) -> dict:
        value = data.get(key) or {}
        if not isinstance(value, dict):
            self.problem("", key, "must be a set of 'name: value' lines", "", value)
            return {}
        return value

    def text(self, value: Any, where: str, key: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip() if isinstance(value, str) else str(value)
        self.problem(where, key, "must be a column name or question label", "Put it in quotes.", value)
        return None

    def source(self, value: Any, where: str, scored: bool) -> Source | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            if scored:
                self.problem(
                    where,
                    None,
                    "must give 'column' (or 'question') and 'scale'",
                    "Write it as {column: Speed, scale: 1-5}.",
                    value,
                )
                return None
            column = self.text(value, where, "column")
            return Source(column=column) if column else None
        self.known_keys(
            value, ("column", "question", "scale", "missing", "labels") if scored else ("column", "question"), where
        )
        source = Source(
            self.text(value.get("column"), where, "column"), self.text(value.get("question"), where, "question")
        )
        if (source.column is None) == (source.question is None):
            self.problem(where, None, "needs exactly one of 'column' or 'question'", "", value)
            return None
        if scored:
            source.labels = self.labels(value.get("labels"), where)
            scale = str(value.get("scale", "labels" if source.labels else "0-10"))
            if scale not in SCALES:
                close = difflib.get_close_matches(scale, list(SCALES), n=1, cutoff=0.5)
                self.problem(
                    where,
                    "scale",
                    "is not a scale the kit knows",
                    (f"Did you mean '{close[0]}'? " if close else "") + f"Scales: {', '.join(SCALES)}.",
                    value.get("scale"),
                )
            elif (scale == "labels") != bool(source.labels):
                self.problem(
                    where,
                    "labels",
                    "go with 'scale: labels', and that scale needs its labels",
                    "Write it as {column: Sentiment, scale: labels, labels: {negative: 0, neutral: 5, "
                    "positive: 10}}, or remove 'labels:' and name a scale.",
                    value.get("labels"),
                )
            source.scale = scale
            source.missing = self.missing_codes(value.get("missing"), where)
        return source

    def labels(self, value: Any, where: str) -> dict[str, float]:
        if value is None:
            return {}
        fix = "Give each label its points out of 10, e.g. {negative: 0, neutral: 5, positive: 10}."
        if not isinstance(value, dict) or not value:
            self.problem(where, "labels", "must be a set of 'label: points' lines", fix, value)
            return {}
        labels: dict[str, float] = {}
        for label, points in value.items():
            if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 <= points <= 10:
                self.problem(where, f"labels: {label}", "must be points from 0 to 10", fix, points)
            elif not str(label).strip():
                self.problem(where, "labels", "has an empty label", fix, label)
            else:
                labels[str(label).strip()] = float(points)
        return labels

    def missing_codes(self, value: Any, where: str) -> list[str | float]:
        if value is None:
            return []
        codes = value if isinstance(value, list) else [value]
        if not codes or not all(
            isinstance(c, (str, int, float)) and not isinstance(c, bool) and str(c).strip() for c in codes
        ):
            self.problem(
                where,
                "missing",
                "must list the answers that mean 'not answered'",
                'Write it as missing: [0] or missing: ["n/a", 99].',
                value,
            )
            return []
        return list(codes)

    def value_map(self, data: dict, key: str) -> dict[str, str]:
        raw = self.section(data, key)
        out: dict[str, str] = {}
        for client_value, ours in raw.items():
            if not isinstance(ours, str) or not ours.strip():
                self.problem(key, str(client_value), "must map to a non-empty value", "", ours)
            else:
                out[str(client_value)] = ours.strip()
        return out

    def text_list(self, data: dict, key: str, where: str) -> list[str]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(where, key, "must be a list of texts", "Write one '- item' per line.", value)
            return []
        return [v.strip() for v in value]


def mapping_from_dict(data: Any, file: Path | None = None) -> FeedbackMapping:
    """Build a mapping from plain data (as read from YAML), or raise FeedbackError listing every problem."""
    reader = _Reader(file)
    if not isinstance(data, dict):
        message = "must be a set of keys (source, fields, pillars, ...)"
        raise FeedbackError([Problem(file, "", None, message, "Start from datasets/sample/mapping.yml.", repr(data))])
    reader.known_keys(data, _TOP_KEYS, "")
    fmt = reader.section(data, "format")
    reader.known_keys(fmt, _FORMAT_KEYS, "format")
    mapping = FeedbackMapping(source=str(data.get("source") or ""))
    mapping.layout = str(fmt.get("layout", "wide"))
    if mapping.layout not in LAYOUTS:
        message = "must be 'wide' (a column per question) or 'long' (a row per answer)"
        reader.problem("format", "layout", message, "", fmt.get("layout"))
    for key in ("encoding", "delimiter", "question_column", "answer_column"):
        value = fmt.get(key)
        setattr(mapping, key, None if value is None or str(value) == "" else str(value))
    if mapping.encoding is not None:
        try:
            codecs.lookup(mapping.encoding)
        except LookupError:
            fix = "Remove it to detect the encoding, or write e.g. utf-8, cp1252, latin-1."
            reader.problem("format", "encoding", "is not an encoding Python knows", fix, mapping.encoding)
    if mapping.delimiter is not None:
        # A tab is hard to type in YAML: '\t' in single quotes or unquoted, and 'tab', mean one.
        mapping.delimiter = "\t" if mapping.delimiter.casefold() in ("\\t", "tab") else mapping.delimiter
        if len(mapping.delimiter) != 1:
            fix = "Remove it to detect the delimiter, or write e.g. ';' or tab."
            reader.problem("format", "delimiter", "must be one character", fix, mapping.delimiter)
    mapping.sheet = fmt.get("sheet")
    header_row = fmt.get("header_row")
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1):
        reader.problem("format", "header_row", "must be a row number from 1 (the file's first row)", "", header_row)
        header_row = None
    mapping.header_row = header_row
    fields = reader.section(data, "fields")
    reader.known_keys(fields, FIELDS, "fields")
    for name in FIELDS:
        if (source := reader.source(fields.get(name), f"fields: {name}", scored=False)) is not None:
            mapping.fields[name] = source
    mapping.recommend = reader.source(data.get("recommend"), "recommend", scored=True)
    mapping.overall = reader.source(data.get("overall"), "overall", scored=True)
    for pillar_id, raw in reader.section(data, "pillars").items():
        if (source := reader.source(raw, f"pillar '{pillar_id}'", scored=True)) is not None:
            mapping.pillars[str(pillar_id)] = source
    mapping.date_order = str(data.get("date_order", "auto"))
    if mapping.date_order not in DATE_ORDERS:
        reader.problem("", "date_order", f"must be one of {', '.join(DATE_ORDERS)}", "", data.get("date_order"))
    mapping.touchpoints = reader.value_map(data, "touchpoints")
    mapping.segments = reader.value_map(data, "segments")
    advocate = data.get("advocate")
    if advocate is not None:
        if not isinstance(advocate, dict) or not advocate.get("column"):
            reader.problem(
                "advocate",
                None,
                "must name a 'column' and its 'values'",
                "Write it as {column: Loyalty tier, values: [Gold, Platinum]}, or remove it to count "
                "promoters (recommend 9-10) as advocates.",
                advocate,
            )
        else:
            reader.known_keys(advocate, ("column", "values"), "advocate")
            mapping.advocate = AdvocateRule(str(advocate["column"]), reader.text_list(advocate, "values", "advocate"))
    privacy = reader.section(data, "privacy")
    reader.known_keys(privacy, ("do_not_show", "safe_patterns"), "privacy")
    mapping.privacy = {key: reader.text_list(privacy, key, "privacy") for key in ("do_not_show", "safe_patterns")}
    for pattern in mapping.privacy["safe_patterns"]:
        try:
            re.compile(pattern)
        except re.error as exc:
            reader.problem(
                "privacy",
                "safe_patterns",
                f"is not a valid pattern ({exc})",
                r"Write it as a regular expression, e.g. 'ORD-\d{6}'.",
                pattern,
            )
    _check_layout(mapping, reader)
    if reader.problems:
        raise FeedbackError(reader.problems)
    return mapping


def _check_layout(mapping: FeedbackMapping, reader: _Reader) -> None:
    sources = {
        **{f"fields: {k}": s for k, s in mapping.fields.items()},
        **{f"pillar '{k}'": s for k, s in mapping.pillars.items()},
        **mapping.measures(),
    }
    if mapping.layout == "long":
        for key in ("question_column", "answer_column"):
            if getattr(mapping, key) is None:
                reader.problem(
                    "format",
                    key,
                    "is needed for the long layout (a row per response × question)",
                    "Name the columns holding the question and the answer.",
                )
        id_source = mapping.fields.get("response_id")
        if id_source is None or id_source.column is None:
            reader.problem(
                "fields",
                "response_id",
                "must name a column in the long layout",
                "The response id is what ties a response's rows together.",
            )
        for where in (f"fields: {name}" for name in COLUMN_ONLY_FIELDS):
            if where in sources and sources[where].question is not None:
                reader.problem(where, "question", "must be a column, not a question", "")
    else:
        for where, source in sources.items():
            if source.question is not None:
                reader.problem(
                    where,
                    "question",
                    "is only for the long layout",
                    "Use 'column:', or set 'layout: long' under 'format:'.",
                )


def mapping_to_dict(mapping: FeedbackMapping) -> dict[str, Any]:
    def source(s: Source | None, scored: bool) -> Any:
        if s is None:
            return None
        where: dict[str, Any] = {"column": s.column} if s.column is not None else {"question": s.question}
        if scored:
            where["scale"] = s.scale or "0-10"
            if s.missing:
                where["missing"] = list(s.missing)
            if s.labels:
                where["labels"] = {
                    label: int(points) if points.is_integer() else points for label, points in s.labels.items()
                }
        elif s.column is not None:
            return s.column
        return where

    return {
        "source": mapping.source,
        "format": {
            "layout": mapping.layout,
            "encoding": mapping.encoding,
            "delimiter": mapping.delimiter,
            "sheet": mapping.sheet,
            "header_row": mapping.header_row,
            "question_column": mapping.question_column,
            "answer_column": mapping.answer_column,
        },
        "fields": {name: source(mapping.fields.get(name), False) for name in FIELDS},
        "recommend": source(mapping.recommend, True),
        "overall": source(mapping.overall, True),
        "pillars": {pillar_id: source(s, True) for pillar_id, s in mapping.pillars.items()},
        "date_order": mapping.date_order,
        "touchpoints": dict(mapping.touchpoints),
        "segments": dict(mapping.segments),
        "advocate": (
            {"column": mapping.advocate.column, "values": list(mapping.advocate.values)} if mapping.advocate else None
        ),
        "privacy": {key: list(values) for key, values in mapping.privacy.items()},
    }


@dataclass(frozen=True)
class ImportanceMeasure:
    """What a pillar's importance is derived against: how its score moves with ``target``'s answers."""

    target: str
    """``recommend`` (the 0–10 would-recommend question) or ``overall`` (an overall rating)."""
    label: str
    """The client column or question it comes from."""

    @property
    def phrase(self) -> str:
        """How the views name it: "likelihood to recommend" or "the overall rating ('Rating')"."""
        return "likelihood to recommend" if self.target == "recommend" else f"the overall rating ('{self.label}')"


NO_IMPORTANCE = (
    "Importance is not derived: the feedback has no 0–10 'would you recommend' question and no "
    "overall rating mapped, so the views show how each pillar performs, not what matters most."
)


def importance_measure(mapping: FeedbackMapping | None) -> ImportanceMeasure | None:
    """The measure importance is derived against: recommend when mapped, else the overall rating, else None
    (say ``NO_IMPORTANCE``)."""
    measures = mapping.measures() if mapping is not None else {}
    target = next(iter(measures), None)
    return ImportanceMeasure(target, measures[target].label) if target is not None else None


def load_mapping(path: str | os.PathLike) -> FeedbackMapping:
    """Read and check a mapping file; a folder means its ``mapping.yml``."""
    path = file_in(path, MAPPING_FILE)
    if not path.is_file():
        fix = "Confirm a mapping in notebook 02, or run 'workshop check FILE --save-mapping'."
        raise FeedbackError([Problem(path, "", None, "file not found", fix)])
    document = read_yaml(path, FeedbackError, "Check the indentation and the ':' after each key on that line.")
    return mapping_from_dict(document.data, path)


def dump_mapping(mapping: FeedbackMapping) -> str:
    """The mapping as mapping.yml's text; a suggested one carries its notes as comments for the consultant."""
    return yaml_text(_checked_header(mapping), mapping_to_dict(mapping))


def _checked_header(mapping: FeedbackMapping) -> str:
    """Check the mapping as it will be read back; mapping.yml's header, with a suggestion's notes."""
    mapping_from_dict(mapping_to_dict(mapping))
    notes = "".join(f"#   {note.sentence()}\n" for note in mapping.notes)
    return FILE_HEADER + (f"# Suggested from the file's first rows; check each line:\n{notes}" if notes else "")


def save_mapping(mapping: FeedbackMapping, path: str | os.PathLike, *, expected: FileStamp | None = None) -> FileStamp:
    """Check, then write atomically; a folder means its ``mapping.yml``. Returns the stamp written.

    With ``expected`` (the stamp of the mapping.yml the caller read, ``files.NO_FILE`` for none) the file is
    written only if unchanged since, else ``StaleFileError``: what the mapping panel passes, and ``workshop
    check --save-mapping`` after its own rule decided a file there may be replaced. Without it the file is
    written as it stands: only for callers that read no mapping.yml (tests building a folder).
    """
    path = file_in(path, MAPPING_FILE)
    if expected is not None:
        # The consultant's comments in the mapping.yml replaced are kept.
        return write_if_unchanged(path, yaml_rewrite(_checked_header(mapping), mapping_to_dict(mapping)), expected)
    text = dump_mapping(mapping)
    atomic_write_text(path, text)
    return stamp_of_bytes(text.encode("utf-8"))


def source_path(mapping: FeedbackMapping, folder: str | os.PathLike) -> Path:
    """The feedback file a workshop folder's mapping names (relative to the folder unless absolute)."""
    return (Path(folder) / mapping.source).resolve()


# --- checking against a file and a promise ----------------------------------------------------------------


def mapping_issues(mapping: FeedbackMapping, columns: list[str], promise: Promise) -> list[tuple[str, str, str]]:
    """Blocking problems of a mapping for a file with ``columns`` and a promise: (message, column, fix)."""
    issues: list[tuple[str, str, str]] = []
    for column in mapping.columns_used():
        if column not in columns:
            close = difflib.get_close_matches(column, columns, n=1, cutoff=0.6)
            fix = (f"Did you mean '{close[0]}'? " if close else "") + f"The file's columns: {', '.join(columns)}."
            issues.append(("is named in mapping.yml but is not in the file", column, fix))
    for pillar_id in mapping.pillars:
        if pillar_id not in promise.pillar_ids:
            issues.append(
                (
                    f"is mapped to pillar '{pillar_id}', which is not in the promise",
                    mapping.pillars[pillar_id].label,
                    f"Use one of: {', '.join(promise.pillar_ids)}, or add the pillar in notebook 01.",
                )
            )
    if not mapping.pillars:
        issues.append(
            (
                "no pillar is mapped to a column or question, so there is nothing to compare with the promise",
                "",
                "Map at least one pillar to the column (or question) that scores it.",
            )
        )
    elif not any(pillar_id in promise.pillar_ids for pillar_id in mapping.pillars):
        issues.append(
            (
                f"none of the mapped pillars ({', '.join(mapping.pillars)}) is in the promise, so there is "
                "nothing to compare with it",
                "",
                f"Rename them in mapping.yml to the promise's pillars ({', '.join(promise.pillar_ids)}), "
                "or add the pillars in notebook 01.",
            )
        )
    return issues
