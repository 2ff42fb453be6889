"""Colours and axis formats shared by the charts."""

from __future__ import annotations

from sqm_sim.plots.style import (
    COQ_CATEGORIES,
    NO_INITIATIVES_COLOUR,
    axis_label,
    group_colours,
    money,
)


def test_group_colours_are_stable_and_none_is_grey():
    first = group_colours(["process_first", "none", "balanced"])
    second = group_colours(["balanced", "process_first", "none"])
    assert first == second
    assert first["none"] == NO_INITIATIVES_COLOUR
    assert len({first["balanced"], first["process_first"], first["none"]}) == 3


def test_coq_categories_have_distinct_colours():
    colours = [colour for _, colour in COQ_CATEGORIES.values()]
    assert len(set(colours)) == 4


def test_money_ticks_are_short():
    assert money(2_250_000) == "2.25M"
    assert money(-40_000) == "-40k"
    assert money(950) == "950"


def test_axis_labels_carry_the_documented_unit():
    assert axis_label("profit") == "Profit per month (currency units)"
    assert axis_label("retention_rate_annual").endswith("(%)")
    assert axis_label("mean_satisfaction").endswith("(0-1 scale)")
