"""The documented time series, the summary and the KPI definitions."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from sqm_sim import simulate
from sqm_sim.kpis import COLUMN_DOCS, LEVELS, RATIOS, monthly_discount_factors
from sqm_sim.units import DAYS_PER_MONTH

SHARES = ["defect_rate_produced", "on_time_rate", "fill_rate", "repurchase_rate"]


def test_timeseries_columns_are_the_documented_ones(small_run):
    assert list(small_run.timeseries.columns) == list(COLUMN_DOCS)


@pytest.mark.parametrize("column", list(COLUMN_DOCS))
def test_every_column_is_documented(column):
    unit, description = COLUMN_DOCS[column]
    assert unit.strip()
    assert description.strip()


def test_ratio_definitions_refer_to_columns():
    for name, (numerator, denominator, scale) in RATIOS.items():
        assert name in COLUMN_DOCS
        assert numerator in COLUMN_DOCS
        assert denominator in COLUMN_DOCS
        assert scale > 0


def test_count_columns_are_integers(small_run):
    ts = small_run.timeseries
    for column in ("orders_placed", "units_produced", "units_shipped", *LEVELS):
        assert ts[column].dtype == np.int64, column


def test_ratios_are_numerator_over_denominator(small_run):
    ts, s = small_run.timeseries, small_run.summary
    for name, (numerator, denominator, scale) in RATIOS.items():
        den = ts[denominator].to_numpy(dtype=float)
        num = ts[numerator].to_numpy(dtype=float)
        expected = np.full(len(ts), np.nan)
        positive = den > 0
        expected[positive] = num[positive] * scale / den[positive]
        np.testing.assert_allclose(ts[name], expected, rtol=1e-12, equal_nan=True)
        renamed = {"period_days": "horizon_days"}
        total_num, total_den = s[numerator], s[renamed.get(denominator, denominator)]
        assert s[name] == pytest.approx(total_num * scale / total_den, rel=1e-12)


def test_shares_lie_between_zero_and_one(small_run):
    for name in [*SHARES, "out_of_control_share"]:
        values = small_run.timeseries[name].dropna()
        assert ((values >= 0) & (values <= 1)).all(), name
        assert 0 <= small_run.summary[name] <= 1, name


def test_month_start_and_period_days(small_run):
    ts = small_run.timeseries
    months = small_run.config.simulation.horizon_months
    assert ts["month_start"].tolist() == list(range(months))
    np.testing.assert_allclose(ts["period_days"], DAYS_PER_MONTH, rtol=1e-15)


def test_ratios_are_nan_when_denominator_is_zero(make_config):
    # Nobody to sell to: no orders, no production, no deliveries, no revenue
    config = make_config({"market.initial_customers": 0, "market.prospects": 0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division warnings either
        result = simulate(config, seed=1)
    s, ts = result.summary, result.timeseries
    assert s["orders_placed"] == 0
    assert s["units_produced"] == 0
    assert s["revenue"] == 0
    for name in (
        "defect_rate_produced",
        "defects_shipped_ppm",
        "on_time_rate",
        "mean_fulfilment_wait_days",
        "mean_delivery_lead_time_days",
        "fill_rate",
        "repurchase_rate",
        "coq_share_of_revenue",
    ):
        assert math.isnan(s[name]), name
        assert ts[name].isna().all(), name
    # time always passes, so this ratio is defined
    assert not math.isnan(s["out_of_control_share"])
    assert ts["out_of_control_share"].notna().all()


def test_summary_has_ends_initials_and_renamed_totals(small_run):
    s, config = small_run.summary, small_run.config
    for level in LEVELS:
        assert f"{level}_end" in s
    assert s["initial_customers"] == config.market.initial_customers
    assert s["initial_prospects"] == config.market.prospects
    assert s["initial_stock"] == config.operations.order_up_to_units
    assert s["horizon_days"] == pytest.approx(
        config.simulation.horizon_months * DAYS_PER_MONTH, rel=1e-12
    )
    assert "npv" in s
    assert "discounted_profit" not in s
    assert all(isinstance(v, float) for v in s.values())


def test_month_boundary_events_land_in_the_same_month_in_counts_and_money(make_config):
    # 16 months = 487.0 days exactly, when the end-of-day dispatch runs: the shipment
    # counter and the revenue it books must fall in the same month.
    config = make_config({"simulation.horizon_months": 17, "market.prospects": 0})
    ts = simulate(config, seed=16).timeseries
    assert 16 * DAYS_PER_MONTH == 487.0
    assert ts["units_shipped"].iloc[16] > 0
    assert (ts["revenue"] == ts["units_shipped"] * config.finance.unit_price).all()


# -- discounting --------------------------------------------------------------------------


def test_discount_factor_after_twelve_months_is_one_over_one_plus_rate(make_config):
    config = make_config({"simulation.horizon_months": 24, "finance.annual_discount_rate": 0.10})
    factors = monthly_discount_factors(config)
    assert len(factors) == 24
    assert factors[11] == pytest.approx(1.0 / 1.1, rel=1e-12)
    assert factors[23] == pytest.approx(1.0 / 1.1**2, rel=1e-12)
    assert factors[0] == pytest.approx(1.1 ** (-1.0 / 12.0), rel=1e-12)
    assert np.all(np.diff(factors) < 0)


def test_zero_discount_rate_gives_unit_factors(make_config):
    config = make_config({"finance.annual_discount_rate": 0.0})
    factors = monthly_discount_factors(config)
    assert np.array_equal(factors, np.ones(config.simulation.horizon_months))


def test_npv_without_discounting_is_profit(make_config):
    result = simulate(make_config({"finance.annual_discount_rate": 0.0}), seed=4)
    assert result.summary["npv"] == pytest.approx(result.summary["profit"], rel=1e-12)


def test_npv_is_lower_than_profit_when_profit_positive(make_config):
    # a profitable configuration: price far above all costs
    result = simulate(
        make_config({"finance.unit_price": 5000.0, "finance.annual_discount_rate": 0.2}), seed=4
    )
    s = result.summary
    assert s["profit"] > 0
    assert 0 < s["npv"] < s["profit"]
