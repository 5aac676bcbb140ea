"""``workshop serve``: the participant page (``workshop.web``) on the room's network, and nothing else.

One process holds the room: the participant app on uvicorn, started as a child of ``workshop serve`` and
bound to the laptop's LAN address (found from its network interfaces) or to loopback on request. No kernel is
started per participant. The session code is set once per workshop folder and kept across restarts; the join
URL and a QR code are printed in the terminal and saved as PNG and SVG in the workshop's ``exports/`` for the
facilitator's join card. Ctrl-C, SIGTERM and SIGHUP (the terminal closed) all stop the server and free the
port; the server's log (errors only, no client addresses) is ``serve.log`` in the workshop folder, beside
``session.sqlite``, not among the deliverables in ``exports/``.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import psutil
import segno

from workshop.errors import Problem, WorkshopError
from workshop.files import atomic_write_text
from workshop.session import SessionStore

DEFAULT_PORT = 8866
LOOPBACK_NAMES = {"loopback", "localhost", "127.0.0.1", "::1"}
READY_TIMEOUT_S = 30.0
JOIN_QR_STEM = "join"
JOIN_URL_FILE = "join_url.txt"
"""Written to exports/ by ``start_server`` so the facilitator's panel (another kernel) can show the join card."""
LOG_FILE = "serve.log"
VIRTUAL_INTERFACES = (
    "docker",
    "br-",
    "veth",
    "virbr",
    "vboxnet",
    "vmnet",
    "lxc",
    "lxd",
    "podman",
    "cni",
    "flannel",
    "utun",
    "tun",
    "tap",
    "wg",
    "tailscale",
    "zt",
)
"""Interfaces of containers, VMs and VPNs: phones in the room are not on those networks."""


class ServeError(WorkshopError):
    """The participant server could not start (port taken, address not this laptop's, server failing)."""


@dataclass
class LiveServer:
    """A running participant server: its process, the URL participants open, and the session code."""

    process: subprocess.Popen
    bind_host: str
    port: int
    join_url: str
    code: str
    qr_png: Path
    qr_svg: Path
    log_path: Path

    @property
    def local_url(self) -> str:
        """The URL this machine itself can open (loopback when bound to every interface)."""
        host = "127.0.0.1" if self.bind_host in ("0.0.0.0", "::") else self.bind_host
        return f"http://{_url_host(host)}:{self.port}/"

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server, politely first (SIGTERM: uvicorn closes its connections and exits), then firmly."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def lan_address(interfaces: dict | None = None, stats: dict | None = None) -> str | None:
    """This laptop's IPv4 address on the room's network, from its network interfaces (``psutil``), or None.

    Loopback and link-local addresses, and interfaces that are down, are skipped; a private address on a
    physical interface (Wi-Fi, Ethernet) is preferred over one of a container, VM or VPN. ``interfaces`` and
    ``stats`` default to ``psutil.net_if_addrs()`` and ``psutil.net_if_stats()``.
    """
    interfaces = psutil.net_if_addrs() if interfaces is None else interfaces
    stats = psutil.net_if_stats() if stats is None else stats
    found = []
    for order, (name, addresses) in enumerate(interfaces.items()):
        if name in stats and not stats[name].isup:
            continue
        for entry in addresses:
            if entry.family != socket.AF_INET:
                continue
            address = ipaddress.ip_address(entry.address)
            if address.is_loopback or address.is_link_local or address.is_unspecified:
                continue
            virtual = name.lower().startswith(VIRTUAL_INTERFACES)
            found.append(((virtual, not address.is_private, order), str(address)))
    return min(found)[1] if found else None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _bind_and_url_host(host: str | None) -> tuple[str, str]:
    """Where the server listens, and the host name the join URL uses."""
    if host is None:
        lan = lan_address()
        if lan is None:
            raise ServeError(
                [
                    Problem(
                        None,
                        "workshop serve",
                        "--host",
                        "could not find this laptop's address on the local network",
                        "Pass it with --host (e.g. --host 192.168.1.20, from your network "
                        "settings), or --host loopback to try it on this machine only.",
                    )
                ]
            )
        return "0.0.0.0", lan
    if host in LOOPBACK_NAMES:
        loop = "::1" if host == "::1" else "127.0.0.1"
        return loop, loop
    return host, host


def _check_port(port: int) -> None:
    """Refuse a port no laptop user can listen on before anything is started or written."""
    if not 1024 <= port <= 65535:
        raise ServeError(
            [
                Problem(
                    None,
                    "workshop serve",
                    "--port",
                    "must be from 1024 to 65535",
                    "Leave it out to use 8866, or choose e.g. --port 8870.",
                    str(port),
                )
            ]
        )


def _check_port_free(bind_host: str, port: int) -> None:
    """Refuse a port already taken, or a host that is not one of this laptop's addresses."""
    family = socket.AF_INET6 if ":" in bind_host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((bind_host, port))
        except OSError as error:
            if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
                raise ServeError(
                    [
                        Problem(
                            None,
                            "workshop serve",
                            "--host",
                            f"{bind_host} is not an address of this laptop ({error.strerror})",
                            "Leave --host out to use the laptop's LAN address, or copy it from your network settings.",
                            bind_host,
                        )
                    ]
                ) from None
            raise ServeError(
                [
                    Problem(
                        None,
                        "workshop serve",
                        "--port",
                        f"port {port} on {bind_host} is not free ({error.strerror})",
                        "Choose another with --port, e.g. --port 8870.",
                        str(port),
                    )
                ]
            ) from None


