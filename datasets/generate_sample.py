"""Generate the advocate feedback of Bramblewick Home, the fictional company the kit ships with.

Seeded and reproducible: the same seed always writes a byte-identical CSV (whole-point scores, ISO dates,
"\\n" line endings, no timestamps). The stories a workshop should discover are planted on purpose and
described in ``datasets/README.md``; ``tests/test_sample.py`` asserts each one on the generated data.
The pillar ids and touchpoints come from ``datasets/sample/promise.yml``. This script uses numpy, pandas and
the kit's own promise and NPS rules only; it reads nothing but that promise and writes nothing but the one
CSV it is asked for.

Run from the repository root::

    python datasets/generate_sample.py [--seed N] [--rows N] [--out PATH]

Scores are 0-10 whole points; a question the customer did not answer is blank, never 0.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workshop.errors import Problem, PromiseError
from workshop.feedback.advocates import nps_band
from workshop.files import atomic_write_text
from workshop.promise import load_promise

SAMPLE = Path(__file__).resolve().parent / "sample"
PROMISE_PATH = SAMPLE / "promise.yml"
FEEDBACK_PATH = SAMPLE / "feedback.csv"
DEFAULT_SEED = 20250401
DEFAULT_ROWS = 5000
FIRST_DAY = pd.Timestamp("2025-04-01")
LAST_DAY = pd.Timestamp("2026-09-30")

TOUCHPOINT_MIX = {"store": 0.30, "web": 0.28, "phone": 0.16, "delivery": 0.16, "email": 0.10}
"""Share of responses triggered at each touchpoint (the survey follows a visit, a call, an order...)."""
TOUCHPOINT_SHIFT = {"store": 0.2, "web": 0.0, "phone": 0.0, "delivery": 0.0, "email": -0.1}
"""Everyday differences between touchpoints, in points; phone's gap is a story (``SampleModel``)."""
SEGMENT_MIX = {"new": 0.50, "returning": 0.38, "trade": 0.12}
SEGMENT_SHIFT = {"new": 0.0, "returning": 0.25, "trade": -0.3}
"""Returning customers are a little warmer; trade buyers (landlords, designers) a little harder to please."""

HALO = 0.5
"""Spread, in points, of a customer's general warmth, shared by all their answers (a happy customer rates
everything a little higher), which makes pillars correlate the way real survey answers do."""
SCORE_NOISE = 1.5
"""Spread, in points, of each answer around what that customer experienced."""
TYPICAL_SCORE = 7.0
"""Points: an unremarkable experience of a pillar, which neither raises nor lowers recommend."""
RECOMMEND_BASE = 7.6
"""Recommend (0-10) of a customer whose every pillar was typical: Bramblewick is liked."""
RECOMMEND_NOISE = 1.1
BLANK_RATE = 0.04
"""Share of pillar questions skipped anywhere; ``SKIPPED`` adds to it where a question fits the visit badly."""
SKIPPED = {
    ("easy_online", "store"): 0.35,
    ("easy_online", "phone"): 0.30,
    ("on_time_delivery", "store"): 0.15,
    ("put_right", "store"): 0.25,
    ("put_right", "web"): 0.25,
    ("put_right", "delivery"): 0.20,
}
RECOMMEND_BLANK_RATE = 0.03
COMMENT_RATE = 0.25
"""Share of customers who write a comment; those with strong feelings write twice as often."""
PRIVATE_COMMENT_RATE = 0.025
"""Share of comments carrying personal details the privacy scrub must remove."""
NEAR_MISS_COMMENT_RATE = 0.04
"""Share of comments carrying numbers that look personal but are not (years, prices, order numbers)."""


@dataclass(frozen=True)
class PillarStory:
    """How customers experience one pillar over the 18 months.

    ``start`` and ``end`` are the typical score (0-10 points, before touchpoint, segment and the customer's
    own warmth) on the first and last day; between them it moves in a straight line. ``pull`` is how much
    this pillar moves a customer's "would you recommend us?" (points of recommend per point of pillar).
    """

    start: float
    end: float
    pull: float


