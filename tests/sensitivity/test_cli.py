"""``sqm-sim sensitivity``: files written, options over files, refinement, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sqm_sim.cli import main
from tests.support import TINY_RESULTS_SETS

SMALL = ["--set", "simulation.horizon_months=3", "--backend", "serial", "--quiet"]


@pytest.fixture
def space_file(tmp_path):
    path = tmp_path / "space.toml"
    path.write_text(
        "[[parameters]]\n"
        'key = "finance.unit_price"\nlow = 100.0\nhigh = 140.0\n'
        "[[parameters]]\n"
        'key = "environment.switching_cost"\nlow = 0.2\nhigh = 0.8\nlabel = "lock-in"\n'
    )
    return path


def test_morris_writes_tables_charts_and_report(tmp_path, space_file, capsys):
    out = tmp_path / "morris"
    args = ["sensitivity", "--method", "morris", "--n", "3", "--kpi", "npv,mean_satisfaction"]
    code = main([*args, "--space", str(space_file), "--out", str(out), *SMALL])
    assert code == 0
    text = capsys.readouterr().out
    assert "morris (n = 3) over 2 parameters" in text
    for name in ("indices", "ranking", "convergence", "noise", "points"):
        assert (out / f"{name}.parquet").is_file()
        assert (out / f"{name}.csv").is_file()
    indices = pd.read_parquet(out / "indices.parquet")
    assert set(indices["kpi"]) == {"npv", "mean_satisfaction"}
    assert set(indices["index"]) == {"mu_star", "mu", "sigma"}
    assert (out / "figures" / "morris_npv.png").stat().st_size > 10_000
    report = (out / "report.md").read_text()
    assert "## Findings" in report
    assert "lock-in" in report
    summary = json.loads((out / "sensitivity.json").read_text())
    assert summary["facts"]["design_points"] == 3 * (2 + 1)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sensitivity"
    assert [p["key"] for p in manifest["space"]] == [
        "finance.unit_price",
        "environment.switching_cost",
    ]


def test_a_file_with_command_line_overrides_and_json(tmp_path, space_file, capsys):
    spec = tmp_path / "analysis.toml"
    spec.write_text(
        f'method = "oat"\nspace = "{space_file.name}"\nkpis = ["npv"]\nreplications = 2\n'
    )
    code = main(["sensitivity", str(spec), "--replications", "3", "--json", *SMALL])
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["facts"]["replications"] == 3
    assert payload["facts"]["name"] == "analysis"
    assert {row["parameter"] for row in payload["tornado"]} == {
        "finance.unit_price",
        "environment.switching_cost",
    }


def test_refine_doubles_n_into_the_same_folder(tmp_path, space_file, capsys):
    out = tmp_path / "sobol"
    base = ["sensitivity", "--method", "sobol", "--n", "8", "--kpi", "npv", "--noise-points", "0"]
    assert (
        main([*base, "--space", str(space_file), "--out", str(out), "--ci-target", "1", *SMALL])
        == 0
    )
    capsys.readouterr()
    assert main(["sensitivity", "--refine", str(out), *SMALL]) == 0
    text = capsys.readouterr().out
    assert "sobol (n = 16)" in text
    assert "32 run now, 32 reused" in text  # 16 x (2 + 2) points, the first 8 x 4 reused


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "sobol", "--n", "100"], "power of 2"),
        (["--kpi", "npv,profitt"], "unknown KPI 'profitt'"),
        (["--space", "missing.toml"], "not found"),
        (["--set", "finance.unit_prize=3"], "did you mean 'finance.unit_price'"),
        (["--refine", "."], "not a sensitivity results folder"),
    ],
)
def test_bad_input_exits_2_with_one_message(args, message, capsys):
    assert main(["sensitivity", *args, "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_dry_run_counts_the_runs(capsys):
    assert main(["sensitivity", "--method", "sobol", "--n", "32", "--dry-run"]) == 0
    out = capsys.readouterr().out
    # Saltelli: n (k + 2) points for the 19 default parameters, plus 8 noise points x 4
    assert "672 design points, 704 runs" in out  # 32 * 21 = 672; + 32


SHIPPED = sorted((Path(__file__).parents[2] / "experiments" / "sensitivity").glob("*.toml"))


def test_there_are_shipped_sensitivity_files():
    assert [path.stem for path in SHIPPED] == ["sobol_baseline"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_sensitivity_files_are_valid(path, capsys):
    assert main(["sensitivity", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    # 128 * (19 + 2) = 2688 design points, + 8 noise points x 4 extra seeds = 32 runs
    assert "sobol (n = 128) over 19 parameters: 2688 design points, 2720 runs" in out


@pytest.mark.slow  # a Sobol run, its report and two refinements: ~10 s quiet, ~50 s loaded
def test_a_moved_results_folder_still_reports_and_refines(tmp_path, space_file, capsys):
    """The manifest names the analysis file's folder relative to the results folder: move
    the project (analysis file, space file, results) and both report and refine still work;
    a manifest of an older version (an absolute ``experiment_dir``) still refines."""
    project = tmp_path / "project"
    project.mkdir()
    space_file.rename(project / "space.toml")
    spec = project / "analysis.toml"
    spec.write_text('method = "sobol"\nspace = "space.toml"\nkpis = ["npv"]\nnoise_points = 0\n')
    out = project / "results" / "sobol"
    tiny = [f"{key}={value}" for key, value in TINY_RESULTS_SETS.items()]
    tiny = [arg for pair in tiny if "horizon" not in pair for arg in ("--set", pair)]
    assert main(["sensitivity", str(spec), "--n", "8", "--out", str(out), *SMALL, *tiny]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["experiment_dir"] == "../.."
    assert str(tmp_path) not in json.dumps(manifest["experiment_dir"])
    moved = tmp_path / "elsewhere" / "project"
    moved.parent.mkdir()
    project.rename(moved)
    capsys.readouterr()
    assert main(["report", str(moved / "results" / "sobol")]) == 0
    assert (moved / "results" / "sobol" / "report.html").is_file()
    refine = ["sensitivity", "--refine", str(moved / "results" / "sobol"), "--dry-run"]
    assert main(refine) == 0  # reads space.toml from the moved project
    assert "over 2 parameters" in capsys.readouterr().out  # not the default space
    old = moved / "results" / "sobol" / "manifest.json"
    manifest = json.loads(old.read_text())
    manifest["experiment_dir"] = str(moved)  # as written before: absolute
    old.write_text(json.dumps(manifest))
    assert main(refine) == 0
    assert "over 2 parameters" in capsys.readouterr().out  # not the default space
