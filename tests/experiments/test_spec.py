"""Bad experiment files fail with a clear message before any run starts."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sqm_sim.config import ConfigError
from sqm_sim.experiments import SerialBackend, load_experiment, run_experiment

from .conftest import TINY_TOML
from .helpers import CountingRun, run_cli

GOOD_GRID = f"""
replications = 2
[overrides]
{TINY_TOML}
[design]
type = "grid"
scenarios = ["baseline"]
portfolios = ["none"]
"""


def write(tmp_path: Path, text: str, name: str = "experiment.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run_file(path: Path, out: Path) -> None:
    """Load and run an experiment file with a run function that counts its calls; assert
    that nothing ran and nothing was written when it fails."""
    counting = CountingRun()
    try:
        spec, base_dir = load_experiment(path)
        run_experiment(
            spec, base_dir=base_dir, out=out, backend=SerialBackend(), run=counting, quiet=True
        )
    finally:
        assert counting.calls == []
        assert not out.exists()


BAD_FILES = {
    "unknown scenario": (
        GOOD_GRID.replace('["baseline"]', '["baseline", "premum"]'),
        "unknown scenario 'premum'; did you mean 'premium'?",
    ),
    "malformed TOML": ("replications = \n[design\n", "malformed TOML"),
    "empty grid": (GOOD_GRID.replace('["baseline"]', "[]"), "empty design"),
    "no portfolios": (
        GOOD_GRID.replace('portfolios = ["none"]', "portfolios = []"),
        "empty design",
    ),
    "empty factorial": (
        """
        [design]
        type = "factorial"
        parameters = []
        """,
        "empty design: list at least one parameter",
    ),
    "factor without levels": (
        """
        [design]
        type = "factorial"
        parameters = [{ key = "quality.inspection_coverage", levels = [] }]
        """,
        "empty design: parameter 'quality.inspection_coverage' needs levels",
    ),
    "no search menu": (
        """
        [design]
        type = "search"
        budget_per_year = 1000.0
        """,
        "empty design: the search menu lists no initiative",
    ),
    "negative replications": (
        GOOD_GRID.replace("replications = 2", "replications = -3"),
        "replications = -3: must be at least 1 replication",
    ),
    "zero LHS samples": (
        """
        [design]
        type = "latin_hypercube"
        samples = 0
        parameters = [{ key = "quality.inspection_coverage", low = 0.1, high = 0.9 }]
        """,
        "design.samples = 0",
    ),
    "misspelt key": (
        GOOD_GRID.replace("replications", "replicatons"),
        "unknown key 'replicatons'; did you mean 'replications'?",
    ),
    "unknown design type": (
        GOOD_GRID.replace('"grid"', '"fractional"'),
        "type must be one of grid, factorial",
    ),
    "unknown KPI": ('kpi = "nvp"\n' + GOOD_GRID, "unknown KPI 'nvp' (did you mean npv"),
    "value out of range at a design point": (
        f"""
        [overrides]
        {TINY_TOML}
        [design]
        type = "factorial"
        parameters = [{{ key = "operations.process_capability_cpk", levels = [1.0, 0.1] }}]
        """,
        "design point 1 (operations.process_capability_cpk=0.1)",
    ),
    "unknown parameter": (
        """
        [design]
        type = "latin_hypercube"
        samples = 4
        parameters = [{ key = "quality.inspection_coverge", low = 0.1, high = 0.9 }]
        """,
        "did you mean 'quality.inspection_coverage'?",
    ),
    "unknown reference": (
        GOOD_GRID + 'reference = "balanced"\n',
        "reference 'balanced' is neither a cell",
    ),
    "sequential cap below start": (
        GOOD_GRID.replace(
            "replications = 2",
            "replications = { relative_precision = 0.05, initial = 10, max = 5 }",
        ),
        "replications.max (5) is below replications.initial (10)",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_experiment_files_fail_before_any_run(tmp_path, case):
    text, message = BAD_FILES[case]
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        run_file(path, tmp_path / "out")
    assert message in str(caught.value)


def test_the_command_line_reports_a_bad_file_with_status_2(tmp_path, capsys):
    path = write(tmp_path, GOOD_GRID.replace("replications = 2", "replications = -1"))
    out = tmp_path / "out"
    assert run_cli(["experiment", "run", str(path), "--out", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("sqm-sim: error: invalid experiment (file ")
    assert "replications = -1" in error
    assert not out.exists()


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="experiment file not found"):
        load_experiment(tmp_path / "nothing.toml")


def test_relative_paths_are_read_from_the_experiment_folder(tmp_path):
    (tmp_path / "my_market.toml").write_text('description = "mine"\n[market]\nprospects = 50\n')
    path = write(tmp_path, GOOD_GRID.replace('["baseline"]', '["my_market.toml"]'))
    spec, base_dir = load_experiment(path)
    outcome = run_experiment(spec, base_dir=base_dir, backend=SerialBackend(), quiet=True)
    assert outcome.runs["scenario"].unique().tolist() == ["my_market"]
    assert outcome.failed == 0
