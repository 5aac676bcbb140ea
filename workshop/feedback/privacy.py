"""The privacy scrub: personal details in customers' comments become placeholders before anyone sees them.

The rule: **raw comments never leave the workshop folder.** Every path that displays or exports a comment
(the verbatim explorer, reports, CSV/XLSX exports, the set-aside rows file) must pass it through ``scrub``
or ``scrub_series`` first. Raw text stays in the client's file and in the kernel's memory, nowhere else.

What is replaced, in this order (earlier kinds win where two overlap):

================ ============= ===========================================================================
kind             placeholder   what counts
================ ============= ===========================================================================
safe pattern     (kept as is)  anything matching a regex the mapping declares safe (e.g. ``ORD-\\d{6}``, or a
                               brand's own handle, ``(?i)@jetblue\\b``): protected first, so a safe order
                               number is never mistaken for a phone and the brand's handle stays readable
e-mail address   ``[email]``   ``local@domain.tld``
handle           ``[handle]``  ``@united``, ``@JetBlue_Help``, ``@jet.blue`` (Twitter/X, Instagram): ``@``
                               then 1–30 ASCII letters, digits, ``_`` or inner dots, starting with a letter
                               or ``_``; not "@5pm", not the ``@`` of an e-mail address or of ``me@home``
IBAN             ``[iban]``    country code, 2 check digits, 11–30 letters/digits, spaces allowed,
                               mod-97 checked (ISO 13616)
card number      ``[card]``    13–19 digits with optional spaces or dashes, Luhn checked
phone number     ``[phone]``   by shape: international (``+44 20 7946 0958``, ``0044 …``, 8–15 digits),
                               national with a trunk 0 (``020 7946 0958``, ``07700 900123``,
                               ``(030) 1234567``, 9–12 digits; ``030/12345678`` with a slash after the area
                               code), North American with or without the 1 (``(555) 123-4567``,
                               ``555.123.4567``, ``1-800-555-0199``, ``1 (800) 555-0199``), also straight
                               after an ellipsis or a word's full stop (``call me...919-675-0985``); then,
                               as a second opinion, any number Google's ``phonenumbers`` reads as valid in
                               ``PHONE_REGIONS`` (US, GB; ``+``-prefixed numbers of every country), which
                               finds ``9196750985``, ``919-6750985`` and ``… ext 2``
name             ``[name]``    a name on the mapping's do-not-show list: whole words, any case, accents
                               optional (``José`` also finds ``Jose`` and ``JOSÉ``)
================ ============= ===========================================================================

Near-misses are kept: years (2025), prices (£49.99, 1,299.00 EUR), dates (12/03/2025, 2025-03-12,
06.03.2025 10.30), times, scores (9/10), short numbers, order and tracking references
(112-3456789-1234567), and 13–19 digit reference numbers that fail the Luhn check. A ten-digit reference
that is also a valid North American number (2125551234) is read as a phone: declare such references in
``safe_patterns``. Vanity numbers (1-800-FLOWERS) are a company's, and are kept.

The scrub is idempotent (scrubbing scrubbed text changes nothing) and leaves no e-mail-shaped token.
It is pure text processing: it reads no files and knows nothing of widgets or the mapping file's layout.
Which names to put on the do-not-show list is offered from the comments by ``workshop.feedback.names``.

A whole column can be personal too: ``looks_personal`` tells, from its heading, a column of people's names,
handles or contact details (author, reviewer name, username, customer name, e-mail, phone, screen name),
whose values a preview shows as ``HIDDEN_PERSONAL`` and never raw.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any, Protocol

import pandas as pd
from phonenumbers import Leniency, PhoneNumberMatcher

PLACEHOLDERS = ("[email]", "[handle]", "[phone]", "[card]", "[iban]", "[name]")
_MASK = "\ue000"
"""Stands in for text already dealt with, so later kinds neither see it nor join across it (not a word char)."""

_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@\ue000])@(?=[A-Za-z_])[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")
"""A Twitter/X or Instagram handle: ASCII letters, digits, ``_`` and inner dots, up to 30 characters. It must
start with a letter or ``_``, so that "@5pm" (at five) is kept; e-mail addresses are found before handles."""
# Numbers may not touch text already replaced (the mask), so that scrubbing scrubbed text finds nothing new.
# A phone may follow a label's colon ("Tel:0770..."), but not a time's ("10:30" is no start of a number); it may
# follow an ellipsis or a word's full stop ("call me...919-675-0985", "me.919..."), never a number's dot (1.5).
_IBAN = re.compile(
    r"(?<![\w\ue000])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?(?![\w\ue000])", re.IGNORECASE
)
_CARD = re.compile(r"(?<![\w+.,/\ue000-])\d(?:[ -]?\d){12,18}(?![\w\ue000]|[.,/]\d)")
_PHONE_RUN = re.compile(
    r"(?:(?<=\.\.)|(?<=[^\W\d_]\.)|(?<![\w+.,/\ue000-]))(?<!\d:)"
    r"\+?\(?\d[\d().\-/ ]*\d(?![\w\ue000]|[.,/:]\d)"
)
"""A stretch of digits, spaces, dots, slashes, dashes and brackets; ``_phones_in`` finds the phone numbers
inside it."""
_AREA_CODE = re.compile(r"0[1-9]\d{1,3}")
"""A German-style area code written before a slash (``030/12345678``, ``0171/1234567``): 3–5 digits from 0."""
_PHONE_GROUP = re.compile(r"\+?\(?\d+\)?")
_DIGIT = re.compile(r"\d")
HIDDEN_PERSONAL = "[hidden: personal]"
_PERSONAL_WORDS = frozenset(
    {
        "author",
        "reviewer",
        "username",
        "userid",
        "email",
        "mail",
        "phone",
        "telephone",
        "tel",
        "mobile",
        "cell",
        "handle",
        "nickname",
        "surname",
        "firstname",
        "lastname",
        "fullname",
        "screenname",
    }
)
"""A heading with one of these words is a column of people or their contact details ("Reviewer", "E-mail")."""
_PERSON_QUALIFIERS = frozenset(
    {
        "user",
        "customer",
        "client",
        "guest",
        "reviewer",
        "author",
        "first",
        "last",
        "full",
        "given",
        "family",
        "display",
        "screen",
        "profile",
        "contact",
        "member",
        "employee",
        "staff",
        "agent",
        "respondent",
        "sender",
        "poster",
        "your",
        "my",
    }
)
"""With "name", these make a person's name ("customer name", "user_name"); "product name" is no person's."""
PHONE_REGIONS = ("US", "GB")
"""Where ``phonenumbers`` reads a number written without its country code (``+1 …``/``+44 …`` are read
anywhere): North America's and the United Kingdom's national forms. Other regions' are left to the regexes,
which know the trunk-0 forms; adding a region such as DE or FR would read order references as numbers."""
PHONE_DIGITS_MIN = 7
"""Text with fewer digits holds no phone number, and is not given to ``phonenumbers`` (it is the slow pass)."""
_DATE = re.compile(r"(?<!\d)(?:\d{1,2}([./-])\d{1,2}\1(?:19|20)\d{2}|(?:19|20)\d{2}([./-])\d{1,2}\2\d{1,2})(?!\d)")
_COMBINING = "[\u0300-\u036f]*"


def looks_personal(heading: object) -> bool:
    """Does a column heading name people or their contact details? ``Reviewer name``, ``AuthorName``,
    ``user_screen_name``, ``E-mail``, ``Phone``, ``name`` do; ``Product name``, ``Customer type``,
    ``Comments`` do not. Words are split at spaces, punctuation and camelCase, any case."""
    text = re.sub(r"e-mail", "email", str(heading), flags=re.IGNORECASE)
    words = [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", text)]
    if _PERSONAL_WORDS & set(words) or _PERSONAL_WORDS & {a + b for a, b in pairwise(words)}:
        return True
    return "name" in words and (words == ["name"] or bool(_PERSON_QUALIFIERS & set(words)))


def luhn_valid(digits: str) -> bool:
    """The Luhn check every payment card number passes.

    We scrub a 13–19 digit number only when it passes: all issuers' card numbers do, while only one in ten
    random order, tracking or account references does, so customers' reference numbers stay readable.
    """
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(text: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to 10–35, the number mod 97 is 1."""
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _is_phone(groups: list[str], separators: list[str]) -> bool:
    """Is this run of digit groups one phone number, in an international, trunk-0 or North American form
    (``555-123-4567``, ``(555) 123-4567``, with or without the country code 1)?

    Groups are digits, possibly with a leading ``+`` or in brackets; separators are one space, dot or dash,
    nothing next to a bracket, or a slash after a leading area code (never between the parts of a date or a
    score such as 0/10). A run holding a date with a four-digit year is never a phone.
    """
    for position, (sep, (left, right)) in enumerate(zip(separators, pairwise(groups), strict=True)):
        area_code = sep == "/" and position == 0 and _AREA_CODE.fullmatch(left) is not None
        if (
            sep not in (" ", ".", "-")
            and not area_code
            and not (sep == "" and (left.endswith(")") or right.startswith("(")))
        ):
            return False
    text = "".join(group + sep for group, sep in zip(groups, [*separators, ""], strict=True))
    if _DATE.search(text):
        return False
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return 8 <= len(digits) <= 15
    if text.startswith("00"):
        return 8 <= len(digits) - 2 <= 15
    if text.startswith(("0", "(0")):
        return 9 <= len(digits) <= 12
    lengths = [len(re.sub(r"\D", "", group)) for group in groups]
    if lengths == [1, 3, 3, 4] and groups[0] == "1":  # North America's country code, "1-800-555-0199"
        lengths, groups, separators = lengths[1:], groups[1:], separators[1:]
    return lengths == [3, 3, 4] and "(" not in groups[1] + groups[2] and separators[1] != ""


