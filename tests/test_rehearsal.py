"""The rehearsal: a new facilitator's whole workshop in JupyterLab, in a real Chromium at projector size (1280×800).

On a copy of the kit (a git repository of its own, so ``git status`` tells what running the workshop changed)
with workshops/example made from the sample as ``make workshop`` makes it, JupyterLab runs from the kit's
environment with the kit's server config (the save hook of workshop/kit_notebooks.py), the participant server is
started by ``workshop serve``, and the half-day agenda (facilitator_guide/agenda_half_day.md) is followed in
order: notebooks 00–04 opened in tabs and run (Run → Run All Cells), three phones (360×740) join, the room rates
in step 3 (hidden, then revealed), the goal posts are saved, an edit is made in notebook 01's tab (open since
the start, so stale), the phones propose ideas and vote, an owned action is typed on notebook 04's board before
its effort and impact are moved, notebook 05 builds the report, and every tab is saved with Ctrl+S.

The rehearsal runs once (the ``rehearsal`` fixture) and records what a person would have seen; each test asserts
one thing the kit promises. Screenshots of each block of the agenda are taken as the room would see them: into
docs/img/tour_*.png for docs/tour.md with PROMISE_GAP_REFRESH_TOUR=1, else into a scratch folder
(conftest.SCREENSHOTS). JupyterLab is started as every browser test starts it (tests/lab_server.py).
"""
from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import phones
import playwright.sync_api as playwright
import pytest
import yaml
from lab_server import JupyterLab

from conftest import SCREENSHOTS as TOUR
from conftest import free_port, launch_chromium, record_errors
from workshop.actions import Action
from workshop.session import SessionStore, actions_of

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
"""The kit's environment (the one running the tests): its jupyter and workshop commands."""
CODE = "RH7KQ"
PROJECTOR = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
WAIT_MS = 120_000
"""Long enough for a kernel to start and run a notebook on a loaded 2-core machine; every wait is on a condition."""
AGENDA = ["00_start_here", "01_define_the_promise", "02_load_advocate_feedback", "03_visualise_the_gap",
          "04_agree_on_actions"]
REPORT_NOTEBOOK = "05_workshop_report"
ROOM = [("Sales", "Ana"), ("Customer service", ""), ("Operations", "Cy")]
"""Three participants: department and display name (the second stays anonymous)."""
RATINGS = [{"Delivered when we say": (8.0, 7.5), "Advice from people who know": (7.0, 6.0)},
           {"Delivered when we say": (4.0, 3.0), "Put right without a fight": (6.5, 5.0)},
           {"Delivered when we say": (6.0, 5.5), "Made to last": (9.0, 8.0)}]
IDEAS = [("Text a one-hour delivery slot on the morning", "Delivered when we say", "Lift the experience", "Tools"),
         ("Stop promising 14 days until we keep it", "Delivered when we say", "Refresh the promise",
          "Marketing message"),
         ("One named case owner per complaint", "Put right without a fight", "Lift the experience",
          "Process and operations")]
DOTS = [{IDEAS[0][0]: 2, IDEAS[2][0]: 1}, {IDEAS[0][0]: 1, IDEAS[1][0]: 2}, {IDEAS[0][0]: 3}]
BROKEN_PILLAR = "Delivered when we say"
"""The sample's broken pillar: the room lowers its threshold in step 3 and owns an action for it in step 4."""
OTHER_PILLAR = "Put right without a fight"
THRESHOLDS_SAVED = {"Delivered when we say": 5.0, "Advice from people who know": 6, "Made to last": 6,
                    "Put right without a fight": 6, "Easy to choose online": 6}
"""The sample's thresholds (6 each) after the room moved the broken pillar's down two half points."""
STALE_STATEMENT = "The right piece, on the day we said, and put right without a fight."
TYPED = {"title": "Text a one-hour slot on delivery morning", "department": "Logistics", "owner": "Dana Reyes",
         "due": "2027-03-31", "measure": "Delivered when we say above 5 for 60 % of advocates by March 2027"}
"""What the facilitator types for the action (Logistics is a department the promise does not list)."""
RATED = {"effort": 2, "impact": 4}
STALE_MESSAGE = "changed in another tab — reload to see it"

