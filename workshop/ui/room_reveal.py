"""Step 3's two panels wired together: *Room vs customers* shows the room once the live panel reveals it.

The room rates itself on phones at the start of step 3 and its ratings stay hidden until the facilitator
presses **Reveal results** (in this tab, or in another: the live panel's refresh brings the press here).
Then the gap panel's Room vs customers view draws them next to the customers' scores, with no cell run
again and no store opened by the notebook: the ratings come from the live panel's own store. Ratings typed
into the gap panel's form (no live session) are kept beside them. This module holds no rule.
"""

from __future__ import annotations

import html

from workshop.ui.gap_panel import GapPanel
from workshop.ui.guard import guarded
from workshop.ui.live_panel import LivePanel


def show_the_room_when_revealed(live: LivePanel, gap_panel: GapPanel) -> None:
    """From now on, each reveal on ``live`` adds the room's ratings not yet drawn to ``gap_panel``; a room
    already revealed is drawn at once."""
    drawn: set[tuple[str, str]] = set()

    def draw_the_room() -> None:
        ratings = live.store.room_ratings()
        new = [
            (who, pillar) not in drawn for who, pillar in zip(ratings["participant"], ratings["pillar"], strict=True)
        ]
        if any(new):
            gap_panel.add_internal_ratings(ratings[new])
            drawn.update(zip(ratings["participant"][new], ratings["pillar"][new], strict=True))

    def say(text: str) -> None:
        gap_panel.message.value = f"<span style='color:#D55E00'>{html.escape(text)}</span>"

    def on_reveal(change) -> None:
        if change["new"]:
            guarded(draw_the_room, say)

    live.reveal.observe(on_reveal, names="value")
    if live.store.state().revealed:
        guarded(draw_the_room, say)
