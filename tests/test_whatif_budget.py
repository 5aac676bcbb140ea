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


# --- below zero: said in words, never as a negative count --------------------------------------------------


def test_customers_below_zero_are_said_in_words_a_facilitator_can_read_aloud() -> None:
    """The model keeps the sign (clamping at zero would tie every split that loses customers, and the budget
    question ranks them); the words never show a negative count."""
    assert whatif.customers_text(470.2) == "470 customers"
    below = whatif.customers_text(-18_110.0)
    assert "−" not in below and "-" not in below
    assert below == "none: word of mouth keeps away about 18,000 more people than the campaign wins"


def test_on_the_sample_with_the_defaults_all_to_marketing_is_said_as_a_loss_not_a_negative(workshop_dir) -> None:
    promise = load_promise(workshop_dir / PROMISE_FILE)
    engine = gap.GapMetrics(load_workshop_feedback(workshop_dir).cube)
    curve = whatif.below_curve(engine, promise, gap.Filter(touchpoints=("delivery", "phone")))
    answer = whatif_budget.budget_question(curve, ["on_time_delivery"], 9)
    assert answer.customers[-1] < 0  # the planted story: shouting louder on a broken pillar loses customers
    sentence = answer.sentence()
    assert "all to marketing keeps none: word of mouth keeps away about" in sentence
    assert "−" not in sentence and not any(f"-{d}" in sentence for d in "0123456789")


# --- the lift from the agreed actions ------------------------------------------------------------------------


def agreed(pillar: str, impact: int | None, move: str = "lift_experience", status: str = "agreed", title: str = "x"):
    from workshop.actions import Action

    return Action(f"a{impact}{pillar}{move}{status}", pillar, title, move=move, impact=impact, status=status,
                  effort=2 if impact is not None else None)


def test_the_lift_from_agreed_actions_counts_only_judged_lifts_of_the_experience_on_the_pillar() -> None:
    actions = [agreed("p", 4, title="Call before the van leaves"), agreed("p", 2, title="A second van"),
               agreed("p", 5, move="refresh_promise"), agreed("p", 5, status="dropped"), agreed("p", None),
               agreed("q", 5)]
    lift = whatif.lift_from_actions(actions, ["p"], {"p": "Delivered"}, points_per_impact=0.25)
    assert lift.points == pytest.approx(1.5)
    assert [title for title, _ in lift.actions] == ["Call before the van leaves", "A second van"]
    said = lift.source()
    assert "1.5 points from 2 agreed actions on Delivered" in said
    assert "“Call before the van leaves” (impact 4)" in said and "0.25 points per point of impact" in said
    assert whatif.lift_from_actions(actions, ["r"], {"r": "R"}, 0.25).points == 0
    assert "no agreed action" in whatif.lift_from_actions(actions, ["r"], {"r": "R"}, 0.25).source()


def test_a_campaign_on_two_pillars_counts_the_least_lifted_and_the_lift_never_passes_ten() -> None:
    actions = [agreed("p", 4), agreed("q", 2)]
    assert whatif.lift_from_actions(actions, ["p", "q"], {"p": "P", "q": "Q"}, 0.5).points == pytest.approx(1.0)
    many = [agreed("p", 5, title=str(i)) for i in range(20)]
    assert whatif.lift_from_actions(many, ["p"], {"p": "P"}, 2).points == 10


def test_the_budget_takes_the_actions_lift_as_what_the_whole_budget_buys_on_the_front_line() -> None:
    """With the actions' lift, lift per £k is that lift over the monthly budget: the budget question then asks
    whether the same money does more as reach."""
    assert whatif_budget.lift_per_unit_from(1.0, {"budget_per_month": 100}) == pytest.approx(0.01)
    assert whatif_budget.lift_per_unit_from(50.0, {"budget_per_month": 100}) == \
        whatif_budget.BUDGET_ASSUMPTION["lift_per_unit"].high
    assert whatif_budget.lift_per_unit_from(1.0, {"budget_per_month": 0}) == 0
