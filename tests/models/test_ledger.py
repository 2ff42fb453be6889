"""The ledger (monthly discount rate, month of a time, bookings by month) and the tally."""

from __future__ import annotations

import pytest
import simpy

from sqm_sim.models.ledger import (
    ACCOUNTS,
    APPRAISAL,
    INTERNAL_FAILURE,
    PREVENTION,
    REVENUE,
    Ledger,
    month_of,
    monthly_discount_rate,
)
from sqm_sim.models.tally import Tally
from sqm_sim.models.units import DAYS_PER_MONTH


@pytest.mark.parametrize("annual", [0.0, 0.1, 0.25, 1.0])
def test_monthly_rate_compounds_to_the_annual_rate(annual):
    monthly = monthly_discount_rate(annual)
    assert monthly == pytest.approx((1.0 + annual) ** (1.0 / 12.0) - 1.0, rel=1e-15, abs=0.0)
    assert (1.0 + monthly) ** 12 == pytest.approx(1.0 + annual, rel=1e-14)


def test_ten_percent_a_year_is_about_0_797_percent_a_month():
    assert monthly_discount_rate(0.10) == pytest.approx(0.00797414, abs=1e-8)


def test_month_of_a_time():
    assert month_of(0.0, 12) == 0
    assert month_of(DAYS_PER_MONTH - 1e-9, 12) == 0
    assert month_of(DAYS_PER_MONTH, 12) == 1  # a boundary belongs to the month it opens
    assert month_of(5.5 * DAYS_PER_MONTH, 12) == 5
    assert month_of(11.99 * DAYS_PER_MONTH, 12) == 11
    assert month_of(12 * DAYS_PER_MONTH, 12) == 11  # the horizon itself: the last month
    assert month_of(40 * DAYS_PER_MONTH, 12) == 11


def test_bookings_land_in_the_month_of_the_clock():
    env = simpy.Environment()
    ledger = Ledger(env, months=3)
    assert set(ledger.entries) == set(ACCOUNTS)
    assert all(column == [0.0, 0.0, 0.0] for column in ledger.entries.values())

    def business():
        ledger.book(REVENUE, 100.0)
        yield env.timeout(DAYS_PER_MONTH)
        ledger.book(REVENUE, 40.0)
        ledger.book(REVENUE, 2.0)
        ledger.book(APPRAISAL, 30.0)
        ledger.transfer(APPRAISAL, INTERNAL_FAILURE, 12.0)
        yield env.timeout(5 * DAYS_PER_MONTH)
        ledger.book(REVENUE, 7.0)  # past the horizon: the last month

    env.process(business())
    env.run()
    ledger.book_every_month(PREVENTION, 5.0)
    assert ledger.entries[REVENUE] == [100.0, 42.0, 7.0]
    assert ledger.entries[APPRAISAL] == [0.0, 18.0, 0.0]
    assert ledger.entries[INTERNAL_FAILURE] == [0.0, 12.0, 0.0]
    assert ledger.entries[PREVENTION] == [5.0, 5.0, 5.0]


def test_recurring_and_transferred_amounts_add_to_what_is_booked():
    env = simpy.Environment()
    ledger = Ledger(env, months=2)
    ledger.book(PREVENTION, 1.0)
    ledger.book(INTERNAL_FAILURE, 3.0)
    ledger.book(APPRAISAL, 10.0)
    ledger.book_every_month(PREVENTION, 5.0)
    ledger.transfer(APPRAISAL, INTERNAL_FAILURE, 4.0)
    assert ledger.entries[PREVENTION] == [6.0, 5.0]
    assert ledger.entries[INTERNAL_FAILURE] == [7.0, 0.0]
    assert ledger.entries[APPRAISAL] == [6.0, 0.0]


def test_tally_names_are_its_counters_in_declaration_order():
    names = Tally.names()
    assert names == list(Tally().snapshot())
    assert names[:2] == ["orders_placed", "orders_filled_from_stock"]
    assert names[-1] == "staff_departures"
