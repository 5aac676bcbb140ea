"""Mapping panel: real export files in real workshop folders, driven through the methods its buttons call."""
from __future__ import annotations

import csv
import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from workshop.feedback.mapping import load_mapping, save_mapping
from workshop.feedback.validation import STORY_HEADING
from workshop.ui import mapping_panel
from workshop.ui.mapping_panel import NOT_IN_FILE, PROMOTERS, MappingPanel

from conftest import DATA

FEEDBACK = DATA / "feedback"


def test_the_sample_opens_with_its_saved_mapping_and_loads(workshop_dir):
    panel = MappingPanel(workshop_dir, load=True)
    assert panel.path.value == "feedback.csv"
    assert panel.field_choices["expert_advice"].value == "expert_advice"
    assert panel.scores["recommend"].scale.value == "0-10"
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
    panel.field_choices["touchpoint"].value = "Comments"
    panel.field_choices["touchpoint"].value = "Channel"  # and moves the column away and back
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
    panel.field_choices["clarity"].label = NOT_IN_FILE
    panel.scores["care"].scale.value = "1-10"
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
    story = shown[shown.index(STORY_HEADING):]
    said = "pillar &#x27;Put right without a fight&#x27; is not measured: no column or question is mapped to it"
    assert said in story and shown.count(said) == 1  # once, under the headline, not again among the warnings


REVIEWS = ("Review ID,Quick answers,People who care,Recommended,Overall rating,Sentiment,Review <b>text</b>\n"
           "1,7,0,1,4,positive,Quick and kind staff at the branch\n"
           "2,8,5,0,2,negative,Waited a long time for someone to call back\n"
           "3,9,4,1,5,positive,Sorted it out in one call thank you\n"
           "4,6,0,1,3,neutral,Fine but the bill was confusing again\n"
           "5,8,3,0,1,negative,Nobody answered my emails for a week\n"
           "6,7,1,1,4,positive,Good service overall and quick too\n")
"""A review export as the real ones come: no date, 0 beside 1-5 meaning 'not rated', a 0/1 'recommended' flag,
an overall rating, sentiment words and a heading with markup in it."""


@pytest.fixture
def reviews_panel(client_folder) -> MappingPanel:
    (client_folder / "reviews.csv").write_text(REVIEWS, encoding="utf-8")
    panel = MappingPanel(client_folder)
    panel.choose_file("reviews.csv")
    return panel


def test_the_suggestions_notes_show_what_it_left_for_you_first_and_escaped(reviews_panel):
    shown = reviews_panel.notes_html.value
    undecided, likely, sure = (shown.index(title) for title in
                               ("Left for you to decide (4)", "Likely: check these", "Sure ("))
    assert undecided < likely < sure
    assert "date &lt;- nothing [left for you]: no column reads as dates" in shown[undecided:likely]
    assert "pillar &#x27;clarity&#x27; &lt;- nothing [left for you]" in shown[undecided:likely]
    assert "advocate &lt;- &#x27;Recommended&#x27; [likely]" in shown[likely:sure]
    assert "<b>text</b>" not in shown and "Review &lt;b&gt;text&lt;/b&gt;" in shown[sure:]


def test_each_scale_choice_shows_its_name_and_rule_and_saves_its_id(reviews_panel, client_folder):
    scale = reviews_panel.scores["overall"].scale
    assert ("1-5 — 1 to 5: (x − 1) × 2.5", "1-5") in scale.options and scale.value == "1-5"
    assert ("labels — the column's own labels (labels: in mapping.yml): each label as the points given",
            "labels") in scale.options
    scale.value = "1-7"
    reviews_panel.confirm_and_load()
    assert load_mapping(client_folder / "mapping.yml").overall.scale == "1-7"


