"""Decision rules are validated before any run: one clear line per problem, CLI exit 2."""

from __future__ import annotations

import pytest

import sqm_sim
from sqm_sim import Config
from sqm_sim.cli import main
from sqm_sim.portfolios import shipped_portfolios, with_portfolio

PROJECT = {"kind": "process_improvement", "name": "project", "one_off_cost": 1000.0}
RULE = {
    "name": "cut",
    "kpi": "profit_margin",
    "when": "below",
    "threshold": 0.0,
    "action": "stop",
    "initiative": "project",
}


def configured(rule: dict, *initiatives: dict) -> Config:
    data = {"name": "p", "initiatives": list(initiatives or [PROJECT]), "rules": [rule]}
    return Config().with_overrides({"simulation.horizon_months": 12, "portfolio": data})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kpi": "profit_margn"}, "unknown kpi 'profit_margn'; did you mean 'profit_margin'?"),
        ({"kpi": "npv"}, "unknown kpi 'npv'"),
        ({"initiative": "projet"}, "unknown initiative 'projet'; did you mean 'project'?"),
        (
            {"kpi": "on_time_rate", "threshold": 1.2},
            "threshold 1.2 for 'on_time_rate' (unit share) is outside the values it can take",
        ),
        (
            {"kpi": "defects_shipped_ppm", "threshold": -5.0},
            "threshold -5 for 'defects_shipped_ppm' (unit ppm)",
        ),
        ({"cadence": "weekly"}, "cadence"),
        ({"for_months": 0}, "for_months"),
        ({"delay_months": -1}, "delay_months"),
        ({"action": "pause"}, "action 'pause' needs pause_months"),
        ({"factor": 2.0}, "action 'stop' does not use factor"),
        ({"action": "start"}, "starts on its own schedule; set waits_for_rule = true"),
        (
            {"action": "set", "initiative": None, "lever": "finance.unit_cost", "value": 1.0},
            "lever 'finance.unit_cost' cannot be set by a rule",
        ),
        (
            {"action": "set", "initiative": None, "lever": "finance.unit_price", "value": 0.0},
            "value 0 for finance.unit_price: a price must be > 0",
        ),
        (
            {"action": "add_line", "initiative": None, "line_cost": 1.0},
            "action 'add_line' needs lead_time_months",
        ),
        (
            {"action": "add_line", "initiative": None, "lead_time_months": 2, "line_cost": -1.0},
            "line_cost",
        ),
        (
            {
                "action": "set",
                "initiative": None,
                "lever": "quality.inspection_coverage",
                "value": 2.0,
            },
            "value 2 for quality.inspection_coverage is outside 0 <= value <= 1",
        ),
    ],
)
def test_bad_rules_are_refused_with_one_clear_line(change, message):
    rule = {k: v for k, v in {**RULE, **change}.items() if v is not None}
    with pytest.raises(sqm_sim.ConfigError, match=None) as caught:
        configured(rule)
    text = str(caught.value)
    assert message in text, text
    assert "Traceback" not in text


def test_a_waiting_initiative_needs_a_rule_and_no_start_month():
    waiting = {**PROJECT, "waits_for_rule": True}
    with pytest.raises(sqm_sim.ConfigError, match="no rule starts it"):
        configured(RULE, waiting)
    with pytest.raises(sqm_sim.ConfigError, match="leave it out"):
        configured({**RULE, "action": "start"}, {**waiting, "start_month": 3})
    assert configured({**RULE, "action": "start"}, waiting).portfolio.rules[0].action == "start"


def test_rule_names_are_unique():
    data = {"name": "p", "initiatives": [PROJECT], "rules": [RULE, RULE]}
    with pytest.raises(sqm_sim.ConfigError, match="rule names must be unique"):
        Config().with_overrides({"portfolio": data})


def test_a_scale_that_would_push_a_probability_past_one_is_refused():
    qa = {
        "kind": "qa_system",
        "name": "qa",
        "duration_months": 2,
        "inspection_coverage_gain": 0.3,
    }
    rule = {**RULE, "initiative": "qa", "action": "scale", "factor": 3.0}
    with pytest.raises(sqm_sim.ConfigError, match="with every rule fired in the first month"):
        configured(rule, qa)
    assert configured({**rule, "factor": 1.5}, qa).portfolio.rules[0].factor == 1.5


