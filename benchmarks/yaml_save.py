"""Saving promise.yml: what keeping the consultant's comments costs against writing the file afresh.

Run from the repository root: ``python benchmarks/yaml_save.py``. The sample company's promise.yml, with a
comment on every pillar, is written three ways in one run, so the ratios are of one machine at one time:

- ``pyyaml_dump_ms``: ``yaml.safe_dump`` of the promise, what a save wrote before comments were kept;
- ``fresh_ms``: ``yaml_files.yaml_text`` with no file to replace (a new promise.yml);
- ``keeping_comments_ms``: ``yaml_text`` into the commented file it replaces (a save from notebook 01);
- ``uncommented_ms``: ``yaml_text`` into the sample's own file, which has no comment below its header.

Medians of 30 runs each. Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workshop.promise import FILE_HEADER, load_promise, promise_to_dict  # noqa: E402
from workshop.yaml_files import yaml_text  # noqa: E402

RUNS = 30


def median_ms(write) -> float:
    write()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        write()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 2)


def main() -> None:
    promise = load_promise(REPO / "datasets" / "sample")
    data = promise_to_dict(promise)
    commented = (REPO / "datasets" / "sample" / "promise.yml").read_text(encoding="utf-8")
    for pillar in promise.pillars:
        commented = commented.replace(f"- id: {pillar.id}\n", f"- id: {pillar.id}  # agreed with the client\n")
    previous = commented.encode("utf-8")
    uncommented = (REPO / "datasets" / "sample" / "promise.yml").read_bytes()
    assert "# agreed with the client" in yaml_text(FILE_HEADER, data, previous)
    print("writing promise.yml three ways...", file=sys.stderr)
    result = {
        "pyyaml_dump_ms": median_ms(lambda: yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)),
        "fresh_ms": median_ms(lambda: yaml_text(FILE_HEADER, data)),
        "keeping_comments_ms": median_ms(lambda: yaml_text(FILE_HEADER, data, previous)),
        "uncommented_ms": median_ms(lambda: yaml_text(FILE_HEADER, data, uncommented)),
        "python": platform.python_version(),
    }
    result["keeping_comments_vs_pyyaml"] = round(result["keeping_comments_ms"] / result["pyyaml_dump_ms"], 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
