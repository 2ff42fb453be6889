"""Customer journeys (the opt-in event trace): recording them changes nothing, and they
agree with the run's own counts and its customers table."""

from __future__ import annotations

import pandas as pd
import pytest

from sqm_sim import Config, simulate
from sqm_sim.models.journeys import delivery_detail
from tests.support import FREE_FULL_WALLET

# A small company with many problems and loud customers: every kind of event occurs.
NOISY: dict = {
    **FREE_FULL_WALLET,
    # gaps as before issue 13's recalibration: an order still in transit when its customer
    # leaves is delivered but is no experience, and with these gaps this seed has none
    "market.purchase_cycle": {"kind": "gamma", "mean": 30.0, "cv": 0.5},
    "simulation.horizon_months": 12,
    "market.initial_customers": 300,
    "market.prospects": 2000,
    "operations.design_defect_ppm": 40_000.0,
    "distribution.damage_probability": 0.02,
    "service.claim_probability": 0.7,
    "service.complaint_probability": 0.6,
    "service.fast_resolution_days": 0.25,
}


@pytest.fixture
def runs():
    """Per test, not per module: mutation testing runs only the tests that reach the code,
    and a module-scoped run would count for the first test alone."""
    config = Config().with_overrides(NOISY)
    return simulate(config, 4), simulate(config, 4, trace_customers=True)


def test_tracing_changes_no_number(runs):
    plain, traced = runs
    assert plain.journeys is None
    assert plain.summary == traced.summary
    pd.testing.assert_frame_equal(plain.timeseries, traced.timeseries)
    pd.testing.assert_frame_equal(plain.customers, traced.customers)


def test_journeys_agree_with_the_run_counts(runs):
    _, traced = runs
    events, summary = traced.journeys, traced.summary
    counts = events["event"].value_counts()
    assert counts["joined"] == len(traced.customers)
    assert counts["left"] == summary["customers_lost"]
    assert counts["stayed"] == summary["repurchases"]
    assert counts["stayed"] + counts["left"] == summary["repurchase_decisions"]
    assert counts["claim"] + counts["complaint"] == summary["complaints_filed"]
    assert counts["closed"] == summary["complaints_closed"]
    assert counts["delivery"] == summary["units_delivered"]
    assert counts["cancelled"] == summary["orders_cancelled"]
    closed = events.loc[events["event"] == "closed", "detail"].value_counts()
    assert closed["resolved fast"] == summary["complaints_resolved_fast"]
    assert closed["resolved fast"] + closed["resolved slowly"] == summary["complaints_resolved"]
    # a unit both defective and damaged is one claim but two tallies
    wrong = events.loc[events["event"] == "delivery", "detail"]
    defective = wrong.str.contains("defective").sum()
    assert 0 < summary["warranty_claims"] < defective
    assert counts["claim"] <= summary["warranty_claims"] + summary["damage_claims"]
    for kind in ("first", "repeat"):
        assert (events.loc[events["event"].isin(["claim", "complaint"]), "detail"] == kind).any()


def test_each_customer_ends_their_journey_as_the_customers_table_says(runs):
    _, traced = runs
    events = traced.journeys
    last = events.groupby("customer_id").tail(1).set_index("customer_id").sort_index()
    table = traced.customers.set_index("customer_id").sort_index()
    assert (last["satisfaction"] == table["satisfaction_end"]).all()
    assert (last["expectation"] == table["expectation_end"]).all()
    left = events.loc[events["event"] == "left"].set_index("customer_id")["day"]
    assert (left == table.loc[left.index, "lost_day"]).all()
    assert table.loc[~table["active_end"]].index.isin(left.index).all()


def test_decisions_name_what_preceded_them(runs):
    _, traced = runs
    events = traced.journeys
    decisions = events.loc[events["event"].isin(["stayed", "left"])]
    # a decision after a complaint comes right after the complaint's outcome
    for index in decisions.index[decisions["detail"].str.startswith(("resolved", "unresolved"))]:
        previous = events.loc[: index - 1]
        previous = previous[previous["customer_id"] == events.at[index, "customer_id"]].iloc[-1]
        assert previous["event"] == "closed"
        assert events.at[index, "detail"].split(" (")[0] == previous["detail"]
    assert set(decisions["detail"].str.replace(" (repeat)", "")) == {
        "no problem",
        "silent",
        "unresolved",
        "resolved slowly",
        "resolved fast",
    }


def test_delivery_detail_names_what_went_wrong():
    assert delivery_detail(False, False, True) == "ok"
    assert delivery_detail(True, False, True) == "defective"
    assert delivery_detail(True, True, False) == "defective+damaged+late"
    assert delivery_detail(False, False, False) == "late"


def test_the_recorder_keeps_each_event_with_the_customer_state_after_it():
    from types import SimpleNamespace

    from sqm_sim.models.journeys import COLUMNS, EVENTS, JourneyRecorder

    recorder = JourneyRecorder()
    customer = SimpleNamespace(id=7, satisfaction=0.9, expectation=0.8)
    recorder.record(0.0, customer, "joined", "quality_driven")
    customer.satisfaction = 0.4
    recorder.record(12.5, customer, "delivery", "defective")
    recorder.record(13.0, customer, "left")
    table = recorder.table()
    assert list(table.columns) == list(COLUMNS)
    assert table.values.tolist() == [
        [0.0, 7, "joined", "quality_driven", 0.9, 0.8],
        [12.5, 7, "delivery", "defective", 0.4, 0.8],
        [13.0, 7, "left", "", 0.4, 0.8],
    ]
    assert list(table["event"].cat.categories) == list(EVENTS)
