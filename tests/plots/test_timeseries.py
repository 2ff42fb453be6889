"""KPI time series with replication bands, on real runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from scipy import stats

from sqm_sim.plots import (
    PANEL_KPIS,
    difference_timeseries,
    kpi_timeseries,
    monthly_bands,
    save_figure,
    with_cumulative_profit,
)
from sqm_sim.plots.timeseries import paired_monthly_differences
from tests.support import check_png


def test_single_run_panels_render(small_run, tmp_path):
    path = save_figure(kpi_timeseries(small_run.timeseries), tmp_path / "kpis.png")
    check_png(path.read_bytes())


def test_grouped_panels_render(compare_timeseries, tmp_path):
    fig = kpi_timeseries(compare_timeseries, group="portfolio")
    path = save_figure(fig, tmp_path / "kpis.png")
    height, width = check_png(path.read_bytes())
    assert width > height > 500  # two columns of panels, three rows
    legend_texts = {
        t.get_text() for ax in fig.axes for lg in [ax.get_legend()] if lg for t in lg.get_texts()
    }
    assert legend_texts == {"none", "process_first", "balanced"}


def test_bands_are_the_t_interval_over_runs(compare_timeseries):
    bands = monthly_bands(compare_timeseries, "profit", group="portfolio")
    assert len(bands) == 3 * 9
    assert (bands["n"] == 3).all()
    first = bands[(bands["group"] == "balanced") & np.isclose(bands["month"], 1.0)].iloc[0]
    values = compare_timeseries.query("portfolio == 'balanced' and period == 1")["profit"]
    assert first["mean"] == pytest.approx(values.mean())
    assert first["low"] < first["mean"] < first["high"]


def test_single_run_has_no_band(small_run):
    bands = monthly_bands(small_run.timeseries, "mean_satisfaction")
    assert (bands["n"] == 1).all()
    assert bands["low"].isna().all()


def test_cumulative_profit_is_computed_per_run(compare_timeseries):
    table = compare_timeseries.drop(columns="cumulative_profit")
    added = with_cumulative_profit(table)
    np.testing.assert_allclose(added["cumulative_profit"], compare_timeseries["cumulative_profit"])


def test_paired_monthly_differences_pair_runs_by_seed_and_month():
    """By hand: cell b minus reference a per seed and month, t interval over the seeds; a
    seed only one side ran is left out of the pairing."""
    rows = []
    for seed, (a1, b1, a2, b2) in {
        1: (10, 13, 20, 21),
        2: (11, 13, 20, 24),
        3: (12, 17, 20, 26),
    }.items():
        for name, month, value in (("a", 0, a1), ("b", 0, b1), ("a", 1, a2), ("b", 1, b2)):
            rows.append(
                {
                    "name": name,
                    "seed": seed,
                    "month_start": month,
                    "period_days": 30.4375,
                    "profit": value,
                }
            )
    rows.append({"name": "b", "seed": 4, "month_start": 0, "period_days": 30.4375, "profit": 99.0})
    frame = pd.DataFrame(rows)
    bands = paired_monthly_differences(frame, "profit", {"b": "a"}, "name", 0.95)
    assert list(bands["month"]) == [1.0, 2.0]
    assert list(bands["n"]) == [3, 3]  # seed 4 has no reference run
    first = bands.iloc[0]  # differences 3, 2, 5: mean 10/3, sd sqrt(7/3)
    half = stats.t.ppf(0.975, 2) * np.sqrt(7 / 3) / np.sqrt(3)
    assert first["mean"] == pytest.approx(10 / 3)
    assert (first["low"], first["high"]) == pytest.approx((10 / 3 - half, 10 / 3 + half))
    assert bands.iloc[1]["mean"] == pytest.approx((1 + 4 + 6) / 3)


def test_many_cells_draw_lines_without_overlapping_bands(compare_timeseries):
    """Three portfolios: the level panels draw lines only (their bands would overlap); the
    difference chart draws one band per compared portfolio, each in its own panel."""
    levels = kpi_timeseries(compare_timeseries, group="portfolio")
    assert not [c for ax in levels.axes for c in ax.collections if isinstance(c, PolyCollection)]
    two = compare_timeseries[compare_timeseries["portfolio"] != "balanced"]
    banded = kpi_timeseries(two, group="portfolio")
    assert [c for ax in banded.axes for c in ax.collections if isinstance(c, PolyCollection)]
    references = {"process_first": "none", "balanced": "none"}
    fig = difference_timeseries(compare_timeseries, references, group="portfolio")
    assert len(fig.axes) == len(PANEL_KPIS) * 2
    for ax in fig.axes:
        assert len(ax.get_lines()) == 2  # one difference line and the zero line
        assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 1
    titles = {ax.get_title() for ax in fig.axes} - {""}
    assert titles == {"process_first - none", "balanced - none"}
