"""Hostile and careless command lines end in one clear line, never a traceback (issue 15).

Every case here was a traceback, a silent surprise or a misleading message before: a binary
or empty scenario file, an output folder that cannot be written (found out only after the
simulation), arguments that were silently ignored, huge requests that exhausted memory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from sqm_sim.cli import main
from tests.timing import calibrated_bound, cpu_seconds, wait_until

SHORT = ["--set", "simulation.horizon_months=3", "--set", "market.initial_customers=200"]


def one_line_error(capsys, *needles: str) -> str:
    """The single stderr line of a refused command; it names every needle."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sqm-sim: error:"), err
    for needle in needles:
        assert needle in lines[0], err
    return lines[0]


@pytest.fixture
def no_simulation(monkeypatch):
    """Any simulation fails the test: the command must refuse before running. The engine
    modules are imported first, so that nothing keeps the stand-in after the test."""
    import sqm_sim.experiments.roi
    import sqm_sim.experiments.runner
    import sqm_sim.run
    import sqm_sim.sensitivity.runner

    def forbidden(*args, **kwargs):
        raise AssertionError("simulated before checking the input")

    monkeypatch.setattr(sqm_sim.run, "simulate", forbidden)
    monkeypatch.setattr(sqm_sim.experiments.runner, "run_experiment", forbidden)
    monkeypatch.setattr(sqm_sim.experiments.roi, "initiative_roi", forbidden)
    monkeypatch.setattr(sqm_sim.sensitivity.runner, "run_sensitivity", forbidden)


# --- files given as scenarios ------------------------------------------------------------


def test_binary_scenario_file_is_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "noise.toml"
    path.write_bytes(bytes(range(256)) * 4)
    assert main(["run", str(path)]) == 2
    one_line_error(capsys, str(path), "UTF-8")


def test_directory_as_scenario_is_called_a_folder(tmp_path, capsys):
    assert main(["run", str(tmp_path)]) == 2
    line = one_line_error(capsys, str(tmp_path), "folder")
    assert "not found" not in line


def test_empty_scenario_file_is_refused(tmp_path, capsys, no_simulation):
    path = tmp_path / "empty.toml"
    path.write_text("# nothing here\n")
    assert main(["run", str(path)]) == 2
    one_line_error(capsys, str(path), "no settings")


# --- output destinations, checked before any run ------------------------------------------


def test_out_that_is_a_regular_file_is_refused_before_the_run(tmp_path, capsys, no_simulation):
    target = tmp_path / "taken"
    target.write_text("x")
    assert main(["run", "baseline", "--out", str(target)]) == 2
    one_line_error(capsys, "--out", str(target), "not a folder")
    assert target.read_text() == "x"


def test_out_under_proc_is_refused_before_the_run(capsys, no_simulation):
    assert main(["run", "baseline", "--out", "/proc/sqm-sim-results"]) == 2
    one_line_error(capsys, "--out", "/proc/sqm-sim-results", "cannot write")


def test_out_below_a_file_is_refused_before_the_run(tmp_path, capsys, no_simulation):
    (tmp_path / "file").write_text("x")
    assert main(["run", "baseline", "--out", str(tmp_path / "file" / "sub")]) == 2
    one_line_error(capsys, "--out", "not a folder")


@pytest.mark.parametrize("command", ["roi", "compare"])
def test_experiment_out_is_checked_before_the_run(command, tmp_path, capsys, no_simulation):
    target = tmp_path / "taken"
    target.write_text("x")
    extra = ["--portfolio", "process_first"] if command == "roi" else []
    assert main([command, "baseline", *extra, "--out", str(target)]) == 2
    one_line_error(capsys, "--out", "not a folder")


def test_report_out_under_proc_is_one_line(tmp_path, capsys):
    folder = tmp_path / "run"
    assert main(["run", "baseline", *SHORT, "--out", str(folder)]) == 0
    capsys.readouterr()
    assert main(["report", str(folder), "--out", "/proc/x.html"]) == 2
    one_line_error(capsys, "--out", "/proc/x.html")


# --- the learning curve over its whole documented range -----------------------------------


