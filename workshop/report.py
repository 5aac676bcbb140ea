"""What the client takes home: the action plan as CSV, XLSX and Markdown, and a self-contained HTML report.

Every export starts from one table, ``action_plan_table``, and writes its cells through one function,
``spreadsheets.export_rows``, which neutralises spreadsheet formulas: text typed by participants or the
facilitator is untrusted, and a cell such as ``=HYPERLINK(...)`` must reach a spreadsheet as text. In Markdown
and HTML every such text is escaped as well.

Anonymity is for participants: their names on ideas and votes are never exported (an action cites its ideas
by label only). The named owner of an action is not a participant's idea or vote but the accountability the
room agreed on, typed by the facilitator, so the Owner column is always exported: a plan without owners is no
plan. Free text (titles, measures) is exported as typed.

This module sits beside ``workshop.ui`` at the top of the layers: it may embed plotly figures, but it builds
no widgets, computes no metric and holds no rule of the workshop (quadrants, warnings and the promise diff
come from ``workshop.actions`` and ``workshop.promise``). It writes only into a workshop's ``exports/``
folder, or where it is told, and each file atomically.
"""

from __future__ import annotations

import html
import itertools
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import plotly.graph_objects as go
import plotly.offline

from workshop.actions import LEVERS, MOVES, REFRESH_KINDS, Action, FacilitatorWarning, prioritised
from workshop.charts import PLOT_CONFIG
from workshop.evidence import Evidence
from workshop.files import atomic_write_text
from workshop.promise import Promise, PromiseChange, promise_diff
from workshop.spreadsheets import as_text, export_csv, export_rows, export_xlsx

EXPORTS_FOLDER = "exports"
OWNER_COLUMN = "Owner"
PLAN_COLUMNS = (
    "Pillar",
    "Gap when agreed",
    "Move",
    "How (refresh kind)",
    "Lever",
    "Action",
    "Owner department",
    OWNER_COLUMN,
    "Due",
    "Effort",
    "Impact",
    "Priority (quadrant)",
    "Success measure",
    "Status",
    "Votes",
    "From ideas",
)
"""The action plan's columns, in order. ``Owner`` is the name the facilitator typed for who owns the action:
the room's anonymity covers participants' ideas and votes, never the people who own actions, so it is always
there."""
NUMBER_COLUMNS = frozenset({"Gap when agreed", "Effort", "Impact", "Votes", "Target", "Promise-able above", "Loudness"})
DATE_COLUMNS = frozenset({"Due"})
TEXT_COLUMNS = frozenset({"Action", "Success measure", "What a customer should experience", "Claim"})
"""Columns of sentences: given room in the HTML tables so that they are not squeezed to a word a line."""
NO_FEEDBACK = "No customer feedback is mapped (no mapping.yml), so this report draws no finding from customers."
EVIDENCE_HEADING = "What this report stands on"
HEADLINES_HEADING = "Read this first: it changes the story"


class ReportFigure(NamedTuple):
    """A figure for the report: a title stating the finding, the figure, and a caption saying what it shows
    (e.g. the filters the room used). Titles and captions are escaped when shown."""

    title: str
    figure: go.Figure
    caption: str = ""


@dataclass
class ReportWhatIf:
    """One what-if the room kept, as the report shows it: its ``subject`` in words (a campaign or a pillar),
    the model's ``sentences`` the room can repeat, its ``figures`` and the ``assumptions`` they rest on (name,
    value, default, where it comes from)."""

    subject: str
    assumptions: pd.DataFrame
    sentences: list[str] = field(default_factory=list)
    figures: list[ReportFigure] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"What-if: {self.subject}"


@dataclass
class WhatIfSection:
    """'What the gap costs', as the room left it: ``campaigns`` (one row each: claim, verdict, sign-offs) and
    every what-if the room kept (``what_ifs``, one per campaign or pillar, each labelled as a what-if).
    Gathered by ``workshop.reporting``."""

    campaigns: pd.DataFrame
    what_ifs: list[ReportWhatIf] = field(default_factory=list)

    @property
    def figures(self) -> list[ReportFigure]:
        return [figure for what_if in self.what_ifs for figure in what_if.figures]


