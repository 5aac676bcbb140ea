"""What the gap costs: a small, documented what-if of the vicious cycle, over 12–24 months, for the room to argue
about. It is never a forecast: every number it uses is an ``Assumption`` on screen, with its default, its range
and where that default comes from.

The story it tells (the cycle the workshop's ideas describe): a campaign draws customers in; the share who
meet an experience below the pillar's threshold are disappointed; each disappointed newcomer tells *N* others
(default 12), some of whom stay away; disappointed returning customers stop coming back; marketing must reach
more people just to stand still. Three scenarios side by side: today's gap, the experience lifted, the promise
refreshed (a quieter claim, or a smaller reach).

The month-by-month model (month ``t`` = 0 … horizon − 1; all counts are people per month, floats):

* ``drawn[t] = reach[t] × conversion``: customers the campaign draws in for the first time;
* ``repeat[t] = repeat_rate × base[t]``: returning customers (``base[0]`` is ``existing_customers``);
* ``disappointed share d[t] = below × heard``: ``below`` is the share of answers at or under the threshold on
  the campaign's pillars and touchpoints (from the cube, by ``workshop.gap``'s rule; the worst pillar's when a
  campaign names several, because the cube keeps pillars apart and cannot count "below on any"), ``heard`` is
  ``loudness / 10`` (a customer below the line who never heard the claim was not promised it);
* ``base[t+1] = base[t] + drawn[t] × (1 − d[t]) − repeat[t] × d[t]``: satisfied newcomers join the base,
  disappointed returning customers leave it (``repeat_lost``);
* ``told[t] = drawn[t] × d[t] × told_per_disappointed``: newcomers who meet the reality tell others (returning
  customers already know it; those who leave are counted in ``repeat_lost``);
* ``lost[t + lag] = told[t] × stay_away``: people word of mouth keeps away, ``lag`` months later;
* ``sales[t] = drawn[t] + repeat[t] − lost[t]`` and ``customers`` at the horizon ``= base[H] − Σ lost``: the
  customers the business would have, less those word of mouth kept from joining. Both can fall below zero:
  word of mouth then keeps away more people than the campaign wins, which is the cycle at its worst. The model
  keeps the sign rather than clamping at zero, because the budget question ranks splits by it (clamped, every
  split that loses customers would tie at zero and the room could not see which loses least); the words say
  it as a loss (``customers_text``), never as a negative count;
* ``reach_to_stand_still[t] = lost[t] / conversion``: how many more people marketing must reach that month to
  win back what word of mouth lost (the cycle "that gives marketing job security").

Because nothing lost feeds back into who is disappointed, the model is monotone by construction: more
disappointed, more told, a larger stay-away share or more loudness on a broken pillar never gives more
customers (``tests/test_whatif.py`` checks it, and checks ``simulate`` against the slow month-by-month
``simulate_reference``). Reach is deliberately *not* monotone: past a point a louder, wider campaign on a broken
pillar loses more than it wins, which is the room's conversation.

Plain functions over numpy; no widgets, no plotly, no file written. The budget question built on this model is
``workshop.whatif_budget``; the what-if the room keeps for the report, ``workshop.whatif_file``. The
promise-able rule and "above the threshold" stay in ``workshop.gap``: the share below the line is read from
``gap.metrics``, never recounted here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from workshop import gap
from workshop.actions import Action
from workshop.errors import Problem, WorkshopError
from workshop.promise import Promise

LIFT_STEP = 0.5
"""Lifts are counted in the sliders' half points: a lift between two steps counts as the step below it, so the
share below the line is always ``gap``'s own figure at a lift the room could have set."""
LIFT_LEVELS = np.arange(0, 10 + LIFT_STEP, LIFT_STEP)
MODEL_STATEMENT = "A what-if on the room's own assumptions, not a forecast."


class WhatIfError(WorkshopError):
    """An assumption the what-if cannot use (out of its range, or the wrong kind of number)."""


