"""A consultant's comments in a hand-edited workshop file survive a save from the notebook (issue 14).

Each test writes a real file the way a consultant would annotate it, saves through the kit's own save
function with the stamp the kit read, and reads the file back as text and as data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from workshop.errors import StaleFileError
from workshop.feedback.mapping import load_mapping, save_mapping
from workshop.feedback.themes import load_themes_and_stamp, save_themes
from workshop.files import NO_FILE, stamp_of
from workshop.filters import Filter
from workshop.promise import load_promise, load_promise_and_stamp, save_new_version, save_promise
from workshop.reporting import add_report_view, load_report_views
from workshop.yaml_files import yaml_text

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample"


def annotated(path: Path, notes: dict[str, str]) -> None:
    """Put each note as a comment at the end of the first line starting with its key, and one line above."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for start, note in notes.items():
        index = next(i for i, line in enumerate(lines) if line.startswith(start))
        lines[index] += f"  # {note}"
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        lines.insert(index, f"{indent}# above: {note}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_promise_saved_from_the_notebook_keeps_the_consultants_comments(tmp_path):
    path = tmp_path / "promise.yml"
    shutil.copy(SAMPLE / "promise.yml", path)
    annotated(path, {"statement:": "signed off by the board", "  target: 10": "the CEO insists on 10"})
    promise, stamp = load_promise_and_stamp(path)
    promise.pillars[0].threshold = 7
    promise.pillars[1].name = "Expert advice, always"
    save_promise(promise, path, expected=stamp)
    text = path.read_text(encoding="utf-8")
    for note in ("signed off by the board", "the CEO insists on 10"):
        assert f"  # {note}" in text and f"# above: {note}" in text
    assert load_promise(path) == promise
    assert "threshold: 7" in text and "name: Expert advice, always" in text


def test_a_new_version_keeps_the_comments_and_so_does_the_kept_copy_of_the_old_one(tmp_path):
    shutil.copy(SAMPLE / "promise.yml", tmp_path / "promise.yml")
    annotated(tmp_path / "promise.yml", {"statement:": "signed off 12 May"})
    promise, stamp = load_promise_and_stamp(tmp_path)
    promise.pillars[0].target = 9
    save_new_version(promise, tmp_path, expected=stamp)
    assert "# signed off 12 May" in (tmp_path / "promise.yml").read_text(encoding="utf-8")
    assert load_promise(tmp_path).version == 2 and load_promise(tmp_path).pillars[0].target == 9


def test_a_removed_pillar_takes_its_comments_and_the_others_keep_theirs(tmp_path):
    path = tmp_path / "promise.yml"
    shutil.copy(SAMPLE / "promise.yml", path)
    promise, _ = load_promise_and_stamp(path)
    first, second = promise.pillars[0].id, promise.pillars[1].id
    annotated(path, {f"- id: {first}": "first pillar note", f"- id: {second}": "second pillar note"})
    promise, stamp = load_promise_and_stamp(path)
    promise.pillars = promise.pillars[1:]
    save_promise(promise, path, expected=stamp)
    text = path.read_text(encoding="utf-8")
    assert f"- id: {second}  # second pillar note" in text
    assert "first pillar note" not in text.split(f"id: {second}")[1]
    assert load_promise(path) == promise


def test_themes_and_the_mapping_keep_their_comments(tmp_path):
    promise = load_promise(SAMPLE)
    themes_file = tmp_path / "themes.yml"
    shutil.copy(SAMPLE / "themes.yml", themes_file)
    annotated(themes_file, {"- late": "the client's own word for it"})
    themes, stamp = load_themes_and_stamp(themes_file, promise.pillar_ids)
    themes[promise.pillar_ids[0]] = [*themes[promise.pillar_ids[0]], "never came"]
    save_themes(themes, themes_file, promise.pillar_ids, expected=stamp)
    assert "- late  # the client's own word for it" in themes_file.read_text(encoding="utf-8")
    assert load_themes_and_stamp(themes_file, promise.pillar_ids)[0] == themes

    mapping_file = tmp_path / "mapping.yml"
    shutil.copy(SAMPLE / "mapping.yml", mapping_file)
    annotated(mapping_file, {"  touchpoint: touchpoint": "column F in the client's export"})
    mapping = load_mapping(mapping_file)
    mapping.touchpoints = {"Telephone": "phone"}
    save_mapping(mapping, mapping_file, expected=stamp_of(mapping_file))
    text = mapping_file.read_text(encoding="utf-8")
    assert "touchpoint: touchpoint  # column F in the client's export" in text
    assert "Telephone: phone" in text and load_mapping(mapping_file) == mapping
    assert "encoding: null" in text, "the header says null means 'detect it': null is written, not left empty"


def test_a_report_view_added_keeps_the_comments_of_the_views_file(tmp_path):
    path = tmp_path / "report_views.yml"
    path.write_text("# views for the board\n- touchpoints: [phone]  # the call centre story\n", encoding="utf-8")
    add_report_view(tmp_path, Filter(advocates_only=True), expected=stamp_of(path))
    assert "# the call centre story" in path.read_text(encoding="utf-8")
    assert load_report_views(tmp_path) == [Filter(touchpoints=("phone",)), Filter(advocates_only=True)]


@pytest.mark.parametrize("word", ["no", "Yes", "on", "OFF", "2024-01-31", "1_000", "null", "~", "12:30"])
def test_a_word_yaml_1_1_reads_as_something_else_is_written_so_it_reads_back_as_the_word(word):
    data = {"touchpoints": {word: "phone"}, "label": word}
    assert yaml.safe_load(yaml_text("# header\n", data)) == data
    assert yaml.safe_load(yaml_text("# header\n", data, b"# old\nlabel: x  # kept\n")) == data


def test_the_saves_are_still_refused_over_a_file_changed_since_it_was_read(tmp_path):
    path = tmp_path / "promise.yml"
    shutil.copy(SAMPLE / "promise.yml", path)
    promise, stamp = load_promise_and_stamp(path)
    annotated(path, {"company:": "a colleague's edit in another tab"})
    changed = path.read_bytes()
    promise.pillars[0].target = 9
    with pytest.raises(StaleFileError):
        save_promise(promise, path, expected=stamp)
    assert path.read_bytes() == changed
    with pytest.raises(StaleFileError):
        save_promise(promise, tmp_path / "new" / ".." / "promise.yml", expected=NO_FILE)


def test_a_file_that_no_longer_parses_as_yaml_is_written_afresh_with_the_data():
    text = yaml_text("# header\n", {"a": [1, 2]}, b"a: [1, 2\n")
    assert text == "# header\na:\n- 1\n- 2\n"
