"""Management's books under decision rules, on small runs with hand-derived answers: the
wages of hired operators and the prevention spend a rule sets (booked as the difference
to the configured spend, which the world books every month)."""

from __future__ import annotations

import pytest

from sqm_sim import simulate

ALWAYS = {"kpi": "units_produced", "when": "above", "threshold": 0.0}
"""A trigger that holds every month (every month makes units)."""


def test_wages_of_hires_decided_in_two_months_add_up(make_config):
    """Turnover off, 40 operators: a rule hires 25 % (10) at month 3 and another 10 at
    month 4 (information delays 2 and 3): the extra fixed cost is 10 wages in month 3 and
    20 from month 4 on, including month 4 where the hired (10) equal the hires due (10)."""
    hire = {**ALWAYS, "name": "hire", "action": "hire", "hire_share": 0.25, "delay_months": 2}
    later = {**hire, "name": "later", "delay_months": 3}
    config = make_config(
        {
            "simulation.horizon_months": 6,
            "workforce.turnover_rate_per_year": 0.0,
            "portfolio": {"name": "h", "rules": [hire, later]},
        }
    )
    assert config.workforce.operators == 40
    plain = simulate(config.with_overrides({"portfolio.rules": []}), seed=4).timeseries
    hired = simulate(config, seed=4).timeseries
    wage = config.workforce.wage_per_month
    extra = (hired["fixed_cost"] - plain["fixed_cost"]).tolist()
    assert extra == pytest.approx([0, 0, 0, 10 * wage, 20 * wage, 20 * wage])


@pytest.mark.parametrize("configured", [0.0, 500.0])
@pytest.mark.parametrize("raise_by", [1.0, 2500.0])
def test_a_rule_set_prevention_spend_is_booked_as_the_difference(make_config, configured, raise_by):
    """A rule sets the prevention spend to the configured one + r from month 2 (r = 1, a
    difference of exactly one currency unit, or 2,500), with nothing or 500 configured:
    the books show the configured spend until then and configured + r after."""
    target = configured + raise_by
    rule = {
        **ALWAYS,
        "name": "prevent",
        "action": "set",
        "lever": "quality.prevention_spend_per_month",
        "value": target,
        "for_months": 2,
    }
    config = make_config(
        {
            "simulation.horizon_months": 4,
            "quality.prevention_spend_per_month": configured,
            "portfolio": {"name": "s", "rules": [rule]},
        }
    )
    prevention = simulate(config, seed=2).timeseries["prevention_cost"].tolist()
    assert prevention == pytest.approx([configured, configured, target, target], abs=1e-9)
