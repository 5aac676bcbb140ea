"""Scale conversions to 0-10: every scale's stated rule, missing markers, and guessing a column's scale."""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from workshop.feedback.scales import (
    MISSING_MARKERS, SCALES, Answer, AnswerRule, convert_answer, guess_scale, is_missing, round_half_up, scale_table,
)


def points(value, scale_id):
    return convert_answer(value, SCALES[scale_id])


@pytest.mark.parametrize("scale_id, answers, expected", [
    ("0-10", [0, 3, 7.5, 10], [0, 3, 8, 10]),
    ("1-10", [1, 2, 5, 6, 9, 10], [0, 1, 4, 6, 9, 10]),
    ("1-5", [1, 2, 3, 4, 5], [0, 3, 5, 8, 10]),
    ("1-7", [1, 2, 3, 4, 5, 6, 7], [0, 2, 3, 5, 7, 8, 10]),
    ("0-100", [0, 44, 45, 84, 85, 100], [0, 4, 5, 8, 9, 10]),
    ("percent", ["85%", "45 %", "0%", "100%"], [9, 5, 0, 10]),
    ("stars", ["★★★★☆", "4/5", "4 of 5", "4 out of 5", "1 star", "5 stars", "★☆☆☆☆", "3/5", "★★★"],
     [8, 8, 8, 8, 0, 10, 0, 5, 5]),
    ("likert5", ["Strongly disagree", "disagree", "Neither agree nor disagree", "Agree", "STRONGLY AGREE"],
     [0, 3, 5, 8, 10]),
    ("likert5", ["very dissatisfied", "Dissatisfied", "neutral", "satisfied", "Very  Satisfied"],
     [0, 3, 5, 8, 10]),
    ("likert7", ["Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree",
                 "Somewhat agree", "Agree", "Strongly agree"], [0, 2, 3, 5, 7, 8, 10]),
])
def test_each_scale_follows_its_stated_rule(scale_id, answers, expected):
    assert [points(a, scale_id) for a in answers] == [(float(e), Answer.SCORED) for e in expected]


def test_text_forms_of_numbers_are_read():
    assert points("7,5", "0-10") == (8.0, Answer.SCORED)  # decimal comma, half rounded up
    assert points(" 9 ", "0-10") == (9.0, Answer.SCORED)
    assert points("10 - Extremely likely", "0-10") == (10.0, Answer.SCORED)
    assert points("0 = Not at all likely", "0-10") == (0.0, Answer.SCORED)
    assert points("4", "likert5") == (8.0, Answer.SCORED)  # a Likert column may hold the position itself
    assert points(np.int64(3), "1-5") == (5.0, Answer.SCORED)
    assert points(np.float64(2.0), "1-5") == (3.0, Answer.SCORED)


@pytest.mark.parametrize("marker", ["", "  ", "NA", "n/a", "N/A", "-", "don't know", "Don\u2019t know", "DON'T KNOW",
                                    "prefer not to say", "#N/A", None, float("nan"), np.nan,
                                    # pandas' missing values, from nullable and datetime columns:
                                    pd.NA, pd.NaT, np.datetime64("NaT")])
def test_missing_markers_are_missing_never_zero(marker):
    value, answer = points(marker, "0-10")
    assert math.isnan(value) and answer is Answer.MISSING
    assert is_missing(marker)


def test_out_of_range_and_unreadable_are_told_apart():
    assert points(11, "0-10")[1] is Answer.OUT_OF_RANGE
    assert points("6", "1-5")[1] is Answer.OUT_OF_RANGE
    assert points(0, "1-5")[1] is Answer.OUT_OF_RANGE
    assert points("120%", "percent")[1] is Answer.OUT_OF_RANGE
    assert points("6/5", "stars")[1] is Answer.OUT_OF_RANGE
    assert points("very fast", "0-10")[1] is Answer.UNREADABLE
    assert points("agree", "0-10")[1] is Answer.UNREADABLE
    assert points("somewhat agree", "likert5")[1] is Answer.UNREADABLE  # a 7-point label on a 5-point scale
    assert points(True, "0-10")[1] is Answer.UNREADABLE
    assert all(math.isnan(points(v, s)[0]) for v, s in [(11, "0-10"), ("very fast", "0-10")])


def test_rounding_is_half_up():
    assert [round_half_up(x) for x in (0.5, 1.5, 2.5, 7.5, 7.49, 2.4999999999)] == [1, 2, 3, 8, 7, 3]


@given(st.sampled_from([s for s in SCALES.values() if not s.labels and s.id != "stars"]),
       st.floats(allow_nan=False, allow_infinity=False, min_value=-1000, max_value=1000))
def test_every_numeric_answer_is_a_whole_point_or_reported(scale, value):
    converted, answer = convert_answer(value, scale)
    if scale.lowest <= value <= scale.highest:
        assert answer is Answer.SCORED and converted == int(converted) and 0 <= converted <= 10
    else:
        assert answer is Answer.OUT_OF_RANGE and math.isnan(converted)


def test_missing_markers_are_folded_forms():
    assert all(m == m.strip().casefold() for m in MISSING_MARKERS)


