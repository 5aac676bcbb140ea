"""Reading client survey exports (CSV, Excel .xlsx, Parquet) as raw values, a chunk at a time.

A reader finds how a file is written (encoding, delimiter, sheet, the row holding the column headings) and
yields its records in chunks, each value as the file holds it (text for CSV; text, numbers and dates for
Excel and Parquet), with the row number a spreadsheet would show: the heading row is row 1 unless a title
block moves it down; Parquet rows are numbered as if the file were opened in a spreadsheet (first record is
row 2). Readers never interpret values; that is the mapping's and the scales' work. (Parquet list and
struct values, e.g. a multi-select answer, come as their text, as a spreadsheet would show them.)

Detection, each overridable in mapping.yml (``format:``):

- encoding: UTF-16 when the file opens with its BOM (Excel's "Unicode Text"); UTF-8 when it opens with the
  UTF-8 BOM (a byte in it that is not UTF-8 reads as "�" and is reported, see ``detect_encoding``); else UTF-8
  checked strictly over the whole file, else Windows-1252 (what Excel writes on Windows), else Latin-1;
- delimiter: the one of ``,`` ``;`` tab ``|`` that splits the first rows most consistently into columns;
- heading row: the first row of two or more filled cells reaching as far right as the table's usual row
  (title blocks above it stop short; a blank heading cell, from an index column or a merged heading, does
  not).

A file that cannot be read (missing, empty, cut short, not the format its name says) raises FeedbackError
naming the file and what to do, never a traceback from inside a library.
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from workshop.errors import FeedbackError, Problem
from workshop.feedback.sniffing import (
    ENCODING_FIX,
    HEADER_SEARCH_ROWS,
    SNIFF_BYTES,
    column_names,
    detect_encoding,
    filled_cells,
    head_records,
    heading_row,
    sniff_delimiter,
    split_records,
)

KINDS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}
PREVIEW_ROWS = 1000
_BAD_LINE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""How an OLE compound file opens: what Excel writes for a password-protected workbook, and old .xls."""
_UNREADABLE_WORKBOOK = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ParseError, OSError, ValueError)


@dataclass
class FileFormat:
    """How a file is written. ``None`` means "detect it"; ``sheet`` is a name or a position from 1."""

    kind: str
    encoding: str | None = None
    encoding_errors: str = "strict"
    """``"replace"`` when a file that says it is UTF-8 (its BOM) holds bytes that are not: they read as "�"."""
    delimiter: str | None = None
    sheet: str | int | None = None
    header_row: int | None = None


@dataclass
class RawChunk:
    """Records as the file holds them, with the spreadsheet row of each.

    ``rejected`` lists rows the reader could not split into the heading's columns, with the reason;
    ``fraction`` is how much of the file has been read (0–1), for a progress bar; ``replaced`` the (row,
    column) of each value where a byte that is not UTF-8 reads as "�".
    """

    frame: pd.DataFrame
    rows: np.ndarray
    rejected: list[tuple[int, str]] = field(default_factory=list)
    fraction: float = 0.0
    replaced: list[tuple[int, str]] = field(default_factory=list)


def file_kind(path: Path) -> str:
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        fix = (
            "Open it in Excel and save it as .xlsx."
            if path.suffix.lower() == ".xls"
            else "Export the survey as CSV, Excel (.xlsx) or Parquet."
        )
        raise FeedbackError(
            [
                Problem(
                    path, "", None, f"is not a file the kit reads ({', '.join(sorted(KINDS))})", fix, repr(path.suffix)
                )
            ]
        )
    return kind


def _check_exists(path: Path) -> None:
    if not path.is_file():
        raise FeedbackError(
            [
                Problem(
                    path,
                    "",
                    None,
                    "file not found",
                    "Check the name, or copy the client's export into the workshop folder.",
                )
            ]
        )
    if path.stat().st_size == 0:
        raise FeedbackError(
            [
                Problem(
                    path,
                    "",
                    None,
                    "the file is empty (0 bytes)",
                    "Export the survey again: the download or copy may have failed.",
                )
            ]
        )


def detect_format(path: str | Path, given: FileFormat | None = None) -> FileFormat:
    """``given`` with every unset option detected from the file."""
    path = Path(path)
    _check_exists(path)
    fmt = replace(given) if given is not None else FileFormat(kind=file_kind(path))
    if fmt.kind == "csv":
        if fmt.encoding is None:
            fmt.encoding, fmt.encoding_errors = detect_encoding(path)
        head = head_records(path, fmt.encoding)
        fmt.delimiter = fmt.delimiter or sniff_delimiter(head, path)
        if fmt.header_row is None:
            fmt.header_row = heading_row(split_records(head, fmt.delimiter, path))
    elif fmt.kind == "xlsx":
        with _workbook(path) as book:
            sheet = _sheet(book, fmt.sheet, path)
            fmt.sheet = sheet.title
            if fmt.header_row is None:
                top = list(islice(sheet.iter_rows(values_only=True), HEADER_SEARCH_ROWS))
                fmt.header_row = heading_row(top)
    else:
        fmt.header_row = 1
    return fmt


