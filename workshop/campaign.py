"""The campaign check: before a campaign is unleashed, judge its claim against today's experience of the pillars
it shouts about, at the touchpoints it sends people to, and have those pillars' owners sign it off.

Campaigns live in the workshop folder's ``campaigns.yml``, hand-editable and checked like ``promise.yml``
(every problem with file, line, campaign, field and value)::

    - id: sofa_in_14_days
      claim: Your sofa in 14 days, on the day you choose, or delivery is free.
      pillars: [on_time_delivery]
      loudness: 9
      touchpoints: [delivery, phone]
      reach_per_month: 40000
      start: 2026-11-01

The verdict is ``workshop.gap``'s promise-able rule on the responses at the campaign's touchpoints, read from
``gap.metrics``: this module never decides promise-ability itself. Sign-offs are session events
(``SessionStore.sign_off_campaign``); who may give one (the owners of the campaign's pillars) is decided here.
No widgets, no plotly, and files are written only through ``workshop.files``' stamp-checked save.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from workshop import gap
from workshop.errors import Problem, WorkshopError
from workshop.files import NO_FILE, FileStamp, write_if_unchanged
from workshop.promise import SCORE_MAX, SCORE_MIN, Promise
from workshop.session import CampaignSignOff, SessionState, SessionStore
from workshop.yaml_files import file_in, read_yaml, yaml_text

CAMPAIGNS_FILE = "campaigns.yml"
FILE_HEADER = (
    "# Campaigns marketing plans, checked against today's experience before rollout (step 3/4, 'What the gap costs').\n"
    "# Fields: id, claim, pillars [ids], loudness 0-10 (left out: the loudest pillar's in promise.yml),\n"
    "# touchpoints [where it sends people], reach_per_month, start (YYYY-MM-DD).\n"
    "# Saving from the notebook rewrites this file: comments other than this header are not kept.\n"
)
CAMPAIGN_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SIGNED, HELD, AWAITED, EARLIER = "signed off", "held back", "not yet", "signed an earlier wording"
"""A department's standing on a campaign: its latest word, or none yet, or a word on the campaign before an
edit (which no longer counts)."""


class CampaignError(WorkshopError):
    """``campaigns.yml`` (or a campaign being entered) is not valid, or a sign-off is not the department's to give."""


