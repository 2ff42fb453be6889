"""The monthly report a manager reads during a run (decision rules watch it).

At the start of month m the months 0 .. m - 1 are closed; :class:`MonthlyReport` adds the
row of each newly closed month from the collector's samples and the ledger, with the
catalogue's lists and the ratio arithmetic of :mod:`sqm_sim.run.kpis`, so that each value
is the one the run's final time series shows for that month under monthly reporting
(``tests/run/test_reported.py`` checks every column). Computing only the new row keeps a
run with rules about as fast as one without (rebuilding the whole time series every
month would cost about 40 ms a month).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..config import Config
from ..config.rules import rule_kpis
from ..models.ledger import ACCOUNTS, COQ_ACCOUNTS, COST_ACCOUNTS
from ..models.units import DAYS_PER_MONTH
from .kpis import (
    CLV_INPUTS,
    CUMULATIVE,
    FLOAT_LEVELS,
    LEVEL_SHARES,
    LEVELS,
    _add_ratios,
    _clv,
    _ratio,
    monthly_discount_factors,
)

TRAILING_MONTHS = 12
"""Months of margin and retention behind the customer-equity estimate (as in kpis)."""


class MonthlyReport:
    """The reported KPIs of every closed month, one row added per month."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._factors = monthly_discount_factors(config)
        self._columns = list(rule_kpis())
        self._rows: list[dict[str, float]] = []
        self._previous: Mapping[str, float] | None = None

    def update(
        self, samples: pd.DataFrame, ledger_entries: Mapping[str, list[float]]
    ) -> dict[str, np.ndarray]:
        """Add the rows of the months closed since the last call (``samples`` has one row
        per closed month); the report: KPI name -> one value per closed month."""
        for month in range(len(self._rows), len(samples)):
            self._add(month, samples.iloc[month].to_dict(), ledger_entries)
        return {
            column: np.array([row[column] for row in self._rows], dtype=float)
            for column in self._columns
        }

    def _add(
        self, month: int, sample: Mapping[str, float], ledger_entries: Mapping[str, list[float]]
    ) -> None:
        config, previous = self._config, self._previous
        row: dict[str, float] = {}
        for name in CUMULATIVE:
            row[name] = sample[name] - (previous[name] if previous is not None else 0.0)
        for account in ACCOUNTS:
            row[account] = ledger_entries[account][month]
        row["coq_total"] = float(np.sum([row[a] for a in COQ_ACCOUNTS]))
        row["total_cost"] = float(np.sum([row[a] for a in COST_ACCOUNTS]))
        row["profit"] = row["revenue"] - row["total_cost"]
        row["discounted_profit"] = row["profit"] * self._factors[month]
        row["period_days"] = DAYS_PER_MONTH
        row["customer_months"] = (
            previous["active_customers"]
            if previous is not None
            else config.market.initial_customers
        )
        for name in (*LEVELS, *FLOAT_LEVELS):
            row[name] = sample[name]
        earlier = self._rows[-1]["cumulative_profit"] if self._rows else 0.0
        row["cumulative_profit"] = earlier + row["profit"]
        _add_ratios(row, config)
        window = [*self._rows[-(TRAILING_MONTHS - 1) :], row]
        trailing = {name: sum(r[name] for r in window) for name in CLV_INPUTS}
        retention = _ratio(trailing["repurchases"], trailing["repurchase_decisions"], 1.0)
        active = float(row["active_customers"])
        row["customer_equity"] = (
            active * float(_clv(trailing, retention, config)) if active else 0.0
        )
        for name, (numerator, denominator) in LEVEL_SHARES.items():
            row[name] = _ratio(row[numerator], row[denominator], 1.0)
        self._rows.append({key: float(value) for key, value in row.items()})
        self._previous = sample
