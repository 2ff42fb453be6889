"""The capability trap (Repenning & Sterman 2001, 2002) on paired seeds: a capacity-bound
firm that starts giving operators 10 % of their hours for improvement. One that defends
output (takes the time back under schedule pressure, or cuts the programme at the first
late month) wins the first year and ends five years with lower capability, more defects
and a lower NPV than one that protects improvement time. Paired 95 % t intervals of the
per-seed differences (sqm_sim.experiments.intervals), 24 seeds: on the recalibrated model
(share of wallet, contracts) working harder loses about 9,000 of NPV over five years with a
paired standard deviation of about 17,000, so 12 seeds (half-width 2.2 x 17,000 / sqrt 12,
about 11,000) could not tell the loss from noise; 24 give about 7,000."""

from __future__ import annotations

import pytest

import sqm_sim
from sqm_sim.experiments.intervals import paired_interval
from sqm_sim.portfolios import with_portfolio
from sqm_sim.scenarios.sizes import at_size

from .support import simulate_cached

TRAP_FIRM = {
    "simulation.horizon_months": 60,
    # a firm with much to improve, whose lines are nearly full and whose market would buy more
    "operations.process_capability_cpk": 0.8,
    "operations.design_defect_ppm": 3000.0,
    "operations.cycle_time.mean": 220.0,
    "market.initial_customers": 380,
    "acquisition.marketing_rate_per_year": 0.2,
    "distribution.backorder_patience_days": 60.0,
    # the improvement programme: 10 % of operator hours, none before
    "workforce.improvement_time_share": 0.1,
    "workforce.improvement_time_share_before": 0.0,
}
"""The quick baseline made a capacity-bound firm that starts an improvement programme."""

WORK_HARDER = {"workforce.pressure_response": 1.0, "workforce.pressure_memory_months": 36.0}
SEEDS = range(1, 25)


def trap_firm() -> sqm_sim.Config:
    return at_size(sqm_sim.load_scenario("baseline"), "quick").with_overrides(TRAP_FIRM)


def outcomes(config: sqm_sim.Config) -> dict[str, list[float]]:
    rows: dict[str, list[float]] = {
        "first_year": [],
        "npv": [],
        "capability": [],
        "defects": [],
    }
    for seed in SEEDS:
        result = simulate_cached(config, seed)
        rows["first_year"].append(float(result.timeseries["discounted_profit"].iloc[:12].sum()))
        rows["npv"].append(result.summary["npv"])
        rows["capability"].append(result.summary["capability_end"])
        rows["defects"].append(result.summary["defect_rate_produced"])
    return rows


def assert_trap(defend: dict[str, list[float]], protect: dict[str, list[float]]) -> None:
    def diff(kpi: str):
        return paired_interval(defend[kpi], protect[kpi], confidence=0.95)

    assert diff("first_year").low > 0.0, diff("first_year")  # wins the first year
    assert diff("npv").high < 0.0, diff("npv")  # loses over five years
    assert diff("capability").high < 0.0, diff("capability")
    assert diff("defects").low > 0.0, diff("defects")


@pytest.mark.slow
def test_working_harder_under_pressure_wins_the_first_year_and_loses_five():
    firm = trap_firm()
    assert_trap(outcomes(firm.with_overrides(WORK_HARDER)), outcomes(firm))


@pytest.mark.slow
def test_the_programme_cut_in_the_dip_never_delivers():
    """Cut at the first month below 95 % on time: capability never builds (it ends near 0,
    against about 0.5 when protected), and the firm is caught in the same trap."""
    firm = trap_firm()
    cut = with_portfolio(firm, "cut_improvement_when_late")
    defend, protect = outcomes(cut), outcomes(firm)
    assert max(defend["capability"]) < 0.1
    assert min(protect["capability"]) > 0.45
    assert_trap(defend, protect)
