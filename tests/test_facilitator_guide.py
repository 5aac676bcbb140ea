"""The facilitator guide must be true: every command, option, path, link and timing it states.

The guide is read the way a facilitator reads it. Shell commands come from fenced ``bash`` blocks and from
inline code that starts with ``workshop`` or ``make``; each ``workshop SUBCOMMAND`` must exist and accept every
option used (checked against the real ``--help``), each ``make`` target must be a rule in the Makefile. Repo
paths in inline code or commands, short notebook names (``01_define_the_promise``) and relative links
(with their ``#anchor``) must exist. Agenda tables must add up, row by row, to the stated total.
``make guide`` must build the printables, and each printed page must carry text (browser tests).
"""
from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import sys
import zlib
from functools import cache
from pathlib import Path

import pytest

from conftest import chromium, launch_chromium, markdown_table_rows

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "facilitator_guide"
MADE_BY_COMMANDS = {"facilitator_guide/build"}
"""Paths the guide may name before they exist: ``make guide`` creates them (a clean clone has none)."""
WORKSHOP_CLI = Path(sys.executable).parent / "workshop"
"""The `workshop` command of the environment running the tests (make's .venv, or a conda environment)."""
REPO_ROOTS = ("notebooks/", "workshop/", "datasets/", "docs/", "facilitator_guide/", "tests/", "benchmarks/")
REPO_FILES = ("Makefile", "README.md", "pyproject.toml", "environment.yml")
AGENDA_LENGTHS = {"agenda_half_day.md": 230, "agenda_90_minutes.md": 90}
"""The issue asked for a half day of about 3.5 hours and a 90-minute version; issue 15's what-if (the campaign
check and the cost of the gap in step 3, the budget question and do we know the promise in step 4) adds 20 minutes
to the half day."""

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
TOTAL = re.compile(r"\*\*Total: (\d+) minutes")
CLOCK = re.compile(r"^(\d+):(\d{2})$")


def guide_pages() -> list[Path]:
    return sorted(p for p in GUIDE.rglob("*.md") if "build" not in p.relative_to(GUIDE).parts)


def page_id(page: Path) -> str:
    return str(page.relative_to(GUIDE))


def without_fences(text: str) -> str:
    return FENCE.sub("", text)


def shell_commands(text: str) -> list[str]:
    """Commands from ```bash blocks (one per line, comments dropped) and inline `workshop …` / `make …`."""
    commands = []
    for language, body in FENCE.findall(text):
        if language in ("bash", "sh", "shell"):
            for line in body.splitlines():
                line = re.sub(r"(^|\s)#.*$", "", line).strip()
                if line:
                    commands.append(line)
    for span in INLINE.findall(without_fences(text)):
        if re.match(r"(\.venv/bin/)?workshop \S|make\b", span):
            commands.append(span)
    return commands


def repo_paths(text: str) -> list[str]:
    """Repo-relative paths named in inline code or in commands (client folders under workshops/ excluded)."""
    candidates = INLINE.findall(without_fences(text))
    for command in shell_commands(text):
        candidates += shlex.split(command)
    paths = []
    for candidate in candidates:
        candidate = candidate.strip()
        if " " in candidate:
            continue
        if candidate.startswith(REPO_ROOTS) or candidate in REPO_FILES:
            paths.append(candidate)
        elif re.fullmatch(r"\d\d_[a-z_]+", candidate):
            paths.append(f"notebooks/{candidate}.ipynb")
    return paths


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in without_fences(page.read_text()).splitlines() if line.startswith("#")}


@cache
def subcommand_help(subcommand: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(WORKSHOP_CLI), subcommand, "--help"], capture_output=True, text=True, timeout=60)


