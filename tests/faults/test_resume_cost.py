"""Finding the finished runs of a folder with many parts (issue 15: 12 s for 1,000 parts,
reading the parts one by one). The store checks every part's SHA-256 against the
manifest's index and reads the two columns it needs of every part as one Parquet dataset:
a fraction of the one-by-one read (quiet machine: about 0.2 s against 1 s for 1,000 parts).

The bound is relative to that one-by-one read, timed in the same test: on a machine
busy with other work both slow down together, and a fixed limit measured on a quiet
machine would fail for the wrong reason. It is also never looser than one second: a
resume as slow as the old one (or 12 s) fails either way."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest

from sqm_sim.experiments import parts
from sqm_sim.experiments.store import ResultsStore

PARTS = 1000

SHARE = 2 / 3
"""Largest share of the one-by-one read that finding the finished runs may cost (about
0.2 on a quiet machine, 0.4 on a busy one; reading part by part again would be over 1)."""


def _one_by_one_s(folder) -> float:
    """Seconds to read every runs part one by one into pandas (the old way)."""
    started = time.perf_counter()
    for part in sorted((folder / "runs").glob("part-*.parquet")):
        pd.read_parquet(part)
    return time.perf_counter() - started


@pytest.mark.slow  # a timing test, 10 s
def test_finished_ids_of_a_thousand_parts_cost_a_fraction_of_reading_them(tmp_path):
    (tmp_path / "runs").mkdir()
    index = {}
    for number in range(PARTS):
        frame = pd.DataFrame(
            {
                "run_id": [f"{number:016x}"],
                "cell": ["a"],
                "seed": [number],
                "status": ["ok" if number % 10 else "failed"],
                "npv": [1.0],
            }
        )
        part = tmp_path / "runs" / f"part-{number:020d}-{number:016x}.parquet"
        frame.to_parquet(part)
        index[parts.part_key(part)] = parts.entry(1, parts.digest(part))
    (tmp_path / "manifest.json").write_text(json.dumps({parts.INDEX_KEY: index}))
    before = _one_by_one_s(tmp_path)
    started = time.perf_counter()
    finished = ResultsStore(tmp_path).finished_ids()
    elapsed = time.perf_counter() - started
    after = _one_by_one_s(tmp_path)
    assert finished == {f"{i:016x}" for i in range(PARTS) if i % 10}
    assert elapsed < max(1.0, (before + after) / 2 * SHARE), (elapsed, before, after)
