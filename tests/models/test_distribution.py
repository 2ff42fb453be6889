"""Distribution: the on-time rule, transit damage and the daily shipping capacity, on
reduced companies with a hand-derivable answer.

Orders at whole days: a customer won by acquisition orders at once, at the daily
diffusion step (whole days), and with no loyalty leaves after that one delivery. Such an
order is filled from stock at once, waits for the next end-of-day dispatch (the dispatch of
its own day has already run) and travels a deterministic transit time T, so every lead
time is exactly 1 + T days.
"""

from __future__ import annotations

from typing import Any

import pytest
import simpy

from sqm_sim import Config, simulate
from sqm_sim.models.context import Context
from sqm_sim.models.distribution import Fulfilment, Order
from sqm_sim.models.ledger import REVENUE, Ledger
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.tally import Tally
from sqm_sim.models.units import DAYS_PER_MONTH
from tests.support import FREE_FULL_WALLET, NO_ACQUISITION, fixed_loyalty

TRANSIT = 2.0
WHOLE_DAY_ORDERS: dict[str, Any] = {
    **FREE_FULL_WALLET,
    "simulation.horizon_months": 4,
    "market.initial_customers": 0,
    "market.prospects": 300,
    **NO_ACQUISITION,
    "acquisition.marketing_rate_per_year": 2.0,
    **fixed_loyalty(0.0),
    "market.purchase_cycle": {"kind": "deterministic", "mean": 30.0},
    "distribution.transit_time": {"kind": "deterministic", "mean": TRANSIT},
    "distribution.shipping_capacity_per_day": 1000,
    "service.complaint_probability": 0.0,
}


def _run(overrides: dict[str, Any], seed: int = 4) -> dict[str, float]:
    return simulate(Config().with_overrides({**WHOLE_DAY_ORDERS, **overrides}), seed).summary


def test_every_lead_time_is_one_day_to_dispatch_plus_transit():
    summary = _run({})
    delivered = summary["units_delivered"]
    assert delivered > 100
    assert summary["orders_backordered"] == 0
    assert summary["fulfilment_wait_days_total"] == 0.0
    assert summary["delivery_lead_time_days_total"] == delivered * (1.0 + TRANSIT)


@pytest.mark.parametrize(
    ("promise", "on_time"),
    [(1.0 + TRANSIT, True), (1.0 + TRANSIT - 1e-6, False), (1.0 + TRANSIT + 1e-6, True)],
    ids=["exactly-at-the-promise", "a-hair-late", "a-hair-early"],
)
def test_a_delivery_exactly_at_the_promise_is_on_time(promise, on_time):
    summary = _run({"distribution.promised_lead_time_days": promise})
    delivered = summary["units_delivered"]
    assert delivered > 100
    assert summary["deliveries_on_time"] == (delivered if on_time else 0)


def test_transit_damage_is_a_binomial_share_of_deliveries(assert_binomial):
    summary = _run({"distribution.damage_probability": 0.1, "market.prospects": 4000}, seed=9)
    assert summary["units_delivered"] > 1000
    assert_binomial(summary["units_damaged"], summary["units_delivered"], 0.1)
    # each damaged unit is claimed with claim_probability (TARP: the rest stay silent)
    assert_binomial(summary["damage_claims"], summary["units_damaged"], 0.5)


def test_every_damaged_unit_is_claimed_when_everyone_claims():
    summary = _run(
        {
            "distribution.damage_probability": 0.1,
            "market.prospects": 2000,
            "service.claim_probability": 1.0,
        },
        seed=9,
    )
    assert summary["units_damaged"] > 50
    assert summary["damage_claims"] == summary["units_damaged"]


def test_a_saturated_dispatch_ships_its_capacity_every_day():
    """About 66 orders a day against 10 shipped a day: from the first evening on the
    dispatch queue never empties, so each of the whole days before the horizon ships 10."""
    capacity, months = 10, 2
    config = Config().with_overrides(
        {
            "simulation.horizon_months": months,
            "market.initial_customers": 2000,
            "market.prospects": 0,
            **NO_ACQUISITION,
            **FREE_FULL_WALLET,
            **fixed_loyalty(1.0),
            "distribution.shipping_capacity_per_day": capacity,
        }
    )
    summary = simulate(config, seed=2).summary
    end_of_days = int(months * DAYS_PER_MONTH)  # dispatches at t = 1, 2, ... < horizon
    assert summary["awaiting_dispatch_end"] > 0
    assert summary["units_shipped"] == capacity * end_of_days


def test_every_defective_unit_delivered_is_a_warranty_claim():
    """No inspection, many defects, every customer claims: a defective unit shipped is
    claimed on delivery, so the defective units not yet claimed are at most those still in
    transit."""
    summary = _run(
        {
            "operations.process_capability_cpk": 0.5,
            "quality.inspection_coverage": 0.0,
            "market.prospects": 2000,
            "service.claim_probability": 1.0,
        }
    )
    assert summary["defective_shipped"] > 50
    assert summary["warranty_claims"] <= summary["defective_shipped"]
    assert summary["defective_shipped"] - summary["warranty_claims"] <= summary["in_transit_end"]


