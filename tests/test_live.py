"""`workshop serve` (workshop.live.serve): only the participant app is reachable, the join card is printed and
saved, and Ctrl-C stops Voila and its kernels cleanly."""
from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from tornado.websocket import websocket_connect

from workshop.live import ServeError, _bind_and_url_host, start_server, voila_command
from workshop.session import SessionStore

from conftest import free_port

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ["/tree", "/tree/notebooks", "/api/contents", "/api/contents/participant.ipynb", "/api/kernels",
             "/api/sessions", "/api/terminals", "/lab", "/notebooks/participant.ipynb",
             "/voila/render/00_start_here.ipynb", "/voila/tree", "/voila/files/participant.ipynb",
             "/voila/files/00_start_here.ipynb", "/files/participant.ipynb", "/00_start_here.ipynb",
             "/voila/files/..%2Fworkshop%2Fsession.py"]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _kernel_message(msg_type: str, content: dict) -> str:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "participant",
              "session": uuid.uuid4().hex, "version": "5.3", "date": "2026-03-02T09:00:00Z"}
    return json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                       "channel": "shell", "buffers": []})


async def _try_to_run_code(websocket_url: str, code: str) -> list[str]:
    """What a hostile browser could do: send execute_request on its own kernel's websocket. Returns the reply
    types seen in 5 s (kernel_info is sent too, to prove the channel itself works)."""
    connection = await websocket_connect(websocket_url)
    await connection.write_message(_kernel_message("execute_request", {
        "code": code, "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False,
        "stop_on_error": True}))
    await connection.write_message(_kernel_message("kernel_info_request", {}))
    seen: list[str] = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            message = await asyncio.wait_for(connection.read_message(), 0.5)
        except asyncio.TimeoutError:
            continue
        if message is None:
            break
        if isinstance(message, str):
            seen.append(json.loads(message)["header"]["msg_type"])
    connection.close()
    return seen


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DATA / "live_workshop", tmp_path / "harbour"))


def test_serve_shows_only_the_participant_app_and_stops_on_ctrl_c(folder: Path):
    port = free_port()
    script = ("import sys; from workshop.live import serve; "
              f"sys.exit(serve({str(folder)!r}, host='loopback', port={port}, pool_size=1, code='HB7KQ'))")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        printed = []
        for line in process.stdout:
            printed.append(line)
            if "Press Ctrl-C" in line:
                break
        text = "".join(printed)
        assert f"Participants join at  http://127.0.0.1:{port}/" in text and "Session code          HB7KQ" in text
        assert "█" in text or "▀" in text  # the QR code, drawn in the terminal
        assert (folder / "exports" / "join.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "<svg" in (folder / "exports" / "join.svg").read_text()
        assert (folder / "exports" / "join_url.txt").read_text().strip() == f"http://127.0.0.1:{port}/"

        base = f"http://127.0.0.1:{port}"
        assert _status(base + "/") == 200
        refused = {path: _status(base + path) for path in FORBIDDEN}
        assert all(code in (403, 404) for code in refused.values()), refused
        with urllib.request.urlopen(base + "/", timeout=30) as page:
            body = page.read().decode()
        assert "current_workshop" not in body  # code cells are stripped from the page
        # The participant template: no third-party request (stock Voila's lab page links two CDN stylesheets).
        assert "cdn.jsdelivr.net" not in body and "voila-style.js" in body
        script = re.search(r'src="(/voila/static/[^"]+\.js)', body).group(1)
        compressed = urllib.request.Request(base + script, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(compressed, timeout=30) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(response.read()).decode().strip()
        kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', body).group(1)
        marker = folder / "ran-participant-code.txt"
        seen = asyncio.run(_try_to_run_code(f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels",
                                            f"open({str(marker)!r}, 'w').write('x')"))
        assert "kernel_info_reply" in seen and "execute_reply" not in seen and not marker.exists()

        process.send_signal(signal.SIGINT)  # Ctrl-C
        rest, _ = process.communicate(timeout=30)
        assert process.returncode == 0, rest
        assert "Traceback" not in rest
        with pytest.raises(ConnectionRefusedError):  # nothing listens any more: Voila is gone
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


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


def test_voila_is_told_to_serve_no_files_and_preheat_kernels():
    command = " ".join(voila_command("127.0.0.1", 8866, 6))
    assert "participant.ipynb" in command and "--VoilaConfiguration.file_denylist=.*" in command
    assert "--VoilaConfiguration.preheat_kernel=True" in command
    assert "--VoilaConfiguration.default_pool_size=6" in command
    assert "-m workshop.voila_app --VoilaConfiguration.template=participant" in command
    assert "-m voila " in " ".join(voila_command("127.0.0.1", 8866, 6, tuned=False))


def test_hosts_bind_loopback_or_every_interface():
    assert _bind_and_url_host("loopback") == ("127.0.0.1", "127.0.0.1")
    assert _bind_and_url_host("localhost") == ("127.0.0.1", "127.0.0.1")
    assert _bind_and_url_host("192.0.2.7") == ("192.0.2.7", "192.0.2.7")


@pytest.mark.parametrize("options, message", [
    ({"host": "192.0.2.7"}, "--host.*192.0.2.7 is not an address of this laptop"),
    ({"host": "no-such-host.invalid"}, "--host.*no-such-host.invalid is not an address of this laptop"),
    ({"host": "loopback", "port": 70000}, "--port.*must be from 1024 to 65535"),
    ({"host": "loopback", "pool_size": 0}, "--kernels.*at least 1"),
])
def test_a_wrong_host_port_or_pool_is_refused_naming_the_option(folder: Path, options, message):
    """Not a misleading "port is not free", nor an OverflowError from the socket, nor a 90 s wait for a pool
    of no kernels."""
    with pytest.raises(ServeError, match=message):
        start_server(folder, **options)


def test_a_server_never_ready_names_the_kernels_option(tmp_path: Path):
    from workshop.live import LiveServer, _wait_until_ready

    log = tmp_path / "serve.log"
    log.write_text("", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    server = LiveServer(process, "127.0.0.1", 1, "http://127.0.0.1:1/", "CODE", tmp_path / "j.png",
                        tmp_path / "j.svg", log)
    with pytest.raises(ServeError, match="smaller --kernels"):
        _wait_until_ready(server, 0.3)
    assert process.poll() is not None
