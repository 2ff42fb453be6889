"""The levers of a month as a pure function: hand-written tables of ramp, delay, each
kind's effect, spend per cost account and capacity loss (sqm_sim.models.initiatives)."""

from __future__ import annotations

import math

import pytest

import sqm_sim
from sqm_sim import Config
from sqm_sim.models.initiatives import (
    MAX_CAPACITY_LOSS,
    lever_schedule,
    levers,
    portfolio_problems,
    ramp,
    spend_by_month,
)
from sqm_sim.models.units import DAYS_PER_MONTH


def with_portfolio(*initiatives: dict, budget: float | None = None, **overrides) -> Config:
    """The default config (12 months unless overridden) running ``initiatives``."""
    values = {"simulation.horizon_months": 12, **overrides}
    portfolio = {"name": "hand", "budget_per_year": budget, "initiatives": list(initiatives)}
    return Config().with_overrides({**values, "portfolio": portfolio})


def timing(**values) -> dict:
    """Start in month 2, effect one month after the start, ramped in over four months."""
    return {
        "start_month": 2,
        "effect_delay_months": 1,
        "duration_months": 4,
        "one_off_cost": 0.0,
        **values,
    }


# ramp(m) = clip((m + 1 - 2 - 1) / 4, 0, 1) for months 0..8
RAMP_TABLE = [0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0]


def test_ramp_table_start_delay_and_end():
    config = with_portfolio({"kind": "process_improvement", "name": "p", **timing()})
    initiative = config.portfolio.initiatives[0]
    assert [ramp(initiative, month) for month in range(9)] == RAMP_TABLE


def test_ramp_without_delay_starts_in_the_start_month():
    config = with_portfolio(
        {"kind": "process_improvement", "name": "p", **timing(effect_delay_months=0)}
    )
    initiative = config.portfolio.initiatives[0]
    assert [ramp(initiative, month) for month in range(7)] == [0, 0, 0.25, 0.5, 0.75, 1, 1]


def test_process_improvement_adds_capability_and_multiplies_drift():
    config = with_portfolio(
        {
            "kind": "process_improvement",
            "name": "p",
            **timing(cpk_gain=0.4, drift_rate_reduction=0.6),
        }
    )
    base_cpk = config.operations.process_capability_cpk
    for month, share in enumerate(RAMP_TABLE):
        month_levers = levers(config, month)
        assert month_levers.process_capability_cpk == pytest.approx(base_cpk + 0.4 * share)
        assert month_levers.drift_rate_factor == pytest.approx(1.0 - 0.6 * share)


def test_qa_system_adds_probabilities_and_scales_the_spc_interval():
    config = with_portfolio(
        {
            "kind": "qa_system",
            "name": "qa",
            **timing(
                inspection_coverage_gain=0.4,
                detection_gain=0.1,
                monitoring_detection_gain=0.3,
                monitoring_interval_factor=0.25,
            ),
        }
    )
    quality = config.quality
    for month, share in enumerate(RAMP_TABLE):
        month_levers = levers(config, month)
        assert month_levers.inspection_coverage == pytest.approx(
            quality.inspection_coverage + 0.4 * share
        )
        assert month_levers.detection_probability == pytest.approx(
            quality.detection_probability + 0.1 * share
        )
        assert month_levers.monitoring_detection_probability == pytest.approx(
            quality.monitoring_detection_probability + 0.3 * share
        )
        assert month_levers.monitoring_interval_days == pytest.approx(
            quality.monitoring_interval_days * 0.25**share
        )
    # at the end of the ramp the interval is a quarter of the base: 7 days -> 1.75 days
    assert levers(config, 6).monitoring_interval_days == pytest.approx(
        quality.monitoring_interval_days / 4
    )