@pytest.mark.parametrize("rate", ["0.9992", "0.99999", "1e-9"])
def test_every_documented_learning_rate_runs(rate, capsys):
    assert main(["run", "baseline", *SHORT, "--set", f"workforce.learning_rate={rate}"]) == 0


# --- unbounded requests -------------------------------------------------------------------


def test_a_billion_replications_is_refused_at_once(capsys):
    started = time.perf_counter()
    assert main(["compare", "baseline", "--replications", "1000000000", "--quiet"]) == 2
    assert time.perf_counter() - started < 10
    one_line_error(capsys, "1000000000", "at most")


def test_a_large_run_count_is_announced_before_it_starts(tmp_path, capsys, monkeypatch):
    from sqm_sim.cli import experiments as cli_experiments

    monkeypatch.setattr(cli_experiments, "LARGE_RUN_COUNT", 4)

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("sqm_sim.experiments.runner.run_experiment", stop)
    assert main(["compare", "baseline", "--replications", "5", "--quiet"]) == 130
    err = capsys.readouterr().err
    assert "5 runs" in err.splitlines()[0]


# --- arguments that used to be ignored ----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "baseline", "--format", "csv"], "--format"),
        (["compare", "baseline", "--batch", "3"], "--batch"),
        (["compare", "baseline", "--max-replications", "30"], "--max-replications"),
        (["sensitivity", "--method", "oat", "--n", "50", "--dry-run"], "--n"),
        (["sensitivity", "--method", "morris", "--second-order", "--dry-run"], "--second-order"),
        (["sensitivity", "--method", "sobol", "--num-levels", "6", "--dry-run"], "--num-levels"),
        (
            ["run", "baseline", "--set", "market.prospects=1", "--set", "market.prospects=2"],
            "twice",
        ),
        (["params", "nosuch"], "nosuch"),
    ],
)
def test_an_argument_that_would_be_ignored_is_refused(args, needle, capsys, no_simulation):
    assert main(args) == 2
    one_line_error(capsys, needle)


@pytest.mark.parametrize("value", ["0", "-3"])
def test_chunk_size_must_be_positive(value, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["compare", "baseline", "--chunk-size", value])
    assert exited.value.code == 2
    assert "--chunk-size" in capsys.readouterr().err


def test_params_with_a_prefix_still_lists_its_keys(capsys):
    assert main(["params", "workforce."]) == 0
    assert "workforce.learning_rate" in capsys.readouterr().out


# --- messages that misled -----------------------------------------------------------------


def test_nan_is_called_not_a_number(capsys):
    assert main(["run", "baseline", "--set", "workforce.learning_rate=nan"]) == 2
    err = capsys.readouterr().err
    assert "not a number" in err
    assert "less than or equal" not in err


def test_a_section_given_a_value_names_no_class(capsys):
    assert main(["run", "baseline", "--set", "quality=1"]) == 2
    err = capsys.readouterr().err
    assert "Settings" not in err
    assert "quality" in err
    assert "section" in err


# --- Ctrl-C -------------------------------------------------------------------------------


SQM_SIM = str(Path(sys.executable).with_name("sqm-sim"))
"""The console script of this environment (what a user runs)."""


@dataclass
class Interrupted:
    """A command stopped with SIGINT: its outcome, the seconds it ran before the signal
    (``before_s``, a gauge of how busy the machine is) and from the signal to its exit."""

    done: subprocess.CompletedProcess
    before_s: float
    exit_s: float


def _default_sigint() -> None:
    """In the child before exec: SIGINT back to its default, as a terminal gives it. A test
    run started in the background by a non-interactive shell inherits SIGINT ignored, and
    Python then never turns it into KeyboardInterrupt (the command would run to the end)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt_when(args: list[str], ready: Callable[[int], object], tmp_path: Path) -> Interrupted:
    """Run ``sqm-sim ARGS`` and send it SIGINT once ``ready(pid)`` is true: an observable
    event (CPU time used, a part on disk), not a fixed sleep that a busy machine outruns."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [SQM_SIM, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        preexec_fn=_default_sigint,
    )
    try:
        signalled = wait_until(lambda: ready(proc.pid) or proc.poll() is not None, 120)
        assert proc.poll() is None, "the command ended before it could be interrupted"
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    exited = time.perf_counter()
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return Interrupted(done, signalled - started, exited - signalled)


