"""whatif.yml keeps one what-if per subject (workshop/whatif_file.py), driven through the real what-if panel on a
real workshop folder: notebooks 03 and 04 each build a panel before the room arrives, and each 'Add this what-if
to the report' keeps its own subject beside the other's; a hand edit to the same subject since the panel read the
file is refused with the sliders kept; a file from before it kept several is still read; a bad file names its
file, line and field."""
from __future__ import annotations

import html
import multiprocessing
from pathlib import Path

import pytest

from workshop import whatif, whatif_budget, whatif_file
from workshop.feedback.load import load_workshop_feedback
from workshop.files import STALE_MESSAGE
from workshop.promise import PROMISE_FILE, load_promise
from workshop.ui.whatif_panel import WhatIfPanel

SOFA = "Campaign: Your sofa in 14 days, on the day you choose, or delivery is… (sofa_in_14_days)"


def said(panel: WhatIfPanel) -> str:
    return html.unescape(panel.message.value)


@pytest.fixture
def panels(workshop_dir: Path) -> tuple[WhatIfPanel, WhatIfPanel]:
    """Notebook 03's and notebook 04's panels, both built (the file read) before either saves."""
    promise = load_promise(workshop_dir / PROMISE_FILE)
    cube = load_workshop_feedback(workshop_dir).cube
    return WhatIfPanel(cube, promise, workshop_dir), WhatIfPanel(cube, promise, workshop_dir)


def test_notebook_3_then_4_both_kept_and_the_message_says_so(workshop_dir: Path, panels) -> None:
    step_3, step_4 = panels
    step_3.choose("campaign", "sofa_in_14_days")
    step_3.set_assumption("told_per_disappointed", 9)
    step_3.report_button.click()
    assert said(step_3).endswith(f"The report keeps 1 what-if: {SOFA}.")

    step_4.choose("pillar", "put_right")
    step_4.set_assumption("budget_per_month", 250)
    step_4.report_button.click()
    assert STALE_MESSAGE not in said(step_4)
    assert said(step_4).endswith(f"The report keeps 2 what-ifs: {SOFA}; Pillar: Put right without a fight.")

    kept = whatif_file.load_what_ifs(workshop_dir)
    assert [w.subject for w in kept] == [("campaign", "sofa_in_14_days"), ("pillar", "put_right")]
    assert kept[0].assumptions["told_per_disappointed"] == 9 and kept[0].assumptions["budget_per_month"] == 100
    assert kept[1].assumptions["budget_per_month"] == 250 and kept[1].assumptions["told_per_disappointed"] == 12

    # Back in notebook 03: its own subject, unchanged since it wrote it, is replaced in place; 04's stays.
    step_3.set_assumption("told_per_disappointed", 15)
    step_3.report_button.click()
    assert said(step_3).endswith(f"The report keeps 2 what-ifs: {SOFA}; Pillar: Put right without a fight.")
    again = whatif_file.load_what_ifs(workshop_dir)
    assert [w.subject for w in again] == [w.subject for w in kept]
    assert again[0].assumptions["told_per_disappointed"] == 15 and again[1] == kept[1]


def test_a_hand_edit_to_the_same_subject_is_refused_and_the_sliders_kept(workshop_dir: Path, panels) -> None:
    step_3, step_4 = panels
    step_3.choose("pillar", "put_right")
    step_3.report_button.click()
    path = workshop_dir / whatif_file.WHATIF_FILE
    edited = path.read_text().replace("stay_away: 0.1\n", "stay_away: 0.3  # the consultant's own figure\n")
    assert edited != path.read_text()
    path.write_text(edited)

    step_3.set_assumption("stay_away", 0.5)
    step_3.report_button.click()
    assert STALE_MESSAGE in said(step_3) and "Traceback" not in said(step_3)
    assert path.read_text() == edited
    assert step_3.sliders["stay_away"].value == 0.5

    # Notebook 04 read the file before anyone saved: the same subject there is refused as well ...
    step_4.choose("pillar", "put_right")
    step_4.report_button.click()
    assert STALE_MESSAGE in said(step_4) and path.read_text() == edited
    # ... another subject is kept beside the hand edit, its comment and value as the consultant left them.
    step_4.choose("pillar", "made_to_last")
    step_4.report_button.click()
    assert "The report keeps 2 what-ifs" in said(step_4)
    assert "stay_away: 0.3  # the consultant's own figure" in path.read_text()
    assert whatif_file.load_what_ifs(workshop_dir)[0].assumptions["stay_away"] == 0.3

    # Reloading (a new panel reads the file again) lets the room replace its what-if on purpose.
    promise = load_promise(workshop_dir / PROMISE_FILE)
    reloaded = WhatIfPanel(step_3.engine.cube, promise, workshop_dir)
    reloaded.choose("pillar", "put_right")
    reloaded.set_assumption("stay_away", 0.5)
    reloaded.report_button.click()
    assert whatif_file.load_what_ifs(workshop_dir)[0].assumptions["stay_away"] == 0.5


