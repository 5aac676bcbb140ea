"""Gap metrics: how far today's experience is from the promise, per pillar and per group, from the cube.

Everything here reads counts from a ``workshop.cube.ScoreCube``, never responses, so moving a goal post costs
the size of a few (pillar × group × 11) arrays. This module is numpy/pandas only: it must not import plotly or
ipywidgets, and it must not read files. The rules the room sees on screen (promise-ability, the quadrants,
what "above the threshold" means) are written here once, as named constants and ``*_RULE`` texts.

Conventions, all on the customer's 0–10 scale:

* a score is *above the threshold* when ``score > threshold`` (strictly), and *at target* when
  ``score >= target`` ("would give us 10/10" when the target is 10);
* thresholds, targets and lifts may be fractional (the sliders step by 0.5);
* an *experience lift* of ``x`` points moves every score ``k`` to ``min(k + x, 10)``: the counts stay in their
  bins, only the value each bin stands for moves, so a lift never changes n and a 10 stays a 10;
* dates filter at month granularity: a month range keeps whole ``YYYY-MM`` months, both ends included, and
  leaves out undated responses;
* the 95 % interval of a mean is ``mean ± 1.96 · s / √n`` (normal approximation, ``s`` the sample standard
  deviation with n − 1); shares use the Wilson score interval; both are shaky under ``min_n`` answers, which is
  why such cells are flagged ``small_sample`` and never judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workshop.cube import CELL_AXES, RECOMMEND_BINS, SCORE_POINTS, UNDATED, ScoreCube
from workshop.errors import GapError, Problem
from workshop.feedback.advocates import DETRACTOR_MAX, PASSIVE_MAX, SMALL_SAMPLE, Z_95, nps
from workshop.filters import Filter
from workshop.promise import SCORE_MAX, SCORE_MIN, Promise, score_points

DEFAULT_MIN_N = SMALL_SAMPLE
"""Fewer answers than this in a cell: flagged as a small sample, shown greyed, never judged. It is the NPS's
``SMALL_SAMPLE``: one minimum for "too few answers to read", written in ``workshop.feedback.advocates``."""
PROMISE_ABLE_SHARE = 0.5
"""'Most of the time': more than half of the answers above the threshold."""
BROKEN_SHARE = 0.35
"""Below this share of answers above the threshold, the promise is broken."""

PROMISE_ABLE, AT_RISK, BROKEN, NOT_JUDGED = "promise-able", "at risk", "broken", "not judged"
STATUSES = (PROMISE_ABLE, AT_RISK, BROKEN, NOT_JUDGED)


def promise_ability_rule(min_n: int = DEFAULT_MIN_N) -> str:
    """The promise-ability rule in the words shown on screen (the one place it is written)."""
    return (
        f"Promise-able: more than {PROMISE_ABLE_SHARE:.0%} of customers score it above the threshold, "
        f"even at the low end of the 95% interval. "
        f"Broken: fewer than {BROKEN_SHARE:.0%} do, even at the high end of the interval. "
        f"At risk: anything in between. Fewer than {min_n} answers: not judged."
    )


ABOVE_RULE = "'Above the threshold' means strictly above: a 6 is not above a threshold of 6."
LIFT_RULE = "A lift of x points moves every score up by x, capped at 10."

GROUPINGS = ("pillar", "touchpoint", "segment", "month")
"""Groupings of the metrics: by pillar alone, or pillar × touchpoint, × segment, × month."""
ALL = "all"
"""The group label when metrics are by pillar alone."""

CONCENTRATE, KEEP_UP, LOW_PRIORITY, OVERKILL = (
    "Concentrate here",
    "Keep up the good work",
    "Low priority",
    "Possible overkill",
)


def quadrant_rule(measure: str = "likelihood to recommend") -> str:
    """The importance–performance rule in words; ``measure`` is what importance is derived against
    (``feedback.mapping.ImportanceMeasure.phrase``)."""
    return (
        f"Importance: how strongly a pillar's score moves with {measure} (Pearson r). "
        "Performance: the share of customers above the threshold. The lines are the average "
        f"importance of the judged pillars and the promise-able line ({PROMISE_ABLE_SHARE:.0%})."
    )


# --- what the room chooses ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalPost:
    """One pillar's goal posts and what-if: ``target`` and ``threshold`` 0–10 (threshold ≤ target),
    ``lift`` 0–10 points added to every score (capped at 10)."""

    target: float
    threshold: float
    lift: float = 0.0


def goal_posts_from_promise(promise: Promise) -> dict[str, GoalPost]:
    """Each pillar's target and threshold as the promise states them, with no lift."""
    return {p.id: GoalPost(p.target, p.threshold) for p in promise.pillars}


