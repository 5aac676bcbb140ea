"""The participant server (workshop.web) over real HTTP, as phones and a hostile visitor on the Wi-Fi reach
it: `workshop serve`'s own process on loopback, each client its own source address (127.0.0.N)."""
from __future__ import annotations

import ast
import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from workshop.errors import Problem
from workshop.live import start_server
from workshop.session import SessionStore, derive_state, rules
from workshop.web.refusals import REFUSALS, session_refusal

from conftest import DATA, free_port

CODE = "HB7KQ"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def room(tmp_path: Path):
    folder = Path(shutil.copytree(DATA / "live_workshop", tmp_path / "harbour"))
    server = start_server(folder, host="loopback", port=free_port(), code=CODE)
    with SessionStore(folder) as facilitator:
        try:
            yield server, facilitator
        finally:
            server.stop()


class Phone:
    """One browser: its own address, its cookies (the participant token and the CSRF token)."""

    def __init__(self, server, number: int = 2, record: list[bytes] | None = None):
        self.record = record
        hooks = {"response": [self._keep]} if record is not None else {}
        self.client = httpx.Client(base_url=server.local_url, timeout=30, event_hooks=hooks,
                                   transport=httpx.HTTPTransport(local_address=f"127.0.0.{number}"))
        self.client.get("/").raise_for_status()

    def _keep(self, response: httpx.Response) -> None:
        response.read()
        self.record.append(b"\n".join(f"{k}: {v}".encode() for k, v in response.headers.items()) + response.content)

    def post(self, path: str, body: dict, **headers: str) -> httpx.Response:
        headers = {"x-csrf-token": self.client.cookies.get("pg_csrf", ""), **headers}
        return self.client.post(path, json=body, headers=headers)

    def join(self, department: str = "Sales", name: str = "", code: str = CODE, key: str = "join-key-1") -> httpx.Response:
        return self.post("/api/join", {"code": code, "department": department, "name": name, "key": key})

    def vote(self, key: str, idea: str, change: int, seen: dict[str, int]) -> httpx.Response:
        """One tap of + (change 1) or − (-1) on an idea, from the dots the page shows (``seen``)."""
        return self.post("/api/vote", {"key": key, "idea": idea, "change": change, "seen": seen})

    def pushed_view(self, until=lambda view: True) -> dict:
        """The first view the page's event stream pushes that satisfies ``until`` (the server sees another
        process's writes within a fraction of a second, and pushes the view again then)."""
        seen = []
        with self.client.stream("GET", "/api/events", timeout=10) as stream:
            for line in stream.iter_lines():
                if self.record is not None:
                    self.record.append(line.encode())
                if line.startswith("data: "):
                    seen.append(json.loads(line[6:]))
                    if until(seen[-1]):
                        return seen[-1]
        raise AssertionError(f"the stream ended without the view expected; it pushed {seen}")


def _ideas(facilitator: SessionStore, *texts: str) -> list[str]:
    facilitator.open_stage("ideas")
    return [facilitator.type_idea(text, "same_day", "lift_experience", "tools") for text in texts]


def _voter(room, number: int, *texts: str) -> tuple[Phone, list[str]]:
    """A joined phone, and the ideas typed in by the facilitator, with voting open."""
    server, facilitator = room
    phone = Phone(server, number)
    phone.join()
    ideas = _ideas(facilitator, *texts)
    facilitator.open_stage("voting")
    return phone, ideas


def test_the_session_code_is_in_no_byte_sent_to_anyone_who_has_not_joined(room):
    server, facilitator = room
    sent: list[bytes] = []
    visitor = Phone(server, 3, record=sent)
    for path in ["/", "/static/app.js", "/static/strings.js", "/static/app.css", "/api/me", "/api/events",
                 "/api/join", "/nothing", "/static/../workshop/session.py"]:
        visitor.client.get(path)
    assert visitor.join(code="WRONG").status_code == 403
    assert visitor.post("/api/rate", {"key": "rate-key-1", "ratings": {}}).status_code == 401
    # the room in full swing: someone joined, stages open, ideas on the list
    member = Phone(server, 4)
    assert member.join(name="Ana").status_code == 200
    _ideas(facilitator, "Text riders when the bike is ready")
    facilitator.open_stage("voting")
    visitor.client.get("/")
    visitor.client.get("/api/me")
    everything = b"\n".join(sent)
    assert b"Harbour Bikes" in everything and b"Session code" in everything  # the page itself was recorded
    assert CODE.encode() not in everything.upper()
    # and a participant's own stream holds no code either
    streamed: list[bytes] = []
    member.record = streamed
    member.pushed_view(lambda view: view["stage"] == "voting")
    assert streamed and CODE.encode() not in b"\n".join(streamed).upper()


