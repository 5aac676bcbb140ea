"""Reading the dates of survey responses, whatever form the export wrote them in.

Accepted: ISO (``2024-03-25``, ``2024-03-25T14:05:00Z``: the time zone is dropped, the local wall-clock
date kept), day-first and month-first (``25/03/2024``, ``03/25/24``, with ``/``, ``.`` or ``-``), month names
(``25 Mar 2024``), Excel serial numbers (``45376`` = 2024-03-25, counted from 1899-12-30 as Excel does), and
real dates from spreadsheets and Parquet.

Day-first or month-first is the mapping's ``date_order``. With ``auto`` the file decides: a date such as
``25/03/2024`` can only be day-first. Dates read before any such evidence are read day-first for the time
being; if the file later proves month-first, or never says, the reader reports it as blocking, so a wrong
month never reaches the cube silently. This module reads values; it must not decide what to do with a row.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import pandas as pd

from workshop.feedback.scales import MISSING_MARKERS, fold

DATE_ORDERS = ("auto", "day_first", "month_first")
PROVISIONAL_ORDER = "day_first"
"""How an ambiguous date is read while the file has not yet said which order it uses."""
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_SERIALS = (10_000, 100_000)
"""Numbers read as Excel serial dates: 1927-05-18 to 2173-10-14. Smaller numbers are not dates."""

_ISO = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[ T].*)?$")
_TIME_ZONE = re.compile(r"(?<=\d)(?:Z|[+-]\d{2}:?\d{2})$")
_NUMERIC = re.compile(r"^\d+(?:[.,]\d+)?$")
_DAY_MONTH = re.compile(
    r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{2}|\d{4})"  # day and month in either order, then the year
    r"(?:[ T,]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"  # an optional time of day
)
_MONTH_NAME = re.compile(r"[a-z]{3,}")


class DateRead(IntEnum):
    READ = 0
    MISSING = 1
    UNREADABLE = 2


@dataclass
class DateReader:
    """Reads date values chunk after chunk, remembering the day/month order the file has shown."""

    order: str = "auto"
    decided: str | None = None
    evidence: dict[str, tuple[int, str]] = field(default_factory=dict)
    """For each order, the first (file row, value) that could only be read that way."""
    read_provisionally: tuple[int, str] | None = None
    """The first (file row, value) read day-first before the file showed its order."""

    def __post_init__(self) -> None:
        if self.order not in DATE_ORDERS:
            raise ValueError(f"date order must be one of {', '.join(DATE_ORDERS)}, not {self.order!r}")
        if self.order != "auto":
            self.decided = self.order

    def read(self, values: np.ndarray | pd.Series, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(datetime64[ns] array with NaT where not READ, DateRead status per value) for one chunk."""
        values = pd.Series(values)
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            stamps = _naive(pd.to_datetime(values)).to_numpy(dtype="datetime64[ns]")
            return stamps, np.where(np.isnat(stamps), DateRead.MISSING, DateRead.READ).astype(np.int8)
        codes, uniques = pd.factorize(values.to_numpy(dtype=object))
        first_row = np.zeros(len(uniques), dtype=np.int64)
        present = codes >= 0
        first_row[codes[present][::-1]] = np.asarray(rows)[present][::-1]
        stamps, status = self._read_unique(list(uniques), first_row)
        out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
        out_status = np.full(len(values), DateRead.MISSING, dtype=np.int8)
        out[present] = stamps[codes[present]]
        out_status[present] = status[codes[present]]
        return out, out_status

    def _read_unique(self, uniques: list, first_row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        stamps = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[ns]")
        status = np.full(len(uniques), DateRead.UNREADABLE, dtype=np.int8)
        iso, day_month, named = [], [], []
        for i, value in enumerate(uniques):
            if isinstance(value, (dt.datetime, dt.date, pd.Timestamp, np.datetime64)):
                stamp = pd.Timestamp(value)
                stamps[i] = (stamp.tz_localize(None) if stamp.tzinfo else stamp).to_datetime64()
                status[i] = DateRead.READ
            elif isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
                self._serial(i, float(value), stamps, status)
            elif isinstance(value, str):
                text = value.strip()
                if fold(text) in MISSING_MARKERS:
                    status[i] = DateRead.MISSING
                elif _NUMERIC.match(text):
                    self._serial(i, float(text.replace(",", ".")), stamps, status)
                elif _ISO.match(text):
                    iso.append((i, _TIME_ZONE.sub("", text).replace("/", "-")))
                elif _DAY_MONTH.match(text):
                    day_month.append((i, text))
                elif _MONTH_NAME.search(text.casefold()):
                    named.append((i, text))
        if iso:
            index, texts = zip(*iso, strict=True)
            parsed = pd.to_datetime(pd.Series(texts), format="ISO8601", errors="coerce")
            self._store(list(index), parsed, stamps, status)
        if day_month:
            self._read_day_month(day_month, first_row, stamps, status)
        if named:
            index, texts = zip(*named, strict=True)
            parsed = pd.to_datetime(
                pd.Series(texts), format="mixed", dayfirst=self.decided != "month_first", errors="coerce"
            )
            self._store(list(index), parsed, stamps, status)
        return stamps, status

    @staticmethod
    def _serial(i: int, number: float, stamps: np.ndarray, status: np.ndarray) -> None:
        if EXCEL_SERIALS[0] <= number <= EXCEL_SERIALS[1]:
            stamps[i] = (EXCEL_EPOCH + pd.to_timedelta(number, unit="D")).to_datetime64()
            status[i] = DateRead.READ

    @staticmethod
    def _store(index: list[int], parsed: pd.Series, stamps: np.ndarray, status: np.ndarray) -> None:
        parsed = _naive(parsed)
        good = parsed.notna().to_numpy()
        where = np.asarray(index)
        stamps[where[good]] = parsed.to_numpy(dtype="datetime64[ns]")[good]
        status[where[good]] = DateRead.READ

    def _read_day_month(
        self, items: list[tuple[int, str]], first_row: np.ndarray, stamps: np.ndarray, status: np.ndarray
    ) -> None:
        index = np.array([i for i, _ in items])
        parts = pd.Series([t for _, t in items]).str.extract(_DAY_MONTH).astype(float)
        a, b = parts["a"].to_numpy(), parts["b"].to_numpy()
        only_day_first = (a > 12) & (b <= 12)
        only_month_first = (b > 12) & (a <= 12)
        for order, only in (("day_first", only_day_first), ("month_first", only_month_first)):
            if only.any() and order not in self.evidence:
                rows = first_row[index[only]]
                k = int(np.argmin(rows))
                self.evidence[order] = (int(rows[k]), items[int(np.flatnonzero(only)[k])][1])
        if self.decided is None and self.evidence:
            self.decided = min(self.evidence, key=lambda order: self.evidence[order][0])
        order = self.decided or PROVISIONAL_ORDER
        if self.decided is None and self.read_provisionally is None:
            rows = first_row[index]
            k = int(np.argmin(rows))
            self.read_provisionally = (int(rows[k]), items[k][1])
        day, month = (a, b) if order == "day_first" else (b, a)
        year = parts["y"].to_numpy()
        year = np.where(year < 100, np.where(year < 70, 2000 + year, 1900 + year), year)
        parsed = pd.to_datetime(
            pd.DataFrame(
                {
                    "year": year,
                    "month": month,
                    "day": day,
                    "hour": parts["H"].fillna(0),
                    "minute": parts["M"].fillna(0),
                    "second": parts["S"].fillna(0),
                }
            ),
            errors="coerce",
        )
        self._store(list(index), parsed, stamps, status)

    def ambiguity(self) -> tuple[str, str, tuple[int, str]] | None:
        """(what is wrong, what to do, (row, value)) when dates may have been read in the wrong order."""
        if self.order != "auto" or self.read_provisionally is None:
            return None
        if self.decided == PROVISIONAL_ORDER:
            return None
        if self.decided == "month_first":
            row, value = self.evidence["month_first"]
            return (
                f"dates were read day-first until row {row} ({value!r}) showed the file writes month first",
                "Set 'date_order: month_first' in mapping.yml and load again.",
                self.read_provisionally,
            )
        return (
            "dates such as this one can be read day-first or month-first, and no date in the file says which",
            "Ask the client which their survey tool writes, then set 'date_order: day_first' or "
            "'date_order: month_first' in mapping.yml.",
            self.read_provisionally,
        )


def _naive(stamps: pd.Series) -> pd.Series:
    """Wall-clock times without a time zone (the local date is the one a customer lived)."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        return stamps.dt.tz_localize(None)
    return stamps
