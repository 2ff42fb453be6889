"""Sequential replication: add replications until a KPI's confidence interval is narrow enough.

The rule (the relative-precision procedure of Law & Kelton, *Simulation Modeling and
Analysis*, section 9.4.1): start with ``initial`` replications; while the t interval of the
chosen KPI has ``half_width / |mean|`` above ``relative_precision`` in any cell, add
``batch`` replications (the same new seeds in every cell, so comparisons stay on common
random numbers), never going past ``max_replications``. Law & Kelton advise at least 10
initial replications, so that an unlucky small variance estimate does not stop the
procedure too early. With a target ``g`` on ``half_width / |mean|``, the relative error of
the mean is at most ``g / (1 - g)`` with (approximately) the interval's confidence.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .intervals import Interval, check_confidence, t_interval


@dataclass(frozen=True)
class SequentialRule:
    """When to stop adding replications.

    ``kpi``: summary KPI whose interval is watched; ``relative_precision``: target on
    ``half_width / |mean|`` (e.g. 0.05 = within 5 % of the mean); ``initial``: replications
    before the first check (>= 2); ``batch``: replications added per step (>= 1);
    ``max_replications``: the cap; ``confidence``: interval level.
    """

    kpi: str
    relative_precision: float
    initial: int = 10
    batch: int = 5
    max_replications: int = 100
    confidence: float = 0.95

    def __post_init__(self) -> None:
        problems = []
        if not self.relative_precision > 0.0:
            problems.append(f"relative_precision = {self.relative_precision}: must be > 0")
        if self.initial < 2:
            problems.append(f"initial = {self.initial}: at least 2 replications are needed")
        if self.batch < 1:
            problems.append(f"batch = {self.batch}: must be at least 1")
        if self.max_replications < self.initial:
            problems.append(
                f"max_replications = {self.max_replications}: must be at least initial "
                f"({self.initial})"
            )
        if problems:
            raise ValueError("; ".join(problems))
        check_confidence(self.confidence)


@dataclass
class SequentialOutcome:
    """Where the procedure stopped.

    ``replications``: replications per cell at the stop; ``reached``: whether every cell met
    the target; ``intervals``: the watched KPI's interval per cell at the stop; ``history``:
    one row per check (replications, worst relative half-width, the cell it belongs to).
    """

    replications: int
    reached: bool
    intervals: dict[str, Interval]
    history: list[dict[str, float | int | str]] = field(default_factory=list)


def _worst(intervals: Mapping[str, Interval]) -> tuple[str, float]:
    worst_cell, worst = "", -math.inf
    for cell, interval in intervals.items():
        precision = interval.relative_half_width
        if math.isnan(precision):
            precision = math.inf
        if precision > worst:
            worst_cell, worst = cell, precision
    return worst_cell, worst


def run_sequential(
    evaluate: Callable[[int], Mapping[str, Sequence[float]]], rule: SequentialRule
) -> SequentialOutcome:
    """Apply ``rule``: ``evaluate(n)`` returns, per cell, the KPI values of replications
    ``0 .. n-1`` (it may reuse earlier replications; only the new ones need running)."""
    replications = rule.initial
    history: list[dict[str, float | int | str]] = []
    while True:
        values = evaluate(replications)
        if not values:
            raise ValueError("sequential replication needs at least one cell")
        intervals = {cell: t_interval(v, rule.confidence) for cell, v in values.items()}
        cell, worst = _worst(intervals)
        history.append(
            {"replications": replications, "worst_relative_half_width": worst, "cell": cell}
        )
        if worst <= rule.relative_precision:
            return SequentialOutcome(replications, True, intervals, history)
        if replications >= rule.max_replications:
            return SequentialOutcome(replications, False, intervals, history)
        replications = min(replications + rule.batch, rule.max_replications)
