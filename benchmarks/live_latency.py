"""Live participation: the participant page's first load, a room of 200 joining, taps to the facilitator's panel.

Run from the repository root: ``python benchmarks/live_latency.py [--participants 200] [--loads 5]
[--voila-from /path/to/a/checkout/with/voila]``.

1. First load, side by side in one run: headless Chromium opens the participant page ``--loads`` times, each in
   a fresh browser context (nothing cached, as a phone seeing it the first time), timed from navigation until
   the join form is usable (the Join button visible and the code field editable), with the bytes received by
   then (Chromium's own count, ``Network.loadingFinished``). On loopback and on an emulated phone's share of
   the room's Wi-Fi (``Network.emulateNetworkConditions``: ``--wifi-mbps`` down and up, ``--wifi-latency-ms``
   round trip). The page as ``workshop serve`` serves it now, and, when ``--voila-from`` names a checkout of
   the kit from before issue 13 (e.g. main's), the Voila page it replaced, started from that checkout's own
   ``workshop serve`` (8 preheated kernels; each load waits for the pool to refill, the kindest case for it).
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
import json
import multiprocessing
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
import psutil  # noqa: E402

from workshop.folder import sample_folder  # noqa: E402
from workshop.live import start_server  # noqa: E402
from workshop.session import SessionStore  # noqa: E402

FIRST_LOAD_BUDGET_MS = 500
FIRST_LOAD_BUDGET_KB = 150
JOIN_P95_BUDGET_MS = 1000
SUBMIT_P95_BUDGET_MS = 1000
MEMORY_BUDGET_MB = 250
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


def first_loads(url: str, loads: int, wifi: dict | None, between=lambda attempt: None) -> list[tuple[float, float, int]]:
    """``loads`` first visits: (ms until the join form is usable by the page's clock, ms until the driver
    has typed into it, bytes received by then) each."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        warm_up = browser.new_context()  # the browser's own first context costs a second: not the page's
        warm_up.new_page().goto("about:blank")
        warm_up.close()
        for attempt in range(loads):
            context = browser.new_context(viewport={"width": 360, "height": 740})
            context.add_init_script(USABLE_CLOCK)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            received = [0]
            cdp.on("Network.loadingFinished", lambda event: received.__setitem__(0, received[0] + event["encodedDataLength"]))
            cdp.send("Network.enable")
            if wifi:
                cdp.send("Network.emulateNetworkConditions", wifi)
            started = time.perf_counter()
            page.goto(url, wait_until="commit", timeout=120_000)
            page.get_by_role("button", name="Join").wait_for(timeout=120_000)
            page.get_by_label("Session code").fill("ABCDE", timeout=120_000)
            elapsed = (time.perf_counter() - started) * 1000
            usable = page.wait_for_function("window.__usable").json_value()
            results.append((usable, elapsed, received[0]))
            log(f"  load {attempt + 1}/{loads}: usable at {usable:.0f} ms (typed into at {elapsed:.0f} ms), "
                f"{received[0] / 1024:.0f} KB")
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
        await self.post("/api/join", {"code": code, "department": department, "name": "", "key": f"join{self.number:06d}"})
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
            await phone.post("/api/rate", {"key": key, "ratings": {pillar: [prng.randint(0, 20) / 2,
                                                                              prng.randint(0, 20) / 2]}, "sentence": ""})
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--join-window", type=float, default=10.0, help="seconds over which the room joins")
    parser.add_argument("--ratings", type=int, default=3, help="ratings each participant saves")
    parser.add_argument("--loads", type=int, default=5, help="first loads per page and network")
    parser.add_argument("--wifi-mbps", type=float, default=5.0, help="each phone's share of the Wi-Fi, Mbit/s")
    parser.add_argument("--wifi-latency-ms", type=float, default=40.0, help="the Wi-Fi's round trip")
    parser.add_argument("--voila-from", type=Path, default=None,
                        help="a checkout of the kit from before issue 13, to load its Voila page side by side")
    args = parser.parse_args()
    networks = {"loopback": None, f"wifi_{args.wifi_mbps:g}mbps": {
        "offline": False, "latency": args.wifi_latency_ms, "downloadThroughput": args.wifi_mbps * 1e6 / 8,
        "uploadThroughput": args.wifi_mbps * 1e6 / 8}}
    result: dict = {}
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
                    fills = [1]

                    def refill(_attempt: int) -> None:
                        fills[0] += 1
                        voila.wait_for_refill(fills[0])
                    pages[f"voila_{network}"] = first_loads(voila.url, args.loads, profile, refill)
                result["voila_memory_mb_after_loads"] = round(tree_rss_mb(voila.process.pid), 1)
            finally:
                voila.stop()
        folder = fresh("web")
        server = start_server(folder, host="loopback", port=free_port())
        try:
            for network, profile in networks.items():
                log(f"first loads: web page on {network}")
                pages[f"web_{network}"] = first_loads(server.local_url, args.loads, profile)
            result["web_memory_mb_idle"] = round(tree_rss_mb(server.process.pid), 1)
            room = asyncio.run(a_room(server.local_url, folder, args.participants, args.join_window, args.ratings,
                                      server.process.pid))
        finally:
            server.stop()
    for kind, loads in pages.items():
        result.update(summary(f"first_load_usable_ms_{kind}", [usable for usable, _, _ in loads]))
        result.update(summary(f"first_load_typed_ms_{kind}", [typed for _, typed, _ in loads]))
        result[f"first_load_kb_{kind}"] = round(statistics.median(size for _, _, size in loads) / 1024, 1)
    print(json.dumps({
        **result,
        "participants": args.participants,
        "join_window_s": args.join_window,
        **summary("join_ms", room["join_ms"]),
        "streams_open": room["streams"],
        **summary("stage_pushed_ms", room["pushed_ms"]),
        "submissions": len(room["submit_ms"]),
        **summary("submit_to_stored_ms", room["stored_ms"]),
        **summary("submit_to_panel_ms", room["submit_ms"]),
        "web_memory_mb_at_participants": round(room["memory_mb"], 1),
        "budgets": {"first_load_ms_at_5mbps": FIRST_LOAD_BUDGET_MS, "first_load_kb": FIRST_LOAD_BUDGET_KB,
                    "join_p95_ms": JOIN_P95_BUDGET_MS, "submit_to_panel_p95_ms": SUBMIT_P95_BUDGET_MS,
                    "memory_mb": MEMORY_BUDGET_MB},
        "page_loads_each": args.loads,
        "wifi": f"{args.wifi_mbps:g} Mbit/s each way, {args.wifi_latency_ms:g} ms round trip",
        "load_average_1min": round(os.getloadavg()[0], 2),
        "machine": f"{platform.machine()}, {multiprocessing.cpu_count()} cores, Python {platform.python_version()}",
    }))


if __name__ == "__main__":
    main()
