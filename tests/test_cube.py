"""The sparse score cube: whatever the chunks, its counts equal a plain pandas groupby of the rows, and an axis
with more values than a room can read is grouped into 'other' without losing a response."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshop.cube import (CELL_AXES, MAX_GROUPS, NOT_STATED, OTHER, RECOMMEND_MISSING, UNDATED, AxisGrouping,
                           CubeBuilder, _combined_keys, cube_from_frames)

from conftest import canonical_frame

PILLARS = ["speed", "care"]
CELL_COLUMNS = list(CELL_AXES)


def canonical(rows: list[dict]) -> pd.DataFrame:
    return canonical_frame(rows, PILLARS)


def labelled_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows with each cell axis as the cube labels it: the slow, obvious version of the cube's codes."""
    return pd.DataFrame({
        "touchpoint": frame["touchpoint"].fillna(NOT_STATED),
        "segment": frame["segment"].fillna(NOT_STATED),
        "month": [d.strftime("%Y-%m") if pd.notna(d) else UNDATED for d in frame["date"]],
        "advocate": frame["advocate"].astype(bool),
        "recommend": frame["recommend"].fillna(RECOMMEND_MISSING).astype(int),
        **{p: frame[p] for p in PILLARS},
    })


def oracle_responses(rows: pd.DataFrame) -> dict:
    return rows.groupby(CELL_COLUMNS).size().to_dict() if len(rows) else {}


def oracle_answers(rows: pd.DataFrame, pillar: str) -> dict:
    answered = rows[rows[pillar].notna()].assign(score=lambda r: r[pillar].astype(int))
    return answered.groupby([*CELL_COLUMNS, "score"]).size().to_dict() if len(answered) else {}


def as_dict(counts: pd.Series) -> dict:
    return {key: int(n) for key, n in counts.items()}


score = st.one_of(st.none(), st.integers(0, 10))
row = st.fixed_dictionaries({
    "touchpoint": st.sampled_from(["phone", "web", "store", None]),
    "segment": st.sampled_from([f"s{i}" for i in range(30)] + [None]),
    "date": st.sampled_from([pd.Timestamp("2025-01-03"), pd.Timestamp("2024-12-31"), pd.Timestamp("2025-02-14"),
                             pd.Timestamp("2013-06-01"), pd.NaT]),
    "recommend": score, "advocate": st.booleans(), **{p: score for p in PILLARS},
})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, max_size=90), cuts=st.lists(st.integers(0, 90), max_size=4))
def test_cells_built_over_any_chunks_equal_a_pandas_groupby(rows, cuts):
    frame = canonical(rows)
    bounds = [0, *sorted(min(c, len(frame)) for c in cuts), len(frame)]
    cube = cube_from_frames([frame.iloc[a:b] for a, b in zip(bounds, bounds[1:])], PILLARS)
    labelled = labelled_rows(frame)
    grouped = {g.axis: g for g in cube.grouped}
    if "segment" in grouped:  # more segments than a room can read: the oracle groups them the same way
        kept = [s for s in cube.segments if s != OTHER]
        labelled["segment"] = labelled["segment"].where(labelled["segment"].isin(kept), OTHER)
    assert as_dict(cube.counts(*CELL_AXES)) == oracle_responses(labelled)
    for pillar in PILLARS:
        assert as_dict(cube.counts(*CELL_AXES, "score", pillar=pillar)) == oracle_answers(labelled, pillar)
    assert cube.total_responses == len(frame)
    assert len(cube.cells) == len(oracle_responses(labelled))  # only the non-empty cells are kept
    assert cube.months == sorted(set(labelled["month"]) - {UNDATED}) + ([UNDATED] if UNDATED in set(labelled["month"])
                                                                       else [])


def many_segments(distinct: int, rows_per: np.ndarray) -> pd.DataFrame:
    """Responses whose segment ``s{i}`` has ``rows_per[i]`` responses, each scoring speed i % 11 (labels
    zero-padded, so the order they appear in is their sorted order too)."""
    segment = np.repeat([f"s{i:05d}" for i in range(distinct)], rows_per)
    n = len(segment)
    return pd.DataFrame({"response_id": np.arange(n).astype(str), "date": pd.Timestamp("2025-03-01"),
                         "touchpoint": "web", "segment": segment, "recommend": np.arange(n) % 11 * 1.0,
                         "advocate": np.arange(n) % 11 >= 9, "comment": None, "source": "survey",
                         "speed": np.repeat(np.arange(distinct) % 11, rows_per) * 1.0, "care": np.nan})