def read_columns(path: str | Path, fmt: FileFormat) -> list[str]:
    """The file's column headings, as mapping.yml names them."""
    path = Path(path)
    if fmt.kind == "csv":
        head = head_records(path, fmt.encoding or "utf-8")
        rows = split_records(head, fmt.delimiter or ",", path)
        header_row = fmt.header_row or 1
        if len(rows) < header_row:
            raise FeedbackError(
                [
                    Problem(
                        path,
                        f"row {header_row}",
                        None,
                        "there is no heading row here",
                        "Check 'header_row' under 'format:' in mapping.yml.",
                    )
                ]
            )
        return column_names(rows[header_row - 1])
    if fmt.kind == "xlsx":
        with _workbook(path) as book:
            sheet = _sheet(book, fmt.sheet, path)
            header_row = fmt.header_row or 1
            for row in sheet.iter_rows(min_row=header_row, max_row=header_row, values_only=True):
                return column_names(list(row))
            raise FeedbackError(
                [
                    Problem(
                        path,
                        f"sheet '{sheet.title}', row {header_row}",
                        None,
                        "there is no heading row here",
                        "Check 'sheet' and 'header_row' under 'format:' in mapping.yml.",
                    )
                ]
            )
    return list(_parquet(path).schema_arrow.names)


def read_preview(
    path: str | Path,
    sheet: str | int | None = None,
    header_row: int | None = None,
    *,
    rows: int = PREVIEW_ROWS,
    file_format: FileFormat | None = None,
) -> pd.DataFrame:
    """The first ``rows`` records, raw, for the mapping panel and for suggesting a mapping.

    ``.attrs['file_format']`` holds the detected FileFormat and ``.attrs['rows']`` the spreadsheet rows.
    """
    path = Path(path)
    _check_exists(path)  # "not found" before "not a kind the kit reads": a mistyped name is the likelier slip
    given = file_format or FileFormat(kind=file_kind(path), sheet=sheet, header_row=header_row)
    fmt = detect_format(path, given)
    chunk = next(read_chunks(path, fmt, None, rows), None)
    if chunk is None:
        preview = pd.DataFrame(columns=read_columns(path, fmt), dtype=object)
        row_numbers = np.zeros(0, dtype=np.int64)
    else:
        preview, row_numbers = chunk.frame.reset_index(drop=True), chunk.rows
    preview.attrs["file_format"] = fmt
    preview.attrs["rows"] = row_numbers
    return preview


def read_chunks(
    path: str | Path,
    fmt: FileFormat,
    columns: list[str] | None,
    chunk_rows: int,
    numbers: set[str] | frozenset[str] = frozenset(),
) -> Iterator[RawChunk]:
    """Records in chunks of up to ``chunk_rows``; only ``columns`` (all when None), as raw values.

    CSV values are text, blanks included, except in the ``numbers`` columns (scores): there a chunk whose
    values are all numbers or blank comes as floats with NaN for blanks, which saves making a Python string
    per cell; any other chunk of that column stays text.
    """
    path = Path(path)
    if fmt.kind == "csv":
        yield from _csv_chunks(path, fmt, columns, chunk_rows, numbers)
    elif fmt.kind == "xlsx":
        yield from _xlsx_chunks(path, fmt, columns, chunk_rows)
    else:
        yield from _parquet_chunks(path, columns, chunk_rows)


# --- CSV --------------------------------------------------------------------------------------------------


