"""Forward runs of a calibrated profile start where the history ended: each carried value
by hand, the model's customer identity behind the derived count, and the calibrated
profile that ``sqm-sim calibrate`` writes."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sqm_sim import load_scenario, simulate
from sqm_sim.experiments.history import History
from sqm_sim.experiments.start_state import (
    end_medians,
    run_end,
    start_customer_columns,
    start_overrides,
    start_state,
    surviving_customers,
)
from sqm_sim.models.environment import MarketEnvironment
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.units import DAYS_PER_MONTH, DAYS_PER_YEAR
from sqm_sim.models.workforce import Workforce

SIMULATED = {
    "active_customers": 170.0,
    "prospects_remaining": 30.0,
    "competitor_customers": 90.0,
    "mean_satisfaction": 0.81,
    "state_of_the_art": 1.05,
    "mean_expectation": 0.87,
    "average_skill": 0.64,
}


def history(**columns):
    months = len(next(iter(columns.values())))
    table = pd.DataFrame(columns, index=pd.Index(range(1, months + 1), name="period"))
    return History(table.astype(float), "hand")


def test_observed_customers_start_the_run_and_the_market_size_is_kept(small_config):
    # small config: 200 ours + 100 prospects + 200 competitor = 500; 181 observed at the end
    values = start_overrides(
        start_state(small_config, history(active_customers=[198, 197, 190, 181]), SIMULATED)
    )
    assert values["market.initial_customers"] == 181
    # the other 319 split as the simulation's 30 : 90 -> 0.25 * 319 = 79.75 -> 80 prospects
    assert values["market.prospects"] == 80
    assert values["environment.competitor_customers"] == 239


def test_without_a_last_count_customers_are_derived_from_the_flows(small_config):
    flows = {"customers_acquired": [2, 0, 3, 1], "customers_lost": [1, 4, 2, 5]}
    found = start_state(small_config, history(**flows), SIMULATED)[0]
    assert found.value == 200 + 6 - 12
    assert found.source.startswith("derived")
    blank_last = history(active_customers=[198, 197, 190, math.nan], **flows)
    assert start_state(small_config, blank_last, SIMULATED)[0].value == 194


def test_when_the_history_is_silent_the_simulated_median_is_used(small_config):
    silent = history(complaints=[1, 0, 2, 1], customers_lost=[1, math.nan, 2, 5])
    found = start_state(small_config, silent, SIMULATED)[0]
    assert (found.value, found.source.split(":")[0]) == (170, "simulated")


def test_the_derived_count_is_the_models_own_identity(small_config):
    """active(t) = active(t-1) + acquired(t) - lost(t) in every run: the derived start
    equals the simulated last month exactly."""
    series = simulate(small_config, 4).timeseries
    flows = history(
        customers_acquired=series["customers_acquired"].tolist(),
        customers_lost=series["customers_lost"].tolist(),
    )
    found = start_state(small_config, flows, SIMULATED)[0]
    assert found.value == series["active_customers"].iloc[-1]


def test_the_competitor_and_the_calendar_move_on_by_the_months_of_history(small_config):
    config = small_config.with_overrides(
        {
            "simulation.horizon_months": 36,
            "environment.competitor_quality": 0.8,
            "environment.competitor_quality_trend_per_year": 0.03,
            "environment.seasonality_amplitude": 0.2,
            "environment.seasonality_peak_month": 3.0,
            "environment.switching_cost_change_month": 20,
            "environment.technology_shock_months": [4, 10, 30],
        }
    )
    months = 8
    values = start_overrides(start_state(config, history(complaints=[1] * months), SIMULATED))
    assert values["environment.competitor_quality"] == pytest.approx(0.8 + 0.03 * 8 / 12)
    assert values["environment.seasonality_peak_month"] == 7.0  # (3 - 8) mod 12
    assert values["environment.switching_cost_change_month"] == 12
    assert values["environment.technology_shock_months"] == [2, 22]
    # the season of the forward run's day t is the history's day t + 8 months
    for day in (0.0, 100.0, 250.0):
        forward = math.cos(2 * math.pi * (day / DAYS_PER_YEAR - 7.0 / 12))
        carried = math.cos(2 * math.pi * ((day + months * DAYS_PER_MONTH) / DAYS_PER_YEAR - 3 / 12))
        assert forward == pytest.approx(carried, abs=1e-12)
    past = config.with_overrides({"environment.switching_cost_change_month": 5})
    values = start_overrides(start_state(past, history(complaints=[1] * months), SIMULATED))
    assert values["environment.switching_cost"] == config.environment.switching_cost_after
    assert values["environment.switching_cost_change_month"] == 0
    steady = config.with_overrides({"environment.seasonality_amplitude": 0.0})
    values = start_overrides(start_state(steady, history(complaints=[1] * months), SIMULATED))
    assert "environment.seasonality_peak_month" not in values  # no season: nothing to shift


def test_calibrate_writes_a_profile_that_starts_where_the_history_ended(calibrated, small_config):
    profile = load_scenario(str(calibrated / "calibrated_profile.toml"))
    observed = pd.read_csv(calibrated.parent / "history.csv")
    last = int(observed["active_customers"].iloc[-1])
    assert profile.market.initial_customers == last
    market = profile.market.initial_customers + profile.market.prospects
    assert market + profile.environment.competitor_customers == 200 + 100 + 200
    table = pd.read_csv(calibrated / "start_state.csv").set_index("key")
    assert table.loc["market.initial_customers", "source"].startswith("observed")
    report = (calibrated / "report.md").read_text()
    assert "## Where forward runs start" in report
    assert "Not carried" in report
    assert "environment.initial_state_of_the_art" in report
    assert "open complaint" in report
    # the check simulations do not draw the norms: 8 months of 2 %/year in every one
    norms = profile.environment.initial_state_of_the_art
    assert norms == pytest.approx(1.02 ** (8 / 12), rel=1e-12)
    assert table.loc["workforce.skill", "source"].startswith("simulated")
    # the table shows 6 significant digits
    shown = float(table.loc["workforce.skill", "value"])
    assert shown == pytest.approx(profile.workforce.skill, rel=1e-5)
    # the customers are carried one by one, beside the profile; the two keys stay the
    # profile's: they set new customers only
    assert table.loc["start_customers.file", "value"] == "start_customers.csv"
    assert table.loc["start_customers.file", "source"].startswith("simulated")
    for key in ("customers.initial_satisfaction", "customers.initial_expectation"):
        assert key not in table.index
    assert profile.customers == small_config.customers
    rows = pd.read_csv(calibrated / "start_customers.csv")
    carried = profile.start_customers
    assert carried is not None
    assert carried.file == "start_customers.csv"
    assert list(carried.satisfaction) == rows["satisfaction"].tolist()  # bit for bit
    assert list(carried.renewal_in_days) == rows["renewal_in_days"].tolist()
    assert carried.rows == len(rows) > profile.market.initial_customers  # 3 runs pooled
    # a forward run starts from the carried customers: month 1 = start + acquired - lost
    first = simulate(profile, 1).timeseries.iloc[0]
    start = first["active_customers"] - first["customers_acquired"] + first["customers_lost"]
    assert start == last
    # ... and from the carried norms: month 1 = the level x 1.02 ^ (1/12)
    assert first["state_of_the_art"] == pytest.approx(norms * 1.02 ** (1 / 12), rel=1e-12)
    # ... and its month-0 customers are rows of the carried table
    states = set(zip(carried.satisfaction, carried.standard, strict=True))
    month_0 = simulate(profile.with_overrides({"simulation.horizon_months": 1}), 1).customers
    month_0 = month_0[month_0["joined_day"] == 0.0]
    assert len(month_0) == last
    assert set(month_0["personal_standard"]) <= {standard for _, standard in states}


def test_the_surviving_customers_are_the_active_ones_of_every_run_pooled(small_config):
    """Two 3-month runs: the pool is their active customers in run order, with the
    customer table's values, contract renewals counted from the run's end (91.3125 days),
    and a limit keeps a sample of that many rows, in pool order."""
    config = small_config.with_overrides(
        {"simulation.horizon_months": 3, "market.contract_share": 0.5}
    )
    runs = [simulate(config, seed) for seed in (1, 2)]
    pool = surviving_customers(runs, limit=10_000, seed=1)
    active = [run.customers[run.customers["active_end"]] for run in runs]
    assert len(pool) == sum(len(table) for table in active)
    both = pd.concat(active, ignore_index=True)
    assert pool["satisfaction"].tolist() == both["satisfaction_end"].tolist()
    assert pool["expectation"].tolist() == both["expectation_end"].tolist()
    assert pool["standard"].tolist() == both["personal_standard"].tolist()
    assert pool["segment"].tolist() == both["segment"].astype(str).tolist()
    assert pool["complaints"].tolist() == both["complaints"].tolist()
    under = both["renewal_day"].notna()
    assert pool["contract"].tolist() == under.astype(int).tolist()
    assert 0 < under.sum() < len(both)
    offsets = (both["renewal_day"] - 3 * DAYS_PER_MONTH).where(under, 0.0)
    assert pool["renewal_in_days"].tolist() == offsets.tolist()
    sample = surviving_customers(runs, limit=7, seed=1)
    assert len(sample) == 7
    assert sample.equals(surviving_customers(runs, limit=7, seed=1))
    kept = sorted(np.random.default_rng([1, 2]).choice(len(pool), 7, replace=False))
    assert sample.equals(pool.iloc[kept].reset_index(drop=True))  # the documented sample
    # the table as the configuration's columns: a forward run takes them as they are
    forward = config.with_overrides({"start_customers": start_customer_columns(pool)})
    assert forward.start_customers is not None
    assert forward.start_customers.satisfaction == tuple(pool["satisfaction"])


def test_carried_customers_replace_the_carried_means(small_config):
    table = pd.DataFrame(
        {
            "segment": ["price_driven"],
            "satisfaction": [0.5],
            "expectation": [0.9],
            "standard": [0.0],
        }
    )
    values = start_state(small_config, history(complaints=[1] * 4), SIMULATED, (), table, 3)
    keys = {value.key: value for value in values}
    assert keys["start_customers.file"].value == "start_customers.csv"
    assert "1 customers active in month 4 of 3 posterior simulations" in (
        keys["start_customers.file"].source
    )
    assert not keys.keys() & {"customers.initial_satisfaction", "customers.initial_expectation"}
    empty = table.iloc[0:0]
    means = {
        v.key for v in start_state(small_config, history(complaints=[1] * 4), SIMULATED, (), empty)
    }
    assert "customers.initial_satisfaction" in means
    assert "start_customers.file" not in means


def test_a_profile_with_events_after_the_history_can_be_calibrated(small_config):
    """The history's simulations end with the history: a shock or a switching-cost change
    scheduled later is left out of them (and kept, shifted, for the forward runs)."""
    from sqm_sim.experiments.calibration import history_config

    config = small_config.with_overrides(
        {
            "simulation.horizon_months": 36,
            "environment.technology_shock_months": [4, 30],
            "environment.switching_cost_change_month": 20,
        }
    )
    over_history = history_config(config, history(complaints=[1] * 8))
    assert over_history.simulation.horizon_months == 8
    assert over_history.environment.technology_shock_months == (4,)
    assert over_history.environment.switching_cost_change_month == 0
    unchanged = history_config(small_config, history(complaints=[1] * 6))
    assert unchanged.environment == small_config.environment


def test_the_norms_and_the_customers_mood_start_at_the_simulations_end(small_config):
    values = start_overrides(start_state(small_config, history(complaints=[1] * 4), SIMULATED))
    assert values["environment.initial_state_of_the_art"] == 1.05
    assert values["customers.initial_satisfaction"] == 0.81
    assert values["customers.initial_expectation"] == 0.87
    assert values["workforce.skill"] == 0.64
    # a key the calibration fits is left to the posterior's draws
    fitted = start_state(
        small_config,
        history(complaints=[1] * 4),
        SIMULATED,
        fitted=["customers.initial_satisfaction", "environment.competitor_quality"],
    )
    keys = {value.key for value in fitted}
    assert "customers.initial_satisfaction" not in keys
    assert "environment.competitor_quality" not in keys
    assert "customers.initial_expectation" in keys
    # without active customers there is no mean to carry: the profile's values stay
    empty = {**SIMULATED, "mean_satisfaction": math.nan, "mean_expectation": math.nan}
    keys = {v.key for v in start_state(small_config, history(complaints=[1] * 4), empty)}
    assert not keys & {"customers.initial_satisfaction", "customers.initial_expectation"}


def test_a_mean_outside_the_keys_range_is_put_at_its_bound_and_said(small_config):
    """A product ahead of the norms can give experiences, hence expectations, above 1."""
    above = {**SIMULATED, "mean_expectation": 1.04}
    found = {v.key: v for v in start_state(small_config, history(complaints=[1] * 4), above)}
    carried = found["customers.initial_expectation"]
    assert carried.value == 1.0
    assert "1.04 is outside 0 <= value <= 1: set to 1" in carried.source


def test_the_end_values_are_medians_of_each_simulations_last_month():
    """Three simulations by hand: the median of each end value, NaN ones left out."""
    ends = [
        {"mean_satisfaction": 0.70, "state_of_the_art": 1.02},
        {"mean_satisfaction": math.nan, "state_of_the_art": 1.04},
        {"mean_satisfaction": 0.90, "state_of_the_art": 1.03},
    ]
    assert end_medians(ends) == {"mean_satisfaction": pytest.approx(0.80), "state_of_the_art": 1.03}
    assert math.isnan(end_medians([{"x": math.nan}])["x"])


def test_a_runs_end_is_its_last_month_and_its_customers_net_expectation(small_config):
    """``run_end`` of a 3-month run: the time series' last row, and the mean over the
    active customers of expectation - personal standard (by hand from the customer table)."""
    run = simulate(small_config.with_overrides({"simulation.horizon_months": 3}), 5)
    end = run_end(run)
    last = run.timeseries.iloc[-1]
    assert end["mean_satisfaction"] == last["mean_satisfaction"]
    assert end["state_of_the_art"] == last["state_of_the_art"]
    assert end["average_skill"] == last["average_skill"]
    table = run.customers[run.customers["active_end"]]
    net = [e - d for e, d in zip(table["expectation_end"], table["personal_standard"], strict=True)]
    assert end["mean_expectation"] == pytest.approx(sum(net) / len(net), rel=1e-12)
    # the time series' mean satisfaction is the customer table's, at the run's end
    assert end["mean_satisfaction"] == pytest.approx(table["satisfaction_end"].mean(), rel=1e-9)


def test_the_norms_carried_continue_the_historys_norms(small_config):
    """The state of the art at the end of an 8-month history is 1.02 ^ (8/12) (2 %/year,
    no shock); a forward run from the carried level starts there (month 0) and follows the
    history's own continuation month by month (one 20-month run)."""
    config = small_config.with_overrides({"environment.expectation_growth_per_year": 0.02})
    months = 8
    history_run = simulate(config.with_overrides({"simulation.horizon_months": months}), 3)
    level = run_end(history_run)["state_of_the_art"]
    assert level == pytest.approx(1.02 ** (months / 12), rel=1e-12)
    simulated = {**SIMULATED, "state_of_the_art": level}
    start = start_overrides(start_state(config, history(complaints=[1] * months), simulated))
    forward = config.with_overrides(
        {"environment.initial_state_of_the_art": start["environment.initial_state_of_the_art"]}
    )
    whole = simulate(config.with_overrides({"simulation.horizon_months": months + 12}), 3)
    ahead = simulate(forward.with_overrides({"simulation.horizon_months": 12}), 3)
    assert ahead.timeseries["state_of_the_art"].to_numpy() == pytest.approx(
        whole.timeseries["state_of_the_art"].to_numpy()[months:], rel=1e-12
    )
    environment = MarketEnvironment(SimpleNamespace(config=forward, streams=RandomStreams(1)))
    assert environment.state_of_the_art(0.0) == level