@pytest.mark.parametrize("values, heading, expected", [
    (["1", "5", "3"], "", "1-5"),
    (["1", "7", "3"], "", "1-7"),
    (["0", "9", "3"], "", "0-10"),
    (["3", "11", "8", "9"], "", "0-10"),  # one 11 is a typing error, not a 0-100 scale
    (["55", "80", "100", "7"], "", "0-100"),
    (["8"], "Speed (1-10)", "1-10"),
    (["3"], "Ease, out of 5", "1-5"),
    (["85%", "40%"], "", "percent"),
    (["Agree", "Strongly disagree", "n/a"], "", "likert5"),
    (["Agree", "Somewhat agree"], "", "likert7"),
    (["4/5", "★★★☆☆"], "", "stars"),
    ([], "", "0-10"),
])
def test_guess_scale(values, heading, expected):
    assert guess_scale(values, heading) == expected


def test_the_table_names_every_scale_once():
    assert [row[0] for row in scale_table()] == list(SCALES)


def stated(rule: str, answer: float) -> float:
    """What a scale's rule, as the mapping panel shows it ("(x − 1) × 10/9"), gives for ``answer``, rounded to
    the whole points the kit keeps. Evaluated from the words themselves, so a rule that says one thing and a
    conversion that does another cannot both stand."""
    expression = rule.replace("×", "*").replace("−", "-").replace("x", f"({answer})")
    assert set(expression) <= set("0123456789.()+-*/ "), f"not a formula in x: {rule!r}"
    return round_half_up(eval(expression))  # only digits and operators, checked above


FORMULA_SCALES = [s for s in SCALES.values() if "x" in s.rule and "as" not in s.rule]


def test_the_formula_scales_are_the_numeric_ones():
    assert [s.id for s in FORMULA_SCALES] == ["0-10", "1-10", "1-5", "1-7", "0-100", "percent"]


@pytest.mark.parametrize("scale", FORMULA_SCALES, ids=lambda s: s.id)
def test_every_answer_on_a_numeric_scale_converts_as_its_rule_in_the_table_says(scale):
    rules = {scale_id: rule for scale_id, _, rule in scale_table()}
    for answer in range(int(scale.lowest), int(scale.highest) + 1):
        assert points(answer, scale.id) == (stated(rules[scale.id], answer), Answer.SCORED), answer
        assert points(str(answer), scale.id) == points(answer, scale.id)
    for outside in (scale.lowest - 1, scale.highest + 1):
        assert points(outside, scale.id)[1] is Answer.OUT_OF_RANGE


@pytest.mark.parametrize("scale_id", ["likert5", "likert7"])
def test_every_label_of_a_likert_scale_converts_as_its_position_on_the_numeric_scale(scale_id):
    scale = SCALES[scale_id]
    numeric = f"1-{len(scale.labels)}"
    assert scale.rule == f"position 1–{len(scale.labels)} as 1–{len(scale.labels)}"
    for position, labels in enumerate(scale.labels, start=1):
        for label in labels:
            assert points(label.title(), scale_id) == points(position, numeric), label


def test_n_of_m_stars_converts_as_n_on_the_1_to_m_scale():
    assert SCALES["stars"].rule == "n of m stars as the 1–m scale"
    for possible in range(2, 11):
        for given in range(1, possible + 1):
            assert points(f"{given}/{possible}", "stars") == (
                stated(f"(x − 1) × 10/{possible - 1}", given),
                Answer.SCORED,
            )


def test_the_labels_scale_gives_each_label_the_points_written_for_it():

    assert SCALES["labels"].rule == "each label as the points given"
    rule = AnswerRule.of("labels", labels={"Great": 9, "Fine": 5.5, "Poor": 1})
    assert [rule.convert(label) for label in ("great", "Fine", "POOR")] == [
        (9.0, Answer.SCORED), (6.0, Answer.SCORED), (1.0, Answer.SCORED)
    ]
    assert rule.convert("Awful")[1] is Answer.UNREADABLE


@given(st.lists(st.text(alphabet=st.sampled_from(list("aB _\u2019\u2018\t\n N/A-é")), max_size=12), max_size=20))
def test_folding_many_texts_at_once_is_folding_each(texts):
    from workshop.feedback.scales import fold, fold_all

    assert fold_all(texts).tolist() == [fold(text) for text in texts]


@pytest.mark.parametrize("scale", [s for s in SCALES.values() if s.id not in ("labels", "stars")], ids=lambda s: s.id)
def test_each_scale_s_rule_in_words_names_where_its_ends_land_as_the_conversion_puts_them(scale):
    """What the report and notebook 03 tell the client: no formula in x, and the ends it names are the ends the
    conversion really maps to 0 and 10."""
    words = scale.in_words
    assert not set("x×−/") & set(words.replace("0–10", "")), words
    if (scale.lowest, scale.highest) == (0, 10):
        assert words == f"{scale.name}, as given" and points(10, scale.id)[0] == 10
        return
    low, high = re.search(r"\(([^()]+) counts as 0, ([^()]+) as 10\)$", words).groups()
    if scale.labels:
        assert (points(low, scale.id)[0], points(high, scale.id)[0]) == (0, 10)
    else:
        assert (scale.to_points(float(low)), scale.to_points(float(high))) == (0, 10)


def test_a_column_s_own_labels_and_missing_codes_read_as_words():
    rule = AnswerRule.of("labels", missing=["n/a"], labels={"Great": 9, "Poor": 1})
    assert rule.in_words == "its own labels: 'great' counts as 9, 'poor' as 1; n/a is not answered"
    assert [rule.convert(label)[0] for label in ("Great", "Poor")] == [9, 1]
