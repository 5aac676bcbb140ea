"""The participant app: ``create_app(workshop_dir)`` is the whole of what the room's network can reach.

- ``GET /`` the page, its style and scripts (``static/``, read at start-up: no path from a request ever
  reaches the file system) inlined, so the join form needs one round trip;
- ``POST /api/join``, ``/api/rate``, ``/api/propose``, ``/api/vote``: JSON in, JSON out;
- ``GET /api/me`` (who this browser is, for a reload) and ``GET /api/events`` (Server-Sent Events: the
  participant's view, sent again whenever it changes: a stage opened, ideas merged, dots placed in another tab).

Security by construction (docs/security.md says what each point guards against):

- the session code is only ever compared, never sent: neither the page, nor any answer, nor the events hold it;
- joining is limited per client address, and an address that types too many wrong codes is locked out;
- a join sets the participant's token (their secret id) in an HttpOnly, SameSite=Strict cookie: every
  submission is made as the participant that cookie names, never one named in the request; a browser that
  has joined and joins again stays the same participant;
- every POST needs the CSRF token of the page (a cookie the page's script copies into a header), a JSON body,
  and no more than ``MAX_BODY_BYTES``;
- every value is validated by ``workshop.session``; a refusal reaches the page as a code (``REFUSALS``) the
  page words from its strings.js, anything else as "failed": no sentence, traceback, path or server detail of
  the server's is ever sent.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import json
import os
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from workshop.actions import LEVERS, MOVES
from workshop.errors import WorkshopError
from workshop.promise import Promise
from workshop.session import (
    NAME_MAX_CHARS,
    TEXT_MAX_CHARS,
    Participant,
    SessionState,
    SessionStore,
    StaleAllocation,
    WrongSessionCode,
    allocation_of,
)
from workshop.web.refusals import Refusal, session_refusal

STATIC = Path(__file__).resolve().parent / "static"
PAGE_STYLE = "app.css"
PAGE_SCRIPTS = ("strings.js", "app.js")
"""Inlined in the page, in this order: the join form is usable after one round trip, not after the page and
then its three files (benchmarks/live_latency.py measured two; at a phone's 40 ms Wi-Fi round trip the second
was half the wait)."""
TOKEN_COOKIE = "pg_participant"
CSRF_COOKIE = "pg_csrf"
CSRF_HEADER = "x-csrf-token"
MAX_BODY_BYTES = 8 * 1024
"""A whole rating of 20 pillars with a 280-character sentence is under 2 KB."""
JOIN_TRIES_PER_MINUTE = 10
WRONG_CODES_BEFORE_LOCKOUT = 10
LOCKOUT_SECONDS = 600
WATCH_SECONDS = 0.2
"""How often the server looks for events written by the facilitator's panels (another process)."""
HEARTBEAT_SECONDS = 15
CLIENT_KEY = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
NOTHING_ALLOWED = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@dataclass
class JoinGuard:
    """Join attempts per client address: at most ``JOIN_TRIES_PER_MINUTE``, and after
    ``WRONG_CODES_BEFORE_LOCKOUT`` wrong codes the address may not try again for ``LOCKOUT_SECONDS``.
    Guessing the 33 million codes from one address takes years this way. Kept in memory: a restart of the
    server forgets it, which a facilitator may do on purpose for a person who mistyped ten times."""

    tries: dict[str, deque] = field(default_factory=dict)
    wrong: dict[str, int] = field(default_factory=dict)
    locked_until: dict[str, float] = field(default_factory=dict)

    def admit(self, address: str) -> None:
        now = time.monotonic()
        if self.locked_until.get(address, 0) > now:
            minutes = max(1, round((self.locked_until[address] - now) / 60))
            raise Refusal(429, "lockedOut", minutes=minutes)
        recent = self.tries.setdefault(address, deque())
        while recent and recent[0] < now - 60:
            recent.popleft()
        if len(recent) >= JOIN_TRIES_PER_MINUTE:
            raise Refusal(429, "tooManyTries")
        recent.append(now)

    def wrong_code(self, address: str) -> None:
        self.wrong[address] = self.wrong.get(address, 0) + 1
        if self.wrong[address] >= WRONG_CODES_BEFORE_LOCKOUT:
            self.locked_until[address] = time.monotonic() + LOCKOUT_SECONDS
            self.wrong[address] = 0

    def joined(self, address: str) -> None:
        self.wrong.pop(address, None)


