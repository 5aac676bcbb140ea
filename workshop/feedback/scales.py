"""Answer scales and how each becomes a 0–10 score: the one place these conversion rules are written.

A client's survey may ask on 1–5, 1–7, 0–100, in stars or in words. The workshop compares pillars on one
scale, a customer's "out of 10", stored as whole points 0–10 (the score cube's bins). This module turns one
answer into those points, says why when it cannot, and guesses a column's scale from its values. It must not
read files or know about columns, mappings or rows.

The rule (shown in the mapping panel and the validation report): **stretch the scale so that its lowest
answer is 0 and its highest is 10, then round to the nearest whole point, halves up** (7.5 → 8).

=========== ======================================= ====================================================
scale       answers                                 to 0–10
=========== ======================================= ====================================================
``0-10``    0 … 10 ("10 - Extremely likely" too)    x
``1-10``    1 … 10                                  (x − 1) × 10/9, rounded: 1→0, 5→4, 6→6, 10→10
``1-5``     1 … 5                                   (x − 1) × 2.5, rounded: 1→0, 2→3, 3→5, 4→8, 5→10
``1-7``     1 … 7                                   (x − 1) × 10/6, rounded: 1→0, 2→2, 3→3, 4→5, 5→7, 6→8, 7→10
``0-100``   0 … 100                                 x / 10, rounded: 85→9, 84→8
``percent`` "85%", "85 %" (or 85)                   x / 10, rounded
``stars``   "4/5", "4 of 5", "4 stars", "★★★★☆"     n of m stars as the 1–m scale: 1★→0, 3/5→5, 4/5→8
``likert5`` strongly disagree … strongly agree,     position 1–5 as the 1–5 scale: disagree→3, neutral→5,
            very dissatisfied … very satisfied,     agree→8
            very unlikely … very likely
``likert7`` strongly disagree, disagree, somewhat   position 1–7 as the 1–7 scale: somewhat agree→7,
            disagree, neutral, somewhat agree,      agree→8
            agree, strongly agree (and satisfied)
=========== ======================================= ====================================================

Missing markers ("", "NA", "n/a", "N/A", "-", "don't know", "prefer not to say", ...) are missing: NaN,
never 0. A number outside its scale, or text that is no answer on the scale, is also kept as missing, and
reported (see ``Answer``). Decimal commas ("7,5") are read as decimal points.

A column can add its own **missing codes** (``missing: [0]`` when 0 means "not rated", ``missing: ["n/a",
"99"]``): answers equal to one are not answered, counted apart, never scores. And a column of words the
kit does not know can be read by its own **labels** (``labels: {negative: 0, neutral: 5, positive: 10}``,
scale ``labels``): each label is the 0–10 points given. ``AnswerRule`` is a scale with both, and states its
rule in words for the validation report.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np
import pandas as pd

ROUNDING_RULE = (
    "Scores are whole points 0–10: each scale is stretched so that its lowest answer is 0 and its "
    "highest is 10, then rounded to the nearest point, halves up (7.5 → 8). Missing is never 0."
)


class Answer(IntEnum):
    """What became of one answer when converted to 0–10."""

    SCORED = 0
    MISSING = 1
    """A blank or a missing marker: not answered."""
    OUT_OF_RANGE = 2
    """A number outside the scale (e.g. 6 on 1–5): kept as missing and reported."""
    UNREADABLE = 3
    """Text that is no answer on the scale (e.g. "very fast" on 0–10): kept as missing and reported."""
    MISSING_CODE = 4
    """One of the column's own missing codes (e.g. 0 meaning "not rated"): not answered, counted apart."""


@dataclass(frozen=True)
class Scale:
    """An answer scale: answers from ``lowest`` to ``highest``, stretched onto 0–10.

    ``labels`` lists, for Likert scales, the words accepted at each position (position 1 first).
    """

    id: str
    name: str
    lowest: float
    highest: float
    rule: str
    labels: tuple[tuple[str, ...], ...] = ()

    @property
    def in_words(self) -> str:
        """The rule as a client reads it ("1 to 5, stretched to 0–10 (1 counts as 0, 5 as 10)"): ``rule`` is
        the formula the consultant checks in the mapping panel; the report and notebook 03 say this."""
        if self.id == "labels":
            return "the column's own labels, each counting the points mapping.yml gives it"
        if (self.lowest, self.highest) == (0, 10):
            return f"{self.name}, as given"
        if self.id == "stars":
            low, high = "1 star", "all m stars"
        elif self.labels:
            low, high = self.labels[0][0], self.labels[-1][0]
        else:
            low, high = f"{self.lowest:g}", f"{self.highest:g}"
        return f"{self.name}, stretched to 0–10 ({low} counts as 0, {high} as 10)"

    def to_points(self, answer: float) -> float:
        """0–10 whole points for a numeric answer on this scale, or NaN when it is outside the scale."""
        if not self.lowest <= answer <= self.highest:
            return math.nan
        return round_half_up((answer - self.lowest) * 10.0 / (self.highest - self.lowest))


