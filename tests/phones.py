"""Drive a participant's phone page with Playwright, as a person would: labels, taps, and the page's own
confirmation. For any test that needs a room (the JupyterLab rehearsal). Each function returns once the page
has confirmed; a refusal fails with the page's message.

This is the driver for today's page (``workshop serve``: Voila running notebooks/participant.ipynb, the widgets
of ``workshop.ui.participant``); every selector that knows that page lives here, so a new participant page
needs a new phones.py with the same four functions and nothing else.

    from phones import join, rate, propose, vote
    join(page, join_url, "HB7KQ", "Sales", "Ana")
    rate(page, {"Same-day repair": (7.0, 4.5)})
    propose(page, "Text riders when the bike is ready", "Same-day repair", "Lift the experience", "Tools")
    vote(page, {"Text riders when the bike is ready": 2})
"""
from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from workshop.actions import LEVERS, MOVES
from workshop.session import RATING_STEP

WAIT_MS = 30_000
"""A phone's kernel answers within a second; a 2-core machine running a whole rehearsal can take far longer."""
SLIDER_START = 5.0
"""Where the page's rating sliders stand before a participant first moves them."""


def _confirmed(page: Page, confirmation: Locator, text: str | None = None) -> None:
    """Wait until ``confirmation`` is visible (or reads ``text``); failing, say what the page said."""
    try:
        if text is not None:
            expect(confirmation).to_have_text(text, timeout=WAIT_MS)
        else:
            expect(confirmation).to_be_visible(timeout=WAIT_MS)
    except AssertionError:
        refusal = page.locator(".pg-message-error")
        said = refusal.all_inner_texts() if refusal.count() else "nothing"
        raise AssertionError(f"{page.url}: no confirmation; the page said {said}") from None


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
    _confirmed(page, page.get_by_text("You are"))


def _set_slider(page: Page, index: int, value: float) -> None:
    """Move the page's ``index``-th slider to ``value`` with the keyboard, in the page's half points, and wait
    until the slider reads it back."""
    handle = page.locator(".widget-slider .noUi-handle").nth(index)
    readout = page.locator(".widget-slider .widget-readout").nth(index)
    steps = round((value - float(readout.inner_text())) / RATING_STEP)
    handle.focus()
    for _ in range(abs(steps)):
        handle.press("ArrowRight" if steps > 0 else "ArrowLeft")
    expect(readout).to_have_text(f"{value:.1f}", timeout=WAIT_MS)


def rate(page: Page, ratings: dict[str, tuple[float, float]]) -> None:
    """Answer both questions (deliver today, customers would rate) for each pillar named by its label on the
    page, then save. Pillars not named keep the page's starting value."""
    save = page.get_by_role("button", name="Save my ratings")
    save.wait_for(timeout=WAIT_MS)
    pillars = page.locator(".pg-app h4").all_inner_texts()  # one heading per pillar, two sliders under each
    for pillar, pair in ratings.items():
        assert pillar in pillars, f"no pillar {pillar!r} on the page, only {pillars}"
        for question, value in enumerate(pair):
            _set_slider(page, 2 * pillars.index(pillar) + question, value)
    save.click()
    _confirmed(page, page.locator(".pg-message-ok").filter(has_text="Saved."))


def propose(page: Page, text: str, pillar: str, move: str, lever: str) -> None:
    """Propose an idea: its text, the pillar's label, and the move and lever as labels on the page (their
    keys, e.g. ``lift_experience`` or ``tools``, are accepted too). Returns once the idea is under "Your
    ideas"."""
    page.get_by_role("button", name="Propose this idea").wait_for(timeout=WAIT_MS)
    page.get_by_placeholder("Your idea").fill(text)
    page.get_by_label("For pillar").select_option(label=pillar)
    page.locator(".widget-toggle-button").filter(has_text=re.compile(rf"^{re.escape(MOVES.get(move, move))}$")).click()
    page.get_by_label("Lever").select_option(label=LEVERS.get(lever, lever))
    page.get_by_role("button", name="Propose this idea").click()
    mine = page.locator(".pg-app li").filter(has_text=re.compile(rf"^{re.escape(text)}$"))
    _confirmed(page, mine)


def vote(page: Page, dots: dict[str, int]) -> None:
    """Place dots so that each idea named (by its text) has exactly that many, tapping + or − on its row and
    waiting for the row's count after each tap."""
    page.get_by_text("Change your mind until voting closes").wait_for(timeout=WAIT_MS)
    for idea, wanted in dots.items():
        row = page.locator(".pg-app .widget-vbox").filter(
            has=page.locator("p", has_text=re.compile(rf"^{re.escape(idea)}$"))).filter(
            has=page.get_by_role("button", name="+", exact=True)).last
        count = row.get_by_text(re.compile(r"^\d+ dots$"))
        while (now := int(count.inner_text().split()[0])) != wanted:
            row.get_by_role("button", name="+" if wanted > now else "−", exact=True).click()
            _confirmed(page, count, text=f"{now + (1 if wanted > now else -1)} dots")
