"""The room, for real: `workshop serve` on loopback, three participants in three Chromium contexts join, rate,
propose ideas and vote; the facilitator's panel (read through its Python API) shows exactly their inputs, a
participant who reloads mid-way keeps theirs, and killing the server and the panel loses nothing."""
from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path
from urllib.parse import urlsplit

import playwright.sync_api as playwright
import pytest

from workshop.live import start_server
from workshop.ui.live_panel import LivePanel

from conftest import free_port, launch_chromium

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data"
WAIT_MS = 30_000
PEOPLE = [  # name, department, slider steps right of 5 on the first pillar (today, customers), idea, its pillar
    ("Ana", "Sales", (4, -2), "Text riders when the bike is ready", "Same-day repair"),
    ("", "Service", (-6, -8), "<img src=x onerror=alert(1)>", "Honest advice"),
    ("Cy", "Operations", (2, 0), "One-tap booking from the receipt", "Easy booking"),
]


@pytest.fixture
def served(tmp_path: Path):
    folder = Path(shutil.copytree(DATA / "live_workshop", tmp_path / "harbour"))
    port = free_port()
    servers = []

    def serve():
        servers.append(start_server(folder, host="loopback", port=port, pool_size=3, code="HB7KQ"))
        return servers[-1]
    try:
        yield folder, serve
    finally:
        for server in servers:
            server.stop()


# What a phone must not show: a field or button off the screen, two of them overlapping (ipywidgets' fixed row
# height let a 2.6em select cover the buttons below it), a touch target under 40 px (a slider's handle aside).
PHONE_LAYOUT_PROBLEMS = """
() => {
  const width = document.documentElement.clientWidth;
  const shown = [...document.querySelectorAll('.pg-app input:not([type=hidden]), .pg-app select, .pg-app textarea, .pg-app button, .pg-app .noUi-handle')]
    .filter(e => e.offsetParent !== null).map(e => [e, e.getBoundingClientRect()]);
  const name = e => (e.getAttribute('placeholder') || e.textContent || e.tagName).trim().slice(0, 30);
  const problems = [];
  for (const [e, r] of shown) {
    if (r.right > width + 1 || r.left < -1) problems.push(`${name(e)} is off the screen (${Math.round(r.left)}-${Math.round(r.right)} of ${width})`);
    if (!e.classList.contains('noUi-handle') && r.height < 40) problems.push(`${name(e)} is ${Math.round(r.height)} px tall`);
  }
  shown.forEach(([a, ra], i) => shown.slice(i + 1).forEach(([b, rb]) => {
    if (a.contains(b) || b.contains(a)) return;
    const overlapX = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const overlapY = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (overlapX > 1 && overlapY > 1) problems.push(`${name(a)} overlaps ${name(b)}`);
  }));
  return problems;
}
"""


def _assert_fits_a_phone(page) -> None:
    page.wait_for_timeout(300)  # let the last widget settle its size
    assert page.evaluate(PHONE_LAYOUT_PROBLEMS) == []


def _join(page, url: str, name: str, department: str) -> None:
    page.goto(url)
    page.get_by_label("Session code").fill("hb7kq", timeout=WAIT_MS)
    page.get_by_label("Your department").select_option(department)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join").click()
    page.get_by_text("You are").wait_for(timeout=WAIT_MS)


def _move_slider(page, index: int, steps: int) -> None:
    handle = page.locator(".widget-slider .noUi-handle").nth(index)
    handle.focus()
    for _ in range(abs(steps)):
        handle.press("ArrowRight" if steps > 0 else "ArrowLeft")


def _readout(page, index: int) -> str:
    return page.locator(".widget-slider .widget-readout").nth(index).inner_text()


