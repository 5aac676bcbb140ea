"""Campaign sign-offs as session events (workshop/session.py's ``sign_off_campaign``): validated on write,
the latest word per campaign and department kept, and all of it there again after a restart."""
from __future__ import annotations

from pathlib import Path

import pytest

from workshop.session import InvalidSubmission, Kind, SessionStore


def test_sign_offs_survive_a_restart_and_the_latest_word_counts(workshop_dir: Path) -> None:
    with SessionStore(workshop_dir) as store:
        store.sign_off_campaign("sofa_14_days", "Operations", False, by="Dana", campaign_stamp="abc")
        store.sign_off_campaign("sofa_14_days", "Customer service", True, campaign_stamp="abc")
        store.sign_off_campaign("sofa_14_days", "Operations", True, by="Dana", campaign_stamp="abc")
    with SessionStore(workshop_dir) as reopened:
        state = reopened.state()
        kinds = [e.kind for e in reopened.events()]
    assert kinds.count(Kind.CAMPAIGN_SIGNED_OFF) == 3
    word = state.sign_offs[("sofa_14_days", "Operations")]
    assert word.signed and word.by == "Dana" and word.campaign_stamp == "abc"
    assert state.sign_offs[("sofa_14_days", "Customer service")].signed


@pytest.mark.parametrize("campaign,department,signed,field", [
    ("sofa 14 days!", "Operations", True, "campaign"), ("sofa", "Accounts", True, "department"),
    ("sofa", "Operations", "yes", "signed"),
])
def test_a_bad_sign_off_is_refused_and_nothing_is_written(workshop_dir: Path, campaign, department, signed,
                                                          field) -> None:
    with SessionStore(workshop_dir) as store:
        with pytest.raises(InvalidSubmission, match=f"field '{field}'"):
            store.sign_off_campaign(campaign, department, signed)
        assert not [e for e in store.events() if e.kind == Kind.CAMPAIGN_SIGNED_OFF]
