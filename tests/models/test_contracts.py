"""Contract renewal timing (sqm_sim.models.contracts) by hand, then a reduced company
whose customers all leave at their first real decision."""

from __future__ import annotations

import math
from typing import Any

import pytest

from sqm_sim import Config, simulate
from sqm_sim.models.contracts import NO_CONTRACT, may_leave, next_renewal
from sqm_sim.models.journeys import UNDER_CONTRACT
from sqm_sim.models.units import DAYS_PER_MONTH
from tests.support import fixed_loyalty


def test_a_contract_customer_may_leave_only_from_the_renewal_date():
    assert not may_leave(359.9, 360.0)
    assert may_leave(360.0, 360.0)
    assert may_leave(400.0, 360.0)


def test_a_customer_without_a_contract_may_always_leave():
    assert math.isinf(NO_CONTRACT)
    assert NO_CONTRACT < 0.0
    assert may_leave(0.0, NO_CONTRACT)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (360.0, 720.0),  # a decision on the renewal date renews for one term
        (365.0, 720.0),  # a decision a few days later: the calendar keeps its dates
        (1000.0, 1080.0),  # two terms passed: the next date on the calendar
        (100.0, 360.0),  # before the renewal date nothing changes
    ],
)
def test_the_contract_renews_on_its_own_calendar(now, expected):
    assert next_renewal(360.0, now, 360.0) == expected


# -- a reduced company: every customer under contract, every real decision a loss ---------

TERM_MONTHS = 3.0


def test_a_contract_customer_decides_only_at_renewal():
    """Every customer acquired under a 3-month contract, and every real decision 'leave'
    (logit of -40): each customer stays at every decision before joined + term (context
    'under contract') and leaves at the first decision on or after it."""
    overrides: dict[str, Any] = {
        "simulation.horizon_months": 12,
        "market.initial_customers": 0,
        "market.prospects": 400,
        "acquisition.marketing_rate_per_year": 2.0,
        "acquisition.referral_rate_per_year": 0.0,
        "environment.competitor_churn_per_year": 0.0,
        "market.contract_share": 1.0,
        "market.contract_term_months": TERM_MONTHS,
        **fixed_loyalty(0.0),
    }
    result = simulate(Config().with_overrides(overrides), seed=2, trace_customers=True)
    events = result.journeys
    joined = events.loc[events["event"] == "joined"].set_index("customer_id")["day"]
    decisions = events.loc[events["event"].isin(["stayed", "left"])].copy()
    decisions["renewal"] = decisions["customer_id"].map(joined) + TERM_MONTHS * DAYS_PER_MONTH
    stayed = decisions.loc[decisions["event"] == "stayed"]
    left = decisions.loc[decisions["event"] == "left"]
    assert len(left) > 100
    assert len(stayed) > 100
    assert (stayed["day"] < stayed["renewal"]).all()
    assert stayed["detail"].str.endswith(UNDER_CONTRACT).all()
    assert (left["day"] >= left["renewal"]).all()
    assert not left["detail"].str.endswith(UNDER_CONTRACT).any()
    # each customer leaves at their first decision on or after the renewal date
    first_after = decisions.loc[decisions["day"] >= decisions["renewal"]].groupby("customer_id")
    assert (first_after["event"].first() == "left").all()
    assert result.summary["customers_lost"] == len(left)
