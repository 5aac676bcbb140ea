"""How a feedback file is written, read from its first bytes and rows: the text encoding and CSV delimiter,
the heading row (of a CSV or a sheet), and the column names the headings give. ``workshop.feedback.readers``
uses these to detect a file's format before it reads the file in chunks.
"""

from __future__ import annotations

import codecs
import csv
from collections import Counter
from pathlib import Path
from typing import Any

from workshop.errors import FeedbackError, Problem

DELIMITERS = (",", ";", "\t", "|")
HEADER_SEARCH_ROWS = 30
"""A heading row further down than this is not looked for; name it in mapping.yml (``header_row``)."""
SNIFF_BYTES = 256 * 1024
_BLOCK = 1 << 20


def detect_encoding(path: Path) -> tuple[str, str]:
    """The file's encoding, and ``"strict"`` or ``"replace"`` for bytes it cannot decode.

    ``utf-16`` when the file opens with its BOM (Excel's "Unicode Text"). ``utf-8-sig`` when it opens with the
    UTF-8 BOM: its writer's word that it is UTF-8, so a byte that is not (a cell pasted from elsewhere) is
    replaced and reported rather than the whole file read as Windows-1252, which would put the BOM in the
    first heading and garble every accent. Otherwise the first of ``utf-8``, ``cp1252`` and ``latin-1`` that
    decodes the whole file strictly.
    """
    with path.open("rb") as stream:
        start = stream.read(len(codecs.BOM_UTF8))
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16", "strict"
    if start == codecs.BOM_UTF8:
        return "utf-8-sig", "strict" if _decodes(path, "utf-8") else "replace"
    return next((encoding for encoding in ("utf-8", "cp1252") if _decodes(path, encoding)), "latin-1"), "strict"


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as stream:
            while block := stream.read(_BLOCK):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


ENCODING_FIX = (
    "Set 'encoding:' under 'format:' in mapping.yml (e.g. cp1252 for files from Excel on Windows), "
    "or remove it to detect."
)


def head_records(path: Path, encoding: str) -> list[str]:
    """The first complete lines of a text file (enough to sniff; a partial last line is dropped)."""
    with path.open("rb") as stream:
        raw = stream.read(SNIFF_BYTES)
        more = bool(stream.read(1))
    try:
        text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(raw)
    except UnicodeError as exc:  # not a bad byte (those are replaced): e.g. utf-16 named for a file without a BOM
        raise FeedbackError([Problem(path, "", None, f"cannot be read as {encoding} ({exc})", ENCODING_FIX)]) from None
    lines = text.splitlines(keepends=True)
    if more and len(lines) > 1:
        lines = lines[:-1]
    return lines[: HEADER_SEARCH_ROWS * 4]


def sniff_delimiter(lines: list[str], path: Path) -> str:
    if not any(line.strip() for line in lines):
        raise FeedbackError(
            [
                Problem(
                    path,
                    "",
                    None,
                    "the file holds only blank lines",
                    "Export the survey again: the download or copy may have failed.",
                )
            ]
        )
    best, best_score = ",", (False, 0, 0)
    for delimiter in DELIMITERS:
        counts = [len(r) for r in split_records(lines, delimiter, path) if r]
        usual, frequency = Counter(counts).most_common(1)[0]
        score = (usual > 1, frequency, usual)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def split_records(lines: list[str], delimiter: str, path: Path) -> list[list[str]]:
    """Lines split into values by the csv module; a value past its size limit (128 KB: a quote left open
    swallows the lines after it) is a problem for people, not a ``_csv.Error``."""
    try:
        return list(csv.reader(lines, delimiter=delimiter))
    except csv.Error:
        raise FeedbackError(
            [
                Problem(
                    path,
                    "",
                    None,
                    f"a value near the top is longer than "
                    f"{csv.field_size_limit() // 1024} KB: a quote is probably not closed",
                    "Open the file in a text editor and close the quote; or export it again.",
                )
            ]
        ) from None


def heading_row(rows: list) -> int:
    """1-based row of the headings: the first reaching as far right as the usual row of the table.

    Reach (the position of the last filled cell), not the number of filled cells: a heading row may have a
    blank cell (pandas' index column, the cells of a merged heading after the first) that its records fill.
    """
    reach = [_reach(row) for row in rows]
    usual = Counter(n for n in reach if n > 0).most_common()
    if not usual:
        return 1
    widest_common = max(n for n, times in usual if times == usual[0][1])
    for index, (row, n) in enumerate(zip(rows, reach, strict=True)):
        if (n >= widest_common and filled_cells(row) >= 2) or (widest_common == 1 and n == 1):
            return index + 1
    return 1


def is_filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def filled_cells(row) -> int:
    return sum(1 for cell in row if is_filled(cell))


def _reach(row) -> int:
    """1 + the position of the last filled cell; 0 for a blank row."""
    return next((position + 1 for position in range(len(row) - 1, -1, -1) if is_filled(row[position])), 0)


def column_names(cells: list[Any]) -> list[str]:
    """Headings as mapping.yml names them: blank ones become 'column F', repeated ones get ' (2)'."""
    names: list[str] = []
    for position, cell in enumerate(cells):
        name = "" if cell is None else str(cell).strip()
        if not name:
            name = f"column {_letters(position)}"
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def _letters(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