def test_a_segment_with_more_values_than_a_room_can_read_keeps_the_largest_and_groups_the_rest():
    distinct = 60
    rows_per = np.arange(distinct) % 7 + 1  # 1 to 7 responses each, and two far larger
    rows_per[[5, 40]] = 50, 40
    frame = many_segments(distinct, rows_per)
    cube = cube_from_frames([frame.iloc[:100], frame.iloc[100:]], PILLARS)
    assert cube.grouped == (AxisGrouping("segment", distinct, MAX_GROUPS - 1),)
    assert len(cube.segments) == MAX_GROUPS and cube.segments[-1] == OTHER
    per_segment = pd.Series(rows_per, index=[f"s{i:05d}" for i in range(distinct)])
    largest = per_segment.sort_values(ascending=False, kind="stable").index[:MAX_GROUPS - 1]
    assert set(cube.segments[:-1]) == set(largest)
    assert cube.segments[:-1] == [s for s in per_segment.index if s in set(largest)]  # in the axis's order
    by_segment = as_dict(cube.counts("segment"))
    assert by_segment == {**per_segment[largest].to_dict(), OTHER: int(per_segment.drop(largest).sum())}
    assert cube.touchpoints == ["web"] and cube.grouped[0].axis == "segment"  # a small axis is left alone


def test_grouping_into_other_loses_no_response_and_no_answer():
    distinct = 1_351
    frame = many_segments(distinct, np.arange(distinct) % 5 + 1)
    frame["touchpoint"] = frame["segment"].str.replace("s", "t")  # a free-text title taken as the touchpoint
    ungrouped = frame.assign(touchpoint="web", segment="all")
    cube = cube_from_frames([frame.iloc[i:i + 997] for i in range(0, len(frame), 997)], PILLARS)
    whole = cube_from_frames([ungrouped], PILLARS)
    assert {g.axis: (g.distinct, g.kept) for g in cube.grouped} == {
        "touchpoint": (distinct, MAX_GROUPS - 1), "segment": (distinct, MAX_GROUPS - 1)}
    assert cube.total_responses == whole.total_responses == len(frame)
    for pillar in PILLARS:
        assert cube.score_histogram(pillar).tolist() == whole.score_histogram(pillar).tolist()
    assert cube.recommend_histogram().tolist() == whole.recommend_histogram().tolist()
    assert as_dict(cube.counts("advocate", "recommend")) == as_dict(whole.counts("advocate", "recommend"))
    assert as_dict(cube.counts("month", "score", pillar="speed")) == as_dict(whole.counts("month", "score",
                                                                                          pillar="speed"))


def test_months_are_never_grouped():
    dates = pd.date_range("2013-01-01", periods=13 * 12, freq="MS")
    frame = canonical([{"touchpoint": "web", "segment": "new", "date": d, "recommend": 9, "advocate": True,
                        "speed": 7, "care": None} for d in dates])
    cube = cube_from_frames([frame], PILLARS)
    assert len(cube.months) == 156 and cube.grouped == ()
    assert cube.months == [d.strftime("%Y-%m") for d in dates]


def test_a_real_segment_named_other_joins_the_grouped_rest():
    frame = many_segments(30, np.full(30, 2))
    frame.loc[:9, "segment"] = OTHER  # the file's own "other" is its largest segment; s00-s04 are gone
    cube = cube_from_frames([frame], PILLARS)
    assert cube.segments == [f"s{i:05d}" for i in range(5, 24)] + [OTHER]
    assert cube.counts("segment")[OTHER] == 10 + 2 * 6  # its own 10 and the six smallest of the rest


def test_the_cube_holds_one_row_per_non_empty_cell_not_the_product_of_the_axes():
    n = 20_000
    frame = many_segments(n, np.ones(n, dtype=int))
    frame["date"] = pd.Timestamp("2013-01-01") + pd.to_timedelta(np.arange(n) % 4_700, unit="D")
    builder = CubeBuilder(PILLARS)
    for start in range(0, n, 3_000):
        builder.add(frame.iloc[start:start + 3_000])
    cube = builder.build()
    assert len(cube.cells) <= n and len(cube.answer_count) <= n
    assert cube.nbytes <= 100 * n  # about 80 bytes a response here; dense, 20 × 20 × 156 months × 24 × 11 × 8
    assert len(cube.months) > 150 and len(cube.segments) == MAX_GROUPS
    assert cube.total_responses == n and cube.score_histogram("speed").sum() == n


def test_cell_keys_stay_distinct_and_ordered_when_the_axes_outgrow_int64():
    big = 2 ** 40  # two free-text axes this large: the plain product of the sizes would overflow int64
    codes = np.array([[big - 1, 5, 1], [0, big - 1, 0], [0, big - 1, 1], [big - 1, 5, 1]])
    keys, span = _combined_keys(codes, [big, big, 2])
    assert keys[1] < keys[2] < keys[0] == keys[3] < span < 2 ** 63
