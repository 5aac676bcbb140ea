"""The reproducible workshop report: gather a folder's promise versions, session and feedback into a
``WorkshopReport``, and run notebook 05 on a folder with papermill (``run_report``, behind ``workshop report``).

A folder is checked before anything runs, so a broken one fails with the file and line of its first problem
(e.g. ``promise.yml`` line 12) rather than with a notebook traceback; feedback that does not pass the check
(``usable_workshop_feedback``) stops the report with the check's problems, so no finding is ever drawn from
it. The same folder gives the same report: its date is the day the session started (today only for a folder
that never had a session), figures get fixed ids, and nothing else varies. This module writes only into the
folder's ``exports/`` and, for step 3's 'Add this view to the report', its ``report_views.yml`` (the filters
the room used); it builds no widgets and holds no rule of the workshop (warnings, order and metrics come from
the layers below).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from workshop import campaign, charts, gap, whatif, whatif_budget, whatif_charts, whatif_file
from workshop.action_charts import impact_effort_matrix
from workshop.actions import facilitator_warnings, pillar_standing, prioritised
from workshop.cube import ScoreCube
from workshop.errors import Problem, WorkshopError, WorkshopFolderError
from workshop.evidence import evidence_of, pillars_not_measured
from workshop.feedback.load import usable_workshop_feedback
from workshop.feedback.mapping import MAPPING_FILE, importance_measure, load_mapping, source_path
from workshop.files import FileStamp, write_if_unchanged
from workshop.filters import filter_to_dict, filters_from_data
from workshop.folder import current_workshop, kit_root, workshop_folder
from workshop.promise import Promise, load_versions
from workshop.report import ReportFigure, ReportWhatIf, WhatIfSection, WorkshopReport, export_path
from workshop.session import SessionState, SessionStore, actions_of, has_session, room_ratings
from workshop.yaml_files import read_yaml, yaml_rewrite

REPORT_NOTEBOOK = "05_workshop_report.ipynb"
KERNEL = "python3"
REPORT_VIEWS_FILE = "report_views.yml"
REPORT_VIEWS_HEADER = (
    "# The gap views the room added to the report in step 3 ('Add this view to the report'), in order.\n"
    "# Each item is a filter: touchpoints, segments, advocates_only, months [first, last].\n"
)


class ReportError(WorkshopError):
    """The report notebook could not run to the end on a workshop folder."""


def report_folder(workshop_dir: str | os.PathLike = "") -> Path:
    """The folder to report on: ``workshop_dir``, or the current workshop when it is empty (notebook 05's
    parameter default)."""
    return Path(workshop_dir).resolve() if str(workshop_dir) else current_workshop()


def check_workshop(workshop_dir: str | os.PathLike) -> None:
    """Raise the first problem that would stop a report: no folder or promise.yml, a promise (or a kept
    version) that does not load, a mapping that does not load or names a missing file, feedback that does not
    pass the check, an unreadable session, a ``report_views.yml`` that does not load or names a touchpoint or
    segment the feedback does not have, a ``campaigns.yml`` or ``whatif.yml`` that does not load (a what-if on
    a campaign or pillar the folder does not have included).

    The errors are the loaders' own (``PromiseError`` with the line, ``WorkshopFolderError``, the mapping's,
    the check's ``FeedbackError``, the session's, ``GapError`` for report views, ``CampaignError`` and
    ``WhatIfError``), all ``WorkshopError``s.
    """
    folder = workshop_folder(workshop_dir, "Name a folder made with 'workshop new NAME'.")
    promise = load_versions(folder)[-1]
    if (folder / MAPPING_FILE).is_file():
        source = source_path(load_mapping(folder), folder)
        if not source.is_file():
            raise WorkshopFolderError(
                [
                    Problem(
                        folder / MAPPING_FILE,
                        "source",
                        "file",
                        "names a file that is not there",
                        "Copy the feedback file into the folder, or fix the name.",
                        str(source),
                    )
                ]
            )
    cube = usable_workshop_feedback(folder).cube if (folder / MAPPING_FILE).is_file() else None
    session_state(folder)
    load_report_views(folder, cube)
    campaigns, _ = campaign.load_campaigns_and_stamp(folder, promise, cube.touchpoints if cube else None)
    whatif_file.load_what_ifs(folder, what_if_subjects(campaigns, promise))


def load_report_views(workshop_dir: str | os.PathLike, cube: ScoreCube | None = None) -> list[gap.Filter]:
    """The filters recorded in the folder's ``report_views.yml``, in order (none without the file).

    With ``cube`` their touchpoints and segments are checked against the feedback's labels. Raises
    ``GapError`` naming the file, line, item, field and value of every problem.
    """
    path = Path(workshop_dir) / REPORT_VIEWS_FILE
    if not path.is_file():
        return []
    document = read_yaml(path, gap.GapError, "Check the '- ' before each view and the ':' after each field.")
    return filters_from_data(
        document.data,
        path,
        document.lines,
        cube.touchpoints if cube is not None else None,
        cube.segments if cube is not None else None,
    )


def add_report_view(
    workshop_dir: str | os.PathLike, flt: gap.Filter, cube: ScoreCube | None = None, *, expected: FileStamp
) -> FileStamp | None:
    """Record ``flt`` at the end of ``report_views.yml`` unless it is there already, only if the file is
    unchanged since it was read with the stamp ``expected`` (``files.NO_FILE``: there was none); returns the
    new stamp, or None when the view was there already and nothing was written.

    A broken file is refused (``GapError``), never overwritten; one another tab saved since is refused with
    ``StaleFileError``.
    """
    filters = load_report_views(workshop_dir, cube)
    if flt in filters:
        return None
    views = [filter_to_dict(f) for f in [*filters, flt]]
    return write_if_unchanged(
        Path(workshop_dir) / REPORT_VIEWS_FILE, yaml_rewrite(REPORT_VIEWS_HEADER, views), expected
    )


def session_state(workshop_dir: str | os.PathLike) -> SessionState:
    """The session's state, or an empty one when the folder never had a session (no file is created then)."""
    folder = Path(workshop_dir)
    if not has_session(folder):
        return SessionState()
    with SessionStore(folder) as store:
        return store.state()


