"""Stylized facts of the credible core (issue 13), each simulated on paired seeds with a
99 % t-interval over replications: hostages set free, improvement with a floor."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import sqm_sim
from sqm_sim.app.findings import dissatisfied_among_leavers

from .support import mean_interval, paired_runs, simulate_cached

pytestmark = pytest.mark.slow

SEEDS = range(8)


def test_deregulation_sets_the_dissatisfied_hostages_free():
    """Jones & Sasser 1995: while switching is costly the dissatisfied stay; when it gets
    cheap (month 30 of the shipped deregulation scenario) they are the ones who leave. The
    share of the dissatisfied among the leavers of months 30-42 exceeds that of months
    18-30, and churn rises."""
    config = sqm_sim.load_scenario("deregulation")
    change = config.environment.switching_cost_change_month
    composition, churn = [], []
    for seed in range(16):  # the composition is a skewed, noisy share: more replications
        result = simulate_cached(config, seed)
        before = dissatisfied_among_leavers([result], change - 12, change)
        after = dissatisfied_among_leavers([result], change, change + 12)
        composition.append(after - before)
        series = result.timeseries
        rate = series["customers_lost"] / series["customer_months"]
        churn.append(
            rate.iloc[change : change + 12].mean() - rate.iloc[change - 12 : change].mean()
        )
    low, _ = mean_interval(composition)
    assert low > 0.0, composition
    assert mean_interval(churn)[0] > 0.0, churn


def test_a_completely_satisfied_customer_stays_whatever_the_switching_cost():
    """The loyalty curve at S = 1 does not depend on switching cost; at the dissatisfied end
    it does (the logistic of each segment, as configured in the baseline)."""
    from sqm_sim.models.satisfaction import Segment, logistic, repurchase_log_odds

    config = sqm_sim.load_scenario("baseline")
    for name, settings in config.segments.items():
        segment = Segment.from_settings(0, name, settings)
        q = config.environment.competitor_quality

        def stay(satisfaction: float, switching: float, segment=segment, q=q) -> float:
            return logistic(repurchase_log_odds(segment, satisfaction, q, switching, 0.0))

        assert stay(1.0, 0.9) == stay(1.0, 0.05)
        # hostages: a dissatisfied customer (S = 0.3) is held at each decision by switching
        # costs (by 0.2 in the quality-driven, 0.5 in the price-driven segment)
        assert stay(0.3, 0.9) - stay(0.3, 0.05) > 0.15
        annual_satisfied = stay(1.0, 0.5) ** 12
        assert annual_satisfied > 0.75, (name, annual_satisfied)


def test_involvement_improves_toward_the_floor_not_to_zero():
    """People-first for five years: the improvement factor ends above its floor (the
    suggestion system cannot remove every cause) but has closed most of the gap."""
    from sqm_sim.portfolios import with_portfolio

    config = with_portfolio(sqm_sim.load_scenario("baseline"), "people_first")
    floor = config.involvement.improvement_floor
    ends = np.array(
        [simulate_cached(config, seed).summary["improvement_factor_end"] for seed in SEEDS]
    )
    assert (ends >= floor).all()
    assert (ends > floor + 1e-6).all()
    assert ends.mean() < 1.0 - 0.5 * (1.0 - floor)  # more than half the gap closed


def _two_proportion_z(low: pd.Series, high: pd.Series) -> float:
    """z statistic of stay_share(high) - stay_share(low), pooled standard error."""
    pooled = (low["stayed"] + high["stayed"]) / (low["decisions"] + high["decisions"])
    error = np.sqrt(pooled * (1 - pooled) * (1 / low["decisions"] + 1 / high["decisions"]))
    return float((high["stay_share"] - low["stay_share"]) / error)


def _poor_quality_tarp_table(overrides: dict[str, float], seeds: range) -> pd.DataFrame:
    """TARP's table (indexed by context), pooled over ``seeds``, for three years of the
    baseline with poor quality (Cpk 0.8, 3,000 ppm by design), no contracts, and
    ``overrides``."""
    from sqm_sim.experiments.voice import tarp_table

    config = sqm_sim.load_scenario("baseline").with_overrides(
        {
            "simulation.horizon_months": 36,
            "operations.process_capability_cpk": 0.8,
            "operations.design_defect_ppm": 3000.0,
            # TARP asked customers free to choose: no stays forced by a contract
            "market.contract_share": 0.0,
            **overrides,
        }
    )
    return tarp_table(
        sqm_sim.simulate(config, seed, trace_customers=True).journeys for seed in seeds
    ).set_index("context")


def test_simulated_tarp_table_orders_silent_unresolved_slow_fast():
    """TARP: after a problem, the share who buy again rises from silent customers, to
    complaints left unresolved, to slow resolutions, to fast ones. Simulated on a firm with
    poor quality (Cpk 0.8, 3,000 ppm by design) whose customers voice half their problems
    and whose desk resolves about half of its cases within the fast window; each step of the
    order is a one-sided two-proportion z test at 1 % with a Bonferroni correction over the
    three steps (z > 2.71), pooled over 4 seeds."""
    table = _poor_quality_tarp_table(
        {
            "service.claim_probability": 0.5,
            "service.complaint_probability": 0.5,
            "service.fast_resolution_days": 0.25,
        },
        seeds=range(4),
    )
    order = ["silent", "unresolved", "resolved slowly", "resolved fast"]
    assert (table.loc[order, "decisions"] > 200).all(), table
    for low, high in itertools.pairwise(order):
        assert _two_proportion_z(table.loc[low], table.loc[high]) > 2.71, (low, high, table)
    # a customer who complains again gets a smaller credit: a fast resolution holds fewer
    assert (
        table.at["resolved fast (repeat)", "stay_share"] < table.at["resolved fast", "stay_share"]
    )


def test_making_complaining_easier_pays_when_recovery_is_good():
    """TARP's advice: make complaining easy. With a desk that resolves 95 % of cases, a firm
    whose customers claim 90 % of their defective units and complain about half of their
    other bad transactions (instead of 10 % and 2 %) pays more warranty and handling cost
    but keeps more customers: retention and the NPV with customer equity are higher over
    five years (paired seeds, 99 % t interval of the difference above 0)."""
    base = sqm_sim.load_scenario("baseline").with_overrides({"service.recovery_quality": 0.95})
    quiet = base.with_overrides(
        {"service.claim_probability": 0.1, "service.complaint_probability": 0.02}
    )
    vocal = base.with_overrides(
        {"service.claim_probability": 0.9, "service.complaint_probability": 0.5}
    )
    for kpi in ("retention_rate_annual", "npv_with_customer_equity"):
        low, _ = mean_interval(paired_runs(vocal, quiet, SEEDS, kpi))
        assert low > 0.0, kpi
    costs = paired_runs(vocal, quiet, SEEDS, "external_failure_cost")
    assert mean_interval(costs)[0] > 0.0  # it is not free: claims and handling cost more


def test_recovery_paradox_holds_for_a_first_failure_only():
    """The recovery paradox (Smith & Bolton 1998; Maxham & Netemeyer 2002): a customer whose
    first failure was put right quickly buys again more often than a customer who had no
    problem, but not after a second failure. Simulated on a firm with poor quality whose
    customers voice most problems and whose desk (20 agents, every case resolved) answers
    within the fast window, in a market where a satisfied customer is not a sure repurchase
    (loyalty intercept 1.5 log-odds instead of about 3.2, so that a gain in loyalty is
    visible in a few thousand decisions). Each comparison is a one-sided two-proportion z
    test at 1 % with a Bonferroni correction over the two (z > 2.58), pooled over 3 seeds."""
    table = _poor_quality_tarp_table(
        {
            "service.claim_probability": 0.9,
            "service.complaint_probability": 0.5,
            "service.recovery_quality": 1.0,
            "service.desk_staff": 20,
            "segments.quality_driven.loyalty_intercept": 1.5,
            "segments.price_driven.loyalty_intercept": 1.5,
        },
        seeds=range(3),
    )
    first, repeat, none = "resolved fast", "resolved fast (repeat)", "no problem"
    assert (table.loc[[first, repeat], "decisions"] > 500).all(), table
    assert _two_proportion_z(table.loc[none], table.loc[first]) > 2.58, table
    assert _two_proportion_z(table.loc[repeat], table.loc[none]) > 2.58, table


def test_contracts_keep_dissatisfied_hostages_in_the_customer_base():
    """Jones & Sasser 1995: where customers can leave only when their contract is up, the
    dissatisfied stay until then - a stock, not a flow. The baseline (half its customers on
    annual contracts) against the same firm without contracts, on paired seeds: the mean
    share of dissatisfied customers among the active is higher (99 % t interval of the
    difference above 0) and at least twice as high on average."""
    with_contracts = sqm_sim.load_scenario("baseline")
    assert with_contracts.market.contract_share > 0.0
    without = with_contracts.with_overrides({"market.contract_share": 0.0})
    differences = paired_runs(with_contracts, without, SEEDS, "share_dissatisfied")
    assert mean_interval(differences)[0] > 0.0, differences

    def mean_share(config: sqm_sim.Config) -> float:
        return float(
            np.mean([simulate_cached(config, s).summary["share_dissatisfied"] for s in SEEDS])
        )

    held, free = mean_share(with_contracts), mean_share(without)
    assert held > 2.0 * free, (held, free)


def test_better_quality_raises_orders_per_active_customer():
    """Share of wallet (Keiningham et al. 2003; Cooil et al. 2007): customers who stay buy
    more when they are more satisfied. A capable process (Cpk 1.33 instead of 1.0) and half
    the design defects raise orders per customer-month (paired seeds, 99 % t interval of the
    difference above 0) and lower the orders lost to quality."""
    baseline = sqm_sim.load_scenario("baseline")
    capable = baseline.with_overrides(
        {
            "operations.process_capability_cpk": 1.33,
            "operations.design_defect_ppm": baseline.operations.design_defect_ppm / 2,
        }
    )

    def per_customer(config: sqm_sim.Config, seed: int) -> float:
        summary = simulate_cached(config, seed).summary
        return summary["orders_placed"] / summary["customer_months"]

    gains = [per_customer(capable, s) - per_customer(baseline, s) for s in SEEDS]
    assert mean_interval(gains)[0] > 0.0, gains
    fewer_lost = paired_runs(baseline, capable, SEEDS, "orders_lost_to_quality")
    assert mean_interval(fewer_lost)[0] > 0.0, fewer_lost
