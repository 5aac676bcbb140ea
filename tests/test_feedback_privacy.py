"""The privacy scrub: each kind of personal detail becomes its placeholder, and look-alikes are kept."""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from workshop.feedback.privacy import iban_valid, looks_personal, luhn_valid, scrub, scrub_series

NAMES = ["Megan Tolliver", "Rhys Abernathy", "José"]
SAFE = [r"ORD-\d{6}"]
EMAIL_SHAPED = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")


def scrubbed(text: str) -> str:
    return scrub(text, NAMES, SAFE)


@pytest.mark.parametrize("text, expected", [
    ("You can email me at j.hughes@example.com.", "You can email me at [email]."),
    ("Please reply to sam.okoro+sofa@mail.example.org today", "Please reply to [email] today"),
    ("ANNA_B@Example.CO.UK", "[email]"),
])
def test_email_addresses_become_placeholders(text, expected):
    assert scrubbed(text) == expected


@pytest.mark.parametrize("number", [
    "07700 900461", "07700900461", "020 7946 0958", "020-7946-0958", "(020) 7946 0958", "(030) 1234567",
    "+44 20 7946 0958", "+44 (0)20 7946 0958", "+447700900123", "0044 20 7946 0958", "+49 30 1234 5678",
    "+1 (555) 123-4567", "(555) 123-4567", "555-123-4567", "555.123.4567", "06 12 34 56 78", "06.12.34.56.78",
    "0171/1234567", "030/12345678", "030/123 456 78", "089/1234-5678",
])
def test_phone_numbers_in_national_and_international_forms(number):
    assert scrubbed(f"Call me back on {number}, after 5.") == "Call me back on [phone], after 5."


@pytest.mark.parametrize("number", [
    "1-800-555-0199", "+1 800 555 0199", "1 (800) 555-0199", "1.800.555.0199", "(919)675-0985", "919-6750985",
    "9196750985", "+1-919-675-0985", "1 800 555 0199",
])
def test_north_american_numbers_as_reviews_and_tweets_write_them(number):
    """With the country code 1, brackets without a space, or run together: the regexes know the grouped forms,
    ``phonenumbers`` (North America's numbering plan) the ones a shape alone cannot tell from a reference."""
    assert scrubbed(f"Call me back on {number}, after 5.") == "Call me back on [phone], after 5."


@pytest.mark.parametrize("text, expected", [
    ("...919-675-0985", "...[phone]"), ("call me...919-675-0985", "call me...[phone]"),
    ("call me…919-675-0985", "call me…[phone]"), ("text me.555-123-4567 ok", "text me.[phone] ok"),
    ("Ring 1-877-243-4357 ext 2", "Ring [phone] ext 2"),
])
def test_a_number_after_an_ellipsis_or_a_full_stop(text, expected):
    assert scrubbed(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Thanks @united for nothing", "Thanks [handle] for nothing"),
    ("@JetBlue_Help and @Delta: my bag?", "[handle] and [handle]: my bag?"),
    ("Follow @jet.blue.", "Follow [handle]."), (".@AmericanAir why", ".[handle] why"),
    ("Mail j.hughes@example.com, not @jhughes", "Mail [email], not [handle]"),
])
def test_handles_become_placeholders_and_e_mails_stay_e_mails(text, expected):
    assert scrubbed(text) == expected


@pytest.mark.parametrize("text", ["Meet @5pm at gate 4", "me@home is no address", "2 @ £5 each", "@ the desk"])
def test_an_at_sign_that_is_no_handle_is_kept(text):
    assert scrubbed(text) == text


def test_a_brand_handle_is_kept_only_when_the_mapping_says_it_is_safe():
    text = "Thanks @JetBlue, and @sarah_k at the gate"
    assert scrub(text) == "Thanks [handle], and [handle] at the gate"
    assert scrub(text, safe_patterns=[r"(?i)@jetblue\b"]) == "Thanks @JetBlue, and [handle] at the gate"