def _csv_chunks(
    path: Path, fmt: FileFormat, columns: list[str] | None, chunk_rows: int, numbers: set[str] | frozenset[str]
) -> Iterator[RawChunk]:
    names = read_columns(path, fmt)
    header_row = fmt.header_row or 1
    size = path.stat().st_size
    bad_rows: list[int] = []
    cut_row = _cut_short_last_row(path, fmt, len(names))
    with path.open("rb") as stream:
        try:  # pandas tokenizes its first buffer here already: a quote left open can fail at once
            # Every column is read (not usecols) so that a row with too many fields is caught, not silently cut.
            reader = pd.read_csv(
                stream,
                sep=fmt.delimiter,
                encoding=fmt.encoding,
                encoding_errors=fmt.encoding_errors,
                header=None,
                names=names,
                skiprows=header_row,
                dtype={n: object for n in names if n not in numbers},
                keep_default_na=False,
                na_values={n: [""] for n in numbers},
                skip_blank_lines=False,
                on_bad_lines="warn",
                chunksize=chunk_rows,
                engine="c",
            )
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise FeedbackError([_csv_problem(path, exc, header_row)]) from None
        last: RawChunk | None = None
        while True:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                try:
                    frame = next(reader, None)
                except (pd.errors.ParserError, UnicodeDecodeError) as exc:
                    raise FeedbackError([_csv_problem(path, exc, header_row)]) from None
            rejected = []
            for warning in caught:
                if match := _BAD_LINE.search(str(warning.message)):
                    row, expected, saw = (int(g) for g in match.groups())
                    bad_rows.append(row)
                    rejected.append((row, f"has {saw} values where the heading row has {expected} columns"))
            if frame is None:
                if last is not None or rejected:
                    last = last or RawChunk(
                        pd.DataFrame(columns=columns or names, dtype=object), np.zeros(0, dtype=np.int64)
                    )
                    last.rejected.extend(rejected)
                    _mark_cut_row(last, cut_row)
                    last.fraction = 1.0
                    yield last
                return
            rows = _record_rows(frame.index.to_numpy(), header_row, bad_rows)
            chunk = RawChunk(
                frame[columns] if columns is not None else frame, rows, rejected, min(stream.tell() / size, 0.99)
            )
            if fmt.encoding_errors == "replace":
                chunk.replaced = _replaced_values(chunk)
            if last is not None:
                yield last
            last = chunk


def _replaced_values(chunk: RawChunk) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for column in chunk.frame.columns:
        values = chunk.frame[column]
        if values.dtype == object:
            hit = values.str.contains("\ufffd", regex=False, na=False).to_numpy(dtype=bool)
            found.extend((int(row), column) for row in chunk.rows[hit])
    return found


def _record_rows(index: np.ndarray, header_row: int, bad_rows: list[int]) -> np.ndarray:
    """Spreadsheet rows of good records, skipping the rows pandas rejected (it does not count them)."""
    plain = header_row + 1 + index.astype(np.int64)
    if not bad_rows:
        return plain
    bad = np.sort(np.asarray(bad_rows, dtype=np.int64))
    shifted = bad - np.arange(len(bad))
    return plain + np.searchsorted(shifted, plain, side="right")


def _cut_short_last_row(path: Path, fmt: FileFormat, columns: int) -> bool:
    """True when the file ends without a line break and its last line has fewer values than the headings."""
    with path.open("rb") as stream:
        stream.seek(max(0, path.stat().st_size - SNIFF_BYTES))
        tail = stream.read()
    text = tail.decode(fmt.encoding or "utf-8", errors="replace")
    if not text or text.endswith(("\n", "\r")):
        return False
    last_line = text.splitlines()[-1]
    values = next(iter(split_records([last_line], fmt.delimiter or ",", path)), [])
    return len(values) < columns


def _mark_cut_row(chunk: RawChunk, cut_row: bool) -> None:
    if cut_row and len(chunk.rows):
        row = int(chunk.rows[-1])
        chunk.frame = chunk.frame.iloc[:-1]
        chunk.rows = chunk.rows[:-1]
        chunk.rejected.append((row, "the file ends in the middle of this row (it was cut short)"))


def _csv_problem(path: Path, exc: Exception, header_row: int) -> Problem:
    text = str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return Problem(path, "", None, f"cannot be read as {exc.encoding}", ENCODING_FIX)
    if match := re.search(r"EOF inside string starting at row (\d+)", text):
        row = int(match.group(1)) + 1  # pandas counts records from the top of the file, from 0
        return Problem(
            path,
            f"row {row}",
            None,
            "the file ends inside a quoted value that starts on this row: it was cut short, or a quote is not closed",
            "Export or copy the file again; if it opens in Excel, check that row.",
        )
    return Problem(
        path,
        "",
        None,
        f"cannot be split into columns ({text.strip()})",
        "Check the delimiter and quotes: open it in a text editor, or set 'delimiter:' in mapping.yml.",
    )


# --- Excel ------------------------------------------------------------------------------------------------