class Room:
    """The session as this server process sees it: the latest state, and what each page must be sent again.

    Most events concern one participant (a join, their rating, their vote): only that participant's pages are
    sent a new view. An event of the facilitator's (a stage, the budget, a merge, an idea typed in) or a
    changed promise concerns every page. So a room of 200 rating at once does not make every stream rebuild
    its view 200 times over.
    """

    def __init__(self, workshop_dir: str | os.PathLike):
        self.store = SessionStore(workshop_dir)
        self.state = SessionState()
        self.guard = JoinGuard()
        self.shared = 0
        """Counts the changes every page shows."""
        self.touched: dict[str, int] = {}
        """A participant id -> the id of their latest event."""
        self._promise: Promise | None = None
        self._reading = threading.Lock()
        self._changed = asyncio.Event()
        self._read()

    def _read(self) -> bool:
        """Apply the events written since (by this server or another process); True if any. Blocking: run it
        in a worker thread. The state is replaced before the marks move, so a stream that sees a new mark
        reads the new state."""
        with self._reading:
            events = self.store.since(self.state.last_event_id)
            with contextlib.suppress(WorkshopError):  # a promise.yml broken mid-edit: the views will say so
                promise = self.store.promise()
                if promise is not self._promise:
                    self._promise = promise
                    self.shared += 1
            if not events:
                return False
            self.state = self.state.advance(events)
            for event in events:
                if event.participant_id is None:
                    self.shared += 1
                else:
                    self.touched[event.participant_id] = event.id
            return True

    async def refresh(self) -> None:
        """Take the latest events; wake every event stream if there were any."""
        if await run_in_threadpool(self._read):
            self._changed.set()
            self._changed = asyncio.Event()

    def marks(self, participant_id: str) -> tuple[int, int]:
        """What a participant's view depends on, cheaply: it changes whenever their view may have."""
        return self.shared, self.touched.get(participant_id, 0)

    async def changed(self, timeout: float) -> bool:
        """Wait for the next change (True) or the timeout (False)."""
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
            return True
        except TimeoutError:
            return False

    async def watch(self) -> None:
        """Follow events written by other processes (the facilitator's panel opening a stage)."""
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            with contextlib.suppress(Exception):  # a busy file now is read again in a moment
                await self.refresh()

    def view(self, participant: Participant) -> dict[str, Any]:
        """Everything one participant's page shows, and nothing else (no code, no one else's inputs)."""
        state = self.state
        view: dict[str, Any] = {
            "joined": True,
            "stage": state.stage,
            # the page words "Participant N" itself (strings.js): the number, not the English label
            "me": {
                "name": participant.display_name,
                "number": participant.number,
                "department": participant.department,
            },
        }
        if state.stage in ("rating", "ideas", "voting"):
            promise = self.store.promise()
            pillar_names = {p.id: p.name for p in promise.pillars}
        if state.stage == "rating":
            view["pillars"] = [{"id": p.id, "name": p.name, "description": p.description} for p in promise.pillars]
            view["ratings"] = {
                pillar: [r.deliver_today, r.customers_would_rate]
                for pillar, r in state.ratings_of(participant.id).items()
            }
            view["sentence"] = state.sentences.get(participant.id, "")
        elif state.stage == "ideas":
            view["pillars"] = [{"id": p.id, "name": p.name} for p in promise.pillars]
            view["moves"] = [[key, label] for key, label in MOVES.items()]
            view["levers"] = [[key, label] for key, label in LEVERS.items()]
            view["mine"] = [
                {"text": idea.text, "pillar": pillar_names.get(idea.pillar, idea.pillar)}
                for idea in state.ideas.values()
                if idea.participant_id == participant.id
            ]
        elif state.stage == "voting":
            stored = state.votes.get(participant.id, {})
            allocation = allocation_of(state, participant.id)
            view["ideas"] = [
                {"id": idea.id, "text": idea.text, "pillar": pillar_names.get(idea.pillar, idea.pillar)}
                for idea in state.live_ideas()
            ]
            view["allocation"] = allocation
            view["budget"] = state.dot_budget
            view["merged"] = any(state.ideas[idea_id].merged_into is not None for idea_id in stored)
        elif participant.id in state.votes:
            view["done"] = True
        return view


