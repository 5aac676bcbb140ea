"""The room, for real: `workshop serve` on loopback and participants' phones in Chromium (360 and 320 px wide).
They join, rate, propose and vote; the facilitator's panel (read through its Python API) shows exactly their
inputs; a reload rejoins; a tap made offline is sent once; two tabs share one allocation; a merge during voting
is shown; killing the server and the panel loses nothing."""
from __future__ import annotations

import os
import re
import shutil
import signal
from pathlib import Path
from urllib.parse import urlsplit

import playwright.sync_api as playwright
import pytest
from playwright.sync_api import expect

from workshop.actions import LEVERS, MOVES
from workshop.live import start_server
from workshop.session import SessionStore
from workshop.ui.live_panel import LivePanel
from workshop.web.refusals import REFUSALS, SESSION_REFUSALS

from conftest import DATA, free_port, launch_chromium
from phones import join, propose, rate, vote

pytestmark = pytest.mark.browser

WAIT_MS = 15_000
CODE = "HB7KQ"
XSS = "<img src=x onerror=alert(1)>"
PHONE = {"width": 360, "height": 740}
NARROW_PHONE = {"width": 320, "height": 640}
PEOPLE = [  # name, department, (today, customers) on the first pillar, idea, its pillar, the phone's size
    ("Ana", "Sales", (7.0, 4.0), "Text riders when the bike is ready", "Same-day repair", PHONE),
    ("", "Service", (2.0, 1.0), XSS, "Honest advice", NARROW_PHONE),
    ("Cy", "Operations", (6.0, 5.0), "One-tap booking from the receipt", "Easy booking", PHONE),
]


@pytest.fixture
def served(tmp_path: Path):
    folder = Path(shutil.copytree(DATA / "live_workshop", tmp_path / "harbour"))
    port = free_port()
    servers = []

    def serve():
        servers.append(start_server(folder, host="loopback", port=port, code=CODE))
        return servers[-1]
    try:
        yield folder, serve
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def browser():
    with playwright.sync_playwright() as driver:
        chromium = launch_chromium(driver)
        yield chromium
        chromium.close()


# What a phone must not show: a control off the screen or the page scrolling sideways, two controls
# overlapping, a tap target under 44 px (a radio's target is its whole label), a control without a name
# a screen reader can say.
PHONE_PROBLEMS = """
() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width + 1) problems.push(`the page is ${document.documentElement.scrollWidth} px wide on a ${width} px screen`);
  const targets = [...document.querySelectorAll('#app input:not([type=radio]), #app select, #app textarea, #app button, #app .moves label')]
    .filter(e => e.offsetParent !== null).map(e => [e, e.getBoundingClientRect()]);
  const name = e => (e.getAttribute('aria-label') || e.textContent || e.id || e.tagName).trim().slice(0, 30);
  for (const [e, r] of targets) {
    if (r.right > width + 1 || r.left < -1) problems.push(`${name(e)} is off the screen (${Math.round(r.left)}-${Math.round(r.right)} of ${width})`);
    if (r.height < 44) problems.push(`${name(e)} is ${Math.round(r.height)} px tall`);
  }
  targets.forEach(([a, ra], i) => targets.slice(i + 1).forEach(([b, rb]) => {
    if (a.contains(b) || b.contains(a)) return;
    const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left), y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (x > 1 && y > 1) problems.push(`${name(a)} overlaps ${name(b)}`);
  }));
  for (const e of document.querySelectorAll('#app input, #app select, #app textarea')) {
    if (!(e.labels && e.labels.length) && !e.getAttribute('aria-label')) problems.push(`${e.outerHTML.slice(0, 60)} has no label`);
  }
  for (const e of document.querySelectorAll('#app button')) {
    if (!(e.getAttribute('aria-label') || e.textContent.trim())) problems.push('a button has no name');
  }
  return problems;
}
"""


def _assert_fits_a_phone(page) -> None:
    assert page.evaluate(PHONE_PROBLEMS) == []


def _phone(browser, size=PHONE):
    return browser.new_context(viewport=size, has_touch=True, is_mobile=True).new_page()


