"""Whole-file judgements of the columns a mapping reads, made once every chunk is counted.

A chunk cannot tell whether a column is *mostly* unreadable, holds two scales, or whether the dates say a
story the room cannot use; the tallies kept while converting can. Each judgement adds to the validation
report a problem with its counts, examples and a fix that works for what was seen (the labels to define,
the missing code to declare, the scale to choose). It reads no files and converts no values.

=================================================== ========== ==============================================
found                                               severity   fix offered
=================================================== ========== ==============================================
mostly text that is no answer on the scale          blocking   the labels seen, written as a ``labels:`` block
mostly outside the scale, the outside answers all   blocking   ``missing: [0]``
  0 on a scale from 1
mostly outside the scale, otherwise                 blocking   the scale the numbers seen fit
two scales in one column (a block of 6–10 beside    warning;   ask the client; split the file by date
  answers of a 1–5 scale, or on any scale the top   blocking
  of the answers moving from 5 to 10 at a month)    at 15 %
no date column mapped                               headline   map one, or read every response as undated
most dates unreadable                               blocking   the date format and ``date_order``
responses over more than three years                headline   filter months in step 3, or a shorter export
=================================================== ========== ==============================================
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from workshop.feedback.dates import DateRead
from workshop.feedback.validation import BLOCKING, WARNING, ColumnTally, ValidationReport

MOSTLY = 0.5
"""A column is 'mostly' unreadable or out of range when more than half its given answers are."""
MIXED_WARN = 0.05
MIXED_BLOCK = 0.15
"""Two scales in one column: the smaller block's share of the answers that warns, and that blocks (past it,
too many answers would be read on the wrong scale for any finding to stand)."""
MIXED_MIN_ANSWERS = 10
LONG_SPAN_MONTHS = 36
"""A workshop reads today's experience: responses spread over more than this are said to be."""
LABELS_SHOWN = 8


def judge_columns(report: ValidationReport, tallies: Iterable[ColumnTally]) -> None:
    """Add the whole-file problems of each score column to ``report``."""
    for tally in tallies:
        if tally.given and tally.unreadable > MOSTLY * tally.given:
            report.add(
                BLOCKING,
                f"is mostly text that is no answer on the {tally.scale} scale "
                f"({tally.unreadable:,} of {tally.given:,} answers)",
                tally.column,
                _labels_fix(tally),
                None,
                _examples(tally.unreadable_texts),
                count=1,
            )
        elif tally.given and tally.out_of_range > MOSTLY * tally.given:
            report.add(
                BLOCKING,
                f"is mostly outside the {tally.scale} scale "
                f"({tally.out_of_range:,} of {tally.given:,} answers): the scale is probably wrong",
                tally.column,
                _out_of_range_fix(tally),
                None,
                _examples(tally.out_of_range_values),
                count=1,
            )
        elif tally.given:
            _judge_mixed(report, tally)
        elif report.rows_read:
            report.add(
                WARNING,
                f"has no answers: '{tally.target}' gets no scores",
                tally.column,
                "Check that the right column is mapped.",
                count=1,
                headline=True,
            )


def _examples(seen: dict[str, int]) -> list[str]:
    """The commonest answers first."""
    return sorted(seen, key=lambda value: -seen[value])[:5]


def _labels_fix(tally: ColumnTally) -> str:
    labels = sorted(tally.unreadable_texts, key=lambda label: -tally.unreadable_texts[label])
    if 0 < len(labels) <= LABELS_SHOWN:
        block = ", ".join(f"{label}: ?" for label in labels)
        return (
            f"If these words are its answers, give each its points out of 10 in mapping.yml: "
            f"{{column: {tally.column}, scale: labels, labels: {{{block}}}}} (e.g. negative: 0, neutral: 5, "
            "positive: 10). If it holds comments, map it to 'comment'; otherwise map the right column."
        )
    return (
        "It holds many different texts: if they are comments, map the column to 'comment'; otherwise map "
        "the right column. Words on a 5- or 7-point scale take scale likert5 or likert7."
    )


