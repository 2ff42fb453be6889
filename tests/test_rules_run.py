"""Decision rules in a run: a rule that never fires changes nothing, the information delay
postpones the action by exactly the delay, persistence and cadence, and each action shows
in the books (quick, small runs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sqm_sim
from sqm_sim import Config, simulate
from sqm_sim.portfolios import with_portfolio
from sqm_sim.scenarios.sizes import at_size

CIRCLES = {
    "kind": "involvement",
    "name": "circles",
    "start_month": 0,
    "duration_months": 2,
    "recurring_cost_per_month": 100.0,
    "share_involved": 0.5,
}


def stop_rule(**values) -> dict:
    return {
        "name": "stop_circles",
        "kpi": "units_produced",
        "when": "above",
        "threshold": 0.0,
        "action": "stop",
        "initiative": "circles",
        **values,
    }


def with_rules(make_config, rules: list[dict], months: int = 12) -> Config:
    portfolio = {"name": "ruled", "initiatives": [CIRCLES], "rules": rules}
    return make_config({"simulation.horizon_months": months, "portfolio": portfolio})


def first_month_without_spend(result) -> int:
    spend = result.timeseries["initiative_spend"].tolist()
    return next(month for month, amount in enumerate(spend) if amount == 0.0)


def test_a_rule_that_never_fires_gives_bit_identical_results(make_config):
    never = stop_rule(kpi="on_time_rate", when="below", threshold=0.0)
    ruled = simulate(with_rules(make_config, [never]), seed=7)
    plain = simulate(with_rules(make_config, []), seed=7)
    assert ruled.summary == plain.summary
    pd.testing.assert_frame_equal(ruled.timeseries, plain.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(ruled.customers, plain.customers, check_exact=True)


def test_persistence_delay_and_cadence_set_the_month_of_the_action(make_config):
    """units_produced > 0 holds every month, so the rule can fire at the first review m with
    m - 1 - delay >= for_months - 1: month for_months + delay (monthly), the next multiple
    of 3 (quarterly). The spend of the stopped programme is zero from that month."""
    cases = [
        ({}, 1),
        ({"for_months": 3}, 3),
        ({"delay_months": 2}, 3),
        ({"for_months": 2, "delay_months": 3}, 5),
        ({"for_months": 2, "cadence": "quarterly"}, 3),
        ({"for_months": 2, "delay_months": 2, "cadence": "quarterly"}, 6),
    ]
    for values, month in cases:
        result = simulate(with_rules(make_config, [stop_rule(**values)]), seed=11)
        assert first_month_without_spend(result) == month, values


def test_the_information_delay_postpones_a_stochastic_trigger_by_exactly_the_delay():
    """On the quick baseline the margin's path is the same until the rule acts (common
    random numbers), so a delay of d months moves the action d months later."""
    base = at_size(
        with_portfolio(sqm_sim.load_scenario("baseline"), "cut_when_profit_falls"), "quick"
    )
    months = []
    for delay in (0, 1, 3):
        config = base.with_overrides({"portfolio.rules": [_cut_rule(base, delay)]})
        spend = simulate(config, seed=5).timeseries["initiative_spend"].tolist()
        months.append(next(m for m, amount in enumerate(spend) if amount == 0.0))
    assert months[1] == months[0] + 1
    assert months[2] == months[0] + 3
    assert months[0] < 6  # the cut comes during the project (before its last month)


def _cut_rule(config: Config, delay: int) -> dict:
    rule = config.portfolio.rules[0].model_dump(exclude_none=True)
    return {**rule, "delay_months": delay}


def test_hiring_adds_new_hires_and_their_wages(make_config):
    hire = {
        "name": "hire",
        "kpi": "units_produced",
        "when": "above",
        "threshold": 0.0,
        "action": "hire",
        "hire_share": 0.25,
        "delay_months": 2,
    }
    config = make_config(
        {
            "simulation.horizon_months": 6,
            "workforce.turnover_rate_per_year": 0.0,
            "portfolio": {
                "name": "h",
                "rules": [hire, {**hire, "name": "few", "hire_share": 0.01}],
            },
        }
    )
    plain = simulate(config.with_overrides({"portfolio.rules": []}), seed=4).timeseries
    hired = simulate(config, seed=4).timeseries
    # 25 % of 40 operators = 10 hires at month 3, plus at least one for the second rule
    # (1 % of 40 rounds to 0), each costing the wage every month
    wage = config.workforce.wage_per_month
    extra = (hired["fixed_cost"] - plain["fixed_cost"]).tolist()
    assert extra == pytest.approx([0, 0, 0, 11 * wage, 11 * wage, 11 * wage])
    assert (hired["average_skill"].iloc[:3] == plain["average_skill"].iloc[:3]).all()
    assert hired["average_skill"].iloc[3] < plain["average_skill"].iloc[3]


def test_a_set_prevention_spend_is_booked_from_the_decision_on(make_config):
    raise_spend = {
        "name": "prevent",
        "kpi": "units_produced",
        "when": "above",
        "threshold": 0.0,
        "action": "set",
        "lever": "quality.prevention_spend_per_month",
        "value": 9000.0,
        "for_months": 2,
    }
    config = make_config(
        {"simulation.horizon_months": 5, "portfolio": {"name": "s", "rules": [raise_spend]}}
    )
    prevention = simulate(config, seed=2).timeseries["prevention_cost"].tolist()
    base = config.quality.prevention_spend_per_month
    assert prevention == pytest.approx([base, base, 9000.0, 9000.0, 9000.0])


def test_the_shipped_cut_rule_stops_the_project_before_it_delivers():
    """cut_when_profit_falls on the quick baseline: the margin is negative in the dip, the
    project is stopped before its effect arrives, and the defect chance never falls."""
    config = at_size(
        with_portfolio(sqm_sim.load_scenario("baseline"), "cut_when_profit_falls"), "quick"
    )
    uncut = config.with_overrides({"portfolio.rules": []})
    cut_run, uncut_run = simulate(config, seed=1), simulate(uncut, seed=1)
    spent = cut_run.summary["initiative_spend"]
    assert 0.0 < spent < uncut_run.summary["initiative_spend"]
    project = config.portfolio.initiatives[0]
    cut_month = first_month_without_spend(cut_run)
    assert cut_month <= project.start_month + project.effect_delay_months
    none = simulate(config.with_overrides({"portfolio": {"name": "none"}}), seed=1)
    # same defect chance as doing nothing: nothing was built
    assert cut_run.timeseries["defect_probability"].iloc[-1] == pytest.approx(
        none.timeseries["defect_probability"].iloc[-1], rel=0.05
    )
    assert uncut_run.timeseries["defect_probability"].iloc[-1] < (
        0.9 * none.timeseries["defect_probability"].iloc[-1]
    )


def test_the_summary_reports_the_terminal_state(make_config):
    """Capability, skill, improvement time, pressure, operators and backlog at the horizon
    are summary keys, equal to the last month's levels."""
    hire = {
        "name": "hire",
        "kpi": "units_produced",
        "when": "above",
        "threshold": 0.0,
        "action": "hire",
        "hire_share": 0.1,
    }
    config = make_config(
        {
            "workforce.improvement_time_share": 0.1,
            "workforce.improvement_time_share_before": 0.05,
            "portfolio": {"name": "h", "rules": [hire]},
        }
    )
    result = simulate(config, seed=8)
    last = result.timeseries.iloc[-1]
    for level in (
        "capability",
        "average_skill",
        "improvement_time_share",
        "schedule_pressure",
        "operators",
        "backorders_open",
    ):
        assert result.summary[f"{level}_end"] == last[level], level
    assert result.summary["operators_end"] == config.workforce.operators + 4
    steady_before = 5.0 * 0.05 / (5.0 * 0.05 + 0.5)
    assert result.summary["capability_end"] > steady_before  # more time, more capability


