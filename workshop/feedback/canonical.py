"""One chunk of client responses turned into canonical feedback (see ``workshop.cube``), and every decision
recorded in the validation report.

Input is a ``Responses`` chunk: for each target (``response_id``, ``date``, ``touchpoint``, ``segment``,
``comment``, ``recommend``, ``advocate`` and each pillar id) the raw values of one response per position,
with the file row of each value. Values are converted by unique value (a score column has a dozen distinct
answers however many rows it has), so a chunk costs a few vectorised passes, not a Python call per row.

What happens to a response:

========================================== ============ =====================================================
found                                      severity     effect
========================================== ============ =====================================================
every mapped cell empty                    warning      set aside: blank row
date blank or not a date (date mapped)     warning      set aside: the month is unknown
response id already kept on an earlier row warning      set aside: counted once
no pillar score, no recommend, no comment  warning      set aside: nothing answered
score out of its scale / not on the scale  warning      that score missing, row kept
date in the future                         warning      kept
touchpoint not in the promise              warning      kept as written
no response id                             warning      kept, named ``row N``
========================================== ============ =====================================================

Whether a column is *mostly* unreadable (blocking) is judged over the whole file, by the caller, from the
tallies kept here. This module must not read files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workshop.cube import NOT_STATED
from workshop.feedback.advocates import advocate_flags
from workshop.feedback.client_values import resolve_values
from workshop.feedback.dates import DateRead, DateReader
from workshop.feedback.mapping import FeedbackMapping
from workshop.feedback.scales import MISSING_MARKERS, Answer, fold_all, is_missing
from workshop.feedback.validation import WARNING, ColumnTally, ValidationReport
from workshop.promise import Promise

BLANK_ROW = "blank row: nothing in any mapped column"
NO_DATE = "no date: the month of this response is unknown"
BAD_DATE = "date not understood"
DUPLICATE_ID = "response id already used on an earlier row: counted once"
NOTHING_ANSWERED = "nothing answered: no pillar score, no recommend and no comment"
FUTURE_SLACK = pd.Timedelta(days=1)
"""Dates up to a day ahead are not 'in the future': time zones put some customers ahead of us."""
_LONGEST_MISSING_MARKER = 24


@dataclass
class Responses:
    """Raw values of one chunk of responses, one position per response, keyed by target.

    ``rows`` is each response's file row; ``value_rows[target]`` the file row of that target's value where
    it differs (long layout: each answer has its own row).
    """

    values: dict[str, np.ndarray]
    rows: np.ndarray
    value_rows: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def rows_of(self, target: str) -> np.ndarray:
        return self.value_rows.get(target, self.rows)


@dataclass
class Converted:
    """Canonical rows of the kept responses, and the reason (or None) for every response in the chunk."""

    frame: pd.DataFrame
    reasons: np.ndarray


class Canonicalizer:
    """Converts chunk after chunk, remembering what spans chunks: date order, ids seen, tallies."""

    def __init__(
        self,
        mapping: FeedbackMapping,
        promise: Promise,
        report: ValidationReport,
        *,
        duplicate_reason: str = DUPLICATE_ID,
        labels: dict[str, str] | None = None,
        today: pd.Timestamp | None = None,
    ):
        self.mapping = mapping
        self.promise = promise
        self.report = report
        self.duplicate_reason = duplicate_reason
        self.labels = labels or {}
        """Target → the client column or question it comes from, for the report."""
        self.pillar_ids = [p for p in mapping.pillars if p in promise.pillar_ids]
        self.dates = DateReader(mapping.date_order)
        self._factorize_cache: dict[str, tuple] = {}
        self.seen_ids = np.zeros(0, dtype=np.int64)
        self.date_counts = np.zeros(len(DateRead), dtype=np.int64)
        """How the dates of the responses not set aside for another reason read: READ, MISSING, UNREADABLE."""
        self.period: tuple[np.datetime64, np.datetime64] | None = None
        """The first and last date read (dates in the future are errors, not the period)."""
        self.latest = (today or pd.Timestamp.now()).normalize() + pd.Timedelta(days=1) + FUTURE_SLACK
        self.rules = {target: source.answer_rule() for target, source in self._scored_sources().items()}
        self.tallies = {
            target: ColumnTally(
                self.labels.get(target, target),
                target,
                source.scale or "0-10",
                self.rules[target].rule,
                self.rules[target].in_words,
            )
            for target, source in self._scored_sources().items()
        }
        report.tallies.extend(self.tallies.values())

    def _scored_sources(self) -> dict:
        return {**{p: self.mapping.pillars[p] for p in self.pillar_ids}, **self.mapping.measures()}

    def convert(self, chunk: Responses, *, blank_rows_possible: bool = True) -> Converted:
        n = len(chunk)
        reasons = np.full(n, None, dtype=object)
        present = np.zeros(n, dtype=bool)
        stamps, date_status = self._read_dates(chunk)
        months = _month_keys(stamps)
        scores = {}
        for target in self._scored_sources():
            if target in chunk.values:
                scores[target], answered = self._scores(chunk, target, months)
                present |= answered
        answered_any = np.zeros(n, dtype=bool)
        for target in scores:
            answered_any |= ~np.isnan(scores[target])
        comment, has_comment = self._comments(chunk)
        present |= has_comment
        ids = self._id_texts(chunk)
        if "response_id" in chunk.values:
            present |= ids != ""
        present |= date_status != DateRead.MISSING
        for target in ("touchpoint", "segment", "advocate"):
            if target in chunk.values:
                codes, uniques = self._factorized(chunk, target)
                present |= ~np.append(_missing_texts(uniques), True)[codes]
        if blank_rows_possible:
            reasons[~present] = BLANK_ROW
        dates = self._check_dates(chunk, stamps, date_status, reasons)
        ids = self._name_unnamed(chunk, ids, reasons)
        reasons[still_kept(reasons) & ~answered_any & ~has_comment] = NOTHING_ANSWERED
        self._duplicates(ids, chunk.rows, reasons)
        self._count_set_aside(chunk, reasons)
        keep = still_kept(reasons)
        touchpoint = self._values_in(chunk, "touchpoint", keep, self.promise.touchpoints, self.mapping.touchpoints)
        segment = self._values_in(chunk, "segment", keep, [], self.mapping.segments)
        recommend = scores.get("recommend", np.full(n, np.nan))
        kept = int(keep.sum())
        # Text columns stay object arrays: letting pandas infer its string dtype copies every value again.
        frame = pd.DataFrame(
            {
                "response_id": pd.Series(ids[keep], dtype=object),
                "date": dates[keep],
                "touchpoint": touchpoint,
                "segment": segment,
                "recommend": recommend[keep],
                "advocate": self._advocates(chunk, recommend)[keep],
                "comment": pd.Series(comment[keep], dtype=object),
                "source": pd.Series(np.full(kept, "survey", dtype=object), dtype=object),
                **({"overall": scores["overall"][keep]} if "overall" in scores else {}),
                **{p: scores[p][keep] if p in scores else np.full(kept, np.nan) for p in self.pillar_ids},
            }
        )
        return Converted(frame, reasons)

    # --- scores ---------------------------------------------------------------------------------------

    def _scores(self, chunk: Responses, target: str, months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(0–10 points with NaN, given: not blank nor a missing code) for one score target, tallied and
        reported."""
        values = chunk.values[target]
        rule = self.rules[target]
        scale = rule.scale
        codes, uniques = pd.factorize(values if values.dtype.kind in "fiu" else _as_objects(values))
        converted = [rule.convert(u) for u in uniques]
        points = np.array([p for p, _ in converted] + [np.nan], dtype=float)[codes]
        status = np.array([s for _, s in converted] + [Answer.MISSING], dtype=np.int8)[codes]
        tally = self.tallies[target]
        counts = np.bincount(status, minlength=len(Answer))
        tally.scored += int(counts[Answer.SCORED])
        tally.missing += int(counts[Answer.MISSING])
        tally.coded_missing += int(counts[Answer.MISSING_CODE])
        tally.out_of_range += int(counts[Answer.OUT_OF_RANGE])
        tally.unreadable += int(counts[Answer.UNREADABLE])
        _tally_seen(tally, codes, uniques, converted, months)
        rows = chunk.rows_of(target)
        for answer, message, fix in (
            (
                Answer.OUT_OF_RANGE,
                f"values outside the {scale.id} scale, kept as not answered",
                "Check the scale in mapping.yml; if these are typing errors, tell the client.",
            ),
            (
                Answer.UNREADABLE,
                f"values that are no answer on the {scale.id} scale, kept as not answered",
                "If the column holds words, choose a label scale (likert5, likert7) in mapping.yml; if it holds "
                "comments, map it to 'comment' instead.",
            ),
        ):
            where = np.flatnonzero(status == answer)
            if len(where):
                self.report.add(
                    WARNING, message, tally.column, fix, rows[where[:5]], values[where[:5]], count=len(where)
                )
        return points, (status != Answer.MISSING) & (status != Answer.MISSING_CODE)

    # --- dates ----------------------------------------------------------------------------------------

    def _read_dates(self, chunk: Responses) -> tuple[np.ndarray, np.ndarray]:
        n = len(chunk)
        if "date" not in chunk.values:
            return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), np.full(n, DateRead.MISSING)
        return self.dates.read(chunk.values["date"], chunk.rows_of("date"))

    def _check_dates(self, chunk: Responses, stamps: np.ndarray, status: np.ndarray, reasons: np.ndarray) -> np.ndarray:
        """Set aside open responses with a blank or unreadable date (when a date is mapped); report the future."""
        if "date" not in chunk.values:
            return stamps
        rows = chunk.rows_of("date")
        column = self.labels.get("date")
        open_rows = still_kept(reasons)
        self.date_counts += np.bincount(status[open_rows], minlength=len(DateRead))
        for state, reason, fix in (
            (
                DateRead.MISSING,
                NO_DATE,
                "Ask the client for the dates, or leave 'date' unmapped to load every response as undated.",
            ),
            (DateRead.UNREADABLE, BAD_DATE, "Check the date format and 'date_order' in mapping.yml."),
        ):
            hit = open_rows & (status == state)
            if hit.any():
                reasons[hit] = reason
                where = np.flatnonzero(hit)
                self.report.add(
                    WARNING,
                    f"{reason}, row set aside",
                    column,
                    fix,
                    rows[where[:5]],
                    chunk.values["date"][where[:5]],
                    count=len(where),
                )
        future = still_kept(reasons) & (stamps > np.datetime64(self.latest))
        read = stamps[still_kept(reasons) & (status == DateRead.READ) & ~future]
        if len(read):
            first, last = read.min(), read.max()
            self.period = (
                (first, last) if self.period is None else (min(first, self.period[0]), max(last, self.period[1]))
            )
        if future.any():
            where = np.flatnonzero(future)
            self.report.add(
                WARNING,
                "dates in the future, kept",
                column,
                "Check the date order and the computer's clock; tell the client if the export is wrong.",
                rows[where[:5]],
                chunk.values["date"][where[:5]],
                count=len(where),
            )
        return stamps

    # --- ids ------------------------------------------------------------------------------------------

    def _id_texts(self, chunk: Responses) -> np.ndarray:
        """Response ids as stripped text; "" where blank."""
        if "response_id" not in chunk.values:
            return np.array([f"row {r}" for r in chunk.rows], dtype=object)
        return id_texts(chunk.values["response_id"])

    def _name_unnamed(self, chunk: Responses, ids: np.ndarray, reasons: np.ndarray) -> np.ndarray:
        """Open responses without an id are named ``row N`` (and reported); the rest keep theirs."""
        blank = (ids == "") & still_kept(reasons)
        if blank.any():
            ids = ids.copy()
            where = np.flatnonzero(blank)
            ids[where] = [f"row {r}" for r in chunk.rows[where]]
            self.report.add(
                WARNING,
                "responses with no response id, named by their row number instead",
                self.labels.get("response_id"),
                "Nothing to do, unless the client's ids matter to you.",
                chunk.rows[where[:5]],
                chunk.values["response_id"][where[:5]],
                count=len(where),
            )
        return ids

    def _duplicates(self, ids: np.ndarray, rows: np.ndarray, reasons: np.ndarray) -> None:
        """Set aside responses whose id was kept before (in this chunk or an earlier one); count each id once.

        Ids are compared by their 64-bit hash, kept sorted: 10 million ids cost 80 MB, not gigabytes of text.
        """
        open_positions = np.flatnonzero(still_kept(reasons))
        if not len(open_positions):
            return
        hashes = np.fromiter(map(hash, ids[open_positions]), dtype=np.int64, count=len(open_positions))
        again = pd.Series(hashes).duplicated(keep="first").to_numpy()
        order = np.argsort(hashes)
        where = np.searchsorted(self.seen_ids, hashes[order])
        found = where < len(self.seen_ids)
        found[found] = self.seen_ids[where[found]] == hashes[order][found]
        before = np.empty_like(found)
        before[order] = found
        duplicate = again | before
        if duplicate.any():
            hit = open_positions[duplicate]
            reasons[hit] = self.duplicate_reason
            self.report.add(
                WARNING,
                self.duplicate_reason,
                self.labels.get("response_id"),
                "Nothing to do: each response is counted once. Tell the client if the export repeats rows.",
                rows[hit[:5]],
                ids[hit[:5]],
                count=len(hit),
            )
        fresh = np.sort(hashes[~duplicate])
        self.seen_ids = np.insert(self.seen_ids, np.searchsorted(self.seen_ids, fresh), fresh)

    def _count_set_aside(self, chunk: Responses, reasons: np.ndarray) -> None:
        for reason in (BLANK_ROW, NOTHING_ANSWERED):
            hit = np.flatnonzero(reasons == reason)
            if len(hit):
                self.report.add(
                    WARNING,
                    f"{reason}, row set aside",
                    None,
                    "Nothing to do: these rows hold no feedback."
                    if reason == BLANK_ROW
                    else "Check that every pillar question is mapped; otherwise nothing to do.",
                    chunk.rows[hit[:5]],
                    count=len(hit),
                )

    # --- text fields ----------------------------------------------------------------------------------

    def _comments(self, chunk: Responses) -> tuple[np.ndarray, np.ndarray]:
        n = len(chunk)
        if "comment" not in chunk.values:
            return np.full(n, None, dtype=object), np.zeros(n, dtype=bool)
        codes, uniques = pd.factorize(_as_objects(chunk.values["comment"]))
        texts = [None if _is_missing_text(u) else str(u).strip() for u in uniques]
        comment = np.array(texts + [None], dtype=object)[codes]
        return comment, ~pd.isna(comment)

    def _values_in(
        self, chunk: Responses, target: str, keep: np.ndarray, known: list[str], value_map: dict[str, str]
    ) -> pd.Series:
        """Translated touchpoint/segment values of the kept responses; NOT_STATED where missing.

        Built by taking from the few distinct labels, as pandas' string type: the cube reads it without
        converting every value again.
        """
        if target not in chunk.values:
            return pd.Series(np.full(int(keep.sum()), NOT_STATED, dtype=object), dtype="string")
        codes, uniques = self._factorized(chunk, target)
        codes = codes[keep]
        blank = _missing_texts(uniques).tolist()
        given = [str(u) for u, b in zip(uniques, blank, strict=True) if not b]
        translated, known_flags = resolve_values(given, value_map, known)
        lookup = iter(zip(translated, known_flags, strict=True))
        labels, unknown = [], []
        for b in blank:
            label, ok = (NOT_STATED, True) if b else next(lookup)
            labels.append(label)
            unknown.append(not ok)
        out = pd.Series(pd.array(labels + [NOT_STATED], dtype="string").take(codes))
        bad = np.array(unknown + [False], dtype=bool)[codes]
        if bad.any():
            where = np.flatnonzero(bad)
            rows = chunk.rows_of(target)[keep]
            self.report.add(
                WARNING,
                f"{target}s that are not in the promise ({', '.join(known)}), kept as written",
                self.labels.get(target),
                f"Translate them under '{target}s:' in mapping.yml "
                f"(e.g. 'Call centre: phone'), or add the {target} to the promise.",
                rows[where[:5]],
                chunk.values[target][keep][where[:5]],
                count=len(where),
            )
        return out

    def _factorized(self, chunk: Responses, target: str) -> tuple[np.ndarray, np.ndarray]:
        """Codes and distinct values of a text target, computed once per chunk."""
        cached = self._factorize_cache.get(target)
        if cached is None or cached[0] is not chunk:
            cached = (chunk, *pd.factorize(_as_objects(chunk.values[target])))
            self._factorize_cache[target] = cached
        return cached[1], cached[2]

    def _advocates(self, chunk: Responses, recommend: np.ndarray) -> np.ndarray:
        """Each response's advocate flag, by the one rule in ``advocates.advocate_flags``."""
        rule = self.mapping.advocate
        if rule is not None and "advocate" in chunk.values:
            return advocate_flags(pd.DataFrame({rule.column: chunk.values["advocate"]}), rule).to_numpy()
        return advocate_flags(pd.DataFrame({"recommend": recommend})).to_numpy()


