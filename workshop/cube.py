"""The score-histogram cube: canonical feedback reduced to counts, so every metric costs the cube's size.

Feedback is added in chunks (any number of rows) and reduced at once to counts over
touchpoint × segment × month × advocate × recommend (a *cell*) and, per cell, pillar × score. Only non-empty
cells and non-zero counts are kept, so memory is bounded by the number of responses and answers, never by
the product of the axes' sizes: a free-text column mapped as a segment costs what its rows cost, not
terabytes. When the cube is built, a touchpoint or segment axis with more than ``MAX_GROUPS`` values keeps
its ``MAX_GROUPS - 1`` largest (by responses) and counts the rest as ``OTHER``, because a room cannot read
more; ``ScoreCube.grouped`` says what was grouped, for the loader to tell. Months are never grouped.

Every metric a slider touches (mean, share above a threshold, share at target, NPS bands, importance)
derives from these counts, so a slider move never goes back to the responses. The cube imports numpy and
pandas only; metrics live in ``workshop.gap``.

The canonical feedback frame (what ``workshop.feedback`` produces and ``add`` expects):

========== =========================================================================================
column     meaning
========== =========================================================================================
response_id text, unique per response
date       datetime64; NaT only when the mapping has no date column (month is then ``UNDATED``)
touchpoint canonical touchpoint id (``phone``, ``store``, ...); ``NOT_STATED`` when missing
segment    canonical segment; ``NOT_STATED`` when missing
recommend  0–10 whole points, NaN when missing (never 0)
advocate   bool: a promoter (recommend 9–10) or the mapping's loyalty/segment rule
comment    text or missing; raw, scrubbed before display
source     ``survey`` or ``call``
<pillar>   one column per pillar id: 0–10 whole points, NaN when missing (never 0)
========== =========================================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SCORE_POINTS = 11
"""Scores are whole points 0–10, so a histogram has 11 bins."""
RECOMMEND_BINS = 12
"""Recommend 0–10, plus a last bin for responses that did not answer it."""
RECOMMEND_MISSING = 11
NOT_STATED = "not stated"
UNDATED = "undated"
OTHER = "other"
"""The label of the values of a grouped axis that are not among its largest."""
MAX_GROUPS = 20
"""Most touchpoints or segments a room can read on one chart: past it, the largest 19 and ``OTHER``."""
CANONICAL_COLUMNS = ("response_id", "date", "touchpoint", "segment", "recommend", "advocate", "comment", "source")
CELL_AXES = ("touchpoint", "segment", "month", "advocate", "recommend")
"""The columns of ``ScoreCube.cells``, in order."""
_DENSE_SPAN = 4
"""Keys spanning at most this many times their number are made unique with a table over the span, which is
linear and no bigger than sorting's copies; wider ones (a free-text axis) are sorted."""


@dataclass(frozen=True)
class AxisGrouping:
    """An axis that had more values than a room can read: ``distinct`` values, the ``kept`` largest shown by
    name and the rest as ``OTHER``."""

    axis: str
    distinct: int
    kept: int


