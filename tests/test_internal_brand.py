"""Do our people know the promise? (workshop/internal_brand.py): the room's sentences matched to pillars by the
themes, by department and for the whole room, next to the promise as written; from a real session."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workshop.feedback.themes import load_themes
from workshop.internal_brand import WHOLE_ROOM, promise_known, room_sentences
from workshop.promise import PROMISE_FILE, load_promise
from workshop.session import SessionStore


def shares(known, department: str) -> dict[str, float]:
    table = known.table
    mine = table["department"] == department
    return dict(zip(table["pillar"][mine], table["share"][mine]))


def test_sentences_from_the_session_are_matched_to_pillars_by_department(workshop_dir: Path) -> None:
    promise = load_promise(workshop_dir / PROMISE_FILE)
    themes = load_themes(workshop_dir, promise.pillar_ids)
    with SessionStore(workshop_dir) as store:
        code = store.start()
        store.open_stage("rating")
        said = {("Marketing", "We deliver on the day we say, in a two-hour slot."),
                ("Marketing", "Great furniture at a fair price."),
                ("Operations", "We put right whatever goes wrong, in one call."),
                ("Operations", "Delivered on time and the packaging taken away <b>always</b>.")}
        for department, text in sorted(said):
            person = store.join(code, department)
            store.give_promise_sentence(person.id, text)
        sentences = room_sentences(store.state())
    assert set(map(tuple, sentences.to_numpy())) == said
    known = promise_known(sentences, themes, promise)
    assert shares(known, "Marketing")["on_time_delivery"] == 0.5
    assert shares(known, "Operations")["on_time_delivery"] == 0.5
    assert shares(known, "Operations")["put_right"] == 0.5
    room = shares(known, WHOLE_ROOM)
    assert room["on_time_delivery"] == 0.5 and room["put_right"] == 0.25 and room["expert_advice"] == 0
    assert known.least_known() == "expert_advice"
    # The promise as written, read with the same words: it says 'delivered' and 'put right'.
    assert known.in_statement == {"on_time_delivery", "put_right"}


def test_before_anyone_speaks_nothing_is_known_and_nothing_is_claimed(workshop_dir: Path) -> None:
    promise = load_promise(workshop_dir / PROMISE_FILE)
    known = promise_known(pd.DataFrame(columns=["department", "text"]), {}, promise)
    assert list(known.table["department"]) == [WHOLE_ROOM] * len(promise.pillars)
    assert np.isnan(known.table["share"]).all() and known.least_known() is None
    assert known.unmatched == tuple(promise.pillar_ids) and not known.in_statement
