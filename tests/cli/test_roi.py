"""``sqm-sim roi``: through the experiment engine, checked before it runs, readable."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from sqm_sim import initiative_roi, load_scenario
from sqm_sim.cli import main
from sqm_sim.experiments import roi as roi_module
from sqm_sim.portfolios import with_portfolio
from sqm_sim.report.roi_files import month_text, roi_text
from sqm_sim.run.posterior import uncertainty_note
from tests.cli.test_portfolios import SMALL

ROI = ["roi", "baseline", *SMALL, "--portfolio", "process_first", "--replications", "2"]


def _overrides() -> dict:
    keys = SMALL[1::2]
    return dict(item.split("=", 1) for item in keys)


def test_months_are_whole_numbers_and_a_missing_payback_reads_never():
    assert month_text(32.0) == "32"
    assert month_text(0.0) == "0"
    assert month_text(math.nan) == "never"
    table = pd.DataFrame(
        {
            "initiative": ["a", "portfolio"],
            "kind": ["qa_system", "all"],
            "pv_spend": [1000.0, 1000.0],
            "incremental_npv": [-500.0, 2500.4],
            "ci_low": [-900.0, 100.0],
            "ci_high": [-100.0, 4900.0],
            "roi": [-0.5, 2.5],
            "payback_month": [math.nan, 14.0],
            "worst_month": [11.0, 3.0],
            "worst_cumulative": [-1234.0, -50.0],
        }
    )
    text = roi_text(table)
    assert "never" in text.splitlines()[1]
    assert "NaN" not in text
    assert "14.0" not in text
    assert " 14 " in text.splitlines()[2]
    assert "worst_shortfall" in text
    assert "-1,234" in text
    assert " 11" in text.splitlines()[1]


def test_monthly_reporting_is_checked_before_any_run(monkeypatch, capsys):
    def no_runs(*args, **kwargs):
        raise AssertionError("a simulation ran before the input was checked")

    monkeypatch.setattr(roi_module, "run_plan", no_runs)
    assert main([*ROI, "--set", "simulation.report_period_months=3"]) == 2
    err = capsys.readouterr().err
    assert "simulation.report_period_months = 3" in err
    assert "allowed: 1" in err


def test_the_command_gives_initiative_roi_numbers_and_resumes_from_its_folder(tmp_path, capsys):
    out = tmp_path / "roi"
    assert main([*ROI, "--backend", "serial", "--quiet", "--json", "--out", str(out)]) == 0
    first = json.loads(capsys.readouterr().out)
    config = with_portfolio(load_scenario("baseline"), "process_first")
    config = config.with_overrides({key: json.loads(value) for key, value in _overrides().items()})
    expected = initiative_roi(config, [1, 2])
    # the JSON carries 15 significant digits
    rows = first["tables"]["roi"]
    assert [row["incremental_npv"] for row in rows] == pytest.approx(
        list(expected["incremental_npv"]), rel=1e-14
    )
    assert first["facts"] == {
        "scenario": "baseline",
        "portfolio": "process_first",
        "replications": 2,
        "seeds": [1, 2],
        "confidence": 0.95,
        "parameter_uncertainty": uncertainty_note([config], [1, 2]),
    }
    assert first["facts"]["parameter_uncertainty"].startswith(
        "intervals cover simulation noise only"
    )
    assert (out / "roi.csv").is_file()
    # a second call finds every run in the folder and runs none
    assert main([*ROI, "--backend", "serial", "--quiet", "--json", "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out) == first
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert sessions[-1]["runs_run"] == 0
    assert sessions[-1]["runs_skipped"] == 2 * (len(config.portfolio.initiatives) + 2)


def test_an_roi_folder_has_an_html_report(tmp_path, capsys):
    out = tmp_path / "roi"
    assert main([*ROI, "--backend", "serial", "--quiet", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    # as a browser reads it: a <wbr> (where a long name may wrap) adds no text
    html = (out / "report.html").read_text(encoding="utf-8").replace("<wbr>", "")
    assert "<h1>sqm_sim initiative ROI: process_first</h1>" in html
    assert "<th>month of the worst shortfall</th>" in html  # headers in words
    assert "<th>worst_month</th>" not in html
    assert "capability_project" in html
    assert "NaN" not in html