@pytest.mark.parametrize(
    ("initiative", "message"),
    [
        # design defects x (1 - 0.8 * 2) < 0 once the effect is in (duration 1: month 0)
        (
            {"kind": "redesign", "name": "r", "duration_months": 1, "design_defect_reduction": 0.8},
            r"push design defects below 0 \(-\d+\) in month 1",
        ),
        (
            {
                "kind": "process_improvement",
                "name": "r",
                "duration_months": 1,
                "cpk_gain": 0.0,
                "drift_rate_reduction": 0.8,
            },
            r"push the drift rate factor below 0 \(-0.6\) in month 1",
        ),
        (
            {"kind": "training", "name": "r", "duration_months": 1, "trained_share": 0.8},
            r"scaled training 'r' trains 1.6 of operators in month 1; a share cannot exceed 1",
        ),
        (
            {"kind": "involvement", "name": "r", "duration_months": 1, "share_involved": 0.8},
            r"scaled involvement reaches 1.6 of operators in month 1; a share cannot exceed 1",
        ),
    ],
)
def test_a_scale_that_would_push_a_reduction_or_share_past_its_range_is_refused(
    initiative, message
):
    """A scale by 2 doubles a reduction of 0.8 (the factor goes to 1 - 1.6 = -0.6) and a
    share of 0.8 (1.6 of the operators); by 1.25 they reach exactly 1, which is allowed (a
    full reduction, every operator)."""
    rule = {**RULE, "initiative": "r", "action": "scale", "factor": 2.0}
    with pytest.raises(sqm_sim.ConfigError, match=message):
        configured(rule, initiative)
    assert configured({**rule, "factor": 1.25}, initiative).portfolio.rules[0].factor == 1.25


def test_initiatives_may_take_up_to_90_percent_of_line_capacity():
    """A process improvement and a redesign in the same month, each taking 0.45 of
    capacity: 0.9 together is allowed; 0.45 + 0.46 is refused."""

    def two(second: float) -> Config:
        first = {**PROJECT, "duration_months": 1, "cpk_gain": 0.0, "disruption": 0.45}
        other = {"kind": "redesign", "name": "other", "duration_months": 1, "disruption": second}
        return Config().with_overrides({"portfolio": {"name": "d", "initiatives": [first, other]}})

    assert two(0.45).portfolio.initiatives[1].disruption == 0.45
    with pytest.raises(sqm_sim.ConfigError, match="initiatives take 91% of line capacity"):
        two(0.46)


def test_each_model_year_of_spend_is_summed_over_its_twelve_months():
    """Budget 12,500 a year: 1,000 in each month of year 1 and 5,000 in month 13 are within
    it (a 13-month window would read 17,000); 13,000 in month 13 is one problem, year 2."""
    from sqm_sim.models.initiatives import budget_problems

    portfolio = (
        Config()
        .with_overrides(
            {"portfolio": {"name": "b", "budget_per_year": 12_500.0, "initiatives": []}}
        )
        .portfolio
    )
    assert budget_problems(portfolio, [1_000.0] * 12 + [5_000.0] + [0.0] * 11) == []
    problems = budget_problems(portfolio, [1_000.0] * 12 + [13_000.0] + [0.0] * 11)
    assert problems == [
        "portfolio 'b' spends 13,000 in year 2 (months 13-24), over its budget of 12,500 per year"
    ]


def test_the_command_line_refuses_a_bad_rule_file_with_exit_2(tmp_path, capsys):
    path = tmp_path / "bad_rule.toml"
    path.write_text(
        'name = "bad"\n[[initiatives]]\nkind = "process_improvement"\nname = "project"\n'
        '[[rules]]\nname = "cut"\nkpi = "profit"\nwhen = "under"\nthreshold = 0.0\n'
        'action = "stop"\ninitiative = "project"\n'
    )
    assert main(["run", "baseline", "--portfolio", str(path)]) == 2
    err = capsys.readouterr().err
    assert "when" in err
    assert "Traceback" not in err


def test_shipped_rule_portfolios_load():
    names = {name for name, _ in shipped_portfolios()}
    assert {"cut_when_profit_falls", "improve_when_ppm_high", "hire_when_late"} <= names
    for name in ("cut_when_profit_falls", "improve_when_ppm_high", "hire_when_late"):
        config = with_portfolio(sqm_sim.load_scenario("baseline"), name)
        assert config.portfolio.rules
