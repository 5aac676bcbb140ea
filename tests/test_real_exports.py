"""Real public exports nobody on the team wrote (tests/data/real/README.md), through the consultant's commands
with no hand edits: `workshop check FILE --save-mapping`, `workshop check`, the report's numbers. Each
headline number is checked against an independent pandas computation written here; where a person must
decide something, the suggestion must have said so, and the corrected mapping tells the true story."""
from __future__ import annotations

import math
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from workshop import cli
from workshop.feedback.load import load_workshop_feedback
from workshop.feedback.mapping import load_mapping, mapping_from_dict, save_mapping
from workshop.gap import Filter, GapMetrics, goal_posts_from_promise, promise_able_count
from workshop.promise import load_promise

from conftest import DATA

REAL = DATA / "real"
THRESHOLD = 6
Z = 1.959963984540054


def promise_text(company: str, pillars: dict[str, str], touchpoints: tuple[str, ...] = ("web",)) -> str:
    lines = [f"company: {company}", "statement: What we promise.", "version: 1", "departments: [Service]",
             f"touchpoints: [{', '.join(touchpoints)}]", "pillars:"]
    for pillar_id, name in pillars.items():
        lines += [f"- id: {pillar_id}", f"  name: {name}"]
    return "\n".join(lines) + "\n"


def consultant_path(tmp_path, export: str, promise: str, capsys) -> tuple:
    """What a consultant types for a new client: a folder with the promise and the export, the suggested
    mapping saved, the folder checked. Returns (folder, exit codes, printed check)."""
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "promise.yml").write_text(promise, encoding="utf-8")
    shutil.copy(REAL / export, folder / export)
    saved = cli.main(["check", str(folder / export), "--workshop", str(folder), "--save-mapping"])
    suggestion = capsys.readouterr().out
    checked = cli.main(["check", "--workshop", str(folder)])
    return folder, (saved, checked), suggestion + capsys.readouterr().out


def pillar_table(folder) -> pd.DataFrame:
    promise = load_promise(folder)
    loaded = load_workshop_feedback(folder)
    assert not loaded.report.blocking, loaded.report.to_text()
    return GapMetrics(loaded.cube).table(Filter(), "pillar", goal_posts_from_promise(promise)).frame().set_index(
        "pillar")


def half_up(points: pd.Series) -> pd.Series:
    return np.floor(points + 0.5 + 1e-9)


