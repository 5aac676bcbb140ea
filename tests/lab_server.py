"""JupyterLab for the browser tests, started one way: from the kit's environment, on loopback with a token, its
per-user Jupyter files in a folder of the test's own (so nothing of this machine's settings or workspaces leaks
in, and no "would you like news?" toast covers the panels), and stopped as Ctrl-C would, kernels included.

    from lab_server import JupyterLab
    with JupyterLab.start(root=tmp_path, home=tmp_path / "jupyter", env=env) as lab:
        lab.wait_until_ready()
        page.goto(lab.notebook_url("notebooks/03_visualise_the_gap"))

The app is exposed to the page (``window.jupyterapp``) only so a test can tell when a notebook has finished
running; a person's JupyterLab differs in nothing else.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from conftest import free_port

TOKEN = "promise-gap-test"
READY_SECONDS = 180
"""A server start on a loaded two-core machine; the wait ends as soon as the server answers."""
NO_NEWS = '{"fetchNews": "false", "checkForUpdates": false}'


def jupyter_home(env: dict[str, str], home: Path) -> dict[str, str]:
    """``env`` with Jupyter's per-user folders (config, runtime, settings, workspaces, IPython) under ``home``,
    and JupyterLab told to fetch no news and check for no update."""
    notifications = home / "settings" / "@jupyterlab" / "apputils-extension"
    notifications.mkdir(parents=True, exist_ok=True)
    (notifications / "notification.jupyterlab-settings").write_text(NO_NEWS, encoding="utf-8")
    return {**env, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "IPYTHONDIR": str(home / "ipython")}


@dataclass
class JupyterLab:
    """A running JupyterLab server serving ``root``; its output goes to ``log``."""

    process: subprocess.Popen
    url: str
    log: Path

    @classmethod
    def start(cls, root: Path, home: Path, env: dict[str, str]) -> JupyterLab:
        """Start JupyterLab on ``root`` with ``env`` (whose PYTHONPATH says which ``workshop`` the kernels
        import, and JUPYTER_CONFIG_PATH which server config applies) and Jupyter's own files under ``home``.
        Returns at once: call ``wait_until_ready`` before opening a page (other set-up can run meanwhile)."""
        port = free_port()
        log = home / "lab.log"
        env = jupyter_home(env, home)
        with open(log, "w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                 f"--ServerApp.port={port}", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
                 "--LabApp.expose_app_in_browser=True", *(["--allow-root"] if os.getuid() == 0 else [])],
                cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True)
        return cls(process, f"http://127.0.0.1:{port}", log)

    def __enter__(self) -> JupyterLab:
        return self

    def __exit__(self, *_exception) -> None:
        self.stop()

    def notebook_url(self, path: str) -> str:
        """The page of the notebook at ``path`` (relative to the root, without .ipynb), logged in."""
        return f"{self.url}/lab/tree/{path}.ipynb?token={TOKEN}"

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"JupyterLab stopped:\n{self.log.read_text(errors='replace')}"
            try:
                urllib.request.urlopen(f"{self.url}/api/status?token={TOKEN}", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise AssertionError(f"JupyterLab did not answer within {READY_SECONDS} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        """Stop the server as SIGTERM does (it shuts its kernels down, which run in sessions of their own)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
