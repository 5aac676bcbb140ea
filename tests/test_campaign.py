"""The campaign check (workshop/campaign.py): the sample's planted story flagged by gap's rule, a campaign on a
promise-able pillar passed, bad campaigns.yml files refused with file, line, field and value, the stamp-checked
save, and sign-offs by the pillars' owners surviving a restart."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workshop import campaign, gap
from workshop.errors import StaleFileError
from workshop.feedback.load import load_workshop_feedback
from workshop.files import NO_FILE
from workshop.promise import PROMISE_FILE, load_promise
from workshop.session import SessionStore

BAD = Path(__file__).parent / "data" / "campaigns"
SHOUTED_NOT_DELIVERED = "sofa_in_14_days"
PROMISE_ABLE = "design_adviser"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from workshop.folder import new_workshop

    folder = new_workshop(tmp_path_factory.mktemp("campaigns") / "acme",
                          Path(__file__).resolve().parents[1] / "datasets" / "sample")
    promise = load_promise(folder / PROMISE_FILE)
    cube = load_workshop_feedback(folder).cube
    campaigns, _ = campaign.load_campaigns_and_stamp(folder, promise, cube.touchpoints)
    return folder, promise, gap.GapMetrics(cube), {c.id: c for c in campaigns}


def test_the_campaign_marketing_shouts_and_operations_does_not_deliver_is_flagged(sample) -> None:
    _, promise, engine, campaigns = sample
    verdict = campaign.judge(campaigns[SHOUTED_NOT_DELIVERED], engine, promise)
    assert not verdict.promise_able
    (pillar,) = verdict.pillars
    assert pillar.pillar == "on_time_delivery" and pillar.status == gap.BROKEN
    # The verdict is gap's own, on the campaign's touchpoints.
    table = engine.table(gap.Filter(touchpoints=("delivery", "phone")), "pillar",
                         gap.goal_posts_from_promise(promise))
    assert pillar.share_above == pytest.approx(table["share_above"][list(table["pillar"]).index(pillar.pillar)])
    sentence = verdict.sentence()
    assert sentence.startswith("Shouts 9/10 about Delivered when we say, which ")
    assert f"{pillar.share_above:.0%} of customers at delivery, phone score above 6" in sentence
    assert "not promise-able — coordinate with Operations and Customer service before rollout" in sentence
    assert verdict.owners == ("Operations", "Customer service")


def test_a_campaign_on_a_promise_able_pillar_is_not_flagged(sample) -> None:
    _, promise, engine, campaigns = sample
    verdict = campaign.judge(campaigns[PROMISE_ABLE], engine, promise)
    assert verdict.promise_able
    assert "promise-able — the experience backs the claim" in verdict.sentence()
    assert "coordinate" not in verdict.sentence()


def test_too_few_answers_is_not_judged_and_says_so(sample) -> None:
    _, promise, engine, campaigns = sample
    verdict = campaign.judge(campaigns[PROMISE_ABLE], engine, promise, min_n=100_000)
    assert not verdict.promise_able and verdict.pillars[0].status == gap.NOT_JUDGED
    assert "too few customers at store scored to judge" in verdict.sentence()


@pytest.mark.parametrize("name,line,field,value", [
    ("unknown_pillar.yml", 3, "pillars", "'on_time_delivry'"),
    ("loudness_out_of_range.yml", 4, "loudness", "11"),
    ("bad_date.yml", 4, "start", "'next spring'"),
    ("unknown_touchpoint.yml", 4, "touchpoints", "'carrier pigeon'"),
    ("misspelt_field.yml", 4, "loundness", "'loundness'"),
    ("twice_the_same_id.yml", 4, "id", "'fast_sofa'"),
])
def test_a_bad_campaigns_file_is_refused_with_file_line_field_and_value(sample, tmp_path, name, line, field,
                                                                         value) -> None:
    _, promise, engine, _ = sample
    path = tmp_path / campaign.CAMPAIGNS_FILE
    shutil.copy(BAD / name, path)
    with pytest.raises(campaign.CampaignError) as refused:
        campaign.load_campaigns_and_stamp(tmp_path, promise, engine.cube.touchpoints)
    text = str(refused.value)
    assert f"{path}, line {line}" in text and f"field '{field}'" in text and f"(found {value})" in text
    assert "fast_sofa" in text


@pytest.mark.parametrize("name,words", [("not_yaml.yml", "is not valid YAML"),
                                        ("not_a_list.yml", "must be a list of campaigns")])
def test_a_file_that_is_not_a_list_of_campaigns_is_refused(sample, tmp_path, name, words) -> None:
    _, promise, _, _ = sample
    shutil.copy(BAD / name, tmp_path / campaign.CAMPAIGNS_FILE)
    with pytest.raises(campaign.CampaignError, match=words):
        campaign.load_campaigns_and_stamp(tmp_path, promise)


def test_saving_round_trips_and_refuses_over_a_change_made_in_another_tab(sample, tmp_path) -> None:
    _, promise, engine, campaigns = sample
    assert campaign.load_campaigns_and_stamp(tmp_path, promise) == ([], NO_FILE)
    stamp = campaign.save_campaigns(list(campaigns.values()), tmp_path, promise, expected=NO_FILE)
    again, read = campaign.load_campaigns_and_stamp(tmp_path, promise, engine.cube.touchpoints)
    assert again == list(campaigns.values()) and read == stamp
    (tmp_path / campaign.CAMPAIGNS_FILE).write_text("[]\n")
    with pytest.raises(StaleFileError):
        campaign.save_campaigns(again, tmp_path, promise, expected=stamp)
    assert (tmp_path / campaign.CAMPAIGNS_FILE).read_text() == "[]\n"
    bad = [campaign.Campaign("fast", "Fast.", ["nope"])]
    with pytest.raises(campaign.CampaignError, match="is not a pillar of the promise"):
        campaign.save_campaigns(bad, tmp_path, promise, expected=campaign.load_campaigns_and_stamp(tmp_path, promise)[1])


def test_owners_sign_off_and_it_survives_a_restart(sample, tmp_path) -> None:
    folder, promise, engine, campaigns = sample
    workshop = Path(shutil.copytree(folder, tmp_path / "room"))
    verdict = campaign.judge(campaigns[SHOUTED_NOT_DELIVERED], engine, promise)
    with SessionStore(workshop) as store:
        with pytest.raises(campaign.CampaignError, match="Ask Operations and Customer service"):
            campaign.sign_off(store, verdict, "Marketing", True)
        campaign.sign_off(store, verdict, "Operations", False, by="Dana")
        campaign.sign_off(store, verdict, "Customer service", True)
        assert not campaign.ready_for_rollout(store.state(), verdict)
    with SessionStore(workshop) as reopened:
        standing = campaign.sign_off_standing(reopened.state(), verdict)
        assert {d: s for d, (s, _) in standing.items()} == {"Operations": campaign.HELD,
                                                            "Customer service": campaign.SIGNED}
        assert standing["Operations"][1].by == "Dana"
        campaign.sign_off(reopened, verdict, "Operations", True)
        assert campaign.ready_for_rollout(reopened.state(), verdict)
        # A reworded campaign needs signing again: the word given was on the claim as it was.
        louder = campaign.Campaign(**{**vars(verdict.campaign), "loudness": 10.0})
        reworded = campaign.judge(louder, engine, promise)
        assert {s for s, _ in campaign.sign_off_standing(reopened.state(), reworded).values()} == {campaign.EARLIER}


# --- loudness: the campaign's own, the pillars' when the campaign gives none ----------------------------------


def write_campaigns(folder: Path, text: str) -> Path:
    path = folder / campaign.CAMPAIGNS_FILE
    path.write_text(text)
    return path


def test_a_campaigns_loudness_is_its_own_not_its_pillars(sample, tmp_path) -> None:
    """Marketing enters how hard *this* campaign shouts: a quiet campaign on a loud pillar is judged at its own
    loudness, in the sentence and in the cost of the gap."""
    _, promise, engine, _ = sample
    assert promise.pillar("on_time_delivery").loudness == 9
    write_campaigns(tmp_path, "- id: quiet_sofa\n  claim: Sofas, delivered.\n  pillars: [on_time_delivery]\n"
                              "  loudness: 3\n  touchpoints: [delivery]\n")
    (quiet,), _ = campaign.load_campaigns_and_stamp(tmp_path, promise, engine.cube.touchpoints)
    verdict = campaign.judge(quiet, engine, promise)
    assert quiet.loudness == 3 and verdict.loudness == 3
    assert verdict.sentence().startswith("Shouts 3/10 about Delivered when we say")


def test_a_campaign_without_a_loudness_takes_its_loudest_pillars_and_says_so(sample, tmp_path) -> None:
    _, promise, engine, _ = sample
    write_campaigns(tmp_path, "- id: two_pillars\n  claim: Fast and lasting.\n"
                              "  pillars: [made_to_last, on_time_delivery]\n")
    (unsaid,), _ = campaign.load_campaigns_and_stamp(tmp_path, promise, engine.cube.touchpoints)
    assert unsaid.loudness is None
    verdict = campaign.judge(unsaid, engine, promise)
    loudest = max(promise.pillar(p).loudness for p in unsaid.pillars)
    assert verdict.loudness == loudest == 9
    assert verdict.sentence().startswith("Shouts 9/10 (the loudest of its pillars' loudness in promise.yml) about")
    # Saved back, it stays unsaid: a later change of the pillar's loudness still reaches the campaign.
    campaign.save_campaigns([unsaid], tmp_path, promise, expected=campaign.load_campaigns_and_stamp(tmp_path,
                                                                                                  promise)[1])
    assert "loudness" not in (tmp_path / campaign.CAMPAIGNS_FILE).read_text().split("start (YYYY-MM-DD)")[1]


@pytest.mark.parametrize("value,shown", [("loud", "'loud'"), ("true", "True"), ("-1", "-1")])
def test_a_loudness_that_is_not_0_to_10_is_refused_with_file_line_and_value(sample, tmp_path, value, shown):
    _, promise, engine, _ = sample
    path = write_campaigns(tmp_path, "- id: fast_sofa\n  claim: Fast.\n  pillars: [on_time_delivery]\n"
                                     f"  loudness: {value}\n")
    with pytest.raises(campaign.CampaignError) as refused:
        campaign.load_campaigns_and_stamp(tmp_path, promise, engine.cube.touchpoints)
    text = str(refused.value)
    assert f"{path}, line 4" in text and "field 'loudness'" in text and f"(found {shown})" in text
    assert "campaign 'fast_sofa'" in text and "leave it out to use the pillar's" in text