@dataclass(frozen=True)
class SampleModel:
    """Everything that makes the sample tell its stories (tests take each one out to prove its check)."""

    pillars: dict[str, PillarStory]
    phone_penalty: float
    """Points every pillar loses when the customer dealt with us by phone."""


PLANTED = SampleModel(
    pillars={
        # Marketing's loudest claim ("your sofa in 14 days") that operations does not deliver.
        "on_time_delivery": PillarStory(start=5.6, end=5.6, pull=0.05),
        # What advocates come back for, slipping as experienced store staff leave.
        "expert_advice": PillarStory(start=8.6, end=6.8, pull=0.70),
        "made_to_last": PillarStory(start=7.8, end=7.8, pull=0.20),
        "put_right": PillarStory(start=7.5, end=7.5, pull=0.10),
        # The website and app relaunch paying off.
        "easy_online": PillarStory(start=6.5, end=8.4, pull=0.05),
    },
    phone_penalty=1.6,
)

# Comment sentences per pillar and feeling. Each names its pillar in words a keyword theme can match.
PILLAR_SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "on_time_delivery": {
        "good": (
            "Delivered on the day and in the slot, as promised.",
            "Arrived on time, assembled, and they took the packaging away.",
            "Delivery was quicker than I expected.",
            "The drivers texted ahead and arrived on time.",
        ),
        "mixed": (
            "Arrived in the end, but the delivery date moved once.",
            "Delivery came on the right day, just late in the slot.",
        ),
        "poor": (
            "Told 14 days, it took seven weeks.",
            "The delivery slot was 7am to 7pm, not the two hours promised.",
            "Nobody turned up on the delivery day and nobody called.",
            "Delivery was rescheduled three times.",
            "The sofa arrived a month late.",
            "Waited in all day for a delivery that never came.",
            "Late delivery again, so much for 14 days.",
        ),
    },
    "expert_advice": {
        "good": (
            "The adviser knew the range inside out.",
            "Really helpful staff, they asked about our room and our dog.",
            "The design adviser talked me out of the wrong sofa. Proper advice.",
            "Knowledgeable and not pushy.",
            "Staff knew exactly which fabric would suit a family home.",
        ),
        "mixed": (
            "Helpful enough, but the adviser had to look everything up.",
            "Good advice once we found someone free.",
        ),
        "poor": (
            "Nobody could answer a question about the fabrics.",
            "Staff seemed new and didn't know the products.",
            "Asked for advice and was handed a leaflet.",
            "No design adviser available, come back Tuesday.",
            "The person I spoke to knew less than I did.",
        ),
    },
    "made_to_last": {
        "good": (
            "Solid frame, still like new after a year.",
            "The quality is excellent, you can feel it.",
            "Sturdy table, nothing wobbles.",
            "The fabric has worn really well with two kids.",
        ),
        "mixed": (
            "Good quality frame, the cushions less so.",
            "Sturdy enough, though the finish marks easily.",
        ),
        "poor": (
            "Cushions sagging after six months.",
            "The chair leg cracked within a year.",
            "The fabric is already bobbling.",
            "Drawer runners broke in weeks, poor quality for the price.",
        ),
    },
    "put_right": {
        "good": (
            "Had a problem with a scratch and it was fixed within a week.",
            "Complaint sorted in one call.",
            "They replaced the damaged part without any fuss.",
            "The refund came through quickly.",
        ),
        "mixed": (
            "Got sorted in the end, but it took a lot of chasing.",
            "The fix was fine, the wait for it was not.",
        ),
        "poor": (
            "Had to explain the problem four times to different people.",
            "Complaint still not resolved after six weeks.",
            "Promised a callback that never came.",
            "Had to chase the refund again and again.",
            "Repair visit booked, nobody came.",
        ),
    },
    "easy_online": {
        "good": (
            "The website made it easy to find what I wanted.",
            "The app's see-it-in-your-room view sold it to me.",
            "Ordering online was quick and simple.",
            "Easy to compare fabrics on the website.",
        ),
        "mixed": (
            "The website is fine once you find things.",
            "Ordering online worked, the filters less so.",
        ),
        "poor": (
            "The website kept crashing at checkout.",
            "Could not find delivery dates anywhere online.",
            "The app's room view didn't work on my phone.",
            "The filters on the website are useless.",
            "Gave up online and had to ring them.",
        ),
    },
}
TOUCHPOINT_SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "phone": {
        "good": ("The lady on the phone was lovely.", "Quick answer when I rang."),
        "poor": ("On hold for 40 minutes.", "Passed between three people on the phone.",
                 "The call centre cut me off twice.", "Rang three times before anyone answered."),
    },
    "store": {
        "good": ("Lovely store, nice to see things in person.", "The showroom was calm and tidy."),
        "poor": ("The store was short-staffed.", "Queued twenty minutes at the store till."),
    },
    "web": {
        "good": ("Clear photos and honest sizes online.",),
        "poor": ("The live chat never answered.",),
    },
    "email": {
        "good": ("Clear confirmation emails.",),
        "poor": ("Emails took days to get a reply.", "Got three emails with three different dates."),
    },
    "delivery": {
        "good": ("The two drivers were careful on our stairs.",),
        "poor": ("The crew left the packaging in the hall.",),
    },
}
CLOSING_SENTENCES = {
    "promoter": ("Would buy again.", "Already recommended you to my sister.", "Thank you!", "Ten out of ten."),
    "passive": ("Otherwise fine.", "Decent overall.", "Not bad."),
    "detractor": ("Won't be ordering again.", "Very disappointed.", "Not what the adverts say.", "Sort it out."),
}
"""What a customer adds at the end, by how likely they are to recommend us (NPS band)."""
CLOSING_RATE = 0.35
DO_NOT_SHOW = ("Megan Tolliver", "Rhys Abernathy")
"""Fictional staff names a client would put on the privacy scrub's do-not-show list."""
PRIVATE_SENTENCES = (
    "You can email me at j.hughes@example.com.",
    "Call me back on 07700 900123.",
    "Please reply to sam.okoro@example.org.",
    "My number is +44 20 7946 0958 if anyone cares.",
    "They charged my card 4111 1111 1111 1111 twice.",
    "Please refund to GB82 WEST 1234 5698 7654 32.",
    f"Ask for {DO_NOT_SHOW[0]}, she was brilliant.",
    f"{DO_NOT_SHOW[1]} on the phone promised a callback.",
    "Ring me on 07700 900461, I'm in after 5.",
    "Landline is 020 7946 0321.",
)
NEAR_MISS_SENTENCES = (
    "Ordered in May 2025.",
    "Paid £49.99 for the delivery slot.",
    "Order {order}.",
    "Bought the sofa in 2025 for £1,299.",
    "Quote {order} if you need it.",
    "Second order with you since January 2026.",
)


