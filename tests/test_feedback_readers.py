"""Readers: formats, encodings, delimiters and heading rows detected; row numbers as a spreadsheet shows
them; damaged files refused with a message for people."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workshop.feedback.readers import (
    FileFormat, column_names, detect_format, read_chunks, read_columns, read_preview,
)
from workshop.errors import FeedbackError

from conftest import DATA

FEEDBACK = DATA / "feedback"


@pytest.mark.parametrize("name, kind, encoding, delimiter, header_row", [
    ("clean_comma.csv", "csv", "utf-8", ",", 1),
    ("semicolon_cp1252.csv", "csv", "cp1252", ";", 1),
    ("bom_tab.tsv", "csv", "utf-8-sig", "\t", 1),
    ("bom_stray_byte.csv", "csv", "utf-8-sig", ",", 1),
    ("pipe_month_first.txt", "csv", "utf-8", "|", 1),
    ("title_block.xlsx", "xlsx", None, None, 4),
    ("wide.parquet", "parquet", None, None, 1),
])
def test_format_is_detected(name, kind, encoding, delimiter, header_row):
    fmt = detect_format(FEEDBACK / name)
    assert (fmt.kind, fmt.encoding, fmt.delimiter, fmt.header_row) == (kind, encoding, delimiter, header_row)


def test_cp1252_text_is_decoded_not_mangled():
    preview = read_preview(FEEDBACK / "semicolon_cp1252.csv")
    assert preview["Comments"].tolist() == ["Très bien, 20 € de remise", "L’attente était longue", ""]


def test_bom_is_not_part_of_the_first_heading():
    assert read_columns(FEEDBACK / "bom_tab.tsv", detect_format(FEEDBACK / "bom_tab.tsv"))[0] == "response_id"


def test_a_stray_byte_in_a_utf8_file_with_bom_is_replaced_where_it_is_not_the_whole_file_reread():
    path = FEEDBACK / "bom_stray_byte.csv"
    fmt = detect_format(path)
    assert (fmt.encoding, fmt.encoding_errors) == ("utf-8-sig", "replace")
    assert detect_format(FEEDBACK / "bom_tab.tsv").encoding_errors == "strict"  # a clean file stays strict
    chunk, = read_chunks(path, fmt, ["response_id", "comment"], chunk_rows=100)
    assert list(chunk.frame.columns) == ["response_id", "comment"]  # no "ï»¿" on the first heading
    assert chunk.frame["comment"].tolist() == ["Très rapide", "Caf\ufffd froid", "Naïve question"]
    assert chunk.replaced == [(3, "comment")]


def test_workbook_skips_read_me_sheet_and_title_block():
    preview = read_preview(FEEDBACK / "title_block.xlsx")
    assert preview.attrs["file_format"].sheet == "Responses"
    assert list(preview.columns) == ["Response ID", "Date", "Channel", "Quick answers", "People who care", "NPS",
                                     "Comments"]
    assert preview.attrs["rows"].tolist() == [5, 6, 7, 8]
    assert preview["Response ID"].tolist() == [1001, 1002, 1003, 1004]


@pytest.mark.parametrize("sheet", ["Responses", 2])
def test_sheet_by_name_or_position_from_one(sheet):
    preview = read_preview(FEEDBACK / "title_block.xlsx", sheet=sheet)
    assert len(preview) == 4


def test_unknown_sheet_names_the_sheets():
    with pytest.raises(FeedbackError, match="Read me, Responses"):
        read_preview(FEEDBACK / "title_block.xlsx", sheet="Answers")


def test_csv_title_block_and_blank_lines_keep_spreadsheet_row_numbers(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Survey export\nMarch\n\nid,score\nA,1\n\nB,2\nC,3,extra\nD,4\n", encoding="utf-8")
    fmt = detect_format(path)
    assert fmt.header_row == 4
    chunks = list(read_chunks(path, fmt, None, chunk_rows=2))
    rows = np.concatenate([c.rows for c in chunks]).tolist()
    values = pd.concat([c.frame for c in chunks])["id"].tolist()
    assert list(zip(rows, values)) == [(5, "A"), (6, ""), (7, "B"), (9, "D")]
    assert [r for c in chunks for r in c.rejected] == [(8, "has 3 values where the heading row has 2 columns")]


def test_chunk_progress_reaches_one(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("id,score\n" + "".join(f"R{i},{i % 11}\n" for i in range(1000)), encoding="utf-8")
    fractions = [c.fraction for c in read_chunks(path, detect_format(path), ["score"], chunk_rows=300)]
    assert len(fractions) == 4 and fractions == sorted(fractions) and fractions[-1] == 1.0


def test_cut_short_last_row_is_rejected():
    chunks = list(read_chunks(FEEDBACK / "cut_mid_row.csv", detect_format(FEEDBACK / "cut_mid_row.csv"), None, 100))
    assert chunks[-1].rows.tolist() == [2, 3]
    assert chunks[-1].rejected == [(4, "the file ends in the middle of this row (it was cut short)")]


@pytest.mark.parametrize("name, message", [
    ("empty.csv", "the file is empty"),
    ("truncated_claims_2gb.xlsx", "is not a complete Excel workbook"),
    ("renamed_csv.xlsx", "is not a complete Excel workbook"),
    ("truncated.parquet", "is not a complete Parquet file"),
])
def test_damaged_files_raise_a_message_for_people(name, message):
    with pytest.raises(FeedbackError, match=message) as caught:
        read_preview(FEEDBACK / name)
    assert str(FEEDBACK / name) in str(caught.value)


def test_unterminated_quote_names_the_row():
    fmt = detect_format(FEEDBACK / "unterminated_quote.csv")
    with pytest.raises(FeedbackError, match="row 3: the file ends inside a quoted value"):
        list(read_chunks(FEEDBACK / "unterminated_quote.csv", fmt, None, 100))


def test_missing_and_unsupported_files(tmp_path):
    with pytest.raises(FeedbackError, match="file not found"):
        read_preview(tmp_path / "nope.csv")
    with pytest.raises(FeedbackError, match="file not found"):
        read_preview(tmp_path / "nope.xls")
    with pytest.raises(FeedbackError, match="file not found"):
        read_preview(tmp_path)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(FeedbackError, match="save it as .xlsx"):
        read_preview(old)


def test_latin1_fallback_for_bytes_cp1252_does_not_define(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"id,comment\nA,caf\xe9 \x81\n")
    assert detect_format(path).encoding == "latin-1"


def test_utf16_named_for_a_file_without_its_byte_order_mark_says_what_to_set(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("id,speed\n1,5\n".encode("utf-16-le"))  # a UTF-16 file saved without its BOM
    with pytest.raises(FeedbackError) as caught:
        read_columns(path, FileFormat(kind="csv", encoding="utf-16", delimiter=","))
    [problem] = caught.value.problems
    assert problem.file == path and "cannot be read as utf-16" in problem.message
    assert "encoding:" in problem.fix and "remove it to detect" in problem.fix


def test_column_names_for_blank_and_repeated_headings():
    assert column_names(["Score", None, "Score", " ", "Score"]) == ["Score", "column B", "Score (2)", "column D",
                                                                  "Score (3)"]


def test_a_given_format_wins_over_detection(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a;b\n1,2;3\n", encoding="utf-8")
    fmt = detect_format(path, FileFormat(kind="csv", delimiter=";"))
    assert read_preview(path, file_format=fmt)["a"].tolist() == ["1,2"]


@pytest.mark.parametrize("name, headings, first_row", [
    ("index_column.csv", ["column A", "response_id", "date", "touchpoint", "speed"], {"response_id": "I1"}),
    ("merged_heading.xlsx", ["response_id", "Scores", "column C", "date"], {"response_id": "H1", "Scores": 7}),
])
def test_a_heading_row_with_a_blank_cell_is_still_the_heading(name, headings, first_row):
    """pandas writes its index under a blank heading; Excel leaves the cells of a merged heading blank after
    the first. Either way the heading row has one filled cell fewer than the rows below it."""
    preview = read_preview(FEEDBACK / name)
    assert preview.attrs["file_format"].header_row == 1
    assert list(preview.columns) == headings
    assert preview.attrs["rows"].tolist() == [2, 3]
    assert {k: preview.iloc[0][k] for k in first_row} == first_row


def test_excel_unicode_text_export_is_read_as_utf16():
    """Excel's "Save as Unicode Text" writes UTF-16 with a BOM, tab-delimited."""
    preview = read_preview(FEEDBACK / "unicode_text.txt")
    fmt = preview.attrs["file_format"]
    assert (fmt.encoding, fmt.delimiter, fmt.header_row) == ("utf-16", "\t", 1)
    assert list(preview.columns) == ["response_id", "date", "touchpoint", "speed", "comment"]
    assert preview["comment"].tolist() == ["Zoë était ravie", ""]
    assert preview.attrs["rows"].tolist() == [2, 3]


