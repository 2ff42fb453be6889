"""Random bytes and random TOML fed to every command that reads a file (issue 15): exit
status 2, an ``sqm-sim: error:`` message and never a traceback. Random bytes are refused
in exactly one line. A random TOML document that happens to be valid may run: the
simulation is replaced by a stand-in, so such a case ends at once (exit 0)."""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import tempfile
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqm_sim.cli import main

SERIAL = ["--backend", "serial", "--quiet"]

COMMANDS = {
    "run": lambda f: ["run", f],
    "run --portfolio": lambda f: ["run", "baseline", "--portfolio", f],
    "roi --portfolio": lambda f: ["roi", "baseline", "--portfolio", f],
    "compare": lambda f: ["compare", f, "--backend", "serial", "--quiet"],
    "search --menu": lambda f: ["search", "baseline", "--menu", f, "--backend", "serial"],
    "experiment run": lambda f: ["experiment", "run", f, "--backend", "serial", "--quiet"],
    "experiment validate": lambda f: ["experiment", "validate", f],
    "sensitivity": lambda f: ["sensitivity", f, "--dry-run"],
    "sensitivity --space": lambda f: ["sensitivity", "--space", f, "--dry-run"],
    "explore": lambda f: ["explore", f, "--dry-run"],
    "params --portfolio": lambda f: ["params", "--portfolio", f],
    "compare --portfolios": lambda f: ["compare", "baseline", "--portfolios", f, *SERIAL],
    "search": lambda f: ["search", f, "--menu", "balanced", "--backend", "serial"],
    "roi": lambda f: ["roi", f, "--portfolio", "balanced"],
}
"""Every way a command reads a settings file given on the command line."""

FOLDER_COMMANDS = {
    "report": lambda d: ["report", d],
    "report manifest.json": lambda d: ["report", str(Path(d) / "manifest.json")],
    "experiment run FOLDER": lambda d: ["experiment", "run", d, *SERIAL],
    "sensitivity --refine": lambda d: ["sensitivity", "--refine", d, "--dry-run"],
    "run --out": lambda d: ["run", "baseline", "--out", d],
}
"""Every way a command reads a results folder's ``manifest.json`` before it simulates:
given the folder, or writing a run into it. (An experiment writing into a folder reads the
manifest when it opens the store, inside the engine that the stand-in replaces here:
tests/cli/test_results_folder_argument.py::test_a_broken_manifest_is_one_line runs it.)"""


class StandInError(Exception):
    """Raised instead of simulating: the input was accepted."""


def _stand_in(*args, **kwargs):
    raise StandInError


BINDS_SIMULATE = (
    "sqm_sim.sensitivity.runner",
    "sqm_sim.experiments.worker",
    "sqm_sim.experiments.engine",
    "sqm_sim.experiments.replications",
    "sqm_sim.experiments.explore",
    "sqm_sim.experiments.calibration",
    "sqm_sim.experiments.calibration_check",
    "sqm_sim.experiments.targets",
)
"""Modules that bind ``simulate`` when first imported, which the command line imports
lazily: imported before the stand-in goes in, or a first import under the patch would
keep the stand-in bound in them for every later test of this process (a Morris analysis
in tests/cli/test_results_folders.py then saw every run fail)."""


def invoke(argv: list[str]) -> tuple[int, str]:
    """(exit status, stderr) of ``sqm-sim ARGV``, nothing simulated; StandInError -> 0."""
    import sqm_sim.experiments.roi
    import sqm_sim.experiments.runner
    import sqm_sim.run

    for module in BINDS_SIMULATE:
        importlib.import_module(module)
    err = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stderr(err):
        patch.setattr(sqm_sim.run, "simulate", _stand_in)
        patch.setattr(sqm_sim.experiments.runner, "run_experiment", _stand_in)
        patch.setattr(sqm_sim.experiments.roi, "initiative_roi", _stand_in)
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main(argv)
            except StandInError:
                code = 0
    return code, err.getvalue()