_LIKERT5 = (
    ("strongly disagree", "very dissatisfied", "very unsatisfied", "very unlikely", "extremely dissatisfied"),
    ("disagree", "dissatisfied", "unsatisfied", "unlikely"),
    (
        "neither agree nor disagree",
        "neither agree or disagree",
        "neither satisfied nor dissatisfied",
        "neither satisfied or dissatisfied",
        "neither likely nor unlikely",
        "neutral",
        "neither",
    ),
    ("agree", "satisfied", "likely"),
    ("strongly agree", "very satisfied", "very likely", "extremely satisfied"),
)
_LIKERT7 = (
    ("strongly disagree", "very dissatisfied", "extremely dissatisfied", "very unsatisfied"),
    ("disagree", "dissatisfied", "moderately dissatisfied", "unsatisfied"),
    ("somewhat disagree", "slightly disagree", "somewhat dissatisfied", "slightly dissatisfied"),
    _LIKERT5[2],
    ("somewhat agree", "slightly agree", "somewhat satisfied", "slightly satisfied"),
    ("agree", "satisfied", "moderately satisfied"),
    ("strongly agree", "very satisfied", "extremely satisfied"),
)

SCALES: dict[str, Scale] = {
    scale.id: scale
    for scale in (
        Scale("0-10", "0 to 10", 0, 10, "x"),
        Scale("1-10", "1 to 10", 1, 10, "(x − 1) × 10/9"),
        Scale("1-5", "1 to 5", 1, 5, "(x − 1) × 2.5"),
        Scale("1-7", "1 to 7", 1, 7, "(x − 1) × 10/6"),
        Scale("0-100", "0 to 100", 0, 100, "x / 10"),
        Scale("percent", "percentage", 0, 100, "x / 10"),
        Scale("stars", "stars (n of m)", 1, 5, "n of m stars as the 1–m scale"),
        Scale("likert5", "5 labels (strongly disagree … strongly agree)", 1, 5, "position 1–5 as 1–5", _LIKERT5),
        Scale("likert7", "7 labels (strongly disagree … strongly agree)", 1, 7, "position 1–7 as 1–7", _LIKERT7),
        Scale("labels", "the column's own labels (labels: in mapping.yml)", 0, 10, "each label as the points given"),
    )
}
"""Every scale the kit converts, by the id written in mapping.yml."""

MISSING_MARKERS = frozenset(
    {
        "",
        "na",
        "n/a",
        "n.a.",
        "n a",
        "#n/a",
        "nan",
        "none",
        "null",
        "-",
        "--",
        "–",
        "—",
        "?",
        ".",
        "don't know",
        "dont know",
        "do not know",
        "not sure",
        "not applicable",
        "prefer not to say",
        "no answer",
        "skipped",
        "not answered",
    }
)
"""Answers meaning "not answered", compared after folding case, spaces and curly apostrophes."""

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_LEADING_NUMBER = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*(?:[-–—:=.)(]|\s)\s*\D")
_PERCENT = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*%$")
_STARS_OF = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(?:/|of|out of)\s*(\d+)(?:\s*stars?)?$")
_STARS_WORD = re.compile(r"^(\d+(?:[.,]\d+)?)\s*stars?$")
_STAR_SYMBOLS = re.compile(r"^([★⭐*]*)([☆✩]*)$")
_SPACES = re.compile(r"\s+")
DEFAULT_STARS = 5


def round_half_up(value: float) -> float:
    """Nearest whole point, halves up; the tiny margin absorbs float noise such as 2.4999999999."""
    return float(math.floor(value + 0.5 + 1e-9))


