"""Two participant-server processes (`workshop serve`'s server, workshop.web) on one PostgreSQL session, as
behind a load balancer: 50 phones spread over them, each request also sent to the other server with the same
key (a retry the balancer sent elsewhere). Nothing lost or doubled; each server pushes what the other stored."""
from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from workshop.live import start_server
from workshop.session import STORE_ENV, Kind, SessionStore, derive_state

from conftest import DATA, free_port

CODE = "HB7KQ"
PHONES = 50
PILLARS = ["same_day", "honest_advice", "easy_booking"]


@pytest.fixture
def two_servers(tmp_path: Path, postgresql_server, monkeypatch):
    monkeypatch.setenv(STORE_ENV, postgresql_server.new_database())
    folder = Path(shutil.copytree(DATA / "live_workshop", tmp_path / "harbour"))
    servers = [start_server(folder, host="loopback", port=free_port(), code=CODE) for _ in range(2)]
    with SessionStore(folder) as facilitator:
        try:
            yield servers, facilitator
        finally:
            for server in servers:
                server.stop()


class Phone:
    """One browser reaching both servers (one cookie jar: the balancer's address is one host)."""

    def __init__(self, servers, number: int):
        self.urls = [servers[number % 2].local_url.rstrip("/"), servers[1 - number % 2].local_url.rstrip("/")]
        self.client = httpx.Client(timeout=30, transport=httpx.HTTPTransport(local_address=f"127.0.1.{number}"))
        self.client.get(self.urls[0] + "/").raise_for_status()

    def post_to_both(self, path: str, body: dict) -> list[dict]:
        answers = []
        for url in self.urls:
            response = self.client.post(url + path, json=body,
                                        headers={"x-csrf-token": self.client.cookies.get("pg_csrf", "")})
            assert response.status_code == 200, (url, path, response.text)
            answers.append(response.json())
        return answers

    def pushed_view(self, server: int, until) -> dict:
        with self.client.stream("GET", self.urls[server] + "/api/events", timeout=10) as stream:
            for line in stream.iter_lines():
                if line.startswith("data: ") and until(view := json.loads(line[6:])):
                    return view
        raise AssertionError("the stream ended without the view expected")


def test_two_participant_servers_on_one_postgresql_session_lose_and_double_nothing(two_servers):
    servers, facilitator = two_servers
    phones = [Phone(servers, n) for n in range(PHONES)]
    facilitator.open_stage("rating")
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda n: phones[n].post_to_both("/api/join", {"code": CODE, "department": "Sales",
                                                                       "name": "", "key": f"join-{n:04d}"}),
                      range(PHONES)))
        list(pool.map(lambda n: phones[n].post_to_both("/api/rate", {"key": f"rate-{n:04d}", "ratings": {
            pillar: [n % 11, (n + i) % 11] for i, pillar in enumerate(PILLARS)}}), range(PHONES)))
        facilitator.open_stage("ideas")
        list(pool.map(lambda n: phones[n].post_to_both("/api/propose", {
            "key": f"idea-{n:04d}", "text": f"Idea {n}", "pillar": PILLARS[n % 3], "move": "lift_experience",
            "lever": "process"}), range(PHONES)))
        ideas = [idea.id for idea in facilitator.state().live_ideas()]
        facilitator.open_stage("voting")
        # each server pushes the stage the facilitator opened, though neither wrote it
        assert all(phones[0].pushed_view(s, lambda view: view.get("stage") == "voting") for s in (0, 1))
        list(pool.map(lambda n: phones[n].post_to_both("/api/vote", {
            "key": f"vote-{n:04d}", "idea": ideas[(n + 1) % PHONES], "change": 1, "seen": {}}), range(PHONES)))
    events = facilitator.events()
    kinds = [e.kind for e in events]
    assert (kinds.count(Kind.PARTICIPANT_JOINED), kinds.count(Kind.RATING_GIVEN), kinds.count(Kind.IDEA_PROPOSED),
            kinds.count(Kind.VOTE_CAST)) == (PHONES, 3 * PHONES, PHONES, PHONES)
    state = facilitator.state()
    assert state == derive_state(events) and len(state.participants) == PHONES
    assert state.vote_totals() == {idea: 1 for idea in ideas}
