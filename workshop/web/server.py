"""``python -m workshop.web.server WORKSHOP_DIR --host H --port P``: the participant app on uvicorn, in the
process ``workshop serve`` starts (and stops: SIGINT or SIGTERM end it cleanly within a few seconds, open
event streams included). It also ends by itself if ``workshop serve`` dies without stopping it (a terminal
closed, a ``kill -9``), so nothing is left holding the port.

Errors go to stderr (``workshop serve`` sends it to the log); client addresses are not logged.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import traceback

import uvicorn

from workshop.web.app import create_app

GRACEFUL_SECONDS = 2
"""Open event streams never end by themselves: after this long at shutdown they are closed."""
KEEP_ALIVE_SECONDS = 75
"""Longer than a phone waits between taps: uvicorn's 5 s default closes idle connections so often that a tap
sent just as one closes meets a reset connection."""


def _log_failure(error: BaseException) -> None:
    traceback.print_exception(error, file=sys.stderr)


def _end_with_parent(parent: int) -> None:
    """SIGTERM this process once its parent is gone (it is then adopted: the parent id changes)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workshop")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parent", type=int, default=None, help="end when this process ends")
    args = parser.parse_args(argv)
    if args.parent:
        threading.Thread(target=_end_with_parent, args=(args.parent,), daemon=True, name="parent-watch").start()
    config = uvicorn.Config(
        create_app(args.workshop, log_failure=_log_failure),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        lifespan="on",
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
