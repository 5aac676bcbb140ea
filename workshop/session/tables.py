"""The session as pandas tables, for the charts and the report (pandas is imported only when one is asked
for, so a participant's page never loads it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workshop.gap import INTERNAL_COLUMNS
from workshop.session.events import SessionState, author_label

if TYPE_CHECKING:
    import pandas as pd


def room_ratings(state: SessionState) -> pd.DataFrame:
    """One row per participant and pillar they rated, in ``workshop.gap.INTERNAL_COLUMNS``: participant (public
    label), department, pillar, deliver_today, customers_would_rate (0–10, half points). Empty, with these
    columns, before anyone rates."""
    import pandas as pd

    rows = [
        (
            state.participants[who].public_label,
            state.participants[who].department,
            pillar,
            rating.deliver_today,
            rating.customers_would_rate,
        )
        for (who, pillar), rating in state.ratings.items()
    ]
    frame = pd.DataFrame(rows, columns=list(INTERNAL_COLUMNS))
    return frame.astype({"deliver_today": "float64", "customers_would_rate": "float64"})


def ideas_table(state: SessionState) -> pd.DataFrame:
    """Live ideas in proposal order: idea_id, number, text (verbatim: escape before showing as HTML), pillar,
    move, lever, department, author (public label, or 'Facilitator'), merged (numbers of ideas folded in),
    dots."""
    import pandas as pd

    totals = state.vote_totals()
    merged: dict[str, list[int]] = {}
    for idea in state.ideas.values():
        if idea.merged_into is not None:
            merged.setdefault(state.resolve(idea.id), []).append(idea.number)
    rows = [
        (
            idea.id,
            idea.number,
            idea.text,
            idea.pillar,
            idea.move,
            idea.lever,
            idea.department,
            author_label(state, idea),
            merged.get(idea.id, []),
            totals[idea.id],
        )
        for idea in state.live_ideas()
    ]
    return pd.DataFrame(
        rows, columns=["idea_id", "number", "text", "pillar", "move", "lever", "department", "author", "merged", "dots"]
    )


def vote_totals_series(state: SessionState) -> pd.Series:
    """Dots per live idea id, most dots first (ties in proposal order); 0 for ideas nobody voted for."""
    import pandas as pd

    totals = state.vote_totals()
    order = [idea.id for idea in state.ideas_by_dots()]
    return pd.Series([totals[i] for i in order], index=pd.Index(order, name="idea_id"), name="dots", dtype="int64")
