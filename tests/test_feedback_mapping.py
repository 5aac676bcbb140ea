"""mapping.yml: suggested from headings and values, saved and read back, and checked with clear messages."""
from __future__ import annotations

import pytest
import yaml

from workshop.feedback.client_values import resolve_values
from workshop.feedback.mapping import (
    FeedbackMapping, Source, load_mapping, mapping_issues, save_mapping,
)
from workshop.feedback.readers import read_preview
from workshop.feedback.suggest import suggest_mapping, suggest_value_map
from workshop.errors import FeedbackError
from workshop.promise import load_promise

from conftest import DATA, SAMPLE

FEEDBACK = DATA / "feedback"
PROMISE = load_promise(FEEDBACK / "promise.yml")


def suggested(name: str, promise=PROMISE) -> FeedbackMapping:
    return suggest_mapping(read_preview(FEEDBACK / name), promise, source=name)


def test_sample_maps_itself_with_no_correction():
    promise = load_promise(SAMPLE)
    mapping = suggest_mapping(read_preview(SAMPLE / "feedback.csv"), promise, source="feedback.csv")
    assert {k: s.column for k, s in mapping.fields.items()} == {
        "response_id": "response_id", "date": "date", "touchpoint": "touchpoint", "segment": "segment",
        "comment": "comment"}
    assert {p: (s.column, s.scale) for p, s in mapping.pillars.items()} == {p: (p, "0-10") for p in promise.pillar_ids}
    assert (mapping.recommend.column, mapping.recommend.scale) == ("recommend", "0-10")
    assert mapping.touchpoints == {} and mapping.layout == "wide"


def test_the_committed_sample_mapping_is_the_suggestion():
    promise = load_promise(SAMPLE)
    mapping = suggest_mapping(read_preview(SAMPLE / "feedback.csv"), promise, source="feedback.csv")
    assert load_mapping(SAMPLE) == mapping


def test_client_wording_is_matched():
    mapping = suggested("clean_comma.csv")
    assert {k: s.column for k, s in mapping.fields.items()} == {
        "response_id": "Response ID", "date": "Date", "touchpoint": "Channel", "segment": "Customer type",
        "comment": "Comments"}
    assert {p: s.column for p, s in mapping.pillars.items()} == {
        "speed": "Quick answers", "care": "People who care", "clarity": "Clear bills"}
    assert mapping.recommend.column == "How likely are you to recommend us?"


def test_touchpoint_values_said_differently_get_a_translation():
    mapping = suggested("semicolon_cp1252.csv")
    assert mapping.touchpoints == {"Call centre": "phone", "TEL": "phone", "Shop": "store"}
    assert suggest_value_map(["Phone", "WEB ", "", "n/a", "Carrier pigeon"], ["phone", "web"]) == {}


def test_values_resolve_through_the_map_then_known_spellings():
    values, known = resolve_values(["TEL", "Phone ", "Carrier Pigeon", "Web"], {"tel": "phone"}, ["phone", "web"])
    assert values == ["phone", "phone", "carrier_pigeon", "web"]
    assert known == [True, True, False, True]
    assert resolve_values(["Consumer", "consumer "], {}, [])[0] == ["consumer", "consumer"]


def test_long_layout_is_detected_and_questions_matched_to_pillars():
    mapping = suggested("long_format.csv")
    assert (mapping.layout, mapping.question_column, mapping.answer_column) == ("long", "Question", "Answer")
    assert {p: (s.question, s.scale) for p, s in mapping.pillars.items()} == {
        "speed": ("How quickly did we answer? (1-5)", "1-5"),
        "care": ("Did the person care?", "likert5"),
        "clarity": ("Was your bill clear?", "0-10")}
    assert mapping.recommend.question == "How likely are you to recommend us?"
    assert mapping.fields["comment"].question == "Anything else?"
    assert mapping.fields["response_id"].column == "ResponseID"
    assert mapping.fields["date"].column == "Submitted"


def test_workbook_sheet_and_heading_row_are_kept_in_the_mapping():
    mapping = suggested("title_block.xlsx")
    assert (mapping.sheet, mapping.header_row) == ("Responses", 4)
    assert mapping.recommend.column == "NPS"


def test_save_and_load_round_trip(tmp_path):
    mapping = suggested("long_format.csv")
    mapping.touchpoints = {"Call centre": "phone"}
    mapping.privacy = {"do_not_show": ["Rhys Abernathy"], "safe_patterns": [r"ORD-\d{6}"]}
    from workshop.feedback.mapping import AdvocateRule
    mapping.advocate = AdvocateRule("Loyalty", ["Gold", "Platinum"])
    save_mapping(mapping, tmp_path)
    written = tmp_path / "mapping.yml"
    assert load_mapping(written) == mapping
    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert data["privacy"] == {"do_not_show": ["Rhys Abernathy"], "safe_patterns": [r"ORD-\d{6}"]}


def write(tmp_path, text):
    path = tmp_path / "mapping.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_problem_in_a_hand_edited_mapping_is_listed(tmp_path):
    path = write(tmp_path, """
source: feedback.csv
format: {layout: sideways, header_row: 0}
fields: {response_id: id, dat: when}
recommend: {column: NPS, scale: 0-11}
pillars:
  speed: Quick
  care: {column: Care, question: "Care?", scale: 1-5}
date_order: yearfirst
privacy: {safe_patterns: ["ORD-(\\\\d"]}
""")
    with pytest.raises(FeedbackError) as caught:
        load_mapping(path)
    text = str(caught.value)
    for expected in ("format, field 'layout'", "field 'header_row'", "fields, field 'dat': unknown key. Did you mean 'date'?",
                     "recommend, field 'scale': is not a scale the kit knows (found '0-11'). Did you mean '0-10'?",
                     "pillar 'speed': must give 'column' (or 'question') and 'scale'",
                     "pillar 'care': needs exactly one of 'column' or 'question'",
                     "field 'date_order'", "field 'safe_patterns': is not a valid pattern"):
        assert expected in text
    assert str(path) in text