def test_three_participants_rate_propose_and_vote_and_one_reloads(served, browser):
    folder, serve = served
    server = serve()
    panel = LivePanel(folder, refresh_seconds=None)
    pages = [_phone(browser, size) for *_rest, size in PEOPLE]
    hosts: set[str] = set()  # a phone asks nobody but the laptop (no CDN, nothing to leak)
    for page in pages:
        page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc or urlsplit(request.url).scheme))
    pages[0].goto(server.local_url)
    pages[0].get_by_role("button", name="Join").wait_for(timeout=WAIT_MS)
    _assert_fits_a_phone(pages[0])
    for page, (name, department, *_rest) in zip(pages, PEOPLE):
        join(page, server.local_url, "hb7kq", department, name)
    expect(pages[1].locator("p.who")).to_have_text("You are Participant 2, Service.")
    assert panel.state().departments() == {"Sales": 1, "Service": 1, "Operations": 1}

    panel.open_stage("rating")
    for page, (_name, _dept, pair, *_rest) in zip(pages, PEOPLE):
        page.get_by_role("button", name="Save my ratings").wait_for(timeout=WAIT_MS)
        # every slider starts unset: no 5.0 to anchor on
        expect(page.locator(".question output")).to_have_text(["not set"] * 6)
        _assert_fits_a_phone(page)
        page.get_by_label("Could you state our promise in a sentence?").fill("Ride away happy today.")
        rate(page, {"Same-day repair": pair})
        expect(page.locator(".question output").first).to_have_text(f"{pair[0]:.1f}")

    reloaded = pages[1]  # the anonymous Service participant loses the page mid-way
    reloaded.reload()
    expect(reloaded.locator("p.who")).to_have_text("You are Participant 2, Service.", timeout=WAIT_MS)
    expect(reloaded.locator(".question output")).to_have_text(["2.0", "1.0", *["not set"] * 4])

    panel.open_stage("ideas")
    for page, (*_first, idea, pillar, _size) in zip(pages, PEOPLE):
        propose(page, idea, pillar, "Lift the experience", "Tools")
        _assert_fits_a_phone(page)
        expect(page.get_by_text("Saved. You can change")).to_have_count(0)  # the rating's message is gone
    assert pages[1].locator("img").count() == 0  # the hostile idea is shown as text
    expect(pages[1].locator("ul.ideas li")).to_have_text([f"{XSS}Honest advice"])

    panel.open_stage("voting")
    ideas = panel.state().live_ideas()
    for voter, page in enumerate(pages):  # Ana 1 dot on idea 1, participant 2 two on idea 2, Cy three on idea 3
        vote(page, {PEOPLE[voter][3]: voter + 1})
        expect(page.locator(".dots-left")).to_contain_text(f"{2 - voter} left")
        row = page.locator("ul.ideas > li").nth(voter)
        expect(row.locator(".pillar-name")).to_have_text(PEOPLE[voter][4])  # every idea names its pillar
        expect(row).to_have_class(re.compile(r"\bchosen\b"))  # the row holding my dots stands out
        expect(page.locator("ul.ideas > li.chosen")).to_have_count(1)
        _assert_fits_a_phone(page)
    expect(pages[0].locator("ul.ideas output").first).to_have_text("1 dot")  # not "1 dots"

    assert hosts - {"data"} == {urlsplit(server.local_url).netloc}
    state = panel.state()
    os.kill(server.process.pid, signal.SIGKILL)  # the server dies mid-session...
    server.process.wait()
    panel.stop()  # ...and so does the facilitator's kernel
    server, panel = serve(), LivePanel(folder, refresh_seconds=None)
    assert panel.state() == state
    pages[0].reload()
    expect(pages[0].locator("p.who")).to_have_text("You are Ana, Sales.", timeout=WAIT_MS)
    expect(pages[0].locator("ul.ideas output").first).to_have_text("1 dot")

    state = panel.state()
    people = list(state.participants.values())
    assert [(p.label, p.department) for p in people] == [("Ana", "Sales"), ("Participant 2", "Service"),
                                                         ("Cy", "Operations")]
    ratings = panel.store.room_ratings()
    assert ratings[["participant", "pillar", "deliver_today", "customers_would_rate"]].values.tolist() == [
        ["Participant 1", "same_day", 7.0, 4.0], ["Participant 2", "same_day", 2.0, 1.0],
        ["Participant 3", "same_day", 6.0, 5.0]]  # pillars left unset are not stored as 5
    assert set(state.sentences.values()) == {"Ride away happy today."}
    assert [(i.text, i.pillar, i.participant_id) for i in ideas] == [
        (PEOPLE[0][3], "same_day", people[0].id), (PEOPLE[1][3], "honest_advice", people[1].id),
        (PEOPLE[2][3], "easy_booking", people[2].id)]
    assert state.vote_totals() == {ideas[0].id: 1, ideas[1].id: 2, ideas[2].id: 3}
    assert len(state.participants) == 3  # the reload rejoined, it did not add a fourth person
    panel.close_stage()  # the end: every page says so plainly
    for page in pages:
        expect(page.get_by_role("heading", name="All done: thank you!")).to_be_visible(timeout=WAIT_MS)
        _assert_fits_a_phone(page)


