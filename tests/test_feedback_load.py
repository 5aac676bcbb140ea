"""Loading feedback end to end: the fixture corpus with its exact outcomes, streaming equal to one pass,
long exports across chunks, the explorer frame, the sample company, and a property test against pandas."""
from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from workshop.cube import CELL_AXES, NOT_STATED, SCORE_POINTS, cube_from_frames
from workshop.feedback import load as load_module
from workshop.feedback.load import NOT_MAPPED, check_feedback, load_feedback
from workshop.feedback.mapping import FeedbackMapping, Source, load_mapping, mapping_from_dict
from workshop.feedback.readers import read_preview
from workshop.feedback.suggest import suggest_mapping
from workshop.feedback.validation import WARNING
from workshop.promise import load_promise

from conftest import DATA, SAMPLE

FEEDBACK = DATA / "feedback"
PROMISE = load_promise(FEEDBACK / "promise.yml")
NOT_READABLE_WORKBOOK = ("is not a complete Excel workbook: it may have been cut short while downloading or copying, "
                         "or it is another kind of file renamed")
NO_DATE = "no date: the month of this response is unknown"
BAD_DATE = "date not understood"
NOTHING = "nothing answered: no pillar score, no recommend and no comment"

# name: (rows read, rows kept, set-aside rows, issues as (severity, column, message, count, example rows))
CORPUS = {
    "clean_comma.csv": (6, 6, [], []),
    "bom_tab.tsv": (2, 2, [], []),
    "bom_stray_byte.csv": (3, 3, [], [
        ("W", "comment", "bytes that are not UTF-8 in a file marked as UTF-8, kept as \ufffd", 1, [3])]),
    "semicolon_cp1252.csv": (3, 3, [], []),
    "pipe_month_first.txt": (3, 3, [], []),
    "likert_labels.csv": (5, 5, [], []),
    "mixed_missing.csv": (9, 9, [], []),
    "scales_mixed.csv": (4, 4, [], []),
    "ambiguous_dates.csv": (3, 3, [], [
        ("B", "date", "dates such as this one can be read day-first or month-first, and no date in the file says "
                      "which", 1, [2])]),
    "cut_mid_row.csv": (3, 2, [(4, "the file ends in the middle of this row (it was cut short)")], [
        ("W", None, "the file ends in the middle of this row (it was cut short), row set aside", 1, [4])]),
    "duplicated_ids.csv": (5, 3, [(4, "response id already used on an earlier row: counted once"),
                                  (6, "response id already used on an earlier row: counted once")], [
        ("W", "response_id", "response id already used on an earlier row: counted once", 2, [4, 6])]),
    "excel_serial_dates.csv": (3, 2, [(4, BAD_DATE)], [("W", "date", f"{BAD_DATE}, row set aside", 1, [4])]),
    "percent.csv": (3, 2, [(4, NOTHING)], [
        ("W", "Quick answers", "values outside the percent scale, kept as not answered", 1, [4]),
        ("W", None, f"{NOTHING}, row set aside", 1, [4])]),
    "ragged.csv": (3, 2, [(3, "has 6 values where the heading row has 5 columns")], [
        ("W", None, "rows with more values than columns, row set aside", 1, [3])]),
    "text_in_score.csv": (4, 4, [], [
        ("W", "speed", "values that are no answer on the 0-10 scale, kept as not answered", 3, [2, 3, 4]),
        ("B", "speed", "is mostly text that is no answer on the 0-10 scale (3 of 4 answers)", 1, [None, None, None])]),
    "title_block.xlsx": (4, 4, [], [
        ("W", "Quick answers", "values outside the 0-10 scale, kept as not answered", 1, [8])]),
    "wide.parquet": (4, 3, [(4, NO_DATE)], [("W", "date", f"{NO_DATE}, row set aside", 1, [4])]),
    "long_format.csv": (11, 10, [(12, "rows of this response are not together (its id appears again after other "
                                      "responses)")], [
        ("W", "ResponseID", "rows of this response are not together (its id appears again after other responses), "
                            "row set aside", 1, [12])]),
    "warnings_mix.csv": (8, 4, [(6, "blank row: nothing in any mapped column"), (7, NOTHING), (8, NO_DATE),
                                (9, BAD_DATE)], [
        ("W", "speed", "values outside the 0-10 scale, kept as not answered", 1, [2]),
        ("W", "date", f"{NO_DATE}, row set aside", 1, [8]),
        ("W", "date", f"{BAD_DATE}, row set aside", 1, [9]),
        ("W", "date", "dates in the future, kept", 1, [3]),
        ("W", "response_id", "responses with no response id, named by their row number instead", 1, [5]),
        ("W", None, "blank row: nothing in any mapped column, row set aside", 1, [6]),
        ("W", None, f"{NOTHING}, row set aside", 1, [7]),
        ("W", "touchpoint", "touchpoints that are not in the promise (phone, store, web), kept as written", 1, [4])]),
    "nested.parquet": (2, 2, [], [
        ("W", "care", "values that are no answer on the 0-10 scale, kept as not answered", 2, [2, 3]),
        ("B", "care", "is mostly text that is no answer on the 0-10 scale (2 of 2 answers)", 1, [None, None])]),
    "repeated_column.parquet": (0, 0, [], [("B", None, "two or more columns are named 'speed' (found 'speed')", 1,
                                            [])]),
    "index_column.csv": (2, 2, [], []),
    # 'Scores' is no pillar's name: it is offered as the overall rating, and no pillar is measured.
    "merged_heading.xlsx": (2, 2, [], [
        ("B", None, "no pillar is mapped to a column or question, so there is nothing to compare with the promise",
         1, [])]),
    "unicode_text.txt": (2, 2, [], []),
    "header_only.csv": (0, 0, [], [("B", None, "the file has column headings but no responses", 1, [])]),
    "empty.csv": (0, 0, [], [("B", None, "the file is empty (0 bytes)", 1, [])]),
    "truncated_claims_2gb.xlsx": (0, 0, [], [("B", None, NOT_READABLE_WORKBOOK, 1, [])]),
    "renamed_csv.xlsx": (0, 0, [], [("B", None, NOT_READABLE_WORKBOOK, 1, [])]),
    "truncated.parquet": (0, 0, [], [
        ("B", None, "is not a complete Parquet file: it may have been cut short while downloading or copying, or it "
                    "is another kind of file renamed", 1, [])]),
    "unterminated_quote.csv": (0, 0, [], [
        ("B", None, "row 3: the file ends inside a quoted value that starts on this row: it was cut short, or a "
                    "quote is not closed", 1, [])]),
}