def expected(points: pd.Series) -> dict[str, float]:
    """Mean, share strictly above the threshold and the promise-able verdict of 0–10 points, computed
    independently: the Wilson interval by its textbook formula."""
    points = points.dropna()
    n = len(points)
    share = float((points > THRESHOLD).mean())
    centre = (share + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(share * (1 - share) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    status = "promise-able" if centre - half > 0.5 else "broken" if centre + half < 0.35 else "at risk"
    return {"n": n, "mean": float(points.mean()), "share_above": share, "status": status}


def assert_pillar(table: pd.DataFrame, pillar: str, points: pd.Series) -> None:
    want = expected(points)
    row = table.loc[pillar]
    assert row["n"] == want["n"]
    assert row["mean"] == pytest.approx(want["mean"])
    assert row["share_above"] == pytest.approx(want["share_above"])
    assert row["status"] == want["status"]


def note(folder, field: str) -> str:
    """The suggestion's sentence on ``field``, as saved in the comments of mapping.yml."""
    lines = [line for line in (folder / "mapping.yml").read_text(encoding="utf-8").splitlines()
             if line.startswith(f"#   {field} <-")]
    assert len(lines) == 1, lines
    return lines[0]


# --- Women's E-Commerce Clothing Reviews (CC0): Rating 1-5, Recommended IND 0/1, free-text Title -----------


def test_clothing_reviews_take_the_consultant_path_with_no_hand_edits(tmp_path, capsys):
    folder, codes, printed = consultant_path(tmp_path, "clothing_reviews.csv",
                                             promise_text("Retailer", {"rating": "Rating"}), capsys)
    assert codes == (0, 0)
    mapping = load_mapping(folder)
    assert mapping.pillars["rating"].column == "Rating" and mapping.pillars["rating"].scale == "1-5"
    assert mapping.recommend is None, "a 0/1 column is never the 0-10 recommend question"
    assert (mapping.advocate.column, mapping.advocate.values) == ("Recommended IND", ["1"])
    assert mapping.fields["comment"].column == "Review Text"
    assert "segment" not in mapping.fields or mapping.fields["segment"].column != "Title"
    raw = pd.read_csv(REAL / "clothing_reviews.csv")
    table = pillar_table(folder)
    assert_pillar(table, "rating", half_up((raw["Rating"] - 1) * 2.5))
    assert promise_able_count(GapMetrics(load_workshop_feedback(folder).cube).table(
        Filter(), "pillar", goal_posts_from_promise(load_promise(folder)))) == 1
    advocates = load_workshop_feedback(folder).explorer
    assert int(advocates["advocate"].sum()) == int((raw.loc[raw["Review Text"].notna(), "Recommended IND"] == 1).sum())
    assert "no column reads as dates: every response will be undated" in printed


def test_clothing_reviews_decisions_left_to_the_consultant_were_said(tmp_path, capsys):
    folder, _, _ = consultant_path(tmp_path, "clothing_reviews.csv",
                                   promise_text("Retailer", {"rating": "Rating"}), capsys)
    assert "response_id <- 'Clothing ID' [left for you]: named like it, but 44 different values in 150 rows" \
        in note(folder, "response_id")
    # The consultant decides the unnamed first column is the review's id, and the department is the segment.
    mapping = load_mapping(folder)
    mapping.fields["response_id"] = mapping_from_dict({"fields": {"response_id": "column A"}}).fields["response_id"]
    mapping.fields["segment"] = mapping_from_dict({"fields": {"segment": "Department Name"}}).fields["segment"]
    save_mapping(mapping, folder)
    raw = pd.read_csv(REAL / "clothing_reviews.csv")
    loaded = load_workshop_feedback(folder)
    assert not loaded.report.blocking
    by_segment = GapMetrics(loaded.cube).table(Filter(), "segment", goal_posts_from_promise(load_promise(folder)))
    frame = by_segment.frame().set_index("group")
    points = half_up((raw["Rating"] - 1) * 2.5)
    for department, rows in raw.groupby("Department Name"):
        assert frame.loc[department.casefold(), "mean"] == pytest.approx(points[rows.index].mean())


# --- Airline passenger satisfaction (1-5 with 0 = not applicable, satisfied / neutral or dissatisfied) -----

AIRLINE_PILLARS = {"seat_comfort": "Seat comfort", "onboard_service": "On-board service",
                   "inflight_wifi": "Inflight wifi service", "ease_of_booking": "Ease of Online booking",
                   "cleanliness": "Cleanliness"}


def test_airline_survey_reads_zero_as_not_applicable_and_the_satisfaction_label(tmp_path, capsys):
    folder, codes, printed = consultant_path(tmp_path, "airline_satisfaction.csv",
                                             promise_text("Air", AIRLINE_PILLARS), capsys)
    assert codes == (0, 0), printed
    mapping = load_mapping(folder)
    for pillar in ("inflight_wifi", "ease_of_booking"):
        assert (mapping.pillars[pillar].scale, mapping.pillars[pillar].missing) == ("1-5", [0])
    assert mapping.overall.labels == {"neutral or dissatisfied": 0.0, "satisfied": 10.0}
    assert "date" not in mapping.fields and "touchpoint" not in mapping.fields
    raw = pd.read_csv(REAL / "airline_satisfaction.csv")
    table = pillar_table(folder)
    for pillar, column in AIRLINE_PILLARS.items():
        assert_pillar(table, pillar, half_up((raw[column].replace(0, np.nan) - 1) * 2.5))
    assert table.loc["inflight_wifi", "n"] == 146  # 4 passengers answered 0: not applicable
    satisfied = (raw["satisfaction"] == "satisfied").astype(float)
    wifi = half_up((raw["Inflight wifi service"].replace(0, np.nan) - 1) * 2.5)
    assert table.loc["inflight_wifi", "importance"] == pytest.approx(wifi.corr(satisfied * 10))


def test_airline_survey_says_what_it_decided_about_zeros(tmp_path, capsys):
    folder, _, _ = consultant_path(tmp_path, "airline_satisfaction.csv", promise_text("Air", AIRLINE_PILLARS),
                                   capsys)
    said = note(folder, "pillar 'inflight_wifi'")
    assert "[likely]" in said and "it holds 0 beside 1–5" in said and "if 0 is a real answer" in said
    assert "[likely]" in note(folder, "advocate") and "Customer Type" in note(folder, "advocate")


# --- Twitter US Airline Sentiment (CC BY-NC-SA 4.0): sentiment labels, an Excel-mangled id, @handles ---------


def test_airline_tweets_read_sentiment_labels_by_their_points(tmp_path, capsys):
    folder, codes, printed = consultant_path(
        tmp_path, "airline_tweets.csv", promise_text("Airlines", {"sentiment": "Airline sentiment"}), capsys)
    assert codes == (0, 0), printed
    mapping = load_mapping(folder)
    assert mapping.pillars["sentiment"].labels == {"negative": 0.0, "neutral": 5.0, "positive": 10.0}
    assert "response_id" not in mapping.fields, "5.70306E+17 repeats: it is no id, and no tweet is dropped"
    raw = pd.read_csv(REAL / "airline_tweets.csv")
    assert_pillar(pillar_table(folder), "sentiment", raw["airline_sentiment"].map(
        {"negative": 0, "neutral": 5, "positive": 10}).astype(float))
    loaded = load_workshop_feedback(folder)
    assert loaded.report.rows_kept == len(raw) and loaded.cube.months == ["2015-02"]
    assert "response_id <- 'tweet_id' [left for you]" in note(folder, "response_id")


# --- ANZ banking app reviews on Google Play: score 1-5, repeated review ids, a 2012-2021 span --------------


def test_bank_app_reviews_count_each_review_once_and_say_the_span(tmp_path, capsys):
    folder, codes, printed = consultant_path(tmp_path, "bank_app_reviews.csv",
                                             promise_text("Bank", {"score": "Score"}), capsys)
    assert codes == (0, 0), printed
    mapping = load_mapping(folder)
    assert mapping.fields["date"].column == "at" and mapping.fields["comment"].column == "content"
    assert mapping.fields["response_id"].column == "reviewId"
    raw = pd.read_csv(REAL / "bank_app_reviews.csv").drop_duplicates("reviewId")
    assert_pillar(pillar_table(folder), "score", half_up((raw["score"] - 1) * 2.5))
    assert "the responses span 8 years and 10 months (2012-09 to 2021-06)" in printed
    assert "comment <- nothing [left for you]: other free text not read: 'replyContent'" in printed


# --- Booking.com hotel reviews (CC0): Reviewer_Score 0-10 with decimals, a constant Average_Score ----------


def test_hotel_reviews_round_decimal_scores_half_up_and_ignore_the_hotels_average(tmp_path, capsys):
    folder, codes, printed = consultant_path(tmp_path, "hotel_reviews.csv",
                                             promise_text("Hotel", {"stay": "Reviewer score"}), capsys)
    assert codes == (0, 0), printed
    mapping = load_mapping(folder)
    assert (mapping.pillars["stay"].column, mapping.pillars["stay"].scale) == ("Reviewer_Score", "0-10")
    assert mapping.overall is None and mapping.recommend is None, "Average_Score is the hotel's, not a customer's"
    raw = pd.read_csv(REAL / "hotel_reviews.csv")
    assert_pillar(pillar_table(folder), "stay", half_up(raw["Reviewer_Score"]))


# --- UCI Yelp sentences (CC BY 4.0): no heading row ---------------------------------------------------------


def test_a_file_without_headings_is_refused_in_words_not_mapped_by_guess(tmp_path, capsys):
    folder, codes, printed = consultant_path(tmp_path, "restaurant_reviews.txt",
                                             promise_text("Restaurant", {"food": "Tasty food"}), capsys)
    assert codes == (1, 1)
    assert "headings <- nothing [left for you]: the first row looks like answers, not headings" in printed
    assert "no pillar is mapped to a column or question" in printed
    assert load_mapping(folder).pillars == {}


def test_every_real_export_has_its_source_and_licence_in_the_readme():
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    for path in sorted(REAL.iterdir()):
        if path.name != "README.md":
            assert f"`{path.name}`" in readme
    assert readme.count("**Licence") >= len(list(REAL.iterdir())) - 1


def test_the_report_evidence_states_missing_codes_labels_and_who_the_advocates_are(tmp_path, capsys):
    from workshop.evidence import evidence_of

    folder, _, _ = consultant_path(tmp_path, "airline_satisfaction.csv", promise_text("Air", AIRLINE_PILLARS), capsys)
    text = evidence_of(load_workshop_feedback(folder), load_promise(folder)).text()
    assert ("Inflight wifi service from column 'Inflight wifi service': 1 to 5, stretched to 0–10 (1 counts as 0, "
            "5 as 10); 0 is not answered (4 answers were a missing code, counted as not answered).") in text
    assert ("from column 'satisfaction': its own labels: 'neutral or dissatisfied' counts as 0, 'satisfied' as 10."
            in text)
    loyal = int((pd.read_csv(REAL / "airline_satisfaction.csv")["Customer Type"] == "Loyal Customer").sum())
    assert f"Advocates: responses whose 'Customer Type' is loyal customer ({loyal:,} of 150 responses)." in text
    assert "Importance: derived against the overall rating ('satisfaction')." in text


def with_field(folder, field: str, column: str) -> None:
    """The consultant's correction: one field mapped by hand in the saved mapping.yml."""
    mapping = load_mapping(folder)
    mapping.fields[field] = mapping_from_dict({"fields": {field: column}}).fields[field]
    save_mapping(mapping, folder)


def group_id(label: str) -> str:
    """How a client's value is named as a workshop group: lower case, runs of other characters as one '_'."""
    return re.sub(r"[^0-9a-z]+", "_", label.casefold()).strip("_")


@pytest.mark.parametrize("export, promise, field, grouping, column, points, said", [
    ("airline_tweets.csv", {"sentiment": "Airline sentiment"}, "touchpoint", "touchpoint", "airline",
     lambda raw: raw["airline_sentiment"].map({"negative": 0, "neutral": 5, "positive": 10}).astype(float),
     ("touchpoint", "[left for you]: no heading")),
    ("airline_satisfaction.csv", AIRLINE_PILLARS, "segment", "segment", "Class",
     lambda raw: half_up((raw["Seat comfort"] - 1) * 2.5), ("segment", "'Customer Type' [sure]")),
    ("bank_app_reviews.csv", {"score": "Score"}, "segment", "segment", "appId",
     lambda raw: half_up((raw["score"] - 1) * 2.5), ("segment", "[left for you]: no heading")),
    ("hotel_reviews.csv", {"stay": "Reviewer score"}, "segment", "segment", "Reviewer_Nationality",
     lambda raw: half_up(raw["Reviewer_Score"]), ("segment", "[left for you]: no heading")),
])
def test_a_grouping_the_suggestion_left_to_the_consultant_tells_the_true_story_once_mapped(
        tmp_path, capsys, export, promise, field, grouping, column, points, said):
    folder, _, _ = consultant_path(tmp_path, export, promise_text("Client", promise), capsys)
    note_field, words = said
    assert words in note(folder, note_field)
    with_field(folder, field, column)
    raw = pd.read_csv(REAL / export)
    if "reviewId" in raw:
        raw = raw.drop_duplicates("reviewId")
    scored = points(raw)
    pillar = next(iter(promise))
    loaded = load_workshop_feedback(folder)
    assert not loaded.report.blocking, loaded.report.to_text()
    table = GapMetrics(loaded.cube).table(Filter(), grouping, goal_posts_from_promise(load_promise(folder))).frame()
    means = table[table["pillar"] == pillar].set_index("group")["mean"]
    for label, rows in raw.groupby(column):
        assert means[group_id(label)] == pytest.approx(scored[rows.index].mean()), label
    assert len(means) == raw[column].map(group_id).nunique()


@pytest.mark.parametrize("export, pillars", [
    ("clothing_reviews.csv", {"rating": "Rating"}), ("airline_satisfaction.csv", AIRLINE_PILLARS),
    ("airline_tweets.csv", {"sentiment": "Airline sentiment"}), ("bank_app_reviews.csv", {"score": "Score"}),
    ("hotel_reviews.csv", {"stay": "Reviewer score"})])
def test_the_report_is_built_on_each_real_export_and_states_what_it_stands_on(tmp_path, capsys, export, pillars):
    from workshop.reporting import build_report

    folder, _, _ = consultant_path(tmp_path, export, promise_text("Client", pillars), capsys)
    report = build_report(folder)
    raw_rows = len(pd.read_csv(REAL / export))
    assert report.evidence.source == export and report.evidence.rows_read == raw_rows
    assert report.gap_views and all("n = " in view.caption for view in report.gap_views[:1])


def test_the_report_refuses_a_real_export_the_check_blocks(tmp_path, capsys):
    from workshop.errors import WorkshopError
    from workshop.reporting import build_report

    folder, codes, _ = consultant_path(tmp_path, "restaurant_reviews.txt",
                                       promise_text("Restaurant", {"food": "Tasty food"}), capsys)
    assert codes == (1, 1)
    with pytest.raises(WorkshopError, match="did not pass the check"):
        build_report(folder)
    assert cli.main(["report", "--workshop", str(folder)]) == 1
    assert "no pillar is mapped" in capsys.readouterr().err