def fold(text: str) -> str:
    """Text as compared with markers and labels: lower case, straight apostrophes, single spaces."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("_", " ").casefold()
    return _SPACES.sub(" ", text).strip()


def fold_all(texts: Iterable[str]) -> pd.Series:
    """``fold`` for many texts at once (a free-text column brings a hundred thousand distinct values)."""
    series = pd.Series(list(texts), dtype=object).astype(str)
    series = series.str.replace("\u2019", "'", regex=False).str.replace("\u2018", "'", regex=False)
    series = series.str.replace("_", " ", regex=False).str.casefold()
    return series.str.replace(r"\s+", " ", regex=True).str.strip()


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT, ``pd.NA``, blanks and the missing markers."""
    # pandas' own missing values reach here from nullable and datetime columns (Parquet, long format).
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    if isinstance(value, numbers.Real):
        return math.isnan(value)
    if isinstance(value, str):
        return fold(value) in MISSING_MARKERS
    return False


def _number(text: str) -> float | None:
    if _NUMBER.match(text):
        return float(text.replace(",", "."))
    return None


def number_in(value: Any) -> float | None:
    """The number an answer gives, as the numeric scales read it ("7,5", "10 - Extremely likely"), or None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Real):
        return None if math.isnan(value) else float(value)
    if not isinstance(value, str):
        return None
    text = fold(value)
    number = _number(text)
    if number is None and (match := _LEADING_NUMBER.match(text)):
        number = float(match.group(1).replace(",", "."))
    return number


def _label_position(scale: Scale, text: str) -> int | None:
    words = re.sub(r"[^a-z' ]+", " ", text)
    words = _SPACES.sub(" ", words).strip()
    for position, labels in enumerate(scale.labels, start=1):
        if words in labels:
            return position
    return None


def _stars(text: str) -> tuple[float, int] | None:
    """(stars given, stars possible) from a star string, or None."""
    if match := _STARS_OF.match(text):
        return float(match.group(1).replace(",", ".")), int(match.group(2))
    if match := _STARS_WORD.match(text):
        return float(match.group(1).replace(",", ".")), DEFAULT_STARS
    match = _STAR_SYMBOLS.match(text)
    if match and (match.group(1) or match.group(2)):
        given, empty = len(match.group(1)), len(match.group(2))
        return float(given), (given + empty if empty else DEFAULT_STARS)
    return None


def convert_answer(value: Any, scale: Scale) -> tuple[float, Answer]:
    """One answer as 0–10 whole points (NaN unless SCORED) and what became of it.

    ``value`` is what the file holds: text, a number, or None/NaN. Booleans are not answers.
    """
    if is_missing(value):
        return math.nan, Answer.MISSING
    if isinstance(value, (bool, np.bool_)):
        return math.nan, Answer.UNREADABLE
    if isinstance(value, numbers.Real):
        return _scored(scale.to_points(float(value)))
    if not isinstance(value, str):
        return math.nan, Answer.UNREADABLE
    text = fold(value)
    if scale.labels:
        position = _label_position(scale, text)
        if position is not None:
            return _scored(scale.to_points(float(position)))
    if scale.id == "stars":
        stars = _stars(text)
        if stars is not None:
            given, possible = stars
            if possible < 2:
                return math.nan, Answer.OUT_OF_RANGE
            return _scored(Scale("stars", "", 1, possible, "").to_points(given))
    if scale.id == "percent" and (match := _PERCENT.match(text)):
        return _scored(scale.to_points(float(match.group(1).replace(",", "."))))
    number = number_in(text)
    if number is None:
        return math.nan, Answer.UNREADABLE
    return _scored(scale.to_points(number))


def _scored(points: float) -> tuple[float, Answer]:
    if math.isnan(points):
        return points, Answer.OUT_OF_RANGE
    return points, Answer.SCORED


def guess_scale(values: Iterable[Any], column_name: str = "") -> str:
    """The id of the scale a column most likely uses, from its values and its heading.

    A heading that names its range ("Speed (1-5)", "out of 7", "0-100", "%") wins; then words (Likert),
    stars and percentages; then the numbers seen: mostly above 10 is 0–100, all within 1–5 is 1–5, within
    1–7 is 1–7. With no evidence it is ``0-10``, the
    commonest; the facilitator confirms every scale in the mapping panel.
    """
    heading = fold(column_name)
    for scale_id, pattern in (
        ("0-100", r"0\s*(?:-|to)\s*100"),
        ("1-10", r"1\s*(?:-|to)\s*10\b"),
        ("1-5", r"\b1\s*(?:-|to)\s*5\b|out of 5\b"),
        ("1-7", r"\b1\s*(?:-|to)\s*7\b|out of 7\b"),
        ("0-10", r"\b0\s*(?:-|to)\s*10\b|out of 10\b"),
        ("percent", r"%|percent"),
    ):
        if re.search(pattern, heading):
            return scale_id
    texts = [fold(v) if isinstance(v, str) else v for v in values if not is_missing(v)]
    if not texts:
        return "0-10"
    words = [t for t in texts if isinstance(t, str) and _number(t) is None]
    if words:
        if any(_label_position(SCALES["likert7"], w) in (3, 5) for w in words):
            return "likert7"
        if sum(_label_position(SCALES["likert5"], w) is not None for w in words) * 2 >= len(words):
            return "likert5"
        if sum(_stars(w) is not None for w in words) * 2 >= len(words):
            return "stars"
        if sum(bool(_PERCENT.match(w)) for w in words) * 2 >= len(words):
            return "percent"
    seen = [n for t in texts if (n := (float(t) if not isinstance(t, str) else _number(t))) is not None]
    if not seen:
        return "0-10"
    lowest, highest = min(seen), max(seen)
    if sum(n > 10 for n in seen) * 2 >= len(seen):
        return "0-100"
    if highest > 10:
        return "0-10"  # a few values above 10 on a 0-10 question are typing errors, reported as out of range
    if lowest >= 1 and highest <= 5:
        return "1-5"
    if lowest >= 1 and highest <= 7:
        return "1-7"
    return "0-10"


def answer_key(value: Any) -> str:
    """An answer as compared with a column's missing codes and labels: numbers by value (0, 0.0 and "0" are
    one code), text folded."""
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    text = fold(str(value))
    parsed = _number(text)
    return answer_key(parsed) if parsed is not None else text


@dataclass(frozen=True)
class AnswerRule:
    """How one column's answers become 0–10 points: its scale, its own missing codes and (scale ``labels``)
    its own labels. ``missing`` and the label keys are ``answer_key``s."""

    scale: Scale
    missing: frozenset[str] = frozenset()
    labels: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(cls, scale_id: str, missing: Iterable[Any] = (), labels: dict[str, float] | None = None) -> AnswerRule:
        return cls(
            SCALES[scale_id],
            frozenset(answer_key(m) for m in missing),
            tuple((answer_key(label), float(points)) for label, points in (labels or {}).items()),
        )

    def convert(self, value: Any) -> tuple[float, Answer]:
        """One answer as 0–10 whole points (NaN unless SCORED) and what became of it."""
        if self.missing and not is_missing(value) and answer_key(value) in self.missing:
            return math.nan, Answer.MISSING_CODE
        if self.scale.id != "labels":
            return convert_answer(value, self.scale)
        if is_missing(value):
            return math.nan, Answer.MISSING
        points = dict(self.labels).get(answer_key(value))
        return (round_half_up(points), Answer.SCORED) if points is not None else (math.nan, Answer.UNREADABLE)

    @property
    def rule(self) -> str:
        """The rule in words, as the validation report states it ("1-5: (x − 1) × 2.5; 0 is not answered")."""
        if self.scale.id == "labels":
            text = "labels: " + ", ".join(f"'{label}' → {points:g}" for label, points in self.labels)
        else:
            text = f"{self.scale.id}: {self.scale.rule}"
        return text + self._missing_in_words()

    @property
    def in_words(self) -> str:
        """The rule as a client reads it (``Scale.in_words``, its own labels and missing codes)."""
        if self.scale.id == "labels":
            text = "its own labels: " + ", ".join(
                f"'{label}' counts as {points:g}" if i == 0 else f"'{label}' as {points:g}"
                for i, (label, points) in enumerate(self.labels)
            )
        else:
            text = self.scale.in_words
        return text + self._missing_in_words()

    def _missing_in_words(self) -> str:
        if not self.missing:
            return ""
        return "; " + ", ".join(sorted(self.missing)) + (" is" if len(self.missing) == 1 else " are") + " not answered"


def scale_table() -> list[tuple[str, str, str]]:
    """(scale id, what answers look like, rule to 0–10) for every scale, for the panel and the report."""
    return [(scale.id, scale.name, scale.rule) for scale in SCALES.values()]