def _feeling(score: int) -> str:
    """good 8-10, mixed 6-7, poor 0-5: the wording a customer giving that score would use."""
    if score >= 8:
        return "good"
    return "mixed" if score >= 6 else "poor"


def _check_matches(promise_path: Path, pillar_ids: list[str], touchpoints: list[str], model: SampleModel) -> None:
    """Refuse a promise whose pillars or touchpoints are not the ones the stories are planted in."""
    problems = [
        Problem(promise_path, f"pillar '{pillar_id}'", "id", "has no story in the sample generator",
                "Restore the sample's pillar ids, or add this pillar to PLANTED in datasets/generate_sample.py.")
        for pillar_id in pillar_ids if pillar_id not in model.pillars or pillar_id not in PILLAR_SENTENCES
    ]
    problems += [
        Problem(promise_path, "", "pillars", f"has no pillar '{pillar_id}', which the sample generator needs",
                "Restore the sample's pillars from git.")
        for pillar_id in model.pillars if pillar_id not in pillar_ids
    ]
    problems += [
        Problem(promise_path, "", "touchpoints", f"does not list '{touchpoint}', where sample feedback comes from",
                "Restore the sample's touchpoints from git.")
        for touchpoint in TOUCHPOINT_MIX if touchpoint not in touchpoints
    ]
    if problems:
        raise PromiseError(problems)


