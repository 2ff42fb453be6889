"""Decision rules as a pure function (sqm_sim.models.rules) and what their decisions do to
the month's levers (sqm_sim.models.initiatives.course and levers): hand tables."""

from __future__ import annotations

import math

import pytest

from sqm_sim import Config
from sqm_sim.config.rules import Rule
from sqm_sim.models.initiatives import course, lever_schedule, levers, ramp
from sqm_sim.models.rules import Decision, fires, is_review_month, review


def rule(**values) -> Rule:
    """A rule on the margin (below 0), stopping initiative 'p', with overrides."""
    fields = {
        "name": "r",
        "kpi": "profit_margin",
        "when": "below",
        "threshold": 0.0,
        "action": "stop",
        "initiative": "p",
        **values,
    }
    return Rule(**fields)


def first_firing(the_rule: Rule, history: list[float]) -> int | None:
    """The first month (1 .. len(history)) at whose start the rule fires."""
    for month in range(1, len(history) + 1):
        if fires(the_rule, month, history[:month]) is not None:
            return month
    return None


NEGATIVE_FROM_3 = [0.1, 0.1, 0.1, -0.1, -0.1, -0.1, -0.1, -0.1, -0.1, -0.1, -0.1, -0.1, -0.1]


def test_persistence_needs_k_consecutive_months():
    # negative from month 3: k months are complete at the start of month 3 + k
    for k in (1, 2, 4):
        assert first_firing(rule(for_months=k), NEGATIVE_FROM_3) == 3 + k
    # a single positive month inside the window breaks the streak
    broken = [0.1, -0.1, 0.2, -0.1, -0.1, 0.0, 0.0, 0.0]
    assert first_firing(rule(for_months=2), broken) == 5
    # 0.0 is not below 0.0 (strict), so the streak after month 4 never completes again
    assert first_firing(rule(for_months=3), broken) is None


def test_information_delay_postpones_the_firing_by_exactly_the_delay():
    without = first_firing(rule(for_months=2), NEGATIVE_FROM_3)
    for delay in (1, 2, 5):
        assert first_firing(rule(for_months=2, delay_months=delay), NEGATIVE_FROM_3) == (
            without + delay
        )


def test_quarterly_and_yearly_cadence_review_only_at_their_months():
    assert [m for m in range(13) if is_review_month(rule(cadence="quarterly"), m)] == [3, 6, 9, 12]
    assert [m for m in range(25) if is_review_month(rule(cadence="yearly"), m)] == [12, 24]
    assert not is_review_month(rule(), 0)
    # monthly it would fire at 5; the next quarterly review is month 6
    assert first_firing(rule(for_months=2), NEGATIVE_FROM_3) == 5
    assert first_firing(rule(for_months=2, cadence="quarterly"), NEGATIVE_FROM_3) == 6


def test_nan_satisfies_no_condition():
    history = [-0.1, math.nan, -0.1, -0.1]
    assert first_firing(rule(for_months=2), history) == 4
    assert first_firing(rule(for_months=2, when="above", threshold=-1.0), history) == 4


def test_a_rule_fires_at_most_max_firings_times_on_fresh_months():
    the_rule = rule(for_months=2, max_firings=2)
    history = NEGATIVE_FROM_3
    decided: list[Decision] = []
    for month in range(1, len(history) + 1):
        decided.extend(review([the_rule], month, {"profit_margin": history[:month]}, decided))
    # first at 5 (saw months 3, 4), again only after two fresh months (5, 6): month 7
    assert [d.month for d in decided] == [5, 7]
    assert [d.seen_through for d in decided] == [4, 6]


def test_review_reads_each_rules_own_kpi_and_history_length():
    rules = [
        rule(name="a", kpi="on_time_rate", when="below", threshold=0.9),
        rule(name="b", kpi="defects_shipped_ppm", when="above", threshold=1000.0),
    ]
    report = {"on_time_rate": [0.95, 0.85], "defects_shipped_ppm": [500.0, 2000.0]}
    taken = review(rules, 2, report)
    assert [d.rule.name for d in taken] == ["a", "b"]
    assert review(rules, 1, {k: v[:1] for k, v in report.items()}) == ()


def test_a_value_at_the_threshold_satisfies_neither_above_nor_below():
    """Both conditions are strict: a KPI exactly at the threshold does not fire a rule."""
    at = [0.0, 0.0, 0.0]
    assert first_firing(rule(when="below"), at) is None
    assert first_firing(rule(when="above"), at) is None
    assert first_firing(rule(when="above"), [0.0, 1e-9]) == 2