@dataclass(frozen=True)
class Assumption:
    """One number the model rests on, as the room sees it: ``label`` and ``unit`` for the slider, its
    ``default``, the ``low``–``high`` range a slider offers, its ``step``, and ``source``: where the default comes
    from, in words the facilitator can say aloud."""

    name: str
    label: str
    unit: str
    default: float
    low: float
    high: float
    step: float
    source: str
    whole: bool = False


ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        "reach_per_month",
        "people reached per month",
        "people",
        40_000,
        0,
        200_000,
        1_000,
        "The campaign's own plan (campaigns.yml: reach_per_month); ask marketing for it.",
    ),
    Assumption(
        "conversion",
        "reached who become customers",
        "share",
        0.02,
        0,
        0.2,
        0.005,
        "Marketing's own figure for past campaigns; 2% is a placeholder to replace.",
    ),
    Assumption(
        "told_per_disappointed",
        "others each disappointed customer tells",
        "people",
        12,
        0,
        30,
        1,
        "The workshop's source: a customer who meets the reality tells about 12 others. Quoted from "
        "complaint studies of the 1970s-80s (TARP); a figure to argue about, not a measurement.",
    ),
    Assumption(
        "stay_away",
        "of those told, share who then stay away",
        "share",
        0.1,
        0,
        1,
        0.01,
        "No study gives it for your market: the room's own guess. 10% is a cautious start.",
    ),
    Assumption(
        "repeat_rate",
        "satisfied customers who buy again each month",
        "share",
        0.03,
        0,
        0.3,
        0.005,
        "The client's repeat-purchase data, per month; 3% is a placeholder to replace.",
    ),
    Assumption(
        "existing_customers",
        "customers the business has today",
        "people",
        0,
        0,
        1_000_000,
        1_000,
        "The client's customer count; 0 looks at the campaign's customers alone.",
    ),
    Assumption(
        "lag_months",
        "months before word of mouth bites",
        "months",
        1,
        0,
        6,
        1,
        "A month is the room's guess: people tell friends soon after a bad delivery.",
        whole=True,
    ),
    Assumption(
        "horizon_months",
        "months to look ahead",
        "months",
        18,
        12,
        24,
        1,
        "A budget year and a half: long enough for the cycle to show, short enough to argue about.",
        whole=True,
    ),
    Assumption(
        "lift_points",
        "experience lift (scenario 2)",
        "points",
        1.0,
        0,
        10,
        LIFT_STEP,
        "The gap panel's lift slider, or an agreed action's expected impact.",
    ),
    Assumption(
        "points_per_impact",
        "lift per point an agreed action scored on the board (1-5)",
        "points",
        0.25,
        0,
        2,
        0.05,
        "The room's own guess: an action judged 5 (a lot) on the board lifts its pillar 1.25 points. Used only "
        "when the lift is taken from the agreed actions.",
    ),
    Assumption(
        "lift_from_month",
        "month the lift lands (scenario 2)",
        "month",
        3,
        0,
        23,
        1,
        "When the action's owner says it will be in place.",
        whole=True,
    ),
    Assumption(
        "refreshed_loudness",
        "claim's loudness after a refresh (scenario 3)",
        "0-10",
        5,
        0,
        10,
        0.5,
        "The loudness a refreshed promise would give the claim (promise.yml: loudness).",
    ),
    Assumption(
        "refreshed_reach_share",
        "reach kept after a refresh (scenario 3)",
        "share",
        1.0,
        0,
        1,
        0.05,
        "1 keeps the campaign's reach; lower it to see a smaller campaign.",
    ),
)
"""Every assumption of the model, in the order the panel shows them."""
ASSUMPTION = {a.name: a for a in ASSUMPTIONS}


def default_assumptions() -> dict[str, float]:
    """Each assumption's default, by name."""
    return {a.name: a.default for a in ASSUMPTIONS}


def checked_assumptions(values: Mapping[str, float]) -> dict[str, float]:
    """``values`` over the defaults, each checked against its range (whole numbers where ``whole``); raises
    ``WhatIfError`` naming the assumption and value of every problem."""
    problems = [
        Problem(
            None,
            "what-if",
            name,
            "is not an assumption of the model",
            f"Use one of: {', '.join(ASSUMPTION)}.",
            repr(name),
        )
        for name in values
        if name not in ASSUMPTION
    ]
    chosen = {**default_assumptions(), **{k: v for k, v in values.items() if k in ASSUMPTION}}
    for name, value in chosen.items():
        a = ASSUMPTION[name]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not np.isfinite(value):
            problems.append(
                Problem(None, "what-if", name, "must be a number", f"Give {a.label} as a number.", repr(value))
            )
        elif not a.low <= value <= a.high:
            problems.append(
                Problem(
                    None,
                    "what-if",
                    name,
                    f"must be between {a.low:g} and {a.high:g}",
                    f"Set {a.label} within its range.",
                    repr(value),
                )
            )
        elif a.whole and float(value) != int(value):
            problems.append(Problem(None, "what-if", name, "must be a whole number", "", repr(value)))
    if problems:
        raise WhatIfError(problems)
    return {name: float(value) for name, value in chosen.items()}