def _comments(rng: np.random.Generator, scores: pd.DataFrame, touchpoint: np.ndarray,
              recommend: np.ndarray) -> list[str | None]:
    """A short verbatim for some customers, about the pillar they felt most strongly about.

    Promoters talk about what they scored highest, detractors about what they scored lowest, the rest about
    any pillar they answered. ``recommend`` is 0-10 with NaN when not answered. A few comments also carry
    personal details (for the privacy scrub to remove) or harmless look-alikes (for it to keep).
    """
    rows = len(scores)
    strong = (recommend <= 5) | (recommend == 10)
    writes = rng.random(rows) < np.where(strong, 2 * COMMENT_RATE, COMMENT_RATE)
    mention_touchpoint = rng.random(rows)
    close = rng.random(rows)
    extra = rng.random(rows)
    tiebreak = rng.random(scores.shape)
    picks = rng.integers(0, 1 << 30, size=(rows, 5))
    pillar_ids = list(scores.columns)
    values = scores.to_numpy(dtype=float, na_value=np.nan)
    comments: list[str | None] = [None] * rows
    for row in np.flatnonzero(writes):
        answered = ~np.isnan(values[row])
        if not answered.any():
            continue
        ranked = np.where(answered, values[row] + tiebreak[row] * 0.5, np.nan)
        if recommend[row] >= 9:
            column = int(np.nanargmax(ranked))
        elif recommend[row] <= 6:
            column = int(np.nanargmin(ranked))
        else:
            column = int(np.flatnonzero(answered)[picks[row, 0] % answered.sum()])
        feeling = _feeling(int(values[row, column]))
        options = PILLAR_SENTENCES[pillar_ids[column]][feeling]
        parts = [options[picks[row, 1] % len(options)]]
        about_touchpoint = TOUCHPOINT_SENTENCES[touchpoint[row]]["good" if feeling == "good" else "poor"]
        # Phone complaints are the ones people most often spell out, which is part of the phone story.
        touchpoint_rate = 0.7 if touchpoint[row] == "phone" and feeling != "good" else 0.3
        if mention_touchpoint[row] < touchpoint_rate:
            parts.append(about_touchpoint[picks[row, 2] % len(about_touchpoint)])
        band = nps_band(recommend[row])
        if band is not None and close[row] < CLOSING_RATE:
            parts.append(CLOSING_SENTENCES[band][picks[row, 4] % len(CLOSING_SENTENCES[band])])
        if extra[row] < PRIVATE_COMMENT_RATE:
            parts.append(PRIVATE_SENTENCES[picks[row, 3] % len(PRIVATE_SENTENCES)])
        elif extra[row] < PRIVATE_COMMENT_RATE + NEAR_MISS_COMMENT_RATE:
            order = f"ORD-{100000 + picks[row, 3] % 900000}"
            parts.append(NEAR_MISS_SENTENCES[picks[row, 3] % len(NEAR_MISS_SENTENCES)].format(order=order))
        comments[row] = " ".join(parts)
    return comments