def test_a_file_with_one_what_if_from_before_is_read_and_kept_beside_a_new_one(workshop_dir: Path) -> None:
    path = workshop_dir / whatif_file.WHATIF_FILE
    path.write_text("subject: {campaign: sofa_in_14_days}\nassumptions: {stay_away: 0.2, budget_per_month: 50}\n")
    (old,) = whatif_file.load_what_ifs(workshop_dir)
    assert old.subject == ("campaign", "sofa_in_14_days") and old.assumptions["stay_away"] == 0.2
    assert old.assumptions["told_per_disappointed"] == whatif.ASSUMPTION["told_per_disappointed"].default

    panel = WhatIfPanel(load_workshop_feedback(workshop_dir).cube, load_promise(workshop_dir / PROMISE_FILE),
                        workshop_dir)
    panel.choose("pillar", "easy_online")
    panel.report_button.click()
    assert said(panel).endswith(f"The report keeps 2 what-ifs: {SOFA}; Pillar: Easy to choose online.")
    assert "what_ifs:" in path.read_text()
    assert whatif_file.load_what_ifs(workshop_dir)[0] == old


@pytest.mark.parametrize("text,words", [
    ("what_ifs:\n- subject: {pillar: put_right}\n  assumptions: {stay_away: 0.2}\n"
     "- subject: {campaign: sofa_in_14_days}\n  assumptions:\n    told_per_disappointed: 12\n    stay_away: 3\n",
     "line 7, what-if 2, field 'stay_away': must be between 0 and 1 (found 3)"),
    ("what_ifs:\n- subject: {pillar: put_right}\n- subject: {pillar: put_right}\n",
     "line 3, what-if 2, field 'subject': is the subject of what-if 1 too"),
    ("what_ifs:\n- subject: everything\n", "line 2, what-if 1, field 'subject': must name one campaign or one pillar"),
    ("what_ifs:\n- subject: {pillar: put_right}\n  assumptions: [1, 2]\n",
     "line 3, what-if 1, field 'assumptions': must list each assumption by name"),
    ("- subject: {pillar: put_right}\n", "line 1, field 'what_ifs': must be the one list of what-ifs"),
])
def test_a_bad_file_names_file_line_and_field_and_is_never_overwritten(workshop_dir: Path, text, words) -> None:
    path = workshop_dir / whatif_file.WHATIF_FILE
    path.write_text(text)
    with pytest.raises(whatif.WhatIfError) as refused:
        whatif_file.load_what_ifs(workshop_dir)
    assert f"{path}, {words}" in str(refused.value)

    panel = WhatIfPanel(load_workshop_feedback(workshop_dir).cube, load_promise(workshop_dir / PROMISE_FILE),
                        workshop_dir)
    panel.choose("pillar", "made_to_last")
    panel.report_button.click()
    assert words in said(panel) and path.read_text() == text


def _keep_in_another_process(folder: str, pillar: str, start, results) -> None:
    start.wait()
    kept = whatif_file.KeptWhatIf("pillar", pillar, whatif_budget.checked_budget_assumptions({}))
    whatif_file.keep_what_if(folder, kept, whatif_file.KeptWhatIfs(()))
    results.put(pillar)


def test_of_processes_keeping_different_subjects_at_once_none_is_lost(tmp_path: Path) -> None:
    """Each process read the file before any saved (no what-if yet), as the panels of 03 and 04 do."""
    pillars = ["on_time_delivery", "expert_advice", "made_to_last", "put_right"]
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(len(pillars)), context.Queue()
    keepers = [context.Process(target=_keep_in_another_process, args=(str(tmp_path), p, start, results))
               for p in pillars]
    for keeper in keepers:
        keeper.start()
    done = sorted(results.get(timeout=60) for _ in keepers)
    for keeper in keepers:
        keeper.join(timeout=60)
    assert done == sorted(pillars)
    assert sorted(w.key for w in whatif_file.load_what_ifs(tmp_path)) == sorted(pillars)
