"""The cost-of-gap model (workshop/whatif.py): closed-form cases, monotonicity, the fast path against the slow
month-by-month reference, the assumptions' checks, and the share below the line read from gap on the sample."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop import gap, whatif
from workshop.feedback.load import load_workshop_feedback
from workshop.promise import PROMISE_FILE, load_promise

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample"
PLAIN = {"conversion": 0.02, "told_per_disappointed": 12, "stay_away": 0.1, "repeat_rate": 0.03,
         "existing_customers": 500, "lag_months": 1, "horizon_months": 18}


def run(reach=10_000.0, d=0.4, **changes) -> whatif.Outcome:
    return whatif.simulate(reach, d, **{**PLAIN, **changes})


# --- closed-form cases ----------------------------------------------------------------------------------------


def test_no_disappointment_loses_nobody_to_word_of_mouth() -> None:
    outcome = run(d=0.0)
    assert not outcome.lost.any() and not outcome.told.any() and not outcome.repeat_lost.any()
    assert outcome.customers == pytest.approx(outcome.base[-1])


def test_nobody_told_loses_nobody_to_word_of_mouth() -> None:
    outcome = run(told_per_disappointed=0)
    assert not outcome.lost.any()
    assert outcome.repeat_lost.sum() > 0  # disappointed returning customers still leave


def test_steady_campaign_without_repeat_buyers_in_closed_form() -> None:
    reach, c, d, n, s, lag, horizon = 20_000, 0.03, 0.25, 12, 0.1, 2, 12
    outcome = whatif.simulate(reach, d, c, n, s, 0.0, 0, lag, horizon)
    per_month = reach * c * d * n * s
    assert outcome.lost[:lag] == pytest.approx([0, 0])
    assert outcome.lost[lag:] == pytest.approx([per_month] * (horizon - lag))
    assert outcome.customers == pytest.approx(horizon * reach * c * (1 - d) - (horizon - lag) * per_month)
    assert outcome.reach_to_stand_still[-1] == pytest.approx(per_month / c)


@pytest.mark.parametrize("k,lag", [(0, 0), (3, 1), (5, 2), (10, 4)])
def test_a_gap_closed_in_month_k_stops_the_loss_from_month_k_plus_lag(k: int, lag: int) -> None:
    horizon = 18
    d = np.where(np.arange(horizon) < k, 0.5, 0.0)
    outcome = run(d=d, lag_months=lag, horizon_months=horizon)
    assert (outcome.lost[k + lag:] == 0).all()
    if k > 0:
        assert (outcome.lost[lag:k + lag] > 0).all()


def test_a_lag_past_the_horizon_loses_nothing_within_it() -> None:
    assert not run(lag_months=20, horizon_months=18).lost.any()


# --- monotonicity ---------------------------------------------------------------------------------------------

shares = st.floats(0, 1)
settings_ = settings(max_examples=150, deadline=None)


@settings_
@given(low=shares, high=shares, n=st.floats(0, 30), s=shares, r=st.floats(0, 0.3), lag=st.integers(0, 6))
def test_more_disappointed_never_gives_more_customers(low, high, n, s, r, lag) -> None:
    low, high = sorted((low, high))
    kwargs = {"told_per_disappointed": n, "stay_away": s, "repeat_rate": r, "lag_months": lag}
    assert run(d=high, **kwargs).customers <= run(d=low, **kwargs).customers + 1e-6
    assert (run(d=high, **kwargs).sales <= run(d=low, **kwargs).sales + 1e-6).all()


@settings_
@given(d=shares, few=st.floats(0, 30), many=st.floats(0, 30), s=shares)
def test_more_told_never_gives_more_customers(d, few, many, s) -> None:
    few, many = sorted((few, many))
    assert run(d=d, told_per_disappointed=many, stay_away=s).customers <= \
        run(d=d, told_per_disappointed=few, stay_away=s).customers + 1e-6


@settings_
@given(quiet=st.floats(0, 10), loud=st.floats(0, 10), below=st.floats(0.01, 1))
def test_more_loudness_on_a_broken_pillar_never_gives_more_customers(quiet, loud, below) -> None:
    quiet, loud = sorted((quiet, loud))
    curve = whatif.BelowCurve(["p"], gap.Filter(), np.full((1, len(whatif.LIFT_LEVELS)), below), np.array([100]))
    louder = whatif.cost_of_gap(curve, ["p"], loud, "p")
    quieter = whatif.cost_of_gap(curve, ["p"], quiet, "p")
    assert louder.outcome.customers[0] <= quieter.outcome.customers[0] + 1e-6
    assert louder.lost_per_month(whatif.TODAY) >= quieter.lost_per_month(whatif.TODAY) - 1e-9


# --- the fast path against the slow reference -----------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(data=st.data(), horizon=st.integers(12, 24), lag=st.integers(0, 6), c=st.floats(0, 0.2),
       n=st.floats(0, 30), s=shares, r=st.floats(0, 0.3), existing=st.floats(0, 1e6))
def test_simulate_equals_the_month_by_month_reference(data, horizon, lag, c, n, s, r, existing) -> None:
    reach = data.draw(st.lists(st.floats(0, 2e5), min_size=horizon, max_size=horizon))
    d = data.draw(st.lists(shares, min_size=horizon, max_size=horizon))
    fast = whatif.simulate(np.array(reach), np.array(d), c, n, s, r, existing, lag, horizon)
    slow = whatif.simulate_reference(reach, d, c, n, s, r, existing, lag)
    for name in ("drawn", "repeat", "told", "lost", "repeat_lost", "sales"):
        assert getattr(fast, name) == pytest.approx(slow[name], rel=1e-9, abs=1e-6), name
    assert fast.customers == pytest.approx(slow["customers"][0], rel=1e-9, abs=1e-6)


def test_many_scenarios_at_once_equal_each_alone() -> None:
    reach = np.array([[10_000.0], [20_000.0], [5_000.0]])
    d = np.array([[0.2], [0.5], [0.9]])
    together = run(reach, d)
    for i in range(3):
        alone = run(float(reach[i, 0]), float(d[i, 0]))
        assert together.lost[i] == pytest.approx(alone.lost)
        assert together.customers[i] == pytest.approx(alone.customers)


# --- assumptions ----------------------------------------------------------------------------------------------


def test_every_assumption_says_where_its_default_comes_from_and_sits_in_its_range() -> None:
    for a in whatif.ASSUMPTIONS:
        assert a.source and a.label and a.low <= a.default <= a.high and a.step > 0, a.name
    assert whatif.ASSUMPTION["told_per_disappointed"].default == 12
    assert set(whatif.checked_assumptions({})) == set(whatif.ASSUMPTION)


@pytest.mark.parametrize("name,value,words", [
    ("stay_away", 1.5, "between 0 and 1"), ("lag_months", 1.5, "whole number"),
    ("told_per_disappointed", "twelve", "must be a number"), ("conversion", float("nan"), "must be a number"),
])
def test_a_bad_assumption_is_refused_by_name_and_value(name, value, words) -> None:
    with pytest.raises(whatif.WhatIfError) as refused:
        whatif.checked_assumptions({name: value})
    assert words in str(refused.value) and name in str(refused.value) and repr(value) in str(refused.value)


def test_an_unknown_assumption_is_refused_by_name() -> None:
    with pytest.raises(whatif.WhatIfError, match="'reach': is not an assumption of the model"):
        whatif.checked_assumptions({"reach": 10})


# --- on the sample --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from workshop.folder import new_workshop

    folder = new_workshop(tmp_path_factory.mktemp("whatif") / "acme", SAMPLE)
    return load_promise(folder / PROMISE_FILE), gap.GapMetrics(load_workshop_feedback(folder).cube)


def test_the_share_below_the_line_is_gaps_own_share_above_turned_round(sample) -> None:
    promise, engine = sample
    curve = whatif.below_curve(engine, promise)
    posts = gap.goal_posts_from_promise(promise)
    for lift in (0.0, 1.5):
        lifted = {p: gap.GoalPost(g.target, g.threshold, lift) for p, g in posts.items()}
        table = engine.table(gap.Filter(), "pillar", lifted)
        for pillar, above in zip(table["pillar"], table["share_above"]):
            assert curve.share([pillar], lift) == pytest.approx(1 - above)
    # Between two half points a lift counts as the step below it.
    assert curve.share(["on_time_delivery"], 1.9) == curve.share(["on_time_delivery"], 1.5)
    # Several pillars: the worst one's share.
    assert curve.share(["expert_advice", "on_time_delivery"]) == curve.share(["on_time_delivery"])


def test_the_sentence_names_the_pillar_and_lifting_the_experience_loses_fewer(sample) -> None:
    promise, engine = sample
    curve = whatif.below_curve(engine, promise)
    pillar = promise.pillar("on_time_delivery")
    cost = whatif.cost_of_gap(curve, [pillar.id], pillar.loudness, pillar.name)
    today, lifted, refreshed = (cost.lost_per_month(s) for s in whatif.SCENARIOS)
    assert lifted < today and refreshed < today
    assert cost.below_lifted < cost.below_today
    sentence = cost.sentence()
    assert pillar.name in sentence and "word of mouth" in sentence and whatif.MODEL_STATEMENT in sentence
    assert sentence.startswith(f"About {float(f'{today:.2g}'):,.0f} customers a month")