RUN_FINISHED = """(name) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path.endsWith(name));
  const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
  const failed = cells.flatMap(cell => cell.model.outputs.toJSON()).find(output => output.output_type === 'error');
  if (failed) return 'error: ' + failed.ename + ': ' + failed.evalue;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return cells.every(cell => cell.model.executionCount !== null) && kernel && kernel.status === 'idle' && 'done';
}"""
"""Every code cell of the notebook has run and its kernel is idle ('done'), or the first error output."""

KERNEL_READY = """(name) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path.endsWith(name));
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return kernel && kernel.status === 'idle';
}"""

RUN_STATE = """(name) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path.endsWith(name));
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const counts = panel.content.widgets.filter(cell => cell.model.type === 'code').map(cell => cell.model.executionCount);
  return `kernel ${kernel ? kernel.status : 'none'}, execution counts ${JSON.stringify(counts)}`;
}"""

VIEW_DRAWN = """(title) => {
  const root = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const tabs = [...root.querySelectorAll('.widget-tab')].find(tab => [...tab.querySelectorAll('.lm-TabBar-tab')]
    .some(label => label.textContent.trim() === title));
  const plots = tabs ? [...tabs.querySelectorAll('.js-plotly-plot')].filter(p => p.getBoundingClientRect().width) : [];
  return plots.length === 1 && plots[0].querySelector('.main-svg .trace, .main-svg .hm') && plots[0].querySelector('.gtitle');
}"""
"""The open tab of the panel whose tab bar holds ``title`` shows one chart, with its title and a trace drawn
(other panels in the notebook, the what-if's among them, have tabs and charts of their own)."""
VIEW_DRAW_MS = 60_000

FIGURES = """() => {
  const panel = window.jupyterapp ? window.jupyterapp.shell.currentWidget : null;
  const cells = panel && panel.content ? panel.content.widgets : [];
  const root = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)') || document;
  const points = trace => Math.max(0, ...['x', 'y', 'z', 'values'].map(key => (trace[key] || []).length));
  const flat = value => value !== null && typeof value === 'object' && 'length' in value
    ? Array.from(value).flatMap(flat) : [value];
  const valued = trace => (trace.z ? ['z'] : ['x', 'y', 'values']).some(key => flat(trace[key] || []).some(
    value => value !== null && value !== undefined && !(typeof value === 'number' && isNaN(value))));
  return [...root.querySelectorAll('.js-plotly-plot')].filter(plot => plot.getBoundingClientRect().width > 0)
    .map(plot => {
      const traces = plot.data || [];
      const shown = traces.filter(trace => trace.visible !== false);
      const cell = plot.closest('.jp-CodeCell');
      const source = cell ? cells[Number(cell.dataset.windowedListIndex)].model.sharedModel.getSource() : '';
      const made = source.match(/\\b(\\w*Panel|ActionBoard)\\b/);
      return {panel: cell ? (made ? made[1] : 'unknown') : 'report',
              title: (plot.querySelector('.gtitle') || {}).textContent || '', traces: traces.length,
              shown: shown.length, empty: shown.filter(trace => points(trace) === 0).length,
              valued: shown.filter(valued).length,
              drawn: plot.querySelectorAll('.main-svg .trace, .main-svg .hm').length};
    });
}"""
"""Each plotly figure on screen (not in a hidden tab): the panel whose cell made it, its title, its traces (those
shown, those of them without a single point, and those with a value that is not null, z for a heatmap: one of
only nulls, such as "fewer than 30 answers" when every cell has enough, rightly draws nothing), and the trace
groups plotly drew."""

CODE_LIKE = re.compile(r"^(PosixPath\(|WindowsPath\(|'|\"|\{|\[)")
"""How a Python repr starts: a path object, a quoted string, a dict or a list."""


@dataclass(frozen=True)
class Figure:
    step: str
    panel: str
    title: str
    traces: int
    shown: int
    empty: int
    valued: int
    drawn: int

    def __str__(self) -> str:
        return (f"{self.step}: {self.panel} {self.title[:60]!r}, {self.traces} traces ({self.shown} shown, "
                f"{self.empty} without a point, {self.valued} with a value), {self.drawn} drawn")

    @property
    def drew_its_data(self) -> bool:
        """A title, at least one trace, a point in every trace meant to be seen, and plotly drew each of them
        that has a value (a chart whose results are hidden shows none of its traces)."""
        return bool(self.title.strip()) and self.traces > 0 and self.empty == 0 and self.drawn >= self.valued