def test_redesign_cuts_design_defects_and_raises_the_feature_level():
    config = with_portfolio(
        {
            "kind": "redesign",
            "name": "r",
            **timing(design_defect_reduction=0.5, feature_level_gain=0.2),
        }
    )
    ppm, feature = config.operations.design_defect_ppm, config.product.feature_level
    for month, share in enumerate(RAMP_TABLE):
        month_levers = levers(config, month)
        assert month_levers.design_defect_ppm == pytest.approx(ppm * (1.0 - 0.5 * share))
        assert month_levers.feature_level == pytest.approx(feature + 0.2 * share)


def test_customer_service_adds_recovery_and_scales_handling_time():
    config = with_portfolio(
        {
            "kind": "customer_service",
            "name": "cs",
            **timing(recovery_quality_gain=0.2, handling_time_factor=0.5),
        }
    )
    for month, share in enumerate(RAMP_TABLE):
        month_levers = levers(config, month)
        assert month_levers.recovery_quality == pytest.approx(
            config.service.recovery_quality + 0.2 * share
        )
        assert month_levers.handling_time_factor == pytest.approx(0.5**share)


def test_involvement_is_the_largest_of_base_and_programmes():
    config = with_portfolio(
        {"kind": "involvement", "name": "i", **timing(share_involved=0.8)},
        **{"involvement.share_involved": 0.3},
    )
    # 0.8 * ramp: 0, 0, 0, 0.2, 0.4, 0.6, 0.8 -> max with the base 0.3
    expected = [0.3, 0.3, 0.3, 0.3, 0.4, 0.6, 0.8, 0.8, 0.8]
    got = [levers(config, month).share_involved for month in range(9)]
    assert got == pytest.approx(expected)


def test_technology_compounds_the_feature_level_month_by_month():
    config = with_portfolio(
        {"kind": "technology", "name": "t", **timing(feature_growth_per_year=0.12)}
    )
    multiplier = 1.0
    schedule = lever_schedule(config)
    for month, share in enumerate(RAMP_TABLE):
        multiplier *= (1.0 + 0.12 * share) ** (1.0 / 12.0)
        assert schedule[month].technology_multiplier == pytest.approx(multiplier)
        assert schedule[month].feature_level == pytest.approx(
            config.product.feature_level * multiplier
        )
    # levers(config, m) without the previous record compounds from month 0 itself
    assert levers(config, 8) == schedule[8]


def test_spend_per_month_and_account():
    config = with_portfolio(
        {
            "kind": "qa_system",
            "name": "qa",
            **timing(one_off_cost=12_000.0, recurring_cost_per_month=500.0, appraisal_share=0.25),
        },
        {"kind": "process_improvement", "name": "p", **timing(start_month=0, one_off_cost=600.0)},
    )
    # qa: 12,000 over months 2-5 = 3,000 a month, plus 500 a month from month 2 on
    qa = [0, 0, 3500, 3500, 3500, 3500, 500, 500, 500, 500, 500, 500]
    # p: 600 over months 0-3
    project = [150, 150, 150, 150, 0, 0, 0, 0, 0, 0, 0, 0]
    assert spend_by_month(config, "qa") == pytest.approx(qa)
    assert spend_by_month(config, "p") == pytest.approx(project)
    assert spend_by_month(config) == pytest.approx(
        [a + b for a, b in zip(qa, project, strict=True)]
    )
    for month_levers in lever_schedule(config):
        by_name = {item.initiative: item for item in month_levers.spend}
        month = month_levers.month
        if qa[month]:
            assert by_name["qa"].appraisal == pytest.approx(0.25 * qa[month])
            assert by_name["qa"].prevention == pytest.approx(0.75 * qa[month])
        if project[month]:
            assert by_name["p"].appraisal == 0.0
            assert by_name["p"].prevention == pytest.approx(project[month])
        assert set(by_name) == {name for name, row in (("qa", qa), ("p", project)) if row[month]}


