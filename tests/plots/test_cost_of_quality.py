"""Stacked cost-of-quality areas, on real runs."""

from __future__ import annotations

import pandas as pd
import pytest

from sqm_sim.plots import COQ_CATEGORIES, cost_of_quality_area, mean_coq_by_month, save_figure
from tests.support import check_png


def test_single_run_area_renders(small_run, tmp_path):
    path = save_figure(cost_of_quality_area(small_run.timeseries), tmp_path / "coq.png")
    check_png(path.read_bytes())


def test_one_panel_per_portfolio_on_one_scale(compare_timeseries, tmp_path):
    fig = cost_of_quality_area(compare_timeseries, group="portfolio")
    path = save_figure(fig, tmp_path / "coq.png")
    check_png(path.read_bytes())
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["none", "process_first", "balanced"]
    assert len({ax.get_ylim() for ax in panels}) == 1


def test_mean_costs_average_the_runs(compare_timeseries):
    balanced = compare_timeseries[compare_timeseries["portfolio"] == "balanced"]
    costs = mean_coq_by_month(balanced)
    assert list(costs.columns) == list(COQ_CATEGORIES)
    assert len(costs) == 9
    expected = balanced[balanced["period"] == 9]["external_failure_cost"].mean()
    assert costs["external_failure_cost"].iloc[-1] == pytest.approx(expected)


def test_four_portfolios_fill_two_rows_of_two_with_one_legend_below(compare_timeseries):
    """Four panels as 2 x 2 (not three and one alone in a half-empty row); one legend for
    all, in the figure, not on a panel."""
    fourth = compare_timeseries[compare_timeseries["portfolio"] == "none"]
    four = pd.concat([compare_timeseries, fourth.assign(portfolio="copy")])
    fig = cost_of_quality_area(four, group="portfolio")
    assert len(fig.axes) == 4
    assert all(ax.axison for ax in fig.axes)
    assert {ax.get_subplotspec().colspan.start for ax in fig.axes} == {0, 1}
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        label for label, _ in COQ_CATEGORIES.values()
    ]
    assert not [ax for ax in fig.axes if ax.get_legend()]