@dataclass
class Seen:
    """What the facilitator and the phones showed, and what the files held, during the rehearsal."""

    figures: list[Figure] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    code_like_outputs: list[str] = field(default_factory=list)
    on_screen_after_rating: dict[str, str] = field(default_factory=dict)
    action: Action | None = None
    report_markdown: str = ""
    report_html: str = ""
    thresholds_saved: dict[str, float] = field(default_factory=dict)
    stale_message: str = ""
    stale_field: str = ""
    promise_before_stale_edit: str = ""
    promise_after_stale_edit: str = ""
    versions_before: dict[str, str] = field(default_factory=dict)
    versions_after: dict[str, str] = field(default_factory=dict)
    saved_notebooks: list[str] = field(default_factory=list)
    git_status: str = ""


# --- the kit, JupyterLab and the participant server ------------------------------------------------------------


def _run(command: list, cwd: Path, env: dict | None = None) -> str:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


def _kit_env(kit: Path) -> dict[str, str]:
    """The kit copy's own code and Jupyter server config (its save hook); no $PROMISE_GAP_WORKSHOP nor
    $PROMISE_GAP_WORKSHOPS (the notebooks find workshops/example as a facilitator's would)."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PROMISE_GAP_WORKSHOP", "PROMISE_GAP_WORKSHOPS")}
    return {**env, "PYTHONPATH": str(kit), "JUPYTER_CONFIG_PATH": str(kit / "jupyter-config")}


@pytest.fixture(scope="module")
def kit() -> Iterator[tuple[Path, dict[str, str]]]:
    """A copy of this checkout as its own git repository (every file git tracks or would add, committed), with
    workshops/example made from the sample by ``workshop new``, as ``make workshop`` does; and its environment.

    Not under pytest's tmp_path: pytest keeps only its three latest base folders, so another pytest run on this
    machine can delete it while JupyterLab still works in it."""
    root = Path(tempfile.mkdtemp(prefix="promise-gap-rehearsal-"))
    copy = root / "kit"
    listed = _run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], REPO).split("\0")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    git = ["git", "-c", "user.name=Rehearsal", "-c", "user.email=rehearsal@example.invalid"]
    _run(["git", "init", "--quiet"], copy)
    _run([*git, "add", "--all"], copy)
    _run([*git, "commit", "--quiet", "--message", "the kit as checked out"], copy)
    env = _kit_env(copy)
    _run([BIN / "workshop", "new", copy / "workshops" / "example", "--from", "datasets/sample"], copy, env)
    yield copy, env
    shutil.rmtree(root, ignore_errors=True)


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # as Ctrl-C in the facilitator's terminal
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _start(command: list, kit: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "w") as output:
        return subprocess.Popen(command, cwd=kit, env=env, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _wait_for(log: Path, process: subprocess.Popen, pattern: str, seconds: float = WAIT_MS / 1000) -> re.Match:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = re.search(pattern, log.read_text(errors="replace"))
        if found:
            return found
        assert process.poll() is None, f"{process.args[0]} stopped:\n{log.read_text(errors='replace')}"
        time.sleep(0.2)
    raise AssertionError(f"no {pattern!r} from {process.args[0]} within {seconds:g} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def lab(kit) -> Iterator[JupyterLab]:
    """JupyterLab on the kit copy, started now; the rehearsal waits for it once the participant server is up."""
    copy, env = kit
    with JupyterLab.start(root=copy, home=copy.parent / "jupyter", env=env) as server:
        yield server


@pytest.fixture(scope="module")
def participant_server(kit):
    """The participant server, as the facilitator starts it in a terminal (`workshop serve`), on loopback."""
    copy, env = kit
    log = copy.parent / "serve.log"
    process = _start([BIN / "workshop", "serve", "--workshop", "workshops/example", "--host", "loopback",
                      "--port", str(free_port()), "--code", CODE], copy, env, log)
    server = Server(process, _wait_for(log, process, r"Participants join at\s+(\S+)").group(1), log)
    yield server
    server.stop()


# --- driving JupyterLab ----------------------------------------------------------------------------------------


class Lab:
    """The facilitator's JupyterLab page: tabs, menus and keys, as a person uses them."""

    def __init__(self, page: playwright.Page, seen: Seen):
        self.page = page
        self.seen = seen
        self.started = time.monotonic()

    @property
    def notebook(self) -> playwright.Locator:
        """The notebook on screen."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")

    def open(self, name: str) -> None:
        """Open a notebook from the file browser (in notebooks/) in a new tab."""
        self.page.locator(f".jp-DirListing-item[title*='{name}.ipynb']").first.dblclick()
        self.page.locator(f".lm-DockPanel-tabBar .lm-TabBar-tab[title*='{name}.ipynb']").wait_for(timeout=WAIT_MS)

    def tab(self, name: str) -> playwright.Locator:
        self.page.locator(f".lm-DockPanel-tabBar .lm-TabBar-tab[title*='{name}.ipynb']").click()
        self.page.locator(f".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current[title*='{name}.ipynb']").wait_for()
        return self.notebook

    def run_all(self, name: str) -> None:
        """Run → Run All Cells, once the notebook's kernel is up (before that the menu item does nothing)."""
        self.tab(name)
        self.page.wait_for_function(KERNEL_READY, arg=f"{name}.ipynb", timeout=WAIT_MS)
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_text("Run All Cells", exact=True).click()

    def wait_until_run(self, name: str) -> None:
        try:
            outcome = self.page.wait_for_function(RUN_FINISHED, arg=f"{name}.ipynb", timeout=WAIT_MS).json_value()
        except playwright.TimeoutError:
            outcome = "still running: " + self.page.evaluate(RUN_STATE, f"{name}.ipynb")
        assert outcome == "done", f"{name}: {outcome}"

    def open_view(self, title: str) -> None:
        """Open the gap panel's tab ``title`` and wait for its chart to draw (made the first time its tab opens):
        a tab left an empty box in front of the room fails the rehearsal here."""
        self.notebook.get_by_role("tab", name=title).click()
        try:
            self.page.wait_for_function(VIEW_DRAWN, arg=title, timeout=VIEW_DRAW_MS)
        except playwright.TimeoutError:
            raise AssertionError(f"the gap panel's {title!r} tab drew no chart within {VIEW_DRAW_MS // 1000} s") from None

    def outputs(self, name: str) -> list[str]:
        """The plain-text results of the notebook's cells that have nothing richer to show (no HTML, no widget)."""
        return self.page.evaluate("""(name) => {
            const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path.endsWith(name));
            return panel.content.widgets.filter(cell => cell.model.type === 'code')
              .flatMap(cell => cell.model.outputs.toJSON())
              .filter(output => output.output_type === 'execute_result' && Object.keys(output.data).length === 1)
              .map(output => [].concat(output.data['text/plain']).join('')); }""", f"{name}.ipynb")

    def show(self, target: playwright.Locator, block: str = "start") -> None:
        """Scroll ``target`` to the top of the notebook (or the bottom, ``block="end"``), as the facilitator does
        before the room looks."""
        # Twice: JupyterLab lays out the cells scrolled into view anew, which can move the target again.
        for _ in range(2):
            target.first.evaluate("(element, block) => element.scrollIntoView({block})", block)
            self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")

    def look(self, step: str) -> None:
        """Screenshot the projector (``TOUR``/tour_<step>.png) and note every figure on it."""
        print(f"{time.monotonic() - self.started:6.1f} s  {step}")
        self.page.screenshot(path=str(TOUR / f"tour_{step}.png"))
        self.seen.figures += [Figure(step, **figure) for figure in self.page.evaluate(FIGURES)]

    def save_every_tab(self, names: list[str], kit: Path) -> list[str]:
        """Ctrl+S in each tab; returns the notebooks whose file was written (its modification time moved)."""
        saved = []
        for name in names:
            path = kit / "notebooks" / f"{name}.ipynb"
            before = path.stat().st_mtime_ns
            self.tab(name).locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
            self.page.keyboard.press("Control+s")
            _wait_until(lambda: path.stat().st_mtime_ns != before, f"{name} saved by Ctrl+S")
            # The tab is clean once the server has answered: its temporary copy (.~name) is gone by then.
            self.page.locator(f".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-dirty[title*='{name}.ipynb']").wait_for(
                state="detached", timeout=WAIT_MS)
            saved.append(name)
        return saved


