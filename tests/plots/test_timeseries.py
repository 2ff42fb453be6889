"""KPI time series with replication bands, on real runs."""

from __future__ import annotations

import numpy as np
import pytest

from sqm_sim.plots import kpi_timeseries, monthly_bands, save_figure, with_cumulative_profit
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
