"""Writes the feedback fixtures in this folder, byte for byte, as survey tools and Excel write them.

Run from the repository root: ``python tests/data/feedback/make_fixtures.py``. The files are committed; this
script is how they were made (encodings, BOMs, cut-short files and workbooks cannot be typed by hand), so a
fixture can be changed and remade rather than edited in a hex editor. README.md lists what each one is for.
"""
from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
HEADINGS = "Response ID,Date,Channel,Customer type,Quick answers,People who care,Clear bills," \
           "How likely are you to recommend us?,Comments"


def text(name: str, body: str, encoding: str = "utf-8", bom: bool = False) -> None:
    data = body.encode(encoding)
    (HERE / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def stray_byte_fixture() -> None:
    """Saved as UTF-8 with its BOM, but one comment was pasted from a Windows-1252 file: a lone 0xE9 (é)."""
    (HERE / "bom_stray_byte.csv").write_bytes(
        b"\xef\xbb\xbf" + "response_id,date,touchpoint,speed,care,comment\n"
                           "S1,2024-07-01,phone,8,9,Très rapide\n".encode("utf-8")
        + b"S2,2024-07-02,web,6,7,Caf\xe9 froid\n" + "S3,2024-07-03,store,9,10,Naïve question\n".encode("utf-8"))


def heading_fixtures() -> None:
    """Headings with a blank cell, as pandas (an index column) and Excel (merged cells) write them, and
    Excel's "Unicode Text" export: UTF-16 little-endian with a BOM, tab-delimited, CRLF."""
    text("index_column.csv", ",response_id,date,touchpoint,speed\n"
         "0,I1,2024-02-01,phone,5\n"
         "1,I2,2024-02-02,web,8\n")
    (HERE / "unicode_text.txt").write_bytes(b"\xff\xfe" + "response_id\tdate\ttouchpoint\tspeed\tcomment\r\n"
                                            "U1\t2024-02-01\tphone\t7\tZoë était ravie\r\n"
                                            "U2\t2024-02-02\tweb\t9\t\r\n".encode("utf-16-le"))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["response_id", "Scores", None, "date"])
    sheet.merge_cells("B1:C1")
    sheet.append(["H1", 7, 8, dt.datetime(2024, 1, 31)])
    sheet.append(["H2", 6, 5, dt.datetime(2024, 2, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    (HERE / "merged_heading.xlsx").write_bytes(buffer.getvalue())


def csv_fixtures() -> None:
    text("clean_comma.csv", HEADINGS + "\n"
         "R001,2024-03-04,Phone,Consumer,8,9,7,10,Quick and kind.\n"
         "R002,2024-03-05,Store,Business,6,5,,7,\n"
         "R003,2024-04-10,Web,Consumer,10,,9,9,\"Clear bill, thanks\"\n"
         "R004,2024-04-11,phone,consumer,3,4,2,2,On hold for 40 minutes.\n"
         "R005,2024-05-01,Web,Business,,,,8,\n"
         "R006,2024-05-02,Store,Consumer,9,10,8,6,\"Friendly, but the \"\"new\"\" bill is confusing\"\n")
    text("semicolon_cp1252.csv", "Response ID;Date;Channel;Quick answers;People who care;Comments\r\n"
         "A1;25/03/2024;Call centre;7,5;8;Très bien, 20 € de remise\r\n"
         "A2;03/04/2024;TEL;6;7;L’attente était longue\r\n"
         "A3;14/04/2024;Shop;9;9;\r\n", encoding="cp1252")
    text("bom_tab.tsv", "response_id\tdate\ttouchpoint\tspeed\tcare\tclarity\trecommend\tcomment\n"
         "T1\t2024-06-01\tweb\t8\t10\t0\t9\tNaïve question answered fast\n"
         "T2\t2024-06-02\tstore\t5\t6\t7\t7\t\n", bom=True)
    text("pipe_month_first.txt", "id|submitted|channel|Quick answers|recommend\n"
         "P1|03/04/2024|phone|7|8\n"
         "P2|12/25/2024|web|9|10\n"
         "P3|01/02/2025|store|4|3\n")
    text("likert_labels.csv", "response_id,date,touchpoint,Quick answers,People who care\n"
         "L1,2024-01-01,phone,Strongly Agree,Strongly agree\n"
         "L2,2024-01-02,phone, agree ,Somewhat agree\n"
         "L3,2024-01-03,store,NEITHER agree nor disagree,Neither agree nor disagree\n"
         "L4,2024-01-04,store,strongly_disagree,Somewhat disagree\n"
         "L5,2024-01-05,web,Disagree,Strongly disagree\n")
    text("mixed_missing.csv", "response_id,date,touchpoint,speed,recommend\n"
         "M1,2024-02-01,phone,,5\n"
         "M2,2024-02-01,phone,NA,5\n"
         "M3,2024-02-01,phone,n/a,5\n"
         "M4,2024-02-01,phone,-,5\n"
         "M5,2024-02-01,phone,N/A,5\n"
         "M6,2024-02-01,phone,don't know,5\n"
         "M7,2024-02-01,phone,Don\u2019t know,5\n"
         "M8,2024-02-01,phone,0,5\n"
         "M9,2024-02-01,phone,10,5\n")
    text("text_in_score.csv", "response_id,date,touchpoint,speed,care\n"
         "X1,2024-02-01,phone,very quick,8\n"
         "X2,2024-02-02,store,slow,7\n"
         "X3,2024-02-03,web,ok I guess,6\n"
         "X4,2024-02-04,web,9,5\n")
    text("duplicated_ids.csv", "response_id,date,touchpoint,speed,recommend\n"
         "R1,2024-02-01,phone,5,6\n"
         "R2,2024-02-01,store,6,7\n"
         "R1,2024-02-01,phone,5,6\n"
         "R3,2024-02-02,web,7,8\n"
         " R2 ,2024-02-02,store,9,9\n")
    text("empty.csv", "")
    text("header_only.csv", "response_id,date,touchpoint,speed,recommend\n")
    text("cut_mid_row.csv", "response_id,date,touchpoint,speed,care,recommend,comment\n"
         "C1,2024-02-01,phone,5,6,7,fine\n"
         "C2,2024-02-02,store,8,9,9,great\n"
         "C3,2024-02-03,web,7")
    text("scales_mixed.csv", "response_id,date,touchpoint,Quick answers (0-100),People who care,Clear bills (1-7),"
         "recommend\n"
         "S1,2024-02-01,web,85,\u2605\u2605\u2605\u2605\u2606,7,10 - Extremely likely\n"
         "S2,2024-02-01,web,84,4/5,4,0 - Not at all likely\n"
         "S3,2024-02-01,web,45,1 star,1,7\n"
         "S4,2024-02-01,web,100,5 of 5,2,8\n")
    text("percent.csv", "response_id,date,touchpoint,Quick answers\n"
         "Q1,2024-02-01,web,85%\n"
         "Q2,2024-02-01,web,45 %\n"
         "Q3,2024-02-01,web,120%\n")
    text("ambiguous_dates.csv", "response_id,date,touchpoint,speed\n"
         "D1,01/02/2024,phone,0\n"
         "D2,03/04/2024,store,6\n"
         "D3,12/11/2024,web,7\n")
    text("warnings_mix.csv", "response_id,date,touchpoint,speed,care,recommend,comment\n"
         "W1,2024-02-01,phone,11,5,6,\n"
         "W2,2099-01-01,store,5,5,9,\n"
         "W3,2024-02-02,Carrier pigeon,7,0,7,\n"
         ",2024-02-03,web,6,6,6,\n"
         ",,,,,,\n"
         "W6,2024-02-04,web,,,,\n"
         "W7,,web,5,5,5,\n"
         "W8,someday,web,5,5,5,\n")
    text("ragged.csv", "response_id,date,touchpoint,speed,comment\n"
         "G1,2024-02-01,phone,0,fine\n"
         "G2,2024-02-01,phone,10,slow, very slow\n"
         "G3,2024-02-02,store,7,ok\n")
    text("unterminated_quote.csv", "response_id,date,touchpoint,speed,comment\n"
         "U1,2024-02-01,phone,5,fine\n"
         "U2,2024-02-01,phone,6,\"never closed\n"
         "U3,2024-02-02,store,7,ok\n")
    text("excel_serial_dates.csv", "response_id,date,touchpoint,speed\n"
         "E1,45376,phone,0\n"
         "E2,45376.75,store,6\n"
         "E3,2024,web,7\n")
    text("long_format.csv", "ResponseID,Submitted,Channel,Question,Answer\n"
         "R1,2024-03-01,Phone,How quickly did we answer? (1-5),4\n"
         "R1,2024-03-01,Phone,Did the person care?,Agree\n"
         "R1,2024-03-01,Phone,How likely are you to recommend us?,9\n"
         "R1,2024-03-01,Phone,Anything else?,Very helpful\n"
         "R1,2024-03-01,Phone,Age group,35-44\n"
         "R2,2024-03-02,Web,How quickly did we answer? (1-5),2\n"
         "R2,2024-03-02,Web,Was your bill clear?,9\n"
         "R2,2024-03-02,Web,How likely are you to recommend us?,3\n"
         "R3,2024-04-05,Store,Did the person care?,Strongly agree\n"
         "R3,2024-04-05,Store,How likely are you to recommend us?,10\n"
         "R1,2024-03-01,Phone,Was your bill clear?,5\n")


def title_block_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book["Read me"]["A1"] = "Exported from SurveyTool for Fixture Telecom"
    sheet = book.create_sheet("Responses")
    sheet["A1"] = "Customer survey: Q1 2024"
    sheet["A2"] = "Exported 2024-04-02 by j.doe"
    sheet.append([])
    sheet.append(["Response ID", "Date", "Channel", "Quick answers", "People who care", "NPS", "Comments"])
    sheet.append([1001, dt.datetime(2024, 1, 15, 9, 30), "Phone", 7, 8, 9, "Sorted in one call"])
    sheet.append([1002, dt.datetime(2024, 2, 3), "Store", 4, None, 6, None])
    sheet.append([1003, dt.datetime(2024, 3, 20), "Web", "n/a", 9, 10, "Easy"])
    sheet.append([1004, dt.datetime(2024, 3, 21), "Phone", 12, 6, 3, None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_fixtures() -> None:
    data = title_block_workbook()
    (HERE / "title_block.xlsx").write_bytes(data)
    (HERE / "truncated_claims_2gb.xlsx").write_bytes(_claims_two_gigabytes(data))
    (HERE / "renamed_csv.xlsx").write_bytes((HERE / "clean_comma.csv").read_bytes())


def _claims_two_gigabytes(workbook: bytes) -> bytes:
    """The workbook with its sheet entry claiming 2 GB uncompressed, cut off in the middle of that entry."""
    archive = zipfile.ZipFile(io.BytesIO(workbook))
    entry = archive.getinfo("xl/worksheets/sheet2.xml")
    patched = bytearray(workbook)
    struct.pack_into("<I", patched, entry.header_offset + 22, 2_000_000_000)
    return bytes(patched[: entry.header_offset + 30 + len(entry.filename) + entry.compress_size // 2])


def parquet_fixtures() -> None:
    table = pa.table({
        "response_id": ["PQ1", "PQ2", "PQ3", "PQ4"],
        "date": pa.array([dt.datetime(2024, 5, 1), dt.datetime(2024, 5, 2), None, dt.datetime(2024, 6, 30)],
                         pa.timestamp("ms")),
        "touchpoint": ["phone", "web", "store", None],
        "speed": pa.array([7, None, 3, 10], pa.int64()),
        "care": pa.array([8.0, 9.0, None, 0.0], pa.float64()),
        "recommend": pa.array([9, 10, 5, None], pa.int32()),
        "comment": ["good", None, "", "best ever"],
    })
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    (HERE / "wide.parquet").write_bytes(buffer.getvalue())
    (HERE / "truncated.parquet").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) * 2 // 3])
    # A multi-select question as a list column, and a nested one: read as text, never a traceback.
    nested = pa.table({
        "response_id": ["N1", "N2"],
        "date": pa.array([dt.date(2024, 5, 1), dt.date(2024, 5, 31)], pa.date32()),
        "speed": pa.array([8, 6], pa.int64()),
        "channels_used": pa.array([["phone", "web"], None], pa.list_(pa.string())),
        "care": pa.array([{"score": 9}, {"score": 7}]),
    })
    buffer = io.BytesIO()
    pq.write_table(nested, buffer)
    (HERE / "nested.parquet").write_bytes(buffer.getvalue())
    # pyarrow (unlike pandas) writes two columns with one name.
    repeated = pa.Table.from_arrays([pa.array(["D1"]), pa.array([7]), pa.array([9])],
                                    names=["response_id", "speed", "speed"])
    buffer = io.BytesIO()
    pq.write_table(repeated, buffer)
    (HERE / "repeated_column.parquet").write_bytes(buffer.getvalue())


if __name__ == "__main__":
    csv_fixtures()
    stray_byte_fixture()
    heading_fixtures()
    workbook_fixtures()
    parquet_fixtures()
    print("\n".join(sorted(p.name for p in HERE.iterdir() if p.suffix != ".py")))
