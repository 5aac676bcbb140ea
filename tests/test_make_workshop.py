"""`make workshop`, the README's first command, brings JupyterLab up on the start notebook."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from conftest import free_port

REPO = Path(__file__).resolve().parents[1]
TOKEN = "promise-gap-test"


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def test_make_workshop_creates_the_example_and_serves_the_start_notebook(tmp_path):
    port = free_port()
    example = tmp_path / "example"
    server = subprocess.Popen(
        ["make", "--no-print-directory", "workshop", f"PORT={port}", f"EXAMPLE={example}",
         f"LAB_ARGS=--no-browser --ServerApp.token={TOKEN} --ServerApp.ip=127.0.0.1"],
        cwd=REPO, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "PROMISE_GAP_WORKSHOP": ""},
    )
    try:
        deadline = time.monotonic() + 180
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = get(f"http://127.0.0.1:{port}/api/status?token={TOKEN}")
                break
            except OSError:
                time.sleep(1)
        assert status == 200, f"JupyterLab did not answer on port {port}"
        assert "started" in json.loads(body)
        status, _ = get(f"http://127.0.0.1:{port}/api/contents/notebooks/00_start_here.ipynb?token={TOKEN}")
        assert status == 200
        assert (example / "promise.yml").is_file(), "make workshop creates the example workshop when missing"
        print(f"JupyterLab answered on port {port}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert "notebooks/00_start_here.ipynb" in output or "00_start_here" in output
