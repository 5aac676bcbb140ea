"""The budget question (workshop.whatif_budget.budget_question): the splits against the model run one at a time, the
obvious answers at the extremes, the sensitivity of the answer, and the sample's broken pillar asking for more
front-line spend than a promise-able one."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from workshop import gap, whatif, whatif_budget
from workshop.feedback.load import load_workshop_feedback
from workshop.promise import PROMISE_FILE, load_promise


def flat_curve(below_at_zero: float, per_point: float = 0.1) -> whatif.BelowCurve:
    """A pillar whose share below the line falls ``per_point`` with each point of lift."""
    below = np.clip(below_at_zero - per_point * whatif.LIFT_LEVELS, 0, 1)[None, :]
    return whatif.BelowCurve(["p"], gap.Filter(), below, np.array([500]))


def test_each_split_is_the_model_run_on_that_split_alone() -> None:
    curve = flat_curve(0.6)
    answer = whatif_budget.budget_question(curve, ["p"], 8)
    a = answer.assumptions
    horizon = int(a["horizon_months"])
    for i, share in enumerate(whatif_budget.MARKETING_SHARES):
        lift = min((1 - share) * a["budget_per_month"] * a["lift_per_unit"], 10)
        below = [curve.share(["p"], lift if month >= a["lift_delay_months"] else 0.0) for month in range(horizon)]
        reach = a["reach_per_month"] + share * a["budget_per_month"] * a["reach_per_unit"]
        alone = whatif.simulate_reference([reach] * horizon, [float(b) * 0.8 for b in below], a["conversion"],
                                          a["told_per_disappointed"], a["stay_away"], a["repeat_rate"],
                                          a["existing_customers"], int(a["lag_months"]))
        assert answer.customers[i] == pytest.approx(alone["customers"][0]), share


def test_with_no_gap_everything_goes_to_marketing() -> None:
    answer = whatif_budget.budget_question(flat_curve(0.0), ["p"], 8)
    assert answer.best_share == 1.0
    assert "100% of the budget to marketing and 0% to the front line" in answer.sentence()


def test_when_marketing_reaches_nobody_everything_goes_to_the_front_line() -> None:
    answer = whatif_budget.budget_question(flat_curve(0.6), ["p"], 8, {"reach_per_unit": 0})
    assert answer.best_share == 0.0


def test_the_sensitivity_halves_and_doubles_each_assumption_and_names_the_one_that_matters() -> None:
    answer = whatif_budget.budget_question(flat_curve(0.6), ["p"], 8)
    assert [row[0] for row in answer.sensitivity] == list(whatif_budget.SENSITIVE)
    for name, low, high, at_low, at_high in answer.sensitivity:
        assert low <= answer.assumptions[name] <= high and 0 <= at_low <= 1 and 0 <= at_high <= 1
    name, *_ = answer.most_sensitive()
    label = (whatif.ASSUMPTION.get(name) or whatif_budget.BUDGET_ASSUMPTION[name]).label
    assert f"The answer moves most with {label}" in answer.sentence()
    assert whatif.MODEL_STATEMENT in answer.sentence()


def test_a_bad_budget_assumption_is_refused_by_name() -> None:
    with pytest.raises(whatif.WhatIfError, match="'lift_delay_months'.*whole number from 0 to 12.*found 2.5"):
        whatif_budget.budget_question(flat_curve(0.5), ["p"], 5, {"lift_delay_months": 2.5})


def test_the_broken_pillar_asks_for_more_front_line_than_a_promise_able_one(workshop_dir: Path) -> None:
    promise = load_promise(workshop_dir / PROMISE_FILE)
    engine = gap.GapMetrics(load_workshop_feedback(workshop_dir).cube)
    curve = whatif.below_curve(engine, promise, gap.Filter(touchpoints=("delivery", "phone")))
    broken = whatif_budget.budget_question(curve, ["on_time_delivery"], promise.pillar("on_time_delivery").loudness)
    sound = whatif_budget.budget_question(curve, ["expert_advice"], promise.pillar("expert_advice").loudness)
    assert broken.best_share < sound.best_share