def test_two_hundred_wrong_codes_from_one_address_are_locked_out(room):
    server, facilitator = room
    guesser = Phone(server, 5)
    answers = [guesser.join(code=f"GUES{n % 10}", key=f"guess-key-{n:04d}").status_code for n in range(200)]
    assert answers[:10] == [403] * 10 and set(answers[10:]) == {429}
    locked = guesser.join(code=CODE, key="guess-key-right")
    assert locked.status_code == 429 and locked.json()["refusal"] == {"code": "lockedOut", "minutes": 10}
    assert facilitator.state().participants == {}
    assert Phone(server, 6).join().status_code == 200  # someone else in the room is not locked out


def test_submissions_are_made_as_the_cookies_participant_and_nobody_else(room):
    server, facilitator = room
    ana, ben = Phone(server, 7), Phone(server, 8)
    ana.join(name="Ana")
    ben.join(department="Service", name="Ben", key="join-key-2")
    ana_id, ben_id = (p.id for p in facilitator.state().participants.values())
    facilitator.open_stage("rating")
    # Ben names Ana in the body: ignored, the cookie decides
    assert ben.post("/api/rate", {"key": "rate-key-ben", "participant": ana_id,
                                  "ratings": {"same_day": [2, 3]}}).status_code == 200
    state = facilitator.state()
    assert state.ratings_of(ben_id)["same_day"].deliver_today == 2 and state.ratings_of(ana_id) == {}
    # a forged or another's token in the cookie, without the page's CSRF token: refused
    stranger = Phone(server, 9)
    stranger.client.cookies.set("pg_participant", "forged-token-aaaaaaaaaaaaaaaaaa")
    assert stranger.post("/api/rate", {"key": "rate-key-str", "ratings": {"same_day": [9, 9]}}).status_code == 401
    thief = Phone(server, 10)
    thief.client.cookies.set("pg_participant", ana_id)
    assert thief.post("/api/rate", {"key": "rate-key-thf", "ratings": {"same_day": [9, 9]}},
                      **{"x-csrf-token": "not-the-cookie"}).status_code == 403
    assert facilitator.state().ratings_of(ana_id) == {}


@pytest.mark.parametrize("request_kind, status, code", [
    ("no csrf", 403, "outOfDate"), ("other origin", 403, "otherOrigin"), ("form", 415, "unreadable"),
    ("too big", 413, "tooBig"), ("not json", 400, "unreadable"), ("bad key", 400, "unreadable")])
def test_malformed_or_cross_site_requests_are_refused_and_store_nothing(room, request_kind, status, code):
    server, facilitator = room
    phone = Phone(server, 11)
    phone.join()
    facilitator.open_stage("ideas")
    before = facilitator.events()
    idea = {"key": "idea-key-01", "text": "Call back", "pillar": "same_day", "move": "lift_experience", "lever": "tools"}
    csrf = phone.client.cookies["pg_csrf"]
    if request_kind == "no csrf":
        response = phone.client.post("/api/propose", json=idea)
    elif request_kind == "other origin":
        response = phone.post("/api/propose", idea, origin="http://evil.example")
    elif request_kind == "form":
        response = phone.client.post("/api/propose", data=idea, headers={"x-csrf-token": csrf})
    elif request_kind == "too big":
        response = phone.post("/api/propose", {**idea, "padding": "x" * 20_000})
    elif request_kind == "not json":
        response = phone.client.post("/api/propose", content=b"{nope", headers={
            "x-csrf-token": csrf, "content-type": "application/json"})
    else:
        response = phone.post("/api/propose", {**idea, "key": "../../etc"})
    assert response.status_code == status and response.json() == {"ok": False, "refusal": {"code": code}}
    assert facilitator.events() == before


def test_one_browser_joining_twice_or_in_two_tabs_is_one_participant(room):
    server, facilitator = room
    phone = Phone(server, 12)
    first = phone.join(name="Ana").json()
    again = phone.join(name="Ana", key="join-key-9").json()  # a second tab, or Join tapped twice
    assert first["view"]["me"] == again["view"]["me"] == {"name": "Ana", "number": 1, "department": "Sales"}
    assert len(facilitator.state().participants) == 1