def check_goal_posts(goal_posts: Mapping[str, GoalPost], pillar_ids: Iterable[str]) -> None:
    """Raise GapError unless every pillar has goal posts within 0–10 and threshold ≤ target."""
    problems = []
    for pillar_id in pillar_ids:
        where = f"pillar '{pillar_id}'"
        post = goal_posts.get(pillar_id)
        if post is None:
            fix = "Give every pillar of the cube goal posts (see goal_posts_from_promise)."
            problems.append(Problem(None, where, "goal posts", "has no target or threshold", fix))
            continue
        for name in ("target", "threshold", "lift"):
            value = getattr(post, name)
            if not SCORE_MIN <= value <= SCORE_MAX:
                problems.append(
                    Problem(None, where, name, "must be between 0 and 10", "Scores are out of 10.", repr(value))
                )
        if post.threshold > post.target:
            fix = "Lower the threshold or raise the target."
            message = f"is above the target ({post.target:g})"
            problems.append(Problem(None, where, "threshold", message, fix, repr(post.threshold)))
    if problems:
        raise GapError(problems)


def promise_with_goal_posts(promise: Promise, goal_posts: Mapping[str, GoalPost]) -> Promise:
    """A copy of the promise with the room's targets and thresholds (lifts are what-ifs and are not saved)."""
    check_goal_posts(goal_posts, promise.pillar_ids)
    proposed = promise.copy()
    for pillar in proposed.pillars:
        pillar.target = score_points(goal_posts[pillar.id].target)
        pillar.threshold = score_points(goal_posts[pillar.id].threshold)
    return proposed


# --- counts: filtered once per filter, reused for every slider move ----------------------------------------


