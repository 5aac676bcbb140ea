"""Tables as files a spreadsheet opens safely: CSV (UTF-8 with a byte-order mark, so Excel reads it as UTF-8)
and XLSX (dates as dates, fitted widths), every cell through ``export_rows``, which neutralises formulas
(``neutralise_formula``): text typed by participants or the facilitator is untrusted, and a cell such as
``=HYPERLINK(...)`` must reach a spreadsheet as text. Each file is written atomically.
"""

from __future__ import annotations

import csv
import io
import math
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workshop.files import atomic_write_bytes, atomic_write_text

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV injection")."""
XLSX_WIDTH_MIN, XLSX_WIDTH_MAX = 8, 50
"""Column widths in characters: fitted to the longest cell, never narrower or wider than these."""
XLSX_DATE_FORMAT = "yyyy-mm-dd"


# --- cells ------------------------------------------------------------------------------------------------


def neutralise_formula(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, prefixed with ``'`` so it shows as text.

    Only text is touched: numbers (a negative number stays a number), dates and empty cells pass unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    """A pandas cell as a plain Python value: None for missing, int/float for numbers, date for dates."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, (str, date)):
        return value.item()
    return value


def export_rows(table: pd.DataFrame) -> list[list[Any]]:
    """The table's cells as plain values with formulas neutralised: what every export writes."""
    return [[neutralise_formula(_plain(v)) for v in row] for row in table.itertuples(index=False, name=None)]


def as_text(value: Any) -> str:
    """A plain cell as text: empty for missing, ISO dates, numbers as written (``6``, ``6.5``, ``-0.4``)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def export_csv(table: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write the table as CSV: UTF-8 with a byte-order mark, comma-separated, CRLF line ends (RFC 4180).

    The byte-order mark is what makes Excel read the file as UTF-8; without it Excel on Windows uses the
    system code page and "Opérations" arrives as "OpÃ©rations". Other readers skip it (Python: ``utf-8-sig``).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(neutralise_formula(c) for c in table.columns)
    writer.writerows([as_text(v) for v in row] for row in export_rows(table))
    path = Path(path)
    atomic_write_text(path, "\ufeff" + buffer.getvalue())
    return path


def export_xlsx(table: pd.DataFrame, path: str | os.PathLike, sheet: str = "Action plan") -> Path:
    """Write the table as an Excel workbook: bold, filled, frozen header with an autofilter; widths fitted to
    the content (8–50 characters); dates as real dates shown ``yyyy-mm-dd``; long text wrapped."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append([neutralise_formula(c) for c in table.columns])
    for row in export_rows(table):
        # openpyxl refuses control characters XML cannot hold; they carry nothing a reader needs.
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(ws.iter_cols(min_row=1, max_row=ws.max_row), start=1):
        longest = max(len(line) for cell in column for line in as_text(cell.value).splitlines() or [""])
        ws.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, XLSX_WIDTH_MIN), XLSX_WIDTH_MAX)
        column[0].font, column[0].fill, column[0].alignment = header_font, header_fill, wrap
        for cell in column[1:]:
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = XLSX_DATE_FORMAT
            elif isinstance(cell.value, float):
                cell.number_format = "0.0"
            text = cell.value if isinstance(cell.value, str) else ""
            if len(text) > XLSX_WIDTH_MAX - 2 or "\n" in text:
                cell.alignment = wrap
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(ws.max_column, 1))}{ws.max_row}"
    buffer = io.BytesIO()
    book.save(buffer)
    path = Path(path)
    atomic_write_bytes(path, buffer.getvalue())
    return path
