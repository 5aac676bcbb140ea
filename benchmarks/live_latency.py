"""Live participation: the participant page's first load, a room of 200 joining, taps to the facilitator's panel.

Run from the repository root: ``python benchmarks/live_latency.py [--participants 200] [--loads 20]
[--voila-from /path/to/a/checkout/with/voila] [--web-before-from /path/to/a/checkout]``.

1. First load, side by side in one run: headless Chromium opens the participant page ``--loads`` times, each in
   a fresh browser context (nothing cached, as a phone seeing it the first time), timed from navigation until
   the join form is usable (the Join button visible and the code field editable), with the bytes received by
   then (Chromium's own count, ``Network.loadingFinished``). On loopback and on an emulated phone's share of
   the room's Wi-Fi (``Network.emulateNetworkConditions``: ``--wifi-mbps`` down and up, ``--wifi-latency-ms``
   round trip). The page as ``workshop serve`` serves it now, and, when ``--voila-from`` names a checkout of
   the kit from before issue 13 (e.g. main's), the Voila page it replaced, started from that checkout's own
   ``workshop serve`` (8 preheated kernels; each load waits for the pool to refill, the kindest case for it).
   ``--web-before-from`` names a checkout with an earlier web page: both are served at once and loaded in
   turns. Each load also records the requests sent before the form was usable (when sent, the wait for the
   first byte, when done) and the round trips among them: where the time went. Median, p95 and max of each.
   Budget: <= 150 KB and <= 500 ms at 5 Mbit/s.
2. A room joining: ``--participants`` simulated phones (one event loop, each phone its own client and its own
   loopback source address 127.0.0.N, as phones have their own addresses on the Wi-Fi) open the page and join
   at moments spread uniformly over ``--join-window`` seconds, then keep the live event stream open. Join
   latency is the POST /api/join. Budget: p95 <= 1 s with 200 in 10 s.
3. Stage pushed: the facilitator opens the rating stage (a write from this process, as the panel's kernel
   does); time until each open event stream has delivered the new stage.
4. Submit to visible: each participant saves ``--ratings`` ratings at human pace (0.5-3 s apart) while the
   facilitator's ``LivePanel`` refreshes by itself in a process of its own (as in the facilitator's kernel);
   from just before the POST until the server answered (stored) and until the panel's views show that event.
   Budget: p95 <= 1 s.
5. Server memory: the participant server's resident memory (the whole process tree) with every participant
   joined, streams open, after the ratings. Budget: <= 250 MB at 200. For Voila, the tree after its first loads.

On a 2-core machine shared with other work, the browser, the simulated phones and the server compete for the
CPU: read the figures with the machine's load (``load_average_1min``). Progress goes to stderr; the last line of
stdout is one JSON object.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
import psutil  # noqa: E402
from harness import CHROMIUM, CHROMIUM_ARGS, free_port, log  # noqa: E402

from workshop.folder import sample_folder  # noqa: E402
from workshop.live import start_server  # noqa: E402
from workshop.session import SessionStore  # noqa: E402

FIRST_LOAD_BUDGET_MS = 500
FIRST_LOAD_BUDGET_KB = 150
JOIN_P95_BUDGET_MS = 1000
SUBMIT_P95_BUDGET_MS = 1000
MEMORY_BUDGET_MB = 250


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def tree_rss_mb(pid: int) -> float:
    root = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20


# --- 1. first loads -----------------------------------------------------------------------------------------


USABLE_CLOCK = """
new MutationObserver((_changes, observer) => {
  const join = [...document.querySelectorAll("button")].find(b => b.textContent.trim() === "Join");
  const code = [...document.querySelectorAll("input")].find(i => i.offsetParent !== null);
  if (join && join.offsetParent !== null && code) { window.__usable = performance.now(); observer.disconnect(); }
}).observe(document, {childList: true, subtree: true, attributes: true});
"""
"""The page's own clock (from the start of navigation) at the moment a Join button and a field are shown:
the browser's view, without the driver's polling."""


class NetworkLog:
    """What Chromium's network domain reports for one page: bytes received, and each request's times."""

    def __init__(self, cdp):
        self.received = 0
        self.sent: dict[str, tuple[str, float]] = {}
        self.first_byte: dict[str, float] = {}
        self.finished: dict[str, float] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _sent(self, event: dict) -> None:
        self.sent[event["requestId"]] = (event["request"]["url"], event["timestamp"])

    def _response(self, event: dict) -> None:
        timing = event["response"].get("timing")
        if timing:  # the answer's first byte, on the browser's clock (seconds)
            self.first_byte[event["requestId"]] = timing["requestTime"] + timing["receiveHeadersEnd"] / 1000

    def _finished(self, event: dict) -> None:
        self.received += event["encodedDataLength"]
        self.finished[event["requestId"]] = event["timestamp"]

    def requests_until(self, usable_ms: float) -> list[tuple[str, float, float, float]]:
        """(path, ms from navigation until sent, ms waiting for the first byte, ms until the last byte) of
        each request sent before ``usable_ms``, in the order sent."""
        navigation = min(at for _, at in self.sent.values())
        requests = []
        for request_id, (address, at) in sorted(self.sent.items(), key=lambda item: item[1][1]):
            since = (at - navigation) * 1000
            if since <= usable_ms and not address.startswith("data:"):
                requests.append((urlsplit(address).path, round(since, 1),
                                 round((self.first_byte.get(request_id, at) - at) * 1000, 1),
                                 round((self.finished.get(request_id, at) - navigation) * 1000, 1)))
        return requests


def first_loads(urls: dict[str, str], loads: int, wifi: dict | None,
                between=lambda attempt: None) -> dict[str, list[dict]]:
    """``loads`` first visits of each page in ``urls`` (by name), taking turns so that both meet the same machine
    load, each: ``usable`` (ms until the join form is usable by the page's clock),
    ``typed`` (ms until the driver has typed into it), ``bytes`` received by then, and ``requests``: each request
    the browser started before the form was usable, as (path, ms from navigation until sent, ms waiting for the
    answer's first byte, ms until its last byte). The waits say where the time went: on loopback a wait is the
    server's time; at emulated Wi-Fi it adds the emulated round trip; requests sent one after the other (the page,
    then its files) are round trips the form waited for."""
    from playwright.sync_api import sync_playwright

    results: dict[str, list[dict]] = {kind: [] for kind in urls}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        warm_up = browser.new_context()  # the browser's own first context costs a second: not the page's
        warm_up.new_page().goto("about:blank")
        warm_up.close()
        for attempt, (kind, url) in ((a, page) for a in range(loads) for page in urls.items()):
            context = browser.new_context(viewport={"width": 360, "height": 740})
            context.add_init_script(USABLE_CLOCK)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            network = NetworkLog(cdp)
            if wifi:
                cdp.send("Network.emulateNetworkConditions", wifi)
            started = time.perf_counter()
            page.goto(url, wait_until="commit", timeout=120_000)
            page.get_by_role("button", name="Join").wait_for(timeout=120_000)
            page.get_by_label("Session code").fill("ABCDE", timeout=120_000)
            elapsed = (time.perf_counter() - started) * 1000
            usable = page.wait_for_function("window.__usable").json_value()
            requests = network.requests_until(usable)
            results[kind].append({"usable": usable, "typed": elapsed, "bytes": network.received, "requests": requests})
            log(f"  {kind} load {attempt + 1}/{loads}: usable at {usable:.0f} ms (typed into at {elapsed:.0f} ms), "
                f"{network.received / 1024:.1f} KB; " + ", ".join(
                    f"{path} sent {since:.0f} wait {wait:.0f} done {done:.0f}" for path, since, wait, done in requests))
            context.close()
            between(attempt)
        browser.close()
    return results


class VoilaFromCheckout:
    """The Voila participant page as a checkout of the kit from before issue 13 served it (its own code,
    its own ``workshop serve``), for the side-by-side first load."""

    def __init__(self, checkout: Path, folder: Path):
        self.port = free_port()
        self.folder = folder
        script = ("import sys; from workshop.live import serve; "
                  f"sys.exit(serve({str(folder)!r}, host='loopback', port={self.port}, pool_size=8, code='BENCH'))")
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        self.process = subprocess.Popen([sys.executable, "-c", script], cwd=checkout, env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        for line in self.process.stdout:
            if "Press Ctrl-C" in line:
                break
        else:
            raise RuntimeError("the Voila checkout's workshop serve did not start")
        self.url = f"http://127.0.0.1:{self.port}/"
        # Voila runs in a session of its own: remembered, so it is stopped even when its serve is not able to
        self.voila = psutil.Process(self.process.pid).children()

    def wait_for_refill(self, fills: int, timeout: float = 90) -> None:
        serve_log = self.folder / "exports" / "serve.log"
        deadline = time.monotonic() + timeout
        while serve_log.read_text(errors="replace").count("is filled with") < fills and time.monotonic() < deadline:
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        for voila in self.voila:
            if voila.is_running():
                os.killpg(voila.pid, signal.SIGKILL)


# --- 2-5. a room of phones ----------------------------------------------------------------------------------


class Phone:
    """One simulated phone: its own loopback address, cookies, and open event stream."""

    def __init__(self, number: int, base: str):
        self.number = number
        address = f"127.0.{1 + number // 250}.{2 + number % 250}"
        self.client = httpx.AsyncClient(base_url=base, transport=httpx.AsyncHTTPTransport(local_address=address),
                                        timeout=60)
        self.stages: list[tuple[str | None, float]] = []
        self.stream_task: asyncio.Task | None = None

    async def post(self, path: str, body: dict) -> dict:
        response = await self.client.post(path, json=body, headers={"x-csrf-token": self.client.cookies["pg_csrf"]})
        data = response.json()
        if response.status_code != 200:
            raise RuntimeError(f"phone {self.number}: {path} answered {response.status_code}: {data.get('message')}")
        return data

    async def join(self, code: str, department: str) -> float:
        (await self.client.get("/")).raise_for_status()
        started = time.perf_counter()
        await self.post("/api/join", {"code": code, "department": department, "name": "",
                                      "key": f"join{self.number:06d}"})
        return (time.perf_counter() - started) * 1000

    async def listen(self) -> None:
        async with self.client.stream("GET", "/api/events") as stream:
            async for line in stream.aiter_lines():
                if line.startswith("data: "):
                    self.stages.append((json.loads(line[6:])["stage"], time.time()))

    async def close(self) -> None:
        if self.stream_task:
            self.stream_task.cancel()
        await self.client.aclose()


def facilitator_panel(folder: str, ready, stop, results) -> None:
    """The facilitator's live panel in a process of its own, as in JupyterLab's kernel: refreshing by itself,
    it records when each event id first shows in its views; sent back through ``results`` once ``stop`` is set."""
    from workshop.ui.live_panel import LivePanel

    panel = LivePanel(folder)
    seen_at: dict[int, float] = {}
    last = panel.shown_event_id
    ready.set()
    while not stop.is_set():
        shown = panel.shown_event_id
        if shown > last:
            now = time.time()
            for event_id in range(last + 1, shown + 1):
                seen_at[event_id] = now
            last = shown
        time.sleep(0.01)
    panel.stop()
    results.put(seen_at)


async def a_room(url: str, folder: Path, participants: int, window: float, ratings: int, server_pid: int) -> dict:
    with SessionStore(folder) as store:
        code = store.state().code
        promise = store.promise()
    departments = promise.departments or ["Staff"]
    phones = [Phone(n, url) for n in range(participants)]
    rng = random.Random(13)

    async def arrive(phone: Phone) -> float:
        await asyncio.sleep(rng.uniform(0, window))
        took = await phone.join(code, departments[phone.number % len(departments)])
        phone.stream_task = asyncio.create_task(phone.listen())
        return took

    log(f"{participants} phones joining within {window:g} s...")
    joins = await asyncio.gather(*(arrive(phone) for phone in phones))
    await asyncio.sleep(1.5)  # every stream has sent its first view
    log(f"  join median {statistics.median(joins):.0f} ms, p95 {percentile(joins, 0.95):.0f} ms")

    context = multiprocessing.get_context("spawn")
    ready, stop, results = context.Event(), context.Event(), context.Queue()
    panel = context.Process(target=facilitator_panel, args=(str(folder), ready, stop, results))
    panel.start()
    await asyncio.to_thread(ready.wait, 120)
    opened_at = time.time()
    with SessionStore(folder) as store:  # what the panel's stage button does
        store.open_stage("rating")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(any(s == "rating" for s, _ in p.stages) for p in phones):
        await asyncio.sleep(0.05)
    pushed = [(next(t for s, t in p.stages if s == "rating") - opened_at) * 1000 for p in phones
              if any(s == "rating" for s, _ in p.stages)]
    log(f"  stage pushed to {len(pushed)} streams: p95 {percentile(pushed, 0.95):.0f} ms")

    sent: dict[str, float] = {}
    stored_ms: list[float] = []

    async def rate(phone: Phone) -> None:
        prng = random.Random(phone.number)
        for index in range(ratings):
            await asyncio.sleep(prng.uniform(0.5, 3.0))
            key = f"rate{phone.number:05d}x{index:03d}"
            pillar = promise.pillar_ids[index % len(promise.pillar_ids)]
            sent[key] = time.time()
            pair = [prng.randint(0, 20) / 2, prng.randint(0, 20) / 2]
            await phone.post("/api/rate", {"key": key, "ratings": {pillar: pair}, "sentence": ""})
            stored_ms.append((time.time() - sent[key]) * 1000)  # answered: the event is in the store

    log(f"{participants} phones x {ratings} ratings...")
    await asyncio.gather(*(rate(phone) for phone in phones))
    await asyncio.sleep(2)
    memory = tree_rss_mb(server_pid)
    stop.set()
    seen_at = await asyncio.to_thread(results.get, True, 60)
    panel.join(30)
    with SessionStore(folder) as store:
        ids = {event.key.rsplit("-", 2)[-2]: event.id for event in store.since(0) if event.key.startswith("web-rate-")}
    latencies = [(seen_at[ids[key]] - submitted) * 1000 for key, submitted in sent.items()]
    log(f"  submit to stored p95 {percentile(stored_ms, 0.95):.0f} ms; to panel median "
        f"{statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms; server {memory:.0f} MB")
    await asyncio.gather(*(phone.close() for phone in phones))
    return {"join_ms": joins, "pushed_ms": pushed, "submit_ms": latencies, "stored_ms": stored_ms, "memory_mb": memory,
            "streams": len(pushed)}


def summary(name: str, values: list[float]) -> dict:
    return {f"{name}_median": round(statistics.median(values), 1), f"{name}_p95": round(percentile(values, 0.95), 1),
            f"{name}_max": round(max(values), 1)}


def round_trips(requests: list[tuple[str, float, float, float]]) -> int:
    """How many requests the form waited for one after the other: a request sent once another had finished
    is one round trip after it (the page, then the files it names, then what they fetch)."""
    depth: list[int] = []
    for _, sent, _, _ in requests:
        after = [d for d, (_, _, _, done) in zip(depth, requests, strict=False) if done <= sent]
        depth.append(1 + max(after, default=0))
    return max(depth, default=0)


def first_load_summary(kind: str, loads: list[dict]) -> dict:
    waits = [wait for load in loads for _, _, wait, _ in load["requests"]]
    return {
        **summary(f"first_load_usable_ms_{kind}", [load["usable"] for load in loads]),
        **summary(f"first_load_typed_ms_{kind}", [load["typed"] for load in loads]),
        f"first_load_kb_{kind}": round(statistics.median(load["bytes"] for load in loads) / 1024, 1),
        f"first_load_requests_{kind}": statistics.median(len(load["requests"]) for load in loads),
        f"first_load_round_trips_{kind}": statistics.median(round_trips(load["requests"]) for load in loads),
        **summary(f"first_load_request_wait_ms_{kind}", waits),
    }


@contextlib.contextmanager
def served_from(checkout: Path, folder: Path):
    """``workshop serve``'s participant server with ``checkout``'s code (its child imports the checkout first)."""
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(checkout)
    try:
        server = start_server(folder, host="loopback", port=free_port())
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before
    try:
        yield server
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200, help="0: first loads only")
    parser.add_argument("--join-window", type=float, default=10.0, help="seconds over which the room joins")
    parser.add_argument("--ratings", type=int, default=3, help="ratings each participant saves")
    parser.add_argument("--loads", type=int, default=20, help="first loads per page and network")
    parser.add_argument("--wifi-mbps", type=float, default=5.0, help="each phone's share of the Wi-Fi, Mbit/s")
    parser.add_argument("--wifi-latency-ms", type=float, default=40.0, help="the Wi-Fi's round trip")
    parser.add_argument("--voila-from", type=Path, default=None,
                        help="a checkout of the kit from before issue 13, to load its Voila page side by side")
    parser.add_argument("--web-before-from", type=Path, default=None,
                        help="a checkout of the kit with an earlier web page (e.g. main's), loaded side by side")
    args = parser.parse_args()
    networks = {"loopback": None, f"wifi_{args.wifi_mbps:g}mbps": {
        "offline": False, "latency": args.wifi_latency_ms, "downloadThroughput": args.wifi_mbps * 1e6 / 8,
        "uploadThroughput": args.wifi_mbps * 1e6 / 8}}
    result: dict = {"load_average_1min_at_start": round(os.getloadavg()[0], 2)}
    room = None
    with tempfile.TemporaryDirectory() as temp:
        def fresh(name: str) -> Path:
            return Path(shutil.copytree(sample_folder(), Path(temp) / name, ignore=shutil.ignore_patterns(
                "session.sqlite*", "exports", "serve.log")))

        pages = {}
        if args.voila_from:
            voila = VoilaFromCheckout(args.voila_from.resolve(), fresh("voila"))
            try:
                voila.wait_for_refill(1)
                for network, profile in networks.items():
                    log(f"first loads: Voila page on {network}")
                    # the pool was filled once at start; after load n it has to be filled the (n + 2)th time
                    loads = first_loads({"voila": voila.url}, args.loads, profile,
                                        lambda attempt: voila.wait_for_refill(attempt + 2))
                    pages[f"voila_{network}"] = loads["voila"]
                result["voila_memory_mb_after_loads"] = round(tree_rss_mb(voila.process.pid), 1)
            finally:
                voila.stop()
        folder = fresh("web")
        with contextlib.ExitStack() as servers:
            server = servers.enter_context(served_from(REPO, folder))
            urls = {"web": server.local_url}
            if args.web_before_from:
                urls["web_before"] = servers.enter_context(
                    served_from(args.web_before_from.resolve(), fresh("web_before"))).local_url
            for network, profile in networks.items():
                log(f"first loads: {', '.join(urls)} on {network}, taking turns")
                for kind, loads in first_loads(urls, args.loads, profile).items():
                    pages[f"{kind}_{network}"] = loads
            result["web_memory_mb_idle"] = round(tree_rss_mb(server.process.pid), 1)
            if args.participants:
                room = asyncio.run(a_room(server.local_url, folder, args.participants, args.join_window,
                                          args.ratings, server.process.pid))
    for kind, loads in pages.items():
        result.update(first_load_summary(kind, loads))
    if room:
        result.update({
            "participants": args.participants,
            "join_window_s": args.join_window,
            **summary("join_ms", room["join_ms"]),
            "streams_open": room["streams"],
            **summary("stage_pushed_ms", room["pushed_ms"]),
            "submissions": len(room["submit_ms"]),
            **summary("submit_to_stored_ms", room["stored_ms"]),
            **summary("submit_to_panel_ms", room["submit_ms"]),
            "web_memory_mb_at_participants": round(room["memory_mb"], 1),
        })
    print(json.dumps({
        **result,
        "budgets": {"first_load_ms_at_5mbps": FIRST_LOAD_BUDGET_MS, "first_load_kb": FIRST_LOAD_BUDGET_KB,
                    "join_p95_ms": JOIN_P95_BUDGET_MS, "submit_to_panel_p95_ms": SUBMIT_P95_BUDGET_MS,
                    "memory_mb": MEMORY_BUDGET_MB},
        "page_loads_each": args.loads,
        "wifi": f"{args.wifi_mbps:g} Mbit/s each way, {args.wifi_latency_ms:g} ms round trip",
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "machine": f"{platform.machine()}, {multiprocessing.cpu_count()} cores, Python {platform.python_version()}",
    }))


if __name__ == "__main__":
    main()
