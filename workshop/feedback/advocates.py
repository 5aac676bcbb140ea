"""Who counts as an advocate, and the NPS bands: the one place these rules are written.

``recommend`` is 0–10 ("how likely are you to recommend us?"), missing is NaN, never 0.
"""
from __future__ import annotations

DETRACTOR_MAX = 6
"""0–6: detractors."""
PASSIVE_MAX = 8
"""7–8: passives; 9–10: promoters, who are the advocates unless the mapping names a loyalty column."""
NPS_BANDS = {"detractor": range(0, DETRACTOR_MAX + 1), "passive": range(DETRACTOR_MAX + 1, PASSIVE_MAX + 1),
             "promoter": range(PASSIVE_MAX + 1, 11)}
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