def test_the_corpus_covers_every_fixture():
    files = {p.name for p in FEEDBACK.iterdir() if p.suffix not in (".py", ".yml", ".md")}
    assert files == set(CORPUS) and len(files) >= 15


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_fixture_has_its_exact_outcome(name):
    """Checked as `workshop check FILE` does: the suggested mapping, the whole report."""
    read, kept, set_aside, issues = CORPUS[name]
    report = check_feedback(FEEDBACK / name, PROMISE).report
    assert (report.rows_read, report.rows_kept, report.set_aside_rows) == (read, kept, set_aside)
    assert report.reconciles
    found = [(i.severity[0].upper(), i.column, i.message, i.count, [row for row, _ in i.examples])
             for i in report.issues.values() if not i.message.endswith(NOT_MAPPED)]  # their own test, below
    assert found == issues
    assert str(FEEDBACK / name) in report.to_text()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_pillar_the_suggestion_leaves_out_is_a_headline_saying_it_is_not_measured(name):
    check = check_feedback(FEEDBACK / name, PROMISE)
    if check.mapping is None:
        return  # a file that cannot be read at all gets no mapping, and has blocking problems instead
    left_out = [p.name for p in PROMISE.pillars if p.id not in check.mapping.pillars]
    said = [i.message for i in check.report.headlines if i.message.endswith(NOT_MAPPED)]
    assert said == [f"pillar '{pillar}' is not measured: {NOT_MAPPED}" for pillar in left_out]


def load(name, mapping=None, **options):
    path = FEEDBACK / name
    mapping = mapping or suggest_mapping(read_preview(path), PROMISE, source=name)
    return load_feedback(path, mapping, PROMISE, **options)


