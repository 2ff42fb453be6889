"""The fast time-series builder against its plain pandas formulation, bit for bit.

:func:`sqm_sim.run.kpis.build_timeseries` works on NumPy columns for speed. The function
below is the same definition written the obvious way with pandas (column by column in a
DataFrame, ``groupby(period).sum()``, ``rolling(12).sum()``); it is the specification, and
the two must agree exactly (values, NaN, the sign of zero, dtypes) for every reporting
period, on runs and on sample tables with missing values.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pytest

import sqm_sim.run.simulation as simulation
from sqm_sim import simulate
from sqm_sim.models.ledger import ACCOUNTS, COQ_ACCOUNTS, COST_ACCOUNTS
from sqm_sim.models.units import DAYS_PER_MONTH
from sqm_sim.run.kpis import (
    CLV_INPUTS,
    COLUMN_DOCS,
    CUMULATIVE,
    FLOAT_LEVELS,
    INTEGER_COLUMNS,
    LEVEL_SHARES,
    LEVELS,
    _add_ratios,
    _clv,
    _ratio,
    build_timeseries,
    monthly_discount_factors,
)


def reference_timeseries(samples, ledger_entries, config) -> pd.DataFrame:
    """The time series, written plainly with pandas (the specification)."""
    months = config.simulation.horizon_months
    cumulative = samples[CUMULATIVE]
    monthly = cumulative.diff()
    monthly.iloc[0] = cumulative.iloc[0]
    money = pd.DataFrame({account: ledger_entries[account] for account in ACCOUNTS})
    money["coq_total"] = money[list(COQ_ACCOUNTS)].sum(axis=1)
    money["total_cost"] = money[list(COST_ACCOUNTS)].sum(axis=1)
    money["profit"] = money["revenue"] - money["total_cost"]
    money["discounted_profit"] = money["profit"] * monthly_discount_factors(config)
    monthly = pd.concat([monthly, money], axis=1)
    monthly["period_days"] = DAYS_PER_MONTH
    monthly["customer_months"] = samples["active_customers"].shift(
        1, fill_value=config.market.initial_customers
    )
    period = np.arange(months) // config.simulation.report_period_months
    grouped = monthly.groupby(period)
    frame = grouped.sum()
    last_rows = np.append(np.flatnonzero(np.diff(period)), months - 1)
    frame[LEVELS + FLOAT_LEVELS] = samples[LEVELS + FLOAT_LEVELS].iloc[last_rows].to_numpy()
    frame.insert(0, "period", frame.index + 1)
    frame.insert(1, "month_start", grouped.size().cumsum().shift(fill_value=0))
    frame["cumulative_profit"] = frame["profit"].cumsum()
    _add_ratios(frame, config)
    trailing = monthly[list(CLV_INPUTS)].rolling(12, min_periods=1).sum()
    retention = _ratio(trailing["repurchases"], trailing["repurchase_decisions"], 1.0)
    active = frame["active_customers"].to_numpy(dtype=float)
    trailing_clv = np.asarray(_clv(trailing, retention, config))[last_rows]
    frame["customer_equity"] = np.where(active > 0, active * trailing_clv, 0.0)
    terminal = np.zeros(len(frame))
    terminal[-1] = frame["customer_equity"].iloc[-1] * monthly_discount_factors(config)[-1]
    frame["discounted_profit_with_equity"] = frame["discounted_profit"] + terminal
    for name, (numerator, denominator) in LEVEL_SHARES.items():
        frame[name] = _ratio(frame[numerator], frame[denominator], 1.0)
    frame[INTEGER_COLUMNS] = frame[INTEGER_COLUMNS].astype("int64")
    return frame[list(COLUMN_DOCS)].reset_index(drop=True)


def assert_same_bits(fast: pd.DataFrame, reference: pd.DataFrame) -> None:
    """Equal columns, dtypes and values, NaN in the same places, zeros of the same sign."""
    assert list(fast.columns) == list(reference.columns)
    assert fast.index.equals(reference.index)
    for column in reference.columns:
        mine, theirs = fast[column].to_numpy(), reference[column].to_numpy()
        assert mine.dtype == theirs.dtype, column
        assert np.array_equal(mine, theirs, equal_nan=mine.dtype.kind == "f"), column
        if mine.dtype.kind == "f":
            assert np.array_equal(np.signbit(mine), np.signbit(theirs)), column


def inputs_of_a_run(config, seed: int):
    """(samples, ledger entries, config) that ``simulate`` hands to the builder."""
    captured = {}

    def capture(*arguments):
        captured["arguments"] = arguments
        return build_timeseries(*arguments)

    with mock.patch.object(simulation, "build_timeseries", capture):
        simulate(config, seed)
    return captured["arguments"]


@pytest.mark.parametrize(
    ("period_months", "horizon"), [(1, 14), (2, 14), (3, 13), (5, 14), (12, 14)]
)
def test_the_fast_builder_equals_the_pandas_formulation(make_config, period_months, horizon):
    config = make_config(
        {
            "simulation.horizon_months": horizon,
            "simulation.report_period_months": period_months,
        }
    )
    arguments = inputs_of_a_run(config, seed=7)
    assert_same_bits(build_timeseries(*arguments), reference_timeseries(*arguments))


@pytest.mark.parametrize("period_months", [1, 4])
def test_missing_levels_and_negative_zeros_are_treated_alike(make_config, period_months):
    """A missing level stays missing (at the horizon too), and a negative zero booked in
    a month comes out as pandas' sum gives it. (Flows and money are never missing: they
    are counters and booked numbers.)"""
    config = make_config(
        {"simulation.horizon_months": 12, "simulation.report_period_months": period_months}
    )
    samples, ledger, config = inputs_of_a_run(config, seed=3)
    samples = samples.copy()
    samples.loc[5, "mean_satisfaction"] = np.nan  # a level unknown at one month end
    samples.loc[11, "mean_satisfaction"] = np.nan  # ... and at the horizon
    ledger = {account: list(entries) for account, entries in ledger.items()}
    ledger["prevention_cost"][2] = -0.0
    fast = build_timeseries(samples, ledger, config)
    assert_same_bits(fast, reference_timeseries(samples, ledger, config))
    assert fast["mean_satisfaction"].isna().iloc[-1]
