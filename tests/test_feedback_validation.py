"""The validation report: counts, examples, reconciled totals, plain text, and the set-aside CSV."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workshop.feedback.load import load_feedback
from workshop.feedback.mapping import load_mapping
from workshop.errors import FeedbackError
from workshop.feedback.validation import BLOCKING, MAX_EXAMPLES, WARNING, ValidationReport
from workshop.promise import load_promise

from conftest import DATA


def test_issues_are_counted_with_at_most_five_examples():
    report = ValidationReport("f.csv")
    report.add(WARNING, "values outside the 0-10 scale", "Speed", "Check the scale.", np.arange(2, 9),
               np.array(["11"] * 7, dtype=object), count=7)
    report.add(WARNING, "values outside the 0-10 scale", "Speed", "Check the scale.", [20], ["12"], count=1)
    issue = report.warnings[0]
    assert issue.count == 8 and len(issue.examples) == MAX_EXAMPLES
    assert issue.examples[0] == (2, "'11'")
    assert report.blocking == []


def test_set_aside_rows_reconcile_and_are_listed_in_file_order(tmp_path):
    report = ValidationReport("f.csv", rows_read=5, rows_kept=2)
    report.set_aside(np.array([6, 3]), np.array(["blank row", "no date"], dtype=object),
                     pd.DataFrame({"id": ["", "R3"], "Comments": ["x", "y"], "file_row": [6, 3]}).drop(columns="Comments"))
    assert not report.reconciles
    report.set_aside(np.array([4]), np.array(["has 3 values where the heading row has 2 columns"], dtype=object))
    assert report.reconciles and report.rows_set_aside == 3
    assert report.set_aside_rows == [(3, "no date"), (4, "has 3 values where the heading row has 2 columns"),
                                     (6, "blank row")]
    written = report.write_set_aside_csv(tmp_path / "exports" / "set_aside.csv")
    table = pd.read_csv(written, dtype=str, keep_default_na=False)
    assert table.to_dict("records") == [
        {"file_row": "3", "reason": "no date", "id": "R3"},
        {"file_row": "4", "reason": "has 3 values where the heading row has 2 columns", "id": ""},
        {"file_row": "6", "reason": "blank row", "id": ""}]


def test_text_report_says_what_to_do():
    report = ValidationReport("f.csv", rows_read=3, rows_kept=3, responses_kept=3)
    report.add(BLOCKING, "is mostly text", "Speed", "Choose a label scale.", count=1)
    report.add(WARNING, "dates in the future, kept", "Date", "Check the clock.", [4], ["2099-01-01"], count=1)
    text = report.to_text()
    assert "Rows read: 3 = kept 3 + set aside 0" in text
    assert "BLOCKING: fix these before using the scores:\n  - column 'Speed': is mostly text (1)" in text
    assert "row 4: '2099-01-01'" in text and "What to do: Check the clock." in text
    try:
        report.raise_if_blocking()
    except FeedbackError as error:
        assert len(error.problems) == 1 and error.problems[0].field == "Speed"
    else:
        raise AssertionError("blocking problems must raise")


def test_a_clean_report_says_so():
    assert "No problems found." in ValidationReport("f.csv").to_text()


def test_free_text_in_examples_and_the_set_aside_csv_is_scrubbed(tmp_path):
    """A comment column mapped as a score by mistake puts customers' words in the examples and the set-aside
    values: e-mails and phone numbers there are scrubbed like any comment shown or exported."""
    report = ValidationReport("f.csv", rows_read=1)
    report.add(WARNING, "values that are no answer on the 0-10 scale", "Speed", "Map it to comment.", [2],
               ["ring me on 07700 900123 or jo@example.com"], count=1)
    assert report.warnings[0].examples == [(2, "'ring me on [phone] or [email]'")]
    report.set_aside(np.array([2]), np.array(["nothing answered"], dtype=object),
                     pd.DataFrame({"Speed": ["ring me on 07700 900123"], "score": [4.0], "file_row": [2]}))
    table = pd.read_csv(report.write_set_aside_csv(tmp_path / "set_aside.csv"), dtype=str, keep_default_na=False)
    assert table.to_dict("records") == [{"file_row": "2", "reason": "nothing answered",
                                         "Speed": "ring me on [phone]", "score": "4.0"}]


def test_question_labels_are_named_as_questions():
    report = ValidationReport("long.csv", questions=frozenset({"How quickly did we answer? (1-5)"}))
    report.add(BLOCKING, "is mostly text", "How quickly did we answer? (1-5)", "Choose a label scale.", count=1)
    report.add(WARNING, "response id repeated", "ResponseID", "Sort the export.", [3], ["R1"], count=1)
    text = report.to_text()
    assert "  - question 'How quickly did we answer? (1-5)': is mostly text (1)" in text
    assert "  - column 'ResponseID': response id repeated (1)" in text



def load_with_a_listed_name(folder):
    """A real export and mapping.yml through the loader: a name the client listed under do_not_show, typed
    into the date and a score column (a column mapped by mistake holds customers' words)."""
    (folder / "export.csv").write_text(
        "Response ID,Date,Quick answers,Comments\n"
        "R1,2024-03-04,8,fine\n"
        "R2,ask PRIYA SHAH,9,ok\n"
        "R3,2024-03-06,Priya Shah was quick,good\n", encoding="utf-8")
    (folder / "mapping.yml").write_text(
        "source: export.csv\n"
        "fields: {response_id: Response ID, date: Date, comment: Comments}\n"
        "pillars: {speed: {column: Quick answers, scale: 0-10}}\n"
        "privacy: {do_not_show: [Priya Shah], safe_patterns: []}\n", encoding="utf-8")
    mapping = load_mapping(folder / "mapping.yml")
    return load_feedback(folder / "export.csv", mapping, load_promise(DATA / "feedback" / "promise.yml")).report


def test_the_mappings_do_not_show_names_are_scrubbed_from_the_report_examples(tmp_path):
    report = load_with_a_listed_name(tmp_path)
    examples = [value for issue in report.issues.values() for _, value in issue.examples]
    assert "'ask [name]'" in examples and "'[name] was quick'" in examples
    assert "priya" not in report.to_text().lower()


def test_the_mappings_do_not_show_names_are_scrubbed_from_the_set_aside_csv(tmp_path):
    written = load_with_a_listed_name(tmp_path).write_set_aside_csv(tmp_path / "exports" / "set_aside_rows.csv")
    assert pd.read_csv(written, dtype=str)["Date"].tolist() == ["ask [name]"]
    assert "priya" not in written.read_text(encoding="utf-8").lower()


def test_headlines_are_the_blocking_problems_and_the_warnings_that_change_the_story_in_order():
    report = ValidationReport("f.csv")
    report.add(WARNING, "dates in the future, kept", "Date", "Check the clock.", [4], ["2099-01-01"])
    report.add(WARNING, "has no answers: pillar or recommend 'care' gets no scores", "Care", "Map it.", count=1,
               headline=True)
    report.add(BLOCKING, "is mostly text", "Speed", "Choose a label scale.", count=1)
    report.add(WARNING, "dates in the future, kept", "Date", "Check the clock.", [9], ["2098-01-01"], headline=True)
    # in the order first found; the future dates were marked a headline on their second sighting
    assert [(i.column, i.message) for i in report.headlines] == [
        ("Date", "dates in the future, kept"), ("Care", "has no answers: pillar or recommend 'care' gets no scores"),
        ("Speed", "is mostly text")]