def test_clean_export_converts_to_canonical_scores():
    loaded = load("clean_comma.csv")
    cube = loaded.cube
    assert cube.total_responses == 6
    assert cube.score_histogram("speed").tolist() == np.bincount([8, 6, 10, 3, 9], minlength=SCORE_POINTS).tolist()
    assert sorted(cube.touchpoints) == ["phone", "store", "web"]
    assert sorted(cube.segments) == ["business", "consumer"]
    assert cube.months == ["2024-03", "2024-04", "2024-05"]
    assert cube.counts("advocate").to_dict() == {False: 4, True: 2}  # recommend 10 and 9 are promoters
    explorer = loaded.explorer
    assert explorer["response_id"].tolist() == ["R001", "R003", "R004", "R006"]
    assert explorer["comment"].tolist()[-1] == 'Friendly, but the "new" bill is confusing'
    assert explorer["care"].isna().tolist() == [False, True, False, False]  # missing is NaN, never 0
    assert explorer["source"].unique().tolist() == ["survey"] and loaded.comments_total == 4


def test_semicolon_export_with_decimal_commas_and_day_first_dates():
    explorer = load("semicolon_cp1252.csv").explorer
    assert explorer["speed"].tolist() == [8.0, 6.0]  # "7,5" rounds half up
    assert explorer["touchpoint"].tolist() == ["phone", "phone"]  # "Call centre", "TEL"
    assert explorer["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-25", "2024-04-03"]
    assert explorer["comment"].tolist() == ["Très bien, 20 € de remise", "L’attente était longue"]


def test_labels_and_stars_convert_by_the_stated_rules():
    likert = load("likert_labels.csv").cube
    speed, care = likert.score_histogram("speed"), likert.score_histogram("care")
    assert np.flatnonzero(speed).tolist() == [0, 3, 5, 8, 10]
    assert np.repeat(np.arange(11), care).tolist() == [0, 3, 5, 7, 10]
    mixed = load("scales_mixed.csv").cube
    by_pillar = {p: np.repeat(np.arange(11), mixed.score_histogram(p)).tolist() for p in mixed.pillars}
    assert by_pillar == {"speed": [5, 8, 9, 10], "care": [0, 8, 8, 10], "clarity": [0, 2, 5, 10]}
    assert mixed.recommend_histogram().tolist() == [1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1]


def test_missing_markers_never_count_as_zero():
    cube = load("mixed_missing.csv").cube
    assert cube.score_histogram("speed").tolist() == [1] + [0] * 9 + [1]


def test_ambiguous_dates_load_once_the_mapping_says_the_order():
    mapping = suggest_mapping(read_preview(FEEDBACK / "ambiguous_dates.csv"), PROMISE)
    mapping.date_order = "month_first"
    loaded = load("ambiguous_dates.csv", mapping)
    assert not loaded.report.blocking
    assert loaded.cube.months == ["2024-01", "2024-03", "2024-12"]


def test_excel_serials_and_workbook_dates():
    assert load("excel_serial_dates.csv").cube.months == ["2024-03"]
    workbook = load("title_block.xlsx")
    assert workbook.cube.months == ["2024-01", "2024-02", "2024-03"]
    assert workbook.explorer["response_id"].tolist() == ["1001", "1003"]


def labelled(cube) -> dict:
    """Every non-zero count keyed by labels, so cubes whose axes grew in another order compare equal."""
    return {(pillar, *cell): int(n) for pillar in cube.pillars
            for cell, n in cube.counts(*CELL_AXES, "score", pillar=pillar).items()}


def test_long_export_pivots_to_one_response_each_whatever_the_chunk_size():
    whole = load("long_format.csv")
    for chunk_rows in (1, 2, 3, 4):
        split = load("long_format.csv", chunk_rows=chunk_rows)
        assert split.report.set_aside_rows == whole.report.set_aside_rows
        assert labelled(split.cube) == labelled(whole.cube)
    cube = whole.cube
    assert whole.report.responses_kept == 3 and cube.total_responses == 3
    scores = {p: np.repeat(np.arange(11), cube.score_histogram(p)).tolist() for p in cube.pillars}
    assert scores == {"speed": [3, 8], "care": [8, 10], "clarity": [9]}  # R1's late bill answer is set aside
    assert whole.explorer[["response_id", "comment"]].values.tolist() == [["R1", "Very helpful"]]