@pytest.mark.parametrize(
    ("value", "says"), [("0", "greater than 0"), ("101", "less than or equal")]
)
def test_a_state_of_the_art_out_of_range_is_one_clear_error(capsys, value, says):
    from sqm_sim.cli import main

    key = "environment.initial_state_of_the_art"
    assert main(["run", "baseline", "--seed", "1", "--set", f"{key}={value}"]) == 2
    err = capsys.readouterr().err
    assert f"{key} = {value}" in err
    assert says in err
    assert "0 < value <= 100" in err
    assert "Traceback" not in err


def test_the_operators_start_at_the_carried_mean_skill(small_config):
    """Every operator of the forward run starts at the carried skill, so their mean (what
    production's human defects read) is the history's end value."""
    ended = run_end(simulate(small_config.with_overrides({"simulation.horizon_months": 8}), 2))
    assert ended["average_skill"] != small_config.workforce.skill  # learning and turnover
    start = start_overrides(
        start_state(small_config, history(complaints=[1] * 8), {**SIMULATED, **ended})
    )
    forward = small_config.with_overrides({"workforce.skill": start["workforce.skill"]})
    operators = Workforce(SimpleNamespace(config=forward, streams=RandomStreams(1)))
    assert operators.average_skill() == pytest.approx(ended["average_skill"], rel=1e-12)