def _phones_in(run: str) -> list[tuple[int, int]]:
    """Spans of phone numbers inside a run: leftmost first, each as long as it can be.

    A phone starts where the run does or after a space, so the tail of a date ("06.03.2025 10.30") is never
    read as a number of its own; it ends where the run does, before a space, or before a slash (an extension
    or alternative, "07700 900123/4"). An opening bracket whose number has no closing one is left outside.
    """
    groups = [(m.start(), m.end()) for m in _PHONE_GROUP.finditer(run)]
    texts = [run[start:end] for start, end in groups]
    separators = [run[end:start] for (_, end), (start, _) in pairwise(groups)]
    can_start = [i == 0 or " " in separators[i - 1] for i in range(len(groups))]
    can_end = [i == len(groups) - 1 or " " in separators[i] or separators[i] == "/" for i in range(len(groups))]
    spans = []
    first = 0
    while first < len(groups):
        last = next(
            (
                last
                for last in range(len(groups) - 1, first - 1, -1)
                if can_start[first] and can_end[last] and _is_phone(texts[first : last + 1], separators[first:last])
            ),
            None,
        )
        if last is None:
            first += 1
        else:
            start, end = groups[first][0], groups[last][1]
            if run[start] == "(" and ")" not in run[start:end]:
                start += 1
            spans.append((start, end))
            first = last + 1
    return spans


