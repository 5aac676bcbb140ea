"""The ``workshop`` command: parses arguments and calls the package. No workshop logic lives here.

Every error the kit raises on purpose (``WorkshopError``) is printed as its plain message with exit code 1
or 2; only a bug would show a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from workshop.errors import WorkshopError
from workshop.feedback.calls import calls_path, load_calls
from workshop.feedback.load import check_feedback
from workshop.feedback.mapping import MAPPING_FILE, load_mapping, source_path
from workshop.feedback.themes import THEMES_FILE, themes_problems
from workshop.folder import current_workshop, new_workshop, save_suggested_mapping
from workshop.live import DEFAULT_PORT
from workshop.promise import load_promise

EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def _workshop_dir(value: str | None) -> Path:
    return Path(value).resolve() if value else current_workshop()


def cmd_new(args: argparse.Namespace) -> int:
    folder = new_workshop(args.name, args.source)
    print(f"Created workshop folder {folder}")
    print("Next: open notebooks/00_start_here.ipynb (make workshop) and choose it.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    folder = _workshop_dir(args.workshop)
    if args.file is not None:
        return _check_feedback_file(folder, Path(args.file), args.mapping, args.save_mapping)
    if args.mapping is not None or args.save_mapping:
        print("workshop check: --mapping and --save-mapping need a FILE to check.", file=sys.stderr)
        return EXIT_USAGE
    promise = load_promise(folder)
    print(
        f"{folder / 'promise.yml'}: OK - version {promise.version}, {len(promise.pillars)} pillars "
        f"({', '.join(promise.pillar_ids)})"
    )
    if not promise.pillars:
        print(f"{folder / 'promise.yml'}: no pillars yet. Add at least one in notebook 01.")
        return EXIT_PROBLEMS
    _warn_about_themes(folder, promise.pillar_ids)
    if not (folder / MAPPING_FILE).is_file():
        print(
            f"{folder / MAPPING_FILE}: none yet. Confirm one in notebook 02, or run "
            "'workshop check FILE --save-mapping'."
        )
        return 0
    mapping = load_mapping(folder / MAPPING_FILE)
    check = check_feedback(source_path(mapping, folder), promise, mapping)
    print(check.to_text())
    calls = load_calls(folder, promise)
    if len(calls):
        print(f"{calls_path(folder)}: OK - {len(calls)} advocate calls")
    return 0 if check.ok else EXIT_PROBLEMS


def _warn_about_themes(folder: Path, pillar_ids: list[str]) -> None:
    """Print what is wrong with the folder's themes.yml as warnings: it stops notebook 02's verbatim explorer,
    not the scores, so it does not change the exit code."""
    problems = themes_problems(folder, pillar_ids)
    if problems:
        print(
            f"WARNING: {folder / THEMES_FILE} does not match the promise; the scores still load, but notebook "
            "02's verbatim explorer stops until it is fixed:"
        )
        for problem in problems:
            print(f"  - {problem}")


def _check_feedback_file(folder: Path, file: Path, mapping_file: str | None, save: bool) -> int:
    """`workshop check FILE`: the report for FILE, with the given or suggested mapping, optionally saved."""
    promise = load_promise(folder)
    mapping = load_mapping(mapping_file) if mapping_file is not None else None
    relative = os.path.relpath(file.resolve(), folder)
    check = check_feedback(file, promise, mapping, source=relative)
    print(check.to_text())
    if save:
        if check.mapping is None:
            print(f"Nothing saved: no mapping could be made for {file}.", file=sys.stderr)
            return EXIT_PROBLEMS
        check.mapping.source = relative
        if save_suggested_mapping(folder, check.mapping, mapping_file):
            print(
                f"Replaced the sample company's unedited mapping.yml in {folder} (the sample keeps its own "
                "in datasets/sample)."
            )
        print(f"Saved the mapping to {folder / MAPPING_FILE}: correct it there or in notebook 02.")
    return 0 if check.ok else EXIT_PROBLEMS


def cmd_serve(args: argparse.Namespace) -> int:
    from workshop.live import serve

    return serve(_workshop_dir(args.workshop), host=args.host, port=args.port, code=args.code)


def cmd_report(args: argparse.Namespace) -> int:
    from workshop.reporting import run_report

    html = run_report(_workshop_dir(args.workshop))
    print(f"Report written: {html}")
    print(f"The action plan (CSV, XLSX, Markdown) is beside it in {html.parent}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workshop",
        description="Promise Gap: run a workshop on the gap between your brand promise and today's experience.",
        epilog="A workshop folder (workshops/NAME) holds promise.yml, mapping.yml, the feedback file, "
        "session.sqlite and exports/. Without --workshop, commands use the folder chosen in "
        "notebook 00 (or $PROMISE_GAP_WORKSHOP, else workshops/example).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    new = commands.add_parser(
        "new",
        help="create a workshop folder",
        description="Create a workshop folder by copying the sample company, or another workshop folder "
        "(without its session or exports). Refuses to overwrite an existing folder.",
    )
    new.add_argument("name", metavar="NAME", help="a name (created under workshops/) or a path to the new folder")
    new.add_argument(
        "--from",
        dest="source",
        metavar="PATH",
        default=None,
        help="the folder to start from: datasets/sample (default) or an earlier workshop",
    )
    new.set_defaults(run=cmd_new)

    check = commands.add_parser(
        "check",
        help="validate a workshop folder, or check a client's feedback file",
        description="Without FILE: validate the workshop folder's promise.yml (every problem with the file, "
        "line, pillar and field) and, when the folder has a mapping.yml, load the feedback file it "
        "names and print the validation report. A themes.yml that does not match the promise is "
        "printed as a WARNING (file, line, pillar, what to do) and does not change the exit code: "
        "it stops notebook 02's verbatim explorer, not the scores. With FILE: load FILE through --mapping (or a "
        "mapping suggested from its headings, which is printed) and print the report: rows read, "
        "kept and set aside, scores converted, blocking problems and warnings with example rows. "
        "Exits 1 when anything blocks, 0 otherwise.",
    )
    check.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        default=None,
        help="a client's survey export to check (CSV/TXT/TSV, XLSX, Parquet)",
    )
    check.add_argument(
        "--mapping",
        metavar="MAPPING.YML",
        default=None,
        help="the column mapping to use for FILE (default: suggest one from its headings)",
    )
    check.add_argument(
        "--save-mapping",
        action="store_true",
        help="write the mapping used for FILE to the workshop folder's mapping.yml (its source "
        "relative to the folder), for you to correct; replaces the sample company's mapping.yml "
        "left unedited by 'workshop new', never any other mapping.yml",
    )
    check.add_argument(
        "--workshop",
        metavar="DIR",
        default=None,
        help="the workshop folder whose promise the feedback is checked against",
    )
    check.set_defaults(run=cmd_check)

    serve = commands.add_parser(
        "serve",
        help="let participants join from their phones and laptops",
        description="Serve the participant page (and nothing else) on the local network. Prints the join URL, "
        "a QR code (also saved as PNG and SVG in the workshop's exports/) and the session code. "
        "Press Ctrl-C to stop; everything entered is already saved in session.sqlite.",
    )
    serve.add_argument("--workshop", metavar="DIR", default=None, help="the workshop folder to serve")
    serve.add_argument(
        "--host",
        metavar="H",
        default=None,
        help="address to listen on: the laptop's LAN address by default; 127.0.0.1 for this machine only",
    )
    serve.add_argument(
        "--port", metavar="P", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--code",
        metavar="CODE",
        default=None,
        help="keep this session code instead of the one already set or a new one",
    )
    serve.set_defaults(run=cmd_serve)

    report = commands.add_parser(
        "report",
        help="write the report the client takes home",
        description="Run notebooks/05_workshop_report.ipynb on the workshop folder (papermill) and write into "
        "its exports/: the self-contained HTML report (opens offline), the action plan as CSV, "
        "XLSX and Markdown, and the executed notebook. The folder is checked first: a broken "
        "promise.yml, mapping or session fails with the file and line. Running it twice on the "
        "same folder gives the same report.",
    )
    report.add_argument("--workshop", metavar="DIR", default=None, help="the workshop folder to report on")
    report.set_defaults(run=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except WorkshopError as error:
        print(f"workshop {args.command}: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