def _wait_until(condition: Callable[[], object], what: str, seconds: float = WAIT_MS / 1000) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {seconds:g} s"
        time.sleep(0.1)


def _hashes(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.glob("*"))}


def _move_slider(slider: playwright.Locator, steps: int) -> None:
    """Move a slider by ``steps`` with the arrow keys, one press at a time, each once the readout shows the last:
    as a person watching the number does (two quick presses on a busy kernel moved it once)."""
    handle, readout = slider.locator(".noUi-handle"), slider.locator(".widget-readout")
    handle.focus()
    for _ in range(abs(steps)):
        before = readout.inner_text()
        handle.press("ArrowRight" if steps > 0 else "ArrowLeft")
        playwright.expect(readout).not_to_have_text(before, timeout=WAIT_MS)


# --- the rehearsal ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rehearsal(kit, participant_server, lab) -> Seen:
    copy, _env = kit
    folder = copy / "workshops" / "example"
    lab.wait_until_ready()
    seen = Seen()
    TOUR.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as driver:
        browser = launch_chromium(driver)
        projector = browser.new_context(viewport=PROJECTOR)
        page = record_errors(projector.new_page(), seen.console_errors, "JupyterLab")
        room = [record_errors(browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page(),
                              seen.console_errors, f"phone {number}") for number in range(1, len(ROOM) + 1)]
        lab_page = Lab(page, seen)

        # Before the room arrives: 00 run top to bottom, then 01–04 opened in tabs and each run once.
        page.goto(lab.notebook_url(f"notebooks/{AGENDA[0]}"))
        lab_page.notebook.wait_for(timeout=WAIT_MS)
        for name in AGENDA:
            if name != AGENDA[0]:
                lab_page.open(name)
            lab_page.run_all(name)
            lab_page.wait_until_run(name)  # as a person does: watch it finish before opening the next
            seen.code_like_outputs += [f"{name}: {text}" for text in lab_page.outputs(name) if CODE_LIKE.match(text)]
        page.keyboard.press("Control+b")  # the projector shows the notebook, not the file browser

        # 0:00 Welcome: the join card on screen, everyone joins.
        for phone, (department, name) in zip(room, ROOM):
            phones.join(phone, participant_server.url, CODE, department, name)
        notebook = lab_page.tab(AGENDA[0])
        notebook.get_by_text(f"{len(ROOM)} joined").wait_for(timeout=WAIT_MS)
        lab_page.show(notebook.locator(".jp-OutputArea-output").filter(has_text="Session code"))
        lab_page.look("00_join_card")

        # 0:05–0:50 The promise: the statement and pillars, then the card read back.
        notebook = lab_page.tab(AGENDA[1])
        lab_page.show(notebook.get_by_label("Our promise"))
        lab_page.look("01_promise")
        lab_page.show(notebook.locator(".widget-html").filter(has=page.locator("ol")).filter(
            has_text="promise-able above"))
        lab_page.look("01_promise_card")

        # 0:50–1:20 The feedback: the mapping and its check, advocates' own words, the call log.
        notebook = lab_page.tab(AGENDA[2])
        lab_page.show(notebook.locator(".jp-OutputArea-output").first)
        lab_page.look("02_feedback")
        explorer = notebook.locator(".jp-OutputArea-output").filter(has_text="Use these phrases")
        explorer.get_by_label("Who", exact=True).select_option(label="Advocates only")
        explorer.get_by_label("Pillar", exact=True).select_option(label=BROKEN_PILLAR)
        lab_page.show(explorer)
        lab_page.look("02_verbatims")
        lab_page.show(notebook.locator(".jp-OutputArea-output").filter(has_text="Advocate call"))
        lab_page.look("02_call_log")

        # 1:30 The room rates itself (results hidden).
        notebook = lab_page.tab(AGENDA[3])
        notebook.get_by_role("button", name="Open: Rate the promise").click()
        notebook.get_by_text("Open now: Rate the promise").wait_for(timeout=WAIT_MS)
        for phone, ratings in zip(room, RATINGS):
            phones.rate(phone, ratings)
        room[1].screenshot(path=str(TOUR / "tour_phone_rate.png"))
        with SessionStore(folder) as store:  # the count is the title of a figure, which may not draw (see below)
            _wait_until(lambda: len({who for who, _pillar in store.state().ratings}) == len(ROOM), "every rating")
        try:  # the panel refreshes every second; its chart's title counts who rated (if the chart draws at all)
            notebook.get_by_text(f"{len(ROOM)} people rated so far").wait_for(timeout=VIEW_DRAW_MS)
        except playwright.TimeoutError:
            pass
        lab_page.show(notebook.locator(".jp-OutputArea-output").filter(has_text="Session code"))
        lab_page.look("03_room_rated")
        notebook.get_by_role("button", name="Close stage").click()
        notebook.get_by_text("Open now: nothing open").wait_for(timeout=WAIT_MS)

        # 1:40–2:15 The gap, view by view, each under the goal posts that move it; advocates only for what
        # matters to them and where it is heading.
        picker = notebook.get_by_label("Goal posts of")
        for view, step in (("Gap overview", "03_gap_overview"), ("Who speaks louder?", "03_loudness"),
                           ("Touchpoints", "03_touchpoints"), ("Score bands", "03_score_bands")):
            lab_page.open_view(view)
            lab_page.show(picker)
            lab_page.look(step)
        advocates_only = notebook.get_by_role("checkbox", name="advocates only")
        advocates_only.check()
        for view, step in (("Importance", "03_importance_advocates"), ("By month", "03_by_month_advocates")):
            lab_page.open_view(view)
            lab_page.show(picker)
            lab_page.look(step)
        advocates_only.uncheck()

        # 2:15 Reveal (the room's ratings reach Room vs customers by themselves), open Room vs customers.
        notebook.get_by_role("button", name="Reveal results").click()
        notebook.get_by_text("results revealed").wait_for(timeout=WAIT_MS)
        lab_page.open_view("Room vs customers")
        lab_page.show(picker)
        lab_page.look("03_room_vs_customers")

        # 2:25 Move the goal posts on the overview: another pillar looked at, then the broken one picked, its
        # threshold down a point, saved as the next promise.
        lab_page.open_view("Gap overview")
        picker.select_option(label=OTHER_PILLAR)
        picker.select_option(label=BROKEN_PILLAR)
        threshold = notebook.locator(".widget-hslider:visible").filter(has_text="threshold")
        playwright.expect(threshold).to_have_count(1)
        _move_slider(threshold, -2)
        playwright.expect(threshold.locator(".widget-readout")).to_have_text("5.0", timeout=WAIT_MS)
        notebook.get_by_role("button", name="Save goal posts as proposed promise").click()
        notebook.get_by_text("Saved as version 2 of promise.yml").wait_for(timeout=WAIT_MS)
        seen.thresholds_saved = {pillar["name"]: pillar["threshold"] for pillar in
                                 yaml.safe_load((folder / "promise.yml").read_text(encoding="utf-8"))["pillars"]}
        lab_page.show(picker)
        lab_page.look("03_goal_posts_saved")
        seen.versions_before = _hashes(folder / "versions")
        seen.promise_before_stale_edit = (folder / "promise.yml").read_text()

        # The notebook 01 tab, open since the start, still holds version 1: an edit there must be refused.
        notebook = lab_page.tab(AGENDA[1])
        statement = notebook.get_by_label("Our promise")
        statement.fill(STALE_STATEMENT)
        statement.press("Tab")
        refusal = notebook.locator(".widget-html").filter(has_text="Not saved")
        refusal.wait_for(timeout=WAIT_MS)
        seen.stale_message, seen.stale_field = refusal.inner_text(), statement.input_value()
        seen.promise_after_stale_edit = (folder / "promise.yml").read_text()
        lab_page.show(refusal, block="end")
        lab_page.look("01_stale_edit_refused")

        # 2:30 Ideas from the phones, 2:45 dot voting as the agenda says.
        notebook = lab_page.tab(AGENDA[4])
        notebook.get_by_role("button", name="Open: Propose ideas").click()
        notebook.get_by_text("Open now: Propose ideas").wait_for(timeout=WAIT_MS)
        for phone, idea in zip(room, IDEAS):
            phones.propose(phone, *idea)
        notebook.get_by_role("button", name="Close stage").click()
        notebook.get_by_text("Open now: nothing open").wait_for(timeout=WAIT_MS)
        # The room votes blind (results hidden, so nobody follows the crowd); the dots are revealed after.
        notebook.get_by_role("button", name="Reveal results").click()
        notebook.get_by_text("results hidden").wait_for(timeout=WAIT_MS)
        notebook.get_by_role("button", name="Open: Vote").click()
        notebook.get_by_text("Open now: Vote").wait_for(timeout=WAIT_MS)
        for phone, dots in zip(room, DOTS):
            phones.vote(phone, dots)
        room[2].screenshot(path=str(TOUR / "tour_phone_vote.png"))
        notebook.get_by_role("button", name="Close stage").click()
        notebook.get_by_text("Open now: nothing open").wait_for(timeout=WAIT_MS)
        notebook.get_by_role("button", name="Reveal results").click()
        notebook.get_by_text("results revealed").wait_for(timeout=WAIT_MS)
        with SessionStore(folder) as store:
            _wait_until(lambda: len(store.state().votes) == len(ROOM), "every vote")
        votes = sum(dots.get(IDEAS[0][0], 0) for dots in DOTS)
        lab_page.show(notebook.get_by_text(f"{len(IDEAS)} ideas", exact=True))
        lab_page.look("04_votes")

        # 2:55 Owned actions: agree the top idea, type owner, department, date and measure, then effort and impact.
        notebook.get_by_role("button", name="Reload ideas and votes").click()
        notebook.get_by_text(f"{votes} ● #1").wait_for(timeout=WAIT_MS)
        notebook.get_by_label("Ideas", exact=True).select_option(label=f"#1 {IDEAS[0][0]}")
        notebook.get_by_placeholder("(the idea's words)").fill(TYPED["title"])
        notebook.get_by_role("button", name="Agree as action").click()
        playwright.expect(notebook.get_by_role("combobox", name="Action")).to_have_value(f"1. {TYPED['title']}",
                                                                                       timeout=WAIT_MS)
        notebook.get_by_label("Department").select_option("another department…")
        notebook.get_by_label("Other", exact=True).fill(TYPED["department"])
        notebook.get_by_label("Owner", exact=True).fill(TYPED["owner"])
        notebook.get_by_label("Due").fill(TYPED["due"])
        notebook.get_by_text(TYPED["due"], exact=True).wait_for(timeout=WAIT_MS)  # the board reads the date back
        notebook.get_by_label("Measure").fill(TYPED["measure"])
        for name, points in RATED.items():
            slider = notebook.locator(".widget-hslider").filter(has_text=name.capitalize())
            _move_slider(slider, points)
            playwright.expect(slider.locator(".widget-readout")).to_have_text(str(points), timeout=WAIT_MS)
        with SessionStore(folder) as store:  # each slider saves at once; wait until both are in the store
            _wait_until(lambda: (actions_of(store.state())[0].effort, actions_of(store.state())[0].impact)
                        == (RATED["effort"], RATED["impact"]), "effort and impact saved")
        seen.on_screen_after_rating = {
            "department": notebook.get_by_label("Other", exact=True).input_value(),
            "owner": notebook.get_by_label("Owner", exact=True).input_value(),
            "due": notebook.get_by_label("Due").input_value(), "measure": notebook.get_by_label("Measure").input_value()}
        notebook.get_by_role("button", name="Save action").click()
        with SessionStore(folder) as store:
            _wait_until(lambda: actions_of(store.state())[0].owner_name, "the action saved")
            seen.action = actions_of(store.state())[0]
        lab_page.show(notebook.get_by_text("Owner, date and measure"))
        lab_page.look("04_action")
        lab_page.show(notebook.locator(".js-plotly-plot").filter(has_text="Effort (1 little"))
        lab_page.look("04_matrix")

        # After: notebook 05 builds the report; the report opens in the browser.
        page.keyboard.press("Control+b")
        lab_page.open(REPORT_NOTEBOOK)
        lab_page.run_all(REPORT_NOTEBOOK)
        lab_page.wait_until_run(REPORT_NOTEBOOK)
        seen.code_like_outputs += [f"{REPORT_NOTEBOOK}: {text}" for text in lab_page.outputs(REPORT_NOTEBOOK)
                                   if CODE_LIKE.match(text)]
        report_html = next((folder / "exports").glob("*-report.html"))
        seen.report_html = report_html.read_text(encoding="utf-8")
        seen.report_markdown = next((folder / "exports").glob("*-report.md")).read_text(encoding="utf-8")
        report = record_errors(projector.new_page(), seen.console_errors, "report")
        report.goto(report_html.as_uri())
        report.wait_for_function("[...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'))")
        Lab(report, seen).look("05_report")
        report.close()

        seen.saved_notebooks = lab_page.save_every_tab([*AGENDA, REPORT_NOTEBOOK], copy)
        seen.versions_after = _hashes(folder / "versions")
        seen.git_status = _run(["git", "status", "--porcelain"], copy)
        browser.close()
    return seen


