"""Session store throughput: a town hall's taps on session.sqlite and on PostgreSQL, side by side in one run.

For each store and each number of server processes (``--processes 1 2 4``), ``--participants`` (500) join and
rate three pillars (four writes each), spread over the processes, eight request threads in each (as a
participant server's thread pool). Printed: wall time, writes per second, each write's latency (median, p95,
max), and the facilitator's first view of the finished session (a new store deriving the state from every
event). The PostgreSQL server is a throwaway one started here (Debian's package, fsync on, as a real server
syncs); the SQLite file syncs fully (``PRAGMA synchronous=FULL``) as in a workshop.

    .venv/bin/python benchmarks/store_throughput.py [--participants 500] [--processes 1 2 4]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # the kit, and the tests' PostgreSQL server

from workshop.session import STORE_ENV, SessionStore  # noqa: E402

FOLDER = REPO / "tests" / "data" / "live_workshop"
DEPARTMENTS = ["Sales", "Service", "Marketing", "Operations"]
PILLARS = ["same_day", "honest_advice", "easy_booking"]
THREADS = 8


def _participant(store: SessionStore, number: int) -> list[float]:
    """One participant's four writes; each write's seconds."""
    timings = []
    started = time.perf_counter()
    me = store.join("HB7KQ", DEPARTMENTS[number % 4], key=f"join-{number}")
    timings.append(time.perf_counter() - started)
    for index, pillar in enumerate(PILLARS):
        started = time.perf_counter()
        store.rate(me.id, pillar, number % 11, (number + index) % 11, key=f"rate-{number}-{index}")
        timings.append(time.perf_counter() - started)
    return timings


def _server_process(folder: str, numbers: list[int], start_at: float) -> list[float]:
    with SessionStore(folder) as store, ThreadPoolExecutor(THREADS) as threads:
        time.sleep(max(0.0, start_at - time.time()))  # every process starts at the same moment
        return [t for timings in threads.map(lambda n: _participant(store, n), numbers) for t in timings]


def run(url: str, participants: int, processes: int, scratch: Path) -> dict:
    folder = Path(shutil.copytree(FOLDER, scratch / f"townhall-{processes}-{url.split(':')[0]}"))
    os.environ[STORE_ENV] = url
    with SessionStore(folder) as store:
        store.start("HB7KQ")
        store.open_stage("rating")
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 3 + processes  # after every process has imported the kit and opened its store
    with context.Pool(processes) as pool:
        shares = [list(range(participants))[k::processes] for k in range(processes)]
        pending = pool.starmap_async(_server_process, [(str(folder), share, start_at) for share in shares])
        timings = [t for part in pending.get(timeout=900) for t in part]
    wall = time.time() - start_at
    started = time.perf_counter()
    with SessionStore(folder) as facilitator:
        state = facilitator.state()
    first_view = time.perf_counter() - started
    assert len(state.participants) == participants and len(timings) == 4 * participants
    quantiles = statistics.quantiles(timings, n=20)
    return {"store": url.split(":")[0], "processes": processes, "writes": len(timings),
            "wall_s": round(wall, 2), "writes_per_s": round(len(timings) / wall, 1),
            "write_median_ms": round(statistics.median(timings) * 1000, 1),
            "write_p95_ms": round(quantiles[18] * 1000, 1), "write_max_ms": round(max(timings) * 1000, 1),
            "facilitator_first_view_ms": round(first_view * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    from postgresql_server import PostgreSQLServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = PostgreSQLServer(port, fsync=True).start()
    results = []
    try:
        with tempfile.TemporaryDirectory() as scratch:
            for processes in args.processes:
                for url in ("sqlite:///session.sqlite", server.new_database()):
                    result = run(url, args.participants, processes, Path(scratch))
                    print(json.dumps(result), file=sys.stderr)
                    results.append(result)
    finally:
        server.stop()
    print(json.dumps({"participants": args.participants, "runs": results,
                      "budget": "a town hall's peak: 500 participants' taps within 10 s, p95 write <= 1 s"}))


if __name__ == "__main__":
    main()