def makefile_targets() -> set[str]:
    text = (REPO / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", text, re.M))


def minutes(clock: str) -> int:
    hours, mins = CLOCK.match(clock).groups()
    return int(hours) * 60 + int(mins)


# --- the guide's commands, paths and links -------------------------------------------------------------


def test_the_guide_has_every_part_the_issue_asks_for():
    names = {page_id(p) for p in guide_pages()}
    assert {"README.md", "agenda_half_day.md", "agenda_90_minutes.md", "running_live.md",
            "consultant_playbook.md", "troubleshooting.md", "printables/participant_handout.md",
            "printables/facilitator_cheat_sheet.md"} <= names
    assert len([n for n in names if n.startswith("step_")]) == 4


def test_extraction_finds_commands_paths_and_skips_client_folders():
    text = ("Run `workshop check FILE --mapping m.yml` then `make guide`; see `datasets/README.md` and "
            "`02_load_advocate_feedback`.\n```bash\nworkshop new acme --from workshops/old  # a comment\n```\n")
    assert shell_commands(text) == ["workshop new acme --from workshops/old", "workshop check FILE --mapping m.yml",
                                    "make guide"]
    assert repo_paths(text) == ["datasets/README.md", "notebooks/02_load_advocate_feedback.ipynb"]


@pytest.mark.parametrize("page", guide_pages(), ids=page_id)
def test_every_repo_path_in_the_guide_exists(page: Path):
    missing = [path for path in repo_paths(page.read_text())
               if not (REPO / path).exists() and path.rstrip("/") not in MADE_BY_COMMANDS]
    assert missing == [], f"{page_id(page)} names paths that do not exist: {missing}"


@pytest.mark.parametrize("page", guide_pages(), ids=page_id)
def test_every_relative_link_and_anchor_in_the_guide_resolves(page: Path):
    broken = []
    for target in LINK.findall(without_fences(page.read_text())):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        resolved = (page.parent / file).resolve() if file else page
        if not resolved.exists():
            broken.append(target)
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(target)
    assert broken == [], f"{page_id(page)} has broken links: {broken}"


@pytest.mark.parametrize("page", guide_pages(), ids=page_id)
def test_every_workshop_command_and_option_in_the_guide_is_accepted(page: Path):
    problems = []
    for command in shell_commands(page.read_text()):
        words = shlex.split(command)
        if Path(words[0]).name != "workshop":
            continue
        subcommand = words[1]
        shown = subcommand_help(subcommand)
        if shown.returncode != 0:
            problems.append(f"`{command}`: 'workshop {subcommand}' does not exist")
            continue
        for word in words[2:]:
            option = word.split("=")[0]
            if option.startswith("--") and not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", shown.stdout):
                problems.append(f"`{command}`: 'workshop {subcommand} --help' does not list {option}")
    assert problems == [], f"{page_id(page)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("page", guide_pages(), ids=page_id)
def test_every_make_target_in_the_guide_is_a_rule(page: Path):
    targets = makefile_targets()
    unknown = [word for command in shell_commands(page.read_text()) if command.startswith("make")
               for word in shlex.split(command)[1:] if "=" not in word and not word.startswith("-")
               and word not in targets]
    assert unknown == [], f"{page_id(page)} names make targets the Makefile lacks: {unknown}"


def test_makefile_target_parser_sees_real_rules_only():
    targets = makefile_targets()
    assert {"workshop", "test", "guide", "bench", "clean"} <= targets
    assert "PORT" not in targets and "BIN" not in targets


def test_the_project_readme_links_the_guide_from_its_first_screen():
    first_screen = "\n".join((REPO / "README.md").read_text().splitlines()[:20])
    assert "facilitator_guide/README.md" in first_screen


def test_the_guide_names_the_seven_gap_views_and_the_live_stages_as_the_panels_label_them():
    from workshop.session import STAGES
    from workshop.ui.gap_panel import VIEW_TITLES

    step_3 = (GUIDE / "step_3_visualise_the_gap.md").read_text()
    tabs = [row[0].strip("*") for row in markdown_table_rows(step_3, "| Tab |")]
    assert sorted(tabs) == sorted(VIEW_TITLES.values())
    text = "\n".join(p.read_text() for p in guide_pages())
    stages = set(re.findall(r"\*\*Open: ([^*]+)\*\*", text))
    assert stages and stages <= set(STAGES.values())


def widget_labels() -> set[str]:
    """Every string literal in the panels (widget descriptions, tab titles), each stage's button label, and
    the participant page's own words (its strings.js)."""
    from workshop.session import STAGES

    labels = {f"Open: {label}" for label in STAGES.values()}
    for module in (REPO / "workshop" / "ui").glob("*.py"):
        labels |= {node.value for node in ast.walk(ast.parse(module.read_text()))
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    strings = (REPO / "workshop" / "web" / "static" / "strings.js").read_text(encoding="utf-8")
    return labels | set(re.findall(r'"([^"\\]+)"', strings))


@pytest.mark.parametrize("page", sorted(GUIDE.glob("step_*.md")), ids=page_id)
def test_every_bold_label_a_step_says_to_click_is_on_a_panel(page: Path):
    text = page.read_text()
    clicks = text[text.index("## What to click"):text.index("## What to say")]
    labels = widget_labels()
    unknown = [bold for bold in re.findall(r"\*\*([^*]+)\*\*", clicks) if bold not in labels]
    assert unknown == [], f"{page_id(page)} tells the facilitator to use labels no panel shows: {unknown}"


# --- timings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(AGENDA_LENGTHS))
def test_agenda_blocks_follow_each_other_and_add_up_to_the_stated_length(name: str):
    text = (GUIDE / name).read_text()
    stated = {int(n) for n in TOTAL.findall(text)}
    assert stated == {AGENDA_LENGTHS[name]}, f"{name} states totals {stated}"
    rows = markdown_table_rows(text, "| Start | Min |")
    clock = 0
    for start, length, block, notebook, say, decision in rows:
        assert minutes(start) == clock, f"{name}: '{block}' starts at {start}, the block before ends at {clock} min"
        assert block and notebook and say and decision, f"{name}: '{block}' lacks a notebook, a prompt or a decision"
        clock += int(length)
    assert clock == AGENDA_LENGTHS[name]


def test_cheat_sheet_half_day_timeline_matches_the_agenda():
    rows = markdown_table_rows((GUIDE / "printables" / "facilitator_cheat_sheet.md").read_text(), "| Time | Block |")
    clock = 0
    for time, block, *_ in rows:
        assert minutes(time) == clock, f"cheat sheet: '{block}' starts at {time}, expected minute {clock}"
        clock += int(re.search(r"\((\d+)\)", block).group(1))
    assert clock == AGENDA_LENGTHS["agenda_half_day.md"]


@pytest.mark.parametrize("page", guide_pages(), ids=page_id)
def test_every_sum_written_in_the_guide_is_right(page: Path):
    for terms, total in re.findall(r"(\d+(?: \+ \d+)+) = (\d+)", page.read_text()):
        assert sum(int(t) for t in terms.split(" + ")) == int(total), f"{page_id(page)}: {terms} = {total}"


# --- make guide and the printables --------------------------------------------------------------------


def test_make_guide_runs_the_printables_builder():
    # Under `make test` the suite itself runs inside make: drop the parent's MAKEFLAGS/MAKELEVEL so the dry run
    # prints only its own recipe, not "Entering/Leaving directory" lines.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    dry = subprocess.run(["make", "--no-print-directory", "-n", "guide"], cwd=REPO, capture_output=True, text=True,
                         timeout=60, env=env)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip().splitlines()[-1].endswith("facilitator_guide/build_printables.py --pdf")


@pytest.fixture(scope="module")
def printable_pages(tmp_path_factory) -> list[Path]:
    """The printables built to HTML by the guide's own builder (a script beside the guide, not a package)."""
    sys.path.insert(0, str(GUIDE))
    try:
        import build_printables
    finally:
        sys.path.remove(str(GUIDE))
    return build_printables.build(tmp_path_factory.mktemp("printables"), pdf=False)


def test_printable_html_is_self_contained_and_keeps_every_heading(printable_pages: list[Path]):
    built = printable_pages
    assert sorted(p.name for p in built) == ["facilitator_cheat_sheet.html", "participant_handout.html"]
    for html_file in built:
        page = html_file.read_text()
        source = (GUIDE / "printables" / f"{html_file.stem}.md").read_text()
        for heading in re.findall(r"^#+ (.+)$", without_fences(source), re.M):
            assert heading.replace("—", "&mdash;") in page or heading in page
        assert "<table>" in page and "<script" not in page and "http-equiv" not in page
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the printable must not load anything"


def pdf_pages(pdf: bytes) -> list[bytes]:
    """Each page's decompressed content stream (Chromium writes one FlateDecode stream per page)."""
    objects = {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.S)}
    contents = []
    for body in objects.values():
        if re.search(rb"/Type\s*/Page\b", body):
            ref = int(re.search(rb"/Contents\s+(\d+) 0 R", body).group(1))
            stream = re.search(rb"stream\r?\n(.*)endstream", objects[ref], re.S).group(1)
            contents.append(zlib.decompress(stream))
    return contents


