"""Shared fixtures: real files from the repository, copied so that no test writes into the tree."""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SAMPLE = REPO / "datasets" / "sample"
REFRESH_TOUR_ENV = "PROMISE_GAP_REFRESH_TOUR"
SCREENSHOTS = (REPO / "docs" / "img" if os.environ.get(REFRESH_TOUR_ENV)
               else Path(tempfile.gettempdir()) / "promise-gap-screenshots")
"""Where the browser tests put the screenshots docs/tour.md and the README show: docs/img only when asked
(PROMISE_GAP_REFRESH_TOUR=1), because a test run must never change a tracked file; otherwise a scratch folder,
where the tests still make and check them."""
CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium: `make test` installs it, so a browser test fails (never skips) without it."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


def chromium() -> str:
    """The browser's path, or a failure that says how to get it."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium) or `make chromium`")
    return str(CHROMIUM)


def launch_chromium(driver):
    """Headless Chromium from a started ``playwright.sync_api.sync_playwright()``."""
    return driver.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)


def record_errors(page, errors: list[str], who: str = ""):
    """Collect in ``errors`` every console error and uncaught exception of a Playwright ``page`` (each said
    as ``who: message`` when ``who`` is given); returns the page."""
    said = f"{who}: " if who else ""
    page.on("console", lambda message: errors.append(said + message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"{said}{error}"))
    return page


def free_port() -> int:
    """A TCP port nobody listens on now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seat_the_room(folder: Path, room: list[tuple[str, str]], idea: str, ideas: int) -> None:
    """A live session in ``folder`` with the room (department, display name) in it: each person rated every
    pillar (a different pair of scores per person and pillar, spread over the scale), they proposed ``ideas``
    ideas worded "Idea <n>: ``idea``" and each put dots on the first two; the results revealed."""
    from workshop.session import SessionStore

    with SessionStore(folder) as store:
        code = store.start()
        store.open_stage("rating")
        pillars = [p.id for p in store.promise().pillars]
        people = [store.join(code, department, name) for department, name in room]
        for i, who in enumerate(people):
            for j, pillar in enumerate(pillars):
                store.rate(who.id, pillar, (4 + 2 * i + j) % 11, (6 + i + j) % 11)
        store.open_stage("ideas")
        proposed = [store.propose_idea(people[n % len(people)].id, f"Idea {n}: {idea}", pillars[n % len(pillars)],
                                       "lift_experience", "tools") for n in range(ideas)]
        store.open_stage("voting")
        for who in people:
            store.vote(who.id, {proposed[0]: 2, proposed[1]: 1})
        store.reveal_results(True)


@pytest.fixture
def workshop_dir(tmp_path: Path) -> Path:
    """A fresh workshop folder made from the sample company, as `workshop new` makes it."""
    from workshop.folder import new_workshop

    return new_workshop(tmp_path / "acme", SAMPLE)


@pytest.fixture
def client_folder(tmp_path: Path) -> Path:
    """A workshop folder with the feedback fixtures' promise (speed, care, clarity; phone, store, web), no
    mapping yet: where a consultant starts with a client's export."""
    folder = tmp_path / "client"
    folder.mkdir()
    shutil.copy(DATA / "feedback" / "promise.yml", folder / "promise.yml")
    return folder


@pytest.fixture
def live_dir(tmp_path: Path) -> Path:
    """A workshop folder with a three-pillar promise and four departments, and no session yet. Which store its
    session opens is the test's choice ($PROMISE_GAP_STORE, set before the store opens)."""
    return Path(shutil.copytree(DATA / "live_workshop", tmp_path / "harbour"))


@pytest.fixture
def store(live_dir: Path):
    """The session of ``live_dir``, open and started with the code HB7KQ."""
    from workshop.session import SessionStore

    with SessionStore(live_dir) as opened:
        opened.start("HB7KQ")
        yield opened


@pytest.fixture
def data_dir() -> Path:
    return DATA


def copy_to(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / source.name
    shutil.copy(source, target)
    return target


def markdown_table_rows(text: str, header: str) -> list[list[str]]:
    """The body rows of the first Markdown table whose header row starts with ``header``, each a list of its
    cells' text."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def canonical_frame(rows: list[dict], pillars: list[str]) -> "pd.DataFrame":
    """Canonical feedback (``workshop.cube``'s frame) from rows of touchpoint, segment, date, recommend,
    advocate and a score per pillar: what the loader hands the cube, written out by hand for cube tests."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["touchpoint", "segment", "date", "recommend", "advocate", *pillars])
    frame.insert(0, "response_id", [f"r{i}" for i in range(len(frame))])
    frame["date"] = pd.to_datetime(frame["date"])
    for column in ("recommend", *pillars):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["advocate"] = frame["advocate"].astype(bool)
    frame["comment"], frame["source"] = None, "survey"
    return frame


@pytest.fixture(scope="session")
def postgresql_server():
    """One throwaway PostgreSQL server for the whole run (``tests/postgresql_server.py``)."""
    from postgresql_server import PostgreSQLServer

    server = PostgreSQLServer(free_port()).start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def each_store(request, monkeypatch) -> str:
    """Runs a test once on each kind of session store: every ``SessionStore`` the test opens (in subprocesses
    too, through the environment) keeps its events in ``session.sqlite``, then in a fresh PostgreSQL database."""
    from workshop.session import STORE_ENV

    monkeypatch.delenv(STORE_ENV, raising=False)
    if request.param == "postgresql":
        monkeypatch.setenv(STORE_ENV, request.getfixturevalue("postgresql_server").new_database())
    return request.param
