"""Real results for the plot tests: one small run and the folders of a tiny comparison and
a tiny portfolio search (written once per session)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.support import write_compare_folder, write_search_folder


@pytest.fixture(scope="session")
def compare_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``sqm-sim compare`` folder: none, process_first, balanced x 3 seeds."""
    return write_compare_folder(tmp_path_factory.mktemp("plots") / "compare")


@pytest.fixture(scope="session")
def compare_timeseries(compare_dir: Path) -> pd.DataFrame:
    """The comparison's time series (one row per run x month) with the runs' labels."""
    runs = pd.read_parquet(compare_dir / "runs")
    series = pd.read_parquet(compare_dir / "timeseries")
    return series.merge(runs[["run_id", "scenario", "portfolio"]], on="run_id")


@pytest.fixture(scope="session")
def search_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``sqm-sim search`` folder over a two-initiative menu."""
    return write_search_folder(tmp_path_factory.mktemp("plots") / "search")
