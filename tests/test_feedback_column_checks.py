"""A column's own missing codes and labels, and the whole-file judgements of its answers (two scales mixed,
advice that names what was seen, dates that cannot carry the story), on real CSV files through the loader."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workshop.feedback.load import NOT_MAPPED, check_feedback, load_feedback
from workshop.feedback.mapping import dump_mapping, mapping_from_dict
from workshop.feedback.scales import Answer, AnswerRule
from workshop.feedback.validation import BLOCKING, WARNING
from workshop.promise import load_promise

from conftest import DATA

PROMISE = load_promise(DATA / "feedback" / "promise.yml")
NO_DATE_COLUMN = ("no date column is mapped: every response is undated, so no view can show months, a trend or "
                  "today's experience apart from last year's")


def measured(issues) -> list:
    """The issues, less the promise's pillars these small files do not measure (said elsewhere)."""
    return [issue for issue in issues if NOT_MAPPED not in issue.message]


def write(tmp_path, frame: pd.DataFrame, name: str = "export.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def mapping(**pillars) -> object:
    return mapping_from_dict({"fields": {"response_id": "id"}, "pillars": pillars})


# --- missing codes ----------------------------------------------------------------------------------------


def test_answer_rule_missing_codes_match_numbers_by_value_and_text_folded():
    rule = AnswerRule.of("1-5", [0, "Not Rated ", "99"])
    for value in (0, 0.0, "0", " 0 ", "not  rated", "99", 99.0):
        assert rule.convert(value)[1] == Answer.MISSING_CODE, value
    assert rule.convert(3) == (5.0, Answer.SCORED)
    assert rule.convert(6)[1] == Answer.OUT_OF_RANGE
    assert rule.rule == "1-5: (x − 1) × 2.5; 0, 99, not rated are not answered"


def test_zero_as_not_rated_counts_as_not_answered_never_as_a_score(tmp_path):
    frame = pd.DataFrame({"id": range(1, 9), "Service": [0, 5, 4, 0, 3, 5, 0, 1],
                          "comment": ["ok"] * 8})
    path = write(tmp_path, frame)
    as_missing = mapping_from_dict({"fields": {"response_id": "id", "comment": "comment"},
                                    "pillars": {"care": {"column": "Service", "scale": "1-5", "missing": [0]}}})
    loaded = load_feedback(path, as_missing, PROMISE)
    assert sorted(loaded.explorer["care"].dropna()) == [0.0, 5.0, 8.0, 10.0, 10.0]
    tally = loaded.report.tallies[0]
    assert (tally.scored, tally.coded_missing, tally.out_of_range) == (5, 3, 0)
    text = loaded.report.to_text()
    assert "care <- column 'Service' (1-5: (x − 1) × 2.5; 0 is not answered): 5 scored, 3 not answered " \
           "(3 of them by the column's missing codes)" in text
    assert not loaded.report.blocking


def test_zero_on_a_one_to_five_scale_blocks_with_advice_to_declare_the_missing_code(tmp_path):
    frame = pd.DataFrame({"id": range(1, 11), "Service": [0, 0, 0, 0, 0, 0, 4, 5, 3, 0]})
    report = check_feedback(write(tmp_path, frame), PROMISE,
                            mapping(care={"column": "Service", "scale": "1-5"})).report
    [issue] = report.blocking
    assert issue.message.startswith("is mostly outside the 1-5 scale (7 of 10 answers)")
    assert "missing: [0]" in issue.fix and "0-100" not in issue.fix
    assert [value for _, value in issue.examples] == ["'0'"]


def test_missing_codes_round_trip_through_mapping_yml():
    source = {"column": "Service", "scale": "1-5", "missing": [0, "n/a"]}
    text = dump_mapping(mapping(care=source))
    assert "missing:\n    - 0\n    - n/a" in text
    again = mapping_from_dict({"fields": {"response_id": "id"}, "pillars": {"care": source}})
    assert again.pillars["care"].missing == [0, "n/a"]


@pytest.mark.parametrize("missing", [[True], [], [""], {"zero": 0}])
def test_bad_missing_codes_are_refused_with_how_to_write_them(missing):
    with pytest.raises(Exception) as error:
        mapping(care={"column": "Service", "scale": "1-5", "missing": missing})
    assert "pillar 'care', field 'missing': must list the answers that mean 'not answered'" in str(error.value)
    assert "missing: [0]" in str(error.value)


# --- label scales -----------------------------------------------------------------------------------------


def test_sentiment_labels_are_read_by_the_points_mapping_yml_gives_them(tmp_path):
    frame = pd.DataFrame({"id": range(1, 7), "sentiment": ["negative", "Neutral", "positive", "positive",
                                                          "NEGATIVE ", "meh"], "comment": ["x"] * 6})
    the_mapping = mapping_from_dict({
        "fields": {"response_id": "id", "comment": "comment"},
        "pillars": {"care": {"column": "sentiment", "labels": {"negative": 0, "neutral": 5, "positive": 10}}}})
    assert the_mapping.pillars["care"].scale == "labels"
    loaded = load_feedback(write(tmp_path, frame), the_mapping, PROMISE)
    assert sorted(loaded.explorer["care"].dropna()) == [0.0, 0.0, 5.0, 10.0, 10.0]
    assert "care <- column 'sentiment' (labels: 'negative' → 0, 'neutral' → 5, 'positive' → 10)" \
        in loaded.report.to_text()
    [warning] = [i for i in loaded.report.warnings if "no answer on the labels scale" in i.message]
    assert warning.count == 1 and warning.examples[0][1] == "'meh'"


def test_a_label_column_the_kit_cannot_read_gets_a_labels_block_to_fill_in(tmp_path):
    frame = pd.DataFrame({"id": range(1, 7), "sentiment": ["negative", "neutral", "positive"] * 2})
    report = check_feedback(write(tmp_path, frame), PROMISE, mapping(care={"column": "sentiment"})).report
    [issue] = [i for i in report.blocking if i.column == "sentiment"]
    assert issue.message == "is mostly text that is no answer on the 0-10 scale (6 of 6 answers)"
    assert "{column: sentiment, scale: labels, labels: {negative: ?, neutral: ?, positive: ?}}" in issue.fix


@pytest.mark.parametrize("source, problem", [
    ({"column": "s", "scale": "labels"}, "go with 'scale: labels', and that scale needs its labels"),
    ({"column": "s", "scale": "1-5", "labels": {"good": 10}}, "go with 'scale: labels'"),
    ({"column": "s", "labels": {"good": 11}}, "field 'labels: good': must be points from 0 to 10"),
    ({"column": "s", "labels": ["good", "bad"]}, "must be a set of 'label: points' lines"),
])
def test_bad_label_scales_are_refused(source, problem):
    with pytest.raises(Exception) as error:
        mapping(care=source)
    assert problem in str(error.value)


# --- two scales in one column -----------------------------------------------------------------------------


def test_answers_of_two_scales_mixed_in_the_same_months_block_with_counts(tmp_path):
    rng = np.random.default_rng(7)
    answers = list(rng.integers(1, 6, 80)) + list(rng.integers(6, 11, 20))
    rng.shuffle(answers)
    frame = pd.DataFrame({"id": range(100), "date": ["2024-03-01"] * 100, "Service": answers})
    the_mapping = mapping_from_dict({"fields": {"response_id": "id", "date": "date"},
                                     "pillars": {"care": {"column": "Service", "scale": "1-5"}}})
    report = check_feedback(write(tmp_path, frame), PROMISE, the_mapping).report
    [issue] = [i for i in report.issues.values() if "two scales" in i.message]
    assert issue.severity == BLOCKING and issue.headline
    assert issue.message == ("looks like two scales in one column: 80 answers from 1 to 5 and 20 from 6 to 10 (20% "
                             "of its answers); the two are mixed in the same months, so no answer can be told apart")


def test_a_scale_that_changes_at_a_month_names_the_month(tmp_path):
    dates = ["2024-01-15"] * 40 + ["2024-02-10"] * 40 + ["2024-03-05"] * 40
    answers = [1, 2, 3, 4, 5] * 16 + [1, 4, 6, 7, 8, 9, 10, 10] * 5
    frame = pd.DataFrame({"id": range(120), "date": dates, "Service": answers})
    the_mapping = mapping_from_dict({"fields": {"response_id": "id", "date": "date"},
                                     "pillars": {"care": {"column": "Service", "scale": "0-10"}}})
    report = check_feedback(write(tmp_path, frame), PROMISE, the_mapping).report
    [issue] = [i for i in report.issues.values() if "two scales" in i.message]
    assert "up to 2024-02 every answer is 5 or less, from 2024-03 answers reach 10" in issue.message


@pytest.mark.parametrize("answers", [[10, 9, 9, 8, 10, 7, 3, 6, 10, 9] * 10,
                                     [1, 2, 3, 4, 5, 2, 3, 8, 9, 4] * 10])
def test_a_real_zero_to_ten_question_is_not_two_scales_whether_answered_high_or_low(tmp_path, answers):
    """A pillar the company fails is answered mostly 5 or under with a block above: a finding, not two scales."""
    frame = pd.DataFrame({"id": range(100), "Service": answers})
    report = check_feedback(write(tmp_path, frame), PROMISE, mapping(care={"column": "Service"})).report
    assert [i.message for i in measured(report.issues.values())] == [NO_DATE_COLUMN]


def test_a_few_six_to_tens_beside_a_one_to_five_scale_warn_without_blocking(tmp_path):
    answers = [1, 2, 3, 4, 5] * 40 + [7] * 12
    frame = pd.DataFrame({"id": range(len(answers)), "Service": answers})
    report = check_feedback(write(tmp_path, frame), PROMISE, mapping(care={"column": "Service", "scale": "1-5"})).report
    [issue] = [i for i in report.issues.values() if "two scales" in i.message]
    assert issue.severity == WARNING and "12 from 6 to 10 (6% of its answers)" in issue.message


# --- dates that cannot carry the story --------------------------------------------------------------------


def test_no_date_column_is_said_in_words(tmp_path):
    frame = pd.DataFrame({"id": [1, 2, 3], "Service": [9, 8, 7]})
    report = check_feedback(write(tmp_path, frame), PROMISE, mapping(care={"column": "Service"})).report
    [issue] = measured(report.warnings)
    assert issue.headline and issue.message == NO_DATE_COLUMN


def test_mostly_unreadable_dates_block(tmp_path):
    frame = pd.DataFrame({"id": range(25), "when": ["4.5"] * 24 + ["2024-03-01"], "Service": [8] * 25})
    the_mapping = mapping_from_dict({"fields": {"response_id": "id", "date": "when"},
                                     "pillars": {"care": {"column": "Service"}}})
    report = check_feedback(write(tmp_path, frame), PROMISE, the_mapping).report
    [issue] = [i for i in report.blocking if i.column == "when"]
    assert issue.message.startswith("most dates are not dates the kit can read (24 of 25)")


def test_a_thirteen_year_span_is_a_headline(tmp_path):
    frame = pd.DataFrame({"id": range(3), "when": ["2011-02-01", "2018-06-01", "2024-01-31"], "Service": [8, 9, 7]})
    the_mapping = mapping_from_dict({"fields": {"response_id": "id", "date": "when"},
                                     "pillars": {"care": {"column": "Service"}}})
    report = check_feedback(write(tmp_path, frame), PROMISE, the_mapping).report
    [issue] = measured(report.warnings)
    assert issue.headline
    assert issue.message == ("the responses span 13 years (2011-02 to 2024-01): older answers are not today's "
                             "experience")
