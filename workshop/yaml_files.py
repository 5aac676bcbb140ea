"""Reading the hand-editable YAML files of a workshop folder (promise.yml, mapping.yml, themes.yml).

One reader for all of them, so that a consultant's typo gets the same kind of message whichever file it is
in: the file, the line, and what to check. It returns plain data plus the line of every key, so that each
file's own validator can name lines too. It knows nothing of what the files mean.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from workshop.errors import Problem, WorkshopError
from workshop.files import FileStamp, stamp_of_bytes


@dataclass(frozen=True)
class YamlDocument:
    """``data`` as ``yaml.safe_load`` gives it; ``lines`` maps each key path (keys and list positions, e.g.
    ``("pillars", 0, "target")``) to its 1-based line; ``stamp`` is that of the bytes parsed, for a save that
    must not overwrite a change made since."""

    data: Any
    lines: dict[tuple, int]
    stamp: FileStamp


def read_yaml(path: Path, error_type: type[WorkshopError], fix: str) -> YamlDocument:
    """Parse ``path``; raise ``error_type`` naming the file and line for a syntax error or a key written twice.

    ``fix`` is what to check on that line, in the words of the file's own fields.
    """
    content = path.read_bytes()
    text = content.decode("utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        raise error_type(
            [Problem(path, "", None, f"is not valid YAML: {reason}", fix, line=mark.line + 1 if mark else None)]
        ) from None
    lines: dict[tuple, int] = {}
    duplicates: list[tuple[tuple, int]] = []
    if node is not None:
        _walk(node, (), lines, duplicates)
    if duplicates:
        raise error_type(
            [
                Problem(
                    path, "", str(key_path[-1]), "is written twice in the same place", "Keep one of them.", line=line
                )
                for key_path, line in duplicates
            ]
        )
    return YamlDocument(data, lines, stamp_of_bytes(content))


def _walk(node: yaml.Node, path: tuple, lines: dict[tuple, int], duplicates: list[tuple[tuple, int]]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                duplicates.append((path + (key,), key_node.start_mark.line + 1))
            seen.add(key)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), lines, duplicates)


def yaml_text(header: str, data: Any) -> str:
    """A workshop file's text: its comment header, then the data in the order given, readable by hand."""
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def file_in(path: str | os.PathLike, name: str) -> Path:
    """``path`` itself, or ``path/name`` when ``path`` is a folder (commands accept either)."""
    path = Path(path)
    return path / name if path.is_dir() else path
