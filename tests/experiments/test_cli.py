"""The compare, search and experiment subcommands (through the same handlers that
``sqm-sim`` calls)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sqm_sim.experiments.spec import load_experiment

from .conftest import TINY
from .helpers import run_cli

SETS = [arg for key, value in TINY.items() for arg in ("--set", f"{key}={value}")]
SERIAL = ["--backend", "serial", "--quiet"]
EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


def test_compare_prints_json_with_differences_and_robustness(capsys):
    code = run_cli(
        [
            "compare",
            "baseline",
            "commodity",
            "--portfolios",
            "none",
            "balanced",
            "--reference",
            "none",
            "--replications",
            "3",
            "--kpis",
            "npv,coq_total",
            "--json",
            *(
                a if a != "simulation.horizon_months=6" else "simulation.horizon_months=9"
                for a in SETS
            ),
            *SERIAL,
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    facts, tables = data["facts"], data["tables"]
    assert facts["runs"] == 12
    assert facts["failed"] == 0
    assert facts["seeds"] == [1, 2, 3]
    assert {row["cell"] for row in tables["differences"]} == {
        "baseline|balanced",
        "commodity|balanced",
    }
    assert {row["portfolio"] for row in tables["robustness"]} == {"none", "balanced"}
    assert facts["minimax_regret_portfolio"] in {"none", "balanced"}


def test_compare_sequential_mode_stops_at_the_cap(capsys):
    code = run_cli(
        [
            "compare",
            "baseline",
            "--portfolios",
            "none",
            "--kpi",
            "npv",
            "--replications",
            "2",
            "--precision",
            "0.0001",
            "--batch",
            "1",
            "--max-replications",
            "3",
            "--json",
            *SETS,
            *SERIAL,
        ]
    )
    assert code == 0
    facts = json.loads(capsys.readouterr().out)["facts"]
    assert facts["precision_reached"] is False
    assert facts["replications"] == 3
    assert facts["runs"] == 3


def test_search_writes_the_frontier_and_the_best_portfolio(tmp_path, capsys):
    menu = tmp_path / "menu.toml"
    menu.write_text(
        textwrap.dedent("""
        budget_per_year = 30000.0
        [[initiatives]]
        kind = "qa_system"
        name = "qa"
        duration_months = 2
        one_off_cost = 10000.0
        [[initiatives]]
        kind = "customer_service"
        name = "desk"
        duration_months = 2
        one_off_cost = 15000.0
        [[initiatives]]
        kind = "training"
        name = "train"
        duration_months = 2
    """)
    )
    out = tmp_path / "out"
    code = run_cli(
        [
            "search",
            "baseline",
            "--menu",
            str(menu),
            "--replications",
            "2",
            "--out",
            str(out),
            *SETS,
            *SERIAL,
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "search (exhaustive" in text
    assert "frontier" in text
    candidates = pd.read_csv(out / "candidates.csv")
    # training 40 operators x 50 % x 40 h x 60 per hour = 48,000: over the budget alone
    assert set(candidates["portfolio"]) == {"none", "qa", "desk", "qa+desk"}
    assert (out / "frontier.csv").is_file()
    results = json.loads((out / "results.json").read_text())
    assert results["facts"]["best"]["portfolio"] == candidates["portfolio"].iloc[0]


def test_experiment_run_writes_outputs_and_resumes(tmp_path, capsys):
    file = tmp_path / "tiny.toml"
    overrides = "\n".join(f'"{k}" = {v}' for k, v in TINY.items())
    file.write_text(f"""
replications = 2
kpi = "defects_shipped_ppm"
[overrides]
{overrides}
[design]
type = "factorial"
parameters = [{{ key = "quality.inspection_coverage", levels = [0.0, 1.0] }}]
""")
    out = tmp_path / "out"
    assert run_cli(["experiment", "run", str(file), "--out", str(out), *SERIAL]) == 0
    first = capsys.readouterr().out
    assert "main effects on defects shipped (ppm)" in first
    for name in (
        "report.md",
        "summary.csv",
        "main_effects.csv",
        "ranking.csv",
        "results.json",
        "manifest.json",
    ):
        assert (out / name).is_file(), name
    assert len(pd.read_parquet(out / "runs")) == 4
    assert "# Experiment: tiny" in (out / "report.md").read_text()
    assert run_cli(["experiment", "run", str(file), "--out", str(out), "--json", *SERIAL]) == 0
    capsys.readouterr()
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert [s["runs_run"] for s in sessions] == [4, 0]
    assert sessions[-1]["runs_skipped"] == 4
    # one more replication: only the new seed runs, in both cells
    file.write_text(file.read_text().replace("replications = 2", "replications = 3"))
    assert run_cli(["experiment", "run", str(file), "--out", str(out), *SERIAL]) == 0
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert (sessions[-1]["runs_run"], sessions[-1]["runs_skipped"]) == (2, 4)
    assert len(pd.read_parquet(out / "runs")) == 6
    # the manifest reruns the same experiment: everything is found on disk
    summary = pd.read_csv(out / "summary.csv")
    manifest = str(out / "manifest.json")
    assert run_cli(["experiment", "run", manifest, "--out", str(out), *SERIAL]) == 0
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert (sessions[-1]["runs_run"], sessions[-1]["runs_skipped"]) == (0, 6)
    pd.testing.assert_frame_equal(pd.read_csv(out / "summary.csv"), summary)


def test_compare_refuses_bad_input_with_status_2(capsys):
    assert run_cli(["compare", "baseline", "--portfolios", "nonesuch", *SETS, *SERIAL]) == 2
    assert "unknown portfolio 'nonesuch'" in capsys.readouterr().err
    assert run_cli(["compare", "baseline", "--replications", "0", *SERIAL]) == 2
    assert "replications = 0" in capsys.readouterr().err
    assert run_cli(["compare", "baseline", "--set", "market.prospectz=1", *SERIAL]) == 2
    assert "did you mean 'market.prospects'" in capsys.readouterr().err
    assert run_cli(["compare", "baseline", "--workers", "0", "--backend", "processes"]) == 2
    assert "workers = 0" in capsys.readouterr().err


@pytest.mark.parametrize("path", sorted(EXPERIMENTS.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_experiment_files_are_valid(path, capsys):
    assert run_cli(["experiment", "validate", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    spec, _ = load_experiment(path)
    assert info["experiment"] == spec.name == path.stem
    assert spec.description
