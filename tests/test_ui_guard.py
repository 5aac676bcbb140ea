"""Every panel runs its callbacks through workshop.ui.guard: a refusal or a bug is a sentence, never a traceback."""
from __future__ import annotations

import pytest

from workshop.errors import Problem, WorkshopError
from workshop.ui.guard import guarded, problem_text


def refusal() -> WorkshopError:
    return WorkshopError([Problem("promise.yml", "pillar 2", "target", "is above 10", "Set it to 10 or less.", 12)])


def test_an_action_that_runs_shows_nothing():
    shown: list[str] = []
    ran: list[int] = []
    assert guarded(lambda: ran.append(1), shown.append) is True
    assert ran == [1] and shown == []


def test_a_refusal_shows_its_own_words():
    shown: list[str] = []

    def refuse():
        raise refusal()

    assert guarded(refuse, shown.append) is False
    assert shown == [str(refusal())]
    assert "Set it to 10 or less." in shown[0] and "Something went wrong" not in shown[0]


def test_a_bug_is_named_and_caught():
    shown: list[str] = []
    assert guarded(lambda: {}["pillar"], shown.append) is False
    assert shown == ["Something went wrong (KeyError: 'pillar'). What you typed is kept; please report this."]
    assert problem_text(ZeroDivisionError("division by zero")).startswith("Something went wrong (ZeroDivisionError")


def test_a_panel_can_word_it_its_own_way():
    shown: list[str] = []
    guarded(lambda: 1 / 0, shown.append, text=lambda error: f"sorry: {type(error).__name__}")
    assert shown == ["sorry: ZeroDivisionError"]


def test_stopping_the_kernel_is_not_swallowed():
    with pytest.raises(KeyboardInterrupt):
        guarded(lambda: (_ for _ in ()).throw(KeyboardInterrupt()), lambda _text: None)
