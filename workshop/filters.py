"""Filter: which responses count (touchpoints, segments, advocates only, a month range), and its form as
plain data in a views file (report_views.yml). The gap metrics (``workshop.gap``) apply a filter; this module
only says what one is and reads and writes it, naming file, line, item, field and value of every problem."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from workshop.errors import GapError, Problem


@dataclass(frozen=True)
class Filter:
    """Which responses count. ``None`` (or empty) means all; labels are the cube's.

    ``months`` is ``(first, last)`` as ``YYYY-MM``, both included; months are the finest date grain, and a
    range leaves out undated responses.
    """

    touchpoints: tuple[str, ...] | None = None
    segments: tuple[str, ...] | None = None
    advocates_only: bool = False
    months: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        # Sorted tuples: hashable, so the filter can key the histogram cache, and the same choice in another
        # order (a hand-edited report_views.yml) is the same filter, not a second report view.
        for name in ("touchpoints", "segments"):
            value = getattr(self, name)
            object.__setattr__(self, name, tuple(sorted(set(value))) if value else None)
        if self.months is not None:
            object.__setattr__(self, "months", tuple(self.months))

    def caption(self) -> str:
        """The filter in the room's words, for a figure's caption: e.g. "Touchpoints: phone, store. Advocates
        only. Months 2024-01 to 2024-03." ("All responses (no filter)." when it keeps everything)."""
        parts = [
            f"{name}: {', '.join(chosen)}."
            for name, chosen in (("Touchpoints", self.touchpoints), ("Segments", self.segments))
            if chosen
        ]
        if self.advocates_only:
            parts.append("Advocates only.")
        if self.months is not None:
            parts.append(f"Months {self.months[0]} to {self.months[1]}.")
        return " ".join(parts) or "All responses (no filter)."


FILTER_FIELDS = ("touchpoints", "segments", "advocates_only", "months")
"""The fields of a filter as written in a file (``filter_to_dict``); a field left out keeps everything."""
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def filter_to_dict(flt: Filter) -> dict[str, object]:
    """The filter as plain data for a file, only the fields that narrow it: e.g. ``{"touchpoints": ["phone"],
    "advocates_only": True}`` (``{}`` keeps everything). ``filters_from_data`` reads it back."""
    data: dict[str, object] = {}
    for name in ("touchpoints", "segments"):
        if getattr(flt, name):
            data[name] = list(getattr(flt, name))
    if flt.advocates_only:
        data["advocates_only"] = True
    if flt.months is not None:
        data["months"] = list(flt.months)
    return data


def filters_from_data(
    data: object,
    file: Path | None = None,
    lines: Mapping[tuple, int] | None = None,
    touchpoints: Iterable[str] | None = None,
    segments: Iterable[str] | None = None,
) -> list[Filter]:
    """The filters of a list of ``filter_to_dict`` mappings (as read from YAML, ``None`` for an empty file),
    or raise GapError naming the file, line, item (1-based), field and value of every problem.

    ``touchpoints`` and ``segments`` are the labels the feedback has (``None``: not checked, e.g. a folder
    without feedback yet); months are ``YYYY-MM``, the first not after the last.
    """
    lines = lines or {}
    if data is None:
        return []
    if not isinstance(data, list):
        raise GapError(
            [
                Problem(
                    file,
                    "",
                    None,
                    "must be a list of views, each starting with '- '",
                    "Write one '- touchpoints: [phone]' (or '- {}' for all responses) per view.",
                    repr(data),
                    lines.get(()),
                )
            ]
        )
    known = {
        "touchpoints": None if touchpoints is None else list(touchpoints),
        "segments": None if segments is None else list(segments),
    }
    problems: list[Problem] = []
    filters = [_item_filter(index, raw, known, problems, file, lines) for index, raw in enumerate(data)]
    if problems:
        raise GapError(problems)
    return [f for f in filters if f is not None]


def _item_filter(
    index: int,
    raw: object,
    known: Mapping[str, list[str] | None],
    problems: list[Problem],
    file: Path | None,
    lines: Mapping[tuple, int],
) -> Filter | None:
    """The filter of item ``index`` (0-based) of a views file, or None when it is not a set of fields; each
    problem found is added to ``problems`` naming the item (1-based), field, value and line."""

    def add(key: str | None, message: str, fix: str, value: object) -> None:
        path = (index,) if key is None else (index, key)
        line = lines.get(path, lines.get((index,)))
        problems.append(Problem(file, f"item {index + 1}", key, message, fix, repr(value), line))

    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        add(None, "must be a set of fields", f"Use the fields {', '.join(FILTER_FIELDS)}.", raw)
        return None
    for key in raw:
        if key not in FILTER_FIELDS:
            add(str(key), "is not a filter field", f"Use one of: {', '.join(FILTER_FIELDS)}.", key)
    chosen: dict[str, tuple[str, ...] | None] = {}
    for name in ("touchpoints", "segments"):
        value = raw.get(name)
        if value is None:
            chosen[name] = None
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            add(name, "must be a list of labels", f"Write it as [{name[:-1]} label, ...].", value)
            chosen[name] = None
            continue
        labels = known[name]
        for label in value:
            if labels is not None and label not in labels:
                add(
                    name,
                    "names a value the feedback does not have",
                    f"Choose from: {', '.join(labels)}, or remove it.",
                    label,
                )
        chosen[name] = tuple(value)
    advocates_only = raw.get("advocates_only", False)
    if not isinstance(advocates_only, bool):
        add("advocates_only", "must be true or false", "Write true or false.", advocates_only)
        advocates_only = False
    months = raw.get("months")
    if months is not None:
        if (
            not isinstance(months, list)
            or len(months) != 2
            or not all(isinstance(m, str) and _MONTH.fullmatch(m) for m in months)
        ):
            add(
                "months",
                "must be two months YYYY-MM, the first and the last",
                "Write it as [2024-01, 2024-03].",
                months,
            )
            months = None
        elif months[0] > months[1]:
            add("months", "starts after it ends", "Give the earlier month first.", months)
            months = None
    return Filter(chosen["touchpoints"], chosen["segments"], advocates_only, tuple(months) if months else None)
