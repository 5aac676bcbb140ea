"""Who counts as an advocate, and the NPS bands: the one place these rules are written.

``recommend`` is 0–10 ("how likely are you to recommend us?"), missing is NaN, never 0. Here too: the NPS
with its confidence interval (from counts, so it works on the cube) and the advocate flag of each response.
Pure functions of numpy/pandas data; nothing here reads files or knows about widgets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from workshop.feedback.scales import fold

DETRACTOR_MAX = 6
"""0–6: detractors."""
PASSIVE_MAX = 8
"""7–8: passives; 9–10: promoters, who are the advocates unless the mapping names a loyalty column."""
NPS_BANDS = {
    "detractor": range(0, DETRACTOR_MAX + 1),
    "passive": range(DETRACTOR_MAX + 1, PASSIVE_MAX + 1),
    "promoter": range(PASSIVE_MAX + 1, 11),
}
NPS_RULE = "NPS = % promoters (9–10) − % detractors (0–6) among those who answered 'would you recommend us?'"


def nps_band(recommend: float) -> str | None:
    """The NPS band of one 0–10 answer, or None when it is missing."""
    if recommend != recommend:  # NaN: not answered
        return None
    points = round(recommend)
    for band, points_in_band in NPS_BANDS.items():
        if points in points_in_band:
            return band
    raise ValueError(f"recommend must be 0–10, got {recommend!r}")


def nps_bands_of(recommend: pd.Series) -> pd.Series:
    """``nps_band`` for a column of 0–10 answers: a categorical of band names, missing where not answered."""
    points = pd.to_numeric(recommend, errors="coerce").round()
    edges = [-0.5, DETRACTOR_MAX + 0.5, PASSIVE_MAX + 0.5, 10.5]
    return pd.cut(points, edges, labels=list(NPS_BANDS))


# --- NPS with its confidence interval ------------------------------------------------------------------------

Z_95 = 1.959963984540054
"""Two-sided 95% point of the standard normal."""
SMALL_SAMPLE = 30
"""Below this many answers the interval is a rough guide only: say so on screen, and read the NPS as anecdote."""
_PSEUDO_PROMOTERS = _PSEUDO_DETRACTORS = 0.75
_PSEUDO_PASSIVES = 1.5


@dataclass(frozen=True)
class NpsResult:
    """NPS in points (−100…100) with its 95% confidence interval, and the counts it came from.

    ``nps``, ``ci_low`` and ``ci_high`` are None when nobody answered (n = 0): no answers is no NPS, not 0.
    """

    nps: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    promoters: int
    passives: int
    detractors: int

    @property
    def small_sample(self) -> bool:
        """True when n is below ``SMALL_SAMPLE``: show the NPS with a warning, or not at all."""
        return self.n < SMALL_SAMPLE


def nps(counts_by_recommend: Sequence[int] | np.ndarray) -> NpsResult:
    """NPS and its 95% interval from ``counts_by_recommend[r]``, the number of answers r = 0…10.

    Works from the cube: ``cube.recommend_histogram()`` (the cube's responses that did not answer the
    recommend question have no say in the NPS and are left out).

    The interval is an adjusted Wald interval for a difference of two shares of one trinomial:
    NPS/100 = p_promoters − p_detractors has variance (p_P + p_D − (p_P − p_D)²)/n. Before computing it we
    add 3/4 of an answer to promoters and to detractors and 3/2 to passives (n + 3), so that a small group
    who all answered alike (5 promoters out of 5) gets a wide interval instead of the point [100, 100];
    the normal approximation is then taken, and the ends clipped to [−100, 100]. The NPS itself is the
    plain, unadjusted one; where the adjusted interval would leave it out (tiny n, everyone alike) the
    interval is stretched to reach it, so the number on screen always sits inside its interval. With fewer
    than ``SMALL_SAMPLE`` answers the normal approximation is rough: ``NpsResult.small_sample`` says so, and
    screens should say it too.
    """
    counts = np.asarray(counts_by_recommend)
    if counts.shape != (11,):
        raise ValueError(
            f"counts_by_recommend must hold 11 counts, for recommend 0–10; got shape {counts.shape}. "
            "From the cube, pass cube.recommend_histogram()."
        )
    if (counts < 0).any() or not np.all(np.mod(counts, 1) == 0):
        raise ValueError(f"counts_by_recommend must be whole numbers of answers, 0 or more; got {counts.tolist()}")
    detractors = int(counts[: DETRACTOR_MAX + 1].sum())
    passives = int(counts[DETRACTOR_MAX + 1 : PASSIVE_MAX + 1].sum())
    promoters = int(counts[PASSIVE_MAX + 1 :].sum())
    n = detractors + passives + promoters
    if n == 0:
        return NpsResult(None, None, None, 0, 0, 0, 0)
    adjusted_n = n + _PSEUDO_PROMOTERS + _PSEUDO_DETRACTORS + _PSEUDO_PASSIVES
    share_p = (promoters + _PSEUDO_PROMOTERS) / adjusted_n
    share_d = (detractors + _PSEUDO_DETRACTORS) / adjusted_n
    centre = share_p - share_d
    half_width = Z_95 * math.sqrt((share_p + share_d - centre**2) / adjusted_n)
    point = 100.0 * (promoters - detractors) / n
    return NpsResult(
        nps=point,
        ci_low=max(-100.0, min(point, 100.0 * (centre - half_width))),
        ci_high=min(100.0, max(point, 100.0 * (centre + half_width))),
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
    )


def recommend_counts(recommend: pd.Series) -> np.ndarray:
    """Counts of answers 0…10 in a column of recommend scores (whole points; NaN is not an answer)."""
    points = pd.to_numeric(recommend, errors="coerce").dropna().round().astype(np.int64)
    if len(points) and (points.min() < 0 or points.max() > 10):
        raise ValueError(f"recommend must be 0–10, found {points.min()}…{points.max()}")
    return np.bincount(points.to_numpy(), minlength=11)


# --- who the advocates are -----------------------------------------------------------------------------------


class AdvocateColumnRule(Protocol):
    """The mapping's advocate rule (``workshop.feedback.mapping.AdvocateRule``): a column and its values."""

    column: str
    values: list[str]


def advocate_flags(frame: pd.DataFrame, rule: AdvocateColumnRule | None = None) -> pd.Series:
    """True for each advocate row of ``frame``: promoters (``recommend`` 9–10) by default, or, with a rule,
    the rows whose ``rule.column`` holds one of ``rule.values`` (compared as ``scales.fold`` compares text:
    case, spacing and ``_`` do not matter). Missing recommend or a missing value is never an advocate.
    """
    if rule is None:
        recommend = pd.to_numeric(frame["recommend"], errors="coerce")
        return (recommend.round() > PASSIVE_MAX).fillna(False).astype(bool)
    wanted = {fold(str(value)) for value in rule.values}
    column = frame[rule.column].astype("string")
    codes, uniques = pd.factorize(column)
    flags = np.array([fold(str(value)) in wanted for value in uniques] + [False], dtype=bool)
    return pd.Series(flags[codes], index=frame.index, name="advocate")


def is_advocate(recommend: float, rule_value: str | None = None, rule: AdvocateColumnRule | None = None) -> bool:
    """One response (e.g. a logged advocate call): ``advocate_flags`` for a single row."""
    row = pd.DataFrame({"recommend": [recommend], **({rule.column: [rule_value]} if rule else {})})
    return bool(advocate_flags(row, rule).iloc[0])