def test_the_join_form_needs_one_request_and_no_other_script_runs(served, browser):
    """The page carries its style and scripts: one round trip to a usable form on a phone's Wi-Fi. Its policy
    allows exactly those (by hash): a script put into the page by any other way does not run."""
    _folder, serve = served
    server = serve()
    page = _phone(browser)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(server.local_url)
    page.get_by_role("button", name="Join").wait_for(timeout=WAIT_MS)
    page.get_by_label("Session code").fill("HB7KQ")
    assert [url for url in asked if not url.startswith("data:")] == [server.local_url]
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.injected = true'; document.body.append(s); }""")
    assert page.evaluate("window.injected === undefined")


def test_every_code_the_server_can_send_has_a_sentence_and_no_code_is_ever_shown(served, browser):
    """strings.js words every refusal (with its numbers, and the plurals), every move and lever; a code the
    page does not know reaches the participant as 'something went wrong', never as the code itself."""
    _folder, serve = served
    server = serve()
    page = _phone(browser)
    page.goto(server.local_url)
    page.get_by_role("button", name="Join").wait_for(timeout=WAIT_MS)
    numbers = {name for _kind, _field, pattern, _code in SESSION_REFUSALS for name in pattern.groupindex}
    worded = page.evaluate("""([codes, numbers]) => codes.map((code) => {
        const sentence = window.STRINGS.refusals[code];
        const params = Object.fromEntries(numbers.map((name) => [name, 3]));
        return [code, typeof sentence === "function" ? sentence({ code, ...params, minutes: 1 }) : sentence];
    })""", [sorted(REFUSALS), sorted(numbers)])
    for code, sentence in worded:
        assert isinstance(sentence, str) and len(sentence) > 10, code
        assert not re.search(r"undefined|NaN|\[object|\$\{", sentence), (code, sentence)
    assert dict(worded)["lockedOut"].count("1 minute.") == 1
    labels = page.evaluate("[window.STRINGS.moves, window.STRINGS.levers]")
    assert (set(labels[0]), set(labels[1])) == (set(MOVES), set(LEVERS))
    page.route("**/api/join", lambda route: route.fulfill(status=418, content_type="application/json",
                                                          body='{"ok": false, "refusal": {"code": "noSuchCode"}}'))
    page.get_by_label("Session code").fill("HB7KQ")
    page.get_by_label("Your department").select_option("Sales")
    page.get_by_role("button", name="Join").click()
    expect(page.locator("form p.status")).to_have_text(re.compile("^Something went wrong on the facilitator"))
    assert "noSuchCode" not in page.inner_text("body")


def test_an_address_typed_wrong_shows_the_way_to_the_join_page_not_a_code(served, browser):
    _folder, serve = served
    server = serve()
    page = _phone(browser, NARROW_PHONE)
    answer = page.goto(server.local_url + "join/HB7KQ")
    assert answer.status == 404
    expect(page.get_by_text("There is no page at this address.")).to_be_visible()
    assert "notFound" not in page.inner_text("body") and "{" not in page.inner_text("body")
    _assert_fits_a_phone(page)
    page.get_by_role("link", name="Go to the join page").click()
    page.get_by_role("button", name="Join").wait_for(timeout=WAIT_MS)
    assert page.url == server.local_url


def _room_voting(folder: Path, *texts: str) -> list[str]:
    with SessionStore(folder) as facilitator:
        facilitator.open_stage("ideas")
        ids = [facilitator.type_idea(text, "same_day", "lift_experience", "tools") for text in texts]
        facilitator.open_stage("voting")
    return ids


def test_a_tap_made_while_the_wifi_is_down_is_sent_once_when_it_returns(served, browser):
    folder, serve = served
    server = serve()
    page = _phone(browser)
    join(page, server.local_url, CODE, "Sales", "Ana")
    (idea,) = _room_voting(folder, "Text riders")
    page.get_by_role("button", name="Add a dot to: Text riders").wait_for(timeout=WAIT_MS)
    page.context.set_offline(True)
    page.get_by_role("button", name="Add a dot to: Text riders").click()
    row = page.locator("ul.ideas > li").first
    expect(row.locator("p.status")).to_have_text(re.compile("No connection. It will be sent"), timeout=WAIT_MS)
    page.wait_for_timeout(1500)  # a retry or two meets no network meanwhile
    page.context.set_offline(False)
    expect(row.locator("p.status")).to_have_text("Connection back: sent. Saved: 1 dot here.", timeout=WAIT_MS)
    with SessionStore(folder) as store:
        votes = [e for e in store.events() if e.kind == "vote_cast"]
    assert [e.payload["dots"] for e in votes] == [{idea: 1}]