EXIT_FLOOR_S = 2.0
EXIT_CAP_S = 10.0
"""Exit after Ctrl-C within the time the command took to get going (start-up and the
first runs, measured in the same test), at least EXIT_FLOOR_S, never over EXIT_CAP_S: the
20-34 s of issue 15 fail on any machine."""


INTERRUPT_IMPORT = """
import sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            raise KeyboardInterrupt

sys.meta_path.insert(0, CtrlC())
sys.argv = ["sqm-sim", "run", "baseline"]
from sqm_sim.cli import main
sys.exit(main())
"""
"""Ctrl-C arriving exactly while ``module`` is being imported by ``sqm-sim run baseline``."""


@pytest.mark.parametrize("module", ["sqm_sim.config", "sqm_sim.scenarios", "sqm_sim.run"])
def test_ctrl_c_during_start_up_is_one_line_and_exit_130(module, tmp_path):
    code = INTERRUPT_IMPORT.format(module=module)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip().splitlines() == ["sqm-sim: interrupted"]


def test_ctrl_c_during_run_is_one_line_and_exit_130(tmp_path):
    """SIGINT once the command has used 3 s of CPU: start-up takes under 2 s, so it is
    simulating its 600 months (about 30 s of CPU)."""
    stopped = interrupt_when(
        ["run", "baseline", "--set", "simulation.horizon_months=600"],
        lambda pid: cpu_seconds(pid) >= 3.0,
        tmp_path,
    )
    assert stopped.done.returncode == 130, stopped.done.stderr
    assert stopped.done.stderr.strip().splitlines() == ["sqm-sim: interrupted"]
    bound = calibrated_bound(stopped.before_s / 3.0, 1.0, EXIT_FLOOR_S, EXIT_CAP_S)
    assert stopped.exit_s < bound, (stopped.exit_s, stopped.before_s)


def test_ctrl_c_during_roi_is_one_line_and_keeps_finished_runs(tmp_path):
    """SIGINT once a run is on disk; it is still there after the exit."""
    args = ["roi", "baseline", "--portfolio", "process_first", "--replications", "40", *SHORT]
    execution = ["--backend", "serial", "--chunk-size", "1", "--quiet", "--out", "r"]
    runs = tmp_path / "r" / "runs"
    finished: list[Path] = []

    def a_run_on_disk(pid: int) -> bool:
        finished[:] = sorted(runs.glob("part-*.parquet")) if runs.is_dir() else []
        return bool(finished)

    stopped = interrupt_when([*args, *execution], a_run_on_disk, tmp_path)
    done = stopped.done
    assert done.returncode == 130, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "rerun the same command to resume" in done.stderr
    assert set(finished) <= set(runs.glob("part-*.parquet"))
    bound = calibrated_bound(stopped.before_s, 1.0, EXIT_FLOOR_S, EXIT_CAP_S)
    assert stopped.exit_s < bound, (stopped.exit_s, stopped.before_s)


def test_roi_and_sensitivity_announce_a_large_run_count(capsys, monkeypatch, no_simulation):
    from sqm_sim.cli import experiments as cli_experiments

    monkeypatch.setattr(cli_experiments, "LARGE_RUN_COUNT", 4)
    with pytest.raises(AssertionError, match="simulated before"):
        main(["roi", "baseline", "--portfolio", "process_first", "--replications", "2"])
    assert "roi will do" in capsys.readouterr().err
    with pytest.raises(AssertionError, match="simulated before"):
        main(["sensitivity", "--method", "morris", "--n", "2", "--quiet"])
    assert "sensitivity (morris) will do" in capsys.readouterr().err


def test_out_on_a_read_only_file_system_is_refused_before_the_run(
    tmp_path, capsys, monkeypatch, no_simulation
):
    """As root, permission bits do not stop a write; a read-only mount (EROFS) does. The
    probe write is where it shows, so that is where the test makes the mount read-only."""
    import errno
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    assert main(["run", "baseline", "--out", str(tmp_path / "results")]) == 2
    one_line_error(capsys, "--out", "Read-only file system")