@pytest.mark.browser
def test_printables_build_to_pdf_and_every_printed_page_carries_text(tmp_path: Path):
    chromium()  # build_printables prints with it: a missing browser is said here, not as a failed print
    result = subprocess.run([sys.executable, str(GUIDE / "build_printables.py"), "--pdf", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    pages = {pdf.stem: pdf_pages(pdf.read_bytes()) for pdf in tmp_path.glob("*.pdf")}
    assert sorted(pages) == ["facilitator_cheat_sheet", "participant_handout"]
    assert len(pages["participant_handout"]) == 1, "the participant handout must fit on one page"
    assert 1 <= len(pages["facilitator_cheat_sheet"]) <= 2, "the cheat sheet is one sheet, both sides at most"
    for name, contents in pages.items():
        for number, content in enumerate(contents, 1):
            assert content.count(b"Tj") + content.count(b"TJ") >= 20, f"{name}.pdf page {number} is (nearly) empty"


SHARE_INKED = """async (url) => {
  const img = new Image(); img.src = url; await img.decode();
  const canvas = document.createElement('canvas'); canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data;
  let inked = 0;
  for (let i = 0; i < px.length; i += 4) { if (px[i] + px[i + 1] + px[i + 2] < 600) inked++; }
  return inked / (px.length / 4);
}"""


@pytest.mark.browser
def test_printables_render_in_chromium_with_ink_on_every_page(printable_pages: list[Path]):
    from playwright import sync_api

    built = printable_pages
    a4_width, a4_content_height = 695, 1032  # CSS px at 96 dpi: 210 mm and 297 mm less the @page margins
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": a4_width, "height": a4_content_height})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            for html_file in built:
                page.goto(html_file.as_uri())
                page.emulate_media(media="print")
                assert len(page.inner_text("body")) > 1500, f"{html_file.name} renders almost no text"
                height = page.evaluate("document.documentElement.scrollHeight")
                for top in range(0, height, a4_content_height):
                    clip = {"x": 0, "y": top, "width": a4_width, "height": min(a4_content_height, height - top)}
                    if clip["height"] < 40:
                        continue
                    shot = page.screenshot(clip=clip, full_page=True)
                    import base64
                    url = "data:image/png;base64," + base64.b64encode(shot).decode()
                    inked = page.evaluate(SHARE_INKED, url)
                    assert inked > 0.01, f"{html_file.name}, page starting at {top}px is blank ({inked:.3%} ink)"
            assert all(url.startswith(("file://", "data:")) for url in requests), requests
        finally:
            browser.close()