def test_blocking_mapping_problems_are_reported_and_the_rest_still_read():
    mapping = FeedbackMapping(fields={"date": Source(column="Datum"), "touchpoint": Source(column="touchpoint")},
                              pillars={"speed": Source(column="speed", scale="0-10")})
    report = load("duplicated_ids.csv", mapping).report
    assert [(i.column, i.message) for i in report.blocking] == [
        ("Datum", "is named in mapping.yml but is not in the file")]
    assert report.rows_read == 5 and report.rows_kept == 5  # no id column mapped: rows are named by number


def test_advocates_from_a_named_column():
    mapping = suggest_mapping(read_preview(FEEDBACK / "clean_comma.csv"), PROMISE)
    from workshop.feedback.mapping import AdvocateRule
    mapping.advocate = AdvocateRule("Customer type", ["business"])
    explorer = load("clean_comma.csv", mapping).explorer
    assert explorer["advocate"].tolist() == [False, False, False, False]
    cube = load("clean_comma.csv", mapping).cube
    assert cube.counts("advocate").to_dict() == {False: 4, True: 2}  # R002, R005 are business


def test_progress_is_reported_for_each_chunk(tmp_path):
    path = tmp_path / "many.csv"
    rows = "".join(f"R{i},2024-01-{i % 28 + 1:02d},phone,{i % 11},{(i * 7) % 11}\n" for i in range(1000))
    path.write_text("response_id,date,touchpoint,speed,recommend\n" + rows, encoding="utf-8")
    mapping = suggest_mapping(read_preview(path), PROMISE)
    calls = []
    loaded = load_feedback(path, mapping, PROMISE, chunk_rows=300, progress=lambda f, n: calls.append((f, n)))
    assert [n for _, n in calls] == [300, 600, 900, 1000, 1000]
    assert calls[-1][0] == 1.0 and loaded.cube.total_responses == 1000


def test_explorer_keeps_a_seeded_sample_past_its_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(load_module, "EXPLORER_CAP", 50)
    path = tmp_path / "comments.csv"
    body = "".join(f"R{i},2024-01-01,web,{i % 11},comment {i}\n" for i in range(400))
    path.write_text("response_id,date,touchpoint,speed,comment\n" + body, encoding="utf-8")
    mapping = suggest_mapping(read_preview(path), PROMISE)
    first = load_feedback(path, mapping, PROMISE, chunk_rows=37)
    again = load_feedback(path, mapping, PROMISE, chunk_rows=37)
    assert len(first.explorer) == 50 and first.comments_total == 400 and first.explorer_is_sample
    assert first.explorer["response_id"].tolist() == again.explorer["response_id"].tolist()
    numbers = [int(r[1:]) for r in first.explorer["response_id"]]
    assert numbers == sorted(numbers) and max(numbers) > 200  # file order, and not only the first rows


def test_set_aside_csv_leaves_comments_out(tmp_path):
    report = load("warnings_mix.csv").report
    written = report.write_set_aside_csv(tmp_path / "set_aside.csv")
    table = pd.read_csv(written, dtype=str, keep_default_na=False)
    assert table["file_row"].tolist() == ["6", "7", "8", "9"]
    assert "comment" not in table.columns and table.loc[3, "date"] == "someday"


def test_the_sample_company_loads_with_no_blocking_problem():
    promise = load_promise(SAMPLE)
    mapping = load_mapping(SAMPLE)
    loaded = load_feedback(SAMPLE / mapping.source, mapping, promise)
    assert loaded.report.blocking == [] and loaded.report.warnings == []
    raw = pd.read_csv(SAMPLE / "feedback.csv")
    assert loaded.report.rows_read == loaded.report.rows_kept == loaded.cube.total_responses == len(raw)
    assert loaded.comments_total == int(raw["comment"].notna().sum())


# --- property: random valid frames in every format, through the mapping, count as pandas counts them ------

TOUCHPOINTS = ["phone", "store", "web"]
SEGMENTS = ["consumer", "business"]


@st.composite
def feedback_frames(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    score = st.one_of(st.none(), st.integers(min_value=0, max_value=10))
    day = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2025, 12, 31))
    return pd.DataFrame({
        "response_id": [f"R{i}" for i in range(n)],
        "date": draw(st.lists(day, min_size=n, max_size=n)),
        "touchpoint": draw(st.lists(st.sampled_from(TOUCHPOINTS + [None]), min_size=n, max_size=n)),
        "segment": draw(st.lists(st.sampled_from(SEGMENTS), min_size=n, max_size=n)),
        "speed": draw(st.lists(score, min_size=n, max_size=n)),
        "care": draw(st.lists(score, min_size=n, max_size=n)),
        "recommend": draw(st.lists(st.integers(min_value=0, max_value=10), min_size=n, max_size=n)),
    })


