"""The KPI catalogue against what the model and a real run produce, and its own rules."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from sqm_sim import Config, ConfigError
from sqm_sim.experiments.spec import DEFAULT_KPIS
from sqm_sim.experiments.summaries import check_kpis, default_direction
from sqm_sim.models import build_world
from sqm_sim.models.ledger import ACCOUNTS
from sqm_sim.models.random_streams import RandomStreams
from sqm_sim.models.tally import Tally
from sqm_sim.report.summary_table import HEADLINE_KPIS
from sqm_sim.run import kpis
from sqm_sim.run.catalogue import (
    BY_NAME,
    CATALOGUE,
    COLUMNS,
    HEADLINE_GROUPS,
    SUMMARY_KPIS,
    Kpi,
    check_catalogue,
    direction,
    experiment_defaults,
    headline_kpis,
    sensitivity_defaults,
)
from sqm_sim.sensitivity.spec import DEFAULT_SENSITIVITY_KPIS, parse_sensitivity


def names_from(origin: str) -> set[str]:
    return {kpi.name for kpi in CATALOGUE if kpi.origin == origin}


# -- the catalogue against the model and a real run ------------------------------------------
def test_every_timeseries_column_is_declared_and_every_declared_column_is_produced(small_run):
    assert list(small_run.timeseries.columns) == [kpi.name for kpi in COLUMNS]


def test_every_summary_key_is_declared_and_every_declared_key_is_produced(small_run):
    assert list(small_run.summary) == list(SUMMARY_KPIS)


def test_integer_columns_are_the_declared_ones(small_run):
    for kpi in COLUMNS:
        dtype = small_run.timeseries[kpi.name].dtype
        assert dtype == (np.int64 if kpi.integer else np.float64), kpi.name


def test_model_counters_are_the_tally_kpis():
    assert set(Tally.names()) == names_from("tally")


def test_model_levels_are_the_model_kpis(small_config):
    world = build_world(simpy.Environment(), small_config, RandomStreams(1))
    assert set(world.levels()) == names_from("model")


def test_ledger_accounts_are_the_ledger_kpis():
    assert set(ACCOUNTS) == names_from("ledger")


def test_config_kpis_read_numbers_from_the_config():
    config = Config()
    for kpi in CATALOGUE:
        if kpi.origin == "config":
            value = config
            for part in kpi.source.split("."):
                value = getattr(value, part)
            assert isinstance(value, int | float), kpi.name


# -- the catalogue's own rules ------------------------------------------------------------------
@pytest.mark.parametrize("kpi", CATALOGUE, ids=lambda kpi: kpi.name)
def test_every_kpi_is_documented_with_a_unit_and_a_kind(kpi: Kpi):
    assert kpi.unit.strip()
    assert kpi.description.strip()
    assert kpi.kind in {"period", "flow", "level", "ratio"}
    assert (kpi.direction is None) == (kpi.kind == "period"), "only period columns lack one"


def test_ratio_parts_are_columns_of_the_right_kind():
    for kpi in CATALOGUE:
        if kpi.ratio is None:
            continue
        numerator, denominator, scale = kpi.ratio
        assert kpi.kind == "ratio"
        assert BY_NAME[numerator].in_timeseries
        assert BY_NAME[denominator].in_timeseries
        # whole-run ratios divide totals of flows; period-end shares divide levels
        parts = "flow" if "ratio" in kpi.aggregates else "level"
        assert BY_NAME[numerator].kind == BY_NAME[denominator].kind == parts, kpi.name
        assert scale > 0


def test_summary_only_kpis_total_a_flow_column():
    for kpi in CATALOGUE:
        if "total_of" in kpi.aggregates:
            assert not kpi.in_timeseries
            assert BY_NAME[kpi.source].kind == "flow"
            assert BY_NAME[kpi.source].in_timeseries


def test_end_values_are_summarised_for_levels_only():
    for key, kpi in SUMMARY_KPIS.items():
        if key.endswith("_end") and key != kpi.name:
            assert kpi.kind == "level", key


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (Kpi("npv", "currency", "again", "flow", "max", "derived"), "duplicate names"),
        (
            Kpi(
                "x_rate", "share", "x", "ratio", "max", "derived", ratio=("x", "units_produced", 1)
            ),
            "names an unknown KPI",
        ),
        (Kpi("x", "days", "x", "flow", "max", "derived", summary=("total_of",)), "source"),
        (Kpi("x", "units", "x", "flow", "max", "tally", headline=("Money", 1)), "headline group"),
    ],
)
def test_an_inconsistent_entry_is_refused(entry, message):
    with pytest.raises(ValueError, match=message):
        check_catalogue((*CATALOGUE, entry))


# -- directions -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("npv", "max"),
        ("profit", "max"),
        ("coq_total", "min"),
        ("coq_share_of_revenue", "min"),
        ("profit_margin", "max"),
        ("defects_shipped_ppm", "min"),
        ("on_time_rate", "max"),
        ("mean_satisfaction", "max"),
        ("share_dissatisfied", "min"),
        ("churn_rate_monthly", "min"),
        ("retention_rate_annual", "max"),
        ("active_customers_end", "max"),
        ("backorders_open_end", "min"),
        ("defect_probability_end", "min"),
        # the firm's view of queues, rework and the market around it
        ("awaiting_dispatch_end", "min"),
        ("work_orders_open_end", "min"),
        ("units_in_rework_end", "min"),
        ("competitor_customers_end", "min"),
        ("competitor_quality_end", "min"),
        ("state_of_the_art_end", "min"),
        ("switching_cost_end", "max"),
        ("improvement_factor_end", "min"),  # a multiplier on defects: falls as it improves
        # the terminal state of the people and the process
        ("capability_end", "max"),
        ("improvement_time_share_end", "max"),
        ("schedule_pressure_end", "min"),
        ("average_skill_end", "max"),
    ],
)
def test_directions(key, expected):
    assert direction(key) == expected
    assert default_direction(key) == expected


def test_every_summary_kpi_has_a_direction_and_an_end_value_shares_its_levels():
    for key, kpi in SUMMARY_KPIS.items():
        assert direction(key) in {"max", "min"}, key
        assert direction(key) == kpi.direction


# -- derived lists ------------------------------------------------------------------------------
def test_headline_table_lists_summary_keys_in_declared_groups():
    assert headline_kpis() == HEADLINE_KPIS
    assert list(HEADLINE_KPIS) == list(HEADLINE_GROUPS)
    for group, keys in HEADLINE_KPIS.items():
        assert keys, group
        assert set(keys) <= set(SUMMARY_KPIS)
    positions = [kpi.headline for kpi in CATALOGUE if kpi.headline]
    assert len(positions) == len(set(positions)), "two KPIs share a headline position"


def test_experiment_defaults_are_summary_keys_main_kpi_first():
    assert experiment_defaults() == DEFAULT_KPIS
    assert DEFAULT_KPIS[0] == "npv"
    assert set(DEFAULT_KPIS) <= set(SUMMARY_KPIS)
    assert len(set(DEFAULT_KPIS)) == len(DEFAULT_KPIS)


def test_sensitivity_defaults_are_profit_loyalty_and_satisfaction():
    assert sensitivity_defaults() == DEFAULT_SENSITIVITY_KPIS
    assert DEFAULT_SENSITIVITY_KPIS == ("npv", "retention_rate_annual", "mean_satisfaction")
    assert parse_sensitivity({}).kpis == list(DEFAULT_SENSITIVITY_KPIS)
    assert set(DEFAULT_SENSITIVITY_KPIS) <= set(SUMMARY_KPIS)


def test_kpi_doc_covers_every_column_and_summary_key():
    for name in [*kpis.COLUMN_DOCS, *SUMMARY_KPIS]:
        unit, description = kpis.kpi_doc(name)
        assert unit, name
        assert description, name
    assert kpis.kpi_doc("active_customers_end") == ("customers", "active_customers at the end")


# -- experiments accept exactly the catalogue's summary KPIs -------------------------------------
def test_experiments_accept_every_summary_kpi():
    assert check_kpis(list(SUMMARY_KPIS)) == list(SUMMARY_KPIS)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["npv", "profitt"], "kpis: unknown KPI 'profitt' (did you mean profit"),
        (["profit_end"], "unknown KPI 'profit_end'"),  # a flow has no end value
        (["period"], "unknown KPI 'period'"),  # a column, not a summary KPI
        (["horizon"], "unknown KPI 'horizon'"),
    ],
)
def test_experiments_refuse_a_kpi_unknown_to_the_catalogue(names, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        check_kpis(names)


def test_checking_kpis_runs_no_simulation(monkeypatch):
    import sqm_sim.run

    def no_simulation(*_args, **_kwargs):
        raise AssertionError("check_kpis ran a simulation")

    monkeypatch.setattr(sqm_sim.run, "simulate", no_simulation)
    assert check_kpis(["npv", "active_customers_end"]) == ["npv", "active_customers_end"]