def _room(request: Request) -> Room:
    return request.app.state.room


async def _me(request: Request) -> Participant | None:
    room, token = _room(request), request.cookies.get(TOKEN_COOKIE, "")
    if token and token not in room.state.participants:
        await room.refresh()  # joined a moment ago through another worker on the same store (docs/scaling.md)
    return room.state.participants.get(token)


async def _joined(request: Request) -> Participant:
    me = await _me(request)
    if me is None:
        raise Refusal(401, "notJoined")
    return me


async def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object, after the CSRF and size checks every state-changing request passes."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, request.headers.get(CSRF_HEADER, "")):
        raise Refusal(403, "outOfDate")
    origin = request.headers.get("origin")
    if origin and origin.split("://", 1)[-1] != request.headers.get("host"):
        raise Refusal(403, "otherOrigin")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise Refusal(415, "unreadable")
    if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
        raise Refusal(413, "tooBig")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise Refusal(413, "tooBig")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refusal(400, "unreadable") from None
    if not isinstance(data, dict):
        raise Refusal(400, "unreadable")
    return data


def _key(participant_id: str, what: str, data: dict[str, Any]) -> str:
    """The store's idempotency key for a submission: the page's own key (the same when it retries), inside a
    namespace of the participant, so no page can reuse or block another participant's keys."""
    key = data.get("key")
    if not isinstance(key, str) or not CLIENT_KEY.match(key):
        raise Refusal(400, "unreadable")
    owner = hashlib.sha256(participant_id.encode()).hexdigest()[:16]
    return f"web-{what}-{owner}-{key}"


def _answer(request: Request, me: Participant, status: int = 200, **extra: Any) -> JSONResponse:
    return JSONResponse({"ok": status == 200, **extra, "view": _room(request).view(me)}, status)


async def page(request: Request) -> Response:
    """The page, with what it shows first inlined (the room's company, departments and limits; the view of a
    participant this browser already is), so the join form, or the rejoined stage, needs no second request."""
    room, me = _room(request), await _me(request)
    return _page(request, room.view(me) if me else {"joined": False})


def _page(request: Request, view: dict[str, Any], status: int = 200) -> Response:
    promise = _room(request).store.promise()
    inlined = {
        "room": {
            "company": promise.company or "",
            "departments": list(promise.departments),
            "nameMax": NAME_MAX_CHARS,
            "textMax": TEXT_MAX_CHARS,
        },
        "view": view,
    }
    body = request.app.state.page.replace("{{room}}", _inline_json(inlined))
    response = Response(
        body,
        status_code=status,
        media_type="text/html; charset=utf-8",
        headers={"cache-control": "no-store", "content-security-policy": request.app.state.page_policy},
    )
    if not request.cookies.get(CSRF_COOKIE):
        response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(18), samesite="strict", path="/")
    return response


async def me(request: Request) -> JSONResponse:
    found = await _me(request)
    if found is None:
        return JSONResponse({"ok": True, "view": {"joined": False}})
    return _answer(request, found)