def _out_of_range_fix(tally: ColumnTally) -> str:
    outside = tally.out_of_range_values
    numbers = [float(v) for v in outside if _is_number(v)]
    if numbers and set(numbers) == {0.0} and tally.scale in ("1-5", "1-7", "1-10", "stars"):
        return (
            f"0 is not on the {tally.scale} scale: if 0 means 'not rated' (as review sites export it), add "
            f"'missing: [0]' under this column in mapping.yml, so 0s count as not answered, never as scores."
        )
    if numbers:
        fitting = "0-100" if max(numbers) > 10 else "1-10" if min(numbers) >= 1 else "0-10"
        return (
            f"Answers run from {min(numbers):g} to {max(numbers):g}: choose the scale that fits them "
            f"(e.g. {fitting}) for this column in mapping.yml, or name the answers that mean 'not answered' "
            "with 'missing: [...]'."
        )
    return "Choose the column's scale in mapping.yml."


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _judge_mixed(report: ValidationReport, tally: ColumnTally) -> None:
    """Warn, or block, when a column's whole-number answers look like two scales: answers of a 1–5 scale
    beside a block of 6–10, or the top of the answers moving from 5 to 10 at a month."""
    counts = tally.whole_numbers()
    low, high = int(counts[1:6].sum()), int(counts[6:11].sum())
    answered = low + high + int(counts[0])
    if answered < MIXED_MIN_ANSWERS or not high or not low:
        return
    on_five = tally.scale in ("1-5", "stars", "likert5")
    change = _scale_change_month(tally)
    # A 0–10 pillar the company fails is answered mostly 5 or under with a block above: that is a finding,
    # not two scales. On a 0–10 question only the answers' top moving from 5 to 10 at a month says so.
    if not on_five and change is None:
        return
    smaller = high if on_five else min(low, high)
    if smaller < max(MIXED_MIN_ANSWERS, MIXED_WARN * answered):
        return
    share = smaller / answered
    when = (
        f"; up to {change[0]} every answer is 5 or less, from {change[1]} answers reach 10"
        if change
        else "; the two are mixed in the same months, so no answer can be told apart"
    )
    severity = BLOCKING if share >= MIXED_BLOCK else WARNING
    report.add(
        severity,
        f"looks like two scales in one column: {low:,} answers from 1 to 5 and {high:,} from "
        f"6 to 10 ({share:.0%} of its answers){when}",
        tally.column,
        "Ask the client whether the question changed scale. Load the periods as separate files (each with "
        "its own scale), or map the scale most answers use and accept the rest as out of range.",
        count=1,
        headline=True,
    )


def _scale_change_month(tally: ColumnTally) -> tuple[str, str] | None:
    """(last month whose answers all sit at 5 or under, first month with answers above) when the column
    changes scale at one month and never goes back."""
    months = sorted(m for m in tally.numbers if m)
    above = [bool(tally.numbers[m][6:].sum()) for m in months]
    if len(months) < 2 or not any(above) or all(above):
        return None
    first_above = above.index(True)
    if first_above == 0 or not all(above[first_above:]):
        return None
    # A 1–5 question has no 0: months of a failing 0–10 pillar that later improves usually do.
    if any(tally.numbers[m][0] for m in months[:first_above]):
        return None
    return months[first_above - 1], months[first_above]


def judge_dates(
    report: ValidationReport,
    date_column: str | None,
    date_counts: np.ndarray,
    period: tuple[np.datetime64, np.datetime64] | None,
) -> None:
    """Say in words when the dates cannot carry the story: none mapped, mostly unreadable, or years apart."""
    if not report.rows_read:
        return
    if date_column is None:
        report.add(
            WARNING,
            "no date column is mapped: every response is undated, so no view can show months, a "
            "trend or today's experience apart from last year's",
            None,
            "Map the column that holds each response's date in mapping.yml (fields: date), or ask the "
            "client for an export with dates.",
            count=1,
            headline=True,
        )
        return
    read, unreadable = int(date_counts[DateRead.READ]), int(date_counts[DateRead.UNREADABLE])
    if unreadable and unreadable > MOSTLY * (read + unreadable):
        report.add(
            BLOCKING,
            f"most dates are not dates the kit can read ({unreadable:,} of {read + unreadable:,}): "
            "the few rows kept would not be today's experience",
            date_column,
            "Check that this column holds dates, their format and 'date_order' in mapping.yml; or leave "
            "'date' unmapped to load every response as undated.",
            count=1,
            headline=True,
        )
    if period is not None:
        first_month, last_month = (d.astype("datetime64[M]") for d in period)
        first, last = str(first_month), str(last_month)
        months = int((last_month - first_month).astype(int)) + 1
        if months > LONG_SPAN_MONTHS:
            years = f"{months // 12} years" + (f" and {months % 12} months" if months % 12 else "")
            report.add(
                WARNING,
                f"the responses span {years} ({first} to {last}): older answers are not today's experience",
                date_column,
                "Narrow the months in step 3's filter to the last 12–24, or ask the client for an export of "
                "that period.",
                count=1,
                headline=True,
            )
