"""The score-histogram cube: canonical feedback reduced to counts, so every metric costs the cube's size.

Feedback is added in chunks (any number of rows) and reduced at once to counts over
pillar × touchpoint × segment × month × advocate × recommend × score. Every metric a slider touches
(mean, share above a threshold, share at target, NPS bands, importance) derives from these counts, so a
slider move never goes back to the responses. The cube imports numpy and pandas only; metrics live in
``workshop.gap``.

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

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

SCORE_POINTS = 11
"""Scores are whole points 0–10, so a histogram has 11 bins."""
RECOMMEND_BINS = 12
"""Recommend 0–10, plus a last bin for responses that did not answer it."""
RECOMMEND_MISSING = 11
NOT_STATED = "not stated"
UNDATED = "undated"
CANONICAL_COLUMNS = ("response_id", "date", "touchpoint", "segment", "recommend", "advocate", "comment", "source")


@dataclass
class ScoreCube:
    """Counts of responses, never the responses themselves.

    ``scores[p, t, s, m, a, r, k]`` counts responses in touchpoint ``t``, segment ``s``, month ``m``,
    advocate flag ``a`` (0/1) and recommend bin ``r`` (0–10, or 11 = not answered) that scored pillar
    ``p`` exactly ``k`` (0–10). A response with no score for a pillar is not counted for that pillar.
    ``responses[t, s, m, a, r]`` counts responses whatever their pillar scores (for NPS and n).
    Months are ``YYYY-MM`` labels in calendar order.
    """

    pillars: list[str]
    touchpoints: list[str]
    segments: list[str]
    months: list[str]
    scores: np.ndarray
    responses: np.ndarray

    @property
    def total_responses(self) -> int:
        return int(self.responses.sum())


class _GrowingAxis:
    """Labels of one cube axis, in order of first appearance, with their integer codes."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self._codes: dict[str, int] = {}

    def codes(self, values: pd.Series) -> np.ndarray:
        categorical = pd.Categorical(values.astype("string").fillna(NOT_STATED))
        for label in categorical.categories:
            if label not in self._codes:
                self._codes[label] = len(self.labels)
                self.labels.append(label)
        lookup = np.array([self._codes[label] for label in categorical.categories], dtype=np.int64)
        return lookup[categorical.codes]


class CubeBuilder:
    """Accumulates canonical feedback chunks into counts; memory is the cube's, not the rows'."""

    def __init__(self, pillar_ids: list[str]):
        self.pillar_ids = list(pillar_ids)
        self._touchpoints = _GrowingAxis()
        self._segments = _GrowingAxis()
        self._months = _GrowingAxis()
        self._scores = np.zeros((len(self.pillar_ids), 0, 0, 0, 2, RECOMMEND_BINS, SCORE_POINTS), dtype=np.int64)
        self._responses = np.zeros((0, 0, 0, 2, RECOMMEND_BINS), dtype=np.int64)

    def add(self, chunk: pd.DataFrame) -> None:
        """Count one chunk of canonical feedback (see the module docstring for its columns)."""
        if chunk.empty:
            return
        touchpoint = self._touchpoints.codes(chunk["touchpoint"])
        segment = self._segments.codes(chunk["segment"])
        month = self._months.codes(month_labels(chunk["date"]))
        self._grow()
        advocate = chunk["advocate"].fillna(False).to_numpy(dtype=bool).astype(np.int64)
        recommend = _whole_points(chunk["recommend"])
        recommend = np.where(recommend < 0, RECOMMEND_MISSING, recommend)
        shape = self._responses.shape
        cell = np.ravel_multi_index((touchpoint, segment, month, advocate, recommend), shape)
        self._responses += np.bincount(cell, minlength=int(np.prod(shape))).reshape(shape)
        for p, pillar_id in enumerate(self.pillar_ids):
            if pillar_id not in chunk:
                continue
            score = _whole_points(chunk[pillar_id])
            answered = score >= 0
            flat = cell[answered] * SCORE_POINTS + score[answered]
            size = int(np.prod(shape)) * SCORE_POINTS
            self._scores[p] += np.bincount(flat, minlength=size).reshape(self._scores.shape[1:])

    def _grow(self) -> None:
        wanted = (len(self._touchpoints.labels), len(self._segments.labels), len(self._months.labels))
        have = self._responses.shape[:3]
        if wanted == have:
            return
        pad = [(0, w - h) for w, h in zip(wanted, have)]
        self._responses = np.pad(self._responses, pad + [(0, 0)] * 2)
        self._scores = np.pad(self._scores, [(0, 0)] + pad + [(0, 0)] * 3)

    def build(self) -> ScoreCube:
        """The cube so far, with months in calendar order (``undated`` last)."""
        months = self._months.labels
        order = sorted(range(len(months)), key=lambda i: (months[i] == UNDATED, months[i]))
        return ScoreCube(
            pillars=list(self.pillar_ids),
            touchpoints=list(self._touchpoints.labels),
            segments=list(self._segments.labels),
            months=[months[i] for i in order],
            scores=self._scores[:, :, :, order].copy(),
            responses=self._responses[:, :, order].copy(),
        )


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
