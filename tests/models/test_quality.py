"""Quality system: inspection, rework/scrap routing and the cost-of-quality bookings."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import simpy
from scipy import stats

from sqm_sim import Config, simulate
from sqm_sim.models.context import Context
from sqm_sim.models.initiatives import lever_schedule
from sqm_sim.models.ledger import APPRAISAL, INTERNAL_FAILURE, PRODUCTION_COST, Ledger
from sqm_sim.models.operations import process_defect_share, unit_defect_probability
from sqm_sim.models.quality import Inspection, ProcessControl
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.tally import Tally
from sqm_sim.models.units import DAYS_PER_MONTH

# Many defects (Cpk 0.5: 13% process defects) so that inspection has plenty to find.
DEFECT_HEAVY = {"operations.process_capability_cpk": 0.5, "simulation.horizon_months": 8}


def test_no_inspection_means_no_inspection_cost(make_config):
    config = make_config({"quality.inspection_coverage": 0.0})
    result = simulate(config, seed=21)
    s = result.summary
    assert s["units_produced"] > 0
    for key in ("units_inspected", "units_rejected", "defects_detected", "rework_started"):
        assert s[key] == 0, key
    assert s["units_scrapped"] == 0
    assert s["appraisal_cost"] == s["spc_checks"] * config.finance.monitoring_cost_per_check
    ts = result.timeseries
    assert (
        ts["appraisal_cost"] == ts["spc_checks"] * config.finance.monitoring_cost_per_check
    ).all()


def test_spc_checks_follow_the_monitoring_interval(make_config):
    # checks at k * interval for k >= 1, strictly before the end of the horizon
    config = make_config({"quality.monitoring_interval_days": 7.0})
    s = simulate(config, seed=2).summary
    horizon = config.simulation.horizon_months * DAYS_PER_MONTH
    assert s["spc_checks"] == math.ceil(horizon / 7.0) - 1


def test_perfect_full_inspection_ships_no_defects(make_config):
    config = make_config(
        {
            **DEFECT_HEAVY,
            "quality.inspection_coverage": 1.0,
            "quality.detection_probability": 1.0,
            "quality.false_reject_probability": 0.0,
        }
    )
    s = simulate(config, seed=22).summary
    assert s["defects_produced"] > 50  # the test has something to catch
    assert s["units_inspected"] == s["units_produced"]
    assert s["defects_detected"] == s["defects_produced"]
    assert s["units_rejected"] == s["defects_produced"]
    assert s["defective_shipped"] == 0
    assert s["warranty_claims"] == 0
    assert s["defects_shipped_ppm"] == 0.0


def test_no_inspection_ships_defects_at_the_production_rate(make_config, assert_binomial):
    # The counterpart: without inspection every unit goes to stock. Stock and dispatch are
    # first in, first out, so after the (good) starting stock the units shipped are the
    # first units made, each defective with the in-control probability (no drift here).
    config = make_config(
        {**DEFECT_HEAVY, "quality.inspection_coverage": 0.0, "quality.drift_rate_per_month": 0.0}
    )
    s = simulate(config, seed=22).summary
    made_and_shipped = s["units_shipped"] - s["initial_stock"]
    assert made_and_shipped > 500
    p = unit_defect_probability(config, out_of_control=False)
    assert_binomial(s["defective_shipped"], made_and_shipped, p)
    assert s["warranty_claims"] <= s["defective_shipped"]


def test_inspection_coverage_is_a_binomial_share(make_config, assert_binomial):
    config = make_config({"quality.inspection_coverage": 0.35, "simulation.horizon_months": 8})
    s = simulate(config, seed=23).summary
    assert_binomial(s["units_inspected"], s["units_produced"], 0.35)


def test_rejections_follow_detection_and_false_reject_probabilities(make_config, assert_binomial):
    detection, false_reject = 0.7, 0.05
    config = make_config(
        {
            **DEFECT_HEAVY,
            "quality.inspection_coverage": 1.0,  # every defective unit is inspected
            "quality.detection_probability": detection,
            "quality.false_reject_probability": false_reject,
        }
    )
    s = simulate(config, seed=24).summary
    defective, produced = s["defects_produced"], s["units_produced"]
    assert s["units_inspected"] == produced
    assert_binomial(s["defects_detected"], defective, detection)
    false_rejects = s["units_rejected"] - s["defects_detected"]
    assert_binomial(false_rejects, produced - defective, false_reject)


def test_rework_share_splits_rejects(make_config, assert_binomial):
    config = make_config(
        {
            **DEFECT_HEAVY,
            "quality.inspection_coverage": 1.0,
            "quality.rework_share": 0.6,
            "quality.rework_success_probability": 0.75,
        }
    )
    s = simulate(config, seed=25).summary
    assert_binomial(s["rework_started"], s["units_rejected"], 0.6)
    assert s["units_reworked"] == s["rework_started"] - s["units_in_rework_end"]
    scrapped_after_rework = s["units_scrapped"] - (s["units_rejected"] - s["rework_started"])
    assert_binomial(scrapped_after_rework, s["units_reworked"], 1.0 - 0.75)


def test_no_rework_share_scraps_every_reject(make_config):
    config = make_config(
        {**DEFECT_HEAVY, "quality.inspection_coverage": 1.0, "quality.rework_share": 0.0}
    )
    s = simulate(config, seed=26).summary
    assert s["units_rejected"] > 0
    assert s["rework_started"] == 0
    assert s["units_reworked"] == 0
    assert s["units_in_rework_end"] == 0
    assert s["units_scrapped"] == s["units_rejected"]


def test_reliable_rework_scraps_nothing(make_config):
    config = make_config(
        {
            **DEFECT_HEAVY,
            "quality.inspection_coverage": 1.0,
            "quality.rework_share": 1.0,
            "quality.rework_success_probability": 1.0,
        }
    )
    s = simulate(config, seed=27).summary
    assert s["units_rejected"] > 0
    assert s["units_scrapped"] == 0
    assert s["rework_started"] == s["units_rejected"]


# -- cost of quality bookings -----------------------------------------------------------------
# All default money rates are whole numbers, so the sums below are exact in binary floating
# point and can be compared with ==.

# Bad units and damage make transactions disappointing, so customers complain.
COMPLAINING = {
    "distribution.damage_probability": 0.05,
    "operations.design_defect_ppm": 30_000.0,
    "service.complaint_probability": 0.6,
}
COQ_CASES = [
    {},
    DEFECT_HEAVY,
    {**DEFECT_HEAVY, "quality.inspection_coverage": 1.0, "quality.rework_share": 0.3},
    {"quality.inspection_coverage": 0.0, "quality.drift_rate_per_month": 3.0},
    COMPLAINING,
    # no service desk: complaints close unresolved at once and cost nothing to handle
    {**COMPLAINING, "service.desk_staff": 0},
]


@pytest.fixture(
    scope="module",
    params=COQ_CASES,
    ids=["small", "defect-heavy", "full-inspection", "drifting", "complaining", "no-desk"],
)
def coq_run(request, make_config):
    config = make_config(request.param)
    return config, simulate(config, seed=28)


def test_appraisal_cost_is_inspections_plus_spc_checks(coq_run):
    config, result = coq_run
    finance = config.finance
    for row in [result.summary, *result.timeseries.to_dict("records")]:
        expected = (
            row["units_inspected"] * finance.cost_per_inspection
            + row["spc_checks"] * finance.monitoring_cost_per_check
        )
        assert row["appraisal_cost"] == expected


def test_internal_failure_cost_is_rework_plus_scrap(coq_run):
    config, result = coq_run
    finance = config.finance
    for row in [result.summary, *result.timeseries.to_dict("records")]:
        expected = row["units_reworked"] * finance.rework_cost_per_unit + row["units_scrapped"] * (
            finance.unit_cost + finance.scrap_cost_per_unit
        )
        assert row["internal_failure_cost"] == expected


def _complaints_handled(row, config) -> float:
    """Complaints closed by an agent: all closed ones if the desk is staffed, else none
    (service_desk.py: without staff a complaint closes unresolved at no cost)."""
    return row["complaints_closed"] if config.service.desk_staff > 0 else 0


def test_external_failure_cost_is_claims_and_complaint_handling(coq_run):
    config, result = coq_run
    finance = config.finance
    for row in [result.summary, *result.timeseries.to_dict("records")]:
        expected = (
            row["warranty_claims"] * finance.warranty_cost_per_claim
            + row["damage_claims"] * finance.damage_claim_cost
            + _complaints_handled(row, config) * finance.complaint_handling_cost
        )
        assert row["external_failure_cost"] == expected


@pytest.mark.parametrize("desk", [{}, {"service.desk_staff": 0}], ids=["complaining", "no-desk"])
def test_complaint_cases_exercise_the_desk(make_config, desk):
    # guard that the "complaining" and "no-desk" cases above really have complaints, and
    # that an unstaffed desk closes every one unresolved, at once
    config = make_config({**COMPLAINING, **desk})
    s = simulate(config, seed=28).summary
    assert s["complaints_filed"] > 10
    if config.service.desk_staff > 0:
        assert s["complaints_closed"] > 10
        assert s["complaints_resolved"] > 0
    else:
        assert s["complaints_closed"] == s["complaints_filed"]
        assert s["complaints_open_end"] == 0
        assert s["complaints_resolved"] == 0
        assert s["complaint_days_total"] == 0.0


def test_prevention_and_fixed_costs_are_monthly(coq_run):
    config, result = coq_run
    months = config.simulation.horizon_months
    s = result.summary
    assert s["prevention_cost"] == months * config.quality.prevention_spend_per_month
    assert s["fixed_cost"] == months * config.finance.fixed_cost_per_month


def test_production_cost_counts_units_not_scrapped(coq_run):
    config, result = coq_run
    s = result.summary
    expected = (s["units_produced"] - s["units_scrapped"]) * config.finance.unit_cost
    assert s["production_cost"] == expected


def test_revenue_is_price_times_units_shipped(coq_run):
    config, result = coq_run
    for row in [result.summary, *result.timeseries.to_dict("records")]:
        assert row["revenue"] == row["units_shipped"] * config.finance.unit_price


def test_claims_match_deliveries(coq_run, assert_binomial):
    """A damaged or defective unit is claimed on delivery with claim_probability (TARP:
    the others stay silent); units in transit are not delivered yet."""
    config, result = coq_run
    s = result.summary
    claim = config.service.claim_probability
    assert s["damage_claims"] <= s["units_damaged"]
    assert s["warranty_claims"] <= s["defective_shipped"]
    if s["units_damaged"] >= 30:
        assert_binomial(s["damage_claims"], s["units_damaged"], claim)
    defective_delivered_at_least = s["defective_shipped"] - s["in_transit_end"]
    if defective_delivered_at_least >= 30:
        assert s["warranty_claims"] >= 0.5 * claim * defective_delivered_at_least


def test_spc_checks_per_month_are_the_days_over_the_interval(make_config):
    """Interval = a quarter month (exact in binary): checks at k * interval for k >= 1; a
    check at a month boundary belongs to the month it opens, so month 0 has 3 and every
    later month 4 (the check at the horizon itself is not made)."""
    config = make_config({"quality.monitoring_interval_days": DAYS_PER_MONTH / 4.0})
    timeseries = simulate(config, seed=2).timeseries
    months = config.simulation.horizon_months
    assert list(timeseries["spc_checks"]) == [3] + [4] * (months - 1)
    cost = config.finance.monitoring_cost_per_check
    assert list(timeseries["appraisal_cost"] - timeseries["units_inspected"] * 3.0) == [
        3 * cost
    ] + [4 * cost] * (months - 1)


def test_spc_detection_and_correction_on_a_hand_worked_episode(make_config):
    """Drift at once (30 a month) and never again for long: with detection probability 1,
    checks every 2 days and correction 1 day, the first episode lasts at most 2 + 1 days
    and at least 1 day (the correction)."""
    config = make_config(
        {
            "simulation.horizon_months": 1,
            "quality.drift_rate_per_month": 30.0,
            "quality.monitoring_interval_days": 2.0,
            "quality.monitoring_detection_probability": 1.0,
            "quality.correction_time_days": 1.0,
        }
    )
    summary = simulate(config, seed=4).summary
    episodes = summary["drift_events"]
    assert episodes >= 5
    assert summary["drift_detections"] >= episodes - 1
    closed = summary["drift_detections"]
    assert closed * 1.0 <= summary["out_of_control_days"] <= episodes * 3.0


def _full_effect_from_month_0(kind: str, **effects) -> dict:
    """A free initiative whose effect is complete from the first month (ramp 1)."""
    return {
        "kind": kind,
        "name": "free",
        "start_month": 0,
        "duration_months": 1,
        "effect_delay_months": 0,
        "one_off_cost": 0.0,
        "recurring_cost_per_month": 0.0,
        "disruption": 0.0,
        **effects,
    }


def test_a_lower_drift_factor_thins_the_drift_process(make_config):
    """Drift factor 0.5 (a free process project, full effect from month 0): potential drifts
    at 2 a month, each kept with probability 0.5, so the in-control time is exponential with
    mean one month; detection at the next daily check (mean half a day, no correction).
    Episodes are a renewal process of mean cycle 30.94 days: count ~ T / cycle, variance
    about the same (exponential-dominated cycles)."""
    months = 120
    config = make_config(
        {
            "simulation.horizon_months": months,
            "market.initial_customers": 0,
            "market.prospects": 0,
            "acquisition.marketing_rate_per_year": 0.0,
            "acquisition.referral_rate_per_year": 0.0,
            "environment.competitor_churn_per_year": 0.0,
            "quality.drift_rate_per_month": 2.0,
            "quality.monitoring_interval_days": 1.0,
            "quality.monitoring_detection_probability": 1.0,
            "quality.correction_time_days": 0.0,
            "portfolio": {
                "name": "thin",
                "budget_per_year": None,
                "initiatives": [
                    _full_effect_from_month_0(
                        "process_improvement", cpk_gain=0.0, drift_rate_reduction=0.5
                    )
                ],
            },
        }
    )
    episodes = simulate(config, seed=12).summary["drift_events"]
    expected = months * DAYS_PER_MONTH / (DAYS_PER_MONTH + 0.5)
    assert abs(episodes - expected) < 4.0 * math.sqrt(expected), (episodes, expected)


def test_the_process_is_back_in_control_after_correction(make_config):
    """Cpk 1.5 in control (7 ppm) and a 3-sigma shift out of control (6.7%): with drifts
    caught within a day, about 1.6% of the time is out of control, and the defects are
    those of that share (a factor-2 margin for the production rate varying between
    episodes), far fewer than a process left out of control would make."""
    config = make_config(
        {
            "simulation.horizon_months": 12,
            "market.initial_customers": 1000,
            "environment.competitor_customers": 1000,
            "operations.reorder_point_units": 150,
            "operations.order_up_to_units": 300,
            "distribution.shipping_capacity_per_day": 80,
            "operations.process_capability_cpk": 1.5,
            "operations.design_defect_ppm": 0.0,
            "operations.human_error_probability_untrained": 0.0,
            "quality.drift_shift_sigma": 3.0,
            "quality.drift_rate_per_month": 1.0,
            "quality.monitoring_interval_days": 1.0,
            "quality.monitoring_detection_probability": 1.0,
            "quality.correction_time_days": 0.0,
        }
    )
    summary = simulate(config, seed=13).summary
    share = summary["out_of_control_share"]
    assert 0.0 < share < 0.05
    p_in = process_defect_share(1.5)
    p_out = process_defect_share(1.5, 3.0)
    expected = summary["units_produced"] * ((1.0 - share) * p_in + share * p_out)
    assert expected > 10
    low, high = stats.poisson.ppf(0.001, expected / 2.0), stats.poisson.ppf(0.999, 2.0 * expected)
    assert low <= summary["defects_produced"] <= high


def test_an_open_episode_counts_up_to_the_month_end(make_config):
    """Drift within about a day and never detected: every month after the first is out of
    control from start to end (the open episode counts at each month end)."""
    config = make_config(
        {
            "simulation.horizon_months": 4,
            "quality.drift_rate_per_month": 30.0,
            "quality.monitoring_detection_probability": 0.0,
        }
    )
    days = list(simulate(config, seed=5).timeseries["out_of_control_days"])  # per month
    assert 0.0 < days[0] < DAYS_PER_MONTH
    assert days[1:] == pytest.approx([DAYS_PER_MONTH] * 3, rel=1e-12)


# -- the components on their own: the levers they are built with are the levers they use --


def _context(overrides: dict) -> Context:
    config = Config().with_overrides(overrides)
    env = simpy.Environment()
    ledger = Ledger(env, config.simulation.horizon_months)
    return Context(env, config, RandomStreams(1), Tally(), ledger)


class _Line:
    """Stands in for production: counts the rework requests and reviews it receives."""

    def __init__(self) -> None:
        self.reworks = 0
        self.reviews = 0

    def request_rework(self) -> None:
        self.reworks += 1

    def review(self) -> None:
        self.reviews += 1


def test_inspection_uses_the_levers_it_is_built_with():
    """Full coverage and detection from the construction levers (no push), no false
    rejects, no rework: a defective unit is rejected and scrapped, a good one goes to
    stock; the costs are one inspection each and the scrapped unit's cost plus scrap."""
    context = _context({"quality.false_reject_probability": 0.0, "quality.rework_share": 0.0})
    first = replace(
        lever_schedule(context.config)[0], inspection_coverage=1.0, detection_probability=1.0
    )
    line, stocked = _Line(), []
    inspection = Inspection(context, first, line, stocked.append)  # type: ignore[arg-type]
    inspection.inspect(True)
    inspection.inspect(False)
    tally, entries, finance = context.tally, context.ledger.entries, context.config.finance
    assert stocked == [False]
    assert (tally.units_inspected, tally.units_rejected, tally.defects_detected) == (2, 1, 1)
    assert (tally.units_scrapped, line.reworks, line.reviews) == (1, 0, 1)
    assert entries[APPRAISAL][0] == 2 * finance.cost_per_inspection
    assert entries[INTERNAL_FAILURE][0] == finance.unit_cost + finance.scrap_cost_per_unit
    assert entries[PRODUCTION_COST][0] == -finance.unit_cost


