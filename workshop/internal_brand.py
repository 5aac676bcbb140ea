"""Do our people know the promise? The room's one-sentence statements of the promise (given while rating, kept
in the session) matched to the pillars by the themes, by department, next to the promise as written.

A sentence names a pillar when it holds one of the pillar's phrases in ``themes.yml``, by the same matching as
customers' comments (``workshop.feedback.themes.tag_comments``), so the room can see, and fix, which words
count. Sentences are participants' text: whoever shows them escapes them. No widgets, no plotly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workshop.feedback.themes import Themes, tag_comments
from workshop.gap import Table
from workshop.promise import Promise
from workshop.session import SessionState

WHOLE_ROOM = "whole room"
"""The row of every participant's sentence, whatever their department."""


def room_sentences(state: SessionState) -> pd.DataFrame:
    """One row per participant who gave a sentence: ``department``, ``text`` (verbatim; escape it to show it)."""
    rows = [
        (state.participants[who].department, text) for who, text in state.sentences.items() if who in state.participants
    ]
    return pd.DataFrame(rows, columns=["department", "text"])


@dataclass(frozen=True)
class PromiseKnown:
    """``table``: one row per department (``WHOLE_ROOM`` last) × pillar, pillar-major in the promise's order,
    with ``sentences`` (how many the department gave), ``naming`` (how many name the pillar) and ``share``
    (0–1; NaN for a department with no sentence). ``in_statement``: the pillars the promise as written names
    by the same words, and ``unmatched``: the pillars without phrases, which no sentence can name yet."""

    table: Table
    in_statement: frozenset[str]
    unmatched: tuple[str, ...]

    def least_known(self) -> str | None:
        """The pillar the fewest of the whole room name (None before anyone gave a sentence)."""
        room = self.table["department"] == WHOLE_ROOM
        shares = self.table["share"][room].astype(float)
        if not len(shares) or np.isnan(shares).all():
            return None
        return str(self.table["pillar"][room][int(np.nanargmin(shares))])


def promise_known(sentences: pd.DataFrame, themes: Themes, promise: Promise) -> PromiseKnown:
    """The share of each department's sentences (and the whole room's) that name each pillar of the promise."""
    pillar_ids = promise.pillar_ids
    phrases = {p: themes.get(p, []) for p in pillar_ids}
    tags = tag_comments(sentences["text"], phrases) if len(sentences) else pd.DataFrame(columns=pillar_ids)
    departments = list(dict.fromkeys(sentences["department"])) + [WHOLE_ROOM]
    rows = []
    for pillar_id in pillar_ids:
        for department in departments:
            mine = (
                np.ones(len(sentences), bool)
                if department == WHOLE_ROOM
                else (sentences["department"] == department).to_numpy()
            )
            given = int(mine.sum())
            naming = int(tags[pillar_id].to_numpy(dtype=bool)[mine].sum()) if given else 0
            rows.append((pillar_id, department, given, naming, naming / given if given else np.nan))
    columns: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [()] * 5
    table = Table(
        {
            "pillar": np.array(columns[0], dtype=object),
            "department": np.array(columns[1], dtype=object),
            "sentences": np.array(columns[2], dtype=np.int64),
            "naming": np.array(columns[3], dtype=np.int64),
            "share": np.array(columns[4], dtype=float),
        }
    )
    statement = tag_comments(pd.Series([promise.statement]), phrases).iloc[0]
    return PromiseKnown(
        table, frozenset(p for p in pillar_ids if statement[p]), tuple(p for p in pillar_ids if not phrases[p])
    )
