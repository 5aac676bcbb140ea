"""The what-ifs the room keeps for the report: ``whatif.yml`` in the workshop folder, hand-editable, one what-if
per subject (a campaign or a pillar) under ``what_ifs:``, each with every assumption on the sliders. Read back
with file, line and field named on every problem; a file from before it kept several (one ``subject:`` and its
``assumptions:`` at the top) is read as its one what-if and written in the new form at the next save.

Notebooks 03 and 04 each have a what-if panel, both built before the room arrives: a save re-reads the file
under the lock of ``workshop.files`` and replaces only its own subject's what-if, so one tab's what-if never
overwrites another's, and a change to the same subject since the panel read it is refused. No widgets, no
plotly.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workshop.errors import Problem
from workshop.files import rewrite_under_lock, stale_file
from workshop.whatif import WhatIfError
from workshop.whatif_budget import checked_budget_assumptions
from workshop.yaml_files import YamlDocument, read_yaml, yaml_rewrite

WHATIF_FILE = "whatif.yml"
WHATIF_HEADER = (
    "# The what-ifs the room added to the report (steps 3/4, 'What the gap costs'), one per campaign or pillar:\n"
    "# what each is about and the assumptions on the sliders. What-ifs on the room's own assumptions, not forecasts.\n"
)
WHATIF_FIX = (
    "Write each what-if under 'what_ifs:' as '- subject: {campaign: its_id}' (or '{pillar: its_id}') "
    "with its 'assumptions:' below it."
)
SUBJECT_KINDS = ("campaign", "pillar")


@dataclass(frozen=True)
class KeptWhatIf:
    """What the report redraws: the subject (``("campaign", id)`` or ``("pillar", id)``) and the assumptions."""

    kind: str
    key: str
    assumptions: Mapping[str, float]

    @property
    def subject(self) -> tuple[str, str]:
        return (self.kind, self.key)


@dataclass(frozen=True)
class KeptWhatIfs:
    """``whatif.yml`` as a panel read it or last wrote it: its what-ifs in the file's order, or None when it did
    not load (then any change to the file since counts as a change to every subject)."""

    what_ifs: tuple[KeptWhatIf, ...] | None

    def on(self, subject: tuple[str, str]) -> KeptWhatIf | None:
        return _on(self.what_ifs or (), subject)


def load_what_ifs(folder: str | os.PathLike, known: Collection[tuple[str, str]] | None = None) -> list[KeptWhatIf]:
    """The kept what-ifs in the file's order (none without ``whatif.yml``); raises ``WhatIfError`` naming the
    file, line and field of every problem. With ``known`` (the campaigns' and the promise's pillars' subjects,
    ``("campaign", id)`` / ``("pillar", id)``), a what-if on any other subject is a problem too."""
    path = Path(folder) / WHATIF_FILE
    return _parsed(path, read_yaml(path, WhatIfError, WHATIF_FIX), known) if path.is_file() else []


def read_what_ifs(folder: str | os.PathLike) -> KeptWhatIfs:
    """What a panel holds to save against: the file's what-ifs, or None for a file that does not load (its
    save is then refused with the file's problems until it is mended)."""
    try:
        return KeptWhatIfs(tuple(load_what_ifs(folder)))
    except WhatIfError:
        return KeptWhatIfs(None)


def keep_what_if(folder: str | os.PathLike, kept: KeptWhatIf, read: KeptWhatIfs) -> KeptWhatIfs:
    """Add ``kept`` to ``whatif.yml``, or put it in place of the what-if on its subject, leaving every other
    subject's what-if as the file holds it now; returns the file's what-ifs as written, to save against next.

    The file is re-read under the lock every save of it takes. Raises ``StaleFileError`` (and writes nothing)
    when the file's what-if on that subject is not the one in ``read`` (a hand edit, or another tab's save of
    the same subject, since the panel read it), ``WhatIfError`` for a bad assumption or a file that does not
    load (never overwritten).
    """
    kept = replace(kept, assumptions=checked_budget_assumptions(kept.assumptions))
    path = Path(folder) / WHATIF_FILE
    written: list[KeptWhatIf] = []

    def merged(previous: bytes | None) -> bytes:
        now = [] if previous is None else _parsed(path, read_yaml(path, WhatIfError, WHATIF_FIX, previous))
        if read.what_ifs is None or _on(now, kept.subject) != read.on(kept.subject):
            raise stale_file(path)
        subjects = [w.subject for w in now]
        written.extend(now)
        if kept.subject in subjects:
            written[subjects.index(kept.subject)] = kept
        else:
            written.append(kept)
        data = {
            "what_ifs": [
                {"subject": {w.kind: w.key}, "assumptions": {k: float(v) for k, v in w.assumptions.items()}}
                for w in written
            ]
        }
        return yaml_rewrite(WHATIF_HEADER, data)(previous)

    rewrite_under_lock(path, merged)
    return KeptWhatIfs(tuple(written))


