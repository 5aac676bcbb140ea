"""Every hand-editable file of a workshop folder reports a YAML slip with its file and line, the same way."""
from __future__ import annotations

from pathlib import Path

import pytest

from workshop.errors import WorkshopError
from workshop.feedback.mapping import load_mapping
from workshop.feedback.themes import load_themes
from workshop.promise import load_promise

READERS = {
    "promise.yml": load_promise,
    "mapping.yml": load_mapping,
    "themes.yml": lambda path: load_themes(path, ["fresh"]),
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_key_written_twice_is_named_with_its_line(tmp_path: Path, name):
    path = tmp_path / name
    path.write_text("fresh:\n  - cold\nsource: a.csv\nfresh:\n  - warm\n")
    with pytest.raises(WorkshopError) as raised:
        READERS[name](path)
    assert f"{path}, line 4, field 'fresh': is written twice in the same place. Keep one of them." == str(raised.value)


@pytest.mark.parametrize("name", sorted(READERS))
def test_broken_indentation_is_named_with_its_line(tmp_path: Path, name):
    path = tmp_path / name
    path.write_text("fresh:\n  - cold\n - warm\n")
    with pytest.raises(WorkshopError) as raised:
        READERS[name](path)
    assert str(raised.value).startswith(f"{path}, line 3: is not valid YAML")
