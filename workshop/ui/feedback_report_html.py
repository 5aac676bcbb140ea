"""The mapping panel's HTML: the data preview (headed in the workshop's words, personal columns hidden, every
cell scrubbed), the validation report's ``outline`` (the same parts and lines ``workshop check`` prints) and the
suggestion's notes; every text from the file escaped."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from workshop.feedback.mapping import SuggestionNote
from workshop.feedback.privacy import HIDDEN_PERSONAL, PrivacyRules, looks_personal, scrub
from workshop.feedback.suggest import LIKELY, SURE, UNDECIDED
from workshop.feedback.validation import BLOCKING, GOOD, PLAIN, WARNING, ReportLine, ReportPart, ValidationReport

RED, GREEN, AMBER, INK = "#b2182b", "#1b7837", "#8c510a", "#111"
TONES = {PLAIN: INK, GOOD: GREEN, WARNING: AMBER, BLOCKING: RED}
NO_WRAP = ' style="white-space:nowrap"'
NOTE_GROUPS = ((UNDECIDED, "Left for you to decide"), (LIKELY, "Likely: check these"), (SURE, "Sure"))


def notes_html(notes: list[SuggestionNote]) -> str:
    """What the suggestion decided, one line per field, grouped by how sure it is: what it left for the
    consultant to decide first. Headings and values from the file are escaped."""
    if not notes:
        return ""
    parts = ['<div style="font-size:15px"><b>What the suggestion decided, and how sure it is</b>']
    for confidence, title in NOTE_GROUPS:
        group = [note for note in notes if note.confidence == confidence]
        if group:
            colour = AMBER if confidence == UNDECIDED else INK
            parts.append(
                f'<div style="color:{colour}"><b>{title} ({len(group)})</b><ul>'
                + "".join(f"<li>{html.escape(note.sentence())}</li>" for note in group)
                + "</ul></div>"
            )
    parts.append("</div>")
    return "".join(parts)


def report_html(report: ValidationReport, calls: int = 0) -> str:
    """The validation report's ``outline`` as HTML, in the words `workshop check` prints, with ``calls`` (the
    advocate calls merged from the call log) after the totals. Every value from the file was scrubbed by the
    report with its mapping's rules (``ValidationReport.privacy``); here all of it is HTML-escaped."""
    totals, *parts = report.outline()
    if calls:
        totals = ReportPart("", (*totals.lines, ReportLine(f"Plus {calls:,} advocate calls from the call log.")))
    shown = [f'<div style="font-size:16px;color:{INK}">']
    for part in (totals, *parts):
        if part.heading:
            shown.append(
                f'<h4 style="color:{TONES[part.tone]}">{html.escape(part.heading)}</h4><ul>'
                + "".join(f"<li>{_line_html(line)}</li>" for line in part.lines)
                + "</ul>"
            )
        else:
            shown += [f"<p>{_line_html(line)}</p>" for line in part.lines]
    shown.append("</div>")
    return "".join(shown)


def _line_html(line: ReportLine) -> str:
    examples = "".join(f"<li>{html.escape(example)}</li>" for example in line.examples)
    return (
        f'<span style="color:{TONES[line.tone]}">{html.escape(line.text)}</span>'
        + (f"<ul>{examples}</ul>" if examples else "")
        + (f"<div>What to do: {html.escape(line.fix)}</div>" if line.fix else "")
    )


def preview_table_html(head: pd.DataFrame, read_as: dict[str, str], rules: PrivacyRules) -> str:
    """The file's first rows as a table headed by what each column is read as (``read_as``: the workshop's
    words, the file's own heading under them). Personal columns are hidden, every cell scrubbed and escaped;
    no cell but the comment wraps, so a date never breaks at its hyphens."""
    personal = [looks_personal(column) for column in head.columns]
    wraps = [read_as.get(str(column)) == "comment" for column in head.columns]
    cells = "".join(f"<th>{_heading(str(c), read_as.get(str(c)))}</th>" for c in head.columns)
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td{'' if wrap else NO_WRAP}>{html.escape(HIDDEN_PERSONAL if hidden else shown_value(v, rules))}</td>"
            for v, hidden, wrap in zip(row, personal, wraps, strict=True)
        )
        + "</tr>"
        for row in head.itertuples(index=False)
    )
    return (
        f'<div style="overflow-x:auto;max-width:100%"><table style="font-size:13px">'
        f"<tr>{cells}</tr>{rows}</table></div>"
        f"<div>First {len(head)} of the rows read for the preview.</div>"
    )


def shown_value(value: Any, rules: PrivacyRules) -> str:
    """A cell of the client's file as the panel may show it: empty when missing, scrubbed by the mapping's rules."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(scrub(str(value), rules.do_not_show, rules.safe_patterns))


def _heading(column: str, read_as: str | None) -> str:
    """A preview column's heading: what the workshop reads it as, over the file's own heading where the two
    differ in more than spelling (``made_to_last`` is headed "Made to last" alone)."""
    if read_as is None:
        return html.escape(column)
    if _plain(read_as) == _plain(column):
        return html.escape(read_as)
    return f'{html.escape(read_as)}<br><span style="font-weight:normal;color:#555">{html.escape(column)}</span>'


def _plain(heading: str) -> str:
    return " ".join(heading.lower().replace("_", " ").replace("-", " ").split())
