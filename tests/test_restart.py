"""A session survives the worst moment: the participant server and the facilitator's Jupyter kernel are both
killed (SIGKILL, no clean-up) mid-session; after restarting them the facilitator's panel shows the same state."""
from __future__ import annotations

import os
import shutil
import signal
import urllib.request
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

from workshop.live import start_server
from workshop.session import SessionStore

from conftest import free_port

DATA = Path(__file__).parent / "data"


class FacilitatorKernel:
    """A real IPython kernel, as JupyterLab starts one for notebook 00, running the facilitator's live panel."""

    def __init__(self, folder: Path):
        self.manager, self.client = start_new_kernel(kernel_name="python3")
        self.run(f"from workshop.ui.live_panel import LivePanel\n"
                 f"panel = LivePanel({str(folder)!r}, refresh_seconds=0.5)")

    def run(self, code: str) -> str:
        """Run ``code`` in the kernel; what it printed. A failure in the kernel fails the test with its output."""
        printed: list[str] = []
        errors: list[str] = []

        def collect(message: dict) -> None:
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
            elif message["msg_type"] == "error":
                errors.append("\n".join(message["content"]["traceback"]))

        reply = self.client.execute_interactive(code, timeout=120, output_hook=collect)
        assert reply["content"]["status"] == "ok", "\n".join(errors)
        return "".join(printed)

    def kill(self) -> None:
        """SIGKILL: the kernel dies as on a crash, nothing flushed or closed (then its connection files go)."""
        self.client.stop_channels()
        if self.manager.is_alive():
            self.manager.signal_kernel(signal.SIGKILL)
        self.manager.shutdown_kernel(now=True)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DATA / "live_workshop", tmp_path / "harbour"))


def test_killing_the_server_and_the_facilitators_kernel_mid_session_changes_nothing(folder: Path):
    port = free_port()
    server = start_server(folder, host="loopback", port=port)
    facilitator = FacilitatorKernel(folder)
    try:
        facilitator.run("panel.open_stage('rating')")
        with SessionStore(folder) as participants:  # as the participant server writes
            for number, department in enumerate(("Sales", "Service", "Operations")):
                who = participants.join(server.code, department, display_name=f"P{number}").id
                participants.rate(who, "same_day", 2 + number, 1 + number)
                participants.rate(who, "same_day", 3 + number, 2 + number)  # the latest rating wins
                participants.give_promise_sentence(who, "Ride away happy today.")
        facilitator.run("panel.reveal_results(True)\npanel.set_anonymity(False)")
        before = facilitator.run("print(repr(panel.state()))")
        assert "P2" in before and "revealed=True" in before

        os.killpg(server.process.pid, signal.SIGKILL)  # the participant server, no clean-up
        server.process.wait()
        facilitator.kill()

        server = start_server(folder, host="loopback", port=port)
        facilitator = FacilitatorKernel(folder)
        assert facilitator.run("print(repr(panel.state()))") == before
        with SessionStore(folder) as store:
            assert repr(store.state()) == before.strip()
            assert server.code == store.state().code  # the room keeps its code: nobody has to re-join
        with urllib.request.urlopen(server.local_url, timeout=60) as page:
            assert page.status == 200
    finally:
        facilitator.kill()
        server.stop()