def _phones_by_library(region: str) -> Callable[[str], list[tuple[int, int]]]:
    """Spans of the numbers ``phonenumbers`` reads as valid for ``region`` (its numbering plan, not a shape):
    the second opinion that finds what the regexes do not know ("9196750985", "919-6750985", "… ext 2")."""

    def find(text: str) -> list[tuple[int, int]]:
        if len(_DIGIT.findall(text)) < PHONE_DIGITS_MIN:
            return []
        return [(match.start, match.end) for match in PhoneNumberMatcher(text, region, leniency=Leniency.VALID)]

    return find


@lru_cache(maxsize=8192)
def _fold(char: str) -> str:
    """One character without its accents, lower case; kept as is when folding would change the length."""
    bare = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)).casefold()
    return bare if len(bare) == 1 else char.casefold() if len(char.casefold()) == 1 else char


def _fold_text(text: str) -> str:
    """``_fold`` for every character; same length as ``text``, so positions carry over."""
    return text.lower() if text.isascii() else "".join(_fold(char) for char in text)


def _name_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    """Whole-word, accent- and case-tolerant pattern for the do-not-show names, longest name first."""
    words = [re.split(r"\s+", name.strip()) for name in names if name and name.strip()]
    if not words:
        return None
    words.sort(key=lambda parts: -len(" ".join(parts)))
    alternatives = [
        r"\s+".join("".join(re.escape(_fold(c)) + _COMBINING for c in word) for word in parts) for parts in words
    ]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


@dataclass(frozen=True)
class PrivacyRules:
    """What the mapping adds to the scrub: names never to show, and patterns that are safe to show.

    ``do_not_show`` are people's names (staff, customers) as written; ``safe_patterns`` are regular
    expressions for references the client wants kept readable, e.g. ``ORD-\\d{6}``. ``mapping.yml``'s
    ``privacy:`` block is checked by ``workshop.feedback.mapping``; build this from its lists.
    """

    do_not_show: tuple[str, ...] = ()
    safe_patterns: tuple[str, ...] = ()


