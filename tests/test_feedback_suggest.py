"""The suggested mapping judges each heading by its values too, says how sure it is of each field, and leaves
unmapped what the values argue against: tests on real CSV files read by the real reader."""
from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from workshop.feedback.load import check_feedback
from workshop.feedback.mapping import dump_mapping, mapping_from_dict
from workshop.feedback.readers import read_preview
from workshop.feedback.suggest import LIKELY, MAX_GROUPS, SURE, UNDECIDED, suggest_mapping
from workshop.promise import load_promise

from conftest import DATA

PROMISE = load_promise(DATA / "feedback" / "promise.yml")


def suggested(tmp_path, frame: pd.DataFrame):
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    return suggest_mapping(read_preview(path), PROMISE, source=path.name)


def note(mapping, field: str):
    [found] = [n for n in mapping.notes if n.field == field]
    return found


def test_a_zero_one_recommended_column_is_the_advocate_flag_never_the_recommend_question(tmp_path):
    frame = pd.DataFrame({"Review ID": range(6), "Recommended IND": [1, 0, 1, 1, 0, 1],
                          "Quick answers": [5, 4, 3, 5, 2, 4]})
    mapping = suggested(tmp_path, frame)
    assert mapping.recommend is None
    assert (mapping.advocate.column, mapping.advocate.values) == ("Recommended IND", ["1"])
    assert "never the 0–10 recommend question" in note(mapping, "advocate").reason


def test_yes_no_would_recommend_is_the_advocate_flag(tmp_path):
    frame = pd.DataFrame({"id": range(4), "Would you recommend us?": ["Yes", "No", "yes", "YES"]})
    mapping = suggested(tmp_path, frame)
    assert mapping.recommend is None and mapping.advocate.values == ["yes"]


def test_ratings_with_zero_beside_one_to_five_are_one_to_five_with_zero_not_rated(tmp_path):
    frame = pd.DataFrame({"id": range(8), "People who care": [0, 5, 4, 0, 3, 1, 5, 2]})
    mapping = suggested(tmp_path, frame)
    care = mapping.pillars["care"]
    assert (care.scale, care.missing) == ("1-5", [0])
    found = note(mapping, "pillar 'care'")
    assert found.confidence == LIKELY and "0 beside 1–5" in found.reason and "not rated" in found.reason
    assert "missing:\n    - 0" in dump_mapping(mapping)


def test_a_free_text_title_with_many_values_is_never_a_segment(tmp_path):
    rng = np.random.default_rng(3)
    titles = [f"Great {w} for the price number {i}" for i, w in enumerate(rng.choice(["dress", "top"], 1000))]
    frame = pd.DataFrame({"id": range(1000), "customer type": titles,
                          "Channel": rng.choice(["phone", "web"], 1000)})
    mapping = suggested(tmp_path, frame)
    assert "segment" not in mapping.fields and mapping.fields["touchpoint"].column == "Channel"
    found = note(mapping, "segment")
    assert found.confidence == UNDECIDED and found.column == "customer type" and "free text" in found.reason


def test_a_column_of_a_thousand_short_values_is_suggested_as_nothing(tmp_path):
    frame = pd.DataFrame({"id": range(1000), "channel": [f"store {i}" for i in range(1000)],
                          "customer type": [f"C{i:04d}" for i in range(1000)]})
    mapping = suggested(tmp_path, frame)
    assert "touchpoint" not in mapping.fields and "segment" not in mapping.fields
    assert f"it has 1,000 different values in 1,000 rows, more than a room can read (at most {MAX_GROUPS})" \
        in note(mapping, "touchpoint").reason


def test_an_outcome_label_is_never_a_touchpoint_or_segment(tmp_path):
    frame = pd.DataFrame({"id": range(6), "customer status": ["satisfied", "neutral or dissatisfied"] * 3})
    mapping = suggested(tmp_path, frame)
    assert "segment" not in mapping.fields
    assert "how a response came out" in note(mapping, "segment").reason


def test_a_rating_column_is_never_the_date(tmp_path):
    frame = pd.DataFrame({"id": range(5), "Date rating": [4, 5, 3, 2, 5], "Submitted": ["2024-03-0%d" % d
                                                                                          for d in range(1, 6)]})
    mapping = suggested(tmp_path, frame)
    assert mapping.fields["date"].column == "Submitted"
    frame = pd.DataFrame({"id": range(5), "date": [4, 5, 3, 2, 5]})
    mapping = suggested(tmp_path, frame)
    assert "date" not in mapping.fields and note(mapping, "date").confidence == UNDECIDED


def test_a_numeric_column_is_never_the_comment(tmp_path):
    frame = pd.DataFrame({"id": range(5), "Comments": [4, 5, 3, 2, 5], "Tell us more": ["a b c d e f"] * 5})
    mapping = suggested(tmp_path, frame)
    assert mapping.fields["comment"].column == "Tell us more"


def test_sentiment_labels_are_offered_as_an_overall_rating_with_their_points(tmp_path):
    frame = pd.DataFrame({"tweet_id": range(6), "airline_sentiment": ["negative", "neutral", "positive"] * 2,
                          "text": ["@united my bag never came, three days and counting now"] * 6})
    mapping = suggested(tmp_path, frame)
    assert (mapping.overall.column, mapping.overall.scale, mapping.overall.labels) == (
        "airline_sentiment", "labels", {"negative": 0.0, "neutral": 5.0, "positive": 10.0})
    assert note(mapping, "importance").reason == "derived against the overall rating ('airline_sentiment')"
    assert mapping.fields["comment"].column == "text"


def test_every_field_says_how_sure_it_is_and_the_check_prints_it(tmp_path):
    frame = pd.DataFrame({"Response ID": ["R1", "R2", "R3"], "Date": ["2024-03-01"] * 3, "Quick answers": [8, 9, 7],
                          "How likely are you to recommend us?": [10, 9, 3]})
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    check = check_feedback(path, PROMISE)
    assert note(check.mapping, "date").confidence == SURE
    assert note(check.mapping, "pillar 'care'").confidence == UNDECIDED
    text = check.to_text()
    assert "How sure the suggestion is, field by field:" in text
    assert "  - pillar 'speed' <- 'Quick answers' [sure]: heading matches pillar 'speed'; numbers 7, 8, 9; " \
           "scale 0-10" in text
    assert "importance <- 'How likely are you to recommend us?' [likely]: derived against likelihood to " \
           "recommend" in text


def test_the_notes_are_comments_in_the_saved_file_and_do_not_change_the_mapping(tmp_path):
    frame = pd.DataFrame({"id": ["a", "b"], "Quick answers": [8, 9]})
    mapping = suggested(tmp_path, frame)
    text = dump_mapping(mapping)
    assert "#   pillar 'speed' <- 'Quick answers' [sure]" in text
    assert mapping_from_dict(yaml.safe_load(text)) == mapping