@pytest.mark.parametrize("name", ["Facilitator", " facilitator ", "Participant 1", "Fac\u200bilitator"])
def test_reserved_names_are_refused(room, name):
    server, facilitator = room
    response = Phone(server, 13).join(name=name)
    assert response.status_code == 422 and response.json()["refusal"] == {"code": "reservedName"}
    assert facilitator.state().participants == {}


def test_bidi_overrides_and_zero_width_characters_are_neutralised_in_names_and_ideas(room):
    server, facilitator = room
    phone = Phone(server, 14)
    phone.join(name="Ana\u202e\u2066evil\u200b")
    facilitator.open_stage("ideas")
    assert phone.post("/api/propose", {"key": "idea-key-02", "text": "Call\u202e back\ufeff", "pillar": "same_day",
                                       "move": "lift_experience", "lever": "tools"}).status_code == 200
    state = facilitator.state()
    assert [p.display_name for p in state.participants.values()] == ["Anaevil"]
    assert [i.text for i in state.ideas.values()] == ["Call back"]


def test_two_tabs_of_one_participant_share_one_allocation_and_a_stale_tab_is_told(room):
    tab, (idea, other) = _voter(room, 15, "Text riders", "Open on Sundays")
    assert tab.vote("vote-key-01", idea, 1, {}).status_code == 200
    # the second tab still shows no dots and taps on the other idea
    stale = tab.vote("vote-key-02", other, 1, {})
    assert stale.status_code == 409 and stale.json()["refusal"] == {"code": "staleDots"}
    assert stale.json()["view"]["allocation"] == {idea: 1}
    fresh = tab.vote("vote-key-03", other, 1, {idea: 1})
    assert fresh.json()["view"]["allocation"] == {idea: 1, other: 1}
    # the same tap retried (the Wi-Fi dropped before the answer) is stored once
    again = tab.vote("vote-key-03", other, 1, {idea: 1})
    assert again.status_code == 200 and again.json()["view"]["allocation"] == {idea: 1, other: 1}
    facilitator = room[1]
    (me,) = facilitator.state().participants
    assert facilitator.state().votes[me] == {idea: 1, other: 1}


def test_a_merge_during_voting_moves_the_dots_and_tells_the_voter(room):
    phone, (duplicate, kept) = _voter(room, 16, "Text riders when ready", "SMS when the bike is ready")
    phone.vote("vote-key-11", duplicate, 1, {})
    phone.vote("vote-key-12", duplicate, 1, {duplicate: 1})
    facilitator = room[1]
    facilitator.merge_ideas(duplicate, kept)
    view = phone.pushed_view(lambda view: len(view["ideas"]) == 1)
    assert [i["id"] for i in view["ideas"]] == [kept] and view["allocation"] == {kept: 2} and view["merged"]
    # the page taps from what it shows: accepted, and the notice goes once the vote is made afresh
    answer = phone.vote("vote-key-13", kept, 1, {kept: 2}).json()
    assert answer["view"]["allocation"] == {kept: 3} and not answer["view"]["merged"]
    assert facilitator.state().vote_totals() == {kept: 3}


def test_a_lowered_dot_budget_lets_the_voter_take_dots_off_but_not_add(room):
    facilitator = room[1]
    facilitator.set_dot_budget(5)
    phone, (idea,) = _voter(room, 17, "Text riders")
    seen: dict[str, int] = {}
    for n in range(5):
        seen = phone.vote(f"vote-key-2{n}", idea, 1, seen).json()["view"]["allocation"]
    facilitator.close_stage()
    facilitator.set_dot_budget(3)
    facilitator.open_stage("voting")
    view = phone.pushed_view(lambda view: view.get("budget") == 3)
    assert view["allocation"] == {idea: 5} and view["budget"] == 3
    refused = phone.vote("vote-key-30", idea, 1, {idea: 5})
    assert refused.status_code == 422 and refused.json()["refusal"] == {"code": "overBudget", "spent": 6, "budget": 3}
    taken = phone.vote("vote-key-31", idea, -1, {idea: 5})
    assert taken.status_code == 200 and taken.json()["view"]["allocation"] == {idea: 4}