def test_training_spend_capacity_and_completions():
    config = with_portfolio(
        {
            "kind": "training",
            "name": "t",
            "start_month": 1,
            "duration_months": 2,
            "effect_delay_months": 1,
            "one_off_cost": 1_000.0,
            "trained_share": 0.5,
            "hours_per_trainee": 32.0,
            "cost_per_trainee_hour": 10.0,
            "repeat_every_months": 6,
            "disruption": 0.05,
            "skill_gap_closed": 0.4,
        }
    )
    operators, hours = config.workforce.operators, config.workforce.hours_per_month
    session = 1_000.0 + operators * 0.5 * 32.0 * 10.0
    # sessions in months 1-2 and 7-8
    running = [m in (1, 2, 7, 8) for m in range(12)]
    assert spend_by_month(config) == pytest.approx([session / 2 if r else 0.0 for r in running])
    loss = 0.05 + 0.5 * 32.0 / (2 * hours)
    schedule = lever_schedule(config)
    assert [m.capacity_loss for m in schedule] == pytest.approx(
        [loss if r else 0.0 for r in running]
    )
    # trainees gain skill at the start of month start + duration + delay: 4 and 10
    completed = [m.month for m in schedule if m.trainings_completed]
    assert completed == [4, 10]
    assert schedule[4].trainings_completed[0].trained_share == 0.5
    assert schedule[4].trainings_completed[0].skill_gap_closed == 0.4


def training(**values) -> dict:
    """A training programme costing 1,000 a session (no trainee hours), disruption 0.1."""
    return {
        "kind": "training",
        "name": "t",
        "start_month": 0,
        "effect_delay_months": 0,
        "one_off_cost": 1_000.0,
        "trained_share": 0.5,
        "hours_per_trainee": 0.0,
        "cost_per_trainee_hour": 0.0,
        "disruption": 0.1,
        **values,
    }


@pytest.mark.parametrize(
    ("repeat", "duration", "sessions_running", "completions"),
    [
        # one session (repeat 0): months 1-2, trainees gain skill at 1 + 2 = 3
        (0, 2, [0, 1, 1, 0, 0, 0, 0, 0], [3]),
        # a session every month, each one month long: one running each month from 1
        (1, 1, [0, 1, 1, 1, 1, 1, 1, 1], [2, 3, 4, 5, 6, 7]),
        # sessions of 3 months every 2 months from month 1 overlap: two at once in 3, 5, 7
        (2, 3, [0, 1, 1, 2, 1, 2, 1, 2], [4, 6]),
    ],
)
def test_training_sessions_recur_and_overlapping_sessions_add_up(
    repeat, duration, sessions_running, completions
):
    """Each running session spends 1,000 / duration a month and takes 0.1 of capacity."""
    config = with_portfolio(
        training(start_month=1, duration_months=duration, repeat_every_months=repeat),
        **{"simulation.horizon_months": 8},
    )
    schedule = lever_schedule(config)
    assert [m.initiative_spend for m in schedule] == pytest.approx(
        [n * 1_000.0 / duration for n in sessions_running]
    )
    assert [m.capacity_loss for m in schedule] == pytest.approx([n * 0.1 for n in sessions_running])
    assert [m.month for m in schedule if m.trainings_completed] == completions


def test_no_portfolio_gives_the_configured_settings_every_month():
    config = Config().with_overrides({"simulation.horizon_months": 3})
    for month_levers in lever_schedule(config):
        assert month_levers.process_capability_cpk == config.operations.process_capability_cpk
        assert month_levers.monitoring_interval_days == config.quality.monitoring_interval_days
        assert month_levers.drift_rate_factor == 1.0
        assert month_levers.spend == ()
        assert month_levers.capacity_loss == 0.0


def test_month_outside_the_horizon_and_a_wrong_previous_record_are_refused():
    config = Config().with_overrides({"simulation.horizon_months": 3})
    with pytest.raises(ValueError, match="month = 3"):
        levers(config, 3)
    with pytest.raises(ValueError, match="previous record is for month 0"):
        levers(config, 2, levers(config, 0))