def test_a_review_sees_only_the_months_reported_so_far():
    """Month 5 with three months reported (0-2) and no delay: the rule looks at months
    1-2 (the latest two it has), not at months that are not there."""
    the_rule = rule(for_months=2)
    decision = fires(the_rule, 5, [0.1, -0.1, -0.1])
    assert decision is not None
    assert decision.seen_through == 2
    assert fires(the_rule, 5, [-0.1, -0.1, 0.1]) is None


def test_a_rule_not_due_does_not_stop_the_review_of_the_rules_after_it():
    """A yearly rule listed first is skipped at month 1; the monthly rule after it fires."""
    rules = [rule(name="yearly", cadence="yearly"), rule(name="monthly")]
    taken = review(rules, 1, {"profit_margin": [-0.1]})
    assert [d.rule.name for d in taken] == ["monthly"]


# -- what decisions do to the levers ------------------------------------------------------------


def portfolio(*initiatives: dict, rules: list[dict], **overrides) -> Config:
    values = {"simulation.horizon_months": 14, **overrides}
    data = {"name": "hand", "initiatives": list(initiatives), "rules": rules}
    return Config().with_overrides({**values, "portfolio": data})


PROJECT = {
    "kind": "process_improvement",
    "name": "p",
    "start_month": 0,
    "duration_months": 4,
    "effect_delay_months": 1,
    "one_off_cost": 400.0,
    "recurring_cost_per_month": 10.0,
    "cpk_gain": 0.4,
    "drift_rate_reduction": 0.0,
}
CIRCLES = {
    "kind": "involvement",
    "name": "c",
    "start_month": 0,
    "duration_months": 4,
    "recurring_cost_per_month": 10.0,
    "share_involved": 0.8,
}


def decision(config: Config, month: int, name: str) -> Decision:
    the_rule = next(r for r in config.portfolio.rules if r.name == name)
    return Decision(month, the_rule, month - 1)


def on(initiative: str, action: str, **values) -> dict:
    return {
        "name": f"{action}_{initiative}",
        "kpi": "profit_margin",
        "when": "below",
        "threshold": 0.0,
        "action": action,
        "initiative": initiative,
        **values,
    }


def test_stop_keeps_a_built_effect_and_ends_a_running_one():
    """Stopped at the start of month 3: the project's ramp reached (2 + 1 - 1) / 4 = 0.5 in
    month 2 and stays there, its spend ends; the circles' involvement drops to the base."""
    config = portfolio(PROJECT, CIRCLES, rules=[on("p", "stop"), on("c", "stop")])
    stop = [decision(config, 3, "stop_p"), decision(config, 3, "stop_c")]
    base_cpk = config.operations.process_capability_cpk
    cpk = [levers(config, m, None, stop).process_capability_cpk - base_cpk for m in range(8)]
    assert cpk == pytest.approx([0.0, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2])
    involved = [levers(config, m, None, stop).share_involved for m in range(6)]
    assert involved == pytest.approx([0.2, 0.4, 0.6, 0.0, 0.0, 0.0])
    spend = [levers(config, m, None, stop).initiative_spend for m in range(6)]
    assert spend == pytest.approx([120.0, 120.0, 120.0, 0.0, 0.0, 0.0])


def test_a_project_cut_before_its_effect_delay_never_delivers():
    late = {**PROJECT, "effect_delay_months": 3}
    config = portfolio(late, rules=[on("p", "stop")])
    stop = [decision(config, 2, "stop_p")]
    schedule = [levers(config, m, None, stop) for m in range(14)]
    assert {m.process_capability_cpk for m in schedule} == {
        config.operations.process_capability_cpk
    }
    assert sum(m.initiative_spend for m in schedule) == pytest.approx(2 * 110.0)


def test_pause_stands_the_clock_still_and_resumes_where_it_was():
    """Paused for 3 months at month 2: no spend in months 2-4, the built share of month 1
    (0.25) held, then the ramp goes on as if started 3 months later."""
    config = portfolio(PROJECT, rules=[on("p", "pause", pause_months=3)])
    pause = [decision(config, 2, "pause_p")]
    shifted = PROJECT | {"start_month": 3}
    later = (
        Config()
        .with_overrides(
            {
                "simulation.horizon_months": 14,
                "portfolio": {"name": "x", "initiatives": [shifted]},
            }
        )
        .portfolio.initiatives[0]
    )
    share = [(levers(config, m, None, pause).process_capability_cpk - 1.0) / 0.4 for m in range(10)]
    expected = [ramp(later, m) if m >= 5 else s for m, s in enumerate([0, 0.25, 0.25, 0.25, 0.25])]
    expected += [ramp(later, m) for m in range(len(expected), 10)]
    assert share == pytest.approx(expected)
    spend = [levers(config, m, None, pause).initiative_spend for m in range(9)]
    assert spend == pytest.approx([110, 110, 0, 0, 0, 110, 110, 10, 10])


