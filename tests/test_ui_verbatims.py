"""Drive the verbatim explorer as a facilitator does (setting widget values) and read what the room sees."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from workshop.feedback.load import load_workshop_feedback
from workshop.feedback.privacy import PrivacyRules
from workshop.feedback.themes import has_comment, load_themes
from workshop.promise import load_promise
from workshop.ui.verbatims import VerbatimExplorer

DATA = Path(__file__).parent / "data"
PRIVACY = PrivacyRules(do_not_show=("Megan Tolliver",), safe_patterns=(r"ORD-\d{6}",))


@pytest.fixture
def frame() -> pd.DataFrame:
    """The canonical explorer frame (workshop.cube's columns), read from a real CSV."""
    frame = pd.read_csv(DATA / "verbatims.csv", parse_dates=["date"], keep_default_na=False,
                        na_values={"recommend": [""], "fresh": [""], "expert_help": [""], "comment": [""]})
    frame["advocate"] = frame["advocate"].astype(bool)
    return frame


@pytest.fixture
def promise():
    return load_promise(DATA / "promise_good.yml")


@pytest.fixture
def explorer(frame, promise) -> VerbatimExplorer:
    return VerbatimExplorer(frame, promise, load_themes(DATA / "themes" / "good.yml", promise.pillar_ids),
                            privacy=PRIVACY, examples=20)


def ids_shown(explorer: VerbatimExplorer, frame: pd.DataFrame) -> set[str]:
    """Which responses are on screen, found from the texts shown (the scrubbed ones map by their start)."""
    shown = explorer.shown_comments()
    return {row.response_id for row in frame.itertuples()
            if isinstance(row.comment, str) and any(text[:10] == _scrubbed_start(row.comment) for text in shown)}


def _scrubbed_start(comment: str) -> str:
    return comment.replace("Megan Tolliver", "[name]")[:10]


def commented(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["comment"].fillna("").str.strip() != ""]


def test_everything_with_a_comment_is_counted_and_shown(explorer, frame):
    expected = commented(frame)
    assert len(explorer.shown_comments()) == len(expected) == 12
    assert "<b>12</b> comments match" in explorer.counts.value and "showing 1–12" in explorer.counts.value
    assert ids_shown(explorer, frame) == set(expected["response_id"])


@pytest.mark.parametrize("widget, value, keep", [
    ("touchpoint", "phone", lambda f: f["touchpoint"] == "phone"),
    ("segment", "trade", lambda f: f["segment"] == "trade"),
    ("band", "detractor", lambda f: f["recommend"] <= 6),
    ("band", "passive", lambda f: f["recommend"].between(7, 8)),
    ("band", "promoter", lambda f: f["recommend"] >= 9),
    ("advocate", True, lambda f: f["advocate"]),
    ("advocate", False, lambda f: ~f["advocate"]),
])
def test_each_filter_shows_what_a_direct_pandas_filter_keeps(explorer, frame, widget, value, keep):
    getattr(explorer, widget).value = value
    expected = commented(frame)[keep(commented(frame))]
    assert ids_shown(explorer, frame) == set(expected["response_id"])
    assert f"<b>{len(expected)}</b>" in explorer.counts.value


def test_pillar_filter_uses_the_theme_tags(explorer, frame):
    explorer.pillar.value = "fresh"
    assert ids_shown(explorer, frame) == {"V01", "V02", "V05", "V09", "V11", "V13", "V14"}
    explorer.pillar.value = "expert_help"
    assert ids_shown(explorer, frame) == {"V03", "V04", "V05", "V08", "V09"}


def test_filters_combine_and_set_filters_moves_the_widgets(explorer, frame):
    explorer.set_filters(pillar="fresh", touchpoint="delivery", band="promoter")
    assert (explorer.pillar.value, explorer.touchpoint.value, explorer.band.value) == ("fresh", "delivery", "promoter")
    assert ids_shown(explorer, frame) == {"V01", "V11"}
    explorer.set_filters(advocate=True, band=None)
    assert ids_shown(explorer, frame) == {"V01", "V11", "V14"}, "V14 is an advocate with an 8"


def test_no_match_says_so_instead_of_an_empty_box(explorer):
    explorer.set_filters(pillar="expert_help", touchpoint="delivery")
    assert explorer.shown_comments() == []
    assert "<b>0</b> comments match" in explorer.counts.value
    assert "No comment matches these filters" in explorer.comments.value


def test_comments_are_scrubbed_then_escaped_in_the_shown_html(explorer):
    page = explorer.comments.value
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "ana.lopez" not in page and "@example.com" not in page and "Mail me at [email]" in page
    assert "Megan" not in page and "07700" not in page and "Ring [name] on [phone]" in page
    assert "Fresh &amp; fragrant; the experts &gt; the rest." in page
    assert "Mail me at [email] if you care." in " ".join(explorer.shown_comments())


def test_each_comment_shows_its_touchpoint_segment_and_score_large_and_dark(explorer):
    explorer.set_filters(pillar="expert_help", touchpoint="phone", band="promoter")
    page = explorer.comments.value
    assert "phone · returning · recommend 9/10 (promoter) · advocate" in page
    sizes = [int(px) for px in re.findall(r"font-size:(\d+)px", page)]
    assert sizes and min(sizes) >= 20
    assert "color:#111" in page and "background:#fff" in page


def test_other_examples_page_through_a_reproducible_shuffle(frame, promise):
    themes = load_themes(DATA / "themes" / "good.yml", promise.pillar_ids)
    explorer = VerbatimExplorer(frame, promise, themes, privacy=PRIVACY, examples=5, seed=7)
    pages = [explorer.shown_comments()]
    for _ in range(3):
        explorer.other_examples.click()
        pages.append(explorer.shown_comments())
    assert [len(p) for p in pages] == [5, 5, 2, 5]
    assert pages[3] == pages[0], "after the last page it starts again"
    assert sorted(pages[0] + pages[1] + pages[2]) == sorted(VerbatimExplorer(
        frame, promise, themes, privacy=PRIVACY, examples=20).shown_comments())
    again = VerbatimExplorer(frame, promise, themes, privacy=PRIVACY, examples=5, seed=7)
    assert again.shown_comments() == pages[0], "same seed, same examples"
    orders = {tuple(VerbatimExplorer(frame, promise, themes, examples=12, seed=s).shown_comments())
              for s in range(5)}
    assert len(orders) > 1, "the order is shuffled, not the file's"
    explorer.band.value = "detractor"
    assert "showing 1–5" in explorer.counts.value, "a new filter starts at its first page"


def test_editing_a_pillars_phrases_retags_and_saves(frame, promise, tmp_path):
    themes_file = tmp_path / "themes.yml"
    shutil.copy(DATA / "themes" / "good.yml", themes_file)
    explorer = VerbatimExplorer(frame, promise, load_themes(themes_file, promise.pillar_ids),
                                privacy=PRIVACY, examples=20, themes_file=themes_file)
    explorer.pillar.value = "expert_help"
    assert explorer.phrases.value == "expert\nknew their tea\nadvice"
    explorer.phrases.value = "advise\n\nexpert"
    explorer.band.value = "detractor"
    assert explorer.phrases.value == "advise\n\nexpert", "changing another filter keeps what is being typed"
    explorer.band.value = None
    explorer.apply_phrases.click()
    assert explorer.phrases.value == "advise\nexpert"
    assert ids_shown(explorer, frame) == {"V03", "V08", "V09", "V12"}
    assert load_themes(themes_file, promise.pillar_ids)["expert_help"] == ["advise", "expert"]
    assert "re-tagged" in explorer.phrase_status.value

    explorer.phrases.value = "expert\nExpert"
    explorer.apply_phrases.click()
    assert "Not saved" in explorer.phrase_status.value and "listed twice" in explorer.phrase_status.value
    assert load_themes(themes_file, promise.pillar_ids)["expert_help"] == ["advise", "expert"]
    assert ids_shown(explorer, frame) == {"V03", "V08", "V09", "V12"}, "a refused edit changes nothing"


def test_phrases_saved_in_another_tab_are_never_written_over_and_the_typed_ones_stay(workshop_dir):
    """Notebook 02 open in two tabs: the phrases saved in one make the other refuse, keeping what it typed,
    until it is opened again (its cell run again) on the file as the first tab left it."""
    promise = load_promise(workshop_dir)
    loaded = load_workshop_feedback(workshop_dir)
    pillar = promise.pillar_ids[0]
    stale, fresh = (VerbatimExplorer.for_workshop(workshop_dir, loaded, promise) for _ in range(2))
    fresh.set_filters(pillar=pillar)
    fresh.set_phrases(["weekend delivery"])
    saved = (workshop_dir / "themes.yml").read_bytes()

    stale.set_filters(pillar=pillar)
    stale.phrases.value = "sofa\nsettee"
    stale.apply_phrases.click()
    assert "changed in another tab — reload to see it" in stale.phrase_status.value
    assert stale.phrases.value == "sofa\nsettee" and stale.themes[pillar] != ["sofa", "settee"]
    assert (workshop_dir / "themes.yml").read_bytes() == saved

    reloaded = VerbatimExplorer.for_workshop(workshop_dir, loaded, promise)
    assert reloaded.themes[pillar] == ["weekend delivery"]
    reloaded.set_filters(pillar=pillar)
    reloaded.set_phrases(["weekend delivery", "sofa"])
    assert load_themes(workshop_dir / "themes.yml", promise.pillar_ids)[pillar] == ["weekend delivery", "sofa"]


def test_a_failure_inside_the_panel_is_a_plain_message(frame, promise):
    broken = frame.drop(columns=["advocate"])
    explorer = VerbatimExplorer(broken, promise, {}, privacy=PRIVACY)
    assert "These comments cannot be shown" in explorer.comments.value
    assert "Traceback" not in explorer.comments.value and explorer.shown_comments() == []


def test_for_workshop_opens_the_loaded_comments_with_the_folders_themes_and_privacy(workshop_dir):
    """What notebook 02 runs: the folder's themes.yml, the mapping's do-not-show names, edits saved there."""
    mapping = workshop_dir / "mapping.yml"
    mapping.write_text(mapping.read_text().replace("do_not_show: []", "do_not_show: [the]"))
    loaded = load_workshop_feedback(workshop_dir)
    promise = load_promise(workshop_dir)
    explorer = VerbatimExplorer.for_workshop(workshop_dir, loaded, promise, examples=50)
    assert explorer.themes == load_themes(workshop_dir / "themes.yml", promise.pillar_ids)
    assert f"<b>{has_comment(loaded.explorer['comment']).sum()}</b> comments match" in explorer.counts.value
    shown = " ".join(explorer.shown_comments())
    assert shown and not re.search(r"\bthe\b", shown, flags=re.IGNORECASE)  # scrubbed with the mapping's rules
    pillar = promise.pillar_ids[0]
    explorer.set_filters(pillar=pillar)
    explorer.set_phrases(["weekend delivery"])
    assert load_themes(workshop_dir / "themes.yml", promise.pillar_ids)[pillar] == ["weekend delivery"]


def test_for_workshop_before_any_load_says_what_to_do(workshop_dir):
    explorer = VerbatimExplorer.for_workshop(workshop_dir, None, load_promise(workshop_dir))
    assert "No feedback is loaded yet" in explorer.comments.value and "Confirm mapping and load" in \
        explorer.comments.value
    assert explorer.shown_comments() == [] and "<b>0</b> comments match" in explorer.counts.value


def test_for_workshop_with_a_broken_themes_file_opens_and_leaves_the_file_alone(workshop_dir):
    broken = (DATA / "themes" / "broken_yaml.yml").read_text()
    (workshop_dir / "themes.yml").write_text(broken)
    promise = load_promise(workshop_dir)
    explorer = VerbatimExplorer.for_workshop(workshop_dir, load_workshop_feedback(workshop_dir), promise)
    assert "themes.yml" in explorer.phrase_status.value and "not saved until it is fixed" in \
        explorer.phrase_status.value
    assert explorer.shown_comments()
    explorer.set_filters(pillar=promise.pillar_ids[0])
    explorer.set_phrases(["anything"])
    assert (workshop_dir / "themes.yml").read_text() == broken


def test_touchpoint_and_segment_values_are_scrubbed_where_they_are_read(frame, promise):
    """A free-text column mapped as the segment holds customers' words: its values are labels of the filter and
    details under each comment, both scrubbed with the mapping's rules; filtering still uses the value."""
    frame.loc[frame["response_id"] == "V01", "segment"] = "Megan Tolliver's friend, 07700 900461"
    explorer = VerbatimExplorer(frame, promise, {}, privacy=PRIVACY, examples=20)
    labels = [label for label, _ in explorer.segment.options]
    assert "[name]'s friend, [phone]" in labels and not any("Tolliver" in label for label in labels)
    explorer.set_filters(segment="Megan Tolliver's friend, 07700 900461")
    assert explorer.shown_comments() == ["Fresh tea, picked this month you could tell."]
    assert "[name]&#x27;s friend, [phone]" in explorer.comments.value and "Tolliver" not in explorer.comments.value


def test_phrases_typed_for_one_pillar_wait_while_another_is_read_until_used(frame, promise, tmp_path):
    """STYLE rule 11: reading another pillar's comments, then coming back, finds the phrases as typed."""
    themes_file = tmp_path / "themes.yml"
    shutil.copy(DATA / "themes" / "good.yml", themes_file)
    explorer = VerbatimExplorer(frame, promise, load_themes(themes_file, promise.pillar_ids),
                                privacy=PRIVACY, examples=20, themes_file=themes_file)
    explorer.pillar.value = "expert_help"
    explorer.phrases.value = "advise\nexpert"
    explorer.pillar.value = "fresh"
    assert explorer.phrases.value == "\n".join(explorer.themes["fresh"])
    explorer.show_other_examples()
    explorer.set_filters(pillar="expert_help", band="detractor")
    assert explorer.phrases.value == "advise\nexpert"
    explorer.apply_phrases.click()
    assert load_themes(themes_file, promise.pillar_ids)["expert_help"] == ["advise", "expert"]


def test_a_sample_of_the_files_comments_says_it_is_a_sample(workshop_dir, monkeypatch):
    """Past the explorer's cap the comments are a seeded sample: the count says '… of a sample of N', never as if
    it were every comment of the file."""
    from workshop.feedback import load

    monkeypatch.setattr(load, "EXPLORER_CAP", 500)
    loaded = load_workshop_feedback(workshop_dir)
    assert loaded.explorer_is_sample and len(loaded.explorer) == 500
    explorer = VerbatimExplorer.for_workshop(workshop_dir, loaded, load_promise(workshop_dir))
    counted = re.sub("<[^>]+>", "", explorer.counts.value)
    assert counted.startswith(f"500 comments match, in a random sample of 500 of the file's "
                              f"{loaded.comments_total:,} comments"), counted
    explorer.set_filters(advocate=True)
    assert ", in a random sample of 500 of the file's" in explorer.counts.value


def test_every_comment_of_the_file_says_no_sample(workshop_dir):
    loaded = load_workshop_feedback(workshop_dir)
    explorer = VerbatimExplorer.for_workshop(workshop_dir, loaded, load_promise(workshop_dir))
    assert not loaded.explorer_is_sample and "sample" not in explorer.counts.value


def test_the_explorer_follows_each_load_of_the_mapping_panel_keeping_the_filters(workshop_dir):
    """Notebook 02: loading another file (or the same one again) above shows its comments below, with no cell
    run again; the filters chosen and the phrases typed stay."""
    from workshop.ui.mapping_panel import MappingPanel

    panel = MappingPanel(workshop_dir, load=True)
    explorer = VerbatimExplorer.for_mapping_panel(panel)
    first = has_comment(panel.loaded.explorer["comment"]).sum()
    assert f"<b>{first}</b> comments match" in explorer.counts.value
    pillar = panel.promise.pillar_ids[0]
    explorer.set_filters(pillar=pillar, advocate=True)
    explorer.phrases.value = "typed, not used yet"

    feedback = workshop_dir / "feedback.csv"
    lines = feedback.read_text().splitlines(keepends=True)
    feedback.write_text("".join(lines[:1001]))  # the client sends a shorter export
    panel.load()
    now = has_comment(panel.loaded.explorer["comment"]).sum()
    assert now < first
    assert explorer.pillar.value == pillar and explorer.advocate.value is True
    assert explorer.phrases.value == "typed, not used yet"
    explorer.set_filters(pillar=None, advocate=None)
    assert f"<b>{now}</b> comments match" in explorer.counts.value


def test_the_explorer_opened_before_any_load_shows_the_first_one(workshop_dir):
    from workshop.ui.mapping_panel import MappingPanel

    panel = MappingPanel(workshop_dir, load=False)
    explorer = VerbatimExplorer.for_mapping_panel(panel)
    assert "No feedback is loaded yet" in explorer.comments.value
    assert "run this cell again" not in explorer.comments.value
    panel.load()
    assert explorer.shown_comments()
