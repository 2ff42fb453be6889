"""The HTML report of a sensitivity folder: its sections, charts and findings."""

from __future__ import annotations

import base64
import html
import re

import pandas as pd
import pytest

from sqm_sim.cli import main
from sqm_sim.report import build_report
from tests.report.test_html import Page
from tests.support import check_png

ARGS = ["--set", "simulation.horizon_months=3", "--backend", "serial", "--quiet"]


@pytest.fixture(scope="module")
def sobol_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("sens") / "sobol"
    space = out.parent / "space.toml"
    space.write_text(
        '[[parameters]]\nkey = "finance.unit_price"\nlow = 90.0\nhigh = 150.0\n'
        '[[parameters]]\nkey = "finance.warranty_cost_per_claim"\nlow = 100.0\nhigh = 300.0\n'
    )
    code = main(
        [
            "sensitivity",
            "--method",
            "sobol",
            "--n",
            "8",
            "--kpi",
            "npv,mean_satisfaction",
            "--space",
            str(space),
            "--noise-points",
            "2",
            "--out",
            str(out),
            *ARGS,
        ]
    )
    assert code == 0
    return out


def test_sensitivity_report_sections_and_images(sobol_folder):
    text = build_report(sobol_folder)
    page = Page(text)
    assert page.headings[0] == "sqm_sim sensitivity analysis: sensitivity"
    for heading in (
        "What was run",
        "Findings",
        "Parameters varied",
        "Charts",
        "Ranking by KPI",
        "Simulation noise",
        "Convergence",
    ):
        assert heading in page.headings
    assert len(page.images) == 2  # one chart per KPI
    for source in page.images:
        assert source.startswith("data:image/png;base64,")
        check_png(base64.b64decode(source.split(",", 1)[1]))
    assert page.references == page.images
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|file:|/|\.)""", text)


def test_sensitivity_findings_name_the_top_parameter(sobol_folder):
    text = build_report(sobol_folder)
    ranking = pd.read_parquet(sobol_folder / "ranking.parquet")
    top = ranking[(ranking["kpi"] == "npv") & (ranking["rank"] == 1)]["label"].iloc[0]
    assert top == "unit price"
    assert (
        "NPV (currency units), parameters ranked by total-order index ST (share of variance "
        f"involving the parameter): {top}"
    ) in text
    # warranty cost does not touch satisfaction: its ST is exactly zero
    zero = ranking[
        (ranking["kpi"] == "mean_satisfaction")
        & (ranking["parameter"] == "finance.warranty_cost_per_claim")
    ]["value"].iloc[0]
    assert zero == 0.0


def test_report_command_writes_the_page(sobol_folder, capsys):
    assert main(["report", str(sobol_folder)]) == 0
    assert (sobol_folder / "report.html").stat().st_size > 50_000


def test_sensitivity_prose_names_kpis_by_label_and_indices_by_meaning(sobol_folder, tmp_path):
    """The report's sentences, report.md's and the terminal's: no KPI or index key; the
    parameters varied by their schema description with the key in parentheses."""
    from tests.support import prose, raw_kpi_keys

    report = build_report(sobol_folder)
    text = prose(report)
    assert raw_kpi_keys(text) == []
    assert "Parameters ranked by the total-order index ST" in text
    every_word = html.unescape(re.sub(r"<[^>]+>", "", report))  # tables too
    assert "price per unit, booked as revenue at dispatch [currency/unit] (finance.unit_price)" in (
        every_word
    )
    markdown = (sobol_folder / "report.md").read_text()
    sentences = "\n".join(line for line in markdown.splitlines() if not line.startswith("|"))
    assert raw_kpi_keys(sentences) == []
    assert "set at every point: simulated time span [months] (simulation.horizon_months) = 3" in (
        sentences
    )


def test_morris_findings_name_mu_star_by_its_meaning(tmp_path, capsys):
    from tests.support import raw_kpi_keys

    space = tmp_path / "space.toml"
    space.write_text(
        '[[parameters]]\nkey = "finance.unit_price"\nlow = 90.0\nhigh = 150.0\n'
        '[[parameters]]\nkey = "environment.switching_cost"\nlow = 0.1\nhigh = 0.9\n'
    )
    out = tmp_path / "morris"
    argv = ["sensitivity", "--method", "morris", "--n", "2", "--kpi", "npv"]
    argv += ["--space", str(space), "--noise-points", "0", "--out", str(out), *ARGS]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert raw_kpi_keys(printed) == []
    assert "ranked by Morris μ* (mean absolute elementary effect)" in printed
    text = build_report(out)
    from tests.support import prose

    assert raw_kpi_keys(prose(text)) == []
    assert "mu*" not in text
