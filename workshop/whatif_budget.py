"""The budget question: one budget split between marketing (more reach) and the front line (training,
staffing, recruiting, reward and retention: a lift on the campaign's pillars, after a delay), on the room's own
assumptions. For each split, the customers at the horizon by ``workshop.whatif``'s model; the best split; and
how far the best moves when each assumption is halved or doubled, so the room sees which assumption its answer
rests on. A what-if, never a forecast. Plain functions over numpy; no widgets, no plotly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from workshop.errors import Problem
from workshop.whatif import (
    ASSUMPTION,
    MODEL_STATEMENT,
    Assumption,
    BelowCurve,
    WhatIfError,
    checked_assumptions,
    customers_text,
    heard_share,
    simulate,
)

BUDGET_ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        "budget_per_month",
        "budget to split each month",
        "£k",
        100,
        0,
        1_000,
        5,
        "The sum the room is arguing about: what marketing would add to the campaign, per month.",
    ),
    Assumption(
        "reach_per_unit",
        "people marketing reaches per £k",
        "people",
        400,
        0,
        5_000,
        50,
        "Marketing's cost per thousand reached (400 per £k is £2.50 per person reached); ask for it.",
    ),
    Assumption(
        "lift_per_unit",
        "lift per £k a month on the front line",
        "points",
        0.02,
        0,
        0.2,
        0.005,
        "The room's own guess, or an agreed action's expected impact divided by what it costs: training, "
        "staffing, recruiting, reward and retention.",
    ),
    Assumption(
        "lift_delay_months",
        "months before front-line spend shows",
        "months",
        3,
        0,
        12,
        1,
        "People must be recruited and trained before customers notice; three months is a guess.",
        whole=True,
    ),
)
BUDGET_ASSUMPTION = {a.name: a for a in BUDGET_ASSUMPTIONS}
BUDGET_USES = (
    *BUDGET_ASSUMPTION,
    "reach_per_month",
    "conversion",
    "told_per_disappointed",
    "stay_away",
    "repeat_rate",
    "existing_customers",
    "lag_months",
    "horizon_months",
)
"""The assumptions the budget question rests on (the scenarios' lift and refresh do not enter it)."""
MARKETING_SHARES = np.linspace(0, 1, 21)
"""The splits compared: the share of the budget given to marketing, in steps of 5%; the rest goes to the
front line."""
SENSITIVE = (
    "reach_per_unit",
    "lift_per_unit",
    "lift_delay_months",
    "conversion",
    "told_per_disappointed",
    "stay_away",
    "repeat_rate",
)
"""The assumptions the budget's answer is tested against: each halved and doubled (within its range)."""


def checked_budget_assumptions(values: Mapping[str, float]) -> dict[str, float]:
    """Both sets of assumptions (the model's and the budget's) over their defaults, checked; see
    ``checked_assumptions``."""
    budget_names = set(BUDGET_ASSUMPTION)
    model = checked_assumptions({k: v for k, v in values.items() if k not in budget_names})
    problems = []
    budget = {a.name: a.default for a in BUDGET_ASSUMPTIONS}
    for name in budget_names & set(values):
        a, value = BUDGET_ASSUMPTION[name], values[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float, np.number))
            or not np.isfinite(value)
            or not a.low <= value <= a.high
            or (a.whole and float(value) != int(value))
        ):
            problems.append(
                Problem(
                    None,
                    "budget",
                    name,
                    f"must be a {'whole ' if a.whole else ''}number from {a.low:g} to {a.high:g}",
                    f"Set {a.label} within its range.",
                    repr(value),
                )
            )
        else:
            budget[name] = float(value)
    if problems:
        raise WhatIfError(problems)
    return {**model, **budget}