def generate(seed: int = DEFAULT_SEED, rows: int = DEFAULT_ROWS, promise_path: Path = PROMISE_PATH,
             model: SampleModel = PLANTED) -> pd.DataFrame:
    """The sample's feedback as a frame, one row per response, sorted by date.

    Columns: ``response_id``, ``date`` (``YYYY-MM-DD`` text), ``touchpoint``, ``segment``, one column per
    pillar of the promise (0-10 whole points, ``<NA>`` when not answered, never 0), ``recommend`` (0-10,
    ``<NA>`` when not answered) and ``comment`` (text or ``None``).
    """
    promise = load_promise(promise_path)
    _check_matches(Path(promise_path), promise.pillar_ids, promise.touchpoints, model)
    rng = np.random.default_rng(seed)
    days = (LAST_DAY - FIRST_DAY).days
    day = np.sort(rng.integers(0, days + 1, size=rows))
    progress = day / days
    touchpoint = rng.choice(list(TOUCHPOINT_MIX), size=rows, p=list(TOUCHPOINT_MIX.values()))
    segment = rng.choice(list(SEGMENT_MIX), size=rows, p=list(SEGMENT_MIX.values()))
    shift = (pd.Series(touchpoint).map(TOUCHPOINT_SHIFT).to_numpy()
             - np.where(touchpoint == "phone", model.phone_penalty, 0.0)
             + pd.Series(segment).map(SEGMENT_SHIFT).to_numpy())
    warmth = rng.normal(0.0, HALO, size=rows)

    experienced: dict[str, np.ndarray] = {}
    for pillar_id in promise.pillar_ids:
        story = model.pillars[pillar_id]
        typical = story.start + (story.end - story.start) * progress
        experienced[pillar_id] = typical + shift + warmth + rng.normal(0.0, SCORE_NOISE, size=rows)
    leaning = sum(model.pillars[p].pull * (experienced[p] - TYPICAL_SCORE) for p in promise.pillar_ids)
    recommend_points = np.clip(np.rint(RECOMMEND_BASE + leaning + rng.normal(0.0, RECOMMEND_NOISE, rows)), 0, 10)

    scores = pd.DataFrame(index=range(rows))
    for pillar_id in promise.pillar_ids:
        skip_rate = BLANK_RATE + pd.Series(touchpoint).map(
            lambda t, p=pillar_id: SKIPPED.get((p, t), 0.0)).to_numpy()
        points = np.clip(np.rint(experienced[pillar_id]), 0, 10)
        scores[pillar_id] = pd.array(np.where(rng.random(rows) < skip_rate, np.nan, points), dtype="Int64")
    recommend = pd.Series(np.where(rng.random(rows) < RECOMMEND_BLANK_RATE, np.nan, recommend_points),
                          dtype="Int64")

    frame = pd.DataFrame({
        "response_id": [f"BW{n:06d}" for n in range(1, rows + 1)],
        "date": (FIRST_DAY + pd.to_timedelta(day, unit="D")).strftime("%Y-%m-%d"),
        "touchpoint": touchpoint,
        "segment": segment,
    })
    frame = pd.concat([frame, scores], axis=1)
    frame["recommend"] = recommend
    frame["comment"] = _comments(rng, scores, touchpoint, recommend.to_numpy(dtype=float, na_value=np.nan))
    return frame


def to_csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text: blanks for missing, whole numbers, "\\n" line endings, nothing else."""
    return frame.to_csv(index=False, lineterminator="\n", na_rep="")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 up, got {text}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write Bramblewick Home's sample advocate feedback (seeded: same seed, same bytes).")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--rows", type=_positive, default=DEFAULT_ROWS,
                        help=f"number of responses (default {DEFAULT_ROWS})")
    parser.add_argument("--out", type=Path, default=FEEDBACK_PATH,
                        help="CSV file to write (default datasets/sample/feedback.csv)")
    args = parser.parse_args(argv)
    frame = generate(args.seed, args.rows)
    atomic_write_text(args.out, to_csv_text(frame))
    print(f"Wrote {len(frame)} responses to {args.out} (seed {args.seed})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
