"""Suggesting a mapping from a file's first rows: which column is each field and pillar, and how sure we are.

A heading that sounds right is not enough: every candidate is also judged by its values (``ColumnProfile``).
A date must read as dates; a touchpoint or segment must be a handful of short labels, never free text, an
outcome label (satisfied / dissatisfied, positive / negative, yes / no) or more values than a room can read;
a comment must be words, never numbers; the 0–10 recommend question must be numbers 0–10 and never a 0/1
flag, which is offered as the advocate flag instead. A rating column holding 0 beside 1–5 is offered as 1–5
with 0 as "not rated". Each decision is a ``SuggestionNote``: the field, the column, how sure (``SURE``,
``LIKELY``, or ``UNDECIDED`` when the field is left unmapped) and why, in a sentence the consultant reads
before confirming. A field the values argue against is left unmapped, never guessed.

This module reads no files (it is given the preview) and does not load feedback.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workshop.feedback.client_values import value_id
from workshop.feedback.dates import DateRead, DateReader
from workshop.feedback.mapping import (
    COLUMN_ONLY_FIELDS,
    NO_IMPORTANCE,
    AdvocateRule,
    FeedbackMapping,
    Source,
    SuggestionNote,
    importance_measure,
)
from workshop.feedback.scales import fold, guess_scale, is_missing, number_in
from workshop.feedback.suggestion_words import (
    ADVOCATE_SIDE,
    ANSWER_HEADINGS,
    BINARY_PAIRS,
    FIELD_WORDS,
    OUTCOME_POINTS,
    OUTCOME_WORDS,
    QUESTION_HEADINGS,
    STOP_WORDS,
    TOUCHPOINT_WORDS,
)
from workshop.promise import Promise

SURE, LIKELY, UNDECIDED = "sure", "likely", "left for you"
MATCH_CUTOFF = 0.6
"""How alike a heading and a field's words must be (0–1) for the suggestion to consider them."""
SURE_MATCH = 0.85
MAX_GROUPS = 20
"""A touchpoint or segment a room can read: at most this many different values."""
FREE_TEXT_WORDS = 4
"""Answers of more words than this on average are prose: a comment, never a score or a group."""
MIN_VARIED = 10
"""A score column whose first this-many answers are all one value is a constant (a hotel's average), no score."""
DATES_NEEDED = 0.5
"""A date column: most of its values read as dates (a few unreadable ones are reported row by row)."""
NUMBERS_NEEDED = 0.9


@dataclass(frozen=True)
class ColumnProfile:
    """What a column's first values look like, as the suggestion judges them."""

    label: str
    rows: int
    given: int
    distinct: int
    numbers: tuple[float, ...]
    """The distinct numbers, sorted, when at least NUMBERS_NEEDED of the answers are numbers."""
    dates_share: float
    words: float
    """Mean words per answer."""
    texts: tuple[str, ...]
    """Distinct answers folded, up to MAX_GROUPS + 1 of them."""

    @property
    def numeric(self) -> bool:
        return bool(self.numbers)

    @property
    def binary(self) -> bool:
        return 0 < self.distinct <= 2 and any(set(self.texts) <= pair for pair in BINARY_PAIRS)

    @property
    def dates(self) -> bool:
        return self.dates_share >= DATES_NEEDED and not (self.numeric and max(self.numbers) <= 100)

    @property
    def prose(self) -> bool:
        return self.words > FREE_TEXT_WORDS

    @property
    def outcome(self) -> bool:
        return bool(self.texts) and all(text in OUTCOME_WORDS for text in self.texts)

    @property
    def rated_outcome(self) -> bool:
        """Outcome labels of both sides (satisfied / neutral or dissatisfied; negative, neutral, positive)."""
        points = {OUTCOME_POINTS.get(text) for text in self.texts}
        return None not in points and {0, 10} <= points

    def values_seen(self) -> str:
        if self.numeric:
            shown = ", ".join(f"{n:g}" for n in self.numbers[:8]) + (" …" if len(self.numbers) > 8 else "")
            return f"numbers {shown}"
        return f"{self.distinct:,} different answers" + (f" ({', '.join(self.texts[:4])})" if self.texts else "")


