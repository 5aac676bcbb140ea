"""Gap metrics: every number from the cube equals the same number computed the slow, obvious way from rows."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshop import gap
from workshop.cube import OTHER, cube_from_frames
from workshop.feedback.advocates import SMALL_SAMPLE, NpsResult, nps, nps_band, recommend_counts
from workshop.filters import filter_to_dict, filters_from_data
from workshop.gap import Filter, GapError, GapMetrics, GoalPost
from workshop.promise import load_promise

from conftest import canonical_frame

GAP_DATA = Path(__file__).resolve().parent / "data" / "gap"
PILLARS = ["speed", "care", "price"]
TOUCHPOINTS = ["phone", "web", "store", None]
SEGMENTS = ["new", "loyal", None]
MANY_SEGMENTS = [f"customer {i}" for i in range(25)]
"""More segments than a room can read: a scenario that draws them has its segments grouped into 'other'."""
DATES = [pd.Timestamp("2025-01-03"), pd.Timestamp("2025-01-31"), pd.Timestamp("2025-02-14"),
         pd.Timestamp("2025-04-01"), pd.Timestamp("2024-12-31"), pd.NaT]
Z = 1.959963984540054

score = st.one_of(st.none(), st.integers(0, 10))
row = st.fixed_dictionaries({
    "touchpoint": st.sampled_from(TOUCHPOINTS), "segment": st.sampled_from(SEGMENTS),
    "date": st.sampled_from(DATES), "recommend": score, "advocate": st.booleans(),
    **{p: score for p in PILLARS},
})


def canonical(rows: list[dict]) -> pd.DataFrame:
    return canonical_frame(rows, PILLARS)


# --- the slow, obvious version ------------------------------------------------------------------------------


def raw_filter(frame: pd.DataFrame, flt: Filter, segments: list[str]) -> pd.DataFrame:
    """The rows ``flt`` keeps; a segment not among the cube's ``segments`` (grouped away) counts as 'other'."""
    segment = frame["segment"].fillna("not stated")
    rows = frame.assign(touchpoint=frame["touchpoint"].fillna("not stated"),
                        segment=segment.where(segment.isin(segments), OTHER),
                        month=[d.strftime("%Y-%m") if pd.notna(d) else "undated" for d in frame["date"]])
    if flt.touchpoints:
        rows = rows[rows["touchpoint"].isin(flt.touchpoints)]
    if flt.segments:
        rows = rows[rows["segment"].isin(flt.segments)]
    if flt.advocates_only:
        rows = rows[rows["advocate"]]
    if flt.months:
        rows = rows[(rows["month"] != "undated") & (rows["month"] >= flt.months[0]) & (rows["month"] <= flt.months[1])]
    return rows


