"""The rule every panel keeps (workshop.ui.draft): what a person typed outlives every redraw until saved or
discarded. The panels' own tests drive it through their real widgets; these pin the rule itself."""
from __future__ import annotations

import ipywidgets as widgets

from workshop.ui.draft import Draft, offer, restore, shown_values


def form() -> tuple[Draft, widgets.Text, widgets.IntSlider]:
    owner, effort = widgets.Text(), widgets.IntSlider(min=1, max=5)
    return Draft({"owner": owner, "effort": effort}), owner, effort


def test_a_redraw_shows_the_store_except_where_the_person_typed():
    draft, owner, effort = form()
    draft.show("a1", {"owner": "", "effort": 3})
    owner.value = "Sam"
    draft.show("a1", {"owner": "", "effort": 4})
    assert (owner.value, effort.value) == ("Sam", 4)
    assert draft.edits() == {"owner": "Sam"}


def test_what_the_panel_sets_while_showing_is_no_edit_and_showing_says_so():
    draft, owner, _effort = form()
    seen = []
    owner.observe(lambda _change: seen.append(draft.showing), names="value")
    draft.show("a1", {"owner": "Ann", "effort": 3})
    assert seen == [True] and draft.edits() == {}


def test_edits_are_kept_per_subject_until_saved_or_discarded():
    draft, owner, _effort = form()
    draft.show("a1", {"owner": "", "effort": 3})
    owner.value = "Sam"
    draft.show("a2", {"owner": "Lee", "effort": 3})
    assert owner.value == "Lee"
    draft.show("a1", {"owner": "", "effort": 3})
    assert owner.value == "Sam"
    draft.saved("a1", ["owner"])
    draft.show("a1", {"owner": "Sam Lee", "effort": 3})
    assert owner.value == "Sam Lee"
    owner.value = "Someone"
    draft.discard()
    draft.show("a1", {"owner": "Sam Lee", "effort": 3})
    assert owner.value == "Sam Lee"


def test_new_options_keep_the_choice_while_it_is_offered():
    single = widgets.Dropdown(options=[("one", "1"), ("two", "2")], value="2")
    offer(single, [("one", "1"), ("two", "2"), ("three", "3")])
    assert single.value == "2"
    offer(single, [("one", "1")])
    assert single.value == "1"
    several = widgets.SelectMultiple(options=[("one", "1"), ("two", "2")], value=("1", "2"))
    offer(several, [("two", "2"), ("three", "3")])
    assert several.value == ("2",)


def test_a_rebuilt_view_gets_back_what_it_showed_where_it_can_hold_it():
    before = {"column": widgets.Dropdown(options=["a", "b"], value="b"), "codes": widgets.Text(value="n/a")}
    shown = shown_values(before)
    after = {"column": widgets.Dropdown(options=["a", "c"], value="a"), "codes": widgets.Text()}
    restore(after, shown)
    assert (after["column"].value, after["codes"].value) == ("a", "n/a")