SEEN_KINDS_CAP = 200
"""Distinct unreadable or out-of-range answers remembered per column for advice; past it, counts only."""


def _month_keys(stamps: np.ndarray) -> np.ndarray:
    """Each response's month as an integer (months since 1970), -1 when undated: cheap to group by."""
    months = stamps.astype("datetime64[M]").astype(np.int64)
    return np.where(np.isnat(stamps), -1, months)


def _tally_seen(
    tally: ColumnTally, codes: np.ndarray, uniques: np.ndarray, converted: list, months: np.ndarray
) -> None:
    """Record, per distinct answer, what a person needs to judge the column's scale: whole numbers 0–10 by
    month, and the texts and numbers the rule could not read."""
    per_unique = np.bincount(codes[codes >= 0], minlength=len(uniques))
    whole = np.full(len(uniques), -1, dtype=np.int64)
    for i, (value, (_, status)) in enumerate(zip(uniques, converted, strict=True)):
        number = _whole_number(value)
        if number is not None and status != Answer.MISSING_CODE:
            whole[i] = number
        if status in (Answer.UNREADABLE, Answer.OUT_OF_RANGE):
            seen = tally.unreadable_texts if status == Answer.UNREADABLE else tally.out_of_range_values
            key = str(value).strip()
            if key in seen or len(seen) < SEEN_KINDS_CAP:
                seen[key] += int(per_unique[i])
    if not (whole >= 0).any():
        return
    answer = np.where(codes >= 0, whole[np.maximum(codes, 0)], -1)
    counted = answer >= 0
    for month in np.unique(months[counted]):
        here = counted & (months == month)
        key = "" if month < 0 else str(np.datetime64(int(month), "M"))
        tally.numbers[key] = tally.numbers.get(key, np.zeros(11, dtype=np.int64)) + np.bincount(
            answer[here], minlength=11
        )


