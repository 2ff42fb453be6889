"""The scaling table of the ``quick`` size: complete, and the company scaled by hand."""

from __future__ import annotations

import pytest

import sqm_sim
from sqm_sim import Config, ConfigError
from sqm_sim.config import iter_parameters
from sqm_sim.config.keys import INITIATIVE_MODELS, numeric_fields, value_at
from sqm_sim.config.schema import field_at
from sqm_sim.portfolios import shipped_portfolios, with_portfolio
from sqm_sim.scenarios import shipped_scenarios
from sqm_sim.scenarios.sizes import (
    INITIATIVE_SCALING,
    KEPT,
    QUICK_SCALE,
    SCALING,
    at_size,
    scale_overrides,
    size_overrides,
)

F = QUICK_SCALE
SIZE_UNITS = {
    "customers", "people", "agents", "lines", "units", "units/day", "currency",
    "currency/month", "currency/year", "currency/check", "suggestions/person/month",
}  # fmt: skip
"""Units of quantities that grow with the company (or are per head of a count that does)."""
INITIATIVE_MONEY_UNITS = {"currency", "currency/month", "currency/hour"}


def test_every_size_like_parameter_is_scaled_or_kept_with_a_reason():
    size_like = {p.key for p in iter_parameters(Config) if p.unit in SIZE_UNITS}
    size_like |= {"operations.cycle_time.mean"}  # time per unit: the line capacity
    assert size_like <= set(SCALING) | set(KEPT), size_like - set(SCALING) - set(KEPT)
    for key in [*SCALING, *KEPT]:
        found = field_at(Config, key)
        assert found is not None, f"{key} is not a config key"
        assert found[1] is None, f"{key} is a section"
    assert all(reason.strip() for reason in KEPT.values())


def test_every_money_field_of_every_initiative_kind_is_scaled():
    for kind, model in INITIATIVE_MODELS.items():
        for field in numeric_fields(model):
            unit = model.model_fields[field].json_schema_extra["unit"]
            if unit in INITIATIVE_MONEY_UNITS:
                assert field in INITIATIVE_SCALING, f"{kind}.{field} ({unit}) is not scaled"
    known = {field for model in INITIATIVE_MODELS.values() for field in numeric_fields(model)}
    assert set(INITIATIVE_SCALING) <= known


@pytest.fixture(scope="module")
def full() -> Config:
    return with_portfolio(sqm_sim.load_scenario("baseline"), "people_first")


@pytest.fixture(scope="module")
def quick(full) -> Config:
    return at_size(full, "quick")


def demand_per_day(config: Config) -> float:
    """Orders per day of the initial customer base (one unit per purchase cycle)."""
    return config.market.initial_customers / config.market.purchase_cycle.mean


def line_capacity_per_day(config: Config) -> float:
    ops = config.operations
    return ops.production_lines * 24 * 60 / ops.cycle_time.mean


def test_quick_keeps_utilisation_days_of_cover_and_shipping_headroom(full, quick):
    for ratio in (
        lambda c: demand_per_day(c) / line_capacity_per_day(c),
        lambda c: c.operations.reorder_point_units / demand_per_day(c),
        lambda c: c.operations.order_up_to_units / demand_per_day(c),
        lambda c: c.distribution.shipping_capacity_per_day / demand_per_day(c),
    ):
        # rounding a count of about 16-300 to whole units moves a ratio by < 1/(2*16)
        assert ratio(quick) == pytest.approx(ratio(full), rel=1 / 32)


def test_quick_scales_counts_and_money_by_the_factor(full, quick):
    for key in (
        "market.initial_customers",
        "market.prospects",
        "environment.competitor_customers",
        "workforce.operators",
    ):
        assert value_at(quick, key) == round(F * value_at(full, key))
    for key in (
        "finance.fixed_cost_per_month",
        "finance.monitoring_cost_per_check",
        "quality.prevention_spend_per_month",
        "quality.prevention_effect_scale",
        "portfolio.budget_per_year",
    ):
        assert value_at(quick, key) == pytest.approx(F * value_at(full, key))
    for small, large in zip(quick.portfolio.initiatives, full.portfolio.initiatives, strict=True):
        assert small.one_off_cost == pytest.approx(F * large.one_off_cost)
        assert small.recurring_cost_per_month == pytest.approx(F * large.recurring_cost_per_month)
        assert (small.start_month, small.duration_months) == (
            large.start_month,
            large.duration_months,
        )
    # rates, prices and behaviour are kept
    for key in (
        "finance.unit_price",
        "finance.cost_per_inspection",
        "quality.monitoring_interval_days",
        "service.handling_time.mean",
        "operations.process_capability_cpk",
        "environment.switching_cost",
    ):
        assert value_at(quick, key) == value_at(full, key)


def test_totals_per_operator_scale_exactly_when_operators_round(full):
    """7 operators become 1 (not 1.4): suggestions per operator, output per operator and
    training cost per trainee hour are corrected so the company's totals scale by F."""
    odd = full.with_overrides({"workforce.operators": 7})
    small = odd.with_overrides(scale_overrides(odd, F))
    assert small.workforce.operators == 1

    def suggestions(c: Config) -> float:
        return c.workforce.operators * c.involvement.suggestions_per_month

    assert suggestions(small) == pytest.approx(suggestions(odd))  # improvement pace kept
    output_share = small.workforce.learning_reference_units / odd.workforce.learning_reference_units
    assert output_share == pytest.approx(F * 7 / 1)  # reference output per operator

    def training_cost(c: Config) -> float:
        return sum(
            c.workforce.operators * i.trained_share * i.hours_per_trainee * i.cost_per_trainee_hour
            for i in c.portfolio.initiatives if i.kind == "training"
        )  # fmt: skip

    assert training_cost(odd) > 0
    assert training_cost(small) == pytest.approx(F * training_cost(odd))


def test_make_to_order_and_tiny_stock_levels_stay_valid():
    base = Config()
    mto = base.with_overrides(
        {"operations.reorder_point_units": -1, "operations.order_up_to_units": 0}
    )
    quick = mto.with_overrides(scale_overrides(mto, F))
    assert (quick.operations.reorder_point_units, quick.operations.order_up_to_units) == (-1, 0)
    tiny = base.with_overrides(
        {"operations.reorder_point_units": 1, "operations.order_up_to_units": 2}
    )
    quick = tiny.with_overrides(scale_overrides(tiny, F))
    assert quick.operations.reorder_point_units < quick.operations.order_up_to_units


@pytest.mark.parametrize("scenario", [s.name for s in shipped_scenarios()])
@pytest.mark.parametrize("portfolio", ["none", *(name for name, _ in shipped_portfolios())])
def test_every_shipped_scenario_and_portfolio_has_a_valid_quick_size(scenario, portfolio):
    config = sqm_sim.load_scenario(scenario)
    if portfolio != "none":
        config = with_portfolio(config, portfolio)
    quick = at_size(config, "quick")
    assert quick.simulation.horizon_months <= config.simulation.horizon_months
    assert size_overrides(config, "full") == {}


def test_bad_sizes_and_scales_are_refused():
    with pytest.raises(
        ConfigError, match=r"size = 'tiny': unknown run size \(allowed: full, quick\)"
    ):
        size_overrides(Config(), "tiny")
    with pytest.raises(ConfigError, match=r"scale = 0: must be positive"):
        scale_overrides(Config(), 0)
