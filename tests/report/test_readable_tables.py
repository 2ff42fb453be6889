"""The experiment report's analysis tables in words: headers, display names, KPI labels,
amounts in the KPI's unit, and the means of every KPI with one row per KPI."""

from __future__ import annotations

import math

import pandas as pd

from sqm_sim.report.experiment_sections import display_names, load_outcome
from sqm_sim.report.folder import open_results
from sqm_sim.report.readable_tables import in_words, readable, readable_tables


def test_a_row_is_written_in_its_kpis_unit_with_names_and_words():
    raw = pd.DataFrame(
        [
            {
                "cell": "baseline|a",
                "quantity": "incremental_npv",
                "mean": 1234.4,
                "p_loss": 0.25,
                "p_loss_low": 0.1,
                "p_loss_high": 0.5,
            },
            {
                "cell": "baseline|b",
                "quantity": "retention_rate_annual",
                "mean": 0.8123,
                "p_loss": math.nan,
                "p_loss_low": math.nan,
                "p_loss_high": math.nan,
            },
        ]
    )
    shown = readable(raw, "npv", {"baseline|a": "a", "baseline|b": "b"}, "portfolio")
    assert list(shown.columns) == ["portfolio", "quantity", "mean", "P(worse than none) [CI]"]
    assert shown.iloc[0].tolist() == ["a", "Gain in NPV over none", "1,234", "25 % [10 %, 50 %]"]
    assert shown.iloc[1].tolist() == ["b", "Retention rate annual", "81.23 %", "-"]


def test_the_comparisons_tables_name_no_key_and_no_cell(compare_dir):
    folder, _ = open_results(compare_dir)
    outcome, names = load_outcome(folder), display_names(folder)
    tables = dict(readable_tables(outcome.tables, outcome.facts, names, "portfolio"))
    assert "NPV (currency units): mean and 95% confidence interval per cell" in tables
    for title, table in tables.items():
        headers = " ".join(str(c) for c in table.columns if c not in names.values())
        assert "_" not in headers, f"{title}: a raw column name in {headers}"
        text = table.to_string()
        assert "|" not in text, f"{title}: a scenario|portfolio cell name"
        assert "incremental_" not in text
    means = tables["means of every KPI"]
    assert list(means.columns) == ["KPI", "unit", "none", "process_first", "balanced"]
    npv = means[means["KPI"] == "NPV"].iloc[0]
    assert npv["unit"] == "currency units"
    summary = outcome.tables["summary"]
    expected = summary.query("kpi == 'npv' and cell == 'baseline|none'")["mean"].iloc[0]
    assert npv["none"] == f"{expected:,.0f}"


def test_any_table_in_words_labels_kpis_and_writes_shares_in_percent():
    raw = pd.DataFrame(
        [
            {"kpi": "retention_rate_annual", "noise_share": 0.0445, "variance_across_points": 0.5},
            {"kpi": "npv", "noise_share": math.nan, "variance_across_points": 1234567.0},
        ]
    )
    shown = in_words(raw)
    assert list(shown.columns) == ["KPI", "noise share (capped at 1)", "variance across points"]
    assert shown.iloc[0].tolist() == ["Retention rate annual", "4.45 %", "0.5"]
    assert shown.iloc[1].tolist() == ["NPV", "-", "1,234,567"]
