"""Reading and writing the hand-editable YAML files of a workshop folder (promise.yml, mapping.yml,
themes.yml, report_views.yml).

One reader for all of them, so that a consultant's typo gets the same kind of message whichever file it is
in: the file, the line, and what to check. It returns plain data plus the line of every key, so that each
file's own validator can name lines too. One writer, which keeps the consultant's comments when it replaces
a file (``yaml_text`` with the file's previous bytes). It knows nothing of what the files mean.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RoundTripError
from ruamel.yaml.scalarstring import SingleQuotedScalarString

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


def read_yaml(path: Path, error_type: type[WorkshopError], fix: str, content: bytes | None = None) -> YamlDocument:
    """Parse ``path``; raise ``error_type`` naming the file and line for a syntax error or a key written twice.

    ``fix`` is what to check on that line, in the words of the file's own fields. ``content``: the file's
    bytes when the caller has read them already (under the lock of a save, ``files.rewrite_under_lock``).
    """
    content = path.read_bytes() if content is None else content
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


def yaml_text(header: str, data: Any, previous: bytes | None = None) -> str:
    """A workshop file's text: its comment header, then the data in the order given, readable by hand.

    With ``previous``, the bytes of the file this text replaces, the data is written into that file's own
    text: the comments beside and between its fields stay where they were, and so does the order of the
    fields and items it had (list items that carry an ``id`` are matched by id, others by position); only
    values change, fields the data no longer has go and new ones come in the data's order. The comment
    block at the top is the kit's ``header`` and is written anew. Whatever the previous text holds, the
    result reads back (by ``read_yaml``) as exactly ``data``; where keeping the comments cannot promise that
    (anchors, merge keys, a file that no longer parses) the file is written afresh.
    """
    # A file with no comment below its header has nothing to keep: written afresh, without the round trip's cost.
    if (
        previous is not None
        and b"#" in previous
        and "#" in _without_leading_comments(previous.decode("utf-8", "replace"))
    ):
        try:
            document = _round_trip().load(previous.decode("utf-8"))
        except (RoundTripError, UnicodeDecodeError):
            document = None
        merged = _merged(document, data)
        if isinstance(merged, (CommentedMap, CommentedSeq)):
            merged.ca.comment = None  # the top comment block: the header below replaces it
            text = header + _without_leading_comments(_dump(merged))
            if yaml.load(text, Loader=_SAFE_LOADER) == data:
                return text
    return header + _dump(_round_trip_data(data))


def yaml_rewrite(header: str, data: Any) -> Callable[[bytes | None], bytes]:
    """What ``files.write_if_unchanged`` writes for a YAML file: ``yaml_text`` of the data into the file it
    replaces (read under the same lock as the stamp check), so the consultant's comments are kept."""
    return lambda previous: yaml_text(header, data, previous).encode("utf-8")


# The kit reads its files with PyYAML (YAML 1.1, where yes, no, on and off are booleans and 2024-01-31 is a
# date); ruamel.yaml writes YAML 1.2, which leaves such words unquoted. A string PyYAML would read as
# anything but that string is quoted, so a touchpoint called "no" stays the word "no".
_PYYAML_RESOLVER = yaml.resolver.Resolver()
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""``yaml.safe_load``'s loader, in C where PyYAML was built with libyaml: the same rules, ten times faster."""


def _round_trip() -> YAML:
    writer = YAML()
    writer.width = 110
    writer.allow_unicode = True
    # "null", as the files' headers say, not an empty value.
    writer.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return writer


def _dump(data: Any) -> str:
    stream = io.StringIO()
    _round_trip().dump(data, stream)
    # ruamel.yaml may leave a space where it folds a long line; YAML drops it on reading, so the text is the
    # same data without it.
    return "".join(line.rstrip() + "\n" for line in stream.getvalue().splitlines())


def _scalar(value: Any) -> Any:
    if (
        isinstance(value, str)
        and _PYYAML_RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
        != yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG
    ):
        return SingleQuotedScalarString(value)
    return value


def _round_trip_data(value: Any) -> Any:
    """Plain data (dicts, lists, scalars) as ruamel.yaml writes it, strings quoted where PyYAML needs it."""
    if isinstance(value, dict):
        return CommentedMap((_scalar(k), _round_trip_data(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return CommentedSeq(_round_trip_data(v) for v in value)
    return _scalar(value)


def _merged(old: Any, new: Any) -> Any:
    """``new`` written into ``old`` (as ruamel.yaml read it, with its comments): see ``yaml_text``."""
    if isinstance(new, dict) and isinstance(old, CommentedMap):
        for key in [k for k in old if k not in new]:
            del old[key]
        position = 0
        for key, value in new.items():
            if key in old:
                old[key] = _merged(old[key], value)
                position = list(old).index(key) + 1
            else:
                old.insert(position, _scalar(key), _round_trip_data(value))
                position += 1
        return old
    if isinstance(new, list) and isinstance(old, CommentedSeq):
        sources = _matching_items(old, new)
        items = [_round_trip_data(n) if i is None else _merged(old[i], n) for i, n in zip(sources, new, strict=True)]
        # An item's end-of-line comment is kept by the list, by position: it moves with its item.
        comments = {to: old.ca.items[i] for to, i in enumerate(sources) if i is not None and i in old.ca.items}
        del old[:]
        old.extend(items)
        old.ca.items.clear()
        old.ca.items.update(comments)
        return old
    return _round_trip_data(new)


def _matching_items(old: list, new: list) -> list[int | None]:
    """For each item of ``new``, the position of the item of ``old`` it continues (None: a new item): by
    ``id`` when every item has one (pillars), by value for words (themes, departments), else by position."""
    keys_old, keys_new = [_item_key(item) for item in old], [_item_key(item) for item in new]
    if None in keys_old or None in keys_new or len(set(keys_old)) < len(keys_old):
        return [i if i < len(old) else None for i in range(len(new))]
    where = {key: i for i, key in enumerate(keys_old)}
    return [where.get(key) for key in keys_new]


def _item_key(item: Any) -> object:
    if isinstance(item, dict):
        return ("id", str(item["id"])) if "id" in item else None
    return ("value", str(item)) if isinstance(item, (str, int, float)) else None


def _without_leading_comments(text: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("#")):
        lines.pop(0)
    return "".join(lines)


def file_in(path: str | os.PathLike, name: str) -> Path:
    """``path`` itself, or ``path/name`` when ``path`` is a folder (commands accept either)."""
    path = Path(path)
    return path / name if path.is_dir() else path