@pytest.mark.parametrize("number", ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111",
                                    "5500 0000 0000 0004", "3400 000000 00009", "6011 0009 9013 9424"])
def test_card_numbers_that_pass_luhn(number):
    assert scrubbed(f"They charged my card {number} twice.") == "They charged my card [card] twice."


@pytest.mark.parametrize("iban", ["GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432",
                                  "DE89 3704 0044 0532 0130 00", "fr14 2004 1010 0505 0001 3m02 606"])
def test_iban_like_numbers_that_pass_mod_97(iban):
    assert scrubbed(f"Please refund to {iban}. Thanks") == "Please refund to [iban]. Thanks"


@pytest.mark.parametrize("text, expected", [
    ("Ask for Megan Tolliver, she was brilliant.", "Ask for [name], she was brilliant."),
    ("megan tolliver and RHYS ABERNATHY", "[name] and [name]"),
    ("José, Jose and JOSÉ and Jose\u0301 helped", "[name], [name] and [name] and [name] helped"),
    ("Megan  Tolliver (two spaces)", "[name] (two spaces)"),
])
def test_do_not_show_names_whole_words_any_case_accents_optional(text, expected):
    assert scrubbed(text) == expected


@pytest.mark.parametrize("text", [
    "Bought the sofa in 2025 for £1,299.", "Paid £49.99 for the delivery slot.", "It cost 1,299.00 EUR in the end.",
    "Ordered on 12/03/2025, delivered 2025-03-12.", "Booked for 06.03.2025 10.30, came at 14:45.",
    "Told 14 days, it took seven weeks.", "The delivery slot was 7am to 7pm.", "On hold for 40 minutes, 3 times.",
    "Quote ORD-517970 if you need it.", "Order ORD-123456 0207", "Reference 1234 5678 9012 3456 (fails Luhn).",
    "Josefina and Megane and Tollivers are other words.", "Account GB00 WEST 1234 5698 7654 32 is a typo.",
    "Item 123456789 arrived", "Model 2025-100-2000 in oak",
    "Rated 0/10 by 1/3 of us", "Delivered 01/02/2025 0171 and 05/2024 1234567", "Scored 3/5 and 10/10",
    "Invoice 012/2024 arrived", "Order 112-3456789-1234567 came", "Tracking 9400111899223856927345",
    "Flight 1234 on 12/05/2024 at 10:30", "ISBN 978-0-306-40615-7", "Zip 10001, 2 @ £5",
])
def test_near_misses_are_kept_as_written(text):
    assert scrubbed(text) == text


@pytest.mark.parametrize("text, expected", [
    ("tel:07700900123", "tel:[phone]"), ("Tel:+44 20 7946 0958", "Tel:[phone]"), ("Mob:07700 900123", "Mob:[phone]"),
    ("tél:06.12.34.56.78", "tél:[phone]"), ("phone (07700 900123)", "phone ([phone])"),
    ("call 07700 900123/4", "call [phone]/4"), ("at 10:30 07700 900123", "at 10:30 [phone]"),
])
def test_phone_numbers_after_a_label_or_inside_brackets(text, expected):
    """"Tel:" with no space is how many write it; a bracket around the number stays balanced."""
    assert scrubbed(text) == expected


@pytest.mark.parametrize("text", ["Zeit: 10:30:45", "Ratio 3:2", "score:10", "at 12:00, 2024", "from 9:00 to 17:30"])
def test_times_and_ratios_after_a_colon_are_kept(text):
    assert scrubbed(text) == text


def test_a_safe_order_number_is_never_mistaken_for_a_phone():
    assert scrub("Ref 0207946095 then", safe_patterns=[r"\d{10}"]) == "Ref 0207946095 then"
    assert scrub("Ref 0207946095 then") == "Ref [phone] then", "without the safe pattern it is phone-shaped"
    assert scrubbed("ORD-123456 020 7946 0958") == "ORD-123456 [phone]"


