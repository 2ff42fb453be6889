"""Saving the what-if comparison: the results folder and report of ``sqm-sim report``,
from the very runs the page showed, and the side-by-side table as CSV."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import sqm_sim
from sqm_sim.app.export import CONFIG_FILES, RESULTS, export_comparison, table_csv
from sqm_sim.app.levers import starting_values
from sqm_sim.app.whatif import (
    OWN_PORTFOLIO,
    mean_summary,
    reference_config,
    run_pair,
    side_by_side,
    whatif_config,
)
from sqm_sim.cli import main


@pytest.fixture(scope="module")
def pair():
    values = {
        **starting_values(sqm_sim.load_scenario("baseline")),
        "quality.prevention_spend_per_month": 2500.0,
    }
    whatif = whatif_config("baseline", OWN_PORTFOLIO, values)
    return run_pair(reference_config("baseline"), whatif, (3, 4))


def test_the_report_is_that_of_sqm_sim_report_from_the_runs_the_page_showed(pair, tmp_path):
    shown = {(r.config.fingerprint(), r.seed): r for r in (*pair.reference, *pair.whatif)}
    asked: list[tuple[str, int]] = []

    def the_shown_run(config, seed):  # a config that did not survive its file fails here
        asked.append((config.fingerprint(), seed))
        return shown[asked[-1]]

    report = export_comparison(
        pair.reference[0].config,
        pair.whatif[0].config,
        pair.seeds,
        tmp_path,
        description="from a test",
        run=the_shown_run,
    )
    assert sorted(asked) == sorted(shown)
    assert report == tmp_path / "report.html"
    html = report.read_text(encoding="utf-8")
    assert "data:image/png;base64," in html  # charts embedded
    assert 'src="http' not in html  # nothing fetched
    assert "<link" not in html
    assert "from a test" in html
    for file in CONFIG_FILES.values():
        assert sqm_sim.load_scenario(str(tmp_path / file)).fingerprint() in {k[0] for k in shown}
    summary = pd.read_csv(tmp_path / RESULTS / "summary.csv").set_index(["scenario", "kpi"])
    for side, runs in (("reference", pair.reference), ("what-if", pair.whatif)):
        for kpi in ("npv", "coq_total"):
            assert summary.at[(side, kpi), "mean"] == pytest.approx(mean_summary(runs, kpi))
            assert summary.at[(side, kpi), "n"] == 2
    again = tmp_path / "again.html"
    assert main(["report", str(tmp_path / RESULTS), "--out", str(again)]) == 0
    assert again.read_text(encoding="utf-8").count("<h2") == html.count("<h2")


def test_the_kpi_table_as_csv_holds_the_side_by_side_numbers(pair):
    table = pd.read_csv(io.StringIO(table_csv(pair))).set_index("key")
    rows = side_by_side(pair)
    assert list(table.index) == [row.key for row in rows]
    for row in rows:
        assert table.at[row.key, "reference"] == pytest.approx(row.reference, rel=1e-12)
        assert table.at[row.key, "what-if"] == pytest.approx(row.whatif, rel=1e-12)
        assert table.at[row.key, "unit"] == row.unit


def test_one_seed_is_reported_without_intervals(tmp_path):
    # the page runs one seed by default; the report's KPI table then has no interval
    config = reference_config("baseline").with_overrides({"simulation.horizon_months": 3})
    report = export_comparison(config, config, (1,), tmp_path)
    html = report.read_text(encoding="utf-8")
    share = 100 * sqm_sim.simulate(config, 1).summary["retention_rate_annual"]
    assert f"{share:.1f} % [-, -]" in html
