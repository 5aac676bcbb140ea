"""Drive a participant's phone page (workshop/web) with Playwright, as a person would: labels, taps, and the
page's own confirmation next to the button pressed. For any test that needs a room (the browser tests, a
JupyterLab rehearsal). Each function returns once the page has confirmed; a refusal fails with its message.

    from phones import join, rate, propose, vote
    join(page, server.local_url, "HB7KQ", "Sales", "Ana")
    rate(page, {"Same-day repair": (7.0, 4.5)})
    propose(page, "Text riders when the bike is ready", "Same-day repair", "Lift the experience", "Tools")
    vote(page, {"Text riders when the bike is ready": 2})
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from workshop.actions import LEVERS, MOVES

WAIT_MS = 15_000


def _confirmed(page: Page, button_name: str, expected: str) -> None:
    """Wait for the status line right after the button: the page's confirmation, or fail with its refusal."""
    status = page.get_by_role("button", name=button_name, exact=True).locator("xpath=following-sibling::p[1]")
    expect(status).to_have_class(re.compile(r"\b(ok|error)\b"), timeout=WAIT_MS)
    text = status.inner_text()
    assert expected in text, f"the page said: {text!r}"


def join(page: Page, join_url: str, code: str, department: str, name: str) -> None:
    """Open the join URL and join with the code, a department (chosen from the list, or typed when the
    promise lists none) and a display name ("" to stay anonymous)."""
    page.goto(join_url)
    page.get_by_label("Session code").fill(code, timeout=WAIT_MS)
    field = page.get_by_label("Your department")
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(department)
    else:
        field.fill(department)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    refusal = page.locator("form p.status.error")
    page.locator("p.who").or_(refusal).first.wait_for(timeout=WAIT_MS)
    assert not refusal.count(), f"the page said: {refusal.inner_text()!r}"


def _set_slider(slider, value: float) -> None:
    """Move a range input to ``value`` with the keyboard, as a person without a mouse does: Home, then the
    right arrow in half points (an unset slider counts as set once moved)."""
    slider.focus()
    slider.press("Home")
    for _ in range(round(value / 0.5)):
        slider.press("ArrowRight")
    assert float(slider.input_value()) == value


def rate(page: Page, ratings: dict[str, tuple[float, float]]) -> None:
    """Answer both questions for each pillar named (by its label on the page: deliver today, customers would
    rate), then save; pillars not named stay unset and are not sent."""
    page.get_by_role("button", name="Save my ratings").wait_for(timeout=WAIT_MS)
    for pillar, pair in ratings.items():
        box = page.locator("fieldset").filter(has=page.locator("legend", has_text=pillar))
        sliders = box.locator("input[type=range]")
        for index, value in enumerate(pair):
            _set_slider(sliders.nth(index), value)
    page.get_by_role("button", name="Save my ratings").click()
    _confirmed(page, "Save my ratings", "Saved.")


def propose(page: Page, text: str, pillar: str, move: str, lever: str) -> None:
    """Propose an idea: its text, the pillar's label, and the move and lever as labels on the page (their
    keys, e.g. ``lift_experience`` or ``tools``, are accepted too)."""
    page.get_by_role("button", name="Propose this idea").wait_for(timeout=WAIT_MS)
    page.get_by_label("Your idea").fill(text)
    page.get_by_label("For pillar").select_option(label=pillar)
    page.get_by_role("radio", name=MOVES.get(move, move), exact=True).check()
    page.get_by_label("Lever").select_option(label=LEVERS.get(lever, lever))
    page.get_by_role("button", name="Propose this idea").click()
    _confirmed(page, "Propose this idea", "your idea is on the list")


def vote(page: Page, dots: dict[str, int]) -> None:
    """Place dots so that each idea named (by its text) has exactly that many, tapping + or − on its row and
    waiting for the row's confirmation after each tap."""
    page.get_by_text("Change your mind until voting closes").wait_for(timeout=WAIT_MS)
    for idea, wanted in dots.items():
        row = page.locator("ul.ideas > li").filter(has=page.get_by_text(idea, exact=True))
        count = row.locator("output")
        while (now := int(count.inner_text().split()[0])) != wanted:
            button = row.get_by_role("button", name=("Add a dot to: " if wanted > now else "Take a dot off: ") + idea)
            button.click()
            expect(count).to_have_text(re.compile(rf"^{now + (1 if wanted > now else -1)} dots?$"), timeout=WAIT_MS)
            status = row.locator("p.status")
            expect(status).to_have_class(re.compile(r"\b(ok|error)\b"), timeout=WAIT_MS)
            assert "Saved" in status.inner_text(), f"the page said: {status.inner_text()!r}"