def test_parquet_list_and_struct_columns_come_as_text():
    """A multi-select answer stored as a list (or a nested record) is shown as text, as a spreadsheet would."""
    preview = read_preview(FEEDBACK / "nested.parquet")
    assert preview["channels_used"].tolist() == ["['phone', 'web']", None]
    assert preview["care"].tolist() == ["{'score': 9}", "{'score': 7}"]
    assert preview["speed"].tolist() == [8, 6]


def test_parquet_with_two_columns_of_one_name_is_refused_naming_it():
    with pytest.raises(FeedbackError, match="two or more columns are named 'speed'") as caught:
        read_preview(FEEDBACK / "repeated_column.parquet")
    assert str(FEEDBACK / "repeated_column.parquet") in str(caught.value)


def test_a_password_protected_workbook_says_to_remove_the_password(tmp_path):
    """Excel saves a workbook with a password (or an old .xls) as an OLE compound file, not a zip: the
    facilitator needs the password removed, not to download it again."""
    path = tmp_path / "responses.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(FeedbackError, match="password.*remove the password") as caught:
        read_preview(path)
    assert str(path) in str(caught.value)


def test_a_quote_left_open_near_the_top_of_a_big_file_names_its_row(tmp_path):
    """Past pandas' first buffer and the csv module's 128 KB field limit, an unclosed quote still gives a
    message for people (it raised pandas' ParserError and _csv.Error)."""
    path = tmp_path / "export.csv"
    path.write_text("response_id,speed,comment\nU1,5,\"never closed\n"
                    + "".join(f"U{i},6,ok\n" for i in range(2, 20_000)), encoding="utf-8")
    with pytest.raises(FeedbackError, match="row 2: the file ends inside a quoted value"):
        read_preview(path)
    long_field = tmp_path / "long_field.csv"
    long_field.write_text("response_id,speed,comment\nB1,5,\"" + "x" * 200_000 + "\"\nB2,6,ok\n", encoding="utf-8")
    with pytest.raises(FeedbackError, match="a value near the top is longer than") as caught:
        read_preview(long_field)
    assert str(long_field) in str(caught.value)
