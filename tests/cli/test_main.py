"""The sqm-sim command line: output, files, and clean errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import pandas as pd
import pytest

from sqm_sim import load_scenario
from sqm_sim.cli import main
from sqm_sim.cli.overrides import parse_override

SHORT = ["--set", "simulation.horizon_months=3", "--set", "market.initial_customers=200"]


def test_run_prints_kpi_table(capsys):
    assert main(["run", "baseline", *SHORT]) == 0
    out = capsys.readouterr().out
    for label in (
        "Finance",
        "npv",
        "coq_share_of_revenue",
        "on_time_rate",
        "repurchase_rate",
        "Customers",
        "mean_satisfaction",
        "complaint_rate",
        "market_share_end",
    ):
        assert label in out


def test_run_json_is_the_summary(capsys):
    assert main(["run", "baseline", *SHORT, "--seed", "7", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["horizon_days"] == pytest.approx(3 * 365.25 / 12)
    assert summary["profit"] == pytest.approx(
        summary["revenue"]
        - summary["production_cost"]
        - summary["fixed_cost"]
        - summary["technology_cost"]
        - summary["capacity_cost"]
        - summary["coq_total"]
    )


def test_run_writes_results_folder(tmp_path, capsys):
    out = tmp_path / "run"
    segment = ["--set", "segments.price_driven.price_weight=3.0"]
    assert main(["run", "premium", *SHORT, *segment, "--seed", "3", "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert names == {
        "timeseries.parquet",
        "timeseries.csv",
        "summary.json",
        "config.toml",
        "manifest.json",
        "report.md",
    }
    parquet = pd.read_parquet(out / "timeseries.parquet")
    csv = pd.read_csv(out / "timeseries.csv")
    assert len(parquet) == len(csv) == 3
    pd.testing.assert_frame_equal(parquet, csv, check_dtype=False)
    # the resolved config reloads to the same configuration
    resolved = load_scenario(out / "config.toml")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config_hash"] == resolved.fingerprint()
    assert manifest["seeds"] == [3]
    assert resolved.market.initial_customers == 200
    assert resolved.segments["price_driven"].price_weight == 3.0
    premium = load_scenario("premium")
    assert resolved.segments["quality_driven"] == premium.segments["quality_driven"]
    assert "## Key results" in (out / "report.md").read_text()


def test_scenarios_lists_each_with_description(capsys):
    assert main(["scenarios", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    required = {"baseline", "commodity", "deregulation", "premium", "tech_shift"}
    assert required <= {s["name"] for s in listed}
    assert all(s["description"] for s in listed)


def test_params_json_documents_every_key(capsys):
    assert main(["params", "--json"]) == 0
    params = json.loads(capsys.readouterr().out)
    keys = {p["key"] for p in params}
    assert "service.complaint_probability" in keys
    assert "operations.cycle_time.mean" in keys
    # named segments are listed with their names, every field of each
    assert "segments.price_driven.price_weight" in keys
    assert "segments.quality_driven.share" in keys
    cycle_mean = next(p for p in params if p["key"] == "operations.cycle_time.mean")
    assert cycle_mean["unit"] == "minutes"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "baseline", "--set", "service.complaint_probability=1.5"], "0 <= value <= 1"),
        (["run", "baseline", "--set", "service.complaint_probabilty=0.5"], "did you mean"),
        (["run", "baseline", "--set", "segments.price_driven.share=0.5"], "shares must sum to 1"),
        (["run", "baseline", "--set", "simulation.horizon_months=2.5"], "valid integer"),
        (["run", "baseline", "--set", "novalue"], "key=value"),
        (["run", "no_such_scenario"], "unknown scenario"),
        (["run", "missing/file.toml"], "not found"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(args, expected, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("sqm-sim: error:")
    assert expected in err
    assert "Traceback" not in err


def test_console_script_reports_errors_without_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "sqm_sim.cli", "run", "baseline", "--set", "finance.unit_price=-1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "finance.unit_price = -1" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a.b=0.4", ("a.b", 0.4)),
        ("a.b=3", ("a.b", 3)),
        ("a.b=true", ("a.b", True)),
        ("a.b=exponential", ("a.b", "exponential")),
        ('a.b={kind="exponential", mean=2.0}', ("a.b", {"kind": "exponential", "mean": 2.0})),
        ("a.b=__import__('os')", ("a.b", "__import__('os')")),
    ],
)
def test_override_values_are_toml_data_never_code(text, expected):
    assert parse_override(text) == expected


def test_resolved_config_is_valid_toml(tmp_path):
    assert main(["run", "baseline", *SHORT, "--out", str(tmp_path), "--format", "csv"]) == 0
    data = tomllib.loads((tmp_path / "config.toml").read_text())
    assert data["simulation"]["horizon_months"] == 3
    assert not (tmp_path / "timeseries.parquet").exists()