def test_improvement_is_forgotten_at_its_rate_once_the_circles_are_cut():
    """Quality circles run until the improvement factor F first falls below 0.6, when a
    rule (no delay, monthly review) stops them: management declares victory. While the
    circles run F never rises; from the month after the crossing nobody is involved, so
    the gap 1 - F shrinks by exp(-phi / 12) a month (phi = the forgetting rate per year):
    1 - F(s - 1 + k) = (1 - F(s - 1)) exp(-phi k / 12) for k = 1, 2, ... Without the rule F
    keeps falling toward its floor, so the cut firm ends with the higher factor."""
    threshold = 0.6
    victory = stop_rule(kpi="improvement_factor", when="below", threshold=threshold)
    config = at_size(sqm_sim.load_scenario("baseline"), "quick").with_overrides(
        {
            "simulation.horizon_months": 36,
            "portfolio": {"name": "cut", "initiatives": [CIRCLES], "rules": [victory]},
        }
    )
    factor = simulate(config, seed=3).timeseries["improvement_factor"].to_numpy()
    crossed = int(np.argmax(factor < threshold))
    assert 0 < crossed < 24  # the rule had time to act
    assert factor[crossed] < threshold
    running, after = factor[: crossed + 1], factor[crossed:]
    assert (np.diff(running) <= 0.0).all()
    phi = config.involvement.forgetting_rate_per_year
    k = np.arange(len(after))
    assert 1.0 - after == pytest.approx((1.0 - after[0]) * np.exp(-phi * k / 12.0), rel=1e-9)

    kept = simulate(config.with_overrides({"portfolio.rules": []}), seed=3).timeseries
    floor = config.involvement.improvement_floor
    assert floor <= kept["improvement_factor"].iloc[-1] < after[0] < after[-1]
