"""The decision parts of the reports: the executive summary and risk section of a
comparison, the sentences of a failure box, and a run report with a portfolio."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from sqm_sim import simulate
from sqm_sim.portfolios import with_portfolio
from sqm_sim.report import build_report
from sqm_sim.report.executive import NOT_MODELLED, confidence_words
from sqm_sim.report.exploration_files import box_sentence, restriction_words
from tests.support import write_run_folder

JURAN_PHRASE = "firms without a quality programme"


def _text(report: str) -> str:
    """The report's text as a browser shows it (a <wbr> break opportunity adds nothing)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", report.replace("<wbr>", "")))


def test_the_comparison_report_opens_with_the_executive_summary(compare_report):
    headings = re.findall(r"<h2>(.*?)</h2>", compare_report)
    assert headings[0] == "Executive summary"
    assert "Risk beyond the mean: NPV (currency units)" in headings
    summary = _text(compare_report.split("<h2>Executive summary</h2>")[1].split("</section>")[0])
    assert "Recommendation:" in summary
    assert "Confidence:" in summary
    assert "Where it fails: not explored" in summary
    assert NOT_MODELLED in summary
    text = _text(compare_report)
    assert "Initiative spend and return" in text
    assert "capability_project, quality_circles, service_desk" in text  # balanced's initiatives


def _ranking(worse: list[bool]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": range(1, len(worse) + 2),
            "cell": ["best", *[f"c{i}" for i in range(len(worse))]],
            "significantly_worse_than_best": [False, *worse],
            "comparison_confidence": 0.95,
        }
    )


@pytest.mark.parametrize(
    ("worse", "word"),
    [
        ([True, True], "high:"),
        ([True, False], "moderate: not significantly better than c1"),
        ([False, False], "low:"),
    ],
)
def test_confidence_follows_the_ranking_test(worse, word):
    assert confidence_words(_ranking(worse), {}).startswith(word)


def test_box_sentence_reads_the_limits():
    facts = {
        "kpi": "npv",
        "goal": {"metric": "incremental", "threshold": 0.0, "reference": "none"},
        "boxes": {
            "balanced": {
                "found": True,
                "coverage": 0.82,
                "density": 0.77,
                "failures": 18,
                "futures": 40,
            }
        },
    }
    limits = pd.DataFrame(
        {
            "portfolio": ["balanced", "balanced"],
            "factor": [
                "environment.competitor_quality_trend_per_year",
                "portfolio.capability_project.cpk_gain",
            ],
            "low": [0.04, 0.0],
            "high": [0.05, 0.1],
            "range_low": [0.0, 0.0],
            "range_high": [0.05, 0.4],
            "qp_value": [0.001, 0.01],
            "significant": [True, True],
        }
    )
    factors = [
        {"key": "environment.competitor_quality_trend_per_year", "unit": "1/year"},
        {"key": "portfolio.capability_project.cpk_gain", "unit": "Cpk"},
    ]
    sentence = box_sentence("balanced", facts, limits, factors)
    assert sentence == (
        "balanced fails (its NPV (currency units) falls below none's) when competitor quality "
        "trend per year is above 0.04 [1/year] and cpk gain of capability_project is below "
        "0.1 [Cpk] "
        "(coverage 0.82, density 0.77; 18 of 40 futures fail)."
    )
    row = {"low": 0.1, "high": 0.3, "range_low": 0.0, "range_high": 1.0}
    assert restriction_words(row, "x", "") == "x is between 0.1 and 0.3"


def test_a_run_with_a_portfolio_lists_its_initiatives_and_drops_the_no_programme_band(
    small_config, tmp_path, run_report
):
    assert JURAN_PHRASE in _text(run_report)  # the plain run still has it
    config = with_portfolio(small_config, "balanced")
    folder = write_run_folder(tmp_path / "run", simulate(config, seed=3))
    text = _text(build_report(folder))
    assert JURAN_PHRASE not in text
    assert "Initiatives: portfolio balanced" in text
    for initiative in config.portfolio.initiatives:
        assert initiative.name in text
    assert "this run carries the portfolio 'balanced'" in text
