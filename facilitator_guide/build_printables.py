"""Build the facilitator guide's printables (``make guide``): Markdown -> print-ready HTML, and PDF via Chromium.

Each ``facilitator_guide/printables/*.md`` becomes ``facilitator_guide/build/<name>.html``, a single file with
its stylesheet inline (A4, no external requests, so it prints the same offline), and, with ``--pdf``,
``<name>.pdf`` printed by headless Chromium from that HTML, so the PDF looks exactly like the page.
Markdown is converted by Python-Markdown (the ``markdown`` package, a test extra of the kit).

The printables are the kit's own trusted text, so Markdown's raw-HTML pass-through is acceptable here; this
script must never be pointed at participant or client text. It writes only into the output folder.

Run from the repository root: ``python facilitator_guide/build_printables.py [--pdf] [--out DIR]``.
"""
from __future__ import annotations

import argparse
import html
import subprocess
import sys
from pathlib import Path

import markdown

GUIDE = Path(__file__).resolve().parent
PRINTABLES = GUIDE / "printables"
DEFAULT_OUT = GUIDE / "build"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--no-pdf-header-footer")
PDF_TIMEOUT_S = 60

# Sizes in points so the printed page matches what the facilitator sees on screen; tables are the
# scannable core of both printables, so they keep their borders and avoid breaking across pages.
STYLE = """
@page { size: A4; margin: 12mm 13mm; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 9.5pt; line-height: 1.35;
       color: #111; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 16pt; margin: 0 0 4pt; border-bottom: 2pt solid #1f4e79; padding-bottom: 3pt; color: #1f4e79; }
h2 { font-size: 11.5pt; margin: 9pt 0 3pt; color: #1f4e79; }
p, ul, ol { margin: 3pt 0; }
ul, ol { padding-left: 16pt; }
li { margin: 1pt 0; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; page-break-inside: avoid; }
th, td { border: 0.6pt solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #e8eef5; }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 8.5pt; }
pre { background: #f4f4f4; padding: 4pt 6pt; margin: 3pt 0; white-space: pre-wrap; border-radius: 2pt; }
h2, table, pre { break-inside: avoid; }
"""


def printable_sources(folder: Path = PRINTABLES) -> list[Path]:
    """The Markdown printables, in name order."""
    return sorted(folder.glob("*.md"))


def render_html(markdown_text: str, title: str) -> str:
    """One self-contained HTML page (inline style, no scripts, no external resources) for the Markdown."""
    body = markdown.markdown(markdown_text, extensions=["tables", "fenced_code"], output_format="html")
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def print_pdf(html_file: Path, pdf_file: Path, chromium: Path = CHROMIUM) -> None:
    """Print ``html_file`` to ``pdf_file`` with headless Chromium; raises ``RuntimeError`` naming the file."""
    result = subprocess.run([str(chromium), *CHROMIUM_ARGS, f"--print-to-pdf={pdf_file}", html_file.as_uri()],
                            capture_output=True, text=True, timeout=PDF_TIMEOUT_S)
    if result.returncode != 0 or not pdf_file.is_file() or pdf_file.stat().st_size == 0:
        raise RuntimeError(f"Chromium could not print {html_file} to {pdf_file} (exit {result.returncode}): "
                           f"{result.stderr.strip()[-400:]}")


def build(out: Path = DEFAULT_OUT, pdf: bool = False, chromium: Path = CHROMIUM) -> list[Path]:
    """Write every printable as HTML (and PDF when ``pdf`` and Chromium exists) into ``out``; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for source in printable_sources():
        text = source.read_text(encoding="utf-8")
        title = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("# ")), source.stem)
        html_file = out / f"{source.stem}.html"
        html_file.write_text(render_html(text, title), encoding="utf-8")
        written.append(html_file)
        if pdf and chromium.is_file():
            pdf_file = out / f"{source.stem}.pdf"
            print_pdf(html_file, pdf_file, chromium)
            written.append(pdf_file)
    if pdf and not chromium.is_file():
        print(f"No Chromium at {chromium}: wrote HTML only; print it from any browser (A4).", file=sys.stderr)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the facilitator guide's printables.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default facilitator_guide/build)")
    parser.add_argument("--pdf", action="store_true", help="also print each page to PDF with headless Chromium")
    args = parser.parse_args(argv)
    for path in build(args.out, args.pdf):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
