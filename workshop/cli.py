"""The ``workshop`` command: parses arguments and calls the package. No workshop logic lives here.

Every error the kit raises on purpose (``WorkshopError``) is printed as its plain message with exit code 1
or 2; only a bug would show a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workshop.errors import WorkshopError
from workshop.folder import current_workshop, new_workshop
from workshop.live import DEFAULT_POOL_SIZE, DEFAULT_PORT
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
    promise = load_promise(folder)
    print(f"{folder / 'promise.yml'}: OK - version {promise.version}, {len(promise.pillars)} pillars "
          f"({', '.join(promise.pillar_ids)})")
    if not promise.pillars:
        print(f"{folder / 'promise.yml'}: no pillars yet. Add at least one in notebook 01.")
        return EXIT_PROBLEMS
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from workshop.live import serve

    return serve(_workshop_dir(args.workshop), host=args.host, port=args.port, pool_size=args.kernels,
                 code=args.code)


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
        "new", help="create a workshop folder",
        description="Create a workshop folder by copying the sample company, or another workshop folder "
                    "(without its session or exports). Refuses to overwrite an existing folder.")
    new.add_argument("name", metavar="NAME",
                     help="a name (created under workshops/) or a path to the new folder")
    new.add_argument("--from", dest="source", metavar="PATH", default=None,
                     help="the folder to start from: datasets/sample (default) or an earlier workshop")
    new.set_defaults(run=cmd_new)

    check = commands.add_parser(
        "check", help="validate a workshop folder",
        description="Validate the workshop folder's promise.yml and print every problem with the file, "
                    "line, pillar and field. Exits 1 when anything needs fixing.")
    check.add_argument("--workshop", metavar="DIR", default=None, help="the workshop folder to check")
    check.set_defaults(run=cmd_check)

    serve = commands.add_parser(
        "serve", help="let participants join from their phones and laptops",
        description="Serve the participant page (and nothing else) with Voila on the local network. Prints the "
                    "join URL, a QR code (also saved as PNG and SVG in the workshop's exports/) and the session "
                    "code. Press Ctrl-C to stop; everything entered is already saved in session.sqlite.")
    serve.add_argument("--workshop", metavar="DIR", default=None, help="the workshop folder to serve")
    serve.add_argument("--host", metavar="H", default=None,
                       help="address to listen on: the laptop's LAN address by default; 127.0.0.1 for this "
                            "machine only")
    serve.add_argument("--port", metavar="P", type=int, default=DEFAULT_PORT,
                       help=f"port to listen on (default {DEFAULT_PORT})")
    serve.add_argument("--kernels", metavar="N", type=int, default=DEFAULT_POOL_SIZE,
                       help=f"kernels started ahead of time so joining is instant (default {DEFAULT_POOL_SIZE}; "
                            "about one per participant expected in the first minute)")
    serve.add_argument("--code", metavar="CODE", default=None,
                       help="keep this session code instead of the one already set or a new one")
    serve.set_defaults(run=cmd_serve)
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
