"""What a reader reads names a KPI by its label and unit, an index by its meaning and a
parameter by its description and unit (key in parentheses): the HTML reports' prose, the
sentences of report.md and of the terminal. Tables keep the CSV's keys in a column of
their own; machine-readable files keep the keys."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from sqm_sim.report import build_report
from sqm_sim.report.names import kpi_label, kpi_words, parameter_label, settings_words
from tests.support import TINY_RESULTS_SETS, prose, raw_kpi_keys


def test_a_kpi_is_named_by_its_label_with_its_unit():
    assert kpi_label("npv") == "NPV (currency units)"
    assert kpi_label("retention_rate_annual") == "retention rate annual (%)"
    assert kpi_label("mean_satisfaction") == "mean satisfaction (0-1 scale)"
    assert kpi_label("defects_shipped_ppm") == "defects shipped (ppm)"  # the unit once
    assert kpi_label("active_customers_end") == "active customers at the end (customers)"
    assert kpi_label("not_a_kpi") == "not_a_kpi"


def test_a_parameter_is_named_by_the_schema_with_its_key_in_parentheses():
    """The words of ``sqm-sim params``: the description's first clause and the unit."""
    assert parameter_label("quality.inspection_coverage") == (
        "share of finished units inspected before they go to stock [share of units] "
        "(quality.inspection_coverage)"
    )
    assert parameter_label("quality.inspection_coverage", short=True) == "inspection coverage"
    # the description up to its first ": " (what follows is a formula)
    assert parameter_label("environment.expectation_growth_per_year") == (
        "yearly growth of the market's state of the art (customs and norms) [1/year] "
        "(environment.expectation_growth_per_year)"
    )
    assert parameter_label("no.such_key") == "no.such_key"
    assert settings_words({"simulation.horizon_months": 24}) == (
        "simulated time span [months] (simulation.horizon_months) = 24"
    )


def test_the_main_kpi_line_names_the_parameters_its_meaning_uses():
    words = kpi_words("npv")
    assert words.startswith("NPV (currency units): net present value of monthly profit")
    assert "[1/year] (finance.annual_discount_rate)" in words
    assert raw_kpi_keys(words) == []
    # a formula's KPI keys in words
    assert kpi_words("retention_rate_annual") == (
        "retention rate annual (%): (1 - churn rate monthly)^12"
    )


def _sentences(markdown: str) -> str:
    """The lines of a report.md that are not table rows."""
    return "\n".join(line for line in markdown.splitlines() if not line.startswith("|"))


def test_the_run_report_names_kpis_by_label(run_dir: Path, run_report: str):
    assert raw_kpi_keys(prose(run_report)) == []
    lines = (run_dir / "report.md").read_text().splitlines()
    rows = [line for line in lines if line.startswith("| ") and "(`" in line]
    assert rows, "the key results table"
    shown = [row.split("|")[2].strip() for row in rows]  # the KPI column
    assert "NPV" in shown
    assert raw_kpi_keys(" ".join(shown)) == []
    assert raw_kpi_keys(_sentences((run_dir / "report.md").read_text())) == []


def test_the_comparison_report_executive_summary_and_findings_name_kpis_by_label(
    compare_dir: Path, compare_report: str
):
    text = prose(compare_report)
    assert raw_kpi_keys(text) == []
    assert "first by the mean of NPV (currency units)" in text
    assert raw_kpi_keys(_sentences((compare_dir / "report.md").read_text())) == []
    assert "## NPV (currency units): mean and 95% confidence interval per cell" in (
        (compare_dir / "report.md").read_text()
    )


def test_the_comparison_report_lists_the_overrides_in_the_words_of_the_schema(
    compare_report: str,
):
    text = prose(compare_report)
    for key in TINY_RESULTS_SETS:
        assert f"({key}) = " in text
    assert "simulated time span [months] (simulation.horizon_months)" in text


def test_the_search_report_names_kpis_by_label(search_dir: Path, search_report: str):
    text = prose(search_report)
    assert raw_kpi_keys(text) == []
    assert "has the best NPV (currency units)" in text
    assert raw_kpi_keys(_sentences((search_dir / "report.md").read_text())) == []


def test_the_terminal_headline_of_an_experiment_names_kpis_by_label(compare_dir: Path):
    from sqm_sim.report.experiment_files import headline
    from sqm_sim.report.experiment_sections import load_outcome
    from sqm_sim.report.folder import open_results

    lines = headline(load_outcome(open_results(compare_dir)[0]))
    assert raw_kpi_keys("\n".join(lines)) == []
    assert any(line.startswith("main KPI: NPV (currency units): ") for line in lines)


def test_the_roi_report_heads_its_table_in_words(tmp_path: Path):
    from sqm_sim.report.roi_files import ROI_COLUMN_WORDS
    from tests.support import _cli

    out = tmp_path / "roi"
    _cli(["roi", "baseline", "--portfolio", "balanced", "--replications", "2", "--out", str(out)])
    report = build_report(out)
    for key, words in ROI_COLUMN_WORDS.items():
        assert f">{key}<" not in report
        assert words in report
    assert raw_kpi_keys(prose(report)) == []


def test_calibration_findings_name_parameters_and_observed_kpis_in_words():
    from sqm_sim.report.calibration_files import VERDICT_SENTENCES, findings

    verdict = next(iter(VERDICT_SENTENCES))
    outcome = SimpleNamespace(
        intervals=pd.DataFrame({"parameter": ["quality.inspection_coverage"], "verdict": verdict}),
        facts={"fit_coverage": 0.9, "credible_level": 0.9, "check_draws": 20},
    )
    sentences = findings(outcome)  # type: ignore[arg-type]
    assert "share of finished units inspected before they go to stock" in sentences[0]
    assert "(quality.inspection_coverage)" in sentences[0]


def test_json_and_csv_keep_the_keys(compare_dir: Path):
    """Machine-readable outputs are unchanged: KPI keys in results.json and the CSVs."""
    results = json.loads((compare_dir / "results.json").read_text())
    assert results["facts"]["kpi"] == "npv"
    assert "npv" in set(pd.read_csv(compare_dir / "summary.csv")["kpi"])