def test_validation_reads_the_same_levers():
    near_one = {"quality.inspection_coverage": 0.9}
    config = with_portfolio(
        {"kind": "qa_system", "name": "qa", **timing(inspection_coverage_gain=0.1)},
        **near_one,
    )
    assert portfolio_problems(config) == []
    with pytest.raises(sqm_sim.ConfigError, match=r"reaches 1\.1 in month 6"):
        with_portfolio(
            {"kind": "qa_system", "name": "qa", **timing(inspection_coverage_gain=0.2)},
            **near_one,
        )
    with pytest.raises(sqm_sim.ConfigError, match="spends 14,000 in year 1"):
        with_portfolio(
            {"kind": "process_improvement", "name": "p", **timing(one_off_cost=14_000.0)},
            budget=13_000.0,
        )
    with pytest.raises(sqm_sim.ConfigError, match=f"at most {MAX_CAPACITY_LOSS:.0%}"):
        with_portfolio(
            {"kind": "process_improvement", "name": "p", **timing(disruption=0.5)},
            {"kind": "redesign", "name": "r", **timing(start_month=3, disruption=0.45)},
        )


# -- the levers reach the components ---------------------------------------------------------
SMALL = {
    "market.initial_customers": 200,
    "market.prospects": 600,
    "environment.competitor_customers": 200,
    "quality.drift_rate_per_month": 0.0,
}


def test_spc_interval_lever_sets_the_number_of_checks_each_month():
    """The interval in force applies from the next check on: in month m the first check
    comes within the previous interval I(m-1) of the month start, then one every I(m), so
    1 + floor((L - I(m-1)) / I(m)) <= checks <= 1 + floor(L / I(m)) for a month of L days.
    Fails if the effect delay or the QA system's interval factor is ignored."""
    config = with_portfolio(
        {
            "kind": "qa_system",
            "name": "qa",
            **timing(monitoring_interval_factor=0.25),
        },
        **SMALL,
    )
    checks = sqm_sim.simulate(config, 1).timeseries["spc_checks"].to_numpy()
    schedule = lever_schedule(config)
    for month_levers in schedule[1:]:
        month = month_levers.month
        interval = month_levers.monitoring_interval_days
        previous = schedule[month - 1].monitoring_interval_days
        fewest = 1 + math.floor((DAYS_PER_MONTH - previous) / interval)
        most = 1 + math.floor(DAYS_PER_MONTH / interval)
        assert fewest <= checks[month] <= most, (month, checks[month], fewest, most)
    # before the effect arrives: 30.44 / 7 = 4.3 checks; at full effect 30.44 / 1.75 = 17.4
    assert checks[:3].max() <= math.ceil(DAYS_PER_MONTH / 7.0)
    assert checks[6:].min() >= math.floor(DAYS_PER_MONTH / 1.75)


def test_spend_is_booked_month_by_month_as_the_levers_say():
    config = with_portfolio(
        {
            "kind": "qa_system",
            "name": "qa",
            **timing(one_off_cost=12_000.0, recurring_cost_per_month=500.0, appraisal_share=0.25),
        },
        **SMALL,
    )
    series = sqm_sim.simulate(config, 2).timeseries
    planned = spend_by_month(config)
    assert series["initiative_spend"].tolist() == pytest.approx(planned)
    assert series["prevention_cost"].tolist() == pytest.approx([0.75 * s for s in planned])


def test_technology_spend_is_technology_cost_not_prevention():
    """A technology investment (600 over months 2-5, 100 a month from month 2) is booked as
    technology cost, outside the cost of quality; a process project as prevention."""
    config = with_portfolio(
        {
            "kind": "technology",
            "name": "t",
            **timing(one_off_cost=600.0, recurring_cost_per_month=100.0),
        },
        {"kind": "process_improvement", "name": "p", **timing(one_off_cost=400.0)},
        **SMALL,
    )
    technology = [0, 0, 250, 250, 250, 250, 100, 100, 100, 100, 100, 100]
    project = [0, 0, 100, 100, 100, 100, 0, 0, 0, 0, 0, 0]
    for month_levers in lever_schedule(config):
        by_name = {item.initiative: item for item in month_levers.spend}
        month = month_levers.month
        if technology[month]:
            assert by_name["t"].technology == pytest.approx(technology[month])
            assert by_name["t"].prevention == 0.0
        if project[month]:
            assert by_name["p"].technology == 0.0
    series = sqm_sim.simulate(config, 3).timeseries
    assert series["technology_cost"].tolist() == pytest.approx(technology)
    assert series["prevention_cost"].tolist() == pytest.approx(project)
    assert series["initiative_spend"].tolist() == pytest.approx(
        [a + b for a, b in zip(technology, project, strict=True)]
    )


