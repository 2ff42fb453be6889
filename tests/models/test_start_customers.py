"""Customers present at month 0 in the states of a start-customer table: reduced cases
whose answer is the table itself, how rows are dealt, newcomers, and conservation."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pytest
import simpy

from sqm_sim import Config, simulate
from sqm_sim.models import build_world
from sqm_sim.models.contracts import NO_CONTRACT
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.satisfaction import DISSATISFIED, NEUTRAL, SATISFIED
from sqm_sim.models.start_customers import dealt_rows

THREE: dict[str, list[Any]] = {
    "segment": ["quality_driven", "price_driven", "quality_driven"],
    "satisfaction": [0.9, 0.3, 0.6],  # satisfied (>= 0.8), dissatisfied (< 0.5), neither
    "expectation": [0.95, 0.8, 0.7],
    "standard": [0.05, -0.1, 0.0],
    "complaints": [0, 2, 1],
    "contract": [1, 0, 0],
    "renewal_in_days": [40.0, 0.0, 0.0],
}


def _world(config: Config, seed: int = 1) -> Any:
    return build_world(simpy.Environment(), config, RandomStreams(seed))


def _state(customer: Any) -> tuple:
    renewal = customer.renewal_at
    return (
        customer.segment.name,
        customer.satisfaction,
        customer.expectation,
        customer.standard,
        customer.complaints,
        None if renewal == NO_CONTRACT else renewal,
    )


def _three(small_config: Config, **more: Any) -> Config:
    return small_config.with_overrides(
        {"market.initial_customers": 3, "start_customers": THREE, **more}
    )


def test_a_table_of_three_customers_gives_exactly_their_states_at_time_0(small_config):
    customers = _world(_three(small_config)).customers
    expected = [
        ("quality_driven", 0.9, 0.95, 0.05, 0, 40.0),
        ("price_driven", 0.3, 0.8, -0.1, 2, None),
        ("quality_driven", 0.6, 0.7, 0.0, 1, None),
    ]
    assert sorted(_state(c) for c in customers.everyone) == sorted(expected)
    assert customers.active_customers == 3
    assert customers.satisfied_active == 1
    assert customers.dissatisfied_active == 1
    moods = {c.satisfaction: c.mood for c in customers.everyone}
    assert moods == {0.9: SATISFIED, 0.3: DISSATISFIED, 0.6: NEUTRAL}
    assert customers.satisfaction_sum == pytest.approx(1.8, abs=1e-15)
    assert all(c.satisfaction_before_problem == c.satisfaction for c in customers.everyone)


def test_without_contract_columns_month_0_contracts_are_drawn(small_config):
    """Every customer signs (contract_share 1): each is at a random point of a 12-month
    term, whatever the table, which then says nothing of contracts."""
    plain = {k: v for k, v in THREE.items() if k not in ("contract", "renewal_in_days")}
    config = _three(small_config, **{"market.contract_share": 1.0, "start_customers": plain})
    customers = _world(config).customers.everyone
    term = 12 * 30.4375
    assert all(0.0 <= c.renewal_at <= term for c in customers)
    assert sorted(c.complaints for c in customers) == [0, 1, 2]
    # and with the columns, the profile's contract share does not matter
    drawn = _three(small_config, **{"market.contract_share": 1.0})
    renewals = sorted(_state(c)[5] or -1.0 for c in _world(drawn).customers.everyone)
    assert renewals == [-1.0, -1.0, 40.0]


def test_newcomers_join_at_the_profiles_initial_values(small_config):
    config = _three(
        small_config,
        **{"customers.initial_satisfaction": 0.77, "customers.initial_expectation": 0.66},
    )
    customers = _world(config).customers
    customers.acquire(2, 0)
    newcomers = customers.everyone[3:]
    assert [c.satisfaction for c in newcomers] == [0.77, 0.77]
    assert [c.expectation for c in newcomers] == [max(0.0, 0.66 + c.standard) for c in newcomers]
    assert customers.active_customers == 5
    assert customers.satisfaction_sum == pytest.approx(1.8 + 2 * 0.77, abs=1e-15)


def test_rows_are_dealt_like_a_deck_shuffled_once():
    """7 customers from 3 rows: the permutation, then again, then its first row: each row
    2 or 3 times; 3 customers from 5 rows: 3 distinct rows; the same generator seed deals
    the same rows."""
    deck = np.random.default_rng(4).permutation(3).tolist()
    dealt = dealt_rows(3, 7, np.random.default_rng(4))
    assert dealt == deck + deck + deck[:1]
    assert sorted(Counter(dealt).values()) == [2, 2, 3]
    few = dealt_rows(5, 3, np.random.default_rng(9))
    assert len(set(few)) == 3
    assert dealt_rows(5, 3, np.random.default_rng(9)) == few
    assert sorted(dealt_rows(3, 3, np.random.default_rng(2))) == [0, 1, 2]  # each once


def test_a_pooled_table_gives_each_seed_its_own_sample_and_the_same_seed_the_same(small_config):
    pool = {
        "segment": ["quality_driven"] * 6,
        "satisfaction": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        "expectation": [0.9] * 6,
        "standard": [0.0] * 6,
    }
    config = small_config.with_overrides({"market.initial_customers": 3, "start_customers": pool})

    def start(seed: int) -> list[float]:
        return [c.satisfaction for c in _world(config, seed).customers.everyone]

    assert start(1) == start(1)
    assert len(set(start(1))) == 3
    assert any(sorted(start(seed)) != sorted(start(1)) for seed in range(2, 6))


def test_customers_are_conserved_with_a_start_table(small_config):
    """initial + acquired = active + lost, month by month and in the customer table."""
    config = _three(small_config, **{"simulation.horizon_months": 6})
    result = simulate(config, 3)
    series = result.timeseries
    flow = 3 + series["customers_acquired"].cumsum() - series["customers_lost"].cumsum()
    assert (flow == series["active_customers"]).all()
    table = result.customers
    assert len(table) == 3 + series["customers_acquired"].sum()
    assert table["active_end"].sum() == series["active_customers"].iloc[-1]
    assert table["lost_day"].notna().sum() == series["customers_lost"].sum()
    assert not math.isnan(series["mean_satisfaction"].iloc[0])
