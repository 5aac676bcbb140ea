"""The what-if the room keeps for the report: ``whatif.yml`` in the workshop folder, hand-editable, holding the
subject (a campaign or a pillar) and every assumption on the sliders. Written only through ``workshop.files``'
stamp-checked save, read back with file, line and field named on every problem. No widgets, no plotly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from workshop.errors import Problem
from workshop.files import FileStamp, write_if_unchanged
from workshop.whatif import WhatIfError
from workshop.whatif_budget import checked_budget_assumptions
from workshop.yaml_files import read_yaml, yaml_text

WHATIF_FILE = "whatif.yml"
WHATIF_HEADER = (
    "# The what-if the room added to the report (step 3/4, 'What the gap costs'): what it was about and\n"
    "# the assumptions on the sliders. A what-if on the room's own assumptions, not a forecast.\n"
)


@dataclass(frozen=True)
class KeptWhatIf:
    """What the report redraws: the subject (``("campaign", id)`` or ``("pillar", id)``) and the assumptions."""

    kind: str
    key: str
    assumptions: Mapping[str, float]


def save_what_if(folder: str | os.PathLike, kept: KeptWhatIf, *, expected: FileStamp) -> FileStamp:
    """Write ``whatif.yml`` (checked, stamp-checked like every hand-editable file); returns the new stamp."""
    checked_budget_assumptions(kept.assumptions)
    data = {"subject": {kept.kind: kept.key}, "assumptions": {k: float(v) for k, v in kept.assumptions.items()}}
    return write_if_unchanged(Path(folder) / WHATIF_FILE, yaml_text(WHATIF_HEADER, data).encode("utf-8"), expected)


def load_what_if(folder: str | os.PathLike) -> KeptWhatIf | None:
    """The kept what-if (None without ``whatif.yml``); raises ``WhatIfError`` naming the file, line and field."""
    path = Path(folder) / WHATIF_FILE
    if not path.is_file():
        return None
    document = read_yaml(path, WhatIfError, "Check the ':' after 'subject' and 'assumptions' and each name.")
    data = document.data
    subject = data.get("subject") if isinstance(data, dict) else None
    if not (
        isinstance(subject, dict)
        and len(subject) == 1
        and next(iter(subject)) in ("campaign", "pillar")
        and isinstance(next(iter(subject.values())), str)
    ):
        raise WhatIfError(
            [
                Problem(
                    path,
                    "",
                    "subject",
                    "must name one campaign or one pillar",
                    "Write 'subject: {campaign: its_id}' or 'subject: {pillar: its_id}'.",
                    repr(subject),
                    document.lines.get(("subject",)),
                )
            ]
        )
    assumptions = data.get("assumptions") or {}
    try:
        checked = checked_budget_assumptions(assumptions if isinstance(assumptions, dict) else {"assumptions": 0})
    except WhatIfError as error:
        raise WhatIfError(
            [replace(p, file=path, line=document.lines.get(("assumptions", p.field))) for p in error.problems]
        ) from None
    kind, key = next(iter(subject.items()))
    return KeptWhatIf(kind, key, checked)