def write_as(frame: pd.DataFrame, path) -> None:
    frame = frame.assign(date=pd.to_datetime(frame["date"]))
    frame = frame.assign(speed=frame["speed"].astype("Int64"), care=frame["care"].astype("Int64"))
    if path.suffix == ".csv":
        frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    elif path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_parquet(path, index=False)


def direct_counts(frame: pd.DataFrame, pillar: str) -> dict:
    """The obvious count: responses per (touchpoint, month, score), straight from the frame."""
    answered = frame.dropna(subset=[pillar])
    keys = zip(answered["touchpoint"].fillna(NOT_STATED), pd.to_datetime(answered["date"]).dt.strftime("%Y-%m"),
               answered[pillar].astype(int))
    return pd.Series(list(keys), dtype=object).value_counts().to_dict() if len(answered) else {}


def cube_counts(cube, pillar: str) -> dict:
    return {key: int(n) for key, n in cube.counts("touchpoint", "month", "score", pillar=pillar).items()}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frame=feedback_frames(), suffix=st.sampled_from([".csv", ".xlsx", ".parquet"]),
       chunk_rows=st.sampled_from([3, 7, 1000]))
def test_cube_counts_equal_direct_pandas_counts(tmp_path, frame, suffix, chunk_rows):
    path = tmp_path / f"feedback{suffix}"
    write_as(frame, path)
    mapping = FeedbackMapping(
        fields={name: Source(column=name) for name in ("response_id", "date", "touchpoint", "segment")},
        recommend=Source(column="recommend", scale="0-10"),
        pillars={p: Source(column=p, scale="0-10") for p in ("speed", "care")})
    loaded = load_feedback(path, mapping, PROMISE, chunk_rows=chunk_rows)
    assert loaded.report.blocking == [] and loaded.report.rows_kept == len(frame)
    for pillar in ("speed", "care"):
        assert cube_counts(loaded.cube, pillar) == direct_counts(frame, pillar)
    promoters = int((frame["recommend"] >= 9).sum())
    advocates = loaded.cube.counts("advocate").reindex([False, True], fill_value=0)
    assert advocates.tolist() == [len(frame) - promoters, promoters]
    one_pass = cube_from_frames([frame.assign(date=pd.to_datetime(frame["date"]),
                                              touchpoint=frame["touchpoint"].fillna(NOT_STATED),
                                              advocate=frame["recommend"] >= 9)], ["speed", "care", "clarity"])
    assert loaded.cube.total_responses == one_pass.total_responses


def test_a_workshop_folder_loads_from_its_own_promise_and_mapping(workshop_dir):
    from workshop.feedback.load import load_workshop_feedback

    loaded = load_workshop_feedback(workshop_dir)
    assert loaded.cube.total_responses == loaded.report.rows_kept == 5000
    assert loaded.cube.pillars == ["on_time_delivery", "expert_advice", "made_to_last", "put_right", "easy_online"]
    assert not loaded.report.blocking


def test_long_set_aside_csv_keeps_no_free_text_answer(tmp_path):
    """A long export's set-aside rows keep score answers only: the comment question and any question the
    mapping does not name (here one asking for a phone number) are blanked, as raw text never leaves."""
    path = tmp_path / "long.csv"
    path.write_text("ResponseID,Submitted,Channel,Question,Answer\n"
                    "R1,2024-03-01,Phone,How quickly did we answer? (1-5),4\n"
                    "R1,2024-03-01,Phone,Anything else?,Ask for Dave\n"
                    "R2,2024-03-02,Web,How quickly did we answer? (1-5),2\n"
                    "R1,2024-03-01,Phone,Your phone number?,07700 900123\n"
                    "R1,2024-03-01,Phone,Anything else?,Dave again\n"
                    "R1,2024-03-01,Phone,Did the person care?,Agree\n", encoding="utf-8")
    mapping = suggest_mapping(read_preview(path), PROMISE)
    assert mapping.fields["comment"].question == "Anything else?"
    report = load_feedback(path, mapping, PROMISE).report
    table = pd.read_csv(report.write_set_aside_csv(tmp_path / "set_aside.csv"), dtype=str, keep_default_na=False)
    assert table["file_row"].tolist() == ["5", "6", "7"]
    assert table["Answer"].tolist() == ["", "", "Agree"]
    assert table["Question"].tolist() == ["Your phone number?", "Anything else?", "Did the person care?"]