def test_inspection_without_coverage_in_its_levers_stocks_every_unit():
    context = _context({"quality.inspection_coverage": 1.0})
    first = replace(lever_schedule(context.config)[0], inspection_coverage=0.0)
    line, stocked = _Line(), []
    inspection = Inspection(context, first, line, stocked.append)  # type: ignore[arg-type]
    for defective in (True, False, True):
        inspection.inspect(defective)
    assert stocked == [True, False, True]
    assert context.tally.units_inspected == 0
    assert context.ledger.entries[APPRAISAL][0] == 0.0


def test_process_control_checks_with_the_levers_it_is_built_with():
    """SPC every 10 days with detection probability 1 from the construction levers (no
    push); drifts 30 a month (mean 1 day apart), correction 1 day. Each wait for a drift is
    under 9 days (each fails with probability e^-9), so the process drifts before day 10,
    is detected then and corrected on day 11, drifts and is detected on day 20, corrected
    on 21, drifts and is detected on day 30: on day 31 three checks, three episodes, three
    detections, the third still open. Out of control all the time but the three waits."""
    context = _context({"quality.drift_rate_per_month": 30.0, "quality.correction_time_days": 1.0})
    first = replace(
        lever_schedule(context.config)[0],
        drift_rate_factor=1.0,
        monitoring_interval_days=10.0,
        monitoring_detection_probability=1.0,
    )
    control = ProcessControl(context, first)
    context.env.run(until=31.0)
    tally = context.tally
    assert (tally.spc_checks, tally.drift_events, tally.drift_detections) == (3, 3, 3)
    assert control.out_of_control
    assert 31.0 - 3 * 9.0 < control.out_of_control_days() < 31.0
    cost = context.config.finance.monitoring_cost_per_check
    assert sum(context.ledger.entries[APPRAISAL]) == 3 * cost
