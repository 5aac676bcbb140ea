"""Reading dates: every accepted form, day/month order decided by evidence, ambiguity reported."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from workshop.feedback.dates import DateRead, DateReader


def read(reader, values, first_row=2):
    values = np.array(values, dtype=object)
    stamps, status = reader.read(values, np.arange(first_row, first_row + len(values)))
    return [str(pd.Timestamp(s)) if not np.isnat(s) else None for s in stamps], list(status)


def test_every_form_is_read():
    stamps, status = read(DateReader(), [
        "2024-03-25", "2024-03-25T14:05:00Z", "2024-03-25 14:05+02:00", "2024/3/5", "25/03/2024", "25.03.24",
        "45376", 45376.5, "25 Mar 2024", dt.datetime(2024, 1, 2, 8), dt.date(2024, 1, 3),
    ])
    assert stamps == ["2024-03-25 00:00:00", "2024-03-25 14:05:00", "2024-03-25 14:05:00", "2024-03-05 00:00:00",
                      "2024-03-25 00:00:00", "2024-03-25 00:00:00", "2024-03-25 00:00:00", "2024-03-25 12:00:00",
                      "2024-03-25 00:00:00", "2024-01-02 08:00:00", "2024-01-03 00:00:00"]
    assert set(status) == {DateRead.READ}


def test_missing_and_unreadable_are_told_apart():
    stamps, status = read(DateReader(), ["", "n/a", None, "someday", "31/02/2024", "2024", "13/13/2024"])
    assert stamps == [None] * 7
    assert status == [DateRead.MISSING] * 3 + [DateRead.UNREADABLE] * 4


def test_evidence_decides_the_order_and_nothing_is_reported():
    reader = DateReader()
    stamps, _ = read(reader, ["03/04/2024", "25/04/2024"])
    assert stamps == ["2024-04-03 00:00:00", "2024-04-25 00:00:00"]
    assert reader.decided == "day_first" and reader.ambiguity() is None
    reader = DateReader()
    stamps, _ = read(reader, ["03/04/2024", "12/25/2024"])
    assert stamps == ["2024-03-04 00:00:00", "2024-12-25 00:00:00"]
    assert reader.decided == "month_first" and reader.ambiguity() is None


def test_ambiguous_dates_are_blocking_until_the_mapping_says():
    reader = DateReader()
    read(reader, ["01/02/2024", "03/04/2024"], first_row=5)
    message, fix, example = reader.ambiguity()
    assert example == (5, "01/02/2024") and "date_order" in fix
    stamps, _ = read(DateReader("month_first"), ["01/02/2024"])
    assert stamps == ["2024-01-02 00:00:00"]
    assert DateReader("month_first").ambiguity() is None


def test_a_later_chunk_proving_month_first_makes_earlier_chunks_blocking():
    reader = DateReader()
    read(reader, ["01/02/2024"], first_row=2)
    read(reader, ["12/25/2024"], first_row=200_002)
    message, fix, example = reader.ambiguity()
    assert "row 200002" in message and "month_first" in fix and example == (2, "01/02/2024")


def test_a_later_chunk_proving_day_first_confirms_the_provisional_reading():
    reader = DateReader()
    read(reader, ["01/02/2024"])
    read(reader, ["25/12/2024"], first_row=100)
    assert reader.ambiguity() is None and reader.decided == "day_first"


def test_dates_not_fitting_the_decided_order_are_unreadable():
    reader = DateReader("day_first")
    _, status = read(reader, ["12/25/2024"])
    assert status == [DateRead.UNREADABLE]


def test_typed_datetime_columns_pass_through():
    values = pd.Series(pd.to_datetime(["2024-01-01", None]))
    stamps, status = DateReader().read(values, np.array([2, 3]))
    assert list(status) == [DateRead.READ, DateRead.MISSING]


def test_an_unknown_order_is_refused():
    with pytest.raises(ValueError):
        DateReader("year_first")


def test_dates_at_month_and_year_edges_keep_the_customers_own_day():
    """The month a response counts in is the customer's wall-clock one: a time zone never moves a
    New Year's Eve answer into January (or back), and impossible days are not rolled into the next month."""
    paris = dt.timezone(dt.timedelta(hours=1))
    stamps, status = read(DateReader("day_first"), [
        "31/12/2023 23:59:59", "2023-12-31T23:30:00-05:00", "2024-01-01T00:30:00+02:00", "29/02/2024",
        45291.999, dt.datetime(2024, 1, 1, 0, 15, tzinfo=paris), "31/04/2024", "29/02/2023", "2024-02-30",
    ])
    assert [s[:10] if s else None for s in stamps] == [
        "2023-12-31", "2023-12-31", "2024-01-01", "2024-02-29", "2023-12-31", "2024-01-01", None, None, None]
    assert status == [DateRead.READ] * 6 + [DateRead.UNREADABLE] * 3


def test_a_typed_column_with_a_time_zone_keeps_its_wall_clock_dates():
    column = pd.Series(pd.to_datetime(["2023-12-31 23:30", "2024-01-01 00:30"]).tz_localize("America/New_York"))
    stamps, status = DateReader().read(column, np.array([2, 3]))
    assert [str(pd.Timestamp(s)) for s in stamps] == ["2023-12-31 23:30:00", "2024-01-01 00:30:00"]
    assert list(status) == [DateRead.READ, DateRead.READ]