def test_a_made_to_order_unit_waits_exactly_its_cycle_time():
    """One customer, make-to-order, a free line and a deterministic 60-minute cycle: every
    order waits exactly 1/24 day for its unit."""
    config = Config().with_overrides(
        {
            "simulation.horizon_months": 6,
            "market.initial_customers": 1,
            "market.prospects": 0,
            **NO_ACQUISITION,
            **FREE_FULL_WALLET,
            **fixed_loyalty(1.0),
            "market.purchase_cycle": {"kind": "deterministic", "mean": 10.0},
            "operations.reorder_point_units": -1,
            "operations.order_up_to_units": 0,
            "operations.cycle_time": {"kind": "deterministic", "mean": 60.0},
            "quality.inspection_coverage": 0.0,
        }
    )
    summary = simulate(config, seed=1).summary
    assert summary["orders_allocated"] >= 17
    assert summary["orders_backordered"] == summary["orders_placed"]
    assert summary["fulfilment_wait_days_total"] == pytest.approx(
        summary["orders_allocated"] / 24.0, rel=1e-9
    )


def test_fulfilment_on_its_own_fills_ships_delivers_and_cancels():
    """Fulfilment with no one listening (its default callbacks), one unit of stock, a
    shipping capacity of 1 a day, transit 2 days, promise 3 days, patience 3 days. Two
    orders at time 0: the first takes the unit, ships at the end of day 1 and arrives on
    day 3 (lead time 3: on time); the second waits as a backorder and is cancelled at the
    first end of day when it is more than 3 days old (day 4)."""
    config = Config().with_overrides(
        {
            "distribution.transit_time": {"kind": "deterministic", "mean": 2.0},
            "distribution.shipping_capacity_per_day": 1,
            "distribution.promised_lead_time_days": 3.0,
            "distribution.backorder_patience_days": 3.0,
            "distribution.damage_probability": 0.0,
        }
    )
    env = simpy.Environment()
    ledger = Ledger(env, config.simulation.horizon_months)
    context = Context(env, config, RandomStreams(1), Tally(), ledger)
    fulfilment = Fulfilment(context, initial_stock=1)
    fulfilment.place_order(Order(None, env.now))
    fulfilment.place_order(Order(None, env.now))
    assert (fulfilment.stock_on_hand(), fulfilment.backorders_open()) == (0, 1)
    env.run(until=3.5)
    tally = context.tally
    assert (tally.units_shipped, tally.units_delivered, tally.deliveries_on_time) == (1, 1, 1)
    assert tally.delivery_lead_time_days_total == 3.0
    assert (tally.orders_cancelled, fulfilment.backorders_open()) == (0, 1)
    env.run(until=4.5)
    assert (tally.orders_cancelled, fulfilment.backorders_open()) == (1, 0)
    assert ledger.entries[REVENUE][0] == config.finance.unit_price


def test_units_travel_the_transit_streams_draws_in_dispatch_order():
    """Three orders filled from stock at time 0 ship at the end of day 1, oldest first:
    each arrives 1 + its transit time later, and is damaged if its transit-damage draw is
    below the damage probability (0.5) — the first three draws of the run's
    ``transit_time`` stream (lognormal, mean 3 days) and of its ``transit_damage`` stream,
    in dispatch order — with the defect flag its unit had in stock (the second is
    defective)."""
    config = Config().with_overrides(
        {
            "distribution.transit_time": {"kind": "lognormal", "mean": 3.0, "cv": 0.4},
            "distribution.damage_probability": 0.5,
        }
    )
    env = simpy.Environment()
    context = Context(env, config, RandomStreams(4), Tally(), Ledger(env, 12))
    fulfilment = Fulfilment(context, initial_stock=0)
    for defective in (False, True, False):
        fulfilment.receive_unit(defective)
    for i in range(3):
        fulfilment.place_order(Order(f"customer {i}", 0.0))
    arrivals: dict[object, tuple[float, bool, bool]] = {}

    def delivered(order: Order, defective: bool, damaged: bool, _on_time: bool) -> None:
        arrivals[order.customer] = (env.now, defective, damaged)

    fulfilment.on_delivered = delivered
    env.run(until=30.0)
    streams = RandomStreams(4)
    transit = streams.duration("transit_time", config.distribution.transit_time)
    damage = streams.uniform("transit_damage")
    expected = [(1.0 + transit(), defective, damage() < 0.5) for defective in (False, True, False)]
    assert {damaged for _, _, damaged in expected} == {False, True}  # both outcomes occur
    assert [arrivals[f"customer {i}"] for i in range(3)] == expected
