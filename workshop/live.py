"""``workshop serve``: start Voila serving the participant app, and nothing else, to the room.

Voila runs in its own process with preheated kernels (so a phone gets its page in a second or two), bound to
the laptop's LAN address by default or to loopback on request. Every other URL (the file browser, the
contents API, other notebooks, files beside the notebook) is refused: Voila only serves a single notebook
here, and its kernels accept widget messages only (no code execution). The session code is set once per
workshop folder and kept across restarts; the join URL and a QR code are printed in the terminal and
saved as PNG and SVG in the workshop's ``exports/`` for the facilitator's join card.

This module knows nothing of widgets; the participant app itself is ``workshop.ui.participant``.
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

import segno

from workshop.errors import Problem, WorkshopError
from workshop.files import atomic_write_text
from workshop.folder import WORKSHOP_ENV
from workshop.session import SessionStore

DEFAULT_PORT = 8866
LOOPBACK_NAMES = {"loopback", "localhost", "127.0.0.1", "::1"}
DEFAULT_POOL_SIZE = 8
"""Kernels kept warm. Voila refills the pool as people join, so 8 absorbs a room arriving at once without
40 idle kernels (each ~100 MB) eating a laptop's memory."""
READY_TIMEOUT_S = 90.0
JOIN_QR_STEM = "join"
JOIN_URL_FILE = "join_url.txt"
"""Written to exports/ by ``start_server`` so the facilitator's panel (another kernel) can show the join card."""
PARTICIPANT_NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "participant.ipynb"
TEMPLATES_ROOT = Path(__file__).resolve().parent / "jupyter"
"""Holds voila/templates/participant (the lab template without third-party requests); goes on JUPYTER_PATH."""


class ServeError(WorkshopError):
    """The participant server could not start (port taken, notebook missing, Voila failing)."""


@dataclass
class LiveServer:
    """A running participant server: the Voila process, the URL participants open, and the session code."""

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
        """Stop Voila and its kernels, politely first (SIGINT, as Ctrl-C would), then firmly."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def lan_address() -> str | None:
    """This machine's address on the local network as its own host name resolves, or None.

    No packet is sent: it asks the resolver, so a laptop without a name for its LAN address returns None
    and the facilitator names the address with ``--host``.
    """
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    for *_rest, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0])
        if not address.is_loopback and not address.is_link_local:
            return str(address)
    return None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _bind_and_url_host(host: str | None) -> tuple[str, str]:
    """Where Voila listens, and the host name the join URL uses."""
    if host is None:
        lan = lan_address()
        if lan is None:
            raise ServeError([Problem(None, "workshop serve", "--host",
                                      "could not find this laptop's address on the local network",
                                      "Pass it with --host (e.g. --host 192.168.1.20, from your network "
                                      "settings), or --host loopback to try it on this machine only.")])
        return "0.0.0.0", lan
    if host in LOOPBACK_NAMES:
        loop = "::1" if host == "::1" else "127.0.0.1"
        return loop, loop
    return host, host


def _check_options(port: int, pool_size: int) -> None:
    """Refuse a port no laptop user can listen on, or a pool of no kernels (Voila would never say it is
    ready), before anything is started or written."""
    problems = []
    if not 1024 <= port <= 65535:
        problems.append(Problem(None, "workshop serve", "--port", "must be from 1024 to 65535",
                                "Leave it out to use 8866, or choose e.g. --port 8870.", str(port)))
    if pool_size < 1:
        problems.append(Problem(None, "workshop serve", "--kernels", "must be at least 1",
                                "Leave it out to keep 8 kernels warm, or give about one per participant "
                                "expected in the first minute.", str(pool_size)))
    if problems:
        raise ServeError(problems)


def _check_port_free(bind_host: str, port: int) -> None:
    """Refuse a port already taken, or a host that is not one of this laptop's addresses."""
    family = socket.AF_INET6 if ":" in bind_host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((bind_host, port))
        except OSError as error:
            if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
                raise ServeError([Problem(None, "workshop serve", "--host", f"{bind_host} is not an address of "
                                          f"this laptop ({error.strerror})", "Leave --host out to use the "
                                          "laptop's LAN address, or copy it from your network settings.",
                                          bind_host)]) from None
            raise ServeError([Problem(None, "workshop serve", "--port", f"port {port} on {bind_host} is not free "
                                      f"({error.strerror})", "Choose another with --port, e.g. --port 8870.",
                                      str(port))]) from None