def test_questions_are_refused_in_the_wide_layout(tmp_path):
    path = write(tmp_path, "pillars: {speed: {question: 'How fast?', scale: 0-10}}\n")
    with pytest.raises(FeedbackError, match="only for the long layout"):
        load_mapping(path)


def test_long_layout_needs_its_columns(tmp_path):
    path = write(tmp_path, "format: {layout: long}\npillars: {speed: {question: 'How fast?', scale: 0-10}}\n")
    with pytest.raises(FeedbackError) as caught:
        load_mapping(path)
    assert "question_column" in str(caught.value) and "response_id" in str(caught.value)


def test_broken_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "source: x.csv\npillars:\n  speed: {column: a\n")
    with pytest.raises(FeedbackError, match="line 4|line 3"):
        load_mapping(path)


def test_missing_mapping_file_says_how_to_make_one(tmp_path):
    with pytest.raises(FeedbackError, match="--save-mapping"):
        load_mapping(tmp_path)


def test_mapping_issues_against_the_file_and_promise():
    mapping = FeedbackMapping(fields={"date": Source(column="Datum")},
                              pillars={"speed": Source(column="Speed", scale="0-10"),
                                       "loudness": Source(column="Date", scale="0-10")})
    issues = mapping_issues(mapping, ["Date", "Speed "], PROMISE)
    assert ("is named in mapping.yml but is not in the file", "Datum") == issues[0][:2]
    assert "Did you mean 'Date'?" in issues[0][2]
    assert issues[1][:2] == ("is named in mapping.yml but is not in the file", "Speed")
    assert issues[2][0] == "is mapped to pillar 'loudness', which is not in the promise"
    assert len(issues) == 3
    nothing = mapping_issues(FeedbackMapping(), ["Date"], PROMISE)
    assert nothing[0][0].startswith("no pillar is mapped")


def test_pillars_mapped_only_to_unknown_ids_are_not_called_unmapped():
    """Two pillars mapped to columns, neither in the promise: the summary says so, not 'no pillar is mapped'."""
    mapping = FeedbackMapping(pillars={"loudness": Source(column="Date", scale="0-10"),
                                       "pace": Source(column="Speed", scale="0-10")})
    issues = [message for message, _, _ in mapping_issues(mapping, ["Date", "Speed"], PROMISE)]
    assert not any(message.startswith("no pillar is mapped") for message in issues)
    assert issues[-1].startswith("none of the mapped pillars (loudness, pace) is in the promise")
    assert len(issues) == 3


def test_format_encoding_and_delimiter_are_checked(tmp_path):
    """A mistyped encoding or a delimiter of more than one character is a mapping problem naming the key,
    not a LookupError or TypeError from deep inside the reader."""
    path = write(tmp_path, "format: {encoding: utf8-bom, delimiter: ';;'}\n")
    with pytest.raises(FeedbackError) as caught:
        load_mapping(path)
    text = str(caught.value)
    assert "format, field 'encoding': is not an encoding Python knows (found 'utf8-bom')" in text
    assert "format, field 'delimiter': must be one character (found ';;')" in text


@pytest.mark.parametrize("written", ["'\\t'", "\\t", "tab", "TAB"])
def test_a_tab_delimiter_may_be_written_as_a_word_or_an_escape(tmp_path, written):
    assert load_mapping(write(tmp_path, f"format: {{delimiter: {written}}}\n")).delimiter == "\t"


def test_long_questions_written_with_stray_spaces_are_suggested_tidy_with_their_scale(tmp_path):
    """Survey tools pad question labels ("Did the person care? "): the suggestion names the question once,
    tidy, and still guesses its scale from its answers."""
    path = tmp_path / "long.csv"
    path.write_text("ResponseID,Question,Answer\n"
                    "R1,Did the person care? ,Agree\n"
                    "R2,Did  the person care?,Strongly disagree\n"
                    "R3,Did the person care? ,Neither agree nor disagree\n", encoding="utf-8")
    mapping = suggest_mapping(read_preview(path), PROMISE)
    assert (mapping.pillars["care"].question, mapping.pillars["care"].scale) == ("Did the person care?", "likert5")


def test_a_mapping_saved_against_the_stamp_read_refuses_once_the_file_changed(tmp_path):
    from workshop.errors import StaleFileError
    from workshop.files import NO_FILE, stamp_of

    mapping = load_mapping(SAMPLE / "mapping.yml")
    read = save_mapping(mapping, tmp_path, expected=NO_FILE)
    edited = (tmp_path / "mapping.yml").read_text(encoding="utf-8") + "# corrected by hand\n"
    (tmp_path / "mapping.yml").write_text(edited, encoding="utf-8")
    with pytest.raises(StaleFileError, match="changed in another tab"):
        save_mapping(mapping, tmp_path, expected=read)
    assert (tmp_path / "mapping.yml").read_text(encoding="utf-8") == edited
    assert save_mapping(mapping, tmp_path, expected=stamp_of(tmp_path / "mapping.yml")) == stamp_of(
        tmp_path / "mapping.yml")
