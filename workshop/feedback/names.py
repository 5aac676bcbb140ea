"""Names seen in customers' comments, offered to the consultant for the mapping's do-not-show list.

"Sarah at the Leeds store sorted it" names a member of staff. The scrub hides a name only once it is on
``privacy: do_not_show`` in mapping.yml, and nobody can list a client's staff in advance; so the check lists
the capitalised words of the comments that are common first names, each with how often it is seen, and the
consultant adds those that are people. The offer is shown to the consultant alone, at the check (``workshop
check`` and the mapping panel): that is its purpose. Nothing here changes the mapping.

A word is offered when it is:

- on a first-name list shipped inside Faker (``faker.providers.person``: 86 locales, about 24,000 single-word
  names, read from the installed package; nothing is downloaded);
- written with a capital and the rest in lower case ("Sarah"; not "SARAH", which says nothing, nor "sarah");
- not a month or a weekday (always capitalised in English, so their capital is no evidence);
- not a word of a name already on the do-not-show list;
- and seen as a name at least as often as as a word. Many first names are ordinary words too (Will, May, Hope,
  Bill, Summer). A capital inside a sentence ("ask for Will at the desk") is evidence of a name; at the start
  of a sentence a capital is no evidence, so there it counts only for a word that the comments never write in
  lower case and that is not on Faker's lists of common words (``faker.providers.lorem``: "will", "may",
  "hope", "price" in English, and the like for about 30 other languages). A word the comments write in lower
  case ("will", 40 times) is offered only when it is capitalised inside sentences at least as often.

Surnames are not offered (no list tells them from brands and places): the consultant adds the full name as
the comments write it ("Sarah Jones"), and the scrub then hides it in any case, with or without accents.
This module reads only the installed lists; it must not import widgets.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import faker.providers.lorem
import faker.providers.person
import pandas as pd

from workshop.feedback.privacy import PrivacyRules

NAMES_SHOWN = 30
"""Names the offer spells out, most often seen first; the rest are counted."""
CALENDAR_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?…\n]")


def _provider_lists(package, attributes: tuple[str, ...]) -> set[str]:
    """Every list ``attributes`` names on the ``Provider`` of each locale module under a Faker provider package.

    Some locales compute an attribute (a property): only lists, tuples, dicts and sets are read.
    """
    words: set[str] = set()
    for module in pkgutil.iter_modules(package.__path__):
        provider = getattr(importlib.import_module(f"{package.__name__}.{module.name}"), "Provider", None)
        for attribute in attributes:
            value = getattr(provider, attribute, None)
            if isinstance(value, (list, tuple, dict, set, frozenset)):
                words.update(str(word) for word in value)
    return words


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Single-word first names from Faker's locales, as written ("Sarah", "Siobhán", "Jean-Pierre")."""
    names = _provider_lists(
        faker.providers.person, ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")
    )
    return frozenset(name for name in names if len(name) > 1 and _WORD.fullmatch(name) and _is_capitalised(name))


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Faker's lists of common words (lower case), in English and 30 other languages."""
    return frozenset(word.lower() for word in _provider_lists(faker.providers.lorem, ("word_list",)))


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and word[1:] == word[1:].lower() and word[1:] != word[1:].upper()


def names_in_comments(
    comments: Iterable[object] | pd.Series, rules: PrivacyRules = PrivacyRules()
) -> list[tuple[str, int]]:
    """Likely first names in ``comments``, each with how often it is seen capitalised, most often first.

    Missing comments are skipped; names already among ``rules.do_not_show`` are left out.
    """
    known = first_names()
    listed = {word.casefold() for name in rules.do_not_show for word in _WORD.findall(name)}
    inside: Counter[str] = Counter()
    opening: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in comments:
        if not isinstance(text, str):
            continue
        previous_end = None
        for match in _WORD.finditer(text):
            word = match.group()
            if word.islower():
                lower[word] += 1
            elif word in known:
                starts_sentence = previous_end is None or _SENTENCE_END.search(text, previous_end, match.start())
                (opening if starts_sentence else inside)[word] += 1
            previous_end = match.end()
    ordinary = common_words()
    offered = []
    for word in set(inside) | set(opening):
        folded = word.casefold()
        if folded in CALENDAR_WORDS or folded in listed:
            continue
        as_word = lower[word.lower()]
        evidence = inside[word] + (0 if as_word or word.lower() in ordinary else opening[word])
        if evidence and evidence >= as_word:  # a tie is offered: a name missed costs more than one read
            offered.append((word, inside[word] + opening[word]))
    return sorted(offered, key=lambda item: (-item[1], item[0]))


def names_offer(names: list[tuple[str, int]], comments: int) -> str:
    """The offer in one sentence, for the consultant at the check; empty when no name was seen."""
    if not names:
        return ""
    shown = ", ".join(f"{name} ({count:,})" for name, count in names[:NAMES_SHOWN])
    more = f", and {len(names) - NAMES_SHOWN:,} more" if len(names) > NAMES_SHOWN else ""
    return (
        f"Names seen in comments ({len(names):,} different, in {comments:,} comments; add those that are "
        f"people to privacy: do_not_show in mapping.yml): {shown}{more}."
    )