def _on(what_ifs: tuple[KeptWhatIf, ...] | list[KeptWhatIf], subject: tuple[str, str]) -> KeptWhatIf | None:
    return next((w for w in what_ifs if w.subject == subject), None)


def _parsed(path: Path, document: YamlDocument, known: Collection[tuple[str, str]] | None = None) -> list[KeptWhatIf]:
    data, lines = document.data, document.lines
    if data is None:
        return []
    if isinstance(data, dict) and "what_ifs" not in data and "subject" in data:
        # A file from before whatif.yml kept one what-if per subject: its one what-if, at the top.
        entries: list[tuple[Any, tuple, str]] = [(data, (), "what-if")]
    elif isinstance(data, dict) and set(data) == {"what_ifs"} and isinstance(data["what_ifs"], list | None):
        entries = [(item, ("what_ifs", i), f"what-if {i + 1}") for i, item in enumerate(data["what_ifs"] or [])]
    else:
        found = sorted(map(str, data)) if isinstance(data, dict) else type(data).__name__
        raise WhatIfError(
            [Problem(path, "", "what_ifs", "must be the one list of what-ifs", WHATIF_FIX, repr(found), 1)]
        )
    problems: list[Problem] = []
    kept: list[KeptWhatIf] = []
    first_of: dict[tuple[str, str], str] = {}
    for item, at, where in entries:
        what_if = _entry(path, item, at, where, lines, problems)
        if what_if is None:
            continue
        if what_if.subject in first_of:
            problems.append(
                Problem(
                    path,
                    where,
                    "subject",
                    f"is the subject of {first_of[what_if.subject]} too",
                    "Keep one what-if per campaign or pillar: delete one of them.",
                    repr({what_if.kind: what_if.key}),
                    lines.get((*at, "subject")),
                )
            )
        elif known is not None and what_if.subject not in known:
            problems.append(
                Problem(
                    path,
                    where,
                    "subject",
                    f"names no {what_if.kind} of {'campaigns.yml' if what_if.kind == 'campaign' else 'the promise'}",
                    "Use one of: " + ", ".join(f"{{{kind}: {key}}}" for kind, key in known) + ", or delete it.",
                    repr({what_if.kind: what_if.key}),
                    lines.get((*at, "subject")),
                )
            )
        first_of.setdefault(what_if.subject, where)
        kept.append(what_if)
    if problems:
        raise WhatIfError(problems)
    return kept


def _entry(
    path: Path, item: Any, at: tuple, where: str, lines: dict[tuple, int], problems: list[Problem]
) -> KeptWhatIf | None:
    """One what-if of the file (its problems added to ``problems``; None when it has any)."""
    subject = item.get("subject") if isinstance(item, dict) else None
    before = len(problems)
    if not (
        isinstance(subject, dict)
        and len(subject) == 1
        and next(iter(subject)) in SUBJECT_KINDS
        and isinstance(next(iter(subject.values())), str)
    ):
        problems.append(
            Problem(
                path,
                where,
                "subject",
                "must name one campaign or one pillar",
                "Write 'subject: {campaign: its_id}' or 'subject: {pillar: its_id}'.",
                repr(subject),
                lines.get((*at, "subject"), lines.get(at)),
            )
        )
    assumptions = (item.get("assumptions") if isinstance(item, dict) else None) or {}
    checked: dict[str, float] = {}
    if not isinstance(assumptions, dict):
        problems.append(
            Problem(
                path,
                where,
                "assumptions",
                "must list each assumption by name with its value",
                "Write 'assumptions:' with one 'name: value' a line below it.",
                repr(assumptions),
                lines.get((*at, "assumptions")),
            )
        )
    else:
        try:
            checked = checked_budget_assumptions(assumptions)
        except WhatIfError as error:
            problems += [
                replace(
                    p,
                    file=path,
                    where=where,
                    line=lines.get((*at, "assumptions", p.field), lines.get((*at, "assumptions"))),
                )
                for p in error.problems
            ]
    if len(problems) > before or not isinstance(subject, dict):
        return None
    kind, key = next(iter(subject.items()))
    return KeptWhatIf(kind, key, checked)