# --- what the rehearsal must show --------------------------------------------------------------------------------


def test_every_typed_value_is_in_the_saved_action_and_the_report(rehearsal):
    action = rehearsal.action
    typed = {"department": action.owner_department, "owner": action.owner_name, "due": action.due.isoformat(),
             "measure": action.measure}
    assert typed == {key: TYPED[key] for key in typed}
    assert (action.effort, action.impact) == (RATED["effort"], RATED["impact"])
    assert rehearsal.on_screen_after_rating == {key: TYPED[key] for key in rehearsal.on_screen_after_rating}
    for value in (TYPED["title"], *typed.values()):
        assert value in rehearsal.report_markdown, f"{value!r} is not in the report's Markdown"
        assert html.escape(value) in rehearsal.report_html, f"{value!r} is not in the HTML report"


def test_the_threshold_moved_on_the_picked_pillar_is_saved_to_the_half_point(rehearsal):
    assert rehearsal.thresholds_saved == THRESHOLDS_SAVED


def test_the_stale_edit_is_refused_and_no_version_is_lost_or_rewritten(rehearsal):
    assert STALE_MESSAGE in rehearsal.stale_message
    assert rehearsal.stale_field == STALE_STATEMENT, "the refused edit stays on screen"
    assert rehearsal.promise_after_stale_edit == rehearsal.promise_before_stale_edit
    assert STALE_STATEMENT not in rehearsal.promise_after_stale_edit
    kept = {name: digest for name, digest in rehearsal.versions_after.items() if name in rehearsal.versions_before}
    assert kept == rehearsal.versions_before, "every version under versions/ is still there, unchanged"
    assert "promise.v1.yml" in rehearsal.versions_before