WHAT_IF_HEADING = "What the gap costs (a what-if)"
WHAT_IF_NOTE = (
    "A what-if on the room's own assumptions, listed below with their values, never a forecast. The "
    "campaign verdicts use the same promise-able rule as the gap views."
)
NO_WHAT_IF = "The room added no what-if to the report."


@dataclass
class WorkshopReport:
    """Everything a report shows, gathered by the caller (notebook 05 or ``workshop report``).

    ``day`` is the workshop's date: it names the files and is the only date the report prints, so the same
    inputs give the same files. ``earlier_promises`` are the kept versions, oldest first (see
    ``workshop.promise.load_versions``); each refresh is shown as a diff. ``idea_labels`` maps an idea id to
    how the report cites it (e.g. ``"#3"``); a label must not name the idea's author. ``plan_views`` (e.g. the
    impact–effort matrix) are drawn under the action plan. ``evidence`` (None without feedback) is stated on
    the first screen, its warnings that change the story first.
    """

    workshop: str
    day: date
    promise: Promise
    actions: list[Action]
    warnings: list[FacilitatorWarning] = field(default_factory=list)
    earlier_promises: list[Promise] = field(default_factory=list)
    evidence: Evidence | None = None
    gap_views: list[ReportFigure] = field(default_factory=list)
    room_views: list[ReportFigure] = field(default_factory=list)
    plan_views: list[ReportFigure] = field(default_factory=list)
    idea_labels: Mapping[str, str] = field(default_factory=dict)
    what_if: WhatIfSection | None = None

    @property
    def title(self) -> str:
        return f"{self.promise.company or self.workshop}: the promise and the action plan"

    def plan(self) -> pd.DataFrame:
        return action_plan_table(self.actions, self.promise, idea_labels=self.idea_labels)

    def refreshes(self) -> list[tuple[int, int, list[PromiseChange]]]:
        """Each refresh of the promise as (version before, version after, what changed), oldest first."""
        versions = [*self.earlier_promises, self.promise]
        return [
            (before.version, after.version, promise_diff(before, after))
            for before, after in itertools.pairwise(versions)
        ]


# --- tables -----------------------------------------------------------------------------------------------


