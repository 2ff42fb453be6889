"""Which decision rules fire: a pure function of the rules, the month and the report.

The manager reviews at the start of a month m (m >= 1) the monthly report of the months
closed so far, ``history[kpi][j]`` for j = 0 .. m - 1 (the values the run's time series
will show, computed by :mod:`sqm_sim.run`). A rule with information delay d sees only the
months j <= m - 1 - d. It fires when

- m is one of its review months (a whole multiple of its cadence: 1, 3 or 12 months);
- it has fired fewer than ``max_firings`` times;
- its KPI was above (below) the threshold in each of the ``for_months`` latest months it
  sees, all of them later than the months it had seen when it last fired (so that one
  episode is not acted on twice); a NaN satisfies no condition.

A firing is a :class:`Decision` that applies from month m on; what it does to the levers
is computed by :func:`sqm_sim.models.initiatives.levers`. Rules are reviewed in portfolio
order; decisions taken at the same review see the same report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..config.rules import Rule


@dataclass(frozen=True, slots=True)
class Decision:
    """A rule's firing: its action applies from ``month`` (0-based) on."""

    month: int
    rule: Rule
    seen_through: int
    """the latest reported month the rule saw when it fired"""


def is_review_month(rule: Rule, month: int) -> bool:
    """Whether ``rule`` is reviewed at the start of ``month`` (never in month 0)."""
    return month >= 1 and month % rule.review_every == 0


def earliest_firing_month(rule: Rule) -> int:
    """The first month ``rule`` can fire in: its first review month m with a full window
    of reported months behind it (m - 1 - delay >= for_months - 1, i.e. m >= for_months +
    delay), whatever the report says."""
    needed = max(1, rule.for_months + rule.delay_months)
    return rule.review_every * -(-needed // rule.review_every)


def condition_holds(rule: Rule, value: float) -> bool:
    """Whether one reported value satisfies the rule's condition (NaN never does)."""
    if math.isnan(value):
        return False
    return value > rule.threshold if rule.when == "above" else value < rule.threshold


def fires(
    rule: Rule, month: int, history: Sequence[float], earlier: Sequence[Decision] = ()
) -> Decision | None:
    """The decision ``rule`` takes at the start of ``month`` given the reported values of
    its KPI for months 0 .. len(history) - 1, or ``None``. ``earlier`` are the rule's own
    earlier decisions."""
    if not is_review_month(rule, month) or len(earlier) >= rule.max_firings:
        return None
    latest = min(month - 1 - rule.delay_months, len(history) - 1)
    first = latest - rule.for_months + 1
    fresh_from = earlier[-1].seen_through + 1 if earlier else 0
    if first < max(0, fresh_from):
        return None
    if all(condition_holds(rule, history[j]) for j in range(first, latest + 1)):
        return Decision(month, rule, latest)
    return None


def review(
    rules: Sequence[Rule],
    month: int,
    history: Mapping[str, Sequence[float]],
    decided: Sequence[Decision] = (),
) -> tuple[Decision, ...]:
    """Every decision taken at the start of ``month``: the rules in order, each against the
    report ``history`` (KPI name -> monthly values) and its own decisions in ``decided``."""
    taken = []
    for rule in rules:
        if not is_review_month(rule, month):
            continue
        own = [d for d in decided if d.rule.name == rule.name]
        decision = fires(rule, month, history[rule.kpi], own)
        if decision is not None:
            taken.append(decision)
    return tuple(taken)
