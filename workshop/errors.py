"""Exceptions for people: each names the file, the row or item, the field and the value, and says what to do.

Every error the kit raises on purpose derives from ``WorkshopError`` so that panels and the CLI can show
its message plainly and never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can.

    ``where`` is the item inside the file (``pillar 'speed'``, ``row 12``); ``field`` the key or column;
    ``value`` what we found, already shown with ``repr`` so blanks and types are visible; ``fix`` what to do.
    """

    file: Path | str | None
    """The file, or another place a value was read from (a session store's URL)."""
    where: str
    field: str | None
    message: str
    fix: str = ""
    value: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        location = str(self.file) if self.file else "input"
        if self.line is not None:
            location += f", line {self.line}"
        parts = [location]
        if self.where:
            parts.append(self.where)
        if self.field:
            parts.append(f"field '{self.field}'")
        text = ", ".join(parts) + f": {self.message}"
        if self.value is not None:
            text += f" (found {self.value})"
        if self.fix:
            text += f". {self.fix}"
        return text


class WorkshopError(Exception):
    """Base of every error meant to be read by a facilitator or consultant."""

    def __init__(self, problems: list[Problem] | str):
        self.problems = [Problem(None, "", None, problems)] if isinstance(problems, str) else list(problems)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        return f"{len(self.problems)} problems:\n" + "\n".join(f"- {p}" for p in self.problems)

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines in place of a traceback, so a notebook cell stopped by a WorkshopError
        # (notebook 03 or 05 on feedback that did not pass the check) shows the problem in words, and Run All
        # stops there, before any figure is drawn.
        return str(self).splitlines()


class PromiseError(WorkshopError):
    """The promise (promise.yml or an edit to it) is not valid."""


class GapError(WorkshopError):
    """A filter, goal post or internal rating the gap metrics cannot use."""


class FeedbackError(WorkshopError):
    """A feedback file or its mapping cannot be read at all (missing, empty, cut short, wrong format)."""


class WorkshopFolderError(WorkshopError):
    """A workshop folder is missing, incomplete or would be overwritten."""


class StaleFileError(WorkshopError):
    """A file changed on disk since a panel read it (another tab saved it), so saving would overwrite that.

    Read as one sentence on the room's screen: the file by its name in the workshop folder (the files a panel
    saves sit at its top, and the laptop's full path means nothing to the room), what happened, how to reload.
    """

    def __str__(self) -> str:
        changes = "; ".join(
            f"{Path(p.file).name if p.file else 'the file'} {p.message}" + (f" ({p.fix})" if p.fix else "")
            for p in self.problems
        )
        return f"{changes}; your edit is still on screen."


class FileKeptError(WorkshopError):
    """A file that is written once and kept (a promise version in ``versions/``) is already there."""