def action_plan_table(
    actions: Iterable[Action], promise: Promise, idea_labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """One row per action, quick wins first (``workshop.actions.prioritised``), with readable headers.

    Pillars, moves, refresh kinds and levers appear by name, not key. ``Gap when agreed`` is in points
    (target − mean, 0–10, one decimal; NaN when unknown); ``Due`` holds ``datetime.date`` objects or None;
    ``Effort`` and ``Impact`` are 1–5; ``From ideas`` lists the ideas' labels (their ids when no label is
    given). ``Owner`` is the named owner as typed (see ``PLAN_COLUMNS``).
    """
    labels = idea_labels or {}
    names = {p.id: p.name for p in promise.pillars}
    rows = [
        {
            "Pillar": names.get(a.pillar_id, a.pillar_id),
            "Gap when agreed": round(a.gap, 1) if a.gap is not None else math.nan,
            "Move": MOVES.get(a.move, a.move),
            "How (refresh kind)": REFRESH_KINDS.get(a.refresh_kind, a.refresh_kind) if a.refresh_kind else "",
            "Lever": LEVERS.get(a.lever, a.lever),
            "Action": a.title,
            "Owner department": a.owner_department,
            OWNER_COLUMN: a.owner_name,
            "Due": a.due,
            "Effort": a.effort,
            "Impact": a.impact,
            "Priority (quadrant)": a.quadrant,
            "Success measure": a.measure,
            "Status": a.status,
            "Votes": a.votes,
            "From ideas": ", ".join(labels.get(i, i) for i in a.idea_ids),
        }
        for a in prioritised(actions)
    ]
    table = pd.DataFrame(rows, columns=list(PLAN_COLUMNS))
    # Text and date columns as objects keep plain Python values (str, date, None) for the exporters.
    return table.astype({c: "object" for c in PLAN_COLUMNS if c not in NUMBER_COLUMNS})


def promise_table(promise: Promise) -> pd.DataFrame:
    """The pillars as the report shows them: name, what a customer should experience, target and
    promise-able line (0–10), owners, and what marketing claims with its loudness (0–10)."""
    rows = [
        {
            "Pillar": p.name,
            "What a customer should experience": p.description,
            "Target": p.target,
            "Promise-able above": p.threshold,
            "Owners": ", ".join(p.owners),
            "Claim": p.claim,
            "Loudness": p.loudness,
        }
        for p in promise.pillars
    ]
    columns = [
        "Pillar",
        "What a customer should experience",
        "Target",
        "Promise-able above",
        "Owners",
        "Claim",
        "Loudness",
    ]
    return pd.DataFrame(rows, columns=columns).astype({c: "object" for c in columns if c not in NUMBER_COLUMNS})


# --- files ------------------------------------------------------------------------------------------------


def exports_folder(workshop_dir: str | os.PathLike) -> Path:
    """The workshop's ``exports/`` folder, created when missing."""
    folder = Path(workshop_dir) / EXPORTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_path(workshop_dir: str | os.PathLike, workshop: str, day: date, kind: str) -> Path:
    """``exports/<workshop>-<YYYY-MM-DD>-<kind>``, e.g. ``acme-2026-03-14-action-plan.csv``; characters a
    file name should not hold become ``-``."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", workshop).strip("-.") or "workshop"
    return exports_folder(workshop_dir) / f"{safe}-{day.isoformat()}-{kind}"


# --- Markdown ---------------------------------------------------------------------------------------------


def markdown_text(text: Any) -> str:
    """Text made safe inside Markdown, table cells included: backslashes, pipes and square brackets escaped
    (brackets open every link and image: ``[x](javascript:…)``, ``![x](http://…)``, ``[x][1]``), ``<``/``>``
    as entities (Markdown passes raw HTML and ``<http://…>`` autolinks through), line breaks as ``<br>``."""
    text = as_text(text).replace("\\", "\\\\").replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\r\n|\r|\n", "<br>", text)


def markdown_table(table: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table, numbers right-aligned, cells through ``export_rows``."""
    header = "| " + " | ".join(markdown_text(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if c in NUMBER_COLUMNS else "---" for c in table.columns) + "|"
    body = ["| " + " | ".join(markdown_text(v) for v in row) + " |" for row in export_rows(table)]
    return "\n".join([header, rule, *body])


def _markdown_evidence(evidence: Evidence | None) -> list[str]:
    if evidence is None:
        return [f"## {EVIDENCE_HEADING}", "", NO_FEEDBACK, ""]
    lines = [f"## {EVIDENCE_HEADING}", ""]
    if evidence.headlines:
        lines += [f"**{HEADLINES_HEADING}:**", "", *(f"- {markdown_text(h)}" for h in evidence.headlines), ""]
    lines += [f"- **{what}:** {markdown_text(words)}" for what, words in evidence.facts()]
    return [*lines, ""]


def export_markdown(report: WorkshopReport, path: str | os.PathLike) -> Path:
    """Write the report as Markdown: the promise, the action plan, the warnings, and each refresh of the
    promise as a bullet list of changes."""
    promise = report.promise
    lines = [
        f"# {markdown_text(report.title)}",
        "",
        f"Workshop {markdown_text(report.workshop)}, {report.day.isoformat()}. Promise version {promise.version}.",
        "",
        *_markdown_evidence(report.evidence),
        "## The promise",
        "",
        f"> {markdown_text(promise.statement)}",
        "",
        markdown_table(promise_table(promise)),
        "",
        "## Action plan",
        "",
    ]
    lines += [markdown_table(report.plan()) if report.actions else "No actions were agreed.", "", "## Warnings", ""]
    lines += [f"- {markdown_text(w.message)}" for w in report.warnings] or ["None."]
    lines += ["", "## How the promise changed", ""]
    for before, after, changes in report.refreshes():
        lines += [f"### Version {before} → version {after}", ""]
        lines += [f"- {markdown_text(change)}" for change in changes] or ["- No change."]
        lines += [""]
    if not report.earlier_promises:
        lines += [f"The promise was not refreshed: this is version {promise.version}.", ""]
    lines += _markdown_what_if(report.what_if)
    path = Path(path)
    atomic_write_text(path, "\n".join(lines))
    return path


def _markdown_what_if(section: WhatIfSection | None) -> list[str]:
    if section is None:
        return []
    lines = [f"## {WHAT_IF_HEADING}", "", WHAT_IF_NOTE, ""]
    if len(section.campaigns):
        lines += [markdown_table(section.campaigns), ""]
    if not section.what_ifs:
        lines += [NO_WHAT_IF, ""]
    for what_if in section.what_ifs:
        lines += [f"### {markdown_text(what_if.heading)}", ""]
        lines += [f"- {markdown_text(sentence)}" for sentence in what_if.sentences]
        lines += ["", "Assumptions:", "", markdown_table(what_if.assumptions), ""]
    return lines


# --- HTML -------------------------------------------------------------------------------------------------


CONTENT_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:"
)
"""The report may run its own inline scripts and styles and load nothing else, even when opened online."""
FIGURE_HEIGHT = "520px"
"""Used when a figure does not set its own height."""

REPORT_CSS = (Path(__file__).resolve().parent / "report.css").read_text(encoding="utf-8")
"""The report's style sheet: one self-contained page, readable on screen and printed on A4 (the plan landscape)."""


def _html_table(table: pd.DataFrame, css_class: str) -> str:
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table.columns)
    kinds = ((NUMBER_COLUMNS, "number"), (DATE_COLUMNS, "date"), (TEXT_COLUMNS, "text"))
    opening = [next((f'<td class="{kind}">' for columns, kind in kinds if c in columns), "<td>") for c in table.columns]
    body = "".join(
        "<tr>" + "".join(f"{td}{_html_text(v)}</td>" for td, v in zip(opening, row, strict=True)) + "</tr>\n"
        for row in export_rows(table)
    )
    return f'<table class="{css_class}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>'


def _html_text(value: Any) -> str:
    """A cell or item escaped for HTML, its line breaks kept."""
    return re.sub(r"\r\n|\r|\n", "<br>", html.escape(as_text(value)))


def _html_list(items: Sequence[Any], empty: str) -> str:
    if not items:
        return f'<p class="note">{html.escape(empty)}</p>'
    return "<ul>\n" + "".join(f"<li>{_html_text(str(item))}</li>\n" for item in items) + "</ul>"


def _html_figures(figures: Sequence[ReportFigure], section: str, empty: str, first: int = 1) -> str:
    """Each figure's title, plot and caption; the div id comes from the section and position (counted from
    ``first``, for a section drawn in parts), so the same figures give the same HTML. plotly.js itself is not
    included here: the page carries it once."""
    if not figures:
        return f'<p class="note">{html.escape(empty)}</p>'
    parts = []
    for index, (title, figure, caption) in enumerate(figures, start=first):
        plot = figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"{section}-figure-{index}",
            config=PLOT_CONFIG,
            default_width="100%",
            default_height=FIGURE_HEIGHT,
        )
        parts.append(
            f'<figure>\n<h3>{html.escape(title)}</h3>\n<div class="figure-box">{plot}</div>\n'
            f"<figcaption>{html.escape(caption)}</figcaption>\n</figure>"
        )
    return "\n".join(parts)


def _html_evidence(evidence: Evidence | None) -> str:
    """The evidence for the first screen: the warnings that change the story, then the facts."""
    if evidence is None:
        return f'<h2>{EVIDENCE_HEADING}</h2>\n<p class="note">{html.escape(NO_FEEDBACK)}</p>'
    headlines = (
        (f'<div class="headlines">\n<h3>{HEADLINES_HEADING}</h3>\n{_html_list(evidence.headlines, "")}\n</div>\n')
        if evidence.headlines
        else ""
    )
    rows = "".join(
        f'<tr><th scope="row">{html.escape(what)}</th><td>{_html_text(words)}</td></tr>\n'
        for what, words in evidence.facts()
    )
    return f'<h2>{EVIDENCE_HEADING}</h2>\n{headlines}<table class="evidence">\n<tbody>\n{rows}</tbody>\n</table>'


def _html_what_if(section: WhatIfSection | None) -> str:
    """The what-if section (nothing without campaigns or kept what-ifs): the campaigns, then each what-if with
    its sentences, figures and assumptions."""
    if section is None:
        return ""
    campaigns = (
        _html_table(section.campaigns, "campaigns")
        if len(section.campaigns)
        else '<p class="note">No campaign was checked.</p>'
    )
    what_ifs, shown = [], 0
    for what_if in section.what_ifs:
        what_ifs.append(
            f'<h3 class="kept-what-if">{html.escape(what_if.heading)}</h3>\n{_html_list(what_if.sentences, "")}\n'
            f"{_html_figures(what_if.figures, 'what-if', '', first=shown + 1)}\n"
            f"<h4>Its assumptions</h4>\n{_html_table(what_if.assumptions, 'assumptions')}"
        )
        shown += len(what_if.figures)
    kept = "\n".join(what_ifs) or f'<p class="note">{html.escape(NO_WHAT_IF)}</p>'
    return (
        f'<section class="what-if" id="what-if">\n<h2>{WHAT_IF_HEADING}</h2>\n'
        f'<p class="note">{html.escape(WHAT_IF_NOTE)}</p>\n<h3>Campaigns checked before rollout</h3>\n'
        f"{campaigns}\n{kept}\n</section>\n"
    )


def report_html(report: WorkshopReport) -> str:
    """The report as one self-contained HTML page (see ``export_html``)."""
    promise = report.promise
    what_if_figures = report.what_if.figures if report.what_if is not None else []
    figures = [*report.gap_views, *report.room_views, *report.plan_views, *what_if_figures]
    plotly_js = f"<script>{plotly.offline.get_plotlyjs()}</script>\n" if figures else ""
    refreshes = (
        "\n".join(
            f"<h4>Version {before} → version {after}</h4>\n{_html_list(changes, 'No change.')}"
            for before, after, changes in report.refreshes()
        )
        or f'<p class="note">The promise was not refreshed: this is version {promise.version}.</p>'
    )
    plan = _html_table(report.plan(), "plan") if report.actions else '<p class="note">No actions were agreed.</p>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(report.title)}</title>
<style>{REPORT_CSS}</style>
{plotly_js}</head>
<body>
<main>
<header>
<h1>{html.escape(report.title)}</h1>
<p class="meta">Workshop {html.escape(report.workshop)}, {report.day.isoformat()} · promise version \
{promise.version}</p>
{_html_evidence(report.evidence)}
</header>
<section class="promise" id="promise">
<h2>The promise</h2>
<blockquote>{html.escape(promise.statement)}</blockquote>
{_html_table(promise_table(promise), "pillars")}
</section>
<section class="gap" id="gap">
<h2>The gap</h2>
{_html_figures(report.gap_views, "gap", "No gap views were chosen for the report.")}
</section>
<section class="room" id="room">
<h2>The room and the customers</h2>
{_html_figures(report.room_views, "room", "The room did not rate the pillars in this workshop.")}
</section>
{_html_what_if(report.what_if)}<section class="decisions" id="decisions">
<h2>Decisions</h2>
<h3>Before the room left</h3>
{_html_list([w.message for w in report.warnings], "No warnings: every broken pillar has an owned, dated action.")}
<h3>How the promise changed</h3>
{refreshes}
</section>
<section class="plan" id="plan">
<h2>Action plan</h2>
{plan}
{_html_figures(report.plan_views, "plan", "") if report.plan_views else ""}
</section>
</main>
</body>
</html>
"""


def export_html(report: WorkshopReport, path: str | os.PathLike) -> Path:
    """Write the report as one HTML file that opens offline: plotly.js inlined once, every figure drawn from
    it, no external script, style, font or image, and a content policy that forbids loading any. Text from
    people is escaped. The same report gives byte-identical files."""
    path = Path(path)
    atomic_write_text(path, report_html(report))
    return path


# --- all at once ------------------------------------------------------------------------------------------


def export_all(report: WorkshopReport, workshop_dir: str | os.PathLike) -> dict[str, Path]:
    """Write the CSV, XLSX, Markdown and HTML exports into the workshop's ``exports/``; returns them by kind."""
    plan = report.plan()

    def target(kind: str) -> Path:
        return export_path(workshop_dir, report.workshop, report.day, kind)

    return {
        "csv": export_csv(plan, target("action-plan.csv")),
        "xlsx": export_xlsx(plan, target("action-plan.xlsx")),
        "markdown": export_markdown(report, target("report.md")),
        "html": export_html(report, target("report.html")),
    }
