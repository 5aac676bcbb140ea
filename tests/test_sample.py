"""The sample company: its promise loads, its generator is deterministic, and its planted stories are there.

Each story is a measurement on the generated CSV held to a bar. The same company generated with that one
story taken out must miss that bar and still meet the others, so no check passes by accident and each
check looks at its own story only.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pytest

from workshop.feedback.advocates import PASSIVE_MAX
from workshop.errors import PromiseError
from workshop.files import NO_FILE
from workshop.promise import Promise, load_promise, save_promise

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "datasets" / "sample"
COMMITTED_CSV = SAMPLE / "feedback.csv"
GENERATOR = REPO / "datasets" / "generate_sample.py"

IMPROVING = "easy_online"
SLIPPING = "expert_advice"
ADVOCATES_VALUE = "expert_advice"
REQUIRED_TOUCHPOINTS = {"phone", "store", "email", "web", "delivery"}
SEGMENTS = {"new", "returning", "trade"}


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_sample", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file is executed
    spec.loader.exec_module(module)
    return module


generate_sample = _load_generator()


def read_feedback(path: Path) -> pd.DataFrame:
    """The CSV as a workshop would read it: blanks are missing (NaN), comments stay text."""
    return pd.read_csv(path, dtype={"comment": "string"}, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def promise() -> Promise:
    return load_promise(SAMPLE / "promise.yml")


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("planted") / "feedback.csv"
    generate_sample.main(["--out", str(out)])
    return read_feedback(out)


# --- determinism --------------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes_as_the_committed_csv(tmp_path: Path) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    generate_sample.main(["--seed", str(generate_sample.DEFAULT_SEED), "--out", str(first)])
    generate_sample.main(["--out", str(second)])
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == COMMITTED_CSV.read_bytes(), (
        "datasets/sample/feedback.csv is not what the generator writes: "
        "run `python datasets/generate_sample.py` and commit the result")


def test_a_different_seed_gives_a_different_file(tmp_path: Path) -> None:
    out = tmp_path / "other.csv"
    generate_sample.main(["--seed", "7", "--out", str(out)])
    assert out.read_bytes() != COMMITTED_CSV.read_bytes()


def test_rows_option_sets_the_number_of_responses(tmp_path: Path) -> None:
    out = tmp_path / "small.csv"
    generate_sample.main(["--rows", "250", "--out", str(out)])
    assert len(read_feedback(out)) == 250


def test_csv_uses_plain_line_endings() -> None:
    raw = COMMITTED_CSV.read_bytes()
    assert b"\r" not in raw
    assert raw.endswith(b"\n")


def test_generator_refuses_a_promise_whose_pillars_it_does_not_know(tmp_path: Path, promise: Promise) -> None:
    renamed = promise.copy()
    renamed.pillars[0].id = "speedy_delivery"
    path = tmp_path / "promise.yml"
    save_promise(renamed, path, expected=NO_FILE)
    with pytest.raises(PromiseError) as caught:
        generate_sample.generate(rows=10, promise_path=path)
    message = str(caught.value)
    assert str(path) in message and "pillar 'speedy_delivery'" in message and "no story" in message
    assert "has no pillar 'on_time_delivery'" in message


# --- the promise --------------------------------------------------------------------------------------------


def test_sample_promise_loads_with_every_pillar_field_filled(promise: Promise) -> None:
    assert promise.company and promise.statement
    assert len(promise.pillars) == 5
    assert REQUIRED_TOUCHPOINTS <= set(promise.touchpoints)
    assert all(t == t.lower() for t in promise.touchpoints)
    for pillar in promise.pillars:
        assert pillar.name and pillar.description and pillar.claim, pillar.id
        assert (pillar.target, pillar.threshold) == (10, 6), pillar.id
        assert pillar.owners and set(pillar.owners) <= set(promise.departments), pillar.id
        assert pillar.touchpoints and set(pillar.touchpoints) <= set(promise.touchpoints), pillar.id
        assert pillar.channels and set(pillar.channels) <= set(promise.channels), pillar.id
        assert 0 <= pillar.loudness <= 10, pillar.id
    loudness = sorted(p.loudness for p in promise.pillars)
    assert loudness[-1] > loudness[-2], "one pillar must be clearly the loudest"


def test_feedback_columns_are_the_promise_pillars(planted: pd.DataFrame, promise: Promise) -> None:
    assert list(planted.columns) == (["response_id", "date", "touchpoint", "segment"] + promise.pillar_ids
                                     + ["recommend", "comment"])


# --- values -------------------------------------------------------------------------------------------------


def test_scores_are_whole_points_0_to_10_or_blank(planted: pd.DataFrame, promise: Promise) -> None:
    for column in promise.pillar_ids + ["recommend"]:
        answered = planted[column].dropna()
        assert answered.between(0, 10).all(), column
        assert (answered == answered.round()).all(), column
        assert planted[column].isna().any(), f"{column}: some customers must have skipped it"
        # Skipped is blank, never 0: were blanks written as 0, zeros would be as common as skips (3-21%).
        assert (answered == 0).mean() < 0.01, column


def test_rows_dates_touchpoints_and_segments(planted: pd.DataFrame, promise: Promise) -> None:
    assert len(planted) == 5000
    assert planted["response_id"].is_unique
    assert planted["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    dates = pd.to_datetime(planted["date"], format="%Y-%m-%d")
    assert dates.min() >= pd.Timestamp("2025-04-01") and dates.max() <= pd.Timestamp("2026-09-30")
    assert dates.dt.strftime("%Y-%m").nunique() == 18
    assert dates.is_monotonic_increasing
    assert set(planted["touchpoint"]) == REQUIRED_TOUCHPOINTS
    assert set(planted["segment"]) == SEGMENTS
    assert planted[["touchpoint", "segment"]].notna().all().all()


def test_comments_are_short_many_blank_and_about_pillars(planted: pd.DataFrame) -> None:
    comments = planted["comment"].dropna()
    assert 0.2 < len(comments) / len(planted) < 0.5
    assert comments.str.len().max() <= 200
    assert not comments.str.contains("\n").any()
    pillar_words = {"on_time_delivery": "deliver", "expert_advice": "advi", "made_to_last": "quality|frame|fabric",
                    "put_right": "sorted|refund|complaint|fix", "easy_online": "website|online|app"}
    for pillar_id, words in pillar_words.items():
        assert comments.str.contains(words, case=False).sum() >= 50, pillar_id


PRIVATE = {
    "e-mail address": r"[\w.]+@example\.(?:com|org)",
    "mobile number": r"07700 ?900\d{3}",
    "London number": r"(?:\+44 20|020) 7946 \d{4}",
    "card number": r"4111 1111 1111 1111",
    "IBAN": r"GB82 WEST 1234 5698 7654 32",
    "do-not-show name": "|".join(generate_sample.DO_NOT_SHOW),
}
LOOK_ALIKES = {"year": r"\b202[56]\b", "price": r"£\d[\d,]*(?:\.\d\d)?", "order number": r"\bORD-\d{6}\b"}


@pytest.mark.parametrize("kind", sorted({**PRIVATE, **LOOK_ALIKES}))
def test_comments_give_the_privacy_scrub_material(kind: str) -> None:
    comments = read_feedback(COMMITTED_CSV)["comment"].dropna()
    pattern = {**PRIVATE, **LOOK_ALIKES}[kind]
    assert comments.str.contains(pattern).sum() >= 2, f"too few comments with a {kind}"


def _is_drama_number(number: str) -> bool:
    """Ofcom's ranges for drama: 07700 900000-900999 and 020 7946 0000-0999."""
    digits = re.sub(r"\D", "", number)
    digits = "0" + digits[2:] if digits.startswith("44") else digits
    return digits.startswith(("07700900", "0207946")) and len(digits) == 11


