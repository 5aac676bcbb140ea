"""`workshop serve` (workshop.live.serve): only the participant page is reachable, the join card is printed and
saved, Ctrl-C, SIGTERM and SIGHUP stop it and its server and free the port, and the LAN address comes from the
network interfaces."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from workshop.live import ServeError, _bind_and_url_host, lan_address, start_server
from workshop.session import SessionStore

from conftest import free_port

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ["/tree", "/lab", "/api/contents", "/api/kernels", "/api/sessions", "/api/terminals",
             "/notebooks/00_start_here.ipynb", "/voila/render/00_start_here.ipynb", "/static/index.html",
             "/static/app.py", "/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2Fapp.py",
             "/workshop/session.py", "/session.sqlite", "/promise.yml", "/serve.log", "/exports/join.png",
             "/.git/config", "/static/", "/api/", "/api/join"]


def _answer(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DATA / "live_workshop", tmp_path / "harbour"))


def _serve(folder: Path, port: int) -> tuple[subprocess.Popen, str]:
    """`workshop serve` in its own process, as from a terminal; returns it and what it printed up to Ctrl-C."""
    script = ("import sys; from workshop.live import serve; "
              f"sys.exit(serve({str(folder)!r}, host='loopback', port={port}, code='HB7KQ'))")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    printed = []
    for line in process.stdout:
        printed.append(line)
        if "Press Ctrl-C" in line:
            break
    return process, "".join(printed)


def _assert_all_gone(processes: list[psutil.Process], port: int) -> None:
    """No process left, and the port free for a server to listen on again (as `workshop serve` restarted
    would: with SO_REUSEADDR, so the closed connections' TIME_WAIT does not count)."""
    gone, alive = psutil.wait_procs(processes, timeout=10)
    assert alive == [], f"still running: {alive}"
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen()


def test_serve_shows_only_the_participant_page_and_stops_on_ctrl_c(folder: Path):
    port = free_port()
    process, text = _serve(folder, port)
    try:
        assert f"Participants join at  http://127.0.0.1:{port}/" in text and "Session code          HB7KQ" in text
        assert "█" in text or "▀" in text  # the QR code, drawn in the terminal
        assert (folder / "exports" / "join.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "<svg" in (folder / "exports" / "join.svg").read_text()
        assert (folder / "exports" / "join_url.txt").read_text().strip() == f"http://127.0.0.1:{port}/"
        # the server's log (client addresses, errors) is not a deliverable
        assert (folder / "serve.log").is_file() and not list((folder / "exports").glob("*.log"))
        family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
        assert len(family) == 2  # workshop serve and the one participant server: no kernel per phone

        base = f"http://127.0.0.1:{port}"
        status, headers, body = _answer(base + "/")
        assert status == 200 and b"HB7KQ" not in body  # the code is asked for, never sent
        assert "server" not in {k.lower() for k in headers}  # no version banner
        for path in FORBIDDEN:
            status, headers, body = _answer(base + path)
            assert status in (404, 405), (path, status)
            assert b"Traceback" not in body and str(REPO).encode() not in body and str(folder).encode() not in body
        process.send_signal(signal.SIGINT)  # Ctrl-C
        rest, _ = process.communicate(timeout=30)
        assert process.returncode == 0, rest
        assert "Traceback" not in rest and "Stopping the participant server" in rest
        _assert_all_gone(family, port)
        assert "Traceback" not in (folder / "serve.log").read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_or_a_closed_terminal_stops_serve_and_its_server_and_frees_the_port(folder: Path, signum):
    port = free_port()
    process, _ = _serve(folder, port)
    try:
        family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
        process.send_signal(signum)
        rest, _ = process.communicate(timeout=30)
        assert process.returncode == 0 and "Traceback" not in rest, rest
        _assert_all_gone(family, port)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_the_server_ends_by_itself_when_serve_is_killed_outright(folder: Path):
    port = free_port()
    process, _ = _serve(folder, port)
    family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    process.kill()  # kill -9: serve cannot stop its child, the child notices its parent is gone
    process.wait()
    _assert_all_gone(family, port)


def _interface(address: str, family=socket.AF_INET):
    return SimpleNamespace(family=family, address=address)


def test_the_lan_address_comes_from_the_network_interfaces():
    up, down = SimpleNamespace(isup=True), SimpleNamespace(isup=False)
    interfaces = {"lo": [_interface("127.0.0.1")], "docker0": [_interface("172.17.0.1")],
                  "wlan0": [_interface("fe80::1", socket.AF_INET6), _interface("169.254.3.4"),
                            _interface("192.168.1.20")],
                  "eth1": [_interface("10.0.0.9")]}
    stats = {"lo": up, "docker0": up, "wlan0": up, "eth1": down}
    assert lan_address(interfaces, stats) == "192.168.1.20"  # not the container bridge, not the cable unplugged
    assert lan_address({"lo": [_interface("127.0.0.1")]}, {"lo": up}) is None
    assert lan_address({"docker0": [_interface("172.17.0.1")]}, {"docker0": up}) == "172.17.0.1"  # better than none
    # and on this machine: one of its own interfaces' addresses, found with no name resolution at all
    real = {entry.address for addresses in psutil.net_if_addrs().values() for entry in addresses
            if entry.family == socket.AF_INET and not entry.address.startswith("127.")}
    assert (lan_address() in real) if real else lan_address() is None


def test_make_runs_jupyterlab_with_the_kits_environment_on_path_and_serves_a_workshop():
    """`workshop serve`, typed in JupyterLab's terminal, is the kit's: JupyterLab (and so its terminals)
    runs with .venv/bin first on PATH; `make serve WORKSHOP=...` says it without any PATH at all."""
    lab = subprocess.run(["make", "-n", "--no-print-directory", "workshop"], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    assert f'PATH="{REPO / ".venv" / "bin"}:$PATH"' in lab and "jupyter lab" in lab
    serve = subprocess.run(["make", "-n", "--no-print-directory", "serve", "WORKSHOP=workshops/acme"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout
    assert ".venv/bin/workshop serve --workshop workshops/acme" in serve


def test_a_taken_port_is_refused_with_a_fix(folder: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"port {port} on 127.0.0.1 is not free.*--port"):
            start_server(folder, host="loopback", port=port)


def test_the_session_code_is_set_once_and_kept(folder: Path):
    with SessionStore(folder) as store:
        code = store.start()
        assert store.start() == code and store.start(code.lower()) == code
        assert len(store.events()) == 1


def test_hosts_bind_loopback_or_every_interface():
    assert _bind_and_url_host("loopback") == ("127.0.0.1", "127.0.0.1")
    assert _bind_and_url_host("localhost") == ("127.0.0.1", "127.0.0.1")
    assert _bind_and_url_host("192.0.2.7") == ("192.0.2.7", "192.0.2.7")


@pytest.mark.parametrize("options, message", [
    ({"host": "192.0.2.7"}, "--host.*192.0.2.7 is not an address of this laptop"),
    ({"host": "no-such-host.invalid"}, "--host.*no-such-host.invalid is not an address of this laptop"),
    ({"host": "loopback", "port": 70000}, "--port.*must be from 1024 to 65535"),
])
def test_a_wrong_host_or_port_is_refused_naming_the_option(folder: Path, options, message):
    """Not a misleading "port is not free", nor an OverflowError from the socket."""
    with pytest.raises(ServeError, match=message):
        start_server(folder, **options)


def test_a_server_that_fails_to_start_says_where_to_read_why(tmp_path: Path):
    from workshop.live import LiveServer, _wait_until_ready

    log = tmp_path / "serve.log"
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"])
    server = LiveServer(process, "127.0.0.1", free_port(), "http://127.0.0.1:1/", "CODE", tmp_path / "j.png",
                        tmp_path / "j.svg", log)
    with pytest.raises(ServeError, match="stopped while starting .exit code 3.*Read the log"):
        _wait_until_ready(server, 10)
