"""Verbatim explorer: how long the room waits when a filter changes, and what the privacy scrub costs.

Run from the repository root: ``python benchmarks/verbatims.py [--rows 1000000]``. The sample company's
feedback is repeated up to ``--rows`` responses (comments keep their share, about a third), made distinct by
a suffix so that nothing is cached by value. Measured:

- ``explorer_init_s``: building the panel (drop rows without a comment, tag every comment to pillars);
- ``filter_ms_median`` / ``filter_ms_p95``: one filter change to the examples on screen, over a fixed round of
  changes (pillar, touchpoint, segment, band, advocate). Budget: 150 ms median, the redraw budget of DESIGN.md;
- ``scrub_comments_per_s``: ``scrub_series`` over 20,000 distinct sample comments with the sample's privacy list.

Progress goes to stderr; the last line of stdout is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workshop.feedback.privacy import PrivacyRules, scrub_series  # noqa: E402
from workshop.feedback.themes import load_themes  # noqa: E402
from workshop.promise import load_promise  # noqa: E402
from workshop.ui.verbatims import VerbatimExplorer  # noqa: E402

SAMPLE = REPO / "datasets" / "sample"
FILTER_BUDGET_MS = 150
PRIVACY = PrivacyRules(("Megan Tolliver", "Rhys Abernathy"), (r"ORD-\d{6}",))


def explorer_frame(rows: int) -> pd.DataFrame:
    sample = pd.read_csv(SAMPLE / "feedback.csv", parse_dates=["date"])
    frame = sample.iloc[np.arange(rows) % len(sample)].reset_index(drop=True)
    copy = (np.arange(rows) // len(sample)).astype(str)
    frame["comment"] = frame["comment"].where(frame["comment"].isna(), frame["comment"] + " #" + copy)
    frame["advocate"] = frame["recommend"] >= 9
    frame["source"] = "survey"
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    promise = load_promise(SAMPLE)
    themes = load_themes(SAMPLE, promise.pillar_ids)
    print(f"building {args.rows:,} responses", file=sys.stderr)
    frame = explorer_frame(args.rows)

    started = time.perf_counter()
    explorer = VerbatimExplorer(frame, promise, themes, privacy=PRIVACY)
    init_s = time.perf_counter() - started
    print(f"panel built in {init_s:.2f} s ({len(explorer.frame):,} comments)", file=sys.stderr)

    changes = [dict(pillar="put_right"), dict(touchpoint="phone"), dict(band="detractor"), dict(segment="new"),
               dict(advocate=False), dict(pillar=None), dict(band="promoter"), dict(touchpoint=None),
               dict(segment=None), dict(advocate=None), dict(pillar="made_to_last"), dict(band=None)] * 3
    timings = []
    for change in changes:
        started = time.perf_counter()
        explorer.set_filters(**change)
        timings.append((time.perf_counter() - started) * 1000)
    print(f"{len(timings)} filter changes timed", file=sys.stderr)

    comments = explorer_frame(60_000)["comment"].dropna().head(20_000)
    started = time.perf_counter()
    scrub_series(comments, PRIVACY.do_not_show, PRIVACY.safe_patterns)
    scrub_rate = len(comments) / (time.perf_counter() - started)

    print(json.dumps({
        "rows": args.rows, "comments": len(explorer.frame), "explorer_init_s": round(init_s, 3),
        "filter_ms_median": round(statistics.median(timings), 1),
        "filter_ms_p95": round(float(np.percentile(timings, 95)), 1),
        "filter_ms_median_budget": FILTER_BUDGET_MS, "scrub_comments_per_s": round(scrub_rate),
        "machine": f"{platform.machine()} {platform.system()}, python {platform.python_version()}",
    }))


if __name__ == "__main__":
    main()
