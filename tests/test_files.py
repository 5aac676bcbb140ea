"""File plumbing: stamps, the stamp-checked save (raced by real processes) and the write-once file."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from workshop.errors import FileKeptError, StaleFileError, WorkshopError
from workshop.files import (NO_FILE, STALE_FIX, STALE_MESSAGE, atomic_write_text, stamp_of, stamp_of_bytes,
                            write_if_unchanged, write_new)


def test_a_stamp_follows_the_bytes_not_the_name_or_the_time(tmp_path):
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    assert stamp_of(first) == NO_FILE
    first.write_bytes(b"version: 1\n")
    second.write_bytes(b"version: 1\n")
    assert stamp_of(first) == stamp_of(second) == stamp_of_bytes(b"version: 1\n") != NO_FILE
    second.write_bytes(b"version: 2\n")
    assert stamp_of(first) != stamp_of(second)


def test_a_save_against_the_stamp_read_writes_and_returns_the_next_stamp(tmp_path):
    path = tmp_path / "promise.yml"
    path.write_bytes(b"version: 1\n")
    read = stamp_of(path)
    written = write_if_unchanged(path, b"version: 2\n", read)
    assert path.read_bytes() == b"version: 2\n" and written == stamp_of(path)
    assert write_if_unchanged(path, b"version: 3\n", written) == stamp_of(path)
    assert path.read_bytes() == b"version: 3\n"


def test_a_save_against_an_old_stamp_is_refused_and_the_file_is_kept(tmp_path):
    path = tmp_path / "promise.yml"
    path.write_bytes(b"version: 1\n")
    read = stamp_of(path)
    path.write_bytes(b"version: 2\n")  # another tab saved meanwhile
    with pytest.raises(StaleFileError) as refused:
        write_if_unchanged(path, b"stale copy\n", read)
    assert isinstance(refused.value, WorkshopError)
    problem = refused.value.problems[0]
    assert (problem.file, problem.message, problem.fix) == (path, STALE_MESSAGE, STALE_FIX)
    assert path.read_bytes() == b"version: 2\n"


def test_the_stale_refusal_reads_as_one_sentence_naming_the_file_in_the_workshop_folder(tmp_path):
    """What the room reads: the file as the workshop folder names it (never the laptop's /tmp/... path),
    "reload" once, and one sentence that says the edit is kept."""
    path = tmp_path / "workshops" / "acme" / "promise.yml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"version: 1\n")
    read = stamp_of(path)
    path.write_bytes(b"version: 2\n")
    with pytest.raises(StaleFileError) as refused:
        write_if_unchanged(path, b"stale copy\n", read)
    text = str(refused.value)
    assert text == ("promise.yml changed in another tab — reload to see it (run this panel's cell again); "
                    "your edit is still on screen.")
    assert str(tmp_path) not in text and text.lower().count("reload") == 1
    assert text.count(". ") == 0 and text.endswith(".")


def test_no_file_creates_and_never_replaces(tmp_path):
    path = tmp_path / "themes.yml"
    write_if_unchanged(path, b"first\n", NO_FILE)
    with pytest.raises(StaleFileError):
        write_if_unchanged(path, b"second\n", NO_FILE)
    assert path.read_bytes() == b"first\n"
    path.unlink()
    with pytest.raises(StaleFileError):  # a deleted file is a change too: the panel's copy is not saved over it
        write_if_unchanged(path, b"third\n", stamp_of_bytes(b"first\n"))
    assert not path.exists()


def _save_in_another_process(path: str, data: bytes, expected, start, results) -> None:
    start.wait()
    try:
        write_if_unchanged(Path(path), data, expected)
        results.put(("saved", data))
    except StaleFileError:
        results.put(("refused", data))


@pytest.mark.parametrize("round_", range(5))
def test_of_processes_racing_to_save_against_one_stamp_exactly_one_wins(tmp_path, round_):
    path = tmp_path / "promise.yml"
    path.write_bytes(b"version: 1\n")
    read = stamp_of(path)
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(4), context.Queue()
    writers = [context.Process(target=_save_in_another_process,
                               args=(str(path), f"tab {n}\n".encode(), read, start, results)) for n in range(4)]
    for writer in writers:
        writer.start()
    outcomes = [results.get(timeout=60) for _ in writers]
    for writer in writers:
        writer.join(timeout=60)
    saved = [data for outcome, data in outcomes if outcome == "saved"]
    assert len(saved) == 1 and sorted(o for o, _ in outcomes) == ["refused", "refused", "refused", "saved"]
    assert path.read_bytes() == saved[0]


def test_a_new_file_is_written_once_and_kept(tmp_path):
    path = tmp_path / "versions" / "promise.v1.yml"
    write_new(path, b"version: 1\n")
    assert path.read_bytes() == b"version: 1\n"
    with pytest.raises(FileKeptError) as kept:
        write_new(path, b"a stale copy\n", fix="Set the version by hand.")
    assert kept.value.problems[0].file == path and "never rewritten" in str(kept.value)
    assert str(kept.value).endswith("Set the version by hand.")
    assert path.read_bytes() == b"version: 1\n"
    assert [p.name for p in path.parent.iterdir()] == ["promise.v1.yml"], "no temporary file is left behind"


def test_atomic_writes_leave_no_temporary_file(tmp_path):
    path = tmp_path / "exports" / "plan.md"
    atomic_write_text(path, "line\r\n")
    assert path.read_bytes() == b"line\r\n" and [p.name for p in path.parent.iterdir()] == ["plan.md"]
