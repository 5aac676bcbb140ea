"""The participant app, driven as a participant would (setting widget values, clicking buttons) without a browser."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from workshop.session import SessionStore
from workshop.ui.participant import ParticipantApp

DATA = Path(__file__).parent / "data"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def room(tmp_path: Path):
    folder = Path(shutil.copytree(DATA / "live_workshop", tmp_path / "harbour"))
    with SessionStore(folder) as facilitator:
        facilitator.start("HB7KQ")
        yield folder, facilitator


def _joined(folder: Path, name: str = "Ana", department: str = "Sales") -> ParticipantApp:
    app = ParticipantApp(folder, poll_seconds=None)
    app.code.value, app.department.value, app.display_name.value = "hb7kq", department, name
    app.join_button.click()
    assert app.me is not None, app.message.value
    return app


def test_a_wrong_code_is_explained_without_a_traceback_or_a_path(room):
    folder, facilitator = room
    app = ParticipantApp(folder, poll_seconds=None)
    app.code.value, app.department.value = "WRONG", "Sales"
    app.join_button.click()
    assert app.me is None and "does not match this session" in app.message.value
    assert "Traceback" not in app.message.value and str(folder) not in app.message.value
    assert facilitator.state().participants == {}


def test_the_app_follows_the_stage_the_facilitator_opens(room):
    folder, facilitator = room
    app = _joined(folder)
    app.refresh()
    assert app.stage_box.children == (app.waiting,)
    assert (app.rate, app.ideas, app.vote) == (None, None, None)  # built when first shown: a light join page
    for stage, view in [("rating", "rate"), ("ideas", "ideas"), ("voting", "vote")]:
        facilitator.open_stage(stage)
        app.refresh()
        assert app.stage_box.children == (getattr(app, view).widget,)
    facilitator.close_stage()
    app.refresh()
    assert app.stage_box.children == (app.waiting,)


def test_ratings_ideas_and_dots_reach_the_store(room):
    folder, facilitator = room
    app = _joined(folder)
    facilitator.open_stage("rating")
    app.refresh()
    today, customers = app.rate.sliders["same_day"]
    today.value, customers.value = 8, 4.5
    app.rate.sentence.value = "Your bike back the same day."
    app.rate.save_button.click()
    state = facilitator.state()
    assert state.ratings_of(app.me.id)["same_day"].customers_would_rate == 4.5
    assert state.sentences[app.me.id] == "Your bike back the same day."

    facilitator.open_stage("ideas")
    app.refresh()
    app.ideas.text.value, app.ideas.pillar.value = XSS, "honest_advice"
    app.ideas.move.value, app.ideas.lever.value = "refresh_promise", "training"
    app.ideas.propose_button.click()
    app.ideas.propose_button.click()  # a double tap after the box was cleared: refused as empty, not stored twice
    ideas = list(facilitator.state().ideas.values())
    assert [(i.text, i.pillar, i.move, i.lever) for i in ideas] == [(XSS, "honest_advice", "refresh_promise",
                                                                      "training")]
    assert XSS not in app.ideas.mine.value and "&lt;img src=x onerror=alert(1)&gt;" in app.ideas.mine.value

    facilitator.open_stage("voting")
    app.refresh()
    assert XSS not in str([row.children[0].value for row in app.vote.rows.children])
    for _ in range(4):  # a budget of 3: the fourth dot is refused with a message
        app.vote.rows.children[0].children[1].children[2].click()
    assert facilitator.state().votes[app.me.id] == {ideas[0].id: 3}
    assert "4 dots placed, but each person has 3" in app.message.value
    app.vote.rows.children[0].children[1].children[0].click()
    assert facilitator.state().votes[app.me.id] == {ideas[0].id: 2}


def test_a_reloaded_page_rejoins_as_the_same_participant_with_earlier_inputs(room):
    folder, facilitator = room
    first = _joined(folder, "Ben", "Service")
    assert first.memory.token == first.me.id and first.memory.storage_key == "HB7KQ"
    facilitator.open_stage("rating")
    first.refresh()
    first.rate.sliders["easy_booking"][0].value = 9.5
    first.rate.save_button.click()

    reloaded = ParticipantApp(folder, poll_seconds=None)
    reloaded.memory.token = first.me.id  # what the browser sends from localStorage on page load
    assert reloaded.me == first.me
    assert reloaded.rate.sliders["easy_booking"][0].value == 9.5
    assert reloaded.stage_box.children == (reloaded.rate.widget,)
    assert len(facilitator.state().participants) == 1


def test_a_forged_or_stale_token_is_forgotten_and_the_join_form_stays(room):
    folder, facilitator = room
    app = ParticipantApp(folder, poll_seconds=None)
    app.memory.token = "forged-token-aaaaaaaaaaaaaaaa"
    assert app.me is None and app.memory.token == ""
    assert app.join_box.layout.display != "none"
    assert facilitator.state().participants == {}


def test_a_tap_that_fails_unexpectedly_says_so_without_details_from_the_laptop(room, monkeypatch):
    folder, facilitator = room
    app = _joined(folder)
    facilitator.open_stage("rating")
    app.refresh()

    def broken(*_args, **_kwargs):
        raise sqlite3.OperationalError(f"unable to open {folder / 'session.sqlite'}")

    monkeypatch.setattr(app.store, "rate", broken)
    app.rate.save_button.click()
    assert "Something went wrong on the facilitator&#x27;s laptop" in app.message.value
    assert "pg-message-error" in app.message.value
    assert str(folder) not in app.message.value and "OperationalError" not in app.message.value
    assert facilitator.state().ratings_of(app.me.id) == {}


def test_an_idea_half_typed_survives_the_facilitator_moving_the_stages(room):
    """STYLE rule 11 on the phone: the every-second refresh and a stage opened and back keep what was typed."""
    folder, facilitator = room
    app = _joined(folder)
    facilitator.open_stage("ideas")
    app.refresh()
    app.ideas.text.value = "Text us when the van leaves"
    app.ideas.lever.value = "tools"
    facilitator.set_dot_budget(5)
    app.refresh()
    facilitator.open_stage("rating")
    app.refresh()
    facilitator.open_stage("ideas")
    app.refresh()
    assert (app.ideas.text.value, app.ideas.lever.value) == ("Text us when the van leaves", "tools")
    app.ideas.propose_button.click()
    (idea,) = facilitator.state().ideas.values()
    assert (idea.text, idea.lever) == ("Text us when the van leaves", "tools")
