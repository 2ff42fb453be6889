"""The documented time series, the summary and the KPI definitions."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from sqm_sim import simulate
from sqm_sim.models.units import DAYS_PER_MONTH, DAYS_PER_YEAR
from sqm_sim.run.kpis import (
    COLUMN_DOCS,
    FLOAT_LEVELS,
    LEVEL_SHARES,
    LEVELS,
    RATIOS,
    monthly_discount_factors,
)
from tests.support import NO_ACQUISITION, fixed_loyalty

SHARES = [
    "defect_rate_produced",
    "on_time_rate",
    "fill_rate",
    "repurchase_rate",
    "recovery_rate",
    "fast_recovery_rate",
    "share_satisfied",
    "share_dissatisfied",
    "mean_satisfaction",  # a 0-1 scale
    "market_share",
]
CUSTOMER_COLUMNS = [
    "customer_id",
    "segment",
    "joined_day",
    "first_order_day",
    "lost_day",
    "active_end",
    "orders",
    "discounted_orders",
    "satisfaction_end",
    "expectation_end",
    "personal_standard",
    "complaints",
    "renewal_day",
]


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
    for column in ("orders_placed", "units_produced", "units_shipped", "customer_months", *LEVELS):
        assert ts[column].dtype == np.int64, column
    for column in FLOAT_LEVELS:
        assert ts[column].dtype == np.float64, column


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
    assert small_run.summary["complaints_closed"] > 0  # so the recovery rates are defined
    for name in [*SHARES, "out_of_control_share"]:
        values = small_run.timeseries[name].dropna()
        assert ((values >= 0) & (values <= 1)).all(), name
        summary_name = name if name != "market_share" else "market_share_end"
        assert 0 <= small_run.summary[summary_name] <= 1, name
    ts = small_run.timeseries
    # (NaN where nobody is active or no complaint was closed: those periods are skipped)
    assert not (ts["share_satisfied"] + ts["share_dissatisfied"] > 1).any()
    assert not (ts["fast_recovery_rate"] > ts["recovery_rate"]).any()


def test_level_shares_are_period_end_ratios_averaged_in_the_summary(small_run):
    ts, s = small_run.timeseries, small_run.summary
    for name, (numerator, denominator) in LEVEL_SHARES.items():
        np.testing.assert_allclose(ts[name], ts[numerator] / ts[denominator], rtol=1e-12)
        assert s[name] == pytest.approx(ts[name].mean(), rel=1e-12)
    assert s["mean_satisfaction"] == pytest.approx(ts["mean_satisfaction"].mean(), rel=1e-12)
    active, competitor = ts["active_customers"], ts["competitor_customers"]
    np.testing.assert_allclose(ts["market_share"], active / (active + competitor), rtol=1e-12)


@pytest.mark.parametrize("period", [2, 3])
def test_float_levels_are_values_at_the_period_end(make_config, period):
    # A lone customer who keeps buying with chance 1/2 per delivery: in some seed the
    # customer is gone by the end of a longer reporting period but not by the end of its
    # first month. The period-end level is then "nobody active": mean satisfaction NaN,
    # market share 0 - not a value from earlier in the period.
    lone = {
        "market.initial_customers": 1,
        "market.prospects": 0,
        "environment.competitor_customers": 0,
        "simulation.horizon_months": period,
        **NO_ACQUISITION,
        **fixed_loyalty(0.5),
    }
    monthly_config = make_config(lone)
    coarse_config = make_config({**lone, "simulation.report_period_months": period})
    for seed in range(40):
        monthly = simulate(monthly_config, seed=seed).timeseries
        if monthly["active_customers"].iloc[0] == 1 and monthly["active_customers"].iloc[-1] == 0:
            break
    else:
        pytest.fail("no seed in 0..39 loses the customer after the first month")
    coarse = simulate(coarse_config, seed=seed)
    assert len(coarse.timeseries) == 1
    end = monthly.iloc[-1]
    for level in [*LEVELS, *FLOAT_LEVELS]:
        got, expected = coarse.timeseries[level].iloc[0], end[level]
        same = got == expected or (math.isnan(got) and math.isnan(expected))
        assert same, f"{level}: period value {got!r}, value at the period end {expected!r}"
    assert math.isnan(coarse.summary["mean_satisfaction_end"])


def test_retention_and_clv_follow_their_definitions(small_run):
    ts, s, config = small_run.timeseries, small_run.summary, small_run.config
    for row in [s, *ts.to_dict("records")]:
        assert row["retention_rate_annual"] == pytest.approx(
            (1.0 - row["churn_rate_monthly"]) ** 12, rel=1e-12
        )
        # Gupta & Lehmann: m r / (1 + d - r), d the discount rate per mean purchase cycle
        margin = (
            config.finance.unit_price
            - (row["production_cost"] + row["coq_total"]) / row["units_produced"]
        )
        cycle_years = config.market.purchase_cycle.mean / DAYS_PER_YEAR
        d = (1.0 + config.finance.annual_discount_rate) ** cycle_years - 1.0
        r = row["repurchase_rate"]
        assert row["clv_estimate"] == pytest.approx(margin * r / (1.0 + d - r), rel=1e-9)


def test_customer_months_are_active_customers_at_each_month_start(small_run):
    ts, config = small_run.timeseries, small_run.config
    assert config.simulation.report_period_months == 1
    starts = [config.market.initial_customers, *ts["active_customers"].iloc[:-1]]
    assert ts["customer_months"].tolist() == starts


def test_customers_table_is_documented_and_agrees_with_the_levels(small_run):
    customers, s, config = small_run.customers, small_run.summary, small_run.config
    assert list(customers.columns) == CUSTOMER_COLUMNS
    assert customers["customer_id"].tolist() == list(range(len(customers)))
    assert sorted(customers["segment"].cat.categories) == sorted(config.segments)
    active = customers[customers["active_end"]]
    assert len(active) == s["active_customers_end"]
    assert active["satisfaction_end"].mean() == pytest.approx(s["mean_satisfaction_end"], rel=1e-9)
    thresholds = config.customers
    satisfied = active["satisfaction_end"] >= thresholds.satisfied_threshold
    dissatisfied = active["satisfaction_end"] < thresholds.dissatisfied_threshold
    assert satisfied.sum() == s["satisfied_customers_end"]
    assert dissatisfied.sum() == s["dissatisfied_customers_end"]
    # the initial customers join at time 0; the others when acquired, ordering at once
    joined_later = customers["joined_day"] > 0
    assert (~joined_later).sum() == config.market.initial_customers
    later = customers[joined_later]
    assert (later["first_order_day"] == later["joined_day"]).all()
    assert (later["orders"] >= 1).all()
    # complaints closed are whole and non-negative; a renewal day only for a contract
    assert (customers["complaints"] >= 0).all()
    under = customers["renewal_day"].notna()
    assert 0 < under.sum() < len(customers)  # the baseline's contract share is 0.5


def test_month_start_and_period_days(small_run):
    ts = small_run.timeseries
    months = small_run.config.simulation.horizon_months
    assert ts["month_start"].tolist() == list(range(months))
    np.testing.assert_allclose(ts["period_days"], DAYS_PER_MONTH, rtol=1e-15)


def test_ratios_are_nan_when_denominator_is_zero(make_config):
    # Nobody to sell to and no inflow of new customers: no orders, no production, no
    # deliveries, no revenue, no complaints, no customer-months
    config = make_config({"market.initial_customers": 0, "market.prospects": 0, **NO_ACQUISITION})
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
        "complaint_rate",
        "recovery_rate",
        "fast_recovery_rate",
        "mean_complaint_days",
        "churn_rate_monthly",
        "retention_rate_annual",
        "share_satisfied",
        "share_dissatisfied",
        "mean_satisfaction",
        "clv_estimate",
    ):
        assert math.isnan(s[name]), name
        assert ts[name].isna().all(), name
    assert math.isnan(s["mean_satisfaction_end"])
    assert len(result.customers) == 0
    # time always passes, so this ratio is defined; a firm without customers has no share
    assert not math.isnan(s["out_of_control_share"])
    assert ts["out_of_control_share"].notna().all()
    assert (ts["market_share"] == 0.0).all()


def test_summary_has_ends_initials_and_renamed_totals(small_run):
    s, config = small_run.summary, small_run.config
    for level in [*LEVELS, *FLOAT_LEVELS]:
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
