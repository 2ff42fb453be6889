"""The shipped baseline against its published bands (sqm_sim.experiments.targets), one test
per band, over eight seeds of the full-size five-year baseline."""

from __future__ import annotations

import pandas as pd
import pytest

import sqm_sim
from sqm_sim.experiments.targets import TARGETS, check_baseline

REACHED = [target.name for target in TARGETS if target.reached]


@pytest.fixture(scope="module")
def baseline_table() -> pd.DataFrame:
    config = sqm_sim.load_scenario("baseline")
    return check_baseline(config, range(1, 9)).set_index("target")


@pytest.mark.slow
@pytest.mark.parametrize("name", REACHED)
def test_the_baseline_lies_in_its_published_band(baseline_table, name):
    row = baseline_table.loc[name]
    assert row["band_low"] <= row["mean"] <= row["band_high"], row.to_dict()


def test_every_target_names_its_source_and_every_gap_its_reason():
    names = [target.name for target in TARGETS]
    assert len(names) == len(set(names))
    for target in TARGETS:
        assert target.low < target.high, target.name
        assert target.source, target.name
        assert bool(target.gap) != target.reached, target.name


def test_a_target_reads_a_ratio_of_two_summary_kpis():
    margin = next(target for target in TARGETS if target.name == "profit margin")
    assert margin.value({"profit": 50.0, "revenue": 1_000.0}) == pytest.approx(0.05)
