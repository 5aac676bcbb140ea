"""The validation report and the mapping suggestion's notes in HTML, as the mapping panel shows them: the
report's ``outline`` (the same parts and lines ``workshop check`` prints), every text escaped."""

from __future__ import annotations

import html

from workshop.feedback.mapping import SuggestionNote
from workshop.feedback.suggest import LIKELY, SURE, UNDECIDED
from workshop.feedback.validation import BLOCKING, GOOD, PLAIN, WARNING, ReportLine, ReportPart, ValidationReport

RED, GREEN, AMBER, INK = "#b2182b", "#1b7837", "#8c510a", "#111"
TONES = {PLAIN: INK, GOOD: GREEN, WARNING: AMBER, BLOCKING: RED}
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