@dataclass(frozen=True)
class GroupedCounts:
    """Filtered counts ``counts[p, g, r, k]``: pillar ``p``, group ``g``, recommend bin ``r`` (0–10, 11 = not
    answered) and score ``k`` (0–10). ``groups`` are the labels of axis ``g`` (``['all']`` by pillar alone)."""

    pillars: list[str]
    grouping: str
    groups: list[str]
    counts: np.ndarray
    scored: np.ndarray = field(init=False)
    importance: np.ndarray = field(init=False)
    recommend: dict[str, np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        # What no slider can change is computed once per filter: score histograms, importance and NPS.
        object.__setattr__(self, "scored", self.counts.sum(axis=2).astype(float))
        object.__setattr__(self, "importance", _pearson(self.counts[:, :, :SCORE_POINTS, :]))
        object.__setattr__(self, "recommend", nps_bands(self.counts[:, :, :SCORE_POINTS, :].sum(axis=-1)))


def _selection(labels: list[str], chosen: tuple[str, ...] | None, field_name: str) -> np.ndarray:
    if not chosen:
        return np.arange(len(labels))
    unknown = [c for c in chosen if c not in labels]
    if unknown:
        fix = f"Choose from: {', '.join(labels)}."
        message = "names a value the feedback does not have"
        raise GapError([Problem(None, "filter", field_name, message, fix, repr(unknown[0]))])
    return np.array([labels.index(c) for c in chosen], dtype=np.int64)


def _month_selection(months: list[str], chosen: tuple[str, str] | None) -> np.ndarray:
    if chosen is None:
        return np.arange(len(months))
    first, last = chosen
    if first > last:
        raise GapError(
            [Problem(None, "filter", "months", "starts after it ends", "Give the earlier month first.", repr(chosen))]
        )
    return np.array([i for i, m in enumerate(months) if m != UNDATED and first <= m <= last], dtype=np.int64)


def _picks(cube: ScoreCube, flt: Filter) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The indexes ``flt`` keeps on the cube's touchpoint, segment, month and advocate axes, in that order."""
    return (
        _selection(cube.touchpoints, flt.touchpoints, "touchpoints"),
        _selection(cube.segments, flt.segments, "segments"),
        _month_selection(cube.months, flt.months),
        np.array([1] if flt.advocates_only else [0, 1]),
    )


def _kept_cells(cube: ScoreCube, picks: tuple[np.ndarray, ...]) -> np.ndarray:
    """True for each of the cube's cells whose touchpoint, segment, month and advocate codes ``picks`` keep."""
    kept = np.ones(len(cube.cells), dtype=bool)
    for column, (chosen, size) in enumerate(
        zip(picks, (len(cube.touchpoints), len(cube.segments), len(cube.months), 2), strict=True)
    ):
        allowed = np.zeros(size, dtype=bool)
        allowed[chosen] = True
        kept &= allowed[cube.cells[:, column]]
    return kept


def grouped_counts(cube: ScoreCube, flt: Filter, grouping: str) -> GroupedCounts:
    """The cube's counts for the responses ``flt`` keeps, summed to pillar × group × recommend × score."""
    if grouping not in GROUPINGS:
        raise GapError(
            [
                Problem(
                    None,
                    "metrics",
                    "grouping",
                    "is not a grouping we know",
                    f"Use one of: {', '.join(GROUPINGS)}.",
                    repr(grouping),
                )
            ]
        )
    picks = _picks(cube, flt)
    if grouping == "pillar":
        groups = [ALL]
        group_of_cell = np.zeros(len(cube.cells), dtype=np.int64)
    else:
        keep = CELL_AXES.index(grouping)
        labels = (cube.touchpoints, cube.segments, cube.months)[keep]
        groups = [labels[i] for i in picks[keep]]
        # A group's position is its place among the picks, so groups come in the order the filter keeps them.
        position = np.zeros(len(labels), dtype=np.int64)
        position[picks[keep]] = np.arange(len(picks[keep]))
        group_of_cell = position[cube.cells[:, keep]]
    entries = _kept_cells(cube, picks)[cube.answer_cell]
    cell = cube.answer_cell[entries]
    recommend = cube.cells[cell, CELL_AXES.index("recommend")]
    flat = (
        (cube.answer_pillar[entries] * len(groups) + group_of_cell[cell]) * RECOMMEND_BINS + recommend
    ) * SCORE_POINTS + cube.answer_score[entries]
    shape = (len(cube.pillars), len(groups), RECOMMEND_BINS, SCORE_POINTS)
    # Float weights are exact for counts below 2**53 answers.
    counts = np.bincount(flat, weights=cube.answer_count[entries], minlength=int(np.prod(shape)))
    return GroupedCounts(list(cube.pillars), grouping, groups, counts.astype(np.int64).reshape(shape))


class GapMetrics:
    """Metrics for one cube, with the filtered counts cached per (filter, grouping).

    A filter change costs one pass over the cube; a target, threshold or lift change only recomputes on the
    cached (pillar × group × 11) arrays.
    """

    def __init__(self, cube: ScoreCube):
        self.cube = cube
        self._cache: dict[tuple[Filter, str], GroupedCounts] = {}

    def counts(self, flt: Filter, grouping: str) -> GroupedCounts:
        key = (flt, grouping)
        if key not in self._cache:
            self._cache[key] = grouped_counts(self.cube, flt, grouping)
        return self._cache[key]

    def table(
        self, flt: Filter, grouping: str, goal_posts: Mapping[str, GoalPost], min_n: int = DEFAULT_MIN_N
    ) -> Table:
        """The metrics table (see ``metrics``) for ``flt`` grouped by ``grouping``."""
        return metrics(self.counts(flt, grouping), goal_posts, min_n)


# --- metrics from counts ------------------------------------------------------------------------------------


def wilson_interval(successes: np.ndarray, n: np.ndarray, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of a share ``successes / n`` (NaN where n is 0)."""
    successes, n = np.asarray(successes, dtype=float), _counted(n)
    share = successes / n
    z2n = z * z / n
    centre = (share + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * np.sqrt(share * (1 - share) / n + z2n / (4 * n))
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def mean_interval(
    mean: np.ndarray, sum_sq_dev: np.ndarray, n: np.ndarray, z: float = Z_95
) -> tuple[np.ndarray, np.ndarray]:
    """``mean ± z · s / √n`` with ``s² = sum_sq_dev / (n − 1)``; NaN where n < 2."""
    n = _counted(n)
    half = z * np.sqrt(sum_sq_dev / np.where(n > 1, n - 1, np.nan) / n)
    return mean - half, mean + half


def _counted(n: np.ndarray) -> np.ndarray:
    """Counts as floats with NaN for zero: dividing by them gives NaN quietly, without the cost of errstate
    on every slider move."""
    n = np.asarray(n, dtype=float)
    return np.where(n > 0, n, np.nan)


def small_sample(n: np.ndarray, min_n: int) -> np.ndarray:
    """True for cells with fewer than ``min_n`` answers, and always for a cell with none: a minimum of 0
    (or less) must not let an empty cell be judged."""
    return np.asarray(n) < max(min_n, 1)


def promise_ability(share_low: np.ndarray, share_high: np.ndarray, n: np.ndarray, min_n: int) -> np.ndarray:
    """The status of each cell by ``promise_ability_rule``, from the Wilson bounds of the share above the
    threshold; ``NOT_JUDGED`` where ``small_sample``."""
    status = np.where(
        share_low > PROMISE_ABLE_SHARE, PROMISE_ABLE, np.where(share_high < BROKEN_SHARE, BROKEN, AT_RISK)
    ).astype(object)
    status[small_sample(n, min_n)] = NOT_JUDGED
    return status


def lifted_values(lifts: np.ndarray) -> np.ndarray:
    """``values[p, k]``: what score ``k`` (0–10) counts as for pillar ``p`` after its lift (capped at 10)."""
    points = np.arange(SCORE_POINTS, dtype=float)
    return np.minimum(points[None, :] + np.asarray(lifts, dtype=float)[:, None], SCORE_MAX)


def _pearson(joint: np.ndarray) -> np.ndarray:
    """Pearson r of recommend and score from ``joint[..., r, k]`` counts (r, k both 0–10), exactly as pandas'
    pairwise ``corr`` on the rows: NaN with fewer than two pairs or no spread."""
    joint = joint.astype(float)
    points = np.arange(SCORE_POINTS, dtype=float)
    n = joint.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_r = (joint.sum(axis=-1) * points).sum(axis=-1) / n
        mean_k = (joint.sum(axis=-2) * points).sum(axis=-1) / n
        dr = points - mean_r[..., None]
        dk = points - mean_k[..., None]
        cov = np.einsum("...rk,...r,...k->...", joint, dr, dk)
        var_r = (joint.sum(axis=-1) * dr**2).sum(axis=-1)
        var_k = (joint.sum(axis=-2) * dk**2).sum(axis=-1)
        r = cov / np.sqrt(var_r * var_k)
    return np.where((n >= 2) & (var_r > 0) & (var_k > 0), np.clip(r, -1, 1), np.nan)


class Table:
    """Equal-length numpy columns by name: what metrics return, because a slider move cannot afford a
    DataFrame's construction (about a millisecond). ``frame()`` gives the pandas view for people and tests."""

    def __init__(self, columns: Mapping[str, np.ndarray]):
        self.columns = {name: np.asarray(values) for name, values in columns.items()}

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.columns)


def metrics(grouped: GroupedCounts, goal_posts: Mapping[str, GoalPost], min_n: int = DEFAULT_MIN_N) -> Table:
    """One row per pillar × group (pillar-major): ``pillar``, ``group``, the goal posts ``target``,
    ``threshold`` and ``lift``, and

    ``n`` answers; ``mean`` 0–10 with its 95 % interval ``mean_low``/``mean_high``; ``share_above`` (0–1) of
    scores strictly above the threshold with its Wilson interval; ``share_at_target`` (score ≥ target);
    ``gap`` = target − mean; ``score_detractors/passives/promoters``: shares of the (lifted) pillar score in the
    NPS bands (a lifted 6.5 is above the detractor band); ``recommend_n``, ``detractors``, ``passives``,
    ``promoters`` (shares), ``nps`` (−100…100) and its interval ``nps_low``/``nps_high`` of 'would you
    recommend us?' among those in the cell who scored the pillar and answered it; ``importance``: Pearson r of
    the measured (unlifted) score with recommend; ``small_sample`` when n < min_n; ``status`` by
    ``promise_ability_rule``. Metrics of a cell with no answers are NaN.
    """
    check_goal_posts(goal_posts, grouped.pillars)
    posts = [goal_posts[p] for p in grouped.pillars]
    target = np.array([g.target for g in posts], dtype=float)[:, None]
    threshold = np.array([g.threshold for g in posts], dtype=float)[:, None]
    lift = np.array([g.lift for g in posts], dtype=float)
    values = lifted_values(lift)[:, None, :]
    hist = grouped.scored
    n = hist.sum(axis=-1)
    counted = _counted(n)
    mean = (hist * values).sum(axis=-1) / counted
    mean_low, mean_high = mean_interval(mean, (hist * (values - mean[..., None]) ** 2).sum(axis=-1), n)
    above = (hist * (values > threshold[..., None])).sum(axis=-1)
    share_low, share_high = wilson_interval(above, n)
    shares = {
        "share_above": above / counted,
        "share_at_target": (hist * (values >= target[..., None])).sum(axis=-1) / counted,
        "score_detractors": (hist * (values <= DETRACTOR_MAX)).sum(axis=-1) / counted,
        "score_passives": (hist * ((values > DETRACTOR_MAX) & (values <= PASSIVE_MAX))).sum(axis=-1) / counted,
        "score_promoters": (hist * (values > PASSIVE_MAX)).sum(axis=-1) / counted,
    }
    bands = grouped.recommend
    shape = n.shape
    columns = {
        "pillar": np.repeat(np.array(grouped.pillars, dtype=object), shape[1]),
        "group": np.tile(np.array(grouped.groups, dtype=object), shape[0]),
        "n": n.astype(np.int64).ravel(),
        "mean": mean.ravel(),
        "mean_low": mean_low.ravel(),
        "mean_high": mean_high.ravel(),
        "share_above": shares["share_above"].ravel(),
        "share_above_low": share_low.ravel(),
        "share_above_high": share_high.ravel(),
        "share_at_target": shares["share_at_target"].ravel(),
        "target": np.broadcast_to(target, shape).ravel(),
        "threshold": np.broadcast_to(threshold, shape).ravel(),
        "lift": np.broadcast_to(lift[:, None], shape).ravel(),
        "gap": (target - mean).ravel(),
        "score_detractors": shares["score_detractors"].ravel(),
        "score_passives": shares["score_passives"].ravel(),
        "score_promoters": shares["score_promoters"].ravel(),
        **{name: column.ravel() for name, column in bands.items()},
        "importance": grouped.importance.ravel(),
        "small_sample": small_sample(n, min_n).ravel(),
        "status": promise_ability(share_low, share_high, n, min_n).ravel(),
    }
    return Table(columns)


def nps_bands(recommend_counts: np.ndarray) -> dict[str, np.ndarray]:
    """NPS from counts of recommend answers ``recommend_counts[..., r]`` (r 0–10), by
    ``workshop.feedback.advocates.nps`` (the bands and the interval are written there): ``recommend_n``, the
    three band shares (0–1), ``nps`` (−100…100) and its 95 % interval ``nps_low``/``nps_high``; NaN where
    nobody answered."""
    counts = np.asarray(recommend_counts, dtype=np.int64)
    results = [nps(row) for row in counts.reshape(-1, SCORE_POINTS)]
    shape = counts.shape[:-1]

    def column(values: list) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], dtype=float).reshape(shape)

    total = column([r.n or None for r in results])
    return {
        "recommend_n": np.array([r.n for r in results], dtype=np.int64).reshape(shape),
        "detractors": column([r.detractors for r in results]) / total,
        "passives": column([r.passives for r in results]) / total,
        "promoters": column([r.promoters for r in results]) / total,
        "nps": column([r.nps for r in results]),
        "nps_low": column([r.ci_low for r in results]),
        "nps_high": column([r.ci_high for r in results]),
    }


