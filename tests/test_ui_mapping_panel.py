"""Mapping panel: real export files in real workshop folders, driven through the methods its buttons call."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from workshop.feedback.mapping import load_mapping, save_mapping
from workshop.ui import mapping_panel
from workshop.ui.mapping_panel import NOT_IN_FILE, MappingPanel

from conftest import DATA

FEEDBACK = DATA / "feedback"


def test_the_sample_opens_with_its_saved_mapping_and_loads(workshop_dir):
    panel = MappingPanel(workshop_dir, load=True)
    assert panel.path.value == "feedback.csv"
    assert panel.field_choices["expert_advice"].value == "expert_advice"
    assert panel.scale_choices["recommend"].value == "0-10"
    loaded = panel.loaded
    assert loaded.cube.total_responses == 5000
    assert "Rows read: 5,000 = kept 5,000 + set aside 0" in panel.report_html.value
    assert panel.progress.value == 1 and panel.set_aside_button.disabled
    assert "Traceback" not in panel.message.value


def test_an_upload_is_saved_in_the_folder_suggested_translated_and_loaded(client_folder):
    panel = MappingPanel(client_folder)
    assert panel.mapping is None and panel.path.value == ""
    saved = panel.save_upload("semicolon_cp1252.csv", (FEEDBACK / "semicolon_cp1252.csv").read_bytes())
    assert saved == client_folder / "semicolon_cp1252.csv" and saved.read_bytes() == (
        FEEDBACK / "semicolon_cp1252.csv").read_bytes()
    assert panel.field_choices["touchpoint"].value == "Channel"
    assert panel.field_choices["speed"].value == "Quick answers"
    assert {v: d.value for v, d in panel.touchpoint_choices.items()} == {
        "Call centre": "phone", "TEL": "phone", "Shop": "store"}
    panel.touchpoint_choices["Shop"].value = "web"  # the facilitator corrects a suggestion
    loaded = panel.confirm_and_load()
    mapping = load_mapping(client_folder / "mapping.yml")
    assert mapping.source == "semicolon_cp1252.csv"
    assert mapping.touchpoints == {"Call centre": "phone", "TEL": "phone", "Shop": "web"}
    assert loaded.report.rows_kept == 3 and not loaded.report.blocking
    assert sorted(loaded.cube.touchpoints) == ["phone", "web"]


def test_an_upload_cannot_escape_the_folder_or_be_another_kind_of_file(client_folder):
    panel = MappingPanel(client_folder)
    panel._on_upload({"new": [{"name": "../../outside.csv", "content": (FEEDBACK / "clean_comma.csv").read_bytes()}]})
    assert (client_folder / "outside.csv").is_file() and not (client_folder.parent / "outside.csv").exists()
    panel._on_upload({"new": [{"name": "run.exe", "content": b"MZ"}]})
    assert "is not a survey export" in panel.message.value and not (client_folder / "run.exe").exists()


def test_blocking_problems_show_in_red_and_a_corrected_mapping_loads(client_folder):
    shutil.copy(FEEDBACK / "ambiguous_dates.csv", client_folder / "export.csv")
    panel = MappingPanel(client_folder)
    panel.path.value = "export.csv"
    panel.read_button.click()
    panel.confirm_button.click()
    assert panel.loaded.report.blocking
    assert 'color:#b2182b' in panel.report_html.value and "day-first or month-first" in panel.report_html.value
    assert "row 2" in panel.report_html.value and "What to do:" in panel.report_html.value
    panel.date_order.value = "day_first"
    panel.confirm_button.click()
    assert not panel.loaded.report.blocking
    assert load_mapping(client_folder / "mapping.yml").date_order == "day_first"


def test_unmapping_a_column_and_changing_a_scale_reach_mapping_yml(client_folder):
    shutil.copy(FEEDBACK / "clean_comma.csv", client_folder / "export.csv")
    panel = MappingPanel(client_folder)
    panel.choose_file("export.csv")
    panel.field_choices["clarity"].value = None
    panel.scale_choices["care"].value = "1-10"
    panel.confirm_and_load()
    mapping = load_mapping(client_folder / "mapping.yml")
    assert "clarity" not in mapping.pillars and mapping.pillars["care"].scale == "1-10"
    assert NOT_IN_FILE in dict(panel.field_choices["clarity"].options)


def test_set_aside_rows_are_written_to_exports(client_folder):
    shutil.copy(FEEDBACK / "warnings_mix.csv", client_folder / "export.csv")
    panel = MappingPanel(client_folder)
    panel.choose_file("export.csv")
    panel.confirm_and_load()
    assert not panel.set_aside_button.disabled
    panel.set_aside_button.click()
    with open(client_folder / "exports" / "set_aside_rows.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["file_row"] for row in rows] == ["6", "7", "8", "9"]
    assert "Wrote 4 set-aside rows to exports/set_aside_rows.csv" in panel.message.value


def test_a_mapping_naming_a_missing_file_opens_with_a_message(client_folder):
    (client_folder / "mapping.yml").write_text("source: gone.csv\n", encoding="utf-8")
    panel = MappingPanel(client_folder, load=True)
    assert panel.loaded is None and "gone.csv" in panel.message.value and "#b2182b" in panel.message.value


def test_errors_are_messages_and_nothing_typed_is_lost(client_folder):
    panel = MappingPanel(client_folder)
    panel.path.value = "not_there.csv"
    panel.read_button.click()
    assert "not_there.csv" in panel.message.value and "#b2182b" in panel.message.value
    assert "Traceback" not in panel.message.value and panel.path.value == "not_there.csv"
    panel.confirm_button.click()
    assert "Choose the feedback file first" in panel.message.value
    assert not (client_folder / "mapping.yml").exists()


def test_a_bug_while_loading_is_a_sentence_and_the_mapping_shown_is_kept(workshop_dir, monkeypatch):
    panel = MappingPanel(workshop_dir)
    chosen = panel.field_choices["expert_advice"].value

    def broken(*_args, **_kwargs):
        raise RuntimeError("the cube builder fell over")

    monkeypatch.setattr(mapping_panel, "load_workshop_feedback", broken)
    panel.confirm_button.click()
    assert "Something went wrong (RuntimeError: the cube builder fell over)" in panel.message.value
    assert "#b2182b" in panel.message.value and panel.loaded is None
    assert panel.field_choices["expert_advice"].value == chosen


def test_the_preview_is_scrubbed_and_escaped(client_folder):
    (client_folder / "hostile.csv").write_text(
        "Response ID,<script>alert(1)</script>,Quick answers,Comments\n"
        "1,<b>x</b>,7,Mail me at jo@example.com or 020 7946 0958\n", encoding="utf-8")
    panel = MappingPanel(client_folder)
    panel.choose_file("hostile.csv")
    shown = panel.preview_html.value
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "&lt;b&gt;x&lt;/b&gt;" in shown
    assert "jo@example.com" not in shown and "[email]" in shown and "[phone]" in shown


def test_report_examples_are_scrubbed_and_escaped(client_folder):
    (client_folder / "export.csv").write_text(
        "Response ID,Quick answers,Comments\n1,ring <me> on 020 7946 0958,ok\n2,8,fine\n3,9,good\n",
        encoding="utf-8")
    panel = MappingPanel(client_folder)
    panel.choose_file("export.csv")
    panel.confirm_and_load()
    shown = panel.report_html.value
    assert "no answer on the 0-10 scale" in shown and "row 2: " in shown
    assert "7946" not in shown and "[phone]" in shown and "&lt;me&gt;" in shown


def test_a_long_export_maps_questions_to_pillars(client_folder):
    shutil.copy(FEEDBACK / "long_format.csv", client_folder / "export.csv")
    panel = MappingPanel(client_folder)
    panel.choose_file("export.csv")
    assert panel.mapping.layout == "long"
    offered = [label for label, _ in panel.field_choices["speed"].options]
    assert "ResponseID" not in offered and panel.field_choices["speed"].value in offered
    loaded = panel.confirm_and_load()
    mapping = load_mapping(client_folder / "mapping.yml")
    assert mapping.pillars["speed"].question == panel.field_choices["speed"].value
    assert mapping.pillars["speed"].column is None
    assert loaded.report.responses_kept == 3 and loaded.report.rows_kept == 10


def test_the_preview_hides_columns_of_people_and_scrubs_the_rest_with_the_mappings_rules(client_folder):
    """A review export with the reviewer's name, handle and e-mail in their own columns: none is shown raw, and
    the do-not-show names saved in mapping.yml are scrubbed from the other cells."""
    (client_folder / "reviews.csv").write_text(
        "Response ID,reviewer name,Twitter handle,E-mail,Quick answers,Comments\n"
        "1,Dana Whitcombe,@dana_w,dana@example.com,7,Thanks Priya Shah and @united\n", encoding="utf-8")
    (client_folder / "mapping.yml").write_text(
        "source: reviews.csv\nfields: {response_id: Response ID, comment: Comments}\n"
        "pillars: {speed: {column: Quick answers, scale: 0-10}}\n"
        "privacy: {do_not_show: [Priya Shah], safe_patterns: []}\n", encoding="utf-8")
    panel = MappingPanel(client_folder)
    shown = panel.preview_html.value
    assert "<th>reviewer name</th>" in shown and shown.count("[hidden: personal]") == 3
    assert "Dana" not in shown and "dana" not in shown
    assert "Thanks [name] and [handle]" in shown


def test_names_in_comments_are_offered_after_a_load(client_folder):
    (client_folder / "export.csv").write_text(
        "Response ID,Quick answers,Comments\n1,8,Sarah sorted it\n2,9,Thanks to Sarah and Megan\n3,7,fine\n",
        encoding="utf-8")
    panel = MappingPanel(client_folder)
    panel.choose_file("export.csv")
    assert panel.names_html.value == ""
    panel.confirm_and_load()
    assert ("Names seen in comments (2 different, in 3 comments; add those that are people to privacy: "
            "do_not_show in mapping.yml): Sarah (2), Megan (1).") in panel.names_html.value


def test_a_pillar_left_unmapped_is_said_first_as_changing_the_story(workshop_dir):
    mapping = load_mapping(workshop_dir)
    del mapping.pillars["put_right"]
    save_mapping(mapping, workshop_dir)
    shown = MappingPanel(workshop_dir, load=True).report_html.value
    story = shown[shown.index(mapping_panel.STORY_HEADING):]
    said = "pillar &#x27;Put right without a fight&#x27; is not measured: no column or question is mapped to it"
    assert said in story and shown.count(said) == 1  # once, under the headline, not again among the warnings