@dataclass(frozen=True)
class BudgetAnswer:
    """Customers at the horizon (``customers[i]``) for each split ``MARKETING_SHARES[i]`` (marketing's share of
    the budget), the best split under the room's assumptions, and ``sensitivity``: for each of ``SENSITIVE``,
    its halved and doubled values and the best marketing share under each."""

    assumptions: Mapping[str, float]
    customers: np.ndarray
    sensitivity: tuple[tuple[str, float, float, float, float], ...]

    @property
    def best(self) -> int:
        return int(np.argmax(self.customers))

    @property
    def best_share(self) -> float:
        return float(MARKETING_SHARES[self.best])

    def most_sensitive(self) -> tuple[str, float, float, float, float]:
        """The assumption that moves the best split most (name, low, high, best share at low, at high)."""
        return max(self.sensitivity, key=lambda row: abs(row[4] - row[3]))

    def sentence(self) -> str:
        """The answer in the room's words, with the assumption that matters most."""
        horizon = int(self.assumptions["horizon_months"])
        share = self.best_share
        name, low, high, at_low, at_high = self.most_sensitive()
        label = ASSUMPTION[name].label if name in ASSUMPTION else BUDGET_ASSUMPTION[name].label
        moves = (
            f"The answer moves most with {label}: from {at_low:.0%} to {at_high:.0%} for marketing as it "
            f"goes from {low:g} to {high:g}."
            if at_low != at_high
            else "Halving or doubling any one assumption leaves the best split where it is."
        )
        return (
            f"On these assumptions, {share:.0%} of the budget to marketing and {1 - share:.0%} to the front "
            f"line keeps the most customers at month {horizon} ({customers_text(self.customers[self.best])}); "
            f"all to marketing keeps {customers_text(self.customers[-1])}. {moves} {MODEL_STATEMENT}"
        )


def _split_customers(
    curve: BelowCurve, pillar_ids: Sequence[str], loudness: float, variants: Sequence[Mapping[str, float]]
) -> np.ndarray:
    """``customers[v, i]``: customers at the horizon under assumptions ``variants[v]`` with split
    ``MARKETING_SHARES[i]``; every variant in one pass (they share the horizon and the lag)."""
    horizon = int(variants[0]["horizon_months"])

    def column(name: str) -> np.ndarray:
        return np.array([v[name] for v in variants], dtype=float)[:, None]

    budget = column("budget_per_month")
    marketing, front_line = MARKETING_SHARES * budget, (1 - MARKETING_SHARES) * budget
    lift = np.minimum(front_line * column("lift_per_unit"), 10)[..., None]
    landed = np.arange(horizon) >= column("lift_delay_months")[..., None]
    below = curve.share(pillar_ids, np.where(landed, lift, 0.0))
    reach = (column("reach_per_month") + marketing * column("reach_per_unit"))[..., None]
    return simulate(
        reach,
        np.nan_to_num(below) * heard_share(loudness),
        column("conversion"),
        column("told_per_disappointed"),
        column("stay_away"),
        column("repeat_rate"),
        column("existing_customers"),
        int(variants[0]["lag_months"]),
        horizon,
    ).customers


def budget_question(
    curve: BelowCurve, pillar_ids: Sequence[str], loudness: float, assumptions: Mapping[str, float] | None = None
) -> BudgetAnswer:
    """One budget split between marketing (more reach) and the front line (a lift on ``pillar_ids``, after a
    delay): customers at the horizon for each split, the best one, and how the best moves when each of
    ``SENSITIVE`` is halved or doubled (within its range)."""
    a = checked_budget_assumptions(assumptions or {})
    moved = []
    for name in SENSITIVE:
        spec = ASSUMPTION.get(name) or BUDGET_ASSUMPTION[name]
        low, high = max(a[name] / 2, spec.low), min(a[name] * 2, spec.high)
        moved.append((name, *((float(int(low)), float(int(high))) if spec.whole else (low, high))))
    variants = [a, *({**a, name: value} for name, low, high in moved for value in (low, high))]
    customers = _split_customers(curve, pillar_ids, loudness, variants)
    best = MARKETING_SHARES[np.argmax(customers, axis=1)]
    rows = tuple(
        (name, low, high, float(best[1 + 2 * i]), float(best[2 + 2 * i])) for i, (name, low, high) in enumerate(moved)
    )
    return BudgetAnswer(a, customers[0], rows)


def lift_per_unit_from(lift_points: float, assumptions: Mapping[str, float]) -> float:
    """Lift per £k a month on the front line, from a lift the agreed actions expect: that lift over the monthly
    budget, taking the actions as what the whole budget would buy on the front line (within the slider's range;
    0 with no budget)."""
    spec = BUDGET_ASSUMPTION["lift_per_unit"]
    budget = float(assumptions["budget_per_month"])
    return 0.0 if budget <= 0 else float(np.clip(lift_points / budget, spec.low, spec.high))