# --- the share below the line, from gap's metrics -------------------------------------------------------------


@dataclass(frozen=True)
class BelowCurve:
    """``below[p, i]``: the share of answers (0–1) at or under pillar ``pillars[p]``'s threshold after a lift of
    ``LIFT_LEVELS[i]`` points, for the responses ``flt`` keeps; ``n[p]`` answers behind it. Read from
    ``gap.metrics`` once per filter, so a slider move only looks values up."""

    pillars: list[str]
    flt: gap.Filter
    below: np.ndarray
    n: np.ndarray

    def share(self, pillar_ids: Sequence[str], lift: np.ndarray | float = 0.0) -> np.ndarray:
        """The worst of ``pillar_ids``' shares below the line at ``lift`` (points, any shape; counted in half
        points rounded down): the floor of "below on any" the cube can stand behind."""
        index = np.clip(np.floor(np.asarray(lift, dtype=float) / LIFT_STEP + 1e-9), 0, len(LIFT_LEVELS) - 1)
        rows = self.below[[self.pillars.index(p) for p in pillar_ids]]
        return np.nanmax(rows[:, index.astype(np.int64)], axis=0) if len(rows) else np.zeros(np.shape(index))


def below_curve(engine: gap.GapMetrics, promise: Promise, flt: gap.Filter | None = None) -> BelowCurve:
    """The share of answers at or under each pillar's threshold (the promise's), at every lift the sliders can
    set, for the responses ``flt`` keeps: ``1 − share_above`` of ``gap.metrics``. A pillar with no answers is
    NaN (the model then says it cannot judge it). No filter keeps every response."""
    flt = flt if flt is not None else gap.Filter()
    counts = engine.counts(flt, "pillar")
    posts = gap.goal_posts_from_promise(promise)
    below = np.empty((len(counts.pillars), len(LIFT_LEVELS)))
    for i, lift in enumerate(LIFT_LEVELS):
        lifted = {p: replace(posts[p], lift=float(lift)) for p in counts.pillars}
        below[:, i] = 1 - gap.metrics(counts, lifted)["share_above"]
    return BelowCurve(list(counts.pillars), flt, below, counts.scored.sum(axis=(1, 2)).astype(np.int64))