def wilson(successes: int, n: int) -> tuple[float, float]:
    p = successes / n
    denominator = 1 + Z ** 2 / n
    centre = (p + Z ** 2 / (2 * n)) / denominator
    half = Z * math.sqrt(p * (1 - p) / n + Z ** 2 / (4 * n ** 2)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def raw_metrics(rows: pd.DataFrame, pillar: str, post: GoalPost, min_n: int) -> dict[str, float | str | int]:
    answered = rows[rows[pillar].notna()]
    values = np.minimum(answered[pillar] + post.lift, 10.0)
    n = len(values)
    if n == 0:
        return {"n": 0}
    above = int((values > post.threshold).sum())
    low, high = wilson(above, n)
    half = Z * values.std(ddof=1) / math.sqrt(n) if n > 1 else math.nan
    bands = answered["recommend"].dropna().map(nps_band).value_counts()
    recommend_n = int(bands.sum())
    if n < min_n:
        status = "not judged"
    elif low > 0.5:
        status = "promise-able"
    elif high < 0.35:
        status = "broken"
    else:
        status = "at risk"
    return {
        "n": n, "mean": values.mean(), "mean_low": values.mean() - half, "mean_high": values.mean() + half,
        "share_above": above / n, "share_above_low": low, "share_above_high": high,
        "share_at_target": (values >= post.target).mean(), "gap": post.target - values.mean(),
        "score_detractors": (values <= 6).mean(), "score_passives": ((values > 6) & (values <= 8)).mean(),
        "score_promoters": (values > 8).mean(), "recommend_n": recommend_n,
        **({band + "s": bands.get(band, 0) / recommend_n for band in ("detractor", "passive", "promoter")}
           if recommend_n else {}),
        **({"nps_low": interval.ci_low, "nps_high": interval.ci_high}
           if (interval := nps(recommend_counts(answered["recommend"]))).n else {}),
        "importance": answered[[pillar, "recommend"]].corr().iloc[0, 1],
        "small_sample": n < min_n, "status": status,
    }


# --- the property -------------------------------------------------------------------------------------------


@st.composite
def scenario(draw):
    rows = draw(st.lists(row, min_size=0, max_size=80))
    if draw(st.booleans()):  # every one of MANY_SEGMENTS, the first ones more than once
        crowd = draw(st.lists(row, min_size=len(MANY_SEGMENTS), max_size=2 * len(MANY_SEGMENTS)))
        rows += [{**r, "segment": MANY_SEGMENTS[i % len(MANY_SEGMENTS)]} for i, r in enumerate(crowd)]
    frame = canonical(rows)
    split = draw(st.integers(0, len(frame)))
    cube = cube_from_frames([frame.iloc[:split], frame.iloc[split:]], PILLARS)
    dated = [m for m in cube.months if m != "undated"]
    flt = Filter(
        touchpoints=tuple(draw(st.lists(st.sampled_from(cube.touchpoints), unique=True))) if cube.touchpoints else None,
        segments=tuple(draw(st.lists(st.sampled_from(cube.segments), unique=True))) if cube.segments else None,
        advocates_only=draw(st.booleans()),
        months=tuple(sorted(draw(st.lists(st.sampled_from(dated), min_size=2, max_size=2))))
        if dated and draw(st.booleans()) else None,
    )
    posts = {}
    for pillar in PILLARS:
        target = draw(st.one_of(st.floats(0, 10), st.sampled_from([x / 2 for x in range(21)])))
        threshold = draw(st.one_of(st.floats(0, target), st.sampled_from([x / 2 for x in range(int(target * 2) + 1)])))
        lift = draw(st.one_of(st.just(0.0), st.sampled_from([0.5, 1.0, 2.5, 7.0]), st.floats(0, 10)))
        posts[pillar] = GoalPost(target, threshold, lift)
    return frame, cube, flt, draw(st.sampled_from(gap.GROUPINGS)), posts, draw(st.integers(1, 12))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_every_metric_from_the_cube_equals_the_raw_rows(case):
    frame, cube, flt, grouping, posts, min_n = case
    table = GapMetrics(cube).table(flt, grouping, posts, min_n).frame()
    rows = raw_filter(frame, flt, cube.segments)
    column = {"touchpoint": "touchpoint", "segment": "segment", "month": "month"}.get(grouping)
    for record in table.itertuples(index=False):
        in_group = rows if column is None else rows[rows[column] == record.group]
        expected = raw_metrics(in_group, record.pillar, posts[record.pillar], min_n)
        assert record.n == expected["n"], (record.pillar, record.group)
        if expected["n"] == 0:
            assert math.isnan(record.mean) and record.status == "not judged"
            continue
        for name, value in expected.items():
            got = getattr(record, name)
            if isinstance(value, str) or isinstance(value, (bool, np.bool_)):
                assert got == value, (name, record.pillar, record.group)
            else:
                assert got == pytest.approx(value, rel=1e-9, abs=1e-12, nan_ok=True), (name, record.pillar, record.group)
        if expected["recommend_n"] == 0:
            assert math.isnan(record.nps)
        else:
            assert record.nps == pytest.approx(100 * (expected["promoters"] - expected["detractors"]), abs=1e-9)
    if grouping != "pillar":
        present = set(rows[column]) if len(rows) else set()
        assert present <= set(table["group"]), "a group with answers is missing from the table"


@settings(max_examples=60, deadline=None)
@given(scenario())
def test_overall_nps_counts_every_kept_response(case):
    frame, cube, flt, *_ = case
    answered = raw_filter(frame, flt, cube.segments)["recommend"].dropna()
    result = gap.overall_nps(cube, flt)
    assert result["recommend_n"] == len(answered)
    if len(answered):
        bands = answered.map(nps_band)
        assert result["nps"] == pytest.approx(100 * ((bands == "promoter").mean() - (bands == "detractor").mean()))


# --- known values -------------------------------------------------------------------------------------------


def test_wilson_interval_matches_published_values():
    # Newcombe (1998), Table I: 0/10, 1/10 and 81/263, 95 % Wilson score intervals.
    low, high = gap.wilson_interval(np.array([0, 1, 81]), np.array([10, 10, 263]))
    assert low == pytest.approx([0.0, 0.0179, 0.2553], abs=5e-5)
    assert high == pytest.approx([0.2775, 0.4042, 0.3662], abs=5e-5)


def test_mean_interval_is_normal_approximation_with_sample_sd():
    # Scores 0 and 10: mean 5, s = √50, so the half-width is 1.96 · √50 / √2 = 1.96 · 5.
    table = _metrics_of_histogram({0: 1, 10: 1}, GoalPost(10, 6))
    assert table["mean"][0] == 5
    assert table["mean_high"][0] - 5 == pytest.approx(Z * 5)
    single = _metrics_of_histogram({7: 1}, GoalPost(10, 6))
    assert math.isnan(single["mean_low"][0])


def _metrics_of_histogram(counts: dict[int, int], post: GoalPost, min_n: int = 1) -> gap.Table:
    rows = [{"touchpoint": "web", "segment": "new", "date": DATES[0], "recommend": None, "advocate": False,
             "speed": k, "care": None, "price": None} for k, times in counts.items() for _ in range(times)]
    cube = cube_from_frames([canonical(rows)], PILLARS)
    posts = {p: post for p in PILLARS}
    return gap.metrics(gap.grouped_counts(cube, Filter(), "pillar"), posts, min_n)


def test_a_lift_moves_values_not_counts_and_caps_at_ten():
    assert gap.lifted_values(np.array([1.5]))[0].tolist() == [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10, 10]
    table = _metrics_of_histogram({5: 2, 9: 1, 10: 1}, GoalPost(10, 6, lift=1.5))
    assert table["n"][0] == 4
    assert table["mean"][0] == pytest.approx((6.5 * 2 + 10 + 10) / 4)
    assert table["share_above"][0] == 1.0
    assert table["share_at_target"][0] == 0.5
    assert table["score_passives"][0] == 0.5


def test_above_the_threshold_is_strict_and_at_target_is_not():
    table = _metrics_of_histogram({6: 1, 7: 1, 10: 2}, GoalPost(7, 6))
    assert table["share_above"][0] == 0.75
    assert table["share_at_target"][0] == 0.75


def test_small_cells_are_flagged_and_not_judged():
    table = _metrics_of_histogram({9: 29}, GoalPost(10, 6), min_n=30)
    assert table["small_sample"][0] and table["status"][0] == gap.NOT_JUDGED
    table = _metrics_of_histogram({9: 30}, GoalPost(10, 6), min_n=30)
    assert not table["small_sample"][0] and table["status"][0] == gap.PROMISE_ABLE


def test_a_pillar_nobody_scored_is_never_judged_whatever_the_minimum():
    # 'care' and 'price' have no answers here: with a minimum of 0 an empty cell must not come out 'at risk'.
    for min_n in (0, -1, 1):
        table = _metrics_of_histogram({9: 40}, GoalPost(10, 6), min_n=min_n).frame().set_index("pillar")
        assert table.loc["care", "n"] == 0
        assert table.loc["care", "small_sample"] and table.loc["care", "status"] == gap.NOT_JUDGED
        assert table.loc["speed", "status"] == gap.PROMISE_ABLE


def test_the_small_sample_minimum_is_the_nps_one():
    assert gap.DEFAULT_MIN_N == SMALL_SAMPLE
    assert NpsResult(0.0, 0.0, 0.0, gap.DEFAULT_MIN_N - 1, 0, 0, 0).small_sample
    assert gap.small_sample(np.array([gap.DEFAULT_MIN_N - 1]), gap.DEFAULT_MIN_N).all()
    assert not gap.small_sample(np.array([gap.DEFAULT_MIN_N]), gap.DEFAULT_MIN_N).any()


def test_a_filter_is_captioned_in_the_rooms_words():
    assert Filter().caption() == "All responses (no filter)."
    assert Filter(touchpoints=["phone", "store"], segments=("new",), advocates_only=True,
                  months=("2024-01", "2024-03")).caption() == (
        "Touchpoints: phone, store. Segments: new. Advocates only. Months 2024-01 to 2024-03.")


def test_the_same_labels_in_another_order_or_twice_are_the_same_filter(fixture_cube):
    _, engine, _ = fixture_cube
    picked = Filter(touchpoints=["store", "phone", "store"], segments=("new", "loyal"))
    assert picked == Filter(touchpoints=("phone", "store"), segments=["loyal", "new"])
    assert picked.caption() == "Touchpoints: phone, store. Segments: loyal, new."
    assert engine.counts(Filter(touchpoints=["store", "phone"]), "month") is engine.counts(
        Filter(touchpoints=["phone", "store"]), "month")


def test_the_rule_text_names_the_lines_it_uses():
    text = gap.promise_ability_rule(25)
    assert "50%" in text and "35%" in text and "25 answers" in text


# --- the sample's stories, from the metrics ----------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_cube():
    promise = load_promise(GAP_DATA / "promise.yml")
    frame = pd.read_csv(GAP_DATA / "feedback.csv", parse_dates=["date"])
    return promise, GapMetrics(cube_from_frames([frame], promise.pillar_ids)), frame


def test_the_loudest_pillar_is_shouted_but_not_delivered(fixture_cube):
    promise, engine, _ = fixture_cube
    table = engine.table(Filter(), "pillar", gap.goal_posts_from_promise(promise))
    loud = gap.loudness(table, promise)
    assert list(loud["pillar"][loud["shouted_not_delivered"]]) == ["fast_delivery"]


def test_the_phone_is_where_expert_help_is_furthest_from_target(fixture_cube):
    promise, engine, _ = fixture_cube
    table = engine.table(Filter(), "touchpoint", gap.goal_posts_from_promise(promise)).frame()
    judged = table[~table["small_sample"]]
    worst = judged.loc[judged["gap"].idxmax()]
    assert (worst["pillar"], worst["group"]) == ("expert_help", "phone")
    assert set(table.loc[table["small_sample"], "group"]) == {"chat"}


def test_quadrants_and_importance_equal_pandas(fixture_cube):
    promise, engine, frame = fixture_cube
    table = engine.table(Filter(), "pillar", gap.goal_posts_from_promise(promise))
    expected = frame[promise.pillar_ids + ["recommend"]].corr()["recommend"]
    assert table["importance"] == pytest.approx(expected[promise.pillar_ids].to_numpy(), rel=1e-9)
    quadrant = gap.quadrants(table)
    line = expected[promise.pillar_ids].mean()
    for pillar, performance, found in zip(quadrant["pillar"], quadrant["performance"], quadrant["quadrant"]):
        important, performing = expected[pillar] >= line, performance > 0.5
        assert found == {(True, False): gap.CONCENTRATE, (True, True): gap.KEEP_UP,
                         (False, False): gap.LOW_PRIORITY, (False, True): gap.OVERKILL}[(important, performing)]
    assert dict(zip(quadrant["pillar"], quadrant["quadrant"]))["fast_delivery"] == gap.CONCENTRATE


def test_the_cache_filters_once_per_filter(fixture_cube):
    _, engine, _ = fixture_cube
    flt = Filter(touchpoints=["phone"], months=("2025-02", "2025-03"))
    assert engine.counts(flt, "month") is engine.counts(Filter(touchpoints=("phone",), months=("2025-02", "2025-03")),
                                                        "month")
    assert engine.counts(flt, "month").groups == ["2025-02", "2025-03"]


# --- goal posts, errors and the room's own view -------------------------------------------------------------


def test_unknown_filter_values_and_bad_goal_posts_say_what_to_do(fixture_cube):
    promise, engine, _ = fixture_cube
    with pytest.raises(GapError, match=r"field 'touchpoints'.*'fax'.*Choose from: chat, delivery"):
        engine.counts(Filter(touchpoints=("fax",)), "pillar")
    posts = gap.goal_posts_from_promise(promise) | {"fair_prices": GoalPost(6, 7)}
    with pytest.raises(GapError, match=r"pillar 'fair_prices', field 'threshold': is above the target \(6\)"):
        engine.table(Filter(), "pillar", posts)
    with pytest.raises(GapError, match="starts after it ends"):
        engine.counts(Filter(months=("2025-05", "2025-02")), "pillar")


def test_goal_posts_become_a_proposed_promise_without_the_lift(fixture_cube):
    promise, _, _ = fixture_cube
    posts = gap.goal_posts_from_promise(promise) | {"fast_delivery": GoalPost(8.5, 5.5, lift=2)}
    proposed = gap.promise_with_goal_posts(promise, posts)
    assert (proposed.pillar("fast_delivery").target, proposed.pillar("fast_delivery").threshold) == (8.5, 5.5)
    assert promise.pillar("fast_delivery").target == 10, "the original is not changed"


def test_blind_spots_compare_each_department_with_customers(fixture_cube):
    promise, engine, frame = fixture_cube
    ratings = pd.DataFrame({
        "participant": ["ann", "bob", "cy", "cy"], "department": ["Operations", "Operations", "Marketing", "Marketing"],
        "pillar": ["fast_delivery", "fast_delivery", "fast_delivery", "fair_prices"],
        "deliver_today": [9, 8, 6, 7.5], "customers_would_rate": [8, 7, 5, 7],
    })
    table = engine.table(Filter(), "pillar", gap.goal_posts_from_promise(promise))
    view = gap.blind_spots(gap.internal_summary(ratings, promise.pillar_ids), table).frame()
    operations = view[(view["department"] == "Operations") & (view["pillar"] == "fast_delivery")].iloc[0]
    assert operations["raters"] == 2
    assert operations["blind_spot"] == pytest.approx(8.5 - frame["fast_delivery"].mean())


def test_bad_internal_ratings_name_row_column_and_value(fixture_cube):
    promise, _, _ = fixture_cube
    ratings = pd.DataFrame({"participant": ["ann", "bob"], "department": ["Ops", "Ops"],
                            "pillar": ["fast_delivery", "speedy"], "deliver_today": [11, 5],
                            "customers_would_rate": [5, 5]})
    with pytest.raises(GapError) as caught:
        gap.internal_summary(ratings, promise.pillar_ids)
    text = str(caught.value)
    assert "row 1, field 'deliver_today': must be a rating from 0 to 10 (found 11)" in text
    assert "row 2, field 'pillar': is not a pillar of the promise (found 'speedy')" in text


# --- filters as written in report_views.yml ----------------------------------------------------------------

filters = st.builds(
    Filter,
    touchpoints=st.one_of(st.none(), st.lists(st.sampled_from(TOUCHPOINTS[:3]), min_size=1, max_size=3, unique=True)),
    segments=st.one_of(st.none(), st.lists(st.sampled_from(SEGMENTS[:2]), min_size=1, max_size=2, unique=True)),
    advocates_only=st.booleans(),
    months=st.one_of(st.none(), st.lists(st.sampled_from(["2024-12", "2025-01", "2025-04"]), min_size=2,
                                         max_size=2).map(sorted).map(tuple)))


@given(st.lists(filters, max_size=4))
def test_filters_read_back_as_written(written):
    data = [filter_to_dict(f) for f in written]
    assert filters_from_data(data, None, None, TOUCHPOINTS[:3], SEGMENTS[:2]) == written


def test_an_empty_entry_keeps_every_response():
    assert filter_to_dict(Filter()) == {}
    assert filters_from_data([{}, None]) == [Filter(), Filter()]
    assert filters_from_data(None) == []


@pytest.mark.parametrize("entry, field, value", [
    ({"touchpoints": ["phone", "fax"]}, "touchpoints", "'fax'"),
    ({"segments": "new"}, "segments", "'new'"),
    ({"advocates_only": "yes"}, "advocates_only", "'yes'"),
    ({"months": ["2025-13", "2025-14"]}, "months", "['2025-13', '2025-14']"),
    ({"months": ["2025-04", "2025-01"]}, "months", "['2025-04', '2025-01']"),
    ({"touchpoint": ["phone"]}, "touchpoint", "'touchpoint'"),
])
def test_a_bad_filter_entry_names_file_item_field_and_value(entry, field, value):
    file = Path("report_views.yml")
    with pytest.raises(GapError) as caught:
        filters_from_data([{}, entry], file, {(1,): 4, (1, field): 5}, TOUCHPOINTS[:3], SEGMENTS[:2])
    (problem,) = caught.value.problems
    assert (problem.file, problem.where, problem.field, problem.value, problem.line) == (file, "item 2", field,
                                                                                         value, 5)
    assert problem.fix


def test_filters_that_are_not_a_list_are_refused():
    with pytest.raises(GapError, match="report_views.yml: must be a list of views"):
        filters_from_data({"touchpoints": ["phone"]}, Path("report_views.yml"))


def test_goal_posts_are_saved_as_the_points_the_room_chose_not_float_noise(fixture_cube):
    promise, _, _ = fixture_cube
    posts = gap.goal_posts_from_promise(promise) | {"fast_delivery": GoalPost(8.500000000000002, 6.499999999999999)}
    proposed = gap.promise_with_goal_posts(promise, posts)
    assert (proposed.pillar("fast_delivery").target, proposed.pillar("fast_delivery").threshold) == (8.5, 6.5)
