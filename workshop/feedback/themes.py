"""Themes: the words customers use for each pillar, and which comments mention which pillar.

A workshop folder's ``themes.yml`` lists phrases per pillar id::

    on_time_delivery: [delivery, slot, late, on time]
    expert_advice: [adviser, knowledgeable, "knew the range"]

A comment is tagged to a pillar when it contains one of the pillar's phrases as whole words, in any case,
with simple plurals and verb forms tolerated (``driver`` finds "drivers", ``arrive`` finds "arrived" and
"arriving", ``reply`` finds "replies"). Doubled consonants ("sagging") and irregular forms ("broke") must be
listed as phrases of their own. A comment may be tagged to several pillars, or to none.

This module reads and writes ``themes.yml`` and tags comments; it does not scrub them (tagging reads raw
text inside the kernel; anything shown must still go through ``workshop.feedback.privacy.scrub``).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workshop.errors import Problem, WorkshopError
from workshop.feedback.advocates import NPS_BANDS
from workshop.files import NO_FILE, FileStamp, stamp_of_held, write_if_unchanged
from workshop.yaml_files import file_in, read_yaml, yaml_rewrite, yaml_text

THEMES_FILE = "themes.yml"
FILE_HEADER = (
    "# Words customers use for each pillar: a comment mentioning one is tagged to that pillar.\n"
    "# One list per pillar id. Whole words, any case; plurals and -ed/-ing forms are found too.\n"
    "# Saving from the notebook keeps your comments beside the fields; this header is written anew.\n"
)

Themes = dict[str, list[str]]
"""Phrases per pillar id, in the promise's pillar order; a pillar with no phrases has an empty list."""


class ThemesError(WorkshopError):
    """``themes.yml`` (or an edit to the phrase lists) is not valid."""


def _word_pattern(word: str) -> str:
    """A regex for one word with its simple plural and verb forms, when it is an ordinary word."""
    lower = word.casefold()
    if len(lower) < 3 or not lower.isalpha():
        return re.escape(lower)
    if lower.endswith("e"):
        return f"(?:{lower}[sd]?|{lower[:-1]}ing)"
    if lower.endswith("y") and lower[-2] not in "aeiou":
        return f"(?:{lower}(?:ing)?|{lower[:-1]}i(?:es|ed))"
    return f"{lower}(?:s|es|ed|ing)?"


def phrase_pattern(phrase: str) -> str:
    """A regex for one phrase's words in order, separated by spaces or hyphens (``pillar_pattern`` adds the
    whole-word edges)."""
    words = [w for w in re.split(r"[\s\-]+", phrase.strip()) if w]
    return r"[\s\-]+".join(_word_pattern(w) for w in words)


def pillar_pattern(phrases: Iterable[str]) -> re.Pattern | None:
    """One compiled, case-insensitive regex finding any of a pillar's phrases as whole words; None when it
    has none. The word-edge checks stand outside the alternatives, so mid-word positions fail at once."""
    parts = sorted({phrase_pattern(p) for p in phrases if p.strip()}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE) if parts else None


def tag_comments(comments: pd.Series, themes: Themes) -> pd.DataFrame:
    """Which pillars each comment mentions: one bool column per pillar of ``themes``, same index as
    ``comments``. Missing comments mention nothing. Each distinct comment is searched once per pillar."""
    text = comments.astype("string")
    codes, uniques = pd.factorize(text)
    distinct = pd.Series(uniques, dtype="string")
    columns = {}
    for pillar_id, phrases in themes.items():
        pattern = pillar_pattern(phrases)
        found = pd.Series(False, index=distinct.index) if pattern is None else distinct.str.contains(pattern, na=False)
        lookup = list(found.to_numpy(dtype=bool)) + [False]  # code -1 (missing) looks up the last entry
        columns[pillar_id] = pd.Series(lookup, dtype=bool).to_numpy()[codes]
    return pd.DataFrame(columns, index=comments.index, dtype=bool)


@dataclass(frozen=True)
class VerbatimFilter:
    """Which comments the room wants to read; None means any.

    ``band`` is an NPS band name of ``workshop.feedback.advocates.NPS_BANDS`` (``detractor``, ``passive``,
    ``promoter``) read from ``recommend``; ``advocate`` is the canonical frame's advocate flag.
    """

    pillar: str | None = None
    touchpoint: str | None = None
    segment: str | None = None
    band: str | None = None
    advocate: bool | None = None


def has_comment(comments: pd.Series) -> pd.Series:
    """True where a response left a comment: not missing, not blank."""
    text = comments.astype("string")
    return (text.str.len().gt(0) & ~text.str.isspace()).fillna(False).astype(bool)


def passes_filter(frame: pd.DataFrame, tags: pd.DataFrame | None, wanted: VerbatimFilter) -> pd.Series:
    """True for each row of the canonical ``frame`` that ``wanted`` keeps, comment or not; ``tags`` is
    ``tag_comments(frame["comment"], themes)``, same index as ``frame`` (needed to filter by pillar)."""
    keep = pd.Series(True, index=frame.index)
    if wanted.pillar is not None:
        if tags is None:
            raise ValueError("filtering by pillar needs the comments' theme tags (tag_comments)")
        keep &= tags[wanted.pillar]
    for column in ("touchpoint", "segment"):
        if getattr(wanted, column) is not None:
            keep &= frame[column].astype("string").eq(getattr(wanted, column)).fillna(False)
    if wanted.band is not None:
        points = NPS_BANDS[wanted.band]
        keep &= pd.to_numeric(frame["recommend"], errors="coerce").round().between(points.start, points.stop - 1)
    if wanted.advocate is not None:
        keep &= frame["advocate"].fillna(False).astype(bool).eq(wanted.advocate)
    return keep.astype(bool)


