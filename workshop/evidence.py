"""What the findings stand on, in words: the feedback file, the responses read, kept and set aside, the period,
the touchpoints and segments, each score column's scale and rule, the pillars not measured and why, and the
warnings that change the story (``ValidationReport.headlines``).

Gathered once from feedback that passed the check (``evidence_of``) and shown, worded the same, on the
report's first screen and under notebook 03's first cell. Plain data and sentences: no widgets, no figures,
and no judgement of its own (what changes the story is marked where the load finds it).
"""

from __future__ import annotations

from dataclasses import dataclass

from workshop import gap
from workshop.cube import UNDATED
from workshop.feedback.load import NOT_MAPPED, LoadedFeedback
from workshop.feedback.mapping import NO_IMPORTANCE, importance_measure
from workshop.feedback.scales import ROUNDING_RULE
from workshop.promise import Promise


@dataclass(frozen=True)
class Evidence:
    """The evidence behind every figure drawn from one load of a workshop's feedback."""

    source: str
    """The feedback file's name, as in mapping.yml."""
    rows_read: int
    rows_kept: int
    rows_set_aside: int
    responses: int
    """Responses the figures count: the file's kept responses and any advocate calls."""
    calls: int
    period: str
    """The months covered in words, or why the responses are undated."""
    touchpoints: tuple[str, ...]
    segments: tuple[str, ...]
    scales: tuple[str, ...]
    """One sentence per score column: what it scores, the scale, the rule to 0–10."""
    importance: str
    """What importance is derived against, or ``NO_IMPORTANCE``."""
    advocates: str
    """Who counts as an advocate, and how many of the responses are."""
    not_measured: tuple[str, ...]
    """One sentence per pillar of the promise with no score at all, saying why (``pillars_not_measured``)."""
    headlines: tuple[str, ...]
    """The warnings that change the story, named before any figure."""

    def facts(self) -> list[tuple[str, str]]:
        """(what, in words) in the order the report lists them."""
        responses = (
            f"{self.rows_read:,} rows read: {self.rows_kept:,} kept, {self.rows_set_aside:,} set aside"
            + (f"; {self.calls:,} advocate calls added" if self.calls else "")
            + f". Figures count {self.responses:,} responses."
        )
        return [
            ("Source", self.source),
            ("Responses", responses),
            ("Period", self.period),
            ("Touchpoints", ", ".join(self.touchpoints) or "none"),
            ("Segments", ", ".join(self.segments) or "none"),
            ("Scales", "\n".join([*self.scales, ROUNDING_RULE])),
            ("Importance", self.importance),
            ("Advocates", self.advocates),
            ("Not measured", "\n".join(self.not_measured) or "Every pillar of the promise has scores."),
        ]

    def text(self) -> str:
        """The evidence as plain text, the warnings that change the story first (notebook 03 prints it)."""
        lines = [f"CHANGES THE STORY: {headline}" for headline in self.headlines]
        for what, words in self.facts():
            first, *more = words.splitlines()
            lines += [f"{what}: {first}", *(f"  {line}" for line in more)]
        return "\n".join(lines)


def evidence_of(loaded: LoadedFeedback, promise: Promise) -> Evidence:
    """The evidence of feedback loaded from a workshop folder (``usable_workshop_feedback``) for ``promise``."""
    report, cube = loaded.report, loaded.cube
    names = {p.id: p.name for p in promise.pillars}
    scales = []
    for tally in report.tallies:
        coded = (
            f" ({tally.coded_missing:,} answers were a missing code, counted as not answered)"
            if tally.coded_missing
            else ""
        )
        scales.append(
            f"{names.get(tally.target, tally.target)} from {report.named(tally.column)}: "
            f"{tally.rule_in_words or tally.scale}{coded}."
        )
    not_measured = [f"{names[pillar_id]}: {why}." for pillar_id, why in pillars_not_measured(loaded, promise).items()]
    headlines = tuple(
        _sentence(f"{report.named(issue.column)} {issue.message}" if issue.column else issue.message)
        for issue in report.headlines
    )
    measure = importance_measure(loaded.mapping)
    importance = f"derived against {measure.phrase}." if measure is not None else NO_IMPORTANCE
    return Evidence(
        report.file.name,
        report.rows_read,
        report.rows_kept,
        report.rows_set_aside,
        gap.responses_in(cube),
        loaded.calls,
        _period(loaded),
        tuple(cube.touchpoints),
        tuple(cube.segments),
        tuple(scales),
        importance,
        _advocates(loaded),
        tuple(not_measured),
        headlines,
    )


def _advocates(loaded: LoadedFeedback) -> str:
    """The advocate rule in words, with how many responses it picks out of those counted."""
    rule = loaded.mapping.advocate
    who = (
        f"responses whose '{rule.column}' is {' or '.join(rule.values)}"
        if rule is not None
        else "promoters: recommend 9–10"
        if loaded.mapping.recommend is not None
        else "nobody: no recommend question and no advocate column is mapped, so 'advocates only' views are empty"
    )
    advocates = int(loaded.cube.counts("advocate").get(True, 0))
    return f"{who} ({advocates:,} of {loaded.cube.total_responses:,} responses)."


def pillars_not_measured(loaded: LoadedFeedback, promise: Promise) -> dict[str, str]:
    """Pillar id → why it has no score at all: nothing mapped to it, or its column gave no scorable answer."""
    report = loaded.report
    tallies = {tally.target: tally for tally in report.tallies}
    why: dict[str, str] = {}
    for pillar in promise.pillars:
        tally = tallies.get(pillar.id)
        if pillar.id not in loaded.mapping.pillars:
            why[pillar.id] = NOT_MAPPED
        elif tally is not None and not tally.scored:
            answers = "has no answers" if not tally.given else "has no answer that could be scored"
            why[pillar.id] = f"{report.named(tally.column)} {answers}"
    return why


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _period(loaded: LoadedFeedback) -> str:
    # With a date column every kept response has a month (one without is set aside, with its reason), so a
    # cube's months are either all dated or, with no date column, the one UNDATED month.
    if "date" not in loaded.mapping.fields:
        return "undated: the mapping names no date column, so no period and no month-by-month view can be shown."
    dated = [month for month in loaded.cube.months if month != UNDATED]
    first, last = dated[0], dated[-1]
    months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    return f"{first} to {last} ({months} months)."