def _file(data: bytes) -> str:
    folder = Path(tempfile.mkdtemp(prefix="sqm-garbage-"))
    path = folder / "input.toml"
    path.write_bytes(data)
    return str(path)


def _folder(manifest: bytes) -> str:
    """A results folder whose ``manifest.json`` holds ``manifest``."""
    folder = Path(tempfile.mkdtemp(prefix="sqm-garbage-"))
    (folder / "manifest.json").write_bytes(manifest)
    return str(folder)


def _check(code: int, err: str, *, one_line: bool) -> None:
    assert "Traceback" not in err
    if code == 0:
        return
    assert code == 2, err
    assert err.startswith("sqm-sim: error:"), err
    if one_line:
        assert len(err.strip().splitlines()) == 1, err


DEFAULT_EXAMPLES, SLOW_EXAMPLES = 20, 60
"""Examples per command: 20 in the default tier, 60 more in the slow tier (each test ran
60 in the default tier before the tiers were split)."""


def in_both_tiers(body, commands, **strategies):
    """``body(command, ...)`` as a property test over ``commands``: DEFAULT_EXAMPLES
    examples per command in the default tier, and a twin with SLOW_EXAMPLES in the slow
    tier. Returns (default test, slow test)."""

    def tier(examples: int):
        test = given(**strategies)(body)
        test = settings(
            max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        )(test)
        return pytest.mark.parametrize("command", list(commands))(test)

    return tier(DEFAULT_EXAMPLES), pytest.mark.slow(tier(SLOW_EXAMPLES))


scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True),
    st.text(max_size=20),
)
keys = st.one_of(
    st.sampled_from(["name", "design", "type", "initiatives", "market", "method", "space"]),
    st.text(min_size=1, max_size=12),
)
documents = st.dictionaries(
    keys,
    st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)
        ),
        max_leaves=8,
    ),
    max_size=5,
)


def _random_bytes_are_one_line_and_exit_2(command, data):
    if data.strip() == b"":
        data = b"\xff" + data
    code, err = invoke(COMMANDS[command](_file(data)))
    assert code == 2, err
    _check(code, err, one_line=True)


def _random_toml_is_a_clear_error_or_runs(command, document):
    code, err = invoke(COMMANDS[command](_file(tomli_w.dumps(document).encode())))
    _check(code, err, one_line=False)


def _a_random_bytes_manifest_is_one_line_and_exit_2(command, data):
    code, err = invoke(FOLDER_COMMANDS[command](_folder(data)))
    assert code == 2, err
    _check(code, err, one_line=True)


def _a_random_json_manifest_is_a_clear_error(command, document):
    """A JSON manifest of random content, object or not: refused in one line (a folder
    whose manifest records no result of a known kind is not a results folder)."""
    manifest = json.dumps(document, allow_nan=True).encode()
    code, err = invoke(FOLDER_COMMANDS[command](_folder(manifest)))
    if command == "run --out" and code == 0:
        return  # a manifest of no run is none of run's business unless it is an experiment
    assert code == 2, err
    _check(code, err, one_line=True)


test_random_bytes_are_one_line_and_exit_2, test_random_bytes_more_examples = in_both_tiers(
    _random_bytes_are_one_line_and_exit_2, COMMANDS, data=st.binary(min_size=1, max_size=300)
)
test_random_toml_is_a_clear_error_or_runs, test_random_toml_more_examples = in_both_tiers(
    _random_toml_is_a_clear_error_or_runs, COMMANDS, document=documents
)
test_a_random_bytes_manifest_is_one_line_and_exit_2, test_random_bytes_manifest_more_examples = (
    in_both_tiers(
        _a_random_bytes_manifest_is_one_line_and_exit_2,
        FOLDER_COMMANDS,
        data=st.binary(min_size=1, max_size=300),
    )
)
test_a_random_json_manifest_is_a_clear_error, test_random_json_manifest_more_examples = (
    in_both_tiers(
        _a_random_json_manifest_is_a_clear_error,
        FOLDER_COMMANDS,
        document=st.one_of(documents, st.recursive(scalars, st.lists, max_leaves=5)),
    )
)
