"""The validation report: what was kept, converted and set aside when feedback was loaded, in plain words.

Every problem is counted once per kind and column, with up to five example rows (file row, column, value)
and what to do. Blocking problems mean the scores must not be used yet (no pillar mapped, a score column
that is mostly text, dates that may be in the wrong order, a file with no responses); warnings do not
(values out of range, duplicate response ids, future dates, unknown touchpoints); a warning that changes
the story (most rows set aside, a pillar with no scores, no dates) is marked ``headline`` where it is found,
and ``ValidationReport.headlines`` lists those with every blocking problem, for the screens to name first.
Totals reconcile: rows read = rows kept + rows set aside, and each set-aside row keeps its reason and can be
written to a CSV for the client. Comments are never written there: raw comments stay in the workshop folder, and the row
number and response id find the row in the client's own file. Other text (examples, set-aside values) may
still be a customer's words, in a column mapped by mistake: it is scrubbed (``privacy.scrub``) as comments
are, with the mapping's rules (``privacy``: its do-not-show names and safe patterns), which the report is
built with.

This module records the report and words it (``ValidationReport.outline``: the one wording, which ``to_text``
prints for `workshop check` and the mapping panel shows as HTML); it does not read files or decide what is
a problem.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workshop.errors import FeedbackError, Problem
from workshop.feedback.privacy import PrivacyRules, scrub, scrub_series
from workshop.files import atomic_write_text

BLOCKING = "blocking"
STORY_HEADING = "CHANGES THE STORY: say it to the room"
"""Over the warnings marked headline (no dates, most rows set aside, a pillar with no scores), before the rest."""
WARNING = "warning"
PLAIN, GOOD = "plain", "good"
"""Tones of a report line besides the severities: how a renderer marks it (plain, green, amber, red)."""
MAX_EXAMPLES = 5
SET_ASIDE_VALUES_CAP = 100_000
"""Set-aside rows whose values are kept for the client's CSV; past this, row numbers and reasons only."""


@dataclass
class Issue:
    """One kind of problem in one column, counted over the whole file, with a few example rows."""

    severity: str
    message: str
    column: str | None
    fix: str
    count: int = 0
    examples: list[tuple[int | None, str]] = field(default_factory=list)
    """(file row, value as found) for up to MAX_EXAMPLES rows; the row is None for whole-file problems."""
    headline: bool = False
    """A warning that changes the story the scores tell (most rows set aside, a pillar with no scores, most
    dates unreadable, no dates): the report and the step 2 and 3 screens name it first, before any figure."""

    def to_problem(self, file: Path | None) -> Problem:
        where = ", ".join(f"row {row}" for row, _ in self.examples if row is not None)
        values = ", ".join(value for _, value in self.examples)
        more = f" ({self.count} in all)" if self.count > 1 else ""
        return Problem(file, where, self.column, self.message + more, self.fix, values or None)


@dataclass
class ColumnTally:
    """How the answers of one score column fared: scored, missing, out of range, unreadable, and what was seen.

    ``numbers`` counts each whole-number answer 0–10 as written (before conversion), by month (``YYYY-MM``, or
    ``""`` undated): what tells two scales mixed in one column apart. ``unreadable_texts`` and
    ``out_of_range_values`` count the answers the rule could not read (the first few hundred kinds), for
    advice that names them.
    """

    column: str
    target: str
    scale: str
    rule: str = ""
    rule_in_words: str = ""
    """``rule`` as a client reads it (``AnswerRule.in_words``), for the report and notebook 03."""
    scored: int = 0
    missing: int = 0
    coded_missing: int = 0
    out_of_range: int = 0
    unreadable: int = 0
    numbers: dict[str, np.ndarray] = field(default_factory=dict)
    unreadable_texts: Counter = field(default_factory=Counter)
    out_of_range_values: Counter = field(default_factory=Counter)

    @property
    def given(self) -> int:
        """Answers that were not blank, a missing marker or one of the column's missing codes."""
        return self.scored + self.out_of_range + self.unreadable

    def whole_numbers(self) -> np.ndarray:
        """How many answers were each whole number 0–10, over every month."""
        return sum(self.numbers.values(), np.zeros(11, dtype=np.int64))


@dataclass(frozen=True)
class ReportLine:
    """One statement of the report in its final words; a problem adds its examples and what to do.

    ``tone`` is PLAIN, GOOD, WARNING or BLOCKING. Values from the file in ``text`` and ``examples`` are already
    scrubbed; a renderer that builds markup escapes them."""

    text: str
    tone: str = PLAIN
    examples: tuple[str, ...] = ()
    fix: str = ""