@dataclass
class Campaign:
    """A planned campaign: its ``claim``, the ``pillars`` (ids) it shouts about at ``loudness`` (0–10; None:
    marketing gave none, so the loudest of its pillars' loudness in ``promise.yml`` counts, see
    ``loudness_of``), the ``touchpoints`` it sends people to (empty: all), the people it reaches per month and
    when it starts."""

    id: str
    claim: str
    pillars: list[str]
    loudness: float | None = None
    touchpoints: list[str] = field(default_factory=list)
    reach_per_month: float = 0.0
    start: date | None = None

    @property
    def stamp(self) -> str:
        """The campaign as judged, in 16 hex digits: a sign-off given on another wording does not count."""
        text = json.dumps(_as_data(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


FIELDS = tuple(f.name for f in fields(Campaign))


def _as_data(campaign: Campaign) -> dict[str, Any]:
    data = asdict(campaign)
    for key in ("loudness", "reach_per_month"):
        if data[key] is not None and float(data[key]).is_integer():
            data[key] = int(data[key])
    for key in ("loudness", "start"):
        if data[key] is None:
            del data[key]
    return data


# --- campaigns.yml --------------------------------------------------------------------------------------------


def campaigns_from_data(
    data: Any,
    promise: Promise,
    file: Path | None = None,
    lines: Mapping[tuple, int] | None = None,
    touchpoints: Iterable[str] | None = None,
) -> list[Campaign]:
    """The campaigns of a list of mappings (as read from YAML, ``None`` for an empty file), or ``CampaignError``
    naming the file, line, campaign, field and value of every problem. Pillars must be the promise's;
    touchpoints the feedback's (``touchpoints``; ``None``: the promise's list, when it has one)."""
    lines = lines or {}
    if data is None:
        return []
    if not isinstance(data, list):
        raise CampaignError(
            [
                Problem(
                    file,
                    "",
                    None,
                    "must be a list of campaigns, each starting with '- id:'",
                    "Write one '- id: ...' block per campaign.",
                    repr(data),
                    lines.get(()),
                )
            ]
        )
    known_touchpoints = list(touchpoints) if touchpoints is not None else list(promise.touchpoints)
    problems: list[Problem] = []
    campaigns, seen = [], set()
    for index, raw in enumerate(data):
        where = f"campaign {index + 1}"
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            where = f"campaign '{raw['id']}'"

        def add(key: str | None, message: str, fix: str, value: Any, index: int = index, where: str = where) -> None:
            path = (index,) if key is None else (index, key)
            problems.append(Problem(file, where, key, message, fix, repr(value), lines.get(path, lines.get((index,)))))

        if not isinstance(raw, dict):
            add(None, "must be a set of fields", f"Use the fields {', '.join(FIELDS)}.", raw)
            continue
        for key in raw:
            if key not in FIELDS:
                close = difflib.get_close_matches(str(key), FIELDS, n=1, cutoff=0.6)
                add(
                    str(key),
                    "is not a campaign field",
                    f"Did you mean '{close[0]}'?" if close else f"Use one of: {', '.join(FIELDS)}.",
                    key,
                )
        campaign_id = raw.get("id")
        if not isinstance(campaign_id, str) or not CAMPAIGN_ID.match(campaign_id):
            add(
                "id",
                "must be lower-case letters, digits and _, starting with a letter",
                "Write e.g. 'id: sofa_in_14_days'.",
                campaign_id,
            )
        elif campaign_id in seen:
            add("id", "is used by another campaign", "Give each campaign its own id.", campaign_id)
        seen.add(campaign_id)
        claim = raw.get("claim")
        if not isinstance(claim, str) or not claim.strip():
            add("claim", "must be the words the campaign says", "Write the claim in quotes.", claim)
        pillars = raw.get("pillars")
        if not isinstance(pillars, list) or not pillars:
            add(
                "pillars",
                "must list the pillars the campaign shouts about",
                f"Write e.g. [{promise.pillar_ids[0] if promise.pillars else 'pillar_id'}].",
                pillars,
            )
            pillars = []
        for pillar in pillars:
            if pillar not in promise.pillar_ids:
                add(
                    "pillars", "is not a pillar of the promise", f"Use one of: {', '.join(promise.pillar_ids)}.", pillar
                )
        chosen_touchpoints = raw.get("touchpoints") or []
        if not isinstance(chosen_touchpoints, list):
            add("touchpoints", "must be a list of touchpoints", "Write it as [phone, web].", chosen_touchpoints)
            chosen_touchpoints = []
        for touchpoint in chosen_touchpoints:
            if known_touchpoints and touchpoint not in known_touchpoints:
                add(
                    "touchpoints",
                    "is not a touchpoint the feedback has",
                    f"Use one of: {', '.join(known_touchpoints)}.",
                    touchpoint,
                )
        loudness = raw.get("loudness")
        if loudness is not None and (
            isinstance(loudness, bool)
            or not isinstance(loudness, (int, float))
            or not SCORE_MIN <= loudness <= SCORE_MAX
        ):
            add(
                "loudness",
                "must be a number from 0 to 10",
                "How hard this campaign pushes the claim, out of 10; leave it out to use the pillar's (promise.yml).",
                loudness,
            )
            loudness = None
        reach = raw.get("reach_per_month", 0)
        if isinstance(reach, bool) or not isinstance(reach, (int, float)) or reach < 0:
            add("reach_per_month", "must be a number of people, 0 or more", "Write e.g. 40000.", reach)
            reach = 0
        start = raw.get("start")
        if start is not None and not isinstance(start, date):
            try:
                start = date.fromisoformat(str(start))
            except ValueError:
                add("start", "must be a date YYYY-MM-DD", "Write e.g. 2026-11-01.", start)
                start = None
        campaigns.append(
            Campaign(
                str(campaign_id),
                str(claim or "").strip(),
                list(pillars),
                None if loudness is None else float(loudness),
                list(chosen_touchpoints),
                float(reach),
                start,
            )
        )
    if problems:
        raise CampaignError(problems)
    return campaigns


def load_campaigns_and_stamp(
    path: str | os.PathLike, promise: Promise, touchpoints: Iterable[str] | None = None
) -> tuple[list[Campaign], FileStamp]:
    """The folder's campaigns (a folder means its ``campaigns.yml``; none without the file, stamp
    ``files.NO_FILE``) and the stamp of the bytes read, for ``save_campaigns``."""
    path = file_in(path, CAMPAIGNS_FILE)
    if not path.exists():
        return [], NO_FILE
    document = read_yaml(path, CampaignError, "Check the '- ' before each campaign and the ':' after each field.")
    return campaigns_from_data(document.data, promise, path, document.lines, touchpoints), document.stamp


def dump_campaigns(campaigns: Iterable[Campaign]) -> str:
    return yaml_text(FILE_HEADER, [_as_data(c) for c in campaigns])


def save_campaigns(
    campaigns: list[Campaign],
    path: str | os.PathLike,
    promise: Promise,
    *,
    expected: FileStamp,
    touchpoints: Iterable[str] | None = None,
) -> FileStamp:
    """Check, then write atomically, only if the file is unchanged since it was read with the stamp
    ``expected`` (``files.NO_FILE``: there was none); returns the new stamp. Raises ``CampaignError``, or
    ``StaleFileError`` when another tab saved since."""
    path = file_in(path, CAMPAIGNS_FILE)
    data = [_as_data(c) for c in campaigns]
    campaigns_from_data(data, promise, path, touchpoints=touchpoints)
    return write_if_unchanged(path, dump_campaigns(campaigns).encode("utf-8"), expected)


# --- the verdict ----------------------------------------------------------------------------------------------


PILLARS_LOUDNESS = "the loudest of its pillars' loudness in promise.yml"
"""Where a campaign's loudness comes from when marketing gave none, in the words the sentence says it."""


def loudness_of(campaign: Campaign, promise: Promise) -> float:
    """How hard the campaign shouts (0–10): its own loudness, or, when it gives none, the loudest of its
    pillars' (a campaign on a pillar shouts at least as loud as the promise already does)."""
    if campaign.loudness is not None:
        return campaign.loudness
    return max((promise.pillar(p).loudness for p in campaign.pillars), default=0.0)


@dataclass(frozen=True)
class PillarVerdict:
    """One pillar of a campaign judged by ``gap``'s rule at the campaign's touchpoints: its ``status``, the
    ``share_above`` (0–1) its ``threshold`` with ``n`` answers, and its ``owners``."""

    pillar: str
    name: str
    status: str
    share_above: float
    threshold: float
    n: int
    owners: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """A campaign judged: ``promise_able`` only when every pillar it shouts about is; ``sentence`` says it."""

    campaign: Campaign
    pillars: tuple[PillarVerdict, ...]
    where: str
    loudness: float

    @property
    def promise_able(self) -> bool:
        return all(p.status == gap.PROMISE_ABLE for p in self.pillars)

    @property
    def owners(self) -> tuple[str, ...]:
        """Who signs it off: the owners of its pillars, in the promise's order, each once."""
        return tuple(dict.fromkeys(o for p in self.pillars for o in p.owners))

    def sentence(self) -> str:
        """E.g. "Shouts 9/10 about Delivered when we say, which 26% of customers at delivery, phone score above
        6: broken, not promise-able — coordinate with Operations and Customer service before rollout.\""""
        parts = []
        for p in self.pillars:
            if p.status == gap.NOT_JUDGED:
                parts.append(
                    f"about {p.name}, which too few customers {self.where} scored to judge "
                    f"(n={p.n}): gather feedback there, or ask {_and(p.owners)}"
                )
                continue
            said = f"about {p.name}, which {p.share_above:.0%} of customers {self.where} score above {p.threshold:g}: "
            if p.status == gap.PROMISE_ABLE:
                parts.append(said + "promise-able — the experience backs the claim")
            else:
                parts.append(said + f"{p.status}, not promise-able — coordinate with {_and(p.owners)} before rollout")
        source = "" if self.campaign.loudness is not None else f" ({PILLARS_LOUDNESS})"
        return f"Shouts {self.loudness:g}/10{source} " + "; and ".join(parts) + "."


def _and(names: Iterable[str]) -> str:
    names = list(names) or ["the pillar's owners"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def judge(campaign: Campaign, engine: gap.GapMetrics, promise: Promise, min_n: int = gap.DEFAULT_MIN_N) -> Verdict:
    """The campaign against today's experience of its pillars at its touchpoints, by ``gap.promise_ability_rule``
    on the promise's thresholds (all responses when it names no touchpoint)."""
    flt = gap.Filter(touchpoints=tuple(campaign.touchpoints) or None)
    table = engine.table(flt, "pillar", gap.goal_posts_from_promise(promise), min_n)
    rows = {p: i for i, p in enumerate(table["pillar"])}
    verdicts = []
    for pillar_id in campaign.pillars:
        pillar, i = promise.pillar(pillar_id), rows[pillar_id]
        verdicts.append(
            PillarVerdict(
                pillar_id,
                pillar.name,
                str(table["status"][i]),
                float(table["share_above"][i]),
                float(table["threshold"][i]),
                int(table["n"][i]),
                tuple(pillar.owners),
            )
        )
    where = f"at {', '.join(campaign.touchpoints)}" if campaign.touchpoints else "across all touchpoints"
    return Verdict(campaign, tuple(verdicts), where, loudness_of(campaign, promise))


# --- sign-offs ------------------------------------------------------------------------------------------------


def sign_off(store: SessionStore, verdict: Verdict, department: str, signed: bool, by: str = "") -> None:
    """Record ``department``'s sign-off (or hold) of the judged campaign; only its pillars' owners may give one."""
    if department not in verdict.owners:
        raise CampaignError(
            [
                Problem(
                    None,
                    f"campaign '{verdict.campaign.id}'",
                    "department",
                    "does not own a pillar this campaign shouts about",
                    f"Ask {_and(verdict.owners)} to sign it off.",
                    repr(department),
                )
            ]
        )
    store.sign_off_campaign(verdict.campaign.id, department, signed, by=by, campaign_stamp=verdict.campaign.stamp)


def sign_off_standing(state: SessionState, verdict: Verdict) -> dict[str, tuple[str, CampaignSignOff | None]]:
    """Each owner's standing on the campaign (``SIGNED``, ``HELD``, ``AWAITED`` or ``EARLIER``) and the
    sign-off behind it, in the order of ``Verdict.owners``."""
    standing: dict[str, tuple[str, CampaignSignOff | None]] = {}
    for department in verdict.owners:
        word = state.sign_offs.get((verdict.campaign.id, department))
        if word is None:
            standing[department] = (AWAITED, None)
        elif word.campaign_stamp != verdict.campaign.stamp:
            standing[department] = (EARLIER, word)
        else:
            standing[department] = (SIGNED if word.signed else HELD, word)
    return standing


def ready_for_rollout(state: SessionState, verdict: Verdict) -> bool:
    """Every owner has signed off this wording of the campaign."""
    return all(s == SIGNED for s, _ in sign_off_standing(state, verdict).values())
