"""A results folder on the command line: the folder or its manifest.json, read one way.

``report``, ``experiment run`` and ``sensitivity --refine`` all take a results folder; they
accept the same two spellings and refuse a broken manifest with the same one-line error
(issue 15: a manifest holding ``[1,2,3]`` gave an AttributeError).
"""

from __future__ import annotations

import json

import pytest

from sqm_sim.cli import main
from tests.experiments.conftest import TINY

SHORT = ["--set", "simulation.horizon_months=3", "--set", "market.initial_customers=200"]
SERIAL = ["--backend", "serial", "--quiet"]
TINY_SETS = [arg for key, value in TINY.items() for arg in ("--set", f"{key}={value}")]


def refused(capsys, *needles: str) -> None:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err


@pytest.fixture
def run_folder(tmp_path, capsys):
    folder = tmp_path / "run"
    assert main(["run", "baseline", *SHORT, "--out", str(folder)]) == 0
    capsys.readouterr()
    return folder


def test_report_takes_the_manifest_of_a_folder(run_folder, capsys):
    assert main(["report", str(run_folder / "manifest.json")]) == 0
    assert (run_folder / "report.html").is_file()


def test_experiment_run_takes_the_results_folder(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert (
        main(["compare", "baseline", "--replications", "2", *TINY_SETS, *SERIAL, "--out", str(out)])
        == 0
    )
    capsys.readouterr()
    assert main(["experiment", "run", str(out), "--json", *SERIAL]) == 0
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert (sessions[-1]["runs_run"], sessions[-1]["runs_skipped"]) == (0, 2)


@pytest.mark.parametrize("garbage", ["[1, 2, 3]", "null", "{not json", ""])
@pytest.mark.parametrize(
    "command",
    [
        lambda folder: ["report", folder],
        lambda folder: ["experiment", "run", folder],
        lambda folder: ["sensitivity", "--refine", folder],
        lambda folder: ["compare", "baseline", *TINY_SETS, *SERIAL, "--out", folder],
    ],
    ids=["report", "experiment-run", "refine", "compare-into"],
)
def test_a_broken_manifest_is_one_line(command, garbage, tmp_path, capsys):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "manifest.json").write_text(garbage)
    assert main(command(str(folder))) == 2
    refused(capsys, "manifest.json")
