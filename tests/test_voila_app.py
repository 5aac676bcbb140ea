"""The Voila `workshop serve` runs (workshop.voila_app): static files gzipped once and sent as stored, and the
participant page preloading exactly the scripts it runs, against a real server and a real Chromium."""
from __future__ import annotations

import gzip
import os
import re
import shutil
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from workshop.live import start_server
from workshop.voila_app import (LABEXTENSIONS_URL, PRELOAD_LIST, STATIC_URL, PrecompressedStatic, installed_files,
                                 read_preload_list)

from conftest import CHROMIUM_ARGS, DATA, chromium, free_port

RECORD = os.environ.get("PG_RECORD_PRELOAD") == "1"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = Path(shutil.copytree(DATA / "live_workshop", tmp_path_factory.mktemp("voila_app") / "harbour"))
    running = start_server(folder, host="loopback", port=free_port(), pool_size=2, code="HB7KQ")
    yield running
    running.stop()


def _get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_installed_files_keeps_urls_whose_file_exists_first_folder_first(tmp_path: Path):
    first, second, extensions = tmp_path / "first", tmp_path / "second", tmp_path / "extensions"
    for folder, name in ((first, "a.js"), (second, "a.js"), (second, "b.js"), (extensions, "w/static/c.js")):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"// {folder.name}")
    urls = ["voila/static/a.js", "voila/static/b.js", "voila/static/gone.js",
            "voila/labextensions/w/static/c.js?v=12ab", "voila/labextensions/w/static/gone.js?v=34cd",
            "voila/templates/participant/static/index.css"]
    found = list(installed_files(urls, {STATIC_URL: [str(first), str(second)], LABEXTENSIONS_URL: [str(extensions)]}))
    assert found == [("voila/static/a.js", str(first / "a.js")), ("voila/static/b.js", str(second / "b.js")),
                     ("voila/labextensions/w/static/c.js?v=12ab", str(extensions / "w" / "static" / "c.js"))]


def test_a_file_is_compressed_once_until_it_changes(tmp_path: Path):
    script = tmp_path / "chunk.js"
    script.write_text("let answer = 41;\n" * 500, encoding="utf-8")
    first = PrecompressedStatic.gzipped(str(script))
    assert PrecompressedStatic.gzipped(str(script)) is first  # from memory, not compressed again
    assert gzip.decompress(first) == script.read_bytes()
    script.write_text("let answer = 42;\n" * 500, encoding="utf-8")  # same size: the time tells it changed
    later = script.stat().st_mtime_ns + 1_000_000_000
    os.utime(script, ns=(later, later))
    assert gzip.decompress(PrecompressedStatic.gzipped(str(script))) == script.read_bytes()


def test_a_static_file_is_sent_gzipped_and_plain_when_asked(server):
    base = server.local_url
    status, plain_headers, plain = _get(base + "voila/static/voila.js")
    assert status == 200 and "Content-Encoding" not in plain_headers and plain
    status, headers, body = _get(base + "voila/static/voila.js", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
    assert int(headers["Content-Length"]) == len(body) < len(plain) / 2
    assert gzip.decompress(body) == plain
    assert _get(base + "voila/static/voila.js", **{"Accept-Encoding": "gzip"})[2] == body
    # a cached copy is revalidated without a body
    status, _, body = _get(base + "voila/static/voila.js", **{"Accept-Encoding": "gzip",
                                                             "If-None-Match": headers["Etag"]})
    assert status == 304 and body == b""
    # a range request gets the bytes of the file it asked for (Tornado may gzip them on the way), not a slice
    # of the stored gzip
    status, headers, body = _get(base + "voila/static/voila.js", **{"Accept-Encoding": "gzip",
                                                                   "Range": "bytes=0-99"})
    assert status == 206
    assert (gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body) == plain[:100]
    # a widget extension's script (another handler) is gzipped too; a missing file is refused as it was before
    # (Voila's static handler answers 403, jupyter_server's 404)
    extension = next(url for url in read_preload_list() if url.startswith(LABEXTENSIONS_URL))
    status, headers, body = _get(base + extension, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and gzip.decompress(body)
    for missing in ("voila/static/no-such-file.js", extension.replace("static/", "static/no-such-")):
        assert _get(base + missing, **{"Accept-Encoding": "gzip"})[0] == _get(base + missing)[0] in (403, 404)


def test_the_page_preloads_every_listed_script_and_each_is_served(server):
    _, _, page = _get(server.local_url)
    preloaded = re.findall(r'<link rel="preload" as="script" href="/([^"]+)">', page.decode())
    assert preloaded == [url.replace("&", "&amp;") for url in read_preload_list()]
    assert len(preloaded) > 50  # Voila's own chunks and the widget extensions'
    for url in preloaded:
        assert _get(server.local_url + url, **{"Accept-Encoding": "gzip"})[0] == 200, url


def _script_requests(server, strip_preloads: bool) -> list[str]:
    """The scripts a fresh Chromium context asks the server for until the Join form shows, as URLs relative to
    the base URL. ``strip_preloads`` takes the preload links out of the page first: what the page runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        # A page handed over by the test (not by the server) counts as from the public internet for Chromium's
        # local network access checks, which would then block its WebSocket to the loopback server.
        browser = driver.chromium.launch(executable_path=chromium(), args=[
            *CHROMIUM_ARGS, *(["--disable-features=LocalNetworkAccessChecks"] if strip_preloads else [])])
        page = browser.new_context().new_page()
        if strip_preloads:
            def without_preloads(route):
                response = route.fetch()
                body = re.sub(r'\s*<link rel="preload" as="script"[^>]*>', "", response.text())
                headers = {name: value for name, value in response.headers.items()  # the body is decoded now
                           if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")}
                route.fulfill(status=response.status, headers=headers, body=body)
            page.route(server.local_url, without_preloads)
        requested = []
        page.on("request", lambda request: requested.append(request.url) if request.resource_type == "script"
                else None)
        page.goto(server.local_url)
        page.get_by_role("button", name="Join").wait_for(timeout=60_000)
        browser.close()
    return [url.removeprefix(server.local_url) for url in requested if url.startswith(server.local_url)]


@pytest.mark.browser
def test_the_preload_list_is_exactly_what_the_page_runs(server):
    needed = [url for url in _script_requests(server, strip_preloads=True)
              if url.startswith((STATIC_URL, LABEXTENSIONS_URL))]
    if RECORD:
        header = "".join(line + "\n" for line in PRELOAD_LIST.read_text(encoding="utf-8").splitlines()
                         if line.startswith("#"))
        PRELOAD_LIST.write_text(header + "".join(url + "\n" for url in needed), encoding="utf-8")
    listed = read_preload_list()
    missing, unused = sorted(set(needed) - set(listed)), sorted(set(listed) - set(needed))
    assert not missing and not unused, (
        f"The participant page now runs {len(missing)} script(s) not in {PRELOAD_LIST.name} ({missing[:3]}...) "
        f"and no longer runs {len(unused)} listed one(s) ({unused[:3]}...): Voila or a widget extension changed. "
        f"Record the list again: PG_RECORD_PRELOAD=1 .venv/bin/python -m pytest {Path(__file__).name}")


@pytest.mark.browser
def test_with_preloads_no_script_is_fetched_twice(server):
    """A preload the page's loader does not match (another URL, another credentials mode) downloads twice."""
    fetched = Counter(_script_requests(server, strip_preloads=False))
    assert fetched and max(fetched.values()) == 1, [url for url, count in fetched.items() if count > 1]
