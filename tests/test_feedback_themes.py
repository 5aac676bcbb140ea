"""Themes: themes.yml is read, checked and saved; comments are tagged to the pillars whose phrases they use."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.errors import StaleFileError
from workshop.feedback.themes import (THEMES_FILE, ThemesError, VerbatimFilter, has_comment, load_themes,
                                     passes_filter, save_themes, tag_comments)
from workshop.files import NO_FILE, stamp_of
from workshop.promise import load_promise

DATA = Path(__file__).parent / "data"
THEMES = DATA / "themes"
SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample"
PILLARS = ["fresh", "expert_help"]  # the pillars of tests/data/promise_good.yml


def test_good_file_loads_in_the_promise_order():
    assert load_promise(DATA / "promise_good.yml").pillar_ids == PILLARS
    themes = load_themes(THEMES / "good.yml", PILLARS)
    assert themes == {"fresh": ["fresh", "stale", "picked this month"],
                      "expert_help": ["expert", "knew their tea", "advice"]}


def test_missing_or_empty_file_means_no_phrases_yet(tmp_path):
    assert load_themes(tmp_path, PILLARS) == {"fresh": [], "expert_help": []}
    assert load_themes(THEMES / "empty.yml", PILLARS) == {"fresh": [], "expert_help": []}


@pytest.mark.parametrize("name, expected", [
    ("unknown_pillar.yml", ["unknown_pillar.yml, line 2, pillar 'expert_hlep': is not a pillar of the promise "
                            "(found 'expert_hlep'). Did you mean 'expert_help'?"]),
    ("empty_phrase.yml", ["empty_phrase.yml, line 3, pillar 'fresh', phrase 2: is empty (found '  ')"]),
    ("phrase_not_text.yml", ["phrase_not_text.yml, line 3, pillar 'fresh', phrase 2: must be text (found 14). "
                             "Put the phrase in quotes.",
                             "line 4, pillar 'fresh', phrase 3: must be text (found {'days': 14})"]),
    ("phrases_not_a_list.yml", ["line 1, pillar 'fresh': must be a list of phrases (found 'fresh tea'). "
                                "Write it as fresh: [fresh tea]"]),
    ("duplicate_phrase.yml", ["line 4, pillar 'expert_help', phrase 3: is listed twice for this pillar "
                              "(found 'knew their tea')"]),
    ("broken_yaml.yml", ["broken_yaml.yml, line 2: is not valid YAML"]),
    ("not_a_mapping.yml", ["not_a_mapping.yml: must list phrases under each pillar id"]),
])
def test_bad_files_name_file_line_pillar_and_phrase(name, expected):
    with pytest.raises(ThemesError) as caught:
        load_themes(THEMES / name, PILLARS)
    message = str(caught.value)
    for part in expected:
        assert part in message
    assert str(THEMES / name) in message


def test_save_is_checked_atomic_and_loads_back(tmp_path):
    written = save_themes({"expert_help": ["advice", " tea   expert "], "fresh": ["stale"]}, tmp_path, PILLARS,
                          expected=NO_FILE)
    saved = tmp_path / THEMES_FILE
    assert written == stamp_of(saved)
    assert load_themes(tmp_path, PILLARS) == {"fresh": ["stale"], "expert_help": ["advice", "tea expert"]}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".themes.yml.lock", THEMES_FILE], \
        "no temporary file is left behind (the lock file stays, see workshop.files)"
    before = saved.read_text()
    with pytest.raises(ThemesError, match="freshh.*Did you mean 'fresh'"):
        save_themes({"freshh": ["stale"]}, tmp_path, PILLARS, expected=written)
    assert saved.read_text() == before, "a refused save leaves the file as it was"


def test_a_save_over_themes_another_tab_saved_since_is_refused(tmp_path):
    read = save_themes({"fresh": ["stale"]}, tmp_path, PILLARS, expected=NO_FILE)
    other_tab = save_themes({"fresh": ["stale", "old tea"]}, tmp_path, PILLARS, expected=read)
    with pytest.raises(StaleFileError, match="changed in another tab — reload to see it"):
        save_themes({"fresh": ["musty"]}, tmp_path, PILLARS, expected=read)
    assert stamp_of(tmp_path / THEMES_FILE) == other_tab
    assert load_themes(tmp_path, PILLARS)["fresh"] == ["stale", "old tea"]


def test_tagging_whole_words_any_case_plurals_and_verb_forms():
    themes = {"delivery": ["driver", "arrive", "on time", "reply", "late"], "advice": ["adviser", "see-it"]}
    comments = pd.Series(["The DRIVERS arrived on-time", "Arriving late", "no replies", "chocolate later",
                          "advisers helped", None, "see it in your room", "overdriver", np.nan],
                         index=list("abcdefghi"))
    tags = tag_comments(comments, themes)
    assert list(tags.columns) == ["delivery", "advice"] and list(tags.index) == list("abcdefghi")
    assert tags["delivery"].tolist() == [True, True, True, False, False, False, False, False, False]
    assert tags["advice"].tolist() == [False, False, False, False, True, False, True, False, False]
    assert tags.dtypes.eq(bool).all()


def test_a_pillar_without_phrases_tags_nothing():
    tags = tag_comments(pd.Series(["anything at all"]), {"fresh": [], "expert_help": ["all"]})
    assert tags.to_dict("list") == {"fresh": [False], "expert_help": [True]}


def test_has_comment_ignores_missing_and_blank():
    comments = pd.Series(["ok", "", "   ", None, np.nan, " x "], dtype=object)
    assert has_comment(comments).tolist() == [True, False, False, False, False, True]


def test_passes_filter_reads_bands_from_recommend_and_needs_tags_for_a_pillar():
    frame = pd.DataFrame({"recommend": [0, 6, 6.4, 7, 8, 9, 10, np.nan], "advocate": [False] * 8,
                          "touchpoint": ["web"] * 8, "segment": ["new"] * 8, "comment": ["c"] * 8})
    assert passes_filter(frame, None, VerbatimFilter(band="detractor")).tolist() == [1, 1, 1, 0, 0, 0, 0, 0]
    assert passes_filter(frame, None, VerbatimFilter(band="promoter")).tolist() == [0, 0, 0, 0, 0, 1, 1, 0]
    with pytest.raises(ValueError, match="theme tags"):
        passes_filter(frame, None, VerbatimFilter(pillar="fresh"))


def test_passes_filter_combines_touchpoint_segment_band_advocate_and_pillar():
    """Each filter narrows on its own column and the filters combine (and); a missing touchpoint, segment or
    recommend never passes, a missing advocate flag counts as not an advocate."""
    frame = pd.DataFrame({"recommend": [7, 8, 9, 7, np.nan, 8], "advocate": [True, False, True, None, True, True],
                          "touchpoint": ["web", "web", "store", None, "web", "web"],
                          "segment": ["new", "loyal", "new", "new", "new", None],
                          "comment": ["late box", "fine", "late", "box", "late", "late"]})
    tags = tag_comments(frame["comment"], {"delivery": ["late"], "packing": ["box"]})
    assert passes_filter(frame, None, VerbatimFilter(band="passive")).tolist() == [1, 1, 0, 1, 0, 1]
    assert passes_filter(frame, None, VerbatimFilter(touchpoint="web")).tolist() == [1, 1, 0, 0, 1, 1]
    assert passes_filter(frame, None, VerbatimFilter(segment="new")).tolist() == [1, 0, 1, 1, 1, 0]
    assert passes_filter(frame, None, VerbatimFilter(advocate=False)).tolist() == [0, 1, 0, 1, 0, 0]
    assert passes_filter(frame, tags, VerbatimFilter(pillar="packing")).tolist() == [1, 0, 0, 1, 0, 0]
    wanted = VerbatimFilter(pillar="delivery", touchpoint="web", segment="new", band="passive", advocate=True)
    assert passes_filter(frame, tags, wanted).tolist() == [1, 0, 0, 0, 0, 0]
    assert passes_filter(frame, tags, VerbatimFilter()).all()


# --- property: the compiled per-pillar regex equals a slow word-by-word reading ----------------------------

VOCABULARY = ["driver", "drivers", "Driver", "DRIVERS", "arrive", "arrived", "arriving", "arrives", "late", "later",
              "on", "time", "ontime", "reply", "replies", "replied", "replying", "box", "boxes", "the", "a"]
PHRASES = ["driver", "arrive", "on time", "reply", "late", "box", "the box", "a"]


def forms(word: str) -> set[str]:
    """Every spelling a phrase word accepts, written out (the rule of the themes module docstring)."""
    if len(word) < 3:
        return {word}
    if word.endswith("e"):
        return {word, word + "s", word + "d", word[:-1] + "ing"}
    if word.endswith("y") and word[-2] not in "aeiou":
        return {word, word + "ing", word[:-1] + "ies", word[:-1] + "ied"}
    return {word, word + "s", word + "es", word + "ed", word + "ing"}


def slow_mentions(comment: str, phrase: str) -> bool:
    wanted = [forms(w) for w in phrase.split()]
    for chunk in comment.split(","):
        words = [w.casefold() for w in re.split(r"[\s\-]+", chunk) if w]
        for start in range(len(words) - len(wanted) + 1):
            if all(words[start + i] in wanted[i] for i in range(len(wanted))):
                return True
    return False


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(VOCABULARY), st.sampled_from([" ", "-", ", ", "  "])),
                         max_size=6).map(lambda pairs: "".join(w + s for w, s in pairs).strip(" ,-")),
                max_size=15),
       st.lists(st.sampled_from(PHRASES), min_size=1, max_size=3, unique=True))
def test_tags_equal_a_slow_word_by_word_reading(comments, phrases):
    series = pd.Series(comments + comments[:2], dtype=object)
    tags = tag_comments(series, {"pillar": phrases})
    expected = [any(slow_mentions(c, p) for p in phrases) for c in series]
    assert tags["pillar"].tolist() == expected


# --- the sample company ships phrase lists that work on its own comments ------------------------------------


@pytest.fixture(scope="module")
def sample_tags() -> tuple[pd.Series, pd.DataFrame]:
    promise = load_promise(SAMPLE)
    comments = pd.read_csv(SAMPLE / "feedback.csv", usecols=["comment"])["comment"].dropna()
    return comments, tag_comments(comments, load_themes(SAMPLE, promise.pillar_ids))


def test_sample_themes_tag_most_comments(sample_tags):
    comments, tags = sample_tags
    assert list(tags.columns) == load_promise(SAMPLE).pillar_ids
    assert tags.any(axis=1).mean() > 0.7
    assert tags.sum().min() > 0.05 * len(comments), "every pillar is mentioned somewhere"


@pytest.mark.parametrize("sentence, pillars", [
    ("The delivery slot was 7am to 7pm, not the two hours promised.", {"on_time_delivery"}),
    ("The person I spoke to knew less than I did.", {"expert_advice"}),
    ("Sturdy table, nothing wobbles.", {"made_to_last"}),
    ("Drawer runners broke in weeks, poor quality for the price.", {"made_to_last"}),
    ("The call centre cut me off twice.", {"put_right"}),
    ("The website kept crashing at checkout.", {"easy_online"}),
    ("Got three emails with three different dates.", {"on_time_delivery"}),
    ("Ten out of ten.", set()),
])
def test_sample_sentences_are_tagged_to_the_right_pillar(sample_tags, sentence, pillars):
    comments, tags = sample_tags
    assert comments.str.contains(sentence, regex=False).any(), "the sentence is in the sample"
    alone = tag_comments(pd.Series([sentence]), load_themes(SAMPLE, list(tags.columns)))
    assert {p for p in alone.columns if alone[p].iloc[0]} == pillars


def test_a_new_workshop_starts_with_the_sample_themes(workshop_dir):
    pillar_ids = load_promise(workshop_dir).pillar_ids
    assert load_themes(workshop_dir, pillar_ids) == load_themes(SAMPLE, pillar_ids)
    assert all(load_themes(workshop_dir, pillar_ids).values()), "every sample pillar has phrases"
