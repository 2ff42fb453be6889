"""Findings in words agree with the numbers of the tables."""

from __future__ import annotations

import html
import json

import pandas as pd

from sqm_sim.report.findings import (
    amount,
    catch_up_findings,
    correlation_findings,
    difference_findings,
    main_effect_findings,
    ranking_findings,
    run_findings,
)


def test_best_portfolio_named_has_the_highest_mean(compare_dir, compare_report):
    summary = pd.read_csv(compare_dir / "summary.csv")
    npv = summary[summary["kpi"] == "npv"].set_index("portfolio")["mean"]
    best = npv.idxmax()
    sentence = (
        f"{best} has the highest NPV (currency units), {amount(npv[best], 'currency')} (95% CI"
    )
    assert sentence in html.unescape(compare_report)


def test_each_comparison_with_the_best_states_its_significance(compare_dir):
    ranking = pd.read_csv(compare_dir / "ranking.csv")
    names = {cell: cell.split("|")[1] for cell in ranking["cell"]}
    found = ranking_findings(ranking, "npv", "max", names)
    assert len(found) == len(ranking)
    for row in ranking[ranking["rank"] > 1].itertuples():
        sentence = next(s for s in found if f"beats {names[row.cell]} by" in s)
        assert amount(-row.difference_to_best, "currency") in sentence
        expected = "significant at" if row.significantly_worse_than_best else "not significantly"
        assert expected in sentence


def test_lower_is_better_kpis_are_worded_as_lowest():
    ranking = pd.DataFrame(
        {
            "group": ["s", "s"],
            "rank": [1, 2],
            "cell": ["s|a", "s|b"],
            "mean": [10.0, 30.0],
            "ci_low": [8.0, 27.0],
            "ci_high": [12.0, 33.0],
            "difference_to_best": [0.0, 20.0],
            "difference_ci_low": [0.0, 15.0],
            "difference_ci_high": [0.0, 25.0],
            "significantly_worse_than_best": [False, True],
            "comparison_confidence": [0.95, 0.95],
        }
    )
    found = ranking_findings(ranking, "defects_shipped_ppm", "min")
    assert found[0].startswith("s|a has the lowest defects shipped (ppm), 10")
    assert "beats s|b by 20 (paired 95% CI 15 to 25): significant at the 5% level" in found[1]


def test_search_names_the_best_of_the_candidates(search_dir, search_report):
    candidates = pd.read_csv(search_dir / "candidates.csv")
    best = candidates.loc[candidates["mean"].idxmax(), "portfolio"]
    assert f"'{best}' has the best NPV (currency units)" in html.unescape(search_report)


def test_run_findings_quote_the_summary(small_run):
    found = run_findings(small_run.summary, small_run.timeseries)
    summary = small_run.summary
    assert amount(summary["profit"], "currency") in found[0]
    assert f"{100 * summary['coq_share_of_revenue']:.1f} % of revenue;" in found[1]
    with_lost_sales = summary["coq_with_lost_sales_share"]
    assert f"it was {100 * with_lost_sales:.1f} % of revenue" in found[1]
    low, high = 0.15, 0.25
    position = "below" if with_lost_sales < low else "above" if with_lost_sales > high else "within"
    assert f"({position} the 15%-25%" in found[1]
    trend = next(s for s in found if "satisfaction" in s)
    first = small_run.timeseries["mean_satisfaction"].iloc[:2].mean()
    assert f"from {first:.3f}" in trend


def test_run_report_shows_the_summary_values(run_dir, run_report):
    summary = json.loads((run_dir / "summary.json").read_text())
    assert f"{summary['revenue']:,.0f}" in run_report


def test_differences_from_the_reference_are_stated_unless_the_best_is_involved(compare_dir):
    differences = pd.read_csv(compare_dir / "differences.csv")
    npv = differences[differences["kpi"] == "npv"]
    best = {"baseline|balanced"}
    found = difference_findings(differences, "npv", skip=frozenset(best))
    expected = npv[~npv["cell"].isin(best)]
    assert len(found) == len(expected)
    for sentence, row in zip(found, expected.itertuples(), strict=True):
        assert f"{row.cell} changes NPV (currency units) by" in sentence
        assert amount(row.difference, "currency") in sentence
        assert ("significant at" in sentence) == bool(row.significant)


def test_catch_up_month_is_the_last_month_behind():
    months = [1.0, 2.0, 3.0, 4.0]
    cumulative = pd.DataFrame(
        {
            "group": ["none"] * 4 + ["plan"] * 4 + ["never"] * 4,
            "month": months * 3,
            "mean": [10, 20, 30, 40, 5, 12, 33, 50, 1, 2, 3, 4],
        }
    )
    found = catch_up_findings(cumulative, {"plan": "none", "never": "none"})
    assert found[0] == (
        "Worse before better: plan's mean cumulative profit trails none's until month 2 "
        "(by up to 8, in month 2), then pulls ahead to 10 by month 4."
    )
    assert "stays below none's until the end" in found[1]


def test_main_effects_state_first_to_last_level():
    effects = pd.DataFrame(
        {
            "parameter": ["cpk", "cpk"],
            "level": [0.8, 1.33],
            "kpi": ["defects_shipped_ppm"] * 2,
            "mean": [18_000.0, 4_000.0],
            "effect_ci_low": [0.0, -19_000.0],
            "effect_ci_high": [0.0, -9_000.0],
            "significant": [False, True],
        }
    )
    (sentence,) = main_effect_findings(effects, "defects_shipped_ppm", 0.95)
    assert sentence.startswith(
        "Raising cpk from 0.8 to 1.33 moves the mean defects shipped (ppm) from"
    )
    assert "from 18,000 to 4,000" in sentence
    assert sentence.endswith(": significant at the 5% level.")


def test_correlations_name_clear_drivers_strongest_first():
    correlations = pd.DataFrame(
        {
            "parameter": ["a", "b", "c"],
            "kpi": ["npv"] * 3,
            "spearman_rho": [0.4, -0.9, 0.1],
            "p_value": [0.01, 0.0001, 0.7],
        }
    )
    found = correlation_findings(correlations, "npv")
    assert found[0].startswith("b lowers NPV (currency units) (Spearman rank correlation -0.90")
    assert found[1].startswith("a raises NPV (currency units)")
    assert found[2] == "No clear monotone effect on NPV (currency units) (p >= 0.05): c."