@dataclass
class ScoreCube:
    """Counts of responses, never the responses themselves; only non-empty cells are held.

    ``cells[c]`` are the codes of cell ``c`` on ``CELL_AXES``: touchpoint, segment and month (indexes into
    the label lists), advocate (0/1) and recommend bin (0–10, or ``RECOMMEND_MISSING`` for not answered).
    ``responses[c]`` counts the cell's responses whatever their pillar scores (for NPS and n). Each
    non-zero answer count is one entry ``e``: ``answer_count[e]`` responses of cell ``answer_cell[e]`` scored
    pillar ``answer_pillar[e]`` (index into ``pillars``) exactly ``answer_score[e]`` (0–10); a response
    with no score for a pillar is not counted for it. Cells are sorted by their codes, entries by (cell,
    pillar, score). Months are ``YYYY-MM`` labels in calendar order, ``UNDATED`` last.

    The recommend axis holds ``measure``: the 0–10 would-recommend answer (``recommend``), or, when the
    mapping has no such question, the overall rating (``overall``) importance is derived against; NPS is
    read from it only when it is ``recommend``.

    To read counts by label use ``counts``, ``score_histogram`` and ``recommend_histogram``.
    """

    pillars: list[str]
    touchpoints: list[str]
    segments: list[str]
    months: list[str]
    cells: np.ndarray
    responses: np.ndarray
    answer_cell: np.ndarray
    answer_pillar: np.ndarray
    answer_score: np.ndarray
    answer_count: np.ndarray
    grouped: tuple[AxisGrouping, ...] = ()
    measure: str = "recommend"

    @property
    def total_responses(self) -> int:
        return int(self.responses.sum())

    @property
    def nbytes(self) -> int:
        """Bytes the counts hold (labels aside): what the cube costs in memory."""
        return sum(
            a.nbytes
            for a in (
                self.cells,
                self.responses,
                self.answer_cell,
                self.answer_pillar,
                self.answer_score,
                self.answer_count,
            )
        )

    def counts(self, *axes: str, pillar: str | None = None) -> pd.Series:
        """Non-zero counts by the labels of ``axes`` (any of ``CELL_AXES``, with ``pillar`` also ``"score"``):
        responses, or with ``pillar`` that pillar's answers. Advocate reads as bool, recommend and score
        as whole numbers (recommend ``RECOMMEND_MISSING`` for not answered); sorted by label."""
        if pillar is None:
            codes, weights = self.cells, self.responses
        else:
            entries = self.answer_pillar == self.pillars.index(pillar)
            codes = np.column_stack([self.cells[self.answer_cell[entries]], self.answer_score[entries]])
            weights = self.answer_count[entries]
        columns = [*CELL_AXES, "score"] if pillar is not None else list(CELL_AXES)
        if not axes or not set(axes) <= set(columns):
            raise ValueError(f"count by one or more of {', '.join(columns)}; got {', '.join(axes) or 'none'}")
        labels = {"touchpoint": self.touchpoints, "segment": self.segments, "month": self.months}
        frame = pd.DataFrame({axis: codes[:, columns.index(axis)] for axis in axes}).assign(count=weights)
        for axis in axes:
            if axis in labels:
                frame[axis] = np.asarray(labels[axis], dtype=object)[frame[axis].to_numpy()]
            elif axis == "advocate":
                frame[axis] = frame[axis].astype(bool)
        return frame.groupby(list(axes))["count"].sum().astype(np.int64)

    def score_histogram(self, pillar: str) -> np.ndarray:
        """Answers of ``pillar`` per score 0–10, over every cell."""
        entries = self.answer_pillar == self.pillars.index(pillar)
        return np.bincount(
            self.answer_score[entries], weights=self.answer_count[entries], minlength=SCORE_POINTS
        ).astype(np.int64)

    def recommend_histogram(self) -> np.ndarray:
        """Responses per recommend answer 0–10 (those who did not answer left out): what
        ``workshop.feedback.advocates.nps`` takes."""
        recommend = self.cells[:, CELL_AXES.index("recommend")]
        per_bin = np.bincount(recommend, weights=self.responses, minlength=RECOMMEND_BINS)
        return per_bin[:SCORE_POINTS].astype(np.int64)


@dataclass
class _Counts:
    """The builder's counts: ``responses`` per row of ``cells`` (rows may repeat until ``_reduce``), and
    ``answer_counts`` per ``answer_keys``, each ``(cell × pillars + pillar) × 11 + score`` for row ``cell``."""

    cells: np.ndarray
    responses: np.ndarray
    answer_keys: np.ndarray
    answer_counts: np.ndarray


