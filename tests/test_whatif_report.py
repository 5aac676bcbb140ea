"""'What the gap costs' in the report (workshop/reporting.py gathers, workshop/report.py renders): the campaign
verdicts with their sign-offs, the what-if the room kept with every assumption's value, and its figures,
labelled as a what-if; a broken whatif.yml or campaigns.yml stops the report before it runs."""
from __future__ import annotations

import html
from pathlib import Path

import pytest

from workshop import campaign, whatif, whatif_budget, whatif_file
from workshop.errors import StaleFileError
from workshop.feedback.load import load_workshop_feedback
from workshop.files import NO_FILE
from workshop.promise import PROMISE_FILE, load_promise
from workshop.report import WHAT_IF_HEADING, WHAT_IF_NOTE, export_html, export_markdown
from workshop.reporting import build_report, check_workshop
from workshop.ui.whatif_panel import WhatIfPanel


def test_the_report_holds_the_verdicts_the_sign_offs_the_assumptions_and_the_figures(workshop_dir: Path,
                                                                                      tmp_path: Path) -> None:
    promise = load_promise(workshop_dir / PROMISE_FILE)
    panel = WhatIfPanel(load_workshop_feedback(workshop_dir).cube, promise, workshop_dir)
    panel.choose("campaign", "sofa_in_14_days")
    panel.department.value = "Operations"
    panel.hold_button.click()
    panel.set_assumption("told_per_disappointed", 9)
    panel.set_assumption("stay_away", 0.25)
    panel.report_button.click()
    assert "Added to the report" in html.unescape(panel.message.value)
    verdict = panel.verdict().sentence()
    lost = panel.cost().sentence()

    report = build_report(workshop_dir)
    page = export_html(report, tmp_path / "report.html").read_text()
    text = html.unescape(page)
    assert WHAT_IF_HEADING in text and WHAT_IF_NOTE in text
    assert verdict in text and lost in text
    assert "Operations: held back; Customer service: not yet" in text
    assert "A free design adviser in every store." in text  # every campaign, not only the one on screen
    assert "9 people" in text and "0.25 share" in text
    assert whatif.ASSUMPTION["told_per_disappointed"].source.split(".")[0] in text
    assert page.count('id="what-if-figure-') == 3
    markdown = export_markdown(report, tmp_path / "report.md").read_text()
    assert f"## {WHAT_IF_HEADING}" in markdown and "held back" in markdown


def test_without_campaigns_or_a_kept_what_if_the_report_has_no_such_section(workshop_dir: Path,
                                                                           tmp_path: Path) -> None:
    (workshop_dir / campaign.CAMPAIGNS_FILE).unlink()
    report = build_report(workshop_dir)
    assert report.what_if is None
    assert WHAT_IF_HEADING not in export_html(report, tmp_path / "report.html").read_text()


@pytest.mark.parametrize("name,text,words", [
    (whatif_file.WHATIF_FILE, "subject: {campaign: sofa_in_14_days}\nassumptions: {stay_away: 3}\n",
     "line 2, what-if, field 'stay_away': must be between 0 and 1 (found 3)"),
    (whatif_file.WHATIF_FILE, "subject: everything\n", "field 'subject': must name one campaign or one pillar"),
    (whatif_file.WHATIF_FILE, "what_ifs:\n- subject: {pillar: put_right}\n- subject: {campaign: gone}\n",
     "line 3, what-if 2, field 'subject': names no campaign of campaigns.yml (found {'campaign': 'gone'})"),
    (campaign.CAMPAIGNS_FILE, "- id: x\n  claim: Fast.\n  pillars: [nope]\n", "line 3, campaign 'x', field 'pillars'"),
])
def test_a_broken_file_stops_the_report_before_it_runs(workshop_dir: Path, name, text, words) -> None:
    (workshop_dir / name).write_text(text)
    with pytest.raises((whatif.WhatIfError, campaign.CampaignError)) as refused:
        check_workshop(workshop_dir)
    assert f"{workshop_dir / name}" in str(refused.value) and words in str(refused.value)


def test_a_kept_what_if_over_another_tabs_change_to_its_subject_is_refused(workshop_dir: Path) -> None:
    kept = whatif_file.KeptWhatIf("pillar", "put_right", whatif_budget.checked_budget_assumptions({}))
    read = whatif_file.keep_what_if(workshop_dir, kept, whatif_file.KeptWhatIfs(()))
    assert whatif_file.load_what_ifs(workshop_dir) == [kept]
    with pytest.raises(StaleFileError, match="changed in another tab"):
        whatif_file.keep_what_if(workshop_dir, kept, whatif_file.KeptWhatIfs(()))
    whatif_file.keep_what_if(workshop_dir, kept, read)


def test_the_report_draws_every_kept_what_if_each_labelled_with_its_assumptions(workshop_dir: Path,
                                                                               tmp_path: Path) -> None:
    promise = load_promise(workshop_dir / PROMISE_FILE)
    cube = load_workshop_feedback(workshop_dir).cube
    step_3, step_4 = WhatIfPanel(cube, promise, workshop_dir), WhatIfPanel(cube, promise, workshop_dir)
    step_3.choose("campaign", "sofa_in_14_days")
    step_3.set_assumption("told_per_disappointed", 9)
    step_3.report_button.click()
    step_4.choose("pillar", "put_right")
    step_4.set_assumption("budget_per_month", 250)
    step_4.report_button.click()
    lost = [step_3.cost().sentence(), step_4.cost().sentence()]
    assert lost[0] != lost[1]

    report = build_report(workshop_dir)
    page = export_html(report, tmp_path / "report.html").read_text()
    text = html.unescape(page)
    campaign_heading = ("What-if: the campaign “Your sofa in 14 days, on the day you choose, or delivery is "
                        "free.” (sofa_in_14_days), on Delivered when we say")
    pillar_heading = "What-if: the pillar Put right without a fight"
    assert f'<h3 class="kept-what-if">{campaign_heading}</h3>' in text
    assert f'<h3 class="kept-what-if">{pillar_heading}</h3>' in text
    assert text.index(campaign_heading) < text.index(lost[0]) < text.index(pillar_heading) < text.index(lost[1])
    first, second = text.split(pillar_heading)
    assert "9 people" in first and "100 £k" in first
    assert "12 people" in second and "250 £k" in second
    assert text.count("<h4>Its assumptions</h4>") == 2
    assert [page.count(f'id="what-if-figure-{n}"') for n in range(1, 8)] == [1] * 6 + [0]
    markdown = export_markdown(report, tmp_path / "report.md").read_text()
    assert f"### {campaign_heading}" in markdown and f"### {pillar_heading}" in markdown
    assert markdown.count("Assumptions:") == 2