def test_a_comment_answered_twice_is_reported_without_its_text(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("ResponseID,Submitted,Channel,Question,Answer\n"
                    "R1,2024-03-01,Phone,How quickly did we answer? (1-5),4\n"
                    "R1,2024-03-01,Phone,Anything else?,Ask for Dave\n"
                    "R1,2024-03-01,Phone,Anything else?,Call 07700 900123\n", encoding="utf-8")
    report = load_feedback(path, suggest_mapping(read_preview(path), PROMISE), PROMISE).report
    twice = report.issues[("a question answered twice in one response: the first answer is used", "comment")]
    assert twice.count == 1 and twice.examples == [(4, "")]
    assert "07700" not in report.to_text()


def test_a_blank_answer_row_does_not_hide_or_double_a_given_answer(tmp_path):
    """Long exports often hold a row with an empty answer for a question skipped; the response's given
    answer to that question is used, wherever the blank row stands, and is not "answered twice"."""
    path = tmp_path / "long.csv"
    path.write_text("ResponseID,Submitted,Channel,Question,Answer\n"
                    "R1,2024-03-01,Phone,Did the person care?,\n"
                    "R1,2024-03-01,Phone,Did the person care?,Agree\n"
                    "R2,2024-03-02,Web,Did the person care?,Disagree\n"
                    "R2,2024-03-02,Web,Did the person care?,\n", encoding="utf-8")
    loaded = load_feedback(path, suggest_mapping(read_preview(path), PROMISE), PROMISE)
    assert np.repeat(np.arange(11), loaded.cube.score_histogram("care")).tolist() == [3, 8]  # likert5: disagree 2.5 → 3, agree 7.5 → 8
    assert [i.message for i in loaded.report.issues.values()] == [  # nothing about the blank rows
        f"pillar '{p.name}' is not measured: {NOT_MAPPED}" for p in PROMISE.pillars if p.id != "care"]


def test_a_long_export_report_names_questions_as_questions(tmp_path):
    """In a long export a pillar comes from a question label, not a column: the report says so, and still
    says 'column' for the export's real columns."""
    path = tmp_path / "long.csv"
    path.write_text("ResponseID,Submitted,Channel,Question,Answer\n"
                    "R1,2024-03-01,Phone,How quickly did we answer? (1-5),quick\n"
                    "R2,2024-03-02,Web,How quickly did we answer? (1-5),slow\n"
                    "R1,2024-03-01,Phone,Did the person care?,Agree\n", encoding="utf-8")
    text = load_feedback(path, suggest_mapping(read_preview(path), PROMISE), PROMISE).report.to_text()
    assert "speed <- question 'How quickly did we answer? (1-5)' (1-5: (x − 1) × 2.5)" in text
    assert "  - question 'How quickly did we answer? (1-5)': is mostly text that is no answer" in text
    assert "column 'How quickly" not in text
    assert "column 'ResponseID': rows of this response are not together" in text


def test_most_rows_set_aside_is_a_headline_when_some_were_kept(tmp_path):
    """Three of four rows have no date: the one kept carries every finding, and the report says so first."""
    path = tmp_path / "undated_mostly.csv"
    path.write_text("Response ID,Date,Channel,Quick answers,People who care,Clear bills\n"
                    "R1,2024-03-04,Phone,8,9,7\nR2,,Web,6,5,4\nR3,,Store,9,9,9\nR4,,Phone,2,3,4\n", encoding="utf-8")
    # A consultant maps the date though most rows lack one (the suggestion, seeing it mostly empty, would not).
    dated = mapping_from_dict({"fields": {"response_id": "Response ID", "date": "Date", "touchpoint": "Channel"},
                               "pillars": {"speed": {"column": "Quick answers"}, "care": {"column": "People who care"},
                                           "clarity": {"column": "Clear bills"}}})
    report = load_feedback(path, dated, PROMISE).report
    (headline,) = report.headlines
    assert (headline.severity, headline.count) == (WARNING, 3)
    assert headline.message == "most rows were set aside (3 of 4 read): every finding rests on the 1 kept"
    half = tmp_path / "half_undated.csv"
    half.write_text("Response ID,Date,Channel,Quick answers,People who care,Clear bills\n"
                    "R1,2024-03-04,Phone,8,9,7\nR2,,Web,6,5,4\n", encoding="utf-8")
    assert load_feedback(half, dated, PROMISE).report.headlines == []


# --- a free-text column taken as a segment or touchpoint: memory bounded by the file -----------------------

HIGH_CARDINALITY_CHILD = """
import json, resource, sys
from pathlib import Path
# A safety net, so a cube that grows with the product of its axes fails here instead of taking the machine's
# memory. It limits address space, which thread stacks and allocators reserve without using, so it sits well
# above the budget; the assertion is on the peak actually used (VmHWM).
resource.setrlimit(resource.RLIMIT_AS, (8 * 1024 ** 3, 8 * 1024 ** 3))
from workshop.feedback.load import load_feedback
from workshop.feedback.mapping import FeedbackMapping, Source
from workshop.promise import load_promise

path, promise_path = Path(sys.argv[1]), Path(sys.argv[2])
mapping = FeedbackMapping(
    fields={"response_id": Source(column="id"), "date": Source(column="submitted"),
            "touchpoint": Source(column="Review title"), "segment": Source(column="Customer")},
    recommend=Source(column="nps", scale="0-10"),
    pillars={p: Source(column=p, scale="0-10") for p in ("speed", "care", "clarity")})
loaded = load_feedback(path, mapping, load_promise(promise_path))
peak_kb = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
               if line.startswith("VmHWM:"))
cube = loaded.cube
print(json.dumps({"peak_mb": peak_kb / 1024, "segments": cube.segments, "touchpoints": cube.touchpoints,
                  "responses": cube.total_responses, "cells": len(cube.cells),
                  "warnings": [[i.column, i.message, i.count, i.fix] for i in loaded.report.warnings]}))
"""


def test_a_segment_with_100000_values_mapped_by_hand_stays_within_the_memory_budget(tmp_path):
    """The issue's file: a free-text title (1,351 values) as the touchpoint, a customer id (100,000 values)
    as the segment, 13 years of dates. The dense cube wanted terabytes; the sparse one stays small, keeps
    at most MAX_GROUPS values of each, and the report says which column was grouped and how many it had."""
    import json
    import subprocess
    import sys

    from workshop.cube import MAX_GROUPS, OTHER
    from conftest import REPO

    n = 100_000
    rng = np.random.default_rng(11)
    frame = pd.DataFrame({
        "id": [f"C{i:06d}" for i in range(n)],
        "submitted": (pd.Timestamp("2012-01-01") + pd.to_timedelta(rng.integers(0, 13 * 365, n), unit="D"))
        .strftime("%Y-%m-%d"),
        "Review title": [f"Title number {i % 1_351}" for i in range(n)],
        "Customer": [f"customer {i:06d}" for i in rng.permutation(n)],
        "nps": rng.integers(0, 11, n),
        **{p: rng.integers(0, 11, n) for p in ("speed", "care", "clarity")},
    })
    path = tmp_path / "reviews.csv"
    frame.to_csv(path, index=False)
    done = subprocess.run([sys.executable, "-c", HIGH_CARDINALITY_CHILD, str(path), str(FEEDBACK / "promise.yml")],
                          capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["peak_mb"] < 1536, result["peak_mb"]
    assert result["responses"] == n and result["cells"] <= n
    assert len(result["segments"]) == MAX_GROUPS and result["segments"][-1] == OTHER
    assert len(result["touchpoints"]) == MAX_GROUPS and result["touchpoints"][-1] == OTHER
    grouped = {column: (message, count, fix) for column, message, count, fix in result["warnings"]
               if "more than a room can read" in message}
    assert set(grouped) == {"Customer", "Review title"}
    message, count, fix = grouped["Customer"]
    assert count == n and "100,000 different values" in message
    assert f"the {MAX_GROUPS - 1} largest are kept and the rest shown as '{OTHER}'" in message
    assert "as the segment" in fix
    assert grouped["Review title"][1] == 1_351 and "1,351 different values" in grouped["Review title"][0]
    assert "as the touchpoint" in grouped["Review title"][2]