# --- themes.yml -------------------------------------------------------------------------------------------


def themes_from_dict(
    data: Any, pillar_ids: list[str], file: Path | None = None, lines: dict[tuple, int] | None = None
) -> Themes:
    """Phrase lists from plain data (as read from YAML) for the promise's ``pillar_ids``, or ThemesError
    naming the file, line, pillar and phrase of every problem. Pillars left out get an empty list."""
    lines = lines or {}
    problems: list[Problem] = []

    def problem(path: tuple, where: str, message: str, fix: str, value: Any) -> None:
        problems.append(Problem(file, where, None, message, fix, repr(value), lines.get(path)))

    themes: Themes = {pillar_id: [] for pillar_id in pillar_ids}
    if data is None:
        return themes
    if not isinstance(data, dict):
        raise ThemesError(
            [
                Problem(
                    file,
                    "",
                    None,
                    "must list phrases under each pillar id",
                    "Write it as 'pillar_id: [phrase, phrase]', one pillar per line.",
                    repr(data),
                )
            ]
        )
    for pillar_id, phrases in data.items():
        where = f"pillar '{pillar_id}'"
        if pillar_id not in themes:
            close = difflib.get_close_matches(str(pillar_id), pillar_ids, n=1, cutoff=0.6)
            rename = (
                f"Did you mean '{close[0]}'? Rename this phrase list to it, or remove the list"
                if close
                else f"Rename this phrase list to one of the promise's pillars ({', '.join(pillar_ids)}), "
                "or remove the list"
            )
            fix = f"{rename}; or delete {THEMES_FILE} to start without themes."
            problem((pillar_id,), where, "is not a pillar of the promise", fix, pillar_id)
            continue
        if phrases is None:
            continue
        if not isinstance(phrases, list):
            problem(
                (pillar_id,),
                where,
                "must be a list of phrases",
                f"Write it as {pillar_id}: [{phrases}] or one '- phrase' per line.",
                phrases,
            )
            continue
        seen: set[str] = set()
        for index, phrase in enumerate(phrases):
            at = f"{where}, phrase {index + 1}"
            if not isinstance(phrase, str):
                problem((pillar_id, index), at, "must be text", "Put the phrase in quotes.", phrase)
            elif not phrase.strip():
                problem((pillar_id, index), at, "is empty", "Remove it or write the words customers use.", phrase)
            elif " ".join(phrase.casefold().split()) in seen:
                problem((pillar_id, index), at, "is listed twice for this pillar", "Remove one.", phrase)
            else:
                seen.add(" ".join(phrase.casefold().split()))
                themes[pillar_id].append(" ".join(phrase.split()))
    if problems:
        raise ThemesError(problems)
    return themes


def themes_path(path: str | os.PathLike) -> Path:
    """A folder means its ``themes.yml``."""
    return file_in(path, THEMES_FILE)


def load_themes(path: str | os.PathLike, pillar_ids: list[str]) -> Themes:
    """Read and check a workshop's ``themes.yml`` (a folder means its themes.yml). A missing file is not an
    error: every pillar then has no phrases yet, and the panel invites the room to add some."""
    return load_themes_and_stamp(path, pillar_ids)[0]


def load_themes_and_stamp(path: str | os.PathLike, pillar_ids: list[str]) -> tuple[Themes, FileStamp]:
    """``load_themes``, with the stamp of the bytes it read (``files.NO_FILE`` when there is no file yet):
    what the verbatim explorer saves against (``save_themes``)."""
    path = themes_path(path)
    if not path.exists():
        return {pillar_id: [] for pillar_id in pillar_ids}, NO_FILE
    document = read_yaml(path, ThemesError, "Check the ':' after each pillar id and the brackets around its phrases.")
    return themes_from_dict(document.data, pillar_ids, path, document.lines), document.stamp


def themes_read_stamp(themes: Themes, path: str | os.PathLike, pillar_ids: list[str]) -> FileStamp:
    """The stamp to save ``themes`` against when they were loaded before: the file's own while it still holds
    these themes, else one that makes the save refuse (``files.stamp_of_held``)."""
    return stamp_of_held(themes, dump_themes(themes).encode("utf-8"), lambda: load_themes_and_stamp(path, pillar_ids))


def themes_problems(path: str | os.PathLike, pillar_ids: list[str]) -> list[Problem]:
    """What ``load_themes`` would refuse in a workshop's ``themes.yml`` (a folder means its themes.yml), each
    with file, line, pillar and fix; empty when it loads. For checks that report without stopping: a bad
    themes.yml stops only the verbatim explorer, never the scores."""
    try:
        load_themes(path, pillar_ids)
    except ThemesError as error:
        return error.problems
    return []


def dump_themes(themes: Themes) -> str:
    return yaml_text(FILE_HEADER, dict(themes))


def save_themes(themes: Themes, path: str | os.PathLike, pillar_ids: list[str], *, expected: FileStamp) -> FileStamp:
    """Check, then write atomically in the promise's pillar order, only if the file is unchanged since it was
    read with the stamp ``expected`` (``files.NO_FILE``: there was none); returns the new stamp. Raises
    ``ThemesError``, or ``StaleFileError`` when another tab saved since."""
    path = themes_path(path)
    checked = themes_from_dict(dict(themes), pillar_ids, path)
    return write_if_unchanged(path, yaml_rewrite(FILE_HEADER, dict(checked)), expected)
