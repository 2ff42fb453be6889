"""A customer's journey: picking a customer by what happened to them, the episodes and the
story told from the trace, and the timeline chart's options."""

from __future__ import annotations

import pandas as pd
import pytest

import sqm_sim
from sqm_sim.app.charts import journey_chart
from sqm_sim.app.journey import PICKS, journey_of, month_of, pick_customer, story
from sqm_sim.app.whatif import OWN_PORTFOLIO, RunCache, whatif_config
from sqm_sim.models.journeys import COLUMNS
from sqm_sim.models.units import DAYS_PER_MONTH

M = DAYS_PER_MONTH


def trace(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(COLUMNS))


# customer 7 joins in month 3, gets a defective unit in month 11, claims, is resolved
# fast and stays; customer 8 gets a late delivery, keeps silent and leaves; customer 9 is
# a customer from the start with no problem.
TRACE = trace(
    [
        (0.0, 9, "joined", "price_driven", 0.92, 0.9),
        (2.5 * M, 7, "joined", "quality_driven", 0.92, 0.95),
        (3.2 * M, 8, "joined", "price_driven", 0.92, 0.9),
        (4.0 * M, 7, "delivery", "ok", 0.90, 0.95),
        (4.0 * M, 7, "stayed", "no problem", 0.90, 0.95),
        (5.5 * M, 8, "delivery", "late", 0.55, 0.85),
        (5.5 * M, 8, "left", "silent", 0.55, 0.85),
        (6.0 * M, 9, "delivery", "ok", 0.91, 0.9),
        (6.0 * M, 9, "stayed", "no problem", 0.91, 0.9),
        (10.2 * M, 7, "delivery", "defective+late", 0.62, 0.9),
        (10.2 * M, 7, "claim", "first", 0.62, 0.9),
        (10.4 * M, 7, "closed", "resolved fast", 0.97, 0.9),
        (10.4 * M, 7, "stayed", "resolved fast", 0.97, 0.9),
    ]
)


def test_months_are_numbered_from_one():
    assert month_of(0.0) == 1
    assert month_of(M - 1e-9) == 1
    assert month_of(M) == 2


def test_each_pick_finds_the_customer_it_names():
    assert pick_customer(TRACE, "defect") == 7
    assert pick_customer(TRACE, "won_back") == 7
    assert pick_customer(TRACE, "left") == 8
    assert pick_customer(TRACE, 9) == 9
    assert pick_customer(TRACE, "9") == 9


def test_a_leaver_after_a_problem_is_preferred_to_an_earlier_leaver_without_one():
    early = trace(
        [
            (0.0, 1, "joined", "price_driven", 0.92, 0.9),
            (0.0, 2, "joined", "price_driven", 0.92, 0.9),
            (1.0, 1, "delivery", "ok", 0.9, 0.9),
            (1.0, 1, "left", "no problem", 0.9, 0.9),
            (9.0, 2, "delivery", "damaged", 0.4, 0.9),
            (9.0, 2, "left", "silent", 0.4, 0.9),
        ]
    )
    assert pick_customer(early, "left") == 2
    assert pick_customer(early.iloc[:4], "left") == 1


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        (12, "customer 12: not in this run (allowed: 0 to 9)"),
        ("nobody", "pick = 'nobody': allowed a customer id or one of defect, won_back, left"),
    ],
)
def test_an_unknown_customer_is_refused_in_one_line(pick, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        pick_customer(TRACE, pick)


def test_a_run_without_such_a_customer_says_so():
    with pytest.raises(ValueError, match="this run has no customer who left"):
        pick_customer(TRACE[TRACE["customer_id"] != 8], "left")


def test_the_story_tells_the_causal_chain_from_the_events():
    journey = journey_of(TRACE, 7, 24)
    (episode,) = journey.episodes
    assert (episode.problem, episode.voice, episode.outcome, episode.decision) == (
        "defective+late",
        "claim",
        "resolved fast",
        "stayed",
    )
    assert (episode.satisfaction_before, episode.satisfaction_after) == (0.90, 0.97)
    assert story(journey) == (
        "Customer 7 (quality-driven) joined in month 3; received a defective unit (late too) "
        "in month 11, claimed, was resolved fast, stayed (satisfaction 0.90 → 0.97); and was "
        "still a customer at the end of month 24. In all: 2 deliveries, 1 with a problem; "
        "satisfaction 0.92 → 0.97, expectation 0.95 → 0.90 (1 = a flawless delivery of a "
        "product at the market's standard; a demanding customer's expectation can exceed it)."
    )


def test_a_silent_leaver_and_a_customer_without_problems():
    assert story(journey_of(TRACE, 8, 24)).startswith(
        "Customer 8 (price-driven) joined in month 4; received a late delivery in month 6, "
        "kept silent, left in month 6 (satisfaction 0.92 → 0.55). In all: 1 delivery,"
    )
    assert story(journey_of(TRACE, 9, 24)).startswith(
        "Customer 9 (price-driven) was a customer from the start and was still a customer "
        "at the end of month 24. In all: 1 delivery, none with a problem;"
    )


def test_the_chart_marks_the_problems_the_voice_the_outcome_and_the_month_they_left():
    option = journey_chart("t", journey_of(TRACE, 7, 24).events, None)
    series = {item["name"]: item for item in option["series"]}
    assert series["satisfaction"]["data"][-1] == [11.4, 0.97]
    assert [p["name"] for p in series["delivery problem"]["data"]] == ["defective+late"]
    assert series["claim or complaint"]["data"][0]["value"] == [11.2, 0.62]
    assert series["resolved"]["data"][0]["value"] == [11.4, 0.97]
    assert series["unresolved"]["data"] == []
    assert "markLine" not in series["satisfaction"]
    assert option["xAxis"]["min"] == 3  # joined in month 3
    leaver = journey_of(TRACE, 8, 24)
    left = journey_chart("t", leaver.events, leaver.left_day)["series"][0]["markLine"]
    assert left["data"] == [{"xAxis": 6.5}]
    assert left["label"]["formatter"] == "left (month 6)"


def test_every_pick_tells_a_story_in_a_real_traced_run_that_agrees_with_the_customers_table():
    config = whatif_config("baseline", OWN_PORTFOLIO, {})
    cache = RunCache()
    result = cache.run(config, 1, trace_customers=True)
    assert cache.run(config, 1) is result  # a traced run answers the untraced request
    plain = sqm_sim.simulate(config, 1)
    pd.testing.assert_frame_equal(result.timeseries, plain.timeseries)
    customers = result.customers.set_index("customer_id")
    for pick in PICKS:
        customer = pick_customer(result.journeys, pick)
        journey = journey_of(result.journeys, customer, config.simulation.horizon_months)
        row = customers.loc[customer]
        assert journey.segment == row["segment"]
        assert journey.events["satisfaction"].iloc[-1] == pytest.approx(row["satisfaction_end"])
        lost = row["lost_day"]
        assert (journey.left_day is None) == pd.isna(lost)
        if pick == "left":
            assert journey.left_day == pytest.approx(lost)
        if pick == "defect":
            assert any("defective" in e.problem for e in journey.episodes)
        if pick == "won_back":
            assert any(
                e.outcome and e.outcome.startswith("resolved") and e.decision == "stayed"
                for e in journey.episodes
            )
        assert f"Customer {customer} " in story(journey)
