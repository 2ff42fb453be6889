"""Runs that raise are recorded with their parameters, seed and traceback; the batch goes
on and the rest of the results are right."""

from __future__ import annotations

import pandas as pd

from sqm_sim.experiments import ProcessBackend, parse_experiment, run_experiment, run_plan
from sqm_sim.experiments.plan import Cell, Plan
from sqm_sim.report.experiment_files import write_outputs

from .conftest import TINY
from .helpers import FAILING_CPK, fail_at_high_cpk


def _factorial_spec(replications: int = 3):
    return parse_experiment(
        {
            "name": "failing_design",
            "replications": replications,
            "kpi": "defects_shipped_ppm",
            "kpis": ["defects_shipped_ppm", "npv"],
            "overrides": TINY,
            "design": {
                "type": "factorial",
                "parameters": [
                    {"key": "operations.process_capability_cpk", "levels": [0.9, FAILING_CPK, 1.6]},
                ],
            },
        }
    )


def test_a_design_with_failing_points_completes_and_records_them(tmp_path):
    spec = _factorial_spec()
    with ProcessBackend(workers=2) as backend:
        outcome = run_experiment(
            spec, out=tmp_path, backend=backend, run=fail_at_high_cpk, chunk_size=2, quiet=True
        )
    assert outcome.facts["runs"] == 9
    assert outcome.failed == 3
    failures = outcome.tables["failures"]
    assert (failures["operations.process_capability_cpk"] == FAILING_CPK).all()
    assert sorted(failures["seed"]) == [1, 2, 3]
    assert failures["error"].str.startswith("DeliberateFailureError: cannot run Cpk").all()
    assert failures["traceback"].str.contains("in fail_at_high_cpk").all()
    assert failures["traceback"].str.contains("Traceback").all()
    # the failures are on disk too, and the summary of the failing cell is empty
    write_outputs(outcome)
    saved = pd.read_csv(tmp_path / "failures.csv")
    assert len(saved) == 3
    summary = outcome.tables["summary"].set_index(["cell", "kpi"])
    assert summary.loc[("p001", "npv"), "n"] == 0
    assert summary.loc[("p000", "npv"), "n"] == 3
    # the runs that did not fail are exactly what simulate gives
    good = outcome.runs[outcome.runs["status"] == "ok"].reset_index(drop=True)
    cells = [c for c in _plan_cells(spec) if c.labels["point"] != 1]
    reference = run_plan(Plan(cells, [1, 2, 3])).runs
    columns = ["run_id", "seed", "defects_shipped_ppm", "npv", "units_produced"]
    pd.testing.assert_frame_equal(good[columns], reference[columns], check_exact=True)


def test_rerunning_retries_only_the_failed_runs(tmp_path):
    spec = _factorial_spec(replications=2)
    first = run_experiment(spec, out=tmp_path, backend=None, run=fail_at_high_cpk, quiet=True)
    assert first.failed == 2
    second = run_experiment(spec, out=tmp_path, quiet=True)  # the real simulate this time
    assert second.failed == 0
    assert "failures" not in second.tables
    import json

    sessions = json.loads((tmp_path / "manifest.json").read_text())["sessions"]
    assert sessions[-1]["runs_skipped"] == 4
    assert sessions[-1]["runs_run"] == 2


def _plan_cells(spec) -> list[Cell]:
    from sqm_sim.experiments.prepare import prepare

    prepared = prepare(spec)
    assert prepared.plan is not None
    return prepared.plan.cells
