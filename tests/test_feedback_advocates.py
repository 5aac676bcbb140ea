"""NPS bands, NPS with its confidence interval, and advocate flags, checked against direct pandas counts."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.feedback.advocates import (NPS_BANDS, SMALL_SAMPLE, advocate_flags, is_advocate, nps, nps_band,
                                         nps_bands_of, recommend_counts)


@dataclass
class Rule:
    """Shaped like the mapping's AdvocateRule: a column and the values that make an advocate."""

    column: str
    values: list[str]


def counts(promoters: int, passives: int, detractors: int) -> list[int]:
    """Put each band's answers on one score of the band (10, 7, 0)."""
    return [detractors] + [0] * 6 + [passives] + [0] * 2 + [promoters]


def test_known_nps_and_interval():
    result = nps(counts(promoters=50, passives=30, detractors=20))
    assert (result.nps, result.n, result.promoters, result.passives, result.detractors) == (30.0, 100, 50, 30, 20)
    # By hand: adjusted n = 103, p = 50.75/103, d = 20.75/103, centre = 0.29126,
    # half width = 1.96 * sqrt((p + d - centre²)/103) = 0.15075.
    assert result.ci_low == pytest.approx(14.05, abs=0.01)
    assert result.ci_high == pytest.approx(44.20, abs=0.01)
    assert not result.small_sample


def test_nobody_answered_is_no_nps_not_zero():
    result = nps([0] * 11)
    assert result.nps is None and result.ci_low is None and result.ci_high is None and result.n == 0


def test_everyone_alike_in_a_small_group_gets_a_wide_interval_that_holds_the_nps():
    five_promoters = nps(counts(5, 0, 0))
    assert five_promoters.nps == 100.0 and five_promoters.ci_high == 100.0
    assert five_promoters.ci_low < 50, "five answers cannot pin the NPS down"
    assert five_promoters.small_sample and SMALL_SAMPLE > 5
    assert nps(counts(0, 0, 1)).ci_low == -100.0 and nps(counts(0, 0, 1)).nps == -100.0


def test_bands_come_from_the_one_rule():
    assert [nps_band(r) for r in range(11)] == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
    assert nps_band(float("nan")) is None
    scores = pd.Series([0, 6, 7, 8, 9, 10, np.nan, 6.4])
    assert nps_bands_of(scores).tolist() == [nps_band(s) if s == s else np.nan for s in scores]
    assert list(NPS_BANDS) == list(nps_bands_of(scores).cat.categories)


def test_counts_must_be_eleven_whole_numbers():
    with pytest.raises(ValueError, match="11 counts"):
        nps([1] * 12)
    with pytest.raises(ValueError, match="whole numbers"):
        nps([-1] + [0] * 10)


def test_advocates_default_to_promoters():
    frame = pd.DataFrame({"recommend": [10, 9, 8.6, 8, 0, np.nan]})
    assert advocate_flags(frame).tolist() == [True, True, True, False, False, False]
    assert is_advocate(9) and not is_advocate(float("nan"))


def test_advocates_from_a_loyalty_column_named_in_the_mapping():
    frame = pd.DataFrame({"recommend": [10, 2, np.nan, 10], "tier": ["Gold", " platinum ", "GOLD", None]},
                         index=[5, 6, 7, 8])
    flags = advocate_flags(frame, Rule("tier", ["gold", "Platinum"]))
    assert flags.tolist() == [True, True, True, False] and list(flags.index) == [5, 6, 7, 8]
    assert is_advocate(0, "Gold", Rule("tier", ["gold"])) and not is_advocate(10, "Bronze", Rule("tier", ["gold"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 10), st.none()), max_size=300))
def test_nps_from_counts_equals_direct_pandas_computation(answers):
    recommend = pd.Series(answers, dtype="float64")
    result = nps(recommend_counts(recommend))
    answered = recommend.dropna()
    assert result.n == len(answered)
    if answered.empty:
        assert result.nps is None
        return
    direct = 100 * ((answered >= 9).mean() - (answered <= 6).mean())
    assert result.nps == pytest.approx(direct)
    assert (result.promoters, result.detractors) == ((answered >= 9).sum(), (answered <= 6).sum())
    assert -100 <= result.ci_low <= result.nps <= result.ci_high <= 100


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=20, max_size=60))
def test_interval_tends_to_the_plain_normal_interval_of_per_response_scores(answers):
    # Many copies of the same answers: the pseudo-counts stop mattering, and the interval must match
    # NPS ± 1.96 · sd(+1 promoter / 0 passive / −1 detractor) / sqrt(n), computed response by response.
    recommend = pd.Series(answers * 2000, dtype="float64")
    per_response = np.select([recommend >= 9, recommend <= 6], [100.0, -100.0], 0.0)
    half_width = 1.959964 * per_response.std(ddof=0) / np.sqrt(len(per_response))
    result = nps(recommend_counts(recommend))
    assert result.ci_low == pytest.approx(max(-100, per_response.mean() - half_width), abs=0.05)
    assert result.ci_high == pytest.approx(min(100, per_response.mean() + half_width), abs=0.05)


def test_nps_works_from_cube_counts():
    from workshop.cube import cube_from_frames

    frame = pd.DataFrame({"response_id": list("abcdef"), "date": pd.to_datetime(["2025-01-05"] * 6),
                          "touchpoint": ["web", "web", "store", "store", "web", "phone"],
                          "segment": ["new"] * 6, "recommend": [10, 9, 7, 3, np.nan, 0],
                          "advocate": [True, True, False, False, False, False], "comment": [None] * 6,
                          "source": ["survey"] * 6, "fresh": [5] * 6})
    cube = cube_from_frames([frame], ["fresh"])
    from_cube = nps(cube.recommend_histogram())
    assert from_cube == nps(recommend_counts(frame["recommend"]))
    assert (from_cube.nps, from_cube.n) == (0.0, 5)
