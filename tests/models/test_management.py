"""Management, with hand-derived answers: its books under decision rules on small runs
(the wages of hired operators, the prevention spend a rule sets, booked as the
difference to the configured spend, which the world books every month), and its
monthly cycle built on its own with recording stand-ins (what the workforce, people and
takers are told, spend by account, schedule pressure, the improvement share used and
line speed, lines added by rules)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import simpy

from sqm_sim import Config, simulate
from sqm_sim.models.context import Context
from sqm_sim.models.initiatives import Levers, Spend, TrainingCompletion, lever_schedule
from sqm_sim.models.ledger import Ledger
from sqm_sim.models.management import Management
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.tally import Tally
from sqm_sim.models.units import DAYS_PER_MONTH

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


# -- the monthly cycle of a Management built on its own ----------------------------------
class _Workforce:
    """A workforce that records what management asks of it: ``leavers`` leave each month,
    ``operators`` work the lines at throughput factor ``throughput``."""

    def __init__(self, operators: int = 40, leavers: int = 2, throughput: float = 1.0) -> None:
        self.operators = operators
        self.leavers = leavers
        self.throughput = throughput
        self.calls: list[tuple] = []

    def month_passed(self, units_made: int, turnover_factor: float = 1.0) -> int:
        self.calls.append(("month_passed", units_made, turnover_factor))
        return self.leavers

    def hire(self, count: int) -> None:
        self.calls.append(("hire", count))

    def train(self, share: float, gap_closed: float) -> None:
        self.calls.append(("train", share, gap_closed))

    def improve(self, share_involved: float) -> float:
        self.calls.append(("improve", share_involved))
        return 0.0

    def build_capability(self, share: float) -> float:
        self.calls.append(("build", share))
        return 0.0

    def throughput_factor(self) -> float:
        return self.throughput


class _People:
    """Employee satisfaction that records its monthly inputs: turnover factor 1.5, and 3
    desk agents leave each month."""

    def __init__(self) -> None:
        self.months: list[tuple] = []

    def turnover_factor(self) -> float:
        return 1.5

    def month_passed(self) -> int:
        return 3

    def month(self, trained: float, involved: float, pressure: float, operators: int) -> None:
        self.months.append((trained, involved, pressure, operators))


class _Taker:
    def __init__(self) -> None:
        self.pushed: list[Levers] = []

    def apply_levers(self, levers: Levers) -> None:
        self.pushed.append(levers)


class _Book:
    def __init__(self) -> None:
        self.open = 0

    def backorders_open(self) -> int:
        return self.open


COURSES = (TrainingCompletion("course", 0.25, 0.5), TrainingCompletion("refresher", 0.1, 0.2))


def _schedule(config: Config) -> list[Levers]:
    """Three months: two initiatives spend 100 (m + 1) (30 appraisal) and 50 (20
    technology) in month m, two courses end in month 1, involvement 0.2 + 0.1 m."""
    return [
        replace(
            month_levers,
            spend=(
                Spend("audit", 100.0 * (month + 1), 30.0),
                Spend("upgrade", 50.0, 0.0, 20.0),
            ),
            trainings_completed=COURSES if month == 1 else (),
            share_involved=0.2 + 0.1 * month,
        )
        for month, month_levers in enumerate(lever_schedule(config)[:3])
    ]


def _context(config: Config) -> Context:
    env = simpy.Environment()
    return Context(
        env, config, RandomStreams(1), Tally(), Ledger(env, config.simulation.horizon_months)
    )


def _run_three_months(context: Context) -> None:
    """Month starts at 0, 30 and 60 days; 7 units made in month 0 and 5 in month 1."""
    env, tally = context.env, context.tally
    env.run(until=0.5)
    tally.units_produced = 7
    env.run(until=DAYS_PER_MONTH + 0.5)
    tally.units_produced = 12
    env.run(until=2 * DAYS_PER_MONTH + 0.5)


def test_each_month_start_passes_last_months_output_courses_and_involvement_on():
    """Without rules or people: from month 1 the workforce hears the units made last month
    (7, then 5) and 2 leave each month (4 departures); courses ending in month 1 train
    their shares; involvement and the unchanged improvement share (0) are passed on; every
    taker gets the month's levers; each spend is booked by account: appraisal 30,
    technology 20, prevention the rest (100 (m + 1)), the memo account the whole."""
    config = Config().with_overrides({"simulation.horizon_months": 3})
    context, schedule = _context(config), _schedule(config)
    workforce, taker = _Workforce(), _Taker()
    management = Management(context, schedule, workforce, (taker,))
    _run_three_months(context)
    assert workforce.calls == [
        ("improve", 0.2),
        ("build", 0.0),
        ("month_passed", 7, 1.0),
        ("train", 0.25, 0.5),
        ("train", 0.1, 0.2),
        ("improve", pytest.approx(0.3)),
        ("build", 0.0),
        ("month_passed", 5, 1.0),
        ("improve", pytest.approx(0.4)),
        ("build", 0.0),
    ]
    assert context.tally.staff_departures == 4
    assert all(got is sent for got, sent in zip(taker.pushed, schedule, strict=True))
    assert management.levers is schedule[2]
    books = context.ledger.entries
    assert books["appraisal_cost"] == [30.0, 30.0, 30.0]
    assert books["technology_cost"] == [20.0, 20.0, 20.0]
    assert books["prevention_cost"] == [100.0, 200.0, 300.0]
    assert books["initiative_spend"] == [150.0, 250.0, 350.0]
    assert books["fixed_cost"] == [0.0, 0.0, 0.0]


def test_with_people_on_turnover_follows_satisfaction_and_desk_leavers_count_too():
    """People on: the workforce's turnover is scaled by people's factor (1.5); each month
    2 operators and 3 desk agents leave (10 departures in months 1 and 2); people hear
    the share trained (0.25 + 0.1 in month 1), involvement, felt pressure (0, no order
    book) and the operators (40)."""
    config = Config().with_overrides({"simulation.horizon_months": 3})
    context, people, workforce = _context(config), _People(), _Workforce()
    Management(context, _schedule(config), workforce, (), None, None, people)
    _run_three_months(context)
    passed = [call for call in workforce.calls if call[0] == "month_passed"]
    assert passed == [("month_passed", 7, 1.5), ("month_passed", 5, 1.5)]
    assert context.tally.staff_departures == 10
    assert people.months == [
        (0.0, 0.2, 0.0, 40),
        (pytest.approx(0.35), pytest.approx(0.3), 0.0, 40),
        (0.0, pytest.approx(0.4), 0.0, 40),
    ]


def test_a_one_month_horizon_runs_one_month():
    config = Config().with_overrides({"simulation.horizon_months": 1})
    context = _context(config)
    workforce = _Workforce()
    Management(context, lever_schedule(config), workforce, ())
    context.env.run()
    assert workforce.calls == [("improve", 0.0), ("build", 0.0)]


def test_rules_without_the_monthly_report_are_refused(make_config):
    hire = {**ALWAYS, "name": "hire", "action": "hire", "hire_share": 0.25}
    config = make_config({"portfolio": {"name": "h", "rules": [hire]}})
    with pytest.raises(
        ValueError, match=r"^a portfolio with rules needs the monthly report \(reported=\)$"
    ):
        Management(_context(config), lever_schedule(config), _Workforce(), ())


def test_schedule_pressure_is_backorders_over_a_share_of_last_months_orders():
    """P = min(1, B / (orders last month x 2)) with full_pressure_backlog 2: 5 open with no
    orders yet -> 1; 1 order, 1 open -> 0.5; 100 orders, none open -> 0; 80 orders, 40
    open -> 0.25; 20 orders, 50 open -> 1 (capped); no orders, none open -> 0. Without
    an order book, 0."""
    config = Config().with_overrides({"workforce.full_pressure_backlog": 2.0})
    context, book = _context(config), _Book()
    management = Management(context, lever_schedule(config), _Workforce(), (), None, book)
    pressures = []
    for placed, open_ in [(0, 5), (1, 1), (101, 0), (181, 40), (201, 50), (201, 0)]:
        context.tally.orders_placed, book.open = placed, open_
        pressures.append(management._pressure())
    assert pressures == [1.0, 0.5, 0.0, 0.25, 1.0, 0.0]
    bookless = Management(_context(config), lever_schedule(config), _Workforce(), ())
    assert bookless._pressure() == 0.0


def _pressed(overrides: dict, operators: int = 40, throughput: float = 1.0):
    config = Config().with_overrides(
        {"workforce.improvement_time_share": 0.1, "workforce.full_pressure_backlog": 1.0}
        | overrides
    )
    context, book, workforce = _context(config), _Book(), _Workforce(operators, 0, throughput)
    schedule = lever_schedule(config)
    management = Management(context, schedule, workforce, (), None, book)
    return management, context, book, workforce, schedule[0]


def test_the_improvement_share_used_and_line_speed_under_pressure_by_hand():
    """Planned s = 0.1 (also before the run), response 0.5, pressure P = 0.5 (50 open,
    100 orders last month), no memory: used = 0.1 (1 - 0.25) = 0.075, built into
    capability; 50 operators at throughput 0.9 run the lines at
    50 (1 - 0.075) / (40 (1 - 0.1)) x 0.9 = 1.15625 of the configured speed."""
    management, context, book, workforce, planned = _pressed(
        {"workforce.pressure_response": 0.5}, operators=50, throughput=0.9
    )
    context.tally.orders_placed, book.open = 100, 50
    split = management._split_time(planned)
    assert management.schedule_pressure == 0.5
    assert management.felt_pressure == 0.5
    assert split.improvement_time_share == pytest.approx(0.075)
    assert split.line_speed_factor == pytest.approx(1.15625)
    assert workforce.calls == [("build", pytest.approx(0.075))]


def test_without_pressure_the_planned_share_is_kept_and_only_the_staff_moves_line_speed():
    """P = 0: the planned share 0.1 is used; 40 operators at throughput 1 leave the
    month's levers as they are (the same record); 50 operators speed the lines to 1.25."""
    management, _, _, _, planned = _pressed({"workforce.pressure_response": 1.0})
    assert management._split_time(planned) is planned
    management, _, _, _, planned = _pressed({"workforce.pressure_response": 1.0}, operators=50)
    split = management._split_time(planned)
    assert split.improvement_time_share == 0.1
    assert split.line_speed_factor == pytest.approx(1.25)