class _workbook:
    """An openpyxl read-only workbook, closed on exit, with damaged files reported for people."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        from openpyxl import load_workbook

        try:
            self.book = load_workbook(self.path, read_only=True, data_only=True)
        except _UNREADABLE_WORKBOOK:
            with self.path.open("rb") as stream:
                compound = stream.read(len(_COMPOUND_FILE)) == _COMPOUND_FILE
            raise FeedbackError(
                [_protected(self.path) if compound else _damaged(self.path, "Excel workbook")]
            ) from None
        return self.book

    def __exit__(self, *exc_info: object) -> None:
        self.book.close()


def _protected(path: Path) -> Problem:
    return Problem(
        path,
        "",
        None,
        "is protected with a password (or is an old .xls workbook renamed .xlsx)",
        "Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, "
        "clear it), save it as .xlsx and retry.",
    )


def _damaged(path: Path, what: str) -> Problem:
    return Problem(
        path,
        "",
        None,
        f"is not a complete {what}: it may have been cut short while downloading or "
        "copying, or it is another kind of file renamed",
        "Copy or download it again; if it opens in Excel, save it again and retry.",
    )


def _sheet(book, wanted: str | int | None, path: Path):
    names = book.sheetnames
    if wanted is None:
        return _data_sheet(book)
    if isinstance(wanted, int) and 1 <= wanted <= len(names):
        return book.worksheets[wanted - 1]
    if isinstance(wanted, str) and wanted in names:
        return book[wanted]
    raise FeedbackError(
        [
            Problem(
                path,
                "",
                "sheet",
                "no such sheet in this workbook",
                f"Sheets: {', '.join(names)} (or a position from 1 to {len(names)}).",
                repr(wanted),
            )
        ]
    )


def _data_sheet(book):
    """The first sheet that looks like a table (a row with two or more filled cells near the top); a
    workbook often opens with a 'read me' sheet."""
    for sheet in book.worksheets:
        for row in islice(sheet.iter_rows(values_only=True), HEADER_SEARCH_ROWS):
            if filled_cells(row) >= 2:
                return sheet
    return book.worksheets[0]


def _xlsx_chunks(path: Path, fmt: FileFormat, columns: list[str] | None, chunk_rows: int) -> Iterator[RawChunk]:
    names = read_columns(path, fmt)
    wanted = [names.index(c) for c in columns] if columns is not None else list(range(len(names)))
    header_row = fmt.header_row or 1
    with _workbook(path) as book:
        sheet = _sheet(book, fmt.sheet, path)
        total = max((sheet.max_row or 0) - header_row, 1)
        records: list[list[Any]] = []
        first = header_row + 1
        try:
            for values in sheet.iter_rows(min_row=first, values_only=True):
                records.append([values[i] if i < len(values) else None for i in wanted])
                if len(records) == chunk_rows:
                    yield _xlsx_chunk(records, columns or names, first, total, header_row)
                    first += len(records)
                    records = []
        except _UNREADABLE_WORKBOOK:
            raise FeedbackError([_damaged(path, "Excel workbook")]) from None
        while records and all(v is None for v in records[-1]):
            records.pop()  # Excel keeps formatted but empty rows at the end of a sheet: they are not rows.
        if records:
            yield _xlsx_chunk(records, columns or names, first, total, header_row)


def _xlsx_chunk(records: list[list[Any]], names: list[str], first: int, total: int, header_row: int) -> RawChunk:
    frame = pd.DataFrame.from_records(records, columns=names).astype(object)
    rows = np.arange(first, first + len(records), dtype=np.int64)
    return RawChunk(frame, rows, [], min((rows[-1] - header_row) / total, 1.0))


# --- Parquet ----------------------------------------------------------------------------------------------


def _parquet(path: Path) -> pq.ParquetFile:
    """The open Parquet file; refused when damaged, or when two columns share a name (pyarrow writes such
    files; no column could then be named in mapping.yml)."""
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError):
        raise FeedbackError([_damaged(path, "Parquet file")]) from None
    names = parquet.schema_arrow.names
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise FeedbackError(
            [
                Problem(
                    path,
                    "",
                    None,
                    f"two or more columns are named {repeated[0]!r}",
                    "Rename the repeated columns where the file was made, then export it again.",
                    ", ".join(map(repr, repeated)),
                )
            ]
        )
    return parquet


def _parquet_chunks(path: Path, columns: list[str] | None, chunk_rows: int) -> Iterator[RawChunk]:
    parquet = _parquet(path)
    total = max(parquet.metadata.num_rows, 1)
    first = 2
    try:
        for batch in parquet.iter_batches(batch_size=chunk_rows, columns=columns):
            frame = batch.to_pandas()
            for name, column in zip(batch.schema.names, batch.columns, strict=True):
                if pa.types.is_nested(column.type):
                    frame[name] = pd.Series(
                        [None if v is None else str(v) for v in column.to_pylist()], index=frame.index, dtype=object
                    )
            rows = np.arange(first, first + len(frame), dtype=np.int64)
            first += len(frame)
            yield RawChunk(frame, rows, [], (first - 2) / total)
    except (pa.ArrowException, OSError):
        raise FeedbackError([_damaged(path, "Parquet file")]) from None
