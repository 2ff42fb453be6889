"""The finance ledger: money booked to accounts by calendar month.

Revenue and every cost are booked at the simulated time they occur into the month that
contains that time. Cost of quality follows the PAF model (Feigenbaum; Juran): prevention,
appraisal, internal failure (before delivery) and external failure (after delivery).
"""

from __future__ import annotations

import simpy

from .units import DAYS_PER_MONTH

REVENUE = "revenue"
PRODUCTION_COST = "production_cost"
FIXED_COST = "fixed_cost"
PREVENTION = "prevention_cost"
APPRAISAL = "appraisal_cost"
INTERNAL_FAILURE = "internal_failure_cost"
EXTERNAL_FAILURE = "external_failure_cost"
TECHNOLOGY = "technology_cost"
"""Technology investments (feature upgrades): a cost, but not a cost of quality."""
CAPACITY = "capacity_cost"
"""Capacity investments (production lines added by rules): a cost, not a cost of
quality."""
INITIATIVE_SPEND = "initiative_spend"
"""Memo account: initiative spend, already booked under prevention, appraisal or
technology."""

COQ_ACCOUNTS = (PREVENTION, APPRAISAL, INTERNAL_FAILURE, EXTERNAL_FAILURE)
COST_ACCOUNTS = (PRODUCTION_COST, FIXED_COST, TECHNOLOGY, CAPACITY, *COQ_ACCOUNTS)
ACCOUNTS = (REVENUE, *COST_ACCOUNTS, INITIATIVE_SPEND)


def monthly_discount_rate(annual_rate: float) -> float:
    """Monthly rate equivalent to an annual discount rate: (1 + d)^(1/12) - 1."""
    return (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0


def month_of(time_days: float, months: int) -> int:
    """Index (0-based) of the month containing ``time_days``, capped at the last month."""
    month = int(time_days / DAYS_PER_MONTH)
    return month if month < months else months - 1


class Ledger:
    """Money per account and month (currency units)."""

    def __init__(self, env: simpy.Environment, months: int) -> None:
        self._env = env
        self.months = months
        self.entries: dict[str, list[float]] = {account: [0.0] * months for account in ACCOUNTS}

    def book(self, account: str, amount: float) -> None:
        """Book ``amount`` to ``account`` in the current month."""
        self.entries[account][month_of(self._env._now, self.months)] += amount

    def transfer(self, source: str, target: str, amount: float) -> None:
        """Move ``amount`` booked to ``source`` into ``target`` in the current month."""
        month = month_of(self._env._now, self.months)
        self.entries[source][month] -= amount
        self.entries[target][month] += amount

    def book_every_month(self, account: str, amount: float) -> None:
        """Book a recurring monthly amount in every month of the horizon."""
        column = self.entries[account]
        for month in range(self.months):
            column[month] += amount