def _whole_number(value: object) -> int | None:
    """A whole number 0–10 as written (5, 5.0, "5"), else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, str):
        text = value.strip()
        value = float(text) if text.isdigit() else None
    if isinstance(value, (int, float, np.integer, np.floating)) and float(value).is_integer() and 0 <= value <= 10:
        return int(value)
    return None


def still_kept(reasons: np.ndarray) -> np.ndarray:
    """Which responses no reason has set aside yet: a response's reason is None until one does."""
    return pd.isna(reasons)


def _as_objects(values: np.ndarray) -> np.ndarray:
    return values if values.dtype == object else np.asarray(values, dtype=object)


def id_texts(values: np.ndarray) -> np.ndarray:
    """Response ids as stripped text, "" where blank; 1001.0 from a spreadsheet is the id 1001."""
    series = pd.Series(values, dtype=object)
    if pd.api.types.infer_dtype(series, skipna=False) == "string":
        return np.fromiter(map(str.strip, series.to_numpy(dtype=object)), dtype=object, count=len(series))
    codes, uniques = pd.factorize(_as_objects(np.asarray(values)))
    texts = [
        "" if is_missing(u) else (str(int(u)) if isinstance(u, float) and u.is_integer() else str(u).strip())
        for u in uniques
    ]
    return np.array(texts + [""], dtype=object)[codes]


def _missing_texts(values: np.ndarray) -> np.ndarray:
    """``_is_missing_text`` for a chunk's distinct values at once: texts are folded together, the few others
    (numbers, NaN) one by one."""
    missing = np.zeros(len(values), dtype=bool)
    is_text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    texts = values[is_text]
    if len(texts):
        short = np.fromiter((len(t) <= _LONGEST_MISSING_MARKER for t in texts), dtype=bool, count=len(texts))
        missing[np.flatnonzero(is_text)] = short & fold_all(texts).isin(MISSING_MARKERS).to_numpy()
    missing[~is_text] = [is_missing(v) for v in values[~is_text]]
    return missing


def _is_missing_text(value: object) -> bool:
    if isinstance(value, str) and len(value) > _LONGEST_MISSING_MARKER:
        return False
    return is_missing(value)