async def join(request: Request) -> JSONResponse:
    room, data = _room(request), await _body(request)
    already = await _me(request)
    if already is not None:  # the same browser joining again (a second tab, a double tap) is the same person
        return _answer(request, already)
    address = request.client.host if request.client else "unknown"
    room.guard.admit(address)
    code, department, name = (data.get(field, "") for field in ("code", "department", "name"))
    joining = functools.partial(room.store.join, code, department, name, key=_key("anyone", "join", data))
    try:
        participant = await run_in_threadpool(joining)
    except WrongSessionCode:
        room.guard.wrong_code(address)
        raise
    room.guard.joined(address)
    await room.refresh()
    response = _answer(request, participant)
    response.set_cookie(TOKEN_COOKIE, participant.id, httponly=True, samesite="strict", path="/", max_age=7 * 24 * 3600)
    return response


async def rate(request: Request) -> JSONResponse:
    room, data = _room(request), await _body(request)
    me = await _joined(request)
    ratings, sentence = data.get("ratings", {}), data.get("sentence", "")
    if (
        not isinstance(ratings, dict)
        or len(ratings) > 100
        or not all(isinstance(pair, list) and len(pair) == 2 for pair in ratings.values())
    ):
        raise Refusal(400, "unreadable")
    key = _key(me.id, "rate", data)

    def save() -> None:
        for number, (pillar, (today, customers)) in enumerate(ratings.items()):
            room.store.rate(me.id, pillar, today, customers, key=f"{key}-{number}")
        if isinstance(sentence, str) and sentence.strip():
            room.store.give_promise_sentence(me.id, sentence, key=f"{key}-s")

    await run_in_threadpool(save)
    await room.refresh()
    return _answer(request, me)


async def propose(request: Request) -> JSONResponse:
    room, data = _room(request), await _body(request)
    me = await _joined(request)
    text, pillar, move, lever = (data.get(field, "") for field in ("text", "pillar", "move", "lever"))
    key = _key(me.id, "idea", data)
    await run_in_threadpool(functools.partial(room.store.propose_idea, me.id, text, pillar, move, lever, key=key))
    await room.refresh()
    return _answer(request, me)


async def vote(request: Request) -> JSONResponse:
    """One tap: a dot on (change 1) or off (change -1) an idea, made from the dots the page showed (``seen``):
    if they are not the dots stored now, nothing is written and the page gets the stored ones."""
    room, data = _room(request), await _body(request)
    me = await _joined(request)
    idea, change, seen = data.get("idea"), data.get("change"), data.get("seen")
    if (
        change not in (1, -1)
        or isinstance(change, bool)
        or not isinstance(seen, dict)
        or len(seen) > 500
        or not all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in seen.items())
    ):
        raise Refusal(400, "unreadable")
    allocation = dict(seen)
    allocation[idea] = max(0, allocation.get(idea, 0) + change)
    await run_in_threadpool(room.store.vote, me.id, allocation, key=_key(me.id, "vote", data), expected=seen)
    await room.refresh()
    return _answer(request, me)


async def events(request: Request) -> Response:
    """The participant's view as Server-Sent Events: at once, then on every change, with a heartbeat so
    proxies and phones keep the connection open."""
    room, me = _room(request), await _joined(request)

    async def stream() -> AsyncIterator[str]:
        sent, built_for = None, None
        while not request.app.state.stopping:
            marks = room.marks(me.id)
            if marks != built_for:
                built_for = marks
                view = json.dumps(room.view(room.state.participants.get(me.id, me)), ensure_ascii=False)
                if view != sent:
                    sent = view
                    yield f"data: {view}\n\n"
            if not await room.changed(HEARTBEAT_SECONDS):
                yield ": still here\n\n"

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"cache-control": "no-store", "x-accel-buffering": "no"}
    )