def test_three_participants_rate_propose_and_vote_and_one_reloads(served):
    folder, serve = served
    server = serve()
    panel = LivePanel(folder, refresh_seconds=None)
    with playwright.sync_playwright() as driver:
        browser = launch_chromium(driver)
        pages = [browser.new_context(viewport={"width": 390, "height": 844}).new_page() for _ in PEOPLE]
        hosts: set[str] = set()  # a phone must not ask anyone but the laptop (no CDN, nothing to leak)
        for page in pages:  # data: (the inline favicon) and blob: (widget code) URLs are asked of nobody
            page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc or urlsplit(request.url).scheme))
        pages[0].goto(server.local_url)
        pages[0].get_by_role("button", name="Join").wait_for(timeout=WAIT_MS)
        _assert_fits_a_phone(pages[0])
        for page, (name, department, *_rest) in zip(pages, PEOPLE):
            _join(page, server.local_url, name, department)
        assert panel.state().departments() == {"Sales": 1, "Service": 1, "Operations": 1}

        panel.open_stage("rating")
        for page, (_name, _dept, (today, customers), *_rest) in zip(pages, PEOPLE):
            page.get_by_role("button", name="Save my ratings").wait_for(timeout=WAIT_MS)
            _assert_fits_a_phone(page)
            _move_slider(page, 0, today)
            _move_slider(page, 1, customers)
            page.get_by_placeholder("Could you state our promise in a sentence?").fill("Ride away happy today.")
            page.get_by_role("button", name="Save my ratings").click()
            page.get_by_text("Saved.").wait_for(timeout=WAIT_MS)

        reloaded = pages[1]  # the anonymous Service participant loses the page mid-way
        reloaded.reload()
        reloaded.get_by_text("You are Participant 2").wait_for(timeout=WAIT_MS)
        reloaded.get_by_role("button", name="Save my ratings").wait_for(timeout=WAIT_MS)
        assert _readout(reloaded, 0) == "2.0" and _readout(reloaded, 1) == "1.0"

        panel.open_stage("ideas")
        for page, (*_first, idea, pillar) in zip(pages, PEOPLE):
            page.get_by_role("button", name="Propose this idea").wait_for(timeout=WAIT_MS)
            _assert_fits_a_phone(page)
            page.get_by_placeholder("Your idea").fill(idea)
            page.get_by_label("For pillar").select_option(label=pillar)
            page.get_by_role("button", name="Propose this idea").click()
            page.get_by_text("your idea is on the list").wait_for(timeout=WAIT_MS)
        assert pages[1].locator("img[src=x]").count() == 0  # the hostile idea is shown as text

        panel.open_stage("voting")
        ideas = panel.state().live_ideas()
        for voter, page in enumerate(pages):
            page.get_by_text("dots:").wait_for(timeout=WAIT_MS)
            plus = page.get_by_role("button", name="+")
            for _ in range(voter + 1):  # Ana 1 dot on idea 1, participant 2 two on idea 2, Cy three on idea 3
                plus.nth(voter).click()
            page.get_by_text(f"{voter + 1} dots", exact=True).wait_for(timeout=WAIT_MS)
            _assert_fits_a_phone(page)

        assert hosts - {"data", "blob"} == {urlsplit(server.local_url).netloc}
        state = panel.state()
        os.kill(server.process.pid, signal.SIGKILL)  # the server dies mid-session...
        server.process.wait()
        panel.stop()  # ...and so does the facilitator's kernel
        server, panel = serve(), LivePanel(folder, refresh_seconds=None)
        assert panel.state() == state
        pages[0].reload()
        pages[0].get_by_text("You are Ana").wait_for(timeout=WAIT_MS)
        pages[0].get_by_text("1 dots", exact=True).wait_for(timeout=WAIT_MS)
        browser.close()

    state = panel.state()
    people = list(state.participants.values())
    assert [(p.label, p.department) for p in people] == [("Ana", "Sales"), ("Participant 2", "Service"),
                                                         ("Cy", "Operations")]
    ratings = panel.store.room_ratings()
    assert ratings[["participant", "pillar", "deliver_today", "customers_would_rate"]].values.tolist() == [
        ["Participant 1", "same_day", 7.0, 4.0], ["Participant 1", "honest_advice", 5.0, 5.0],
        ["Participant 1", "easy_booking", 5.0, 5.0],
        ["Participant 2", "same_day", 2.0, 1.0], ["Participant 2", "honest_advice", 5.0, 5.0],
        ["Participant 2", "easy_booking", 5.0, 5.0],
        ["Participant 3", "same_day", 6.0, 5.0], ["Participant 3", "honest_advice", 5.0, 5.0],
        ["Participant 3", "easy_booking", 5.0, 5.0]]
    assert set(state.sentences.values()) == {"Ride away happy today."}
    assert [(i.text, i.pillar, i.participant_id) for i in ideas] == [
        (PEOPLE[0][3], "same_day", people[0].id), (PEOPLE[1][3], "honest_advice", people[1].id),
        (PEOPLE[2][3], "easy_booking", people[2].id)]
    assert state.vote_totals() == {ideas[0].id: 1, ideas[1].id: 2, ideas[2].id: 3}
    assert len(state.participants) == 3  # the reload rejoined, it did not add a fourth person