def test_zero_beside_one_to_five_shows_as_a_missing_code_and_the_rule_follows_what_is_typed(reviews_panel):
    care = reviews_panel.scores["care"]
    rule = care.rule
    assert (care.scale.value, care.missing.value) == ("1-5", "0")
    assert "Rule: 1-5: (x − 1) × 2.5; 0 is not answered" in rule.value
    care.missing.value = "0, n/a, 99"
    assert care.rule is rule and "Rule: 1-5: (x − 1) × 2.5; 0, 99, n/a are not answered" in rule.value
    care.scale.value = "1-7"
    assert "Rule: 1-7: (x − 1) × 10/6; 0, 99, n/a are not answered" in rule.value


def test_typed_missing_codes_and_labels_stay_as_other_fields_move_and_reach_mapping_yml(reviews_panel,
                                                                                       client_folder):
    panel = reviews_panel
    speed, clarity = panel.scores["speed"], panel.scores["clarity"]
    speed.missing.value = "n/a, 99"
    panel.field_choices["clarity"].value = "Sentiment"
    clarity.scale.value = "labels"
    clarity.labels.value = "Negative=0, neutral=4.5, positive=10"
    assert "Rule: labels: &#x27;negative&#x27; → 0, &#x27;neutral&#x27; → 4.5" in clarity.rule.value
    panel.scores["care"].scale.value = "1-10"  # the facilitator moves other fields before confirming
    panel.field_choices["recommend"].value = "Quick answers"
    panel.date_order.value = "day_first"
    clarity.scale.value = "1-5"
    clarity.scale.value = "labels"
    assert speed.missing.value == "n/a, 99" and clarity.labels.value == "Negative=0, neutral=4.5, positive=10"
    panel.confirm_and_load()
    saved = load_mapping(client_folder / "mapping.yml")
    assert saved.pillars["speed"].missing == ["n/a", 99]
    assert saved.pillars["care"].missing == [0] and saved.pillars["care"].scale == "1-10"
    assert saved.pillars["clarity"].scale == "labels"
    assert saved.pillars["clarity"].labels == {"Negative": 0.0, "neutral": 4.5, "positive": 10.0}


def test_labels_that_cannot_be_read_are_named_and_nothing_typed_is_lost(reviews_panel, client_folder):
    panel = reviews_panel
    clarity = panel.scores["clarity"]
    panel.field_choices["clarity"].value = "Sentiment"
    clarity.scale.value = "labels"
    clarity.labels.value = "negative=0, neutral, positive=10"
    clarity.missing.value = "unsure"
    expected = ("Clear bills (pillar): the labels &#x27;negative=0, neutral, positive=10&#x27; cannot be read at "
                "&#x27;neutral&#x27;")
    assert expected in clarity.rule.value and "#b2182b" in clarity.rule.value
    panel.confirm_button.click()
    assert expected in panel.message.value and "#b2182b" in panel.message.value
    assert not (client_folder / "mapping.yml").exists()
    assert clarity.labels.value == "negative=0, neutral, positive=10" and clarity.missing.value == "unsure"
    assert panel.field_choices["clarity"].value == "Sentiment"
    clarity.labels.value = "negative=0, neutral=5, positive=12"
    panel.confirm_button.click()
    assert "pillar &#x27;clarity&#x27;" in panel.message.value and "must be points from 0 to 10" in panel.message.value
    assert not (client_folder / "mapping.yml").exists()


def test_the_overall_rating_has_its_own_row_and_can_be_unmapped(reviews_panel, client_folder):
    panel = reviews_panel
    assert panel.field_choices["overall"].value == "Overall rating"
    assert panel.field_choices["overall"].description == "overall rating"
    panel.confirm_and_load()
    assert load_mapping(client_folder / "mapping.yml").overall.column == "Overall rating"
    panel.field_choices["overall"].label = NOT_IN_FILE
    panel.confirm_and_load()
    assert load_mapping(client_folder / "mapping.yml").overall is None