def server_command(workshop_dir: Path, bind_host: str, port: int) -> list[str]:
    """The participant server's command line; it ends by itself if this process dies without stopping it."""
    return [
        sys.executable,
        "-m",
        "workshop.web.server",
        str(workshop_dir),
        "--host",
        bind_host,
        "--port",
        str(port),
        "--parent",
        str(os.getpid()),
    ]


def join_qr(join_url: str) -> segno.QRCode:
    """The join URL as a QR code (medium error correction: survives a glare spot on a projector)."""
    return segno.make(join_url, error="m")


def read_join_url(workshop_dir: str | os.PathLike) -> str | None:
    """The join URL the last ``workshop serve`` of this workshop printed, or None if it never ran."""
    file = Path(workshop_dir) / "exports" / JOIN_URL_FILE
    return file.read_text(encoding="utf-8").strip() if file.is_file() else None


def save_join_card(workshop_dir: str | os.PathLike, join_url: str) -> tuple[Path, Path]:
    """The join URL in the workshop's exports/: as text (the facilitator's panel reads it) and as a QR code,
    PNG (for slides) and SVG (for print). Returns the PNG and SVG paths."""
    exports = Path(workshop_dir) / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    qr = join_qr(join_url)
    png, svg = exports / f"{JOIN_QR_STEM}.png", exports / f"{JOIN_QR_STEM}.svg"
    # segno's types name a path as text.
    qr.save(str(png), scale=12, border=2)
    qr.save(str(svg), scale=12, border=2)
    atomic_write_text(exports / JOIN_URL_FILE, join_url + "\n")
    return png, svg


def start_server(
    workshop_dir: str | os.PathLike,
    host: str | None = None,
    port: int = DEFAULT_PORT,
    code: str | None = None,
    ready_timeout: float = READY_TIMEOUT_S,
) -> LiveServer:
    """Start the participant server in the background and return once it answers; ``stop()`` ends it.

    ``host`` None binds every interface and puts the LAN address in the join URL; ``"loopback"`` (or
    ``localhost``/``127.0.0.1``) serves this machine only. ``code`` sets the session code when the session has
    none yet (default: a random one, kept across restarts).
    """
    folder = Path(workshop_dir).resolve()
    _check_port(port)
    with SessionStore(folder) as store:  # creates or migrates the session file before the server opens it
        session_code = store.start(code)
    bind_host, url_host = _bind_and_url_host(host)
    _check_port_free(bind_host, port)
    join_url = f"http://{_url_host(url_host)}:{port}/"
    png, svg = save_join_card(folder, join_url)
    log_path = folder / LOG_FILE
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - the child process writes it until stop()
    process = subprocess.Popen(
        server_command(folder, bind_host, port),
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    server = LiveServer(process, bind_host, port, join_url, session_code, png, svg, log_path)
    _wait_until_ready(server, ready_timeout)
    return server


def _wait_until_ready(server: LiveServer, timeout: float) -> None:
    """Wait until the server answers its page."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServeError(
                [
                    Problem(
                        server.log_path,
                        "",
                        None,
                        f"the participant server stopped while starting (exit code {server.process.returncode})",
                        "Read the log for the reason.",
                    )
                ]
            )
        try:
            urllib.request.urlopen(server.local_url, timeout=2).close()
            return
        except urllib.error.HTTPError:  # any HTTP answer means it is listening
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    server.stop()
    raise ServeError(
        [
            Problem(
                server.log_path,
                "",
                None,
                f"the participant server was not ready after {timeout:g} s",
                "Read the log; if the laptop is very busy, try again.",
            )
        ]
    )


def print_join_card(server: LiveServer, out: TextIO = sys.stdout) -> None:
    """What the facilitator reads in the terminal: the URL, the code, a QR code and where the images are."""
    qr = join_qr(server.join_url)
    print(f"\nParticipants join at  {server.join_url}", file=out)
    print(f"Session code          {server.code}\n", file=out)
    qr.terminal(out=out, compact=True)
    print(f"\nQR code saved as {server.qr_png} and {server.qr_svg}", file=out)
    print("Press Ctrl-C to stop the participant server.", file=out, flush=True)


class _Stop(Exception):
    """SIGTERM or SIGHUP arrived: stop as Ctrl-C would."""


def _stop_on_signal(signum: int, _frame) -> None:
    raise _Stop(signal.Signals(signum).name)


def serve(
    workshop_dir: str | os.PathLike,
    host: str | None = None,
    port: int = DEFAULT_PORT,
    code: str | None = None,
    out: TextIO = sys.stdout,
) -> int:
    """``workshop serve``: run the participant server until Ctrl-C, SIGTERM or SIGHUP; returns the exit code
    (0 when stopped). Raises ServeError (a WorkshopError) when it cannot start."""
    previous = {signum: signal.signal(signum, _stop_on_signal) for signum in (signal.SIGTERM, signal.SIGHUP)}
    server = None
    try:
        server = start_server(workshop_dir, host, port, code)
        print_join_card(server, out)
        while server.process.poll() is None:
            time.sleep(0.5)
    except (KeyboardInterrupt, _Stop):
        print("\nStopping the participant server…", file=out, flush=True)
    finally:
        if server is not None:
            server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if server is None:
        return 0
    return 0 if server.process.returncode in (0, -signal.SIGINT, -signal.SIGTERM, 130) else server.process.returncode
