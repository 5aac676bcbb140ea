"""A client's values (touchpoints, segments) as the workshop's ids: the one rule, for one value
(``value_id``) and for a whole column at once (``resolve_values``), used by the suggestion and the loader."""

from __future__ import annotations

import pandas as pd

from workshop.feedback.scales import fold, fold_all


def value_id(text: str) -> str:
    """A client value as a workshop value: lower case, words joined by ``_`` ('Call centre' → 'call_centre')."""
    stripped = pd.Series([str(text).strip()], dtype=object)
    return str(_ids(fold_all(stripped), stripped).iloc[0])


def _ids(folded: pd.Series, texts: pd.Series) -> pd.Series:
    """``value_id`` of many texts from their folded forms: the one rule, worked on a whole column at once."""
    ids = folded.str.replace(r"[^0-9a-z]+", "_", regex=True).str.strip("_")
    return ids.where(ids != "", texts)


def resolve_values(values: list[str], value_map: dict[str, str], known: list[str]) -> tuple[list[str], list[bool]]:
    """Each client value translated, and whether it is one of ``known``.

    The value map wins; then a known value written differently ('Phone ' is 'phone'); anything else becomes
    its ``value_id`` so that 'Consumer' and 'consumer' are one segment. With no known list every value
    counts as known. Worked on all values at once: a free-text column mapped as a segment brings a hundred
    thousand of them a chunk.
    """
    folded_map = {fold(k): v for k, v in value_map.items()}
    by_id = {value_id(k): k for k in known}
    texts = pd.Series([str(v).strip() for v in values], dtype=object)
    folded = fold_all(texts)
    ids = _ids(folded, texts)
    # Object dtype throughout: a map that matches nothing is all-NaN floats, which text must not fill.
    ours = folded.map(folded_map).astype(object)
    ours = ours.where(ours.notna(), ids.map(by_id).astype(object))
    return ours.where(ours.notna(), ids.astype(object)).tolist(), (ours.notna() | (not known)).tolist()