class HasPrivacyBlock(Protocol):
    """A feedback mapping (``workshop.feedback.mapping.FeedbackMapping``): its checked ``privacy:`` lists."""

    @property
    def privacy(self) -> Mapping[str, list[str]]: ...


def privacy_rules(mapping: HasPrivacyBlock | None) -> PrivacyRules:
    """The scrub rules a mapping declares; no mapping means the built-in kinds only.

    The one way from ``mapping.yml``'s ``privacy:`` block to ``PrivacyRules``: every display and export
    path (explorer, report, exports) asks here, so no path forgets the do-not-show names.
    """
    if mapping is None:
        return PrivacyRules()
    return PrivacyRules(tuple(mapping.privacy.get("do_not_show", ())), tuple(mapping.privacy.get("safe_patterns", ())))


@lru_cache(maxsize=32)
def _passes(do_not_show: tuple[str, ...], safe_patterns: tuple[str, ...]) -> list[tuple[Callable, str | None]]:
    """The scrub's passes in order: each finds spans in the (masked) text and names their placeholder."""

    def regex(pattern: re.Pattern, check: Callable[[str], bool] = lambda _t: True) -> Callable:
        return lambda text: [(m.start(), m.end()) for m in pattern.finditer(text) if check(m.group())]

    def phones(text: str) -> list[tuple[int, int]]:
        return [(m.start() + a, m.start() + b) for m in _PHONE_RUN.finditer(text) for a, b in _phones_in(m.group())]

    safe = [regex(re.compile(p)) for p in safe_patterns]
    names = _name_pattern(do_not_show)
    passes: list[tuple[Callable, str | None]] = [(regex(_PLACEHOLDER), None)] + [(find, None) for find in safe]
    passes += [
        (regex(_EMAIL), "[email]"),
        (regex(_HANDLE), "[handle]"),
        (regex(_IBAN, iban_valid), "[iban]"),
        (regex(_CARD, lambda t: luhn_valid(re.sub(r"\D", "", t))), "[card]"),
        (phones, "[phone]"),
    ]
    passes += [(_phones_by_library(region), "[phone]") for region in PHONE_REGIONS]
    if names is not None:
        passes.append((lambda text: [(m.start(), m.end()) for m in names.finditer(_fold_text(text))], "[name]"))
    return passes


def scrub(text: Any, do_not_show: Iterable[str] = (), safe_patterns: Iterable[str] = ()) -> Any:
    """``text`` with e-mails, handles, IBANs, card and phone numbers and do-not-show names replaced by placeholders.

    Missing values (None, NaN, pd.NA) are returned unchanged; anything else is scrubbed as text.
    ``safe_patterns`` are regular expressions whose matches are always kept as written.
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return text
    text = str(text)
    # A placeholder can make a neighbour read as a number it did not read as before ("0000000000.[phone]"),
    # so the scrub is repeated until nothing changes: scrubbing a scrubbed text leaves it as it is.
    do_not_show, safe_patterns = tuple(do_not_show), tuple(safe_patterns)
    scrubbed = _scrub_once(text, do_not_show, safe_patterns)
    for _ in range(3):
        if (again := _scrub_once(scrubbed, do_not_show, safe_patterns)) == scrubbed:
            break
        scrubbed = again
    return scrubbed


def _scrub_once(text: str, do_not_show: tuple[str, ...], safe_patterns: tuple[str, ...]) -> str:
    working = text
    replacements: list[tuple[int, int, str | None]] = []
    for find, placeholder in _passes(do_not_show, safe_patterns):
        for start, end in find(working):
            if start == end:
                continue
            replacements.append((start, end, placeholder))
            working = working[:start] + _MASK * (end - start) + working[end:]
    pieces, position = [], 0
    for start, end, placeholder in sorted(replacements):
        pieces.append(text[position:start])
        pieces.append(text[start:end] if placeholder is None else placeholder)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def scrub_series(series: pd.Series, do_not_show: Iterable[str] = (), safe_patterns: Iterable[str] = ()) -> pd.Series:
    """``scrub`` for a column of comments: each distinct comment is scrubbed once; missing stays missing.

    The result has the same index and name; scrubbed values are text (``object`` dtype).
    """
    do_not_show, safe_patterns = tuple(do_not_show), tuple(safe_patterns)
    present = series.dropna()
    distinct = pd.unique(present.astype(str))
    scrubbed = {raw: scrub(raw, do_not_show, safe_patterns) for raw in distinct}
    result = series.astype(object).copy()
    result[present.index] = present.astype(str).map(scrubbed).to_numpy(dtype=object)
    return result