class _GrowingAxis:
    """Labels of one cube axis with their integer codes, in the order chunks bring them (sorted within a chunk)."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self._index: pd.Index = pd.Index([], dtype=object)

    def codes(self, values: pd.Series) -> np.ndarray:
        categorical = pd.Categorical(values.astype("string").fillna(NOT_STATED))
        categories = pd.Index(categorical.categories.astype(object))
        # Looked up as a whole (a free-text axis brings a hundred thousand labels a chunk), never one by one.
        lookup = self._index.get_indexer(categories)
        new = lookup < 0
        if new.any():
            lookup[new] = np.arange(len(self.labels), len(self.labels) + int(new.sum()))
            self.labels.extend(categories[new])
            self._index = pd.Index(self.labels, dtype=object)
        return lookup.astype(np.int64)[categorical.codes]


class CubeBuilder:
    """Accumulates canonical feedback chunks into counts; memory is the non-empty cells', not the rows'."""

    def __init__(self, pillar_ids: list[str], measure: str = "recommend"):
        """``measure`` names the canonical column counted on the recommend axis (``recommend`` or ``overall``);
        a chunk without it (a logged call has no overall rating) counts as not answered there."""
        self.pillar_ids = list(pillar_ids)
        self.measure = measure
        self._axes = {"touchpoint": _GrowingAxis(), "segment": _GrowingAxis(), "month": _GrowingAxis()}
        self._reduced = _Counts(np.zeros((0, len(CELL_AXES)), np.int64), *(np.zeros(0, np.int64),) * 3)
        self._pending: list[_Counts] = []

    def add(self, chunk: pd.DataFrame) -> None:
        """Count one chunk of canonical feedback (see the module docstring for its columns)."""
        if chunk.empty:
            return
        recommend = _whole_points(chunk[self.measure]) if self.measure in chunk else np.full(len(chunk), -1)
        cells = np.column_stack(
            [
                self._axes["touchpoint"].codes(chunk["touchpoint"]),
                self._axes["segment"].codes(chunk["segment"]),
                self._axes["month"].codes(month_labels(chunk["date"])),
                chunk["advocate"].fillna(False).to_numpy(dtype=bool).astype(np.int64),
                np.where(recommend < 0, RECOMMEND_MISSING, recommend),
            ]
        )
        rows = np.arange(len(chunk), dtype=np.int64)
        keys = []
        for p, pillar_id in enumerate(self.pillar_ids):
            if pillar_id in chunk:
                score = _whole_points(chunk[pillar_id])
                answered = score >= 0
                keys.append((rows[answered] * len(self.pillar_ids) + p) * SCORE_POINTS + score[answered])
        answer_keys = np.concatenate(keys) if keys else np.zeros(0, np.int64)
        self._pending.append(
            self._reduce(
                [_Counts(cells, np.ones(len(chunk), np.int64), answer_keys, np.ones(len(answer_keys), np.int64))]
            )
        )
        # Merge once the chunks waiting are as large as the merged counts: a merge costs their size, so merging
        # costs no more than reducing the chunks did, and what waits never outgrows the cube.
        if sum(len(c.answer_keys) + len(c.cells) for c in self._pending) >= (
            len(self._reduced.answer_keys) + len(self._reduced.cells)
        ):
            self._merge()

    def _merge(self) -> None:
        if self._pending:
            self._reduced = self._reduce([self._reduced, *self._pending])
            self._pending = []

    def _sizes(self) -> list[int]:
        return [
            len(self._axes["touchpoint"].labels),
            len(self._axes["segment"].labels),
            len(self._axes["month"].labels),
            2,
            RECOMMEND_BINS,
        ]

    def _reduce(self, parts: list[_Counts], sizes: Sequence[int] | None = None) -> _Counts:
        """One count per distinct cell and per distinct (cell, pillar, score) over ``parts``; ``sizes`` are the
        cell axes' sizes (default: the labels seen so far)."""
        per_cell = len(self.pillar_ids) * SCORE_POINTS
        cells = np.concatenate([part.cells for part in parts])
        distinct, cell_of = _unique(*_combined_keys(cells, sizes or self._sizes()))
        first = np.empty(len(distinct), np.int64)
        first[cell_of] = np.arange(len(cells))  # a row of each distinct cell: any one, their codes are equal
        # In place where it can be: with a free-text axis these arrays hold an entry per answer in the file.
        keys = np.concatenate([part.answer_keys for part in parts])
        start, first_cell = 0, 0
        for part in parts:
            keys[start : start + len(part.answer_keys)] += first_cell * per_cell
            start, first_cell = start + len(part.answer_keys), first_cell + len(part.cells)
        row = keys // per_cell
        keys %= per_cell
        row = cell_of[row]
        row *= per_cell
        row += keys
        del keys
        answers, answer_of = _unique(row, len(distinct) * per_cell)
        del row
        responses = np.concatenate([part.responses for part in parts])
        answer_counts = np.concatenate([part.answer_counts for part in parts])
        return _Counts(
            cells[first],
            _sum_by(cell_of, responses, len(distinct)),
            answers,
            _sum_by(answer_of, answer_counts, len(answers)),
        )

    def build(self) -> ScoreCube:
        """The cube so far: months in calendar order (``undated`` last), a touchpoint or segment with more
        than ``MAX_GROUPS`` values grouped (see ``AxisGrouping``)."""
        # Merged and grouped in one pass: the merge that grouping would follow is the widest of all.
        parts = [self._reduced, *self._pending]
        cells = [part.cells.copy() for part in parts]
        labels: dict[str, list[str]] = {}
        grouped = []
        for column, axis in enumerate(CELL_AXES[:3]):
            seen = self._axes[axis].labels
            if axis == "month":
                order = sorted(range(len(seen)), key=lambda i: (seen[i] == UNDATED, seen[i]))
                recode = np.empty(len(seen), np.int64)
                recode[order] = np.arange(len(seen))
                labels[axis] = [seen[i] for i in order]
            else:
                totals = sum(
                    (
                        np.bincount(c[:, column], weights=part.responses, minlength=len(seen))
                        for c, part in zip(cells, parts, strict=True)
                    ),
                    np.zeros(len(seen)),
                )
                labels[axis], recode = _grouped_labels(seen, totals)
                if len(labels[axis]) < len(seen):
                    grouped.append(AxisGrouping(axis, len(seen), len(labels[axis]) - 1))
            for c in cells:
                c[:, column] = recode[c[:, column]]
        sizes = [len(labels["touchpoint"]), len(labels["segment"]), len(labels["month"]), 2, RECOMMEND_BINS]
        built = self._reduce(
            [
                _Counts(c, part.responses, part.answer_keys, part.answer_counts)
                for c, part in zip(cells, parts, strict=True)
            ],
            sizes,
        )
        per_cell = len(self.pillar_ids) * SCORE_POINTS
        cell, rest = np.divmod(built.answer_keys, per_cell)
        pillar, score = np.divmod(rest, SCORE_POINTS)
        return ScoreCube(
            pillars=list(self.pillar_ids),
            touchpoints=labels["touchpoint"],
            segments=labels["segment"],
            months=labels["month"],
            cells=built.cells,
            responses=built.responses,
            answer_cell=cell,
            answer_pillar=pillar,
            answer_score=score,
            answer_count=built.answer_counts,
            grouped=tuple(grouped),
            measure=self.measure,
        )


