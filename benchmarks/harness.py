"""What the benchmark scripts share: progress on stderr (stdout's last line is the JSON result), a free
loopback port for a server they start, and how they launch Debian's Chromium."""
from __future__ import annotations

import socket
import sys

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
