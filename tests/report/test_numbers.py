"""Numbers as text (with and without a KPI unit), as chart labels and as JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sqm_sim.plots.style import compact
from sqm_sim.report.numbers import json_ready, number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "-"),
        (math.nan, "-"),
        (True, "yes"),
        (np.bool_(False), "no"),
        ("abc", "abc"),
        (1234567, "1,234,567"),
        (2.0, "2"),
        (1234.6, "1,235"),
        (0.123456, "0.1235"),
        (np.float64(99.5), "99.5"),
    ],
)
def test_number_without_a_unit(value, text):
    assert number(value) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.12345, "share", "12.35 %"),
        (-1234.5, "currency", "-1,234"),
        (4200.0, "customers", "4,200"),
        (3.14159, "days", "3.14"),
        (math.nan, "currency", "n/a"),
    ],
)
def test_number_with_a_kpi_unit(value, unit, text):
    assert number(value, unit) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (2_250_000, "currency", "2.25M"),
        (-40_000, "currency", "-40k"),
        (950, "currency", "950"),
        (0.125, "share", "12.5%"),
        (27_565.2, "", "27,565"),
        (0.90512, "ppm", "0.9051"),
    ],
)
def test_compact_chart_labels(value, unit, text):
    assert compact(value, unit) == text


def test_json_ready_makes_valid_json():
    data = {1: [np.float64(1.5), math.nan, math.inf], "n": np.int64(3), "t": (None, "x")}
    ready = json_ready(data)
    assert ready == {"1": [1.5, None, None], "n": 3, "t": [None, "x"]}
    assert type(ready["n"]) is int
    json.dumps(ready, allow_nan=False)  # raises if a NaN or infinity slipped through


def test_the_run_table_names_the_unit_of_every_money_row(small_run):
    """``sqm-sim run``'s table: each KPI by its label first and its key last; money rows
    say 'currency units' (a share's value has its %)."""
    from sqm_sim.report.summary_table import as_text, headline_rows

    rows = [line for line in as_text(small_run.summary).splitlines() if line.startswith("  ")]
    lines = {line.split()[-1]: line for line in rows}
    money = [name for _, name, _, unit in headline_rows(small_run.summary) if unit == "currency"]
    assert "npv" in money
    assert lines["npv"].split()[0] == "NPV"
    for name in money:
        assert lines[name].rstrip().removesuffix(name).rstrip().endswith("currency units")
    assert (
        lines["coq_share_of_revenue"].rstrip().removesuffix("coq_share_of_revenue").rstrip()[-1]
        == "%"
    )


def test_a_summary_key_reads_as_words():
    from sqm_sim.report.summary_table import readable_kpi

    assert readable_kpi("npv") == "NPV"
    assert readable_kpi("coq_share_of_revenue") == "CoQ share of revenue"
    assert readable_kpi("defects_shipped_ppm") == "Defects shipped ppm"
    assert readable_kpi("retention_rate_annual") == "Retention rate annual"