def report_day(workshop_dir: str | os.PathLike) -> date:
    """The workshop's date: the (UTC) day of the session's first event; today for a folder without one."""
    folder = Path(workshop_dir)
    if has_session(folder):
        with SessionStore(folder) as store:
            events = store.since(0)[:1]
        if events:
            return datetime.fromisoformat(events[0].created).date()
    return datetime.now(UTC).date()


def build_report(workshop_dir: str | os.PathLike, flt: gap.Filter = gap.Filter()) -> WorkshopReport:
    """Everything the report shows for a folder: the promise and its kept versions, the evidence the findings
    stand on, the session's actions and the warnings, the gap views on ``flt`` (all responses by default),
    then the gap overview on each filter the room added in step 3 (``report_views.yml``, in order), and the
    room against the customers. Each gap view's caption gives its filter and its n.

    Without mapping.yml (no feedback) the gap views and the evidence are left out and no pillar counts as
    broken. Feedback that does not pass the check raises its ``FeedbackError``: no finding is drawn from it.
    """
    folder = Path(workshop_dir)
    versions = load_versions(folder)
    promise = versions[-1]
    state = session_state(folder)
    names = {p.id: p.name for p in promise.pillars}
    table = None
    evidence = None
    gap_views: list[ReportFigure] = []
    room_views: list[ReportFigure] = []
    what_if = None
    if (folder / MAPPING_FILE).is_file():
        feedback = usable_workshop_feedback(folder)
        evidence = evidence_of(feedback, promise)
        cube, not_measured = feedback.cube, pillars_not_measured(feedback, promise)
        engine, goal_posts = gap.GapMetrics(cube), gap.goal_posts_from_promise(promise)
        table = engine.table(flt, "pillar", goal_posts)
        caption = evidence_caption(cube, flt, table)
        gap_views = [
            ReportFigure(chart.title, chart.figure(), caption)
            for chart in (
                charts.gap_overview(table, names, not_measured=not_measured),
                charts.importance_performance(
                    gap.quadrants(table), list(table["status"]), names, importance_measure(feedback.mapping)
                ),
                charts.loudness_chart(gap.loudness(table, promise), names),
            )
        ]
        for used in load_report_views(folder, cube):
            used_table = engine.table(used, "pillar", goal_posts)
            chart = charts.gap_overview(used_table, names, not_measured=not_measured)
            gap_views.append(ReportFigure(chart.title, chart.figure(), evidence_caption(cube, used, used_table)))
        ratings = room_ratings(state)
        if len(ratings):
            blind = gap.blind_spots(gap.internal_summary(ratings, promise.pillar_ids), table)
            chart = charts.internal_vs_customers(blind, names)
            room_views = [
                ReportFigure(
                    chart.title,
                    chart.figure(),
                    f"{len(state.participants)} participants rated the pillars. Customers: {caption}",
                )
            ]
        what_if = what_if_section(folder, promise, state, engine)
    actions = actions_of(state)
    matrix = impact_effort_matrix(prioritised(actions), names)
    plan_views = (
        [
            ReportFigure(
                matrix.title,
                matrix.figure(),
                "Each number is the action's row in the plan "
                "above (dropped actions are not drawn); quick wins are top left.",
            )
        ]
        if actions
        else []
    )
    broken = [s.pillar_id for s in pillar_standing(promise, table) if s.broken]
    return WorkshopReport(
        workshop=folder.name,
        day=report_day(folder),
        promise=promise,
        actions=actions,
        warnings=facilitator_warnings(actions, names, broken),
        earlier_promises=versions[:-1],
        evidence=evidence,
        gap_views=gap_views,
        room_views=room_views,
        plan_views=plan_views,
        idea_labels={idea.id: f"#{idea.number}" for idea in state.ideas.values()},
        what_if=what_if,
    )