# --- the model ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One scenario month by month (arrays of shape ``(..., horizon)``, people per month) and at the horizon
    (``customers``, shape ``(...)``); see the module docstring for each quantity."""

    drawn: np.ndarray
    repeat: np.ndarray
    disappointed_share: np.ndarray
    told: np.ndarray
    lost: np.ndarray
    repeat_lost: np.ndarray
    sales: np.ndarray
    base: np.ndarray
    customers: np.ndarray
    reach_to_stand_still: np.ndarray

    @property
    def months(self) -> np.ndarray:
        return np.arange(self.drawn.shape[-1])


def simulate(
    reach: np.ndarray | float,
    disappointed_share: np.ndarray | float,
    conversion: np.ndarray | float,
    told_per_disappointed: np.ndarray | float,
    stay_away: np.ndarray | float,
    repeat_rate: np.ndarray | float,
    existing_customers: np.ndarray | float,
    lag_months: int,
    horizon_months: int,
) -> Outcome:
    """The model of the module docstring, for every scenario at once: ``reach`` and ``disappointed_share``
    broadcast to ``(..., horizon_months)`` (a scalar is the same every month; leading axes hold scenarios,
    budget splits or variants of an assumption), and the other assumptions to the leading axes ``(...)``.
    Shares are 0–1, counts people per month."""
    horizon, lag = int(horizon_months), int(lag_months)
    d = np.asarray(disappointed_share, dtype=float)
    per_scenario = [
        np.asarray(x, dtype=float)
        for x in (conversion, told_per_disappointed, stay_away, repeat_rate, existing_customers)
    ]
    leading = np.broadcast_shapes(np.shape(reach)[:-1], d.shape[:-1], *(x.shape for x in per_scenario))
    shape = np.broadcast_shapes((*leading, 1), np.shape(reach), d.shape, (horizon,))
    conversion, told_per_disappointed, stay_away, repeat_rate, existing = (
        np.broadcast_to(x, shape[:-1]) for x in per_scenario
    )
    drawn = np.broadcast_to(np.asarray(reach, dtype=float), shape) * conversion[..., None]
    d = np.broadcast_to(d, shape)
    base = np.empty((*shape[:-1], horizon + 1))
    base[..., 0] = existing
    # Month by month over the leading axes at once: the base of one month is the next month's start.
    for t in range(horizon):
        base[..., t + 1] = base[..., t] * (1 - repeat_rate * d[..., t]) + drawn[..., t] * (1 - d[..., t])
    repeat = repeat_rate[..., None] * base[..., :horizon]
    told = drawn * d * told_per_disappointed[..., None]
    lost = np.zeros(shape)
    if lag < horizon:
        lost[..., lag:] = told[..., : horizon - lag] * stay_away[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        stand_still = np.where(conversion[..., None] > 0, lost / conversion[..., None], np.nan)
    return Outcome(
        drawn=drawn,
        repeat=repeat,
        disappointed_share=np.array(d),
        told=told,
        lost=lost,
        repeat_lost=repeat * d,
        sales=drawn + repeat - lost,
        base=base,
        customers=base[..., horizon] - lost.sum(axis=-1),
        reach_to_stand_still=stand_still,
    )


def simulate_reference(
    reach: Sequence[float],
    disappointed_share: Sequence[float],
    conversion: float,
    told_per_disappointed: float,
    stay_away: float,
    repeat_rate: float,
    existing_customers: float,
    lag_months: int,
) -> dict[str, list[float]]:
    """The same model, one scenario, written the slow obvious way (a month at a time, people moving between
    named piles): what ``simulate`` must equal. ``reach`` and ``disappointed_share`` give one value per month."""
    base, lost_later = float(existing_customers), [0.0] * len(reach)
    out: dict[str, list[float]] = {key: [] for key in ("drawn", "repeat", "told", "lost", "repeat_lost", "sales")}
    for month, (people, share) in enumerate(zip(reach, disappointed_share, strict=True)):
        newcomers = people * conversion
        returning = base * repeat_rate
        disappointed_newcomers = newcomers * share
        leaving = returning * share
        telling = disappointed_newcomers * told_per_disappointed
        if month + lag_months < len(reach):
            lost_later[month + lag_months] += telling * stay_away
        base = base + (newcomers - disappointed_newcomers) - leaving
        out["drawn"].append(newcomers)
        out["repeat"].append(returning)
        out["told"].append(telling)
        out["lost"].append(lost_later[month])
        out["repeat_lost"].append(leaving)
        out["sales"].append(newcomers + returning - lost_later[month])
    out["customers"] = [base - sum(lost_later)]
    return out


# --- the three scenarios -------------------------------------------------------------------------------------


TODAY, LIFTED, REFRESHED = "today's gap", "experience lifted", "promise refreshed"
SCENARIOS = (TODAY, LIFTED, REFRESHED)


@dataclass(frozen=True)
class CostOfGap:
    """The three scenarios for one campaign (or pillar) on the room's assumptions: ``outcome`` has a leading
    axis of ``SCENARIOS``; ``below_today`` / ``below_lifted`` are the shares below the line (0–1) before and
    after the lift; ``loudness`` today's (0–10); ``subject`` what it is about (a pillar's name)."""

    subject: str
    assumptions: Mapping[str, float]
    loudness: float
    below_today: float
    below_lifted: float
    outcome: Outcome
    scenarios: tuple[str, ...] = field(default=SCENARIOS)

    def lost_per_month(self, scenario: str, month: int | None = None) -> float:
        """Customers lost to word of mouth in ``month`` (the last month by default) of a scenario."""
        lost = self.outcome.lost[self.scenarios.index(scenario)]
        return float(lost[-1 if month is None else month])

    def sentence(self) -> str:
        """The figure the room can repeat, e.g. "About 650 customers a month lost to word of mouth about
        Delivered when we say by month 18 (today's gap); 330 with the experience lifted 1 point from month 3;
        360 with the promise refreshed. A what-if on the room's own assumptions, not a forecast.\""""
        a = self.assumptions
        horizon = int(a["horizon_months"])
        today, lifted, refreshed = (self.lost_per_month(s) for s in SCENARIOS)
        return (
            f"About {people_text(today)} customers a month lost to word of mouth about {self.subject} by month "
            f"{horizon} ({TODAY}); {people_text(lifted)} with the experience lifted {a['lift_points']:g} "
            f"point{'s' if a['lift_points'] != 1 else ''} from month {int(a['lift_from_month'])}; "
            f"{people_text(refreshed)} with the promise refreshed (loudness {a['refreshed_loudness']:g}, "
            f"{a['refreshed_reach_share']:.0%} of the reach). {MODEL_STATEMENT}"
        )


def people_text(value: float) -> str:
    """A count of people as the room says it: to two significant figures, with thousands separated."""
    if not np.isfinite(value):
        return "no"
    if value < 0:
        return "−" + people_text(-value)
    rounded = float(f"{value:.2g}") if value >= 1 else round(value, 1)
    return f"{rounded:,.0f}" if rounded >= 1 else f"{rounded:g}"


def customers_text(value: float) -> str:
    """Customers at the horizon as the room can say them: "470 customers", or, below zero (word of mouth keeps
    away more people than the campaign brings in and keeps), that loss in words, never a negative count."""
    if not np.isfinite(value) or value >= 0:
        return f"{people_text(value)} customers"
    return f"none: word of mouth keeps away about {people_text(-value)} more people than the campaign wins"


def heard_share(loudness: float) -> float:
    """The share of customers who expect the claim: its loudness (0–10) out of 10."""
    return float(loudness) / 10


def cost_of_gap(
    curve: BelowCurve,
    pillar_ids: Sequence[str],
    loudness: float,
    subject: str,
    assumptions: Mapping[str, float] | None = None,
) -> CostOfGap:
    """Today's gap, the experience lifted (``lift_points`` on ``pillar_ids`` from ``lift_from_month``) and the
    promise refreshed (``refreshed_loudness``, ``refreshed_reach_share`` of the reach), side by side."""
    a = checked_assumptions(assumptions or {})
    horizon = int(a["horizon_months"])
    below_today = float(curve.share(pillar_ids, 0.0))
    below_lifted = float(curve.share(pillar_ids, a["lift_points"]))
    heard = heard_share(loudness)
    months = np.arange(horizon)
    d = np.vstack(
        [
            np.full(horizon, below_today * heard),
            np.where(months >= a["lift_from_month"], below_lifted, below_today) * heard,
            np.full(horizon, below_today * heard_share(a["refreshed_loudness"])),
        ]
    )
    reach = a["reach_per_month"] * np.array([1.0, 1.0, a["refreshed_reach_share"]])[:, None]
    outcome = simulate(
        reach,
        np.nan_to_num(d),
        a["conversion"],
        a["told_per_disappointed"],
        a["stay_away"],
        a["repeat_rate"],
        a["existing_customers"],
        int(a["lag_months"]),
        horizon,
    )
    return CostOfGap(subject, a, float(loudness), below_today, below_lifted, outcome)


# --- the lift the agreed actions expect ------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedLift:
    """The lift (points, 0–10) the agreed actions expect on a subject's pillars, and where it comes from:
    ``actions`` (title, impact) behind it and the ``points_per_impact`` assumption that turns impact into
    points."""

    points: float
    actions: tuple[tuple[str, int], ...]
    subject: str
    points_per_impact: float

    def source(self) -> str:
        """Where the number came from, in words the facilitator can read aloud."""
        if not self.actions:
            return (
                f"There is no agreed action yet that lifts the experience of {self.subject} with its impact "
                "judged: the lift stays the room's own figure."
            )
        listed = ", ".join(f"“{title}” (impact {impact})" for title, impact in self.actions)
        count = f"{len(self.actions)} agreed action{'s' if len(self.actions) != 1 else ''}"
        return (
            f"Lift: {self.points:g} points from {count} on {self.subject}: {listed}, at "
            f"{self.points_per_impact:g} points per point of impact (the room's assumption)."
        )


def lift_from_actions(
    actions: Iterable[Action], pillar_ids: Sequence[str], names: Mapping[str, str], points_per_impact: float
) -> ExpectedLift:
    """The lift the agreed actions expect on ``pillar_ids``: for each pillar, the sum of ``impact ×
    points_per_impact`` over its actions that lift the experience (a refreshed promise changes the words, not the
    experience), whose impact the room judged and that are not dropped; capped at 10. A subject on several
    pillars gets the least lifted one's, because its share below the line is its worst pillar's."""
    counted = [
        a
        for a in actions
        if a.pillar_id in pillar_ids and a.move == "lift_experience" and a.impact is not None and a.status != "dropped"
    ]
    per_pillar = [sum(a.impact or 0 for a in counted if a.pillar_id == p) * points_per_impact for p in pillar_ids]
    subject = " and ".join(names.get(p, p) for p in pillar_ids)
    return ExpectedLift(
        min(min(per_pillar, default=0.0), 10.0),
        tuple((a.title, int(a.impact or 0)) for a in counted),
        subject,
        float(points_per_impact),
    )