def test_a_choice_of_nothing_reads_as_such_on_screen(client_folder):
    """Unmapped fields, untranslated touchpoints and promoters as advocates show their words, not a blank."""
    shutil.copy(FEEDBACK / "semicolon_cp1252.csv", client_folder / "export.csv")
    panel = MappingPanel(client_folder)
    panel.choose_file("export.csv")
    assert panel.field_choices["segment"].label == NOT_IN_FILE and panel.advocate_column.label == PROMOTERS
    panel.touchpoint_choices["Shop"].label = "(keep as written)"
    panel.confirm_and_load()
    assert panel.touchpoint_choices["Shop"].label == "(keep as written)"
    assert "Shop" not in load_mapping(client_folder / "mapping.yml").touchpoints


def test_the_advocate_flag_suggested_from_a_yes_no_column_can_be_changed(reviews_panel, client_folder):
    panel = reviews_panel
    assert (panel.advocate_column.value, panel.advocate_values.value) == ("Recommended", "1")
    panel.advocate_column.value = "Sentiment"
    panel.advocate_values.value = ""
    panel.confirm_button.click()
    assert "Advocates: type the values of &#x27;Sentiment&#x27; that mark an advocate" in panel.message.value
    assert not (client_folder / "mapping.yml").exists()
    panel.advocate_values.value = "positive, neutral "
    panel.confirm_and_load()
    advocate = load_mapping(client_folder / "mapping.yml").advocate
    assert (advocate.column, advocate.values) == ("Sentiment", ["positive", "neutral"])
    assert panel.loaded.explorer["advocate"].sum() == 4
    panel.advocate_column.label = PROMOTERS
    panel.confirm_and_load()
    assert load_mapping(client_folder / "mapping.yml").advocate is None


def test_the_panel_shows_the_report_in_the_words_workshop_check_prints(reviews_panel):
    """One wording of the report: every line `workshop check` prints is a line of the panel's report, the
    score rules included."""
    panel = reviews_panel
    panel.field_choices["clarity"].value = "Sentiment"
    panel.scores["clarity"].scale.value = "labels"
    panel.scores["clarity"].labels.value = "negative=0, neutral=5, positive=10, <b>great</b>=10"
    panel.scores["speed"].scale.value = "1-5"  # 6 to 9 on 1-5: out of range, with examples
    loaded = panel.confirm_and_load()
    shown = panel.report_html.value
    assert "<b>great</b>" not in shown
    shown_lines = {html.unescape(text).strip() for text in re.split(r"<[^>]+>", shown)} - {""}
    printed = [line.strip().removeprefix("- ") for line in loaded.report.to_text().splitlines()]
    assert [line for line in printed if line.rstrip(":") not in shown_lines] == []
    assert any(line.startswith("clarity <- column 'Sentiment' (labels: 'negative' → 0, 'neutral' → 5, "
                               "'positive' → 10, '<b>great</b>' → 10): 6 scored") for line in shown_lines)
    assert any(line.startswith("row 2: ") for line in shown_lines) and "Warnings" in shown_lines


def test_a_mapping_confirmed_over_another_tabs_newer_one_is_refused_and_kept(reviews_panel, client_folder):
    other_tab = MappingPanel(client_folder)
    other_tab.choose_file("reviews.csv")
    other_tab.confirm_and_load()
    saved = (client_folder / "mapping.yml").read_bytes()
    reviews_panel.scores["care"].missing.value = "0, 99"
    reviews_panel.confirm_button.click()
    assert "changed in another tab — reload to see it" in reviews_panel.message.value
    assert reviews_panel.scores["care"].missing.value == "0, 99", "what was typed stays on screen"
    assert (client_folder / "mapping.yml").read_bytes() == saved
    other_tab.scores["care"].missing.value = "0, 99"
    other_tab.confirm_and_load()
    assert load_mapping(client_folder / "mapping.yml").pillars["care"].missing == [0, 99]


