"""Long exports (one row per response × question) turned into one position per response, chunk by chunk.

How streaming works here: a response's rows must be *together* (one after the other), as survey tools
export them (sorted by response, or in the order answered). Each chunk is cut after its last complete
response: the rows of the last response id are held back and joined to the next chunk, so a response split
across chunks is still read whole, while memory stays one chunk plus one response. Rows of a response that
turn up again after another response (an export not grouped by response) are set aside with that reason
(the caller sets aside a later group of an id already seen in an earlier chunk the same way), so nothing is
counted twice and the consultant knows to sort the export by response id.

Within a response, each mapped question's first given answer is used (rows with an empty answer are
skipped; a second given answer to the same question is reported); questions the mapping does not name are
ignored, like unmapped columns in a wide export. Date, touchpoint, segment and advocate columns take their
first non-blank value among the response's rows.
This module reshapes; it does not convert values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workshop.feedback.canonical import Responses, id_texts
from workshop.feedback.mapping import FeedbackMapping
from workshop.feedback.scales import fold, is_missing
from workshop.feedback.validation import WARNING, ValidationReport

NOT_TOGETHER = "rows of this response are not together (its id appears again after other responses)"
NO_ID = "no response id: cannot tell which response this answer belongs to"
BLANK = "blank row: nothing in any mapped column"
ROW = "file_row"


@dataclass
class LongChunk:
    """Responses pivoted from a chunk of rows, with each row's response (``owner``) and raw values."""

    responses: Responses
    owner: np.ndarray
    rows: np.ndarray
    raw: pd.DataFrame
    set_aside_rows: np.ndarray
    set_aside_reasons: np.ndarray
    set_aside_raw: pd.DataFrame