async def refused(request: Request, error: Exception) -> Response:
    """Every refusal and failure as the page reads it: a code of ``REFUSALS`` and its parameters, never a
    sentence, path or traceback of the server's. A refused vote also carries the dots as stored now. A browser
    opening an address that is not the page (a join link typed wrong) gets the page saying so, with a link to
    the join form, rather than the code in JSON."""
    navigating = request.method == "GET" and "text/html" in request.headers.get("accept", "")
    if isinstance(error, HTTPException) and error.status_code == 404 and navigating:
        with contextlib.suppress(WorkshopError):  # a promise.yml broken mid-edit: the plain answer below
            return _page(request, {"joined": False, "notFound": True}, 404)
    if isinstance(error, WorkshopError):
        refusal = session_refusal(error)
        if refusal is None:
            request.app.state.log_failure(error)
            refusal = Refusal(503, "failed")
    elif isinstance(error, HTTPException):
        refusal = Refusal(error.status_code, "notFound" if error.status_code == 404 else "unreadable")
    elif isinstance(error, Refusal):
        refusal = error
    else:
        request.app.state.log_failure(error)
        refusal = Refusal(500, "failed")
    me = await _me(request) if isinstance(error, StaleAllocation) else None
    if me is not None:
        return _answer(request, me, refusal.status, refusal=refusal.body())
    return JSONResponse({"ok": False, "refusal": refusal.body()}, refusal.status)


class SecurityHeaders:
    """Pure ASGI middleware (it must not buffer the event stream): the same headers on every answer, and a
    Content-Security-Policy that allows nothing on every answer but the page (which sets its own)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"content-security-policy" for name, _ in headers):
                    headers.append((b"content-security-policy", NOTHING_ALLOWED.encode()))
                message["headers"] = [*headers, *((k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items())]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def _inline_json(data: Any) -> str:
    """JSON to inline in a script element: ``<``, ``>`` and ``&`` escaped, so no participant's or promise's
    text can close the element or open another."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def create_app(workshop_dir: str | os.PathLike, log_failure=lambda error: None) -> Starlette:
    """The participant app for one workshop folder. ``log_failure`` receives unexpected errors (the server
    writes them to its log; the page only says something went wrong)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        room = app.state.room = Room(workshop_dir)
        watcher = asyncio.create_task(room.watch())
        try:
            yield
        finally:
            app.state.stopping = True
            watcher.cancel()
            room.store.close()

    routes = [
        Route("/", page),
        Route("/api/me", me),
        Route("/api/events", events),
        Route("/api/join", join, methods=["POST"]),
        Route("/api/rate", rate, methods=["POST"]),
        Route("/api/propose", propose, methods=["POST"]),
        Route("/api/vote", vote, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(SecurityHeaders), Middleware(GZipMiddleware, minimum_size=500)],
        exception_handlers={Refusal: refused, WorkshopError: refused, HTTPException: refused, Exception: refused},
    )
    app.state.stopping = False
    app.state.log_failure = log_failure
    app.state.page, app.state.page_policy = _page_template()
    return app


def _page_template() -> tuple[str, str]:
    """index.html with the style and scripts inlined, and the Content-Security-Policy that allows exactly
    those (by their SHA-256) and nothing else: no other script or style runs, nothing is fetched from elsewhere."""
    style = (STATIC / PAGE_STYLE).read_text(encoding="utf-8")
    scripts = "\n".join((STATIC / name).read_text(encoding="utf-8") for name in PAGE_SCRIPTS)
    if "</" in style or "</" in scripts:  # the element would end there, and the rest be read as HTML
        raise RuntimeError(f"{STATIC}: '</' in the page's style or scripts; write '<\\/' instead")
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    page = page.replace("{{style}}", style).replace("{{scripts}}", scripts)

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    policy = (
        f"default-src 'none'; script-src {digest(scripts)}; style-src {digest(style)}; connect-src 'self'; "
        "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return page, policy