def _grouped_labels(seen: list[str], totals: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The labels of a touchpoint or segment axis and each seen label's new code: all of them when they are
    at most ``MAX_GROUPS``, else the ``MAX_GROUPS - 1`` largest by responses (ties: the axis's order), in
    the axis's order, then ``OTHER``. A value that is itself ``OTHER`` joins the grouped rest."""
    if len(seen) <= MAX_GROUPS:
        return list(seen), np.arange(len(seen), dtype=np.int64)
    named = np.array([label != OTHER for label in seen])
    ranked = np.argsort(-totals, kind="stable")
    kept = np.sort(ranked[named[ranked]][: MAX_GROUPS - 1])
    recode = np.full(len(seen), len(kept), dtype=np.int64)
    recode[kept] = np.arange(len(kept))
    return [seen[i] for i in kept] + [OTHER], recode


def _combined_keys(codes: np.ndarray, sizes: Sequence[int]) -> tuple[np.ndarray, int]:
    """One int64 key per row of ``codes`` (column ``j`` below ``sizes[j]``), ordered as the rows are
    lexicographically, and the keys' span (every key is below it)."""
    keys = np.zeros(len(codes), np.int64)
    span = 1
    for column, size in enumerate(sizes):
        if span * size >= 2**62:
            # Renumber the combinations seen so far (in order): the key must stay within int64 even when
            # two free-text axes have millions of values each.
            distinct, keys = np.unique(keys, return_inverse=True)
            span = len(distinct)
        keys = keys * size + codes[:, column]
        span *= size
    return keys, span


def _unique(keys: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values of ``keys`` (each in ``[0, span)``) and each key's position among them."""
    if span <= _DENSE_SPAN * len(keys):
        present = np.zeros(span, dtype=bool)
        present[keys] = True
        return np.flatnonzero(present), (np.cumsum(present) - 1)[keys]
    # A stable sort, because merged keys are a few sorted runs (each part's cells and answers are in order),
    # which the merge sort behind it joins in about linear time where a quicksort starts over. Temporaries
    # are dropped as soon as they are used: these arrays can hold an entry per answer in the file.
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.empty(len(keys), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    distinct = ordered[starts]
    del ordered
    ids = np.cumsum(starts)
    del starts
    ids -= 1
    position = np.empty(len(keys), dtype=np.int64)
    position[order] = ids
    return distinct, position


def _sum_by(position: np.ndarray, counts: np.ndarray, size: int) -> np.ndarray:
    # Float weights are exact for counts below 2**53 responses.
    return np.bincount(position, weights=counts, minlength=size).astype(np.int64)


def month_labels(dates: pd.Series) -> pd.Series:
    """``YYYY-MM`` for each date; ``undated`` where there is none."""
    dates = pd.to_datetime(dates)
    # Format each distinct month once: strftime on every row costs seconds per million rows.
    codes, months = pd.factorize(dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]"))
    texts = pd.array([*np.datetime_as_string(months, unit="M"), UNDATED], dtype="string")
    return pd.Series(texts.take(codes), index=dates.index)


def _whole_points(values: pd.Series) -> np.ndarray:
    """0–10 scores as integer bins; -1 where missing. Values are already whole points (see feedback.scales)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    points = np.full(numbers.shape, -1, dtype=np.int64)
    present = ~np.isnan(numbers)
    points[present] = np.clip(np.rint(numbers[present]), 0, 10).astype(np.int64)
    return points


def cube_from_frames(frames: Iterable[pd.DataFrame], pillar_ids: list[str]) -> ScoreCube:
    """Reduce canonical feedback, given as one or more frames, to a cube."""
    builder = CubeBuilder(pillar_ids)
    for frame in frames:
        builder.add(frame)
    return builder.build()
