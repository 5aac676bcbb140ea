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


SLIPS = {
    "key written twice": ("fresh:\n  - cold\nsource: a.csv\nfresh:\n  - warm\n",
                          "{path}, line 4, field 'fresh': is written twice in the same place. Keep one of them."),
    "broken indentation": ("fresh:\n  - cold\n - warm\n", "{path}, line 3: is not valid YAML"),
}


@pytest.mark.parametrize("slip", sorted(SLIPS))
@pytest.mark.parametrize("name", sorted(READERS))
def test_a_slip_is_named_with_its_file_and_line(tmp_path: Path, name, slip):
    text, expected = SLIPS[slip]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(WorkshopError) as raised:
        READERS[name](path)
    assert str(raised.value).startswith(expected.format(path=path))


def test_a_document_carries_the_stamp_of_the_bytes_it_parsed(tmp_path):
    from workshop.files import stamp_of
    from workshop.yaml_files import read_yaml

    path = tmp_path / "themes.yml"
    path.write_bytes(b"fresh: [stale]\r\nexpert_help: []\r\n")
    document = read_yaml(path, WorkshopError, "")
    assert document.data == {"fresh": ["stale"], "expert_help": []}
    assert document.stamp == stamp_of(path), "Windows line endings are stamped as they are on disk"
