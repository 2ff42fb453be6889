"""The portfolio side of the command line: listing, running and valuing portfolios."""

from __future__ import annotations

import json

from sqm_sim.cli import main

SMALL = [
    "--set",
    "simulation.horizon_months=12",
    "--set",
    "market.initial_customers=200",
    "--set",
    "environment.competitor_customers=200",
]


def test_portfolios_are_listed(capsys):
    assert main(["portfolios", "--json"]) == 0
    listed = {p["name"] for p in json.loads(capsys.readouterr().out)}
    assert {"balanced", "process_first", "people_first", "customer_first"} <= listed


def test_run_with_a_portfolio_books_its_spend(capsys):
    assert main(["run", "baseline", *SMALL, "--portfolio", "process_first", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["initiative_spend"] > 0
    assert summary["prevention_cost"] + summary["appraisal_cost"] >= summary["initiative_spend"]


def test_roi_table_as_json(capsys):
    args = ["roi", "baseline", *SMALL, "--portfolio", "balanced", "--replications", "2"]
    assert main([*args, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["tables"]["roi"]
    assert [r["initiative"] for r in rows][-1] == "portfolio"
    assert {"incremental_npv", "ci_low", "ci_high", "roi", "payback_month"} <= set(rows[0])


def test_roi_needs_a_portfolio_and_two_replications(capsys):
    assert main(["roi", "baseline", *SMALL]) == 2
    assert "give --portfolio" in capsys.readouterr().err
    assert main(["roi", "baseline", *SMALL, "--portfolio", "balanced", "--replications", "1"]) == 2
    assert "at least 2" in capsys.readouterr().err


def test_unknown_portfolio_gets_a_suggestion(capsys):
    assert main(["run", "baseline", "--portfolio", "balancd"]) == 2
    err = capsys.readouterr().err
    assert "unknown portfolio 'balancd'; did you mean 'balanced'?" in err


def test_portfolio_over_budget_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "greedy.toml"
    path.write_text(
        'name = "greedy"\nbudget_per_year = 1000.0\n\n[[initiatives]]\n'
        'kind = "redesign"\nname = "big"\none_off_cost = 500000.0\n'
    )
    assert main(["run", "baseline", "--portfolio", str(path)]) == 2
    assert "over its budget of 1,000 per year" in capsys.readouterr().err
