"""The stories planted in the sample company (datasets/generate_sample.py) are visible in step 3's metrics and
views: read from ``workshop.gap`` tables and ``workshop.charts`` titles, never recomputed from the rows here.

Each test would fail if the metric, the rule or the view that should surface its story stopped doing so.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from workshop import charts, gap
from workshop.feedback.load import load_workshop_feedback
from workshop.promise import PROMISE_FILE, load_promise

OVER_PROMISED = "on_time_delivery"
ADVOCATES_VALUE = "expert_advice"
RISING, FALLING = "easy_online", "expert_advice"
PHONE = "phone"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    from workshop.folder import new_workshop

    folder = new_workshop(tmp_path_factory.mktemp("stories") / "acme", Path(__file__).resolve().parents[1]
                          / "datasets" / "sample")
    promise = load_promise(folder / PROMISE_FILE)
    engine = gap.GapMetrics(load_workshop_feedback(folder).cube)
    names = {p.id: p.name for p in promise.pillars}
    return promise, engine, gap.goal_posts_from_promise(promise), names


def by_pillar(table: gap.Table, column: str) -> dict[str, float]:
    return dict(zip(table["pillar"], table[column]))


def test_the_over_promised_pillar_alone_is_shouted_and_not_delivered(sample) -> None:
    promise, engine, posts, names = sample
    pillars = engine.table(gap.Filter(), "pillar", posts)
    loud = gap.loudness(pillars, promise)
    assert list(loud["pillar"][loud["shouted_not_delivered"]]) == [OVER_PROMISED]
    assert by_pillar(loud, "loudness")[OVER_PROMISED] == 9
    assert by_pillar(pillars, "status")[OVER_PROMISED] != gap.PROMISE_ABLE
    assert by_pillar(pillars, "share_above_high")[OVER_PROMISED] < gap.PROMISE_ABLE_SHARE
    assert names[OVER_PROMISED] in charts.loudness_chart(loud, names).title
    assert names[OVER_PROMISED] in charts.gap_overview(pillars, names).title


def test_the_phone_row_has_the_worst_gap_for_every_pillar(sample) -> None:
    _, engine, posts, names = sample
    cells = engine.table(gap.Filter(), "touchpoint", posts)
    pillar_ids = list(dict.fromkeys(cells["pillar"]))
    grid = cells["gap"].reshape(len(pillar_ids), -1)
    touchpoints = list(cells["group"][: grid.shape[1]])
    assert not cells["small_sample"].any()
    for pillar_id, gaps in zip(pillar_ids, grid):
        assert touchpoints[int(np.argmax(gaps))] == PHONE, pillar_id
    assert f"at {PHONE}" in charts.gap_heatmap(cells, names).title


def test_advocates_only_lifts_expert_advice_and_it_matters_most(sample) -> None:
    _, engine, posts, names = sample
    everyone = engine.table(gap.Filter(), "pillar", posts)
    advocates = engine.table(gap.Filter(advocates_only=True), "pillar", posts)
    n_all, n_adv = by_pillar(everyone, "n")[ADVOCATES_VALUE], by_pillar(advocates, "n")[ADVOCATES_VALUE]
    mean_all, mean_adv = by_pillar(everyone, "mean")[ADVOCATES_VALUE], by_pillar(advocates, "mean")[ADVOCATES_VALUE]
    # The rest's mean follows from the two filtered tables: the story is advocates against everyone else.
    mean_rest = (n_all * mean_all - n_adv * mean_adv) / (n_all - n_adv)
    assert mean_adv - mean_rest > 1.5
    assert mean_adv - mean_all > 1.0
    shifts = {p: by_pillar(advocates, "mean")[p] - by_pillar(everyone, "mean")[p] for p in names}
    assert max(shifts, key=shifts.get) == ADVOCATES_VALUE
    for table in (everyone, advocates):
        importance = by_pillar(table, "importance")
        assert max(importance, key=importance.get) == ADVOCATES_VALUE
    quadrant = gap.quadrants(advocates)
    assert by_pillar(quadrant, "quadrant")[ADVOCATES_VALUE] == gap.KEEP_UP


def monthly_slope(months: gap.Table, pillar_id: str) -> float:
    """Points per month of a straight line through the judged monthly means of a pillar."""
    rows = (months["pillar"] == pillar_id) & ~months["small_sample"]
    return float(np.polyfit(np.arange(rows.sum()), months["mean"][rows].astype(float), 1)[0])


def test_easy_online_rises_and_expert_advice_falls_month_by_month(sample) -> None:
    _, engine, posts, names = sample
    months = engine.table(gap.Filter(), "month", posts)
    assert monthly_slope(months, RISING) > 0.05
    assert monthly_slope(months, FALLING) < -0.05
    for steady in set(names) - {RISING, FALLING}:
        assert abs(monthly_slope(months, steady)) < 0.03, steady
    assert charts.trend(months, names).title.startswith(f"{names[RISING]} rose")