def test_prevention_capability_follows_the_spend_with_its_time_constant():
    """From nothing before, 1,000 a month with a 2-month time constant: the capability
    during month m is 1,000 (1 - exp(-(m + 1) / 2)): 393.5, 632.1, 776.9, ...; with a time
    constant of 0 it is the spend at once; starting from 3,000 before it decays toward
    1,000 the same way."""
    config = with_portfolio(
        **{
            "quality.prevention_spend_per_month": 1000.0,
            "quality.prevention_build_months": 2.0,
        }
    )
    built = [month.prevention_capability for month in lever_schedule(config)]
    expected = [1000.0 * (1.0 - math.exp(-(m + 1) / 2.0)) for m in range(12)]
    assert built == pytest.approx(expected, rel=1e-12)
    assert built[:3] == pytest.approx([393.469, 632.121, 776.870], abs=1e-3)
    instant = with_portfolio(
        **{
            "quality.prevention_spend_per_month": 1000.0,
            "quality.prevention_build_months": 0.0,
        }
    )
    assert [m.prevention_capability for m in lever_schedule(instant)] == [1000.0] * 12
    cut = with_portfolio(
        **{
            "quality.prevention_spend_per_month": 1000.0,
            "quality.prevention_spend_before_per_month": 3000.0,
            "quality.prevention_build_months": 2.0,
        }
    )
    decayed = [m.prevention_capability for m in lever_schedule(cut)]
    assert decayed == pytest.approx(
        [1000.0 + 2000.0 * math.exp(-(m + 1) / 2.0) for m in range(12)], rel=1e-12
    )


def test_the_defect_chance_follows_the_prevention_capability_not_the_spend():
    """Month by month, the simulated in-control defect probability uses the prevention
    factor of the month's capability (everything else fixed)."""
    from sqm_sim.models.operations import defect_probability, prevention_factor

    config = with_portfolio(
        **SMALL,
        **{
            "quality.prevention_spend_per_month": 2500.0,
            "quality.prevention_build_months": 3.0,
            "workforce.learning_rate": 1.0,
            "workforce.turnover_rate_per_year": 0.0,
        },
    )
    series = sqm_sim.simulate(config, 4).timeseries
    ops = config.operations
    for month_levers, row in zip(lever_schedule(config), series.to_dict("records"), strict=True):
        expected = defect_probability(
            ops.design_defect_ppm,
            ops.process_capability_cpk,
            0.0,
            ops.human_error_probability_untrained,
            row["average_skill"],
            prevention_factor(config.quality, month_levers.prevention_capability),
        )
        assert row["defect_probability"] == pytest.approx(expected, rel=1e-12)
    assert series["defect_probability"].iloc[0] > series["defect_probability"].iloc[-1]


def test_each_model_year_is_checked_against_the_budget():
    """Two years, spend only in the second (14,000 over months 12-15) against 13,000 a
    year: year 2 is over budget, year 1 is not."""
    over = {"kind": "process_improvement", "name": "p", **timing(one_off_cost=14_000.0)}
    over["start_month"] = 12
    with pytest.raises(sqm_sim.ConfigError, match=r"spends 14,000 in year 2 \(months 13-24\)"):
        with_portfolio(over, budget=13_000.0, **{"simulation.horizon_months": 24})