def profile(label: str, values: list[Any]) -> ColumnProfile:
    """How ``values`` (a column's first answers) look: numbers, dates, words, how many different."""
    given = [v for v in values if not is_missing(v)]
    texts = [fold(str(v)) for v in given]
    distinct = list(dict.fromkeys(texts))
    numbers = [n for n in (number_in(v) for v in given) if n is not None]
    numeric = given and len(numbers) >= NUMBERS_NEEDED * len(given)
    words = float(np.mean([len(t.split()) for t in texts])) if texts else 0.0
    return ColumnProfile(
        label,
        len(values),
        len(given),
        len(distinct),
        tuple(sorted(set(numbers))) if numeric else (),
        _dates_share(given),
        words,
        tuple(distinct[: MAX_GROUPS + 1]),
    )


def _dates_share(given: list[Any]) -> float:
    if not given:
        return 0.0
    _, status = DateReader().read(np.array(given, dtype=object), np.arange(len(given)))
    return float((status == DateRead.READ).mean())


# --- heading likeness -------------------------------------------------------------------------------------


def words_of(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


STEM = 4
"""Words are compared by their first letters, so 'quickly' meets 'quick' and 'bills' meets 'bill'."""


def _stems(words: str) -> set[str]:
    return {w[:STEM] for w in words.split() if w not in STOP_WORDS and not w.isdigit()}


def likeness(label: str, names: tuple[str, ...] | list[str]) -> float:
    """How alike a heading is to any of ``names`` (0–1).

    1 for the same words; 0.85 when the heading contains the name; 0.8 when it holds every meaningful word of
    the name in any order and form ("Was your bill clear?" for "Clear bills"); else the share of those
    words, or the spelling similarity, whichever is higher.
    """
    words = words_of(label)
    best = 0.0
    for name in names:
        wanted = words_of(name)
        if not wanted:
            continue
        if words == wanted or words.replace(" ", "") == wanted.replace(" ", ""):
            return 1.0
        if re.search(rf"\b{re.escape(wanted)}\b", words):
            best = max(best, 0.85)
        needed = _stems(wanted)
        if needed:
            best = max(best, 0.8 * len(needed & _stems(words)) / len(needed))
        best = max(best, difflib.SequenceMatcher(None, words, wanted).ratio())
    return best


# --- judging a candidate by its values --------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    target: str
    label: str
    match: float
    fits: bool
    why: str


def _fits(target: str, column: ColumnProfile, *, long: bool) -> tuple[bool, str]:
    """Whether ``column``'s values can be ``target``, and what they showed (a clause for the note)."""
    seen = column.values_seen()
    if column.given == 0:
        return target in ("comment",) or target.startswith("pillar:"), "no answers in the first rows"
    if target == "response_id":
        # Exports repeat a few ids (the loader counts each once); a column of few values is no id.
        distinct = long or (not column.prose and column.distinct * 2 >= column.given)
        return distinct, f"{column.distinct:,} different values in {column.given:,} rows"
    if target == "date":
        if column.dates and column.given * 2 < column.rows:
            return False, f"only {column.given:,} of {column.rows:,} rows have a date in it"
        if column.dates:
            return True, f"{column.dates_share:.0%} of its values read as dates"
        return False, f"only {column.dates_share:.0%} of its values read as dates ({seen})"
    if target in ("touchpoint", "segment"):
        if column.numeric or column.prose or column.distinct > MAX_GROUPS:
            kind = (
                "its values are free text"
                if column.prose
                else "its values are numbers"
                if column.numeric
                else f"it has {column.distinct:,} different values in {column.given:,} rows, more than a room can read "
                f"(at most {MAX_GROUPS})"
            )
            return False, kind
        if column.outcome or column.binary:
            return False, f"its values say how a response came out ({', '.join(column.texts[:4])}), not where"
        return True, f"{column.distinct} short labels"
    if target == "comment":
        if column.numeric or column.dates:
            return False, f"its values are {'dates' if column.dates else 'numbers'}, not words"
        return True, f"words, {column.words:.0f} on average"
    if target == "recommend":
        if column.binary:
            return False, f"it holds only {' and '.join(sorted(column.texts))}: a flag, not the 0–10 question"
        if not column.numeric or min(column.numbers) < 0 or max(column.numbers) > 10:
            return False, f"its answers are not 0–10 numbers ({seen})"
        return True, seen
    # pillars and the overall rating: a score, or labels a scale reads
    if column.distinct == 1 and column.given >= MIN_VARIED:
        return False, f"every answer is the same ({column.texts[0]}): a fixed figure, not a customer's score"
    if column.prose or column.dates:
        return False, "its values are free text" if column.prose else "its values are dates"
    if column.binary:
        return False, f"it holds only {' and '.join(sorted(column.texts))}: a flag, not a score"
    if (
        target == "overall"
        and not column.numeric
        and not column.rated_outcome
        and guess_scale(list(column.texts)) == "0-10"
    ):
        return False, f"its values are not ratings ({seen})"
    return True, seen


def _candidates(
    targets: dict[str, tuple[list[str], tuple[str, ...]]], profiles: dict[str, ColumnProfile], long: bool
) -> list[Candidate]:
    out = []
    for target, (labels, names) in targets.items():
        for label in labels:
            match = likeness(label, names)
            if match >= MATCH_CUTOFF:
                fits, why = _fits(target, profiles[label], long=long)
                out.append(Candidate(target, label, match, fits, why))
    return out


def _assign(candidates: list[Candidate], order: list[str]) -> tuple[dict[str, Candidate], list[Candidate]]:
    """Each target its best fitting heading, each heading one target; and, for each target left without one,
    the best heading whose values argued against it (to say why)."""
    # A pillar named as the heading is the consultant's own word for that column: it wins a tie.
    ranked = sorted(candidates, key=lambda c: (-c.match, not c.target.startswith("pillar:"), order.index(c.label)))
    chosen: dict[str, Candidate] = {}
    used: set[str] = set()
    for candidate in ranked:
        if candidate.fits and candidate.target not in chosen and candidate.label not in used:
            chosen[candidate.target] = candidate
            used.add(candidate.label)
    rejected = {}
    for candidate in ranked:
        if (
            not candidate.fits
            and candidate.target not in chosen
            and candidate.target not in rejected
            and candidate.label not in used
        ):
            rejected[candidate.target] = candidate
    return chosen, list(rejected.values())


# --- the suggestion ---------------------------------------------------------------------------------------


def _detect_long(columns: list[str]) -> tuple[str, str] | None:
    question = next((c for c in columns if words_of(c) in QUESTION_HEADINGS), None)
    answer = next((c for c in columns if words_of(c) in ANSWER_HEADINGS), None)
    return (question, answer) if question and answer else None


def suggest_mapping(preview: pd.DataFrame, promise: Promise, *, source: str = "") -> FeedbackMapping:
    """A proposed mapping from a file's first rows (see ``readers.read_preview``) and the promise, with a
    ``SuggestionNote`` for every field it decided or left for the consultant (``mapping.notes``)."""
    columns = [str(c) for c in preview.columns]
    mapping = FeedbackMapping(source=source)
    fmt = preview.attrs.get("file_format")
    if fmt is not None and fmt.kind == "xlsx":
        mapping.sheet, mapping.header_row = fmt.sheet, fmt.header_row
    elif fmt is not None and fmt.header_row not in (None, 1):
        mapping.header_row = fmt.header_row
    long = _detect_long(columns)
    if long is not None:
        mapping.layout, (mapping.question_column, mapping.answer_column) = "long", long
        # Survey tools pad labels; the pivot compares them folded, so one tidy label stands for every spelling.
        questions = list(dict.fromkeys(" ".join(str(q).split()) for q in preview[long[0]].dropna() if str(q).strip()))
        field_labels, score_labels = [c for c in columns if c not in long], questions
    else:
        field_labels = score_labels = columns
    labels = list(dict.fromkeys(field_labels + score_labels))
    profiles = {label: profile(label, _values_of(preview, label, mapping)) for label in labels}
    targets: dict[str, tuple[list[str], tuple[str, ...]]] = {
        name: (field_labels, FIELD_WORDS[name]) for name in COLUMN_ONLY_FIELDS
    }
    for name in ("recommend", "overall", "comment"):
        targets[name] = (score_labels, FIELD_WORDS[name])
    for pillar in promise.pillars:
        targets[f"pillar:{pillar.id}"] = (score_labels, (pillar.id.replace("_", " "), pillar.name))
    if any(number_in(label) is not None or len(label.split()) > FREE_TEXT_WORDS for label in columns):
        mapping.notes.append(
            SuggestionNote(
                "headings",
                None,
                UNDECIDED,
                "the first row looks like answers, not headings (e.g. "
                f"{next(c for c in columns if c)!r}): the export may have no heading "
                "row; add one (or set format: header_row) before mapping",
            )
        )
    chosen, rejected = _assign(_candidates(targets, profiles, long is not None), labels)
    for target, candidate in chosen.items():
        _place(mapping, target, candidate, profiles[candidate.label])
    for candidate in rejected:
        if candidate.target == "recommend" and profiles[candidate.label].binary and mapping.advocate is None:
            _offer_advocate_flag(mapping, profiles[candidate.label])
            continue
        # Only a heading that plainly says the field is worth a sentence on why it was not taken.
        if candidate.match >= SURE_MATCH:
            mapping.notes.append(
                SuggestionNote(
                    _field_name(candidate.target),
                    candidate.label,
                    UNDECIDED,
                    f"named like it, but {candidate.why}: left unmapped",
                )
            )
    _decide_what_no_heading_named(mapping, chosen, profiles, promise)
    mapping.pillars = {p: mapping.pillars[p] for p in promise.pillar_ids if p in mapping.pillars}
    if "touchpoint" in mapping.fields:
        mapping.touchpoints = suggest_value_map(
            _values_of(preview, mapping.fields["touchpoint"].label, mapping), promise.touchpoints
        )
    return mapping


def _shown_name(target: str) -> str:
    return _field_name(target) if target.startswith("pillar:") else f"'{target}'"


def _field_name(target: str) -> str:
    return f"pillar '{target.split(':', 1)[1]}'" if target.startswith("pillar:") else target


def _place(mapping: FeedbackMapping, target: str, candidate: Candidate, column: ColumnProfile) -> None:
    in_long = mapping.layout == "long"
    scored = target in ("recommend", "overall") or target.startswith("pillar:")
    source = (
        Source(question=candidate.label)
        if in_long and (scored or target == "comment")
        else Source(column=candidate.label)
    )
    why = f"heading {'matches' if candidate.match >= SURE_MATCH else 'is like'} {_shown_name(target)}; {candidate.why}"
    if scored:
        why += _choose_scale(source, target, column, candidate.label)
    if target.startswith("pillar:"):
        mapping.pillars[target.split(":", 1)[1]] = source
    elif target in ("recommend", "overall"):
        setattr(mapping, target, source)
    else:
        mapping.fields[target] = source
    confident = candidate.match >= SURE_MATCH and not source.missing
    mapping.notes.append(SuggestionNote(_field_name(target), candidate.label, SURE if confident else LIKELY, why))


def _choose_scale(source: Source, target: str, column: ColumnProfile, label: str) -> str:
    """Set the source's scale (and missing codes or labels) from its values; the clause that says why."""
    if column.rated_outcome and not column.numeric:
        source.scale = "labels"
        source.labels = {
            text: float(OUTCOME_POINTS[text]) for text in sorted(column.texts, key=lambda text: OUTCOME_POINTS[text])
        }
        shown = ", ".join(f"{label} {points:g}" for label, points in source.labels.items())
        return f"; read as labels {shown}: change the points if the room disagrees"
    numbers = column.numbers
    if (
        target != "recommend"
        and numbers
        and numbers[0] == 0
        and set(numbers) <= {0, 1, 2, 3, 4, 5}
        and len(numbers) > 2
        and guess_scale([], label) in ("0-10", "1-5")
    ):
        source.scale, source.missing = "1-5", [0]
        return (
            "; it holds 0 beside 1–5, as review sites export 'not rated': read as 1–5 with 0 as not answered "
            "(if 0 is a real answer, make it scale 0-10 and remove 'missing')"
        )
    values = list(column.texts) if not numbers else list(numbers)
    source.scale = _recommend_scale(values, label) if target == "recommend" else guess_scale(values, label)
    return f"; scale {source.scale}"


def _recommend_scale(values: list[Any], label: str) -> str:
    """'Would you recommend us?' is asked 0-10 (the NPS question) unless the heading or values say otherwise:
    a handful of low answers is no evidence of a 1-5 scale here."""
    guessed = guess_scale(values, label)
    named = guess_scale([], label) != "0-10" or re.search(r"\b0\s*(?:-|to)\s*10\b", words_of(label) + " ")
    return guessed if named or guessed not in ("1-5", "1-7") else "0-10"


def _offer_advocate_flag(mapping: FeedbackMapping, column: ColumnProfile) -> None:
    yes = sorted(set(column.texts) & ADVOCATE_SIDE) or sorted(column.texts)[-1:]
    mapping.advocate = AdvocateRule(column.label, yes)
    mapping.notes.append(
        SuggestionNote(
            "advocate",
            column.label,
            LIKELY,
            f"it holds only {' and '.join(sorted(column.texts))}, a yes/no flag, so it is never the 0–10 recommend "
            f"question: offered as the advocate flag (advocates answer {', '.join(yes)})",
        )
    )


def _offer_loyalty_column(mapping: FeedbackMapping, profiles: dict[str, ColumnProfile]) -> None:
    """Without a recommend question nobody is a promoter: a column saying who is loyal names the advocates."""
    for column in profiles.values():
        loyal = [text for text in column.texts if re.search(r"(?<!dis)loyal|\bpromoter", text)]
        if loyal and not column.prose and column.distinct <= MAX_GROUPS:
            mapping.advocate = AdvocateRule(column.label, loyal)
            mapping.notes.append(
                SuggestionNote(
                    "advocate",
                    column.label,
                    LIKELY,
                    f"no recommend question, and its values say who is loyal: advocates answer {', '.join(loyal)}",
                )
            )
            return
    mapping.notes.append(
        SuggestionNote(
            "advocate",
            None,
            UNDECIDED,
            "no recommend question and no loyalty column: nobody counts as an advocate, "
            "so 'advocates only' views stay empty; name one under 'advocate:' if the "
            "file says who is loyal",
        )
    )


def _decide_what_no_heading_named(
    mapping: FeedbackMapping, chosen: dict[str, Candidate], profiles: dict[str, ColumnProfile], promise: Promise
) -> None:
    """The fields no heading named: the comment from the longest free text, advocates from a loyalty column,
    and a note for each field left unmapped and for what importance is derived against."""
    decided = {note.field for note in mapping.notes}
    used = {c.label for c in chosen.values()} | ({mapping.advocate.column} if mapping.advocate else set())
    other_prose = [p.label for p in profiles.values() if p.prose and p.label not in used]
    if "comment" in decided and other_prose:
        mapping.notes.append(
            SuggestionNote(
                "comment",
                None,
                UNDECIDED,
                f"other free text not read: {', '.join(map(repr, other_prose))} (one "
                "comment column is read; merge them in the export to read both)",
            )
        )
    if "comment" not in decided:
        prose = sorted((p for p in profiles.values() if p.prose and p.label not in used), key=lambda p: -p.words)
        if prose:
            mapping.fields["comment"] = (
                Source(column=prose[0].label) if mapping.layout == "wide" else Source(question=prose[0].label)
            )
            mapping.notes.append(
                SuggestionNote(
                    "comment",
                    prose[0].label,
                    LIKELY,
                    f"no heading says comment; it is the longest free text ({prose[0].words:.0f} words on average)",
                )
            )
    for name, what in (("touchpoint", "the channel or place of each response"), ("segment", "the kind of customer")):
        if name not in decided:
            mapping.notes.append(
                SuggestionNote(
                    name,
                    None,
                    UNDECIDED,
                    f"no heading says {name}: every response is 'not stated'; map the "
                    f"column that holds {what}, if the file has one",
                )
            )
    if "date" not in decided and "date" not in mapping.fields:
        mapping.notes.append(
            SuggestionNote("date", None, UNDECIDED, "no column reads as dates: every response will be undated")
        )
    for pillar in promise.pillars:
        if _field_name(f"pillar:{pillar.id}") not in decided:
            mapping.notes.append(
                SuggestionNote(
                    _field_name(f"pillar:{pillar.id}"),
                    None,
                    UNDECIDED,
                    f"no heading is like '{pillar.name}': map the column that scores it, or leave it not measured",
                )
            )
    if mapping.advocate is None and mapping.recommend is None:
        _offer_loyalty_column(mapping, profiles)
    measure = importance_measure(mapping)
    mapping.notes.append(
        SuggestionNote(
            "importance",
            measure.label if measure else None,
            LIKELY if measure else UNDECIDED,
            f"derived against {measure.phrase}" if measure else NO_IMPORTANCE,
        )
    )


def _values_of(preview: pd.DataFrame, label: str, mapping: FeedbackMapping) -> list[Any]:
    if mapping.layout == "long" and label not in preview.columns:
        asked = preview[mapping.question_column].map(lambda q: not is_missing(q) and fold(str(q)) == fold(label))
        return preview.loc[asked.to_numpy(dtype=bool), mapping.answer_column].tolist()
    return preview[label].tolist() if label in preview.columns else []


def suggest_value_map(values: list[Any], known: list[str]) -> dict[str, str]:
    """Client value → known value, for values that say a known one differently (``TEL`` → ``phone``).

    Values already equal to a known one (ignoring case, spaces and punctuation) need no entry.
    """
    known_ids = {value_id(k) for k in known}
    suggested: dict[str, str] = {}
    for value in dict.fromkeys(str(v).strip() for v in values if not is_missing(v)):
        if value_id(value) in known_ids:
            continue
        words = words_of(value)
        for canonical in known:
            synonyms = TOUCHPOINT_WORDS.get(value_id(canonical), ())
            if words in {words_of(s) for s in synonyms} or likeness(value, (canonical,)) >= 0.85:
                suggested[value] = canonical
                break
    return suggested
