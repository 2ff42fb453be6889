"""Hostile data files and a full disk (issue 15): a data file never chooses where code
runs, names never escape ``results/``, validation stays linear, a full disk is one line.
"""

from __future__ import annotations

import errno
import json
import time

import pandas as pd
import pytest

from sqm_sim import Config
from sqm_sim.cli import main
from sqm_sim.config import ConfigError
from sqm_sim.experiments.plan import Cell, Plan
from sqm_sim.experiments.store import ResultsStore
from tests.experiments.conftest import TINY, TINY_TOML

SERIAL = ["--backend", "serial", "--quiet"]
TINY_SETS = [arg for key, value in TINY.items() for arg in ("--set", f"{key}={value}")]


def experiment_file(tmp_path, head: str = "", tail: str = ""):
    path = tmp_path / "exp.toml"
    path.write_text(
        f"""{head}
replications = 2
[overrides]
{TINY_TOML}
[design]
type = "replications"
{tail}
"""
    )
    return path


def one_line(capsys, *needles: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err
    return err


@pytest.mark.parametrize("action", ["run", "validate"])
def test_a_data_file_cannot_choose_a_dask_scheduler(action, tmp_path, capsys, monkeypatch):
    def no_connection(*args, **kwargs):
        raise AssertionError("connected to a scheduler named by a data file")

    monkeypatch.setattr("sqm_sim.experiments.backends.DaskBackend.start", no_connection)
    tail = '[execution]\nbackend = "dask"\nscheduler = "tcp://127.0.0.1:9"'
    path = experiment_file(tmp_path, tail=tail)
    args = ["experiment", action, str(path)]
    if action == "run":
        args += ["--out", str(tmp_path / "o")]
    assert main(args) == 2
    one_line(capsys, "scheduler", "--scheduler")


@pytest.mark.parametrize("name", ["../../escaped", "ABSOLUTE", "a/b", "..", "a\\\\b", ""])
def test_an_experiment_name_cannot_leave_results(name, tmp_path, capsys, monkeypatch):
    """Without --out the folder is results/NAME: a name must not lead anywhere else."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    name = str(tmp_path / "absolute") if name == "ABSOLUTE" else name
    path = experiment_file(tmp_path, head=f'name = "{name}"')
    assert main(["experiment", "run", str(path), *SERIAL]) == 2
    one_line(capsys, "name")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.toml", "work"]
    assert list(work.iterdir()) == []


EXPLORE_FILE = """
scenario = "baseline"
portfolios = ["none", "balanced"]
samples = 2
[goal]
metric = "incremental"
threshold = 0.0
reference = "none"
[[factors]]
key = "environment.switching_cost"
low = 0.1
high = 0.2
"""


@pytest.mark.parametrize("name", ["../escaped", "ABSOLUTE", "a/b", ".."])
@pytest.mark.parametrize("command", ["compare", "search", "explore", "sensitivity", "file"])
def test_no_command_takes_a_name_that_leaves_results(command, name, tmp_path, capsys):
    """Every command whose name can become ``results/NAME`` (or names its analysis)
    refuses a name with a separator, ``..`` or an absolute path, before running."""
    name = str(tmp_path / "absolute") if name == "ABSOLUTE" else name
    explore = tmp_path / "futures.toml"
    explore.write_text(f"name = {json.dumps(name)}\n{EXPLORE_FILE}")
    sensitivity = tmp_path / "sens.toml"
    sensitivity.write_text(f'name = {json.dumps(name)}\nmethod = "oat"\n')
    args = {
        "compare": ["compare", "baseline", "--name", name, *SERIAL],
        "search": ["search", "baseline", "--menu", "balanced", "--name", name, *SERIAL],
        "explore": ["explore", str(explore), *SERIAL],
        "sensitivity": ["sensitivity", "--method", "oat", "--name", name, "--dry-run"],
        "file": ["sensitivity", str(sensitivity), "--dry-run"],
    }[command]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        assert main(args) == 2
    one_line(capsys, "name", "cannot be a folder name")
    assert not (tmp_path / "results").exists()
    assert not (tmp_path / "absolute").exists()


def test_a_full_disk_is_one_line_with_its_own_exit_code(tmp_path, capsys, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("sqm_sim.experiments.store.ResultsStore.write_chunk", full)
    out = tmp_path / "out"
    code = main(
        ["compare", "baseline", "--replications", "2", *TINY_SETS, *SERIAL, "--out", str(out)]
    )
    assert code == 3
    one_line(capsys, "no space left", str(out), "rerun")


def test_a_hundred_thousand_cells_are_checked_in_linear_time():
    config = Config()
    cells = [Cell(f"cell-{i}", {"i": i}, config) for i in range(100_000)]
    started = time.perf_counter()
    Plan(cells, [1])
    assert time.perf_counter() - started < 5.0
    with pytest.raises(ConfigError, match="repeated"):
        Plan([*cells[:3], cells[1]], [1])


def _refusal_s(path, keys: int, capsys) -> tuple[float, str]:
    """Seconds ``sqm-sim run`` takes to refuse a file of ``keys`` unknown keys, and its
    error output."""
    path.write_text("[market]\n" + "".join(f"xkey{i} = 1\n" for i in range(keys)))
    started = time.perf_counter()
    assert main(["run", str(path)]) == 2
    return time.perf_counter() - started, capsys.readouterr().err


def test_thousands_of_unknown_keys_are_reported_at_once_and_briefly(tmp_path, capsys):
    """Linear, not quadratic (a difflib suggestion per key took minutes): ten times the
    keys may take about ten times as long, measured here; quadratic would be a hundred."""
    small, _ = _refusal_s(tmp_path / "few.toml", 2_000, capsys)
    large, err = _refusal_s(tmp_path / "many.toml", 20_000, capsys)
    assert large < 30 * small + 1.0, (large, small)
    assert len(err.splitlines()) <= 12
    assert "20,000 problems" in err


def test_a_settings_file_of_megabytes_is_refused_unread(tmp_path, capsys):
    """1.7 million unknown keys (21 MB) took 3.5 minutes and 2.2 GB only to be parsed;
    no settings file is that large (the shipped ones hold a few kB)."""
    from sqm_sim.config.files import MAX_TOML_BYTES

    path = tmp_path / "huge.toml"
    line = "# padding\n"
    path.write_text("[market]\n" + line * (MAX_TOML_BYTES // len(line) + 1))
    for command in (["run", str(path)], ["compare", str(path)], ["experiment", "run", str(path)]):
        assert main(command) == 2
        one_line(capsys, "huge.toml", "larger than 1,000,000 bytes")
    at_the_limit = tmp_path / "ok.toml"
    at_the_limit.write_text("[market]\nprospects = 100\n" + "#" * (MAX_TOML_BYTES - 40) + "\n")
    assert at_the_limit.stat().st_size <= MAX_TOML_BYTES
    short = ["--set", "simulation.horizon_months=1", "--set", "market.initial_customers=50"]
    assert main(["run", str(at_the_limit), *short]) == 0


def test_after_a_full_disk_the_rerun_completes_the_same_tables(tmp_path, capsys, monkeypatch):
    args = ["compare", "baseline", "--replications", "4", *TINY_SETS, *SERIAL, "--chunk-size", "1"]
    assert main([*args, "--out", str(tmp_path / "reference")]) == 0
    real = ResultsStore.write_chunk
    calls = []

    def fills_up(self, records, plan):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, records, plan)

    monkeypatch.setattr(ResultsStore, "write_chunk", fills_up)
    out = tmp_path / "out"
    assert main([*args, "--out", str(out)]) == 3
    monkeypatch.setattr(ResultsStore, "write_chunk", real)
    assert main([*args, "--out", str(out)]) == 0
    columns = ["run_id", "cell", "seed", "status", "npv"]
    finished = ResultsStore(out).runs()[columns].sort_values("run_id", ignore_index=True)
    reference = ResultsStore(tmp_path / "reference").runs()[columns]
    pd.testing.assert_frame_equal(finished, reference.sort_values("run_id", ignore_index=True))


@pytest.mark.parametrize(
    ("method", "n"), [("sobol", 2**30), ("morris", 10**9), ("fast", 10**9), ("delta", 10**9)]
)
def test_a_huge_sensitivity_design_is_refused_before_it_is_built(method, n, capsys):
    """``--n 2**30`` with Sobol was a MemoryError traceback (304 GiB for the sample);
    Morris with a billion trajectories ran for minutes building its design."""
    started = time.perf_counter()
    assert main(["sensitivity", "--method", method, "--n", str(n), "--dry-run"]) == 2
    assert time.perf_counter() - started < 60  # refused, not built (that takes minutes)
    one_line(capsys, "at most 1,000,000 runs", f"n = {n}")