def overall_nps(cube: ScoreCube, flt: Filter = Filter()) -> dict[str, float]:
    """NPS of every response ``flt`` keeps, whatever pillars it scored (see ``nps_bands``)."""
    kept = _kept_cells(cube, _picks(cube, flt))
    recommend = cube.cells[kept, CELL_AXES.index("recommend")]
    per_bin = np.bincount(recommend, weights=cube.responses[kept], minlength=RECOMMEND_BINS)[:SCORE_POINTS]
    return {name: float(value) for name, value in nps_bands(per_bin.astype(np.int64)).items()}


def responses_in(cube: ScoreCube, flt: Filter = Filter()) -> int:
    """How many responses ``flt`` keeps, whatever pillars they scored: the n a view of that filter rests on."""
    return int(cube.responses[_kept_cells(cube, _picks(cube, flt))].sum())


# --- judgements for the room's views -------------------------------------------------------------------------


def promise_able_count(pillar_table: Table) -> int:
    """How many pillars are promise-able in a by-pillar metrics table."""
    return int((pillar_table["status"] == PROMISE_ABLE).sum())


def quadrants(pillar_table: Table) -> Table:
    """Martilla & James importance–performance quadrant per pillar of a by-pillar table (``quadrant_rule``).

    Columns: ``pillar``, ``importance`` (r), ``performance`` (share above the threshold, 0–1), ``quadrant``
    (None for pillars not judged or with no importance) and ``importance_line`` (the same for every row).
    """
    importance, performance = pillar_table["importance"], pillar_table["share_above"]
    judged = ~pillar_table["small_sample"] & ~np.isnan(importance)
    line = float(importance[judged].mean()) if judged.any() else np.nan
    important = importance >= line
    performing = performance > PROMISE_ABLE_SHARE
    quadrant = np.select(
        [important & ~performing, important & performing, ~important & ~performing],
        [CONCENTRATE, KEEP_UP, LOW_PRIORITY],
        OVERKILL,
    ).astype(object)
    quadrant[~judged] = None
    return Table(
        {
            "pillar": pillar_table["pillar"],
            "importance": importance,
            "performance": performance,
            "quadrant": quadrant,
            "importance_line": np.full(len(importance), line),
        }
    )


