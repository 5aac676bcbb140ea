"""Names offered for the do-not-show list: first names in comments, not ordinary words, shown at the check."""
from __future__ import annotations

from workshop.feedback.load import check_feedback
from workshop.feedback.mapping import load_mapping
from workshop.feedback.names import NAMES_SHOWN, first_names, names_in_comments, names_offer
from workshop.feedback.privacy import PrivacyRules
from workshop.promise import load_promise

from conftest import DATA


def test_the_shipped_list_knows_first_names_of_many_places():
    assert {"Sarah", "John", "Priya", "Mohammed", "Siobhan", "José", "Fatima", "Kwame", "Søren"} <= first_names()
    assert not {"Great", "Staff", "Delivery", "Thanks", "Sofa"} & first_names()


def test_names_in_praise_are_offered_most_often_first():
    comments = ["Sarah at the Leeds store was brilliant.", "Thanks to Sarah and John!", "John sorted it in a day.",
                "Ask for Priya, she knows the range.", None, float("nan")]
    assert names_in_comments(comments) == [("John", 2), ("Sarah", 2), ("Priya", 1)]


def test_ordinary_words_at_the_start_of_a_sentence_are_not_names():
    """"Will", "May" and "Hope" open sentences as words; inside a sentence, capitalised, they are names."""
    comments = ["Will come back. May I say the fitter was great.", "Hope it lasts.", "It will do.",
                "We may order again and hope for better."]
    assert names_in_comments(comments) == []
    assert names_in_comments(comments + ["Ask for Will, he will help.", "Thanks to Will and Hope."]) == \
        [("Will", 3), ("Hope", 2)]


def test_months_shouting_and_listed_names_are_not_offered():
    comments = ["Ordered in May, came in June.", "THANKS SARAH", "Priya Shah and Megan were kind"]
    assert names_in_comments(comments, PrivacyRules(("Priya Shah",))) == [("Megan", 1)]


def test_the_offer_says_what_to_do_and_counts_what_it_leaves_out():
    names = [(f"Name{i}", 1) for i in range(NAMES_SHOWN + 2)]
    offer = names_offer(names, 500)
    assert offer.startswith(f"Names seen in comments ({NAMES_SHOWN + 2} different, in 500 comments; add those "
                            "that are people to privacy: do_not_show in mapping.yml): Name0 (1), ")
    assert offer.endswith(", and 2 more.")
    assert names_offer([], 500) == ""


def test_workshop_check_offers_the_names_in_a_real_export(tmp_path):
    (tmp_path / "export.csv").write_text(
        "Response ID,Date,Quick answers,Comments\n"
        "R1,2024-03-04,8,Sarah at the desk was lovely\n"
        "R2,2024-03-05,9,\"Thanks Sarah, and Megan Tolliver too\"\n"
        "R3,2024-03-06,4,Will not come back. On hold for ages.\n", encoding="utf-8")
    (tmp_path / "mapping.yml").write_text(
        "source: export.csv\n"
        "fields: {response_id: Response ID, date: Date, comment: Comments}\n"
        "pillars: {speed: {column: Quick answers, scale: 0-10}}\n"
        "privacy: {do_not_show: [Megan Tolliver], safe_patterns: []}\n", encoding="utf-8")
    check = check_feedback(tmp_path / "export.csv", load_promise(DATA / "feedback" / "promise.yml"),
                           load_mapping(tmp_path / "mapping.yml"))
    assert check.names_seen == [("Sarah", 2)]
    assert check.to_text().endswith(
        "Names seen in comments (1 different, in 3 comments; add those that are people to privacy: do_not_show "
        "in mapping.yml): Sarah (2).")