def test_a_failure_on_the_laptop_reaches_the_page_as_failed_and_its_reason_the_log(room):
    server, facilitator = room
    phone = Phone(server, 18)
    phone.join()
    facilitator.open_stage("rating")
    (server.log_path.parent / "promise.yml").write_text("pillars: [oops", encoding="utf-8")  # broken mid-session
    response = phone.post("/api/rate", {"key": "rate-key-99", "ratings": {"same_day": [2, 3]}})
    assert response.status_code == 503 and response.json() == {"ok": False, "refusal": {"code": "failed"}}
    assert "promise.yml" in server.log_path.read_text(encoding="utf-8")  # the facilitator can read why


def _rendered(node: ast.expr) -> str | None:
    """A message argument of ``refuse`` as the rule would word it, each ``{...}`` a 7 (a count, a length, a
    budget); None when it is not written out in the call."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "7" for part in node.values)
    return None


FACILITATOR_ONLY_FIELDS = {"action", "gap"}
"""Refusals of rules.py only the facilitator's panels meet (agreeing and updating actions)."""


def test_every_refusal_of_the_session_rules_reaches_the_page_as_a_code_it_words():
    """Each ``refuse(...)`` in workshop/session/rules.py, worded as it is there, maps to one of the codes the
    page has a sentence for (a new rule without a code would reach the page as 'something went wrong')."""
    calls = [node for node in ast.walk(ast.parse(Path(rules.__file__).read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "refuse"]
    checked = []
    for call in calls:
        kind, _where, field, message = call.args[:4]
        field_name = field.value if isinstance(field, ast.Constant) else "deliver_today"  # the score's question
        if field_name in FACILITATOR_ONLY_FIELDS:
            continue
        error = getattr(rules, kind.id)([Problem(None, "", field_name, _rendered(message), "")])
        refusal = session_refusal(error)
        assert refusal is not None and refusal.code in REFUSALS, f"rules.py line {call.lineno}: {_rendered(message)!r}"
        assert all(isinstance(value, int) for value in refusal.params.values())
        checked.append(refusal.code)
    assert len(checked) >= 15 and {"tooLong", "overBudget", "staleDots", "wrongCode"} <= set(checked)
    assert session_refusal(rules.InvalidSubmission([Problem(None, "", "text", "is 300 characters, more than "
                                                                      "the 280 allowed", "")])).params == {
        "length": 300, "most": 280}


PHONES, SUBMISSIONS_EACH = 30, 20


def test_thirty_phones_twenty_submissions_each_each_sent_twice_lose_and_double_nothing(room):
    """Each phone joins, then saves 19 ratings, every request sent twice (a flaky Wi-Fi); the facilitator's
    view refreshes meanwhile. Exactly one event per submission, none lost."""
    server, facilitator = room
    facilitator.open_stage("rating")
    setup = len(facilitator.events())
    polling = threading.Event()

    def phone(number: int) -> list[str]:
        me = Phone(server, 20 + number)
        keys = [f"join-{number:04d}"]
        for _ in range(2):
            assert me.join(department=["Sales", "Service", "Marketing", "Operations"][number % 4], key=keys[0]).status_code == 200
        for index in range(SUBMISSIONS_EACH - 1):
            key = f"rate-{number:03d}-{index:03d}"
            pillar = ["same_day", "honest_advice", "easy_booking"][index % 3]
            for _ in range(2):
                response = me.post("/api/rate", {"key": key, "ratings": {pillar: [index % 11, (index + number) % 11]}})
                assert response.status_code == 200, response.text
            keys.append(key)
        return keys

    def facilitator_refreshing() -> None:
        while not polling.is_set():
            facilitator.state()
            polling.wait(0.3)

    watcher = threading.Thread(target=facilitator_refreshing)
    watcher.start()
    with ThreadPoolExecutor(PHONES) as pool:
        sent = [key for keys in pool.map(phone, range(PHONES)) for key in keys]
    polling.set()
    watcher.join()
    events = facilitator.events()[setup:]
    # a second join from the same browser is the same participant and writes nothing; a repeated rating
    # has the key of the first (the server's key ends with the page's key and the pillar's place)
    stored = [e.key for e in events]
    suffixes = [f"-{key}" if key.startswith("join") else f"-{key}-0" for key in sent]
    assert len(stored) == len(sent) == PHONES * SUBMISSIONS_EACH
    assert all(sum(key.endswith(suffix) for key in stored) == 1 for suffix in suffixes)
    state = facilitator.state()
    assert len(state.participants) == PHONES and state == derive_state(facilitator.events())