def test_felt_pressure_with_a_short_memory_starts_at_zero_and_fades_as_exp_minus_t_over_m():
    """Memory 0.5 months, response 1: no pressure at first (felt 0, share 0.1), then P = 1
    (share 0), then none: felt exp(-2), share 0.1 (1 - exp(-2))."""
    management, context, book, _, planned = _pressed(
        {"workforce.pressure_response": 1.0, "workforce.pressure_memory_months": 0.5}
    )
    shares = []
    for placed, open_ in [(100, 0), (200, 100), (300, 0)]:
        context.tally.orders_placed, book.open = placed, open_
        shares.append(management._split_time(planned).improvement_time_share)
        if placed == 100:
            assert management.felt_pressure == 0.0
    assert management.felt_pressure == pytest.approx(math.exp(-2.0))
    assert shares == pytest.approx([0.1, 0.0, 0.1 * (1 - math.exp(-2.0))])


class _Lines:
    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.added: list[float] = []

    def add_line(self) -> None:
        self.added.append(self.env.now)


def _expansion(with_capacity: bool) -> tuple[Management, Context, _Lines]:
    """Four months; two rules add a line each (cost 50,000, lead times 1 and 2 months) at
    their first review, month 1, having seen month 0's units; management adds them to
    ``_Lines``, or has no capacity to add them to."""
    rule = {**ALWAYS, "name": "expand", "action": "add_line", "line_cost": 50_000.0}
    rules = [{**rule, "lead_time_months": 1}, {**rule, "name": "again", "lead_time_months": 2}]
    config = Config().with_overrides(
        {"simulation.horizon_months": 4, "portfolio": {"name": "x", "rules": rules}}
    )
    context = _context(config)
    lines = _Lines(context.env)
    management = Management(
        context,
        lever_schedule(config),
        _Workforce(),
        (),
        lambda months: {"units_produced": [10.0] * months},
        capacity=lines if with_capacity else None,
    )
    return management, context, lines


def test_lines_decided_at_month_1_run_after_their_lead_times_paid_for_at_once():
    management, context, lines = _expansion(with_capacity=True)
    context.env.run()
    assert [decision.month for decision in management.decisions] == [1, 1]
    assert lines.added == [2 * DAYS_PER_MONTH, 3 * DAYS_PER_MONTH]
    assert management.lines_added == 2
    assert context.ledger.entries["capacity_cost"] == [0.0, 100_000.0, 0.0, 0.0]


def test_a_line_to_add_without_capacity_to_add_it_to_is_refused():
    management, context, _ = _expansion(with_capacity=False)
    with pytest.raises(
        ValueError, match=r"^a rule adds a line but management has no capacity= to add to$"
    ):
        context.env.run()
    assert management.lines_added == 0
