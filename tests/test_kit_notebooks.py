"""A real Jupyter server, configured as `make` installs it, saves the kit's notebooks without outputs: the file
on disk stays byte for byte the tracked one, while a notebook elsewhere keeps what it was saved with."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from workshop.kit_notebooks import clean_notebook

from conftest import REPO, free_port

TOKEN = "kit-notebooks-test"
INSTALLED_CONFIG = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "promise-gap.json"


def test_the_environment_carries_the_save_hook_as_the_repository_writes_it():
    """`make install` puts the hook's config where every Jupyter server of this environment reads it."""
    assert INSTALLED_CONFIG.read_text() == (REPO / "jupyter-config" / "jupyter_server_config.d" /
                                            "promise-gap.json").read_text()


def request(port: int, method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/contents/{path}", data=data, method=method,
                                 headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as answer:
        return json.loads(answer.read() or b"{}")


@pytest.fixture
def kit_copy_served(tmp_path):
    """A copy of the kit (its package, notebooks and sample), served by `jupyter server` from its root as
    `make workshop` starts it. The kit's notebooks are those beside the package it runs (``folder.KIT_ROOT``),
    so the server imports the copy's package: the tracked files are never the ones written."""
    kit = tmp_path / "kit"
    shutil.copytree(REPO / "workshop", kit / "workshop")
    shutil.copytree(REPO / "notebooks", kit / "notebooks")
    shutil.copytree(REPO / "datasets" / "sample", kit / "datasets" / "sample")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "jupyter", "server", "--no-browser", f"--port={port}",
                               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
                               f"--ServerApp.root_dir={kit}", "--allow-root"],
                              cwd=kit, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "PYTHONPATH": str(kit)})
    try:
        for _ in range(600):  # a loaded machine may take most of a minute to start a server
            try:
                request(port, "GET", "")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        yield kit, port
    finally:
        server.terminate()
        server.wait(timeout=20)


def with_outputs(model: dict) -> dict:
    """The notebook as JupyterLab saves it after a run: outputs, counts and the kernel's version added."""
    content = model["content"]
    for cell in content["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "Acme's action plan: call Dana\n"}]
            cell["execution_count"] = 7
        cell["metadata"]["scrolled"] = True
    content["metadata"]["language_info"]["version"] = "3.11.7"
    return {"type": "notebook", "format": "json", "content": content}


def test_saving_a_kit_notebook_after_a_run_leaves_the_tracked_file_as_it_was(kit_copy_served):
    kit, port = kit_copy_served
    name = "notebooks/05_workshop_report.ipynb"
    before = (kit / name).read_bytes()
    request(port, "PUT", name, with_outputs(request(port, "GET", name)))
    assert (kit / name).read_bytes() == before == (REPO / name).read_bytes()


def test_a_notebook_outside_the_kit_is_saved_as_it_is(kit_copy_served):
    kit, port = kit_copy_served
    model = request(port, "GET", "notebooks/05_workshop_report.ipynb")
    request(port, "PUT", "my_analysis.ipynb", with_outputs(model))
    saved = nbformat.read(kit / "my_analysis.ipynb", as_version=4)
    assert any(cell.get("outputs") for cell in saved.cells)


def test_an_edited_source_is_kept_and_only_the_run_is_dropped():
    on_disk = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("panel()", id="a1",
                                                                        metadata={"jupyter": {"source_hidden": True}})])
    saved = nbformat.from_dict(json.loads(nbformat.writes(on_disk)))
    saved.cells[0].source = "panel(big=True)"
    saved.cells[0].outputs = [nbformat.v4.new_output("stream", text="client data")]
    saved.cells.append(nbformat.v4.new_markdown_cell("a note", id="b2", metadata={"tags": ["mine"]}))
    cleaned = clean_notebook(saved, on_disk)
    assert cleaned.cells[0].source == "panel(big=True)" and cleaned.cells[0].outputs == []
    assert cleaned.cells[0].metadata == {"jupyter": {"source_hidden": True}} and cleaned.cells[1].metadata == {}