def test_mixed_text_scrubs_every_kind_and_keeps_the_rest():
    text = ("Megan Tolliver took ORD-822732 for £1,299 on 12/03/2025; card 4111 1111 1111 1111, "
            "refund to GB82 WEST 1234 5698 7654 32, call +44 20 7946 0958 or mail j.hughes@example.com.")
    assert scrubbed(text) == ("[name] took ORD-822732 for £1,299 on 12/03/2025; card [card], "
                              "refund to [iban], call [phone] or mail [email].")


def test_missing_values_pass_through():
    assert scrub(None) is None
    assert math.isnan(scrub(float("nan")))
    assert scrub(pd.NA) is pd.NA


def test_scrub_series_matches_scrub_and_keeps_missing_and_index():
    series = pd.Series(["Mail a@b.co", None, "fine", np.nan, "Mail a@b.co", "Megan Tolliver"],
                       index=[10, 11, 12, 13, 14, 15], name="comment")
    result = scrub_series(series, NAMES, SAFE)
    assert result.name == "comment" and list(result.index) == list(series.index)
    assert result.tolist()[:1] + result.tolist()[2:3] + result.tolist()[4:] == \
        ["Mail [email]", "fine", "Mail [email]", "[name]"]
    assert result.isna().tolist() == [False, True, False, True, False, False]


def test_luhn_and_mod97_checks_on_known_numbers():
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")
    assert iban_valid("GB82 WEST 1234 5698 7654 32") and not iban_valid("GB83 WEST 1234 5698 7654 32")


# --- properties -------------------------------------------------------------------------------------------

_pieces = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["a@b.co", "j.hughes@example.com", "x@y", "@", ".", " ", "-", "+", "(", ")", "0", "00",
                     "07700 900461", "+44 20 7946 0958", "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32",
                     "Megan", "Tolliver", "José", "ORD-123456", "2025", "£49.99", "[email]", "[name]", "email",
                     "@united", "@5pm", "...", "1-800-555-0199", "9196750985", "[handle]"]),
    st.from_regex(r"[\d .()+-]{1,20}", fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_pieces, max_size=8).map("".join))
@example("0000000000.1-800-555-0199")  # a placeholder once made the zeros before it read as a phone number
def test_scrub_is_idempotent_and_leaves_no_email_shaped_token(text):
    once = scrub(text, NAMES + ["email"], SAFE)
    assert scrub(once, NAMES + ["email"], SAFE) == once
    assert not EMAIL_SHAPED.search(once)


def test_privacy_rules_come_from_the_mapping_file(tmp_path):
    from workshop.feedback.mapping import load_mapping, save_mapping
    from workshop.feedback.privacy import PrivacyRules, privacy_rules
    from conftest import SAMPLE

    mapping = load_mapping(SAMPLE / "mapping.yml")
    mapping.privacy = {"do_not_show": ["Priya Shah"], "safe_patterns": [r"ORD-\d{6}"]}
    save_mapping(mapping, tmp_path)
    rules = privacy_rules(load_mapping(tmp_path))
    assert rules == PrivacyRules(("Priya Shah",), (r"ORD-\d{6}",))
    assert scrub("priya shah re ORD-123456, 020 7946 0958", rules.do_not_show, rules.safe_patterns) == \
        "[name] re ORD-123456, [phone]"
    assert privacy_rules(None) == PrivacyRules()


@pytest.mark.parametrize("heading", ["Author", "reviewer name", "Reviewer_Name", "AuthorName", "user_name",
                                     "username", "user_screen_name", "Customer Name", "name", "First name",
                                     "E-mail", "customer_email", "Phone number", "Mobile", "Twitter handle"])
def test_headings_of_people_and_contact_details_look_personal(heading):
    assert looks_personal(heading)


@pytest.mark.parametrize("heading", ["Product name", "Hotel Name", "Customer type", "Comments", "Rating",
                                     "Review", "Channel", "Mailing list opt-in", "Store"])
def test_other_headings_do_not(heading):
    assert not looks_personal(heading)