def test_a_reload_with_a_submission_in_flight_stores_it_once(served, browser):
    folder, serve = served
    server = serve()
    page = _phone(browser)
    join(page, server.local_url, CODE, "Sales", "Ana")
    with SessionStore(folder) as facilitator:
        facilitator.open_stage("ideas")
    held = []

    def reach_the_server_but_lose_the_answer(route):
        held.append(route.fetch())  # the server stores it; the answer never reaches the page

    page.route("**/api/propose", reach_the_server_but_lose_the_answer)
    page.get_by_role("button", name="Propose this idea").wait_for(timeout=WAIT_MS)
    page.get_by_label("Your idea").fill("Open on Sundays")
    page.get_by_label("For pillar").select_option(label="Easy booking")
    page.get_by_role("radio", name="Refresh the promise").check()
    page.get_by_label("Lever").select_option(label="Process and operations")
    page.get_by_role("button", name="Propose this idea").click()
    page.wait_for_timeout(500)
    assert held and held[0].status == 200
    page.unroute("**/api/propose")
    page.reload()  # the person gives up waiting and reloads: the page sends it again, with the same key
    expect(page.locator("ul.ideas li")).to_have_text(["Open on SundaysEasy booking"], timeout=WAIT_MS)
    with SessionStore(folder) as store:
        assert [i.text for i in store.state().ideas.values()] == ["Open on Sundays"]
        assert page.evaluate("localStorage.getItem('promise-gap:pending')") == "[]"


def test_two_tabs_of_one_participant_show_one_allocation(served, browser):
    folder, serve = served
    server = serve()
    context = browser.new_context(viewport=PHONE)
    first = context.new_page()
    join(first, server.local_url, CODE, "Sales", "Ana")
    second = context.new_page()
    second.goto(server.local_url)
    expect(second.locator("p.who")).to_have_text("You are Ana, Sales.", timeout=WAIT_MS)  # the same person
    idea, other = _room_voting(folder, "Text riders", "Open on Sundays")
    vote(first, {"Text riders": 2})
    # the other tab follows, and says why its dots changed
    expect(second.locator("ul.ideas output")).to_have_text(["2 dots", "0 dots"], timeout=WAIT_MS)
    expect(second.locator(".dots-left")).to_contain_text("1 left")
    expect(second.get_by_text("changed in another tab")).to_be_visible()
    vote(second, {"Open on Sundays": 1})
    expect(first.locator("ul.ideas output")).to_have_text(["2 dots", "1 dot"], timeout=WAIT_MS)
    with SessionStore(folder) as store:
        (me,) = store.state().participants
        assert store.state().votes[me] == {idea: 2, other: 1}
        assert len(store.state().participants) == 1


def test_a_merge_during_voting_moves_the_dots_on_the_page_and_says_so(served, browser):
    folder, serve = served
    server = serve()
    page = _phone(browser)
    join(page, server.local_url, CODE, "Sales", "Ana")
    duplicate, kept = _room_voting(folder, "Text riders when ready", "SMS when the bike is ready")
    vote(page, {"Text riders when ready": 2})
    with SessionStore(folder) as facilitator:
        facilitator.merge_ideas(duplicate, kept)
    expect(page.locator("ul.ideas > li")).to_have_count(1, timeout=WAIT_MS)
    expect(page.locator("ul.ideas output")).to_have_text(["2 dots"])
    expect(page.locator(".notice")).to_contain_text("merged an idea you gave dots to")
    expect(page.locator(".dots-left")).to_contain_text("1 left")
    vote(page, {"SMS when the bike is ready": 3})
    with SessionStore(folder) as store:
        assert store.state().vote_totals() == {kept: 3}


def test_the_page_works_from_the_keyboard_and_clears_its_messages_when_the_stage_changes(served, browser):
    folder, serve = served
    server = serve()
    page = _phone(browser, NARROW_PHONE)
    page.goto(server.local_url)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("Type the code shown on the screen.", exact=True)).to_be_visible()  # next to Join
    page.get_by_label("Session code").fill("WRONG")
    page.get_by_label("Your department").select_option("Sales")
    page.get_by_role("button", name="Join").click()
    expect(page.locator("form p.status")).to_have_text("That code does not match this session's code. Type the "
                                                       "code shown on the facilitator's screen.")
    assert "Traceback" not in page.content() and str(folder) not in page.content()
    join(page, server.local_url, CODE, "Sales", "")
    with SessionStore(folder) as facilitator:
        facilitator.open_stage("rating")
        slider = page.get_by_role("slider").first
        slider.focus()
        slider.press("ArrowRight")  # from the keyboard, the first press sets it
        expect(page.locator(".question output").first).to_have_text("5.5")
        page.keyboard.press("Tab")
        page.get_by_role("button", name="Save my ratings").click()
        expect(page.get_by_text("Answer both questions for Same-day repair")).to_be_visible()
        facilitator.open_stage("ideas")
        page.get_by_role("button", name="Propose this idea").wait_for(timeout=WAIT_MS)
        expect(page.get_by_text("Answer both questions")).to_have_count(0)
        _assert_fits_a_phone(page)
        facilitator.close_stage()
        expect(page.get_by_text("The next step opens when the facilitator is ready")).to_be_visible(timeout=WAIT_MS)