def test_start_scale_and_set():
    waiting = {**PROJECT, "name": "w", "waits_for_rule": True, "start_month": 0}
    config = portfolio(
        waiting,
        CIRCLES,
        rules=[
            on("w", "start"),
            on("c", "scale", factor=0.5),
            {
                "name": "more_inspection",
                "kpi": "defects_shipped_ppm",
                "when": "above",
                "threshold": 100.0,
                "action": "set",
                "lever": "quality.inspection_coverage",
                "value": 0.9,
            },
        ],
    )
    # without decisions the waiting project does nothing and costs nothing
    assert all(m.initiative_spend == pytest.approx(10.0) for m in lever_schedule(config))
    decided = [
        decision(config, 5, "start_w"),
        decision(config, 6, "scale_c"),
        decision(config, 7, "more_inspection"),
    ]
    month = [levers(config, m, None, decided) for m in range(10)]
    started = course(config.portfolio.initiatives[0], 5, decided)
    assert started.timing is not None
    assert started.timing.start_month == 5
    assert [m.process_capability_cpk - 1.0 for m in month] == pytest.approx(
        [0, 0, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.4]
    )
    assert [m.share_involved for m in month] == pytest.approx(
        [0.2, 0.4, 0.6] + [0.8] * 3 + [0.4] * 4
    )
    coverage = config.quality.inspection_coverage
    assert [m.inspection_coverage for m in month] == pytest.approx([coverage] * 7 + [0.9] * 3)
    # spend: the project's 100 a month over months 5-8 plus 10 running, circles halved from 6
    assert [m.initiative_spend for m in month] == pytest.approx(
        [10, 10, 10, 10, 10, 120, 115, 115, 115, 15]
    )


def test_no_decisions_give_the_schedule_bit_for_bit():
    config = portfolio(PROJECT, CIRCLES, rules=[on("p", "stop")])
    schedule = lever_schedule(config)
    assert [levers(config, m, None, ()) for m in range(14)] == list(schedule)


def test_a_project_paused_then_stopped_keeps_the_share_of_its_active_months():
    """Paused at month 1 for 2 months (idle 1-2), stopped at month 4: active in months 0
    and 3 only, so the share kept is that of two active months with delay 1 and duration
    4: (2 - 1) / 4 = 0.25, i.e. Cpk +0.1 (not the 0.75 of month 3 on the original clock)."""
    config = portfolio(PROJECT, rules=[on("p", "pause", pause_months=2), on("p", "stop")])
    decided = [decision(config, 1, "pause_p"), decision(config, 4, "stop_p")]
    base = config.operations.process_capability_cpk
    cpk = [levers(config, m, None, decided).process_capability_cpk - base for m in range(7)]
    # month 0: 0; paused: kept 0; month 3 (2nd active month): 0.25; stopped: kept 0.25
    assert cpk == pytest.approx([0.0, 0.0, 0.0, 0.1, 0.1, 0.1, 0.1])


def test_scale_factors_of_several_firings_multiply():
    """Circles (share 0.8 reached in month 3) scaled by 0.5 at month 4 and again at month
    5: involvement 0.4 in month 4, 0.2 from month 5 on; spend 10 -> 5 -> 2.5."""
    config = portfolio(CIRCLES, rules=[on("c", "scale", factor=0.5, max_firings=2)])
    decided = [decision(config, 4, "scale_c"), decision(config, 5, "scale_c")]
    month = [levers(config, m, None, decided) for m in range(7)]
    assert [m.share_involved for m in month[3:]] == pytest.approx([0.8, 0.4, 0.2, 0.2])
    assert [m.initiative_spend for m in month[3:]] == pytest.approx([10.0, 5.0, 2.5, 2.5])


def test_the_earliest_firing_month_is_the_first_review_with_a_full_window():
    """m >= for_months + delay (at least 1), rounded up to the cadence: monthly 1 + 0 -> 1,
    3 + 2 -> 5; quarterly 2 + 2 -> 6 (4 rounded up to 6), 3 + 0 -> 3; yearly 12 + 0 -> 12,
    1 + 12 -> 24 (13 rounded up). Each agrees with :func:`fires` on a report that always
    meets the condition: it does not fire one month earlier and fires then."""
    from sqm_sim.models.rules import earliest_firing_month

    cases = [
        ("monthly", 1, 0, 1),
        ("monthly", 3, 2, 5),
        ("quarterly", 2, 2, 6),
        ("quarterly", 3, 0, 3),
        ("yearly", 12, 0, 12),
        ("yearly", 1, 12, 24),
    ]
    for cadence, for_months, delay, expected in cases:
        the_rule = rule(cadence=cadence, for_months=for_months, delay_months=delay)
        assert earliest_firing_month(the_rule) == expected, (cadence, for_months, delay)
        always_negative = [-0.1] * 40
        assert first_firing(the_rule, always_negative) == expected