def test_personal_details_in_comments_are_all_fictional() -> None:
    text = COMMITTED_CSV.read_text(encoding="utf-8")
    assert set(re.findall(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)", text)) == {"example.com", "example.org"}
    numbers = re.findall(r"(?:\+44 ?|\b0)\d[\d ]{8,11}\d", text)
    assert numbers and all(_is_drama_number(n) for n in numbers), sorted(set(numbers))


# --- the planted stories -----------------------------------------------------------------------------------
# Each check returns what is wrong with the story on a frame, with the numbers measured: empty means it holds.


def share_above_threshold(frame: pd.DataFrame, promise: Promise) -> pd.Series:
    """Per pillar: share of answered scores above its threshold (the promise-able rule), 0-1."""
    return pd.Series({p.id: (frame[p.id].dropna() > p.threshold).mean() for p in promise.pillars})


def phone_margin(frame: pd.DataFrame, promise: Promise) -> pd.Series:
    """Per pillar: points between the phone's mean and the lowest mean of every other touchpoint."""
    means = frame.groupby("touchpoint")[promise.pillar_ids].mean()
    return means.drop(index="phone").min() - means.loc["phone"]


def advocate_gap(frame: pd.DataFrame, promise: Promise) -> pd.Series:
    """Per pillar: mean score of advocates (recommend 9-10) minus that of everyone else who answered."""
    answered = frame[frame["recommend"].notna()]
    advocates = answered["recommend"] > PASSIVE_MAX
    return answered[advocates][promise.pillar_ids].mean() - answered[~advocates][promise.pillar_ids].mean()


def monthly_slope(frame: pd.DataFrame, promise: Promise) -> pd.Series:
    """Per pillar: least-squares slope of the monthly mean score, in points per month."""
    monthly = frame.groupby(frame["date"].str[:7])[promise.pillar_ids].mean()
    months = np.arange(len(monthly))
    return pd.Series({p: np.polyfit(months, monthly[p].to_numpy(), 1)[0] for p in promise.pillar_ids})


def loudest(promise: Promise) -> str:
    return max(promise.pillars, key=lambda p: p.loudness).id


def loud_pillar_not_delivered(frame: pd.DataFrame, promise: Promise) -> list[str]:
    shares = share_above_threshold(frame, promise).round(3)
    loud = loudest(promise)
    broken = [] if shares[loud] < 0.5 else [f"{loud} (loudest) is above threshold {shares[loud]:.1%} of the time"]
    return broken + [f"{p} is above threshold only {share:.1%} of the time"
                     for p, share in shares.drop(loud).items() if share <= 0.6]


def phone_worse_everywhere(frame: pd.DataFrame, promise: Promise) -> list[str]:
    return [f"{p}: phone is only {margin:.2f} points below the next-worst touchpoint"
            for p, margin in phone_margin(frame, promise).items() if margin < 1.0]


def advocates_value_advice(frame: pd.DataFrame, promise: Promise) -> list[str]:
    gaps = advocate_gap(frame, promise)
    others = gaps.drop(ADVOCATES_VALUE)
    broken = []
    if gaps[ADVOCATES_VALUE] < 1.5:
        broken.append(f"advocates rate {ADVOCATES_VALUE} only {gaps[ADVOCATES_VALUE]:.2f} points higher")
    if gaps[ADVOCATES_VALUE] < others.max() + 0.8:
        broken.append(f"{ADVOCATES_VALUE} gap {gaps[ADVOCATES_VALUE]:.2f} does not stand out from "
                      f"{others.idxmax()} ({others.max():.2f})")
    if gaps[loudest(promise)] >= 1.0:
        broken.append(f"advocates rate {loudest(promise)} {gaps[loudest(promise)]:.2f} points higher")
    return broken


def one_improves_one_slips(frame: pd.DataFrame, promise: Promise) -> list[str]:
    slopes = monthly_slope(frame, promise)
    broken = [] if slopes[IMPROVING] >= 0.07 else [f"{IMPROVING} moves {slopes[IMPROVING]:+.3f}/month"]
    broken += [] if slopes[SLIPPING] <= -0.07 else [f"{SLIPPING} moves {slopes[SLIPPING]:+.3f}/month"]
    return broken + [f"{p} should be steady but moves {slope:+.3f}/month"
                     for p, slope in slopes.drop([IMPROVING, SLIPPING]).items() if abs(slope) > 0.02]


STORIES: dict[str, Callable[[pd.DataFrame, Promise], list[str]]] = {
    "loud pillar not delivered": loud_pillar_not_delivered,
    "phone worse everywhere": phone_worse_everywhere,
    "advocates value advice": advocates_value_advice,
    "one improves, one slips": one_improves_one_slips,
}


def test_the_loudest_pillar_is_on_time_delivery(promise: Promise) -> None:
    assert loudest(promise) == "on_time_delivery"


@pytest.mark.parametrize("story", list(STORIES))
def test_story_is_planted_in_the_sample(story: str, planted: pd.DataFrame, promise: Promise) -> None:
    assert STORIES[story](planted, promise) == []


def without(story: str) -> generate_sample.SampleModel:
    """The sample's model with one story taken out, everything else as planted."""
    model = generate_sample.PLANTED
    pillars = dict(model.pillars)
    if story == "loud pillar not delivered":
        pillars["on_time_delivery"] = replace(pillars["on_time_delivery"], start=7.5, end=7.5)
    elif story == "phone worse everywhere":
        return replace(model, phone_penalty=0.0)
    elif story == "advocates value advice":
        even_pull = sum(p.pull for p in pillars.values()) / len(pillars)
        pillars = {pillar_id: replace(p, pull=even_pull) for pillar_id, p in pillars.items()}
    else:
        for pillar_id in (IMPROVING, SLIPPING):
            level = (pillars[pillar_id].start + pillars[pillar_id].end) / 2
            pillars[pillar_id] = replace(pillars[pillar_id], start=level, end=level)
    return replace(model, pillars=pillars)


@pytest.mark.parametrize("story", list(STORIES))
def test_taking_a_story_out_breaks_its_check_and_no_other(story: str, promise: Promise, tmp_path: Path) -> None:
    out = tmp_path / "feedback.csv"
    out.write_text(generate_sample.to_csv_text(generate_sample.generate(model=without(story))), encoding="utf-8")
    frame = read_feedback(out)
    assert STORIES[story](frame, promise), "this check would pass even if the story were not planted"
    for other in STORIES.keys() - {story}:
        assert STORIES[other](frame, promise) == [], other


def test_the_sample_mapping_opens_with_the_header_the_kit_writes_and_it_names_every_scale() -> None:
    """A consultant copies the sample's mapping.yml first: its comments are the kit's own, and say how to read a
    column of the client's own words (scale ``labels``) as well as every named scale."""
    from workshop.feedback.mapping import FILE_HEADER
    from workshop.feedback.scales import SCALES

    header = (SAMPLE / "mapping.yml").read_text(encoding="utf-8")
    assert header.startswith(FILE_HEADER)
    scales_line = next(line for line in FILE_HEADER.splitlines() if line.startswith("# Scales: "))
    assert all(scale_id in scales_line for scale_id in SCALES)
    assert "labels:" in FILE_HEADER and "missing:" in FILE_HEADER
