"""The decisions a run's rules took, as a table (one row per firing)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..models.rules import Decision

DECISION_COLUMNS = (
    "month",
    "rule",
    "kpi",
    "condition",
    "seen_through",
    "action",
    "target",
    "amount",
)
"""Columns of the decisions table: the month (0-based) the action applies from, the rule,
the KPI it watched and its condition, the latest reported month it saw (month - 1 - its
information delay), the action, what it acts on (an initiative, a lever, the operators
or the lines) and how much (scale factor, lever value, hire share, pause months, line
cost; NaN for start and stop)."""


def _target_and_amount(decision: Decision) -> tuple[str, float]:
    rule = decision.rule
    action = rule.action
    if action == "set":
        return str(rule.lever), float(rule.value)  # type: ignore[arg-type]
    if action == "hire":
        return "operators", float(rule.hire_share)  # type: ignore[arg-type]
    if action == "add_line":
        return "production_lines", float(rule.line_cost)  # type: ignore[arg-type]
    amount = {"scale": rule.factor, "pause": rule.pause_months}.get(action)
    return str(rule.initiative), float("nan") if amount is None else float(amount)


def decision_table(decisions: Sequence[Decision]) -> pd.DataFrame:
    """One row per decision, in the order taken (empty, with the columns, if none)."""
    rows = []
    for decision in decisions:
        rule = decision.rule
        target, amount = _target_and_amount(decision)
        condition = (
            f"{'>' if rule.when == 'above' else '<'} {rule.threshold:g} for {rule.for_months}"
        )
        rows.append(
            (
                decision.month,
                rule.name,
                rule.kpi,
                condition,
                decision.seen_through,
                rule.action,
                target,
                amount,
            )
        )
    return pd.DataFrame(rows, columns=list(DECISION_COLUMNS))
