"""Portfolio comparison charts from the experiment engine's tables."""

from __future__ import annotations

import pandas as pd
import pytest

from sqm_sim.plots import cost_frontier, kpi_means, paired_differences_chart, save_figure
from tests.support import check_png


def test_means_with_intervals_render_best_on_top(compare_dir, tmp_path):
    summary = pd.read_csv(compare_dir / "summary.csv")
    fig = kpi_means(summary, "npv", group="portfolio")
    check_png(save_figure(fig, tmp_path / "means.png").read_bytes(), min_bytes=5_000)
    labels = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    npv = summary[summary["kpi"] == "npv"].set_index("portfolio")["mean"]
    assert labels[-1] == npv.idxmax()  # the top row is the best


def test_means_refuse_a_kpi_not_in_the_table(compare_dir):
    summary = pd.read_csv(compare_dir / "summary.csv")
    with pytest.raises(ValueError, match="no rows for KPI 'clv_estimate'"):
        kpi_means(summary, "clv_estimate")


def test_paired_differences_render(compare_dir, tmp_path):
    differences = pd.read_csv(compare_dir / "differences.csv")
    fig = paired_differences_chart(differences, "npv", names={"baseline|none": "none"})
    check_png(save_figure(fig, tmp_path / "diff.png").read_bytes(), min_bytes=5_000)
    labels = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    assert all(label.endswith("vs none") for label in labels)


def test_frontier_renders_with_frontier_labelled(search_dir, tmp_path):
    candidates = pd.read_csv(search_dir / "candidates.csv")
    fig = cost_frontier(candidates, "npv")
    check_png(save_figure(fig, tmp_path / "frontier.png").read_bytes())
    labelled = {text.get_text() for text in fig.axes[0].texts}
    assert labelled == set(candidates.loc[candidates["on_frontier"], "portfolio"])
