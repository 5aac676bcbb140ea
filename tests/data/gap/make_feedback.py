"""Writes feedback.csv: a small canonical feedback file (seeded) with the stories the gap views must show.

Run from the repository root: ``.venv/bin/python tests/data/gap/make_feedback.py``. The stories: Fast delivery
is the loudest claim (promise.yml) and the least delivered; Expert help is fine everywhere except on the phone;
the ``chat`` touchpoint has too few answers to judge; Fast delivery and Fair prices drive recommendation, so Fast delivery is where to concentrate.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
rng = np.random.default_rng(20260301)
rows = 900
touchpoint = rng.choice(["phone", "web", "store", "delivery"], rows, p=[0.3, 0.3, 0.2, 0.2])
touchpoint[:12] = "chat"
month = rng.integers(1, 7, rows)
date = pd.to_datetime([f"2025-{m:02d}-{d:02d}" for m, d in zip(month, rng.integers(1, 29, rows))])
segment = rng.choice(["new", "loyal"], rows)
base = rng.normal(0, 1.2, rows)


def score(centre: np.ndarray | float) -> np.ndarray:
    return np.clip(np.rint(centre + base + rng.normal(0, 1.3, rows)), 0, 10)


scores = {
    "fast_delivery": score(4.6 + 0.3 * (month - 1)),
    "expert_help": score(np.where(touchpoint == "phone", 3.5, 8.0)),
    "fair_prices": score(7.2),
    "easy_returns": score(8.8),
}
recommend = np.clip(np.rint(0.4 * scores["fast_delivery"] + 0.35 * scores["fair_prices"] + 1.8
                            + rng.normal(0, 1.0, rows)), 0, 10)
frame = pd.DataFrame({"response_id": [f"r{i:04d}" for i in range(rows)], "date": date,
                      "touchpoint": touchpoint, "segment": segment, "recommend": recommend})
for pillar, values in scores.items():
    frame[pillar] = np.where(rng.random(rows) < 0.08, np.nan, values)
frame.loc[rng.random(rows) < 0.1, "recommend"] = np.nan
frame["advocate"] = frame["recommend"] >= 9
frame["comment"] = ""
frame["source"] = "survey"
frame.to_csv(HERE / "feedback.csv", index=False)
