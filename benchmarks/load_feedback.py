"""Benchmark: a generated feedback CSV streamed into the score cube (load seconds and peak memory).

Usage, from the repository root: ``python benchmarks/load_feedback.py [--rows N [N ...]] [--chunk-rows N]
[--high-cardinality-rows N] [--distinct-segments N]`` (default ``--rows 1000000 10000000``,
``--high-cardinality-rows 1000000 --distinct-segments 100000``; 0 rows skips that case). For each size it
writes a CSV shaped like the sample company's export (the sample promise's pillars, ISO dates over 18 months,
blanks, a comment on one row in three) to a temporary folder, then loads it with
``workshop.feedback.load.load_feedback`` in a *fresh* Python process, so the peak resident memory (the
kernel's high-water mark ``VmHWM``, imports included) is the load's own. The high-cardinality case is the
same file with a customer id (``--distinct-segments`` values) as the segment, mapped by hand: issue 11's
free-text segment, which the dense cube before it could not hold. Each run prints the cube's bytes beside
what that dense cube would have allocated for the same file (computed, not allocated).
Generation time is not measured. Wall seconds are the budgeted figure; CPU seconds and the load average are
printed too, because on a shared machine wall time includes waiting.

Budgets (DESIGN.md): 1 million rows load in under 5 s, the high-cardinality million too; 10 million rows
stream with peak memory under 1.5 GB, and no file under 100 MB takes more (the high-cardinality case).
Progress goes to stderr; the last line of stdout is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workshop.cube import RECOMMEND_BINS, SCORE_POINTS  # noqa: E402
from workshop.promise import load_promise  # noqa: E402

BUDGET_1M_SECONDS = 5.0
BUDGET_10M_PEAK_MB = 1536.0
PROMISE = REPO / "datasets" / "sample" / "promise.yml"
COMMENTS = ("On hold for 40 minutes.", "The adviser knew the range inside out.", "Delivered a day late.",
            "Good quality frame, the cushions less so.", "Easy to order online, hard to change the slot.")
GENERATE_ROWS = 500_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def generate(path: Path, rows: int, seed: int = 7, distinct_segments: int | None = None) -> None:
    """Write ``rows`` responses as the sample company's CSV would hold them, in blocks to bound memory; with
    ``distinct_segments``, the segment is a customer id drawn from that many."""
    promise = load_promise(PROMISE)
    rng = np.random.default_rng(seed)
    months = pd.date_range("2025-04-01", "2026-09-30", freq="D")
    with path.open("w", encoding="utf-8", newline="") as stream:
        for start in range(0, rows, GENERATE_ROWS):
            n = min(GENERATE_ROWS, rows - start)
            block = {"response_id": [f"BW{i:09d}" for i in range(start + 1, start + n + 1)],
                     "date": months[rng.integers(0, len(months), n)].strftime("%Y-%m-%d"),
                     "touchpoint": rng.choice(promise.touchpoints, n),
                     "segment": rng.choice(["new", "returning", "trade"], n) if distinct_segments is None
                     else np.char.add("customer ", rng.integers(0, distinct_segments, n).astype(str))}
            for pillar_id in promise.pillar_ids:
                scores = rng.integers(0, 11, n).astype(float)
                scores[rng.random(n) < 0.1] = np.nan
                block[pillar_id] = pd.array(scores).astype("Int64")
            block["recommend"] = rng.integers(0, 11, n)
            block["comment"] = np.where(rng.random(n) < 1 / 3, rng.choice(COMMENTS, n), "")
            pd.DataFrame(block).to_csv(stream, header=start == 0, index=False, lineterminator="\n")
            log(f"  generated {start + n:,} / {rows:,} rows")


def peak_rss_mb() -> float:
    """This process's resident-memory high-water mark (VmHWM), in MB.

    ``getrusage``'s ``ru_maxrss`` is not used: Linux carries it across exec, so a child started by a parent
    that had just generated a large file would report the parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("needs Linux /proc/self/status to measure peak memory")