def voila_command(bind_host: str, port: int, pool_size: int, tuned: bool = True) -> list[str]:
    """The Voila command line: one notebook, preheated kernels, no files served, no tracebacks shown.

    ``tuned`` (the default) runs ``workshop.voila_app`` (compressed responses, scripts preloaded) with the
    ``participant`` template (no CDN requests); False is stock Voila, kept so the latency benchmark can measure
    both in one run.
    """
    launcher = ["-m", "workshop.voila_app", "--VoilaConfiguration.template=participant"] if tuned else ["-m", "voila"]
    return [
        sys.executable, *launcher, str(PARTICIPANT_NOTEBOOK),
        "--no-browser",
        f"--Voila.ip={bind_host}",
        f"--Voila.port={port}",
        "--VoilaConfiguration.preheat_kernel=True",
        f"--VoilaConfiguration.default_pool_size={pool_size}",
        # Voila serves files beside the notebook (images by default) under /voila/files: none are needed.
        "--VoilaConfiguration.file_denylist=.*",
        # The participant page draws no charts and shows no code: skipping those extensions lightens the first load.
        "--VoilaConfiguration.extension_denylist=jupyterlab-plotly",
        "--VoilaConfiguration.extension_denylist=jupyterlab_pygments",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.strip_sources=True",
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
    qr.save(png, scale=12, border=2)
    qr.save(svg, scale=12, border=2)
    atomic_write_text(exports / JOIN_URL_FILE, join_url + "\n")
    return png, svg


def start_server(workshop_dir: str | os.PathLike, host: str | None = None, port: int = DEFAULT_PORT,
                 pool_size: int = DEFAULT_POOL_SIZE, code: str | None = None,
                 ready_timeout: float = READY_TIMEOUT_S, tuned: bool = True) -> LiveServer:
    """Start the participant server in the background and return once it answers; ``stop()`` ends it.

    ``host`` None binds every interface and puts the LAN address in the join URL; ``"loopback"`` (or
    ``localhost``/``127.0.0.1``) serves this machine only. ``code`` sets the session code when the session has
    none yet (default: a random one, kept across restarts).
    """
    folder = Path(workshop_dir).resolve()
    _check_options(port, pool_size)
    if not PARTICIPANT_NOTEBOOK.is_file():
        raise ServeError([Problem(PARTICIPANT_NOTEBOOK, "", None, "the participant notebook is missing",
                                  "Reinstall the kit or restore notebooks/participant.ipynb from git.")])
    with SessionStore(folder) as store:  # creates or migrates the session file before any kernel opens it
        session_code = store.start(code)
    bind_host, url_host = _bind_and_url_host(host)
    _check_port_free(bind_host, port)
    join_url = f"http://{_url_host(url_host)}:{port}/"
    png, svg = save_join_card(folder, join_url)
    log_path = folder / "exports" / "serve.log"
    jupyter_path = os.pathsep.join(filter(None, [str(TEMPLATES_ROOT), os.environ.get("JUPYTER_PATH")]))
    env = {**os.environ, WORKSHOP_ENV: str(folder), "JUPYTER_PATH": jupyter_path}
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - the child process writes it until stop()
    process = subprocess.Popen(voila_command(bind_host, port, pool_size, tuned), cwd=PARTICIPANT_NOTEBOOK.parent,
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    server = LiveServer(process, bind_host, port, join_url, session_code, png, svg, log_path)
    _wait_until_ready(server, ready_timeout)
    return server


def _wait_until_ready(server: LiveServer, timeout: float) -> None:
    """Wait until Voila answers and its kernel pool is filled (so the first phone does not wait for it)."""
    deadline = time.monotonic() + timeout
    probe = server.local_url + "voila/static/"
    answered = False
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServeError([Problem(server.log_path, "", None,
                                      f"Voila stopped while starting (exit code {server.process.returncode})",
                                      "Read the log for the reason.")])
        if not answered:
            try:
                urllib.request.urlopen(probe, timeout=2).close()
                answered = True
            except urllib.error.HTTPError:  # any HTTP answer (even 403) means Voila is listening
                answered = True
            except (urllib.error.URLError, OSError):
                pass
        if answered and "is filled with" in server.log_path.read_text(encoding="utf-8", errors="replace"):
            return
        time.sleep(0.25)
    server.stop()
    raise ServeError([Problem(server.log_path, "", None, f"Voila was not ready after {timeout:g} s",
                              "Read the log; a slow laptop may need a smaller --kernels.")])


def print_join_card(server: LiveServer, out: TextIO = sys.stdout) -> None:
    """What the facilitator reads in the terminal: the URL, the code, a QR code and where the images are."""
    qr = join_qr(server.join_url)
    print(f"\nParticipants join at  {server.join_url}", file=out)
    print(f"Session code          {server.code}\n", file=out)
    qr.terminal(out=out, compact=True)
    print(f"\nQR code saved as {server.qr_png} and {server.qr_svg}", file=out)
    print("Press Ctrl-C to stop the participant server.", file=out, flush=True)


def serve(workshop_dir: str | os.PathLike, host: str | None = None, port: int = DEFAULT_PORT,
          pool_size: int = DEFAULT_POOL_SIZE, code: str | None = None, out: TextIO = sys.stdout) -> int:
    """``workshop serve``: run the participant server until Ctrl-C; returns the exit code (0 when stopped).

    Raises ServeError (a WorkshopError) when it cannot start.
    """
    server = start_server(workshop_dir, host, port, pool_size, code)
    print_join_card(server, out)
    try:
        while server.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping the participant server…", file=out, flush=True)
    finally:
        server.stop()
    return 0 if server.process.returncode in (0, -signal.SIGINT, 130) else server.process.returncode
