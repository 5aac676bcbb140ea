"""The kit's own notebooks stay the kit's: a JupyterLab save of one of them keeps no output and no state.

The facilitator runs the workshop from ``notebooks/`` and JupyterLab saves as it goes. Saved outputs would
carry the client's action plan, scores and comments into tracked files (client data on its way into git, and
a kit that no longer ``git pull``s cleanly). ``keep_kit_notebooks_clean`` is a pre-save hook of the Jupyter
server, registered by this module as a server extension (enabled for the environment by
``jupyter-config/``, which ``make install`` copies into it): for a notebook under the kit's
``notebooks/`` it drops every output and execution count, and keeps the notebook's and each cell's
metadata as the file on disk has them (what JupyterLab adds, such as the kernel's version, is left out).
Cell sources are saved as typed: a facilitator's edit to the script is theirs to keep or discard with git.
Notebooks anywhere else are saved untouched. This module reads no feedback and imports no widgets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat

from workshop.folder import kit_root


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "workshop.kit_notebooks"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    server_app.contents_manager.register_pre_save_hook(keep_kit_notebooks_clean)


def kit_notebooks_folder() -> Path:
    return (kit_root() / "notebooks").resolve()


def keep_kit_notebooks_clean(model: dict[str, Any], path: str, contents_manager: Any, **_: Any) -> None:
    """Jupyter's pre-save hook: strip a kit notebook's model in place (see the module docstring)."""
    if model.get("type") != "notebook" or "content" not in model:
        return
    os_path = Path(contents_manager._get_os_path(path)).resolve()
    if kit_notebooks_folder() not in os_path.parents:
        return
    model["content"] = clean_notebook(
        nbformat.from_dict(model["content"]), nbformat.read(os_path, as_version=4) if os_path.is_file() else None
    )


def clean_notebook(notebook: nbformat.NotebookNode, on_disk: nbformat.NotebookNode | None) -> nbformat.NotebookNode:
    """``notebook`` without outputs or execution counts, with the notebook's and each cell's metadata taken
    from ``on_disk`` (by cell id; a new cell keeps none)."""
    on_disk_by_id = {cell.get("id"): cell for cell in on_disk.cells} if on_disk is not None else {}
    for cell in notebook.cells:
        kept = on_disk_by_id.get(cell.get("id"))
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata = nbformat.from_dict(kept.metadata if kept is not None else {})
    notebook.metadata = on_disk.metadata if on_disk is not None else nbformat.from_dict({})
    return notebook