def what_if_section(
    workshop_dir: str | os.PathLike, promise: Promise, state: SessionState, engine: gap.GapMetrics
) -> WhatIfSection | None:
    """'What the gap costs' for the report: each campaign of ``campaigns.yml`` with its verdict and its owners'
    sign-offs, and every what-if the room kept (``whatif.yml``: each with its sentences, figures and every
    assumption with its value). None when the folder has neither."""
    folder = Path(workshop_dir)
    campaigns, _ = campaign.load_campaigns_and_stamp(folder, promise, engine.cube.touchpoints)
    kept = whatif_file.load_what_ifs(folder, what_if_subjects(campaigns, promise))
    if not campaigns and not kept:
        return None
    verdicts = {c.id: campaign.judge(c, engine, promise) for c in campaigns}
    rows = [
        (
            c.id,
            c.claim,
            verdicts[c.id].sentence(),
            "; ".join(f"{d}: {s}" for d, (s, _) in campaign.sign_off_standing(state, verdicts[c.id]).items()),
        )
        for c in campaigns
    ]
    table = pd.DataFrame(rows, columns=["Campaign", "Claim", "Verdict", "Sign-offs"])
    return WhatIfSection(table, [_report_what_if(what_if, campaigns, promise, engine) for what_if in kept])


def what_if_subjects(campaigns: list[campaign.Campaign], promise: Promise) -> list[tuple[str, str]]:
    """What a kept what-if may be about: each campaign of ``campaigns.yml`` and each pillar of the promise."""
    return [("campaign", c.id) for c in campaigns] + [("pillar", p) for p in promise.pillar_ids]