class LongPivot:
    """Holds back the last, possibly incomplete, response of each chunk until the next one arrives."""

    def __init__(self, mapping: FeedbackMapping, report: ValidationReport):
        self.report = report
        self.id_column = mapping.fields["response_id"].column
        self.question_column = mapping.question_column
        self.answer_column = mapping.answer_column
        self.by_question: dict[str, str] = {}
        for target, source in [
            *mapping.pillars.items(),
            *mapping.measures().items(),
            ("comment", mapping.fields.get("comment")),
        ]:
            if source is not None and source.question is not None:
                self.by_question[fold(source.question)] = target
        self.field_columns = {
            name: s.column
            for name, s in mapping.fields.items()
            if name not in ("response_id",) and s.column is not None
        }
        if mapping.advocate is not None:
            self.field_columns["advocate"] = mapping.advocate.column
        self.questions_seen: set[str] = set()
        self._pending: pd.DataFrame | None = None

    def feed(self, frame: pd.DataFrame, rows: np.ndarray, final: bool) -> LongChunk:
        """Pivot the complete responses among the pending rows and ``frame``; hold back the last one."""
        frame = frame.assign(**{ROW: rows})
        if self._pending is not None:
            frame = pd.concat([self._pending, frame], ignore_index=True)
            self._pending = None
        frame = frame.reset_index(drop=True)
        ids = id_texts(frame[self.id_column].to_numpy(dtype=object))
        if not final:
            start = _last_response_start(ids)
            self._pending = frame.iloc[start:].reset_index(drop=True)
            frame, ids = frame.iloc[:start], ids[:start]
        blank_id = ids == ""
        aside_rows, aside_reasons = [], []
        if blank_id.any():
            everything_blank = frame.drop(columns=[ROW]).map(is_missing).all(axis=1).to_numpy()
            reasons = np.where(everything_blank[blank_id], BLANK, NO_ID)
            aside_rows.append(frame[ROW].to_numpy()[blank_id])
            aside_reasons.append(reasons)
            for reason in (BLANK, NO_ID):
                hit = np.flatnonzero(blank_id)[reasons == reason]
                if len(hit):
                    self.report.add(
                        WARNING,
                        f"{reason}, row set aside",
                        self.id_column,
                        "Nothing to do for blank rows; otherwise ask the client for the ids.",
                        frame[ROW].to_numpy()[hit[:5]],
                        count=len(hit),
                    )
        run = np.full(len(ids), -1, dtype=np.int64)
        named = np.flatnonzero(~blank_id)
        run[named] = np.cumsum(np.r_[True, ids[named][1:] != ids[named][:-1]]) - 1
        valid = run >= 0
        run_ids = pd.Series(ids[valid]).groupby(run[valid]).first()
        repeated = run_ids.duplicated(keep="first")
        if repeated.any():
            later = np.isin(run, repeated.index[repeated].to_numpy()) & valid
            aside_rows.append(frame[ROW].to_numpy()[later])
            aside_reasons.append(np.full(int(later.sum()), NOT_TOGETHER, dtype=object))
            where = np.flatnonzero(later)
            self.report.add(
                WARNING,
                f"{NOT_TOGETHER}, row set aside",
                self.id_column,
                "Sort the export by response id and load it again.",
                frame[ROW].to_numpy()[where[:5]],
                ids[where[:5]],
                count=len(where),
            )
            valid &= ~later
        keep = np.flatnonzero(valid)
        owner = pd.factorize(run[keep])[0]
        taken = frame.iloc[keep].reset_index(drop=True)
        set_aside = np.flatnonzero(~valid)
        return LongChunk(
            self._responses(taken, ids[keep], owner),
            owner,
            taken[ROW].to_numpy(),
            self._without_free_text(taken),
            np.concatenate(aside_rows) if aside_rows else np.zeros(0, dtype=np.int64),
            np.concatenate(aside_reasons) if aside_reasons else np.zeros(0, dtype=object),
            self._without_free_text(frame.iloc[set_aside]),
        )

    def _responses(self, frame: pd.DataFrame, ids: np.ndarray, owner: np.ndarray) -> Responses:
        n = int(owner.max()) + 1 if len(owner) else 0
        file_rows = frame[ROW].to_numpy()
        first_rows = np.zeros(n, dtype=np.int64)
        first_rows[owner[::-1]] = file_rows[::-1]
        values: dict[str, np.ndarray] = {"response_id": np.empty(n, dtype=object)}
        values["response_id"][owner] = ids
        value_rows: dict[str, np.ndarray] = {}
        questions = frame[self.question_column].map(lambda q: fold(str(q)) if not is_missing(q) else "")
        self.questions_seen.update(questions.unique())
        targets = questions.map(self.by_question)
        for target in dict.fromkeys(targets.dropna()):
            mine = (targets == target).to_numpy()
            answers = pd.DataFrame(
                {"owner": owner[mine], "answer": frame[self.answer_column].to_numpy()[mine], ROW: file_rows[mine]}
            )
            # A row with an empty answer (a skipped question) neither hides nor doubles a given answer.
            answers = answers[~answers["answer"].map(is_missing).to_numpy(dtype=bool)]
            twice = answers.duplicated("owner", keep="first").to_numpy()
            if twice.any():
                self.report.add(
                    WARNING,
                    "a question answered twice in one response: the first answer is used",
                    str(target),
                    "Check the export; tell the client if answers are repeated.",
                    answers[ROW].to_numpy()[twice][:5],
                    None if target == "comment" else answers["answer"].to_numpy()[twice][:5],
                    count=int(twice.sum()),
                )
            first = answers[~twice]
            values[target] = np.full(n, None, dtype=object)
            values[target][first["owner"].to_numpy()] = first["answer"].to_numpy()
            value_rows[target] = first_rows.copy()
            value_rows[target][first["owner"].to_numpy()] = first[ROW].to_numpy()
        for name, column in self.field_columns.items():
            column_values = frame[column].to_numpy(dtype=object)
            given = ~np.array([is_missing(v) for v in column_values], dtype=bool)
            firsts = pd.DataFrame(
                {"owner": owner[given], "value": column_values[given], ROW: file_rows[given]}
            ).drop_duplicates("owner")
            values[name] = np.full(n, None, dtype=object)
            values[name][firsts["owner"].to_numpy()] = firsts["value"].to_numpy()
            value_rows[name] = first_rows.copy()
            value_rows[name][firsts["owner"].to_numpy()] = firsts[ROW].to_numpy()
        return Responses(values, first_rows, value_rows)

    def _without_free_text(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Raw rows for the set-aside CSV with only score answers: the comment question's answers and those
        of questions the mapping does not name (any of which may be free text) are blanked, as raw comments
        never leave the folder."""
        score_questions = {q for q, t in self.by_question.items() if t != "comment"}
        free = frame[self.question_column].map(lambda q: is_missing(q) or fold(str(q)) not in score_questions)
        out = frame.copy()
        out.loc[free.to_numpy(dtype=bool), self.answer_column] = ""
        return out

    def unseen_questions(self) -> dict[str, str]:
        """Mapped questions (folded) that no row asked, with their target."""
        return {q: t for q, t in self.by_question.items() if q not in self.questions_seen}


def _last_response_start(ids: np.ndarray) -> int:
    """Index of the first row of the last response (rows with a blank id inside it count as its rows)."""
    named = np.flatnonzero(ids != "")
    if not len(named):
        return len(ids)
    last = ids[named[-1]]
    different = named[ids[named] != last]
    later = named[named > different[-1]] if len(different) else named
    return int(later[0])