def test_reading_the_file_again_keeps_every_choice_made_on_screen(reviews_panel, client_folder):
    """STYLE rule 11: 'Read the file' pressed again (a second click, another header row) used to rebuild the
    dropdowns from the suggestion, losing every correction made to it."""
    panel = reviews_panel
    panel.field_choices["clarity"].value = "Sentiment"
    panel.scores["clarity"].scale.value = "labels"
    panel.scores["clarity"].labels.value = "negative=0, neutral=5, positive=10"
    panel.scores["speed"].missing.value = "n/a, 99"
    panel.field_choices["overall"].label = NOT_IN_FILE
    panel.date_order.value = "day_first"
    panel.read_button.click()
    assert panel.field_choices["clarity"].value == "Sentiment"
    assert (panel.scores["clarity"].scale.value, panel.scores["clarity"].labels.value) == (
        "labels", "negative=0, neutral=5, positive=10")
    assert panel.scores["speed"].missing.value == "n/a, 99"
    assert (panel.field_choices["overall"].value, panel.date_order.value) == ("", "day_first")
    panel.confirm_and_load()
    saved = load_mapping(client_folder / "mapping.yml")
    assert saved.pillars["clarity"].labels == {"negative": 0.0, "neutral": 5.0, "positive": 10.0}
    assert saved.pillars["speed"].missing == ["n/a", 99] and saved.overall is None
    assert saved.date_order == "day_first"


def test_reading_the_file_again_keeps_the_touchpoint_translations_chosen(client_folder):
    shutil.copy(FEEDBACK / "semicolon_cp1252.csv", client_folder / "export.csv")
    panel = MappingPanel(client_folder)
    panel.choose_file("export.csv")
    panel.touchpoint_choices["Shop"].value = "web"
    panel.read_button.click()
    assert panel.touchpoint_choices["Shop"].value == "web"
    panel.confirm_and_load()
    assert load_mapping(client_folder / "mapping.yml").touchpoints["Shop"] == "web"


class _PreviewTable(HTMLParser):
    """The preview's table as the browser reads it: each heading's text and each cell's text and style."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.rows: list[list[tuple[str, str]]] = []
        self._cell: list[str] | None = None
        self._style = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell, self._style = [], dict(attrs).get("style") or ""
        elif tag == "br" and self._cell is not None:
            self._cell.append(" / ")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell).strip()
            if tag == "th":
                self.headings.append(text)
            else:
                self.rows[-1].append((text, self._style))
            self._cell = None


def test_the_preview_heads_each_column_with_what_the_mapping_reads_it_as_and_never_breaks_a_date(workshop_dir):
    """The rehearsal's notebook 02 showed the file's ids as headings (on_time_delivery) and dates broken at a
    hyphen (2025-04- / 01): each mapped column is headed by its name in the workshop, the file's own heading under
    it where it is not the same words, and no cell but the comment wraps; a dropdown moved renames the heading."""
    panel = MappingPanel(workshop_dir)
    table = _PreviewTable()
    table.feed(panel.preview_html.value)
    assert table.headings[:6] == ["response id", "date", "touchpoint", "segment",
                                  "Delivered when we say / on_time_delivery",
                                  "Advice from people who know / expert_advice"]
    assert {"Made to last", "recommend", "comment"} <= set(table.headings)
    date = table.headings.index("date")
    comment = table.headings.index("comment")
    cells = [row for row in table.rows if row]
    assert cells and all(re.fullmatch(r"\d{4}-\d\d-\d\d", row[date][0]) for row in cells)
    assert all("white-space:nowrap" in style for row in cells for i, (_, style) in enumerate(row) if i != comment)
    assert all("white-space:nowrap" not in row[comment][1] for row in cells)

    panel.field_choices["on_time_delivery"].value = "expert_advice"
    table = _PreviewTable()
    table.feed(panel.preview_html.value)
    assert "on_time_delivery" in table.headings
    assert "Delivered when we say, Advice from people who know / expert_advice" in table.headings