def test_saving_every_notebook_leaves_the_kit_unchanged(rehearsal):
    assert rehearsal.saved_notebooks == [*AGENDA, REPORT_NOTEBOOK]
    assert rehearsal.git_status == ""


def test_no_browser_console_error(rehearsal):
    assert rehearsal.console_errors == []


def test_the_action_board_and_the_report_drew_every_figure(rehearsal):
    assert {f.panel for f in rehearsal.figures} == {"LivePanel", "GapPanel", "WhatIfPanel", "ActionBoard", "report"}
    # Before an action is agreed the matrix is rightly empty ("No actions agreed yet"): judged once one is.
    figures = [f for f in rehearsal.figures if f.panel == "report"
               or (f.panel == "ActionBoard" and f.step in ("04_action", "04_matrix"))]
    blank = [str(f) for f in figures if not f.drew_its_data]
    assert blank == [], "\n".join(blank)


def test_the_live_gap_and_what_if_panels_drew_every_figure(rehearsal):
    # Before anyone voted the dot chart is rightly empty, its title says so.
    panels = {"LivePanel", "GapPanel", "WhatIfPanel"}
    figures = [f for f in rehearsal.figures if f.panel in panels
               and not f.title.startswith("Dots per idea (0 people voted)")]
    assert {f.panel for f in figures} == panels
    blank = [str(f) for f in figures if not f.drew_its_data]
    assert blank == [], "\n".join(blank)


def test_no_output_looks_like_code(rehearsal):
    assert rehearsal.code_like_outputs == []
