"""The quick size is the company scaled down: at the same horizon and over the same
seeds, its rates and shares agree with the full size within 99 % Welch intervals, and its
money and units are QUICK_SCALE of the full size's (slow tier). Nothing here is a KPI
value: both sizes are simulated and compared."""

from __future__ import annotations

import numpy as np
import pytest

import sqm_sim
from sqm_sim import Config
from sqm_sim.experiments.intervals import welch_interval
from sqm_sim.models.units import DAYS_PER_MONTH, MINUTES_PER_DAY
from sqm_sim.portfolios import with_portfolio
from sqm_sim.run import simulate
from sqm_sim.scenarios.sizes import QUICK_SCALE, at_size

pytestmark = pytest.mark.slow

SEEDS = range(1, 13)
CONFIDENCE = 0.99
RATES = {
    "coq_share": 0.02,
    "profit_margin": 0.02,
    "line_load": 0.05,
    "on_time_rate": 0.05,
    "retention_rate_annual": 0.05,
    "mean_satisfaction": 0.05,
}
"""Rates and shares, with the largest half-width their interval may have: a discrepancy of
2 % of sales in a share of sales, or of 5 points in a rate, cannot hide in the noise (the
quick size before scaling SPC checks and lines was 1.8 points of sales off in CoQ and 60
points in line load)."""
MONEY = ("profit", "revenue", "coq_total")
COUNTS = ("units_produced", "customer_months")
SALES_RESOLUTION = 0.05
"""Largest half-width of a money interval, as a share of the quick size's revenue."""
COUNT_RESOLUTION = 0.05
"""Largest half-width of a count's interval, relative to the count."""


def line_load(config: Config, summary: dict) -> float:
    """Work content of the lines (units made and reworked, at the mean cycle time) over
    the lines' time: the utilisation the line capacity is sized for."""
    ops = config.operations
    units = summary["units_produced"] + summary["units_reworked"] * (
        config.quality.rework_time_fraction
    )
    line_minutes = ops.production_lines * config.simulation.horizon_months * DAYS_PER_MONTH
    return units * ops.cycle_time.mean / (line_minutes * MINUTES_PER_DAY)


def outcomes(config: Config) -> dict[str, np.ndarray]:
    rows = []
    for seed in SEEDS:
        summary = simulate(config, seed=seed).summary
        rows.append({
            **{key: summary[key] for key in (*MONEY, *COUNTS)},
            "coq_share": summary["coq_share_of_revenue"],
            "line_load": line_load(config, summary),
            "on_time_rate": summary["on_time_rate"],
            "retention_rate_annual": summary["retention_rate_annual"],
            "mean_satisfaction": summary["mean_satisfaction"],
            "profit_margin": summary["profit"] / summary["revenue"],
        })  # fmt: skip
    return {key: np.array([row[key] for row in rows]) for key in rows[0]}


@pytest.fixture(scope="module", params=["none", "balanced"])
def both_sizes(request) -> tuple[dict, dict]:
    """Outcomes of the full and the quick company over the quick horizon."""
    config = sqm_sim.load_scenario("baseline")
    if request.param != "none":
        config = with_portfolio(config, request.param)
    quick = at_size(config, "quick")
    full = config.with_overrides({"simulation.horizon_months": quick.simulation.horizon_months})
    return outcomes(full), outcomes(quick)


@pytest.mark.parametrize("rate", RATES)
def test_rates_and_shares_agree(both_sizes, rate):
    full, quick = both_sizes
    difference = welch_interval(quick[rate], full[rate], CONFIDENCE)
    assert difference.low <= 0.0 <= difference.high, (
        f"{rate}: quick {quick[rate].mean():.4f} vs full {full[rate].mean():.4f}, "
        f"99 % CI of the difference [{difference.low:.4f}, {difference.high:.4f}]"
    )
    assert difference.half_width < RATES[rate]  # the comparison has power


@pytest.mark.parametrize("amount", [*MONEY, *COUNTS])
def test_money_and_units_are_the_scale_of_the_full_size(both_sizes, amount):
    full, quick = both_sizes
    difference = welch_interval(quick[amount], QUICK_SCALE * full[amount], CONFIDENCE)
    assert difference.low <= 0.0 <= difference.high, (
        f"{amount}: quick / full = {quick[amount].mean() / full[amount].mean():.4f}, "
        f"99 % CI of quick - {QUICK_SCALE} full [{difference.low:.4g}, {difference.high:.4g}]"
    )
    if amount in MONEY:  # profit is a thin difference: judged against sales
        assert difference.half_width < SALES_RESOLUTION * quick["revenue"].mean()
    else:
        assert difference.half_width < COUNT_RESOLUTION * quick[amount].mean()