def _report_what_if(
    kept: whatif_file.KeptWhatIf, campaigns: list[campaign.Campaign], promise: Promise, engine: gap.GapMetrics
) -> ReportWhatIf:
    """One kept what-if redrawn on the folder's feedback: its sentences, figures and assumptions."""
    specs = (*whatif.ASSUMPTIONS, *whatif_budget.BUDGET_ASSUMPTIONS)
    assumptions = pd.DataFrame(
        [(a.label, f"{kept.assumptions[a.name]:g} {a.unit}", f"{a.default:g}", a.source) for a in specs],
        columns=["Assumption", "Value", "Default", "Where it comes from"],
    )
    chosen = next((c for c in campaigns if c.id == kept.key), None) if kept.kind == "campaign" else None
    if chosen is not None:
        pillars, loudness, touchpoints = chosen.pillars, campaign.loudness_of(chosen, promise), chosen.touchpoints
        subject = " and ".join(promise.pillar(p).name for p in pillars)
        heading = f"the campaign “{chosen.claim}” ({chosen.id}), on {subject}"
    else:
        pillar = promise.pillar(kept.key)
        pillars, loudness, touchpoints, subject = [pillar.id], pillar.loudness, pillar.touchpoints, pillar.name
        heading = f"the pillar {subject}"
    known = [t for t in touchpoints if t in engine.cube.touchpoints]
    curve = whatif.below_curve(engine, promise, gap.Filter(touchpoints=tuple(known) or None))
    cost = whatif.cost_of_gap(
        curve, pillars, loudness, subject, {k: v for k, v in kept.assumptions.items() if k in whatif.ASSUMPTION}
    )
    budget = whatif_budget.budget_question(curve, pillars, loudness, kept.assumptions)
    caption = (
        f"{curve.flt.caption()} The share below the line is gap's, on {int(curve.n.max()):,} answers; "
        f"every other number is an assumption listed below."
    )
    figures = [
        ReportFigure(chart.title.replace("<br>", " "), chart.figure(), caption)
        for chart in (
            whatif_charts.cost_of_gap_chart(cost),
            whatif_charts.budget_chart(budget),
            whatif_charts.sensitivity_chart(budget),
        )
    ]
    return ReportWhatIf(heading, assumptions, [cost.sentence(), budget.sentence()], figures)


def evidence_caption(cube: ScoreCube, flt: gap.Filter, pillars: gap.Table) -> str:
    """A gap view's caption: its filter in words and its n, e.g. "All responses (no filter). n = 5,000
    responses; 3,940 to 4,808 answers per measured pillar." (``pillars`` is the view's by-pillar table)."""
    answers = sorted(int(n) for n in pillars["n"] if n)
    spread = (
        (f"{answers[0]:,}" if answers[0] == answers[-1] else f"{answers[0]:,} to {answers[-1]:,}") if answers else "no"
    )
    return f"{flt.caption()} n = {gap.responses_in(cube, flt):,} responses; {spread} answers per measured pillar."


def run_report(workshop_dir: str | os.PathLike, out: str | os.PathLike | None = None) -> Path:
    """Check the folder, run notebook 05 on it with papermill (kernel ``python3``, working directory
    ``notebooks/``) and return the HTML report it wrote into the folder's ``exports/``.

    ``out`` is where the executed notebook is kept (default ``exports/<folder>-<day>-report.ipynb``). Raises
    a ``WorkshopError``: the folder's own problem (``PromiseError`` with file and line,
    ``WorkshopFolderError``, mapping or session errors) before anything runs, or ``ReportError`` naming
    the notebook cell and the error when the run fails.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    folder = Path(workshop_dir).resolve()
    check_workshop(folder)
    day = report_day(folder)
    notebook = kit_root() / "notebooks" / REPORT_NOTEBOOK
    executed = Path(out) if out is not None else export_path(folder, folder.name, day, "report.ipynb")
    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters={"workshop_dir": str(folder)},
            kernel_name=KERNEL,
            cwd=str(notebook.parent),
            progress_bar=False,
        )
    except PapermillExecutionError as error:
        raise ReportError(
            [
                Problem(
                    notebook,
                    f"cell {error.exec_count}",
                    None,
                    f"{error.ename}: {error.evalue}",
                    f"Fix the folder's files, or open {executed.name} to see the cell.",
                )
            ]
        ) from None
    html = export_path(folder, folder.name, day, "report.html")
    if not html.is_file():
        raise ReportError(
            [
                Problem(
                    notebook,
                    "",
                    None,
                    f"ran but wrote no {html.name}",
                    "Check the notebook's last cell calls export_all.",
                )
            ]
        )
    return html