LOUDNESS_RULE = (
    "A pillar is shouted but not delivered when marketing's loudness (0–10) is above the mean "
    "customer score (0–10) and the pillar is not promise-able."
)


def loudness(pillar_table: Table, promise: Promise) -> Table:
    """Marketing loudness against delivered experience per pillar, in the table's pillar order
    (``LOUDNESS_RULE``).

    ``over_promise`` = loudness − mean score, in points; ``shouted_not_delivered`` flags the pillars that
    stand out. Pillars not judged (small samples) never stand out.
    """
    ids = list(pillar_table["pillar"])
    loud = np.array([promise.pillar(p).loudness for p in ids], dtype=float)
    delivered = pillar_table["mean"]
    status = pillar_table["status"]
    over = loud - delivered
    return Table(
        {
            "pillar": np.array(ids, dtype=object),
            "loudness": loud,
            "delivered": delivered,
            "over_promise": over,
            "status": status,
            "shouted_not_delivered": (over > 0) & (status != PROMISE_ABLE) & (status != NOT_JUDGED),
        }
    )


INTERNAL_COLUMNS = ("participant", "department", "pillar", "deliver_today", "customers_would_rate")


def check_internal_ratings(ratings: pd.DataFrame, pillar_ids: Iterable[str]) -> pd.DataFrame:
    """The room's own ratings, checked: columns ``INTERNAL_COLUMNS``, both ratings 0–10, known pillars.

    Raises GapError naming the row, column and value of every problem.
    """
    missing = [c for c in INTERNAL_COLUMNS if c not in ratings.columns]
    if missing:
        fix = f"Give the columns {', '.join(INTERNAL_COLUMNS)}."
        raise GapError([Problem(None, "internal ratings", c, "column is missing", fix) for c in missing])
    known = set(pillar_ids)
    problems = []
    for row, record in enumerate(ratings.loc[:, list(INTERNAL_COLUMNS)].itertuples(index=False), start=1):
        where = f"row {row}"
        if record.pillar not in known:
            fix = f"Use one of: {', '.join(sorted(known))}."
            problems.append(Problem(None, where, "pillar", "is not a pillar of the promise", fix, repr(record.pillar)))
        for name in ("deliver_today", "customers_would_rate"):
            value = getattr(record, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 <= value <= 10:
                problems.append(
                    Problem(None, where, name, "must be a rating from 0 to 10", "Rate out of 10.", repr(value))
                )
    if problems:
        raise GapError(problems)
    return ratings.loc[:, list(INTERNAL_COLUMNS)].reset_index(drop=True)


def internal_summary(ratings: pd.DataFrame, pillar_ids: Iterable[str]) -> Table:
    """The room's ratings per department × pillar: ``raters`` (participants), ``deliver_today`` and
    ``customers_would_rate`` (means, 0–10). Computed when ratings arrive, not on slider moves."""
    checked = check_internal_ratings(ratings, pillar_ids)
    summary = (
        checked.groupby(["department", "pillar"], sort=True)
        .agg(
            raters=("participant", "nunique"),
            deliver_today=("deliver_today", "mean"),
            customers_would_rate=("customers_would_rate", "mean"),
        )
        .reset_index()
    )
    return Table(
        {
            name: summary[name].to_numpy(dtype=object if name in ("department", "pillar") else None)
            for name in summary.columns
        }
    )


def room_means(ratings: pd.DataFrame, pillar_ids: Iterable[str]) -> Table:
    """The whole room's ratings per pillar, in ``pillar_ids`` order: ``raters`` (participants) and the means of
    ``deliver_today`` and ``customers_would_rate`` (0–10; NaN for a pillar nobody rated yet)."""
    pillar_ids = list(pillar_ids)
    checked = check_internal_ratings(ratings, pillar_ids)
    means = (
        checked.groupby("pillar")
        .agg(
            raters=("participant", "nunique"),
            deliver_today=("deliver_today", "mean"),
            customers_would_rate=("customers_would_rate", "mean"),
        )
        .reindex(pillar_ids)
    )
    return Table(
        {
            "pillar": np.array(pillar_ids, dtype=object),
            "raters": means["raters"].fillna(0).to_numpy(dtype=int),
            "deliver_today": means["deliver_today"].to_numpy(dtype=float),
            "customers_would_rate": means["customers_would_rate"].to_numpy(dtype=float),
        }
    )


def blind_spots(summary: Table, pillar_table: Table) -> Table:
    """``summary`` with the customers' mean score (``customers``, 0–10) and ``blind_spot`` =
    deliver_today − customers, in points: positive when a department thinks it delivers better than its
    customers say."""
    means = dict(zip(pillar_table["pillar"], pillar_table["mean"], strict=True))
    customers = np.array([means.get(p, np.nan) for p in summary["pillar"]], dtype=float)
    return Table(
        {**summary.columns, "customers": customers, "blind_spot": summary["deliver_today"].astype(float) - customers}
    )