@dataclass(frozen=True)
class ReportPart:
    """A part of the report: a heading ("" for the opening totals) and its lines, in reading order."""

    heading: str
    lines: tuple[ReportLine, ...]
    tone: str = PLAIN


@dataclass
class ValidationReport:
    """Everything a facilitator needs to trust, or refuse, a feedback file."""

    file: Path
    rows_read: int = 0
    rows_kept: int = 0
    responses_kept: int = 0
    issues: dict[tuple[str, str | None], Issue] = field(default_factory=dict)
    tallies: list[ColumnTally] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Plain statements about how the file was read (encoding, delimiter, date order, ...)."""
    questions: frozenset[str] = frozenset()
    """Labels that name a long export's question, not a column: the report calls them questions."""
    privacy: PrivacyRules = PrivacyRules()
    """The mapping's scrub rules (``privacy.privacy_rules``), for every value from the file the report shows."""
    _aside_rows: list[np.ndarray] = field(default_factory=list, repr=False)
    _aside_reasons: list[np.ndarray] = field(default_factory=list, repr=False)
    _aside_values: list[pd.DataFrame] = field(default_factory=list, repr=False)
    _aside_values_rows: int = 0

    def add(
        self,
        severity: str,
        message: str,
        column: str | None,
        fix: str,
        rows: np.ndarray | list | None = None,
        values: np.ndarray | list | None = None,
        count: int | None = None,
        headline: bool = False,
    ) -> None:
        """Count ``count`` (default: one per row) occurrences of a problem, keeping the first examples.
        ``headline`` marks a warning that changes the story (see ``headlines``)."""
        issue = self.issues.setdefault((message, column), Issue(severity, message, column, fix))
        issue.headline = issue.headline or headline
        rows = [] if rows is None else rows
        issue.count += count if count is not None else max(len(rows), 1)
        room = MAX_EXAMPLES - len(issue.examples)
        if room > 0:
            shown_values = [] if values is None else values
            for i in range(min(room, max(len(rows), len(shown_values)))):
                row = int(rows[i]) if i < len(rows) else None
                value = repr(_shown(shown_values[i], self.privacy)) if i < len(shown_values) else ""
                issue.examples.append((row, value))

    def set_aside(self, rows: np.ndarray, reasons: np.ndarray, values: pd.DataFrame | None = None) -> None:
        """Record rows that were not kept, each with its reason, and (up to a cap) their values."""
        if len(rows) == 0:
            return
        self._aside_rows.append(np.asarray(rows, dtype=np.int64))
        self._aside_reasons.append(np.asarray(reasons, dtype=object))
        if values is not None and self._aside_values_rows < SET_ASIDE_VALUES_CAP:
            kept = values.iloc[: SET_ASIDE_VALUES_CAP - self._aside_values_rows]
            self._aside_values.append(kept)
            self._aside_values_rows += len(kept)

    @property
    def rows_set_aside(self) -> int:
        return int(sum(len(r) for r in self._aside_rows))

    @property
    def set_aside_rows(self) -> list[tuple[int, str]]:
        """(file row, reason) for every row not kept, in file order."""
        if not self._aside_rows:
            return []
        rows = np.concatenate(self._aside_rows)
        reasons = np.concatenate(self._aside_reasons)
        order = np.argsort(rows, kind="stable")
        return [(int(rows[i]), str(reasons[i])) for i in order]

    @property
    def blocking(self) -> list[Issue]:
        return [i for i in self.issues.values() if i.severity == BLOCKING]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues.values() if i.severity == WARNING]

    @property
    def headlines(self) -> list[Issue]:
        """What changes the story, in the order found: every blocking problem, and the warnings marked
        ``headline``. The report's first screen names them all."""
        return [i for i in self.issues.values() if i.severity == BLOCKING or i.headline]

    @property
    def reconciles(self) -> bool:
        """rows read = rows kept + rows set aside."""
        return self.rows_read == self.rows_kept + self.rows_set_aside

    def named(self, label: str) -> str:
        """How the report names where a value comes from: ``question '...'`` or ``column '...'``."""
        return f"{'question' if label in self.questions else 'column'} '{label}'"

    def raise_if_blocking(self) -> None:
        """Raise FeedbackError listing the blocking problems, if there are any."""
        if self.blocking:
            raise FeedbackError([issue.to_problem(self.file) for issue in self.blocking])

    def outline(self) -> list[ReportPart]:
        """The report in its words, part by part: the totals first (the part without a heading), how the file
        was read, each score column with its rule, then blocking problems and warnings with their examples and
        what to do. ``to_text`` and the mapping panel render this one outline."""
        totals = [
            ReportLine(f"Feedback file: {self.file}"),
            ReportLine(f"Rows read: {self.rows_read:,} = kept {self.rows_kept:,} + set aside {self.rows_set_aside:,}"),
        ]
        if not self.reconciles:
            totals.append(ReportLine("These totals DO NOT ADD UP: please report this.", BLOCKING))
        if self.responses_kept != self.rows_kept:
            totals.append(ReportLine(f"Responses kept: {self.responses_kept:,}"))
        parts = [ReportPart("", tuple(totals))]
        if self.notes:
            parts.append(ReportPart("How the file was read", tuple(ReportLine(note) for note in self.notes)))
        if self.tallies:
            parts.append(ReportPart("Scores", tuple(ReportLine(self._tally_text(t)) for t in self.tallies)))
        for heading, tone, issues in (
            ("BLOCKING: fix these before using the scores", BLOCKING, self.blocking),
            (STORY_HEADING, WARNING, [i for i in self.warnings if i.headline]),
            ("Warnings", WARNING, [i for i in self.warnings if not i.headline]),
        ):
            if issues:
                parts.append(ReportPart(heading, tuple(self._issue_line(issue) for issue in issues), tone))
        if not self.blocking and not self.warnings:
            parts.append(ReportPart("", (ReportLine("No problems found.", GOOD),), GOOD))
        return parts

    def _tally_text(self, tally: ColumnTally) -> str:
        coded = f" ({tally.coded_missing:,} of them by the column's missing codes)" if tally.coded_missing else ""
        return (
            f"{tally.target} <- {self.named(tally.column)} ({tally.rule or tally.scale}): {tally.scored:,} "
            f"scored, {tally.missing + tally.coded_missing:,} not answered{coded}, {tally.out_of_range:,} out "
            f"of range, {tally.unreadable:,} not readable"
        )

    def _issue_line(self, issue: Issue) -> ReportLine:
        column = f"{self.named(issue.column)}: " if issue.column else ""
        examples = tuple(
            f"{'row ' + str(row) if row is not None else 'the file'}{': ' + value if value else ''}"
            for row, value in issue.examples
        )
        return ReportLine(f"{column}{issue.message} ({issue.count:,})", issue.severity, examples, issue.fix)

    def to_text(self) -> str:
        """The report as plain text, as `workshop check` prints it (the panel shows the same ``outline``)."""
        lines: list[str] = []
        for part in self.outline():
            if part.heading:
                lines.append(f"{part.heading}:")
            for line in part.lines:
                lines.append(f"  - {line.text}" if part.heading else line.text)
                lines += [f"      {example}" for example in line.examples]
                if line.fix:
                    lines.append(f"    What to do: {line.fix}")
        return "\n".join(lines)

    def write_set_aside_csv(self, path: str | Path) -> Path:
        """Write the set-aside rows (file row, reason, and the mapped columns' values except comments) as CSV.

        Rows past SET_ASIDE_VALUES_CAP are listed with row and reason only. Returns the file written.
        """
        path = Path(path)
        reasons = pd.DataFrame(self.set_aside_rows, columns=["file_row", "reason"])
        if self._aside_values:
            values = pd.concat(self._aside_values, ignore_index=True).drop_duplicates("file_row")
            for column in values.columns:
                if pd.api.types.is_object_dtype(values[column]) or isinstance(values[column].dtype, pd.StringDtype):
                    values[column] = scrub_series(values[column], self.privacy.do_not_show, self.privacy.safe_patterns)
            reasons = reasons.merge(values, on="file_row", how="left")
        buffer = io.StringIO()
        reasons.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL)
        atomic_write_text(path, buffer.getvalue())
        return path


def _shown(value: object, rules: PrivacyRules) -> object:
    """A value as a person may read it: numpy scalars as Python ones, text scrubbed with ``rules``."""
    value = value.item() if isinstance(value, np.generic) else value
    return scrub(value, rules.do_not_show, rules.safe_patterns) if isinstance(value, str) else value
