"""How the kit writes files: whole or not at all, and never over what someone else saved since it was read.

The kit's own writes of whole files go through here (the session store is SQLite's). ``atomic_write_bytes``
is for files the kit alone owns (exports, the current-workshop pointer). A hand-edited file that a panel
saves (promise.yml, mapping.yml, themes.yml, report_views.yml, the call log) is written with
``write_if_unchanged``: the panel keeps the ``FileStamp`` of what it read, and the save goes ahead only while
the file still has that stamp, so a panel left open in another tab refuses instead of writing its old copy
back. A file that holds one part per writer (``whatif.yml``: one what-if per campaign or pillar) is
written with ``rewrite_under_lock``: its saver re-reads it under the same lock and replaces only its own
part, refusing when that part changed since it was read. A file that is written once and kept (a promise
version in ``versions/``) is written with ``write_new``, which never replaces a file.

This module knows nothing of what the files mean; the savers in ``promise``, ``feedback`` and ``reporting``
decide what to write.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from workshop.errors import FileKeptError, Problem, StaleFileError, WorkshopError

STALE_MESSAGE = "changed in another tab — reload to see it"
STALE_FIX = "run this panel's cell again"
"""How to reload: ``StaleFileError`` shows it in brackets after ``STALE_MESSAGE``, so the room reads one sentence."""


@dataclass(frozen=True)
class FileStamp:
    """What a file held when it was read: the sha256 of its bytes, or ``None`` for "there was no file".

    Content, not modification time: a file saved twice within the clock's resolution, or copied back with
    its old time, still gets a new stamp when its bytes differ.
    """

    sha256: str | None


NO_FILE = FileStamp(None)
"""The stamp of a file that does not exist: saving against it creates the file and never replaces one."""

Held = TypeVar("Held")


def stamp_of_bytes(data: bytes) -> FileStamp:
    """The stamp a file holding exactly ``data`` has."""
    return FileStamp(hashlib.sha256(data).hexdigest())


def stamp_of(path: str | os.PathLike) -> FileStamp:
    """The stamp of the file at ``path`` now (``NO_FILE`` when there is none)."""
    try:
        return stamp_of_bytes(Path(path).read_bytes())
    except FileNotFoundError:
        return NO_FILE


def stamp_of_held(held: Held, held_as_written: bytes, on_disk: Callable[[], tuple[Held, FileStamp]]) -> FileStamp:
    """The stamp to save ``held`` against when it was read before anyone took a stamp (a notebook cell
    before the panel): the file's own stamp while ``on_disk()`` (what the file holds, and its stamp) still
    gives ``held``; else the stamp of ``held`` as the kit writes it (``held_as_written``). The changed file
    does not have that stamp, so the save is refused instead of overwriting the change."""
    try:
        found, stamp = on_disk()
    except WorkshopError:  # a file broken since: a change like any other
        return stamp_of_bytes(held_as_written)
    return stamp if found == held else stamp_of_bytes(held_as_written)


def refuse_if_changed(path: str | os.PathLike, found: FileStamp, expected: FileStamp) -> None:
    """Raise ``StaleFileError`` for ``path`` when the stamp ``found`` on disk is not the ``expected`` one."""
    if found != expected:
        raise stale_file(path)


def stale_file(path: str | os.PathLike) -> StaleFileError:
    """The refusal of a save over a change made to ``path`` since the panel read it."""
    return StaleFileError([Problem(Path(path), "", None, STALE_MESSAGE, STALE_FIX)])


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write a file so that a reader sees the old or the new content, never half of it."""
    path = Path(path)
    temp = _complete_temp_file(path, data)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """``atomic_write_bytes`` for UTF-8 text, written exactly as given (no newline translation)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def write_if_unchanged(
    path: str | os.PathLike,
    data: bytes | Callable[[bytes | None], bytes],
    expected: FileStamp,
    first: Callable[[], object] = lambda: None,
) -> FileStamp:
    """Write ``data`` atomically, only if the file still has the stamp ``expected`` (``NO_FILE``: only if
    there is no file yet); returns the stamp of what was written, for the caller's next save. ``data`` may be
    a function of the bytes it replaces (None for no file), e.g. ``yaml_files.yaml_rewrite``, which keeps the
    file's comments.

    Raises ``StaleFileError`` (and writes nothing) when the file changed since it was read. The check and the
    write happen under an exclusive lock, so of two processes saving against the same stamp exactly one wins.
    ``first`` runs under that lock once the check has passed, before the write: what must be on disk before
    the file is replaced (the promise version it replaces); if it raises, nothing more is written.
    """
    path = Path(path)

    def checked(previous: bytes | None) -> bytes:
        refuse_if_changed(path, NO_FILE if previous is None else stamp_of_bytes(previous), expected)
        first()
        return data(previous) if callable(data) else data

    return rewrite_under_lock(path, checked)


def rewrite_under_lock(path: str | os.PathLike, data: Callable[[bytes | None], bytes]) -> FileStamp:
    """Replace the file with ``data`` of the bytes it holds now (None for no file), read under the exclusive
    lock every save here takes, atomically; returns the stamp of what was written. For a file that holds one
    part per writer (``whatif.yml``: one what-if per subject): ``data`` merges its own part into what the
    others saved, and raises (``stale_file``) to write nothing when its own part changed since it was read.
    """
    path = Path(path)
    with _exclusive_lock(path):
        try:
            previous: bytes | None = path.read_bytes()
        except FileNotFoundError:
            previous = None
        written = data(previous)
        atomic_write_bytes(path, written)
    return stamp_of_bytes(written)


def write_new(path: str | os.PathLike, data: bytes, fix: str = "Move the file aside to write it again.") -> None:
    """Create a file with ``data``, complete, only if there is no file at ``path``; raises ``FileKeptError``
    (with ``fix``, what the person can do) and leaves the existing file as it is otherwise."""
    path = Path(path)
    temp = _complete_temp_file(path, data)
    try:
        # A hard link either creates the name or fails because it exists, in one step: no other writer can
        # slip in between a check and the write, and a reader never sees the file half written.
        os.link(temp, path)
    except FileExistsError:
        raise FileKeptError(
            [Problem(path, "", None, "is kept as it was written and is never rewritten", fix)]
        ) from None
    finally:
        temp.unlink(missing_ok=True)


def _complete_temp_file(path: Path, data: bytes) -> Path:
    """A temporary file beside ``path`` holding ``data``, flushed to disk, with a normal file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes owner-only files; give the file the permissions a normal save would (0666 less umask).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return Path(temp_name)


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` (on a sibling ``.name.lock`` file) while inside.

    The lock file is left in place: deleting it would let a process waiting on the old file and one opening a
    new file both hold "the" lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