def child(path: Path, chunk_rows: int) -> None:
    """Load ``path`` and print (seconds, peak MB, counts) as JSON: run in a process of its own."""
    from workshop.feedback.load import load_feedback
    from workshop.feedback.mapping import Source
    from workshop.feedback.suggest import suggest_mapping
    from workshop.feedback.readers import read_preview

    promise = load_promise(PROMISE)
    mapping = suggest_mapping(read_preview(path), promise, source=path.name)
    # By hand, as the consultant of issue 11 did: a suggestion may rightly leave a many-valued column unmapped.
    mapping.fields["segment"] = Source(column="segment")
    baseline_mb = peak_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    loaded = load_feedback(path, mapping, promise, chunk_rows=chunk_rows,
                           progress=lambda fraction, rows: log(f"  loaded {rows:,} rows ({fraction:.0%})"))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = peak_rss_mb()
    report = loaded.report
    cube = loaded.cube
    print(json.dumps({"load_seconds": round(seconds, 3), "load_cpu_seconds": round(cpu_seconds, 3),
                      "load_average_1min": round(os.getloadavg()[0], 1), "peak_rss_mb": round(peak_mb, 1),
                      "rss_before_load_mb": round(baseline_mb, 1), "rows_read": report.rows_read,
                      "rows_kept": report.rows_kept, "cube_responses": loaded.cube.total_responses,
                      "blocking": len(report.blocking), "explorer_rows": len(loaded.explorer),
                      "cube_mb": round(cube.nbytes / 1e6, 2), "dense_cube_mb_computed": round(dense_cube_mb(cube), 1),
                      "cube_cells": len(cube.cells), "segments_shown": len(cube.segments),
                      "grouped": [vars(g) for g in cube.grouped]}))


def dense_cube_mb(cube) -> float:
    """What the dense cube before issue 11 allocated for the same file: pillar × touchpoint × segment × month ×
    advocate × recommend × score counters plus the responses' (no axis grouped), 8 bytes each."""
    distinct = {g.axis: g.distinct for g in cube.grouped}
    cells = (distinct.get("touchpoint", len(cube.touchpoints)) * distinct.get("segment", len(cube.segments))
             * len(cube.months) * 2 * RECOMMEND_BINS)
    return cells * (len(cube.pillars) * SCORE_POINTS + 1) * 8 / 1e6


def measure(rows: int, chunk_rows: int, folder: Path, distinct_segments: int | None = None) -> dict:
    path = folder / f"feedback_{rows}.csv"
    log(f"Generating {rows:,} rows into {path} ...")
    generate(path, rows, distinct_segments=distinct_segments)
    size_mb = path.stat().st_size / 1e6
    log(f"Loading {rows:,} rows ({size_mb:,.0f} MB) in a fresh process ...")
    done = subprocess.run([sys.executable, __file__, "--child", str(path), "--chunk-rows", str(chunk_rows)],
                          check=True, capture_output=True, text=True, cwd=REPO)
    sys.stderr.write(done.stderr)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    path.unlink()
    if result["rows_kept"] != rows or result["cube_responses"] != rows or result["blocking"]:
        raise SystemExit(f"the load lost rows or found blocking problems: {result}")
    return {"rows": rows, "distinct_segments": distinct_segments, "file_mb": round(size_mb, 1), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--chunk-rows", type=int, default=200_000)
    parser.add_argument("--high-cardinality-rows", type=int, default=1_000_000)
    parser.add_argument("--distinct-segments", type=int, default=100_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.chunk_rows)
        return
    with tempfile.TemporaryDirectory(prefix="load_feedback_") as folder:
        runs = [measure(rows, args.chunk_rows, Path(folder)) for rows in args.rows if rows]
        wide = (measure(args.high_cardinality_rows, args.chunk_rows, Path(folder), args.distinct_segments)
                if args.high_cardinality_rows else None)
    summary: dict = {"benchmark": "load_feedback", "chunk_rows": args.chunk_rows, "runs": runs,
                     "budget_1m_load_seconds": BUDGET_1M_SECONDS, "budget_10m_peak_rss_mb": BUDGET_10M_PEAK_MB,
                     "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    for run in runs:
        if run["rows"] == 1_000_000:
            summary["load_seconds_1m"] = run["load_seconds"]
            summary["within_budget_1m"] = run["load_seconds"] < BUDGET_1M_SECONDS
        if run["rows"] == 10_000_000:
            summary["peak_rss_mb_10m"] = run["peak_rss_mb"]
            summary["within_budget_10m"] = run["peak_rss_mb"] < BUDGET_10M_PEAK_MB
    if wide is not None:
        summary["high_cardinality"] = wide
        summary["within_budget_high_cardinality_peak"] = wide["peak_rss_mb"] < BUDGET_10M_PEAK_MB
        if wide["rows"] == 1_000_000:
            summary["within_budget_high_cardinality_1m_seconds"] = wide["load_seconds"] < BUDGET_1M_SECONDS
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
