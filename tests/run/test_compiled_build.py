"""The compiled model (mypyc, ``SQM_SIM_COMPILE=1``: setup.py) gives the pure model's
numbers bit for bit.

The package is built with its model compiled, from a copy of the sources, into a folder of
its own, and a fixed set of runs is made there in another process, importing that build,
and here with the pure-Python source: every shipped scenario at the quick size, every
shipped portfolio on the full-size baseline, journeys traced, and a customer base large
enough for the array calendar. Each run is compared by its summary (exact floats), its
monthly time series, its customer table and its journeys.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sqm_sim
from sqm_sim.models import is_compiled
from sqm_sim.models.calendar import LARGE_CALENDAR
from sqm_sim.portfolios import shipped_portfolios, with_portfolio
from sqm_sim.run.provenance import package_versions
from sqm_sim.scenarios import shipped_scenarios
from sqm_sim.scenarios.sizes import at_size, scale_overrides

ROOT = Path(__file__).resolve().parents[2]

Case = tuple[str, str, str, bool]
"""(scenario, portfolio or "none", size: "quick", "full" or a number of customers,
journeys traced)"""


def cases() -> list[Case]:
    """The runs compared: each scenario quick, each portfolio on the full-size baseline,
    the baseline traced, and the quick baseline with the array calendar's customer base."""
    quick = [(info.name, "none", "quick", False) for info in shipped_scenarios()]
    portfolios = [("baseline", name, "full", False) for name, _ in shipped_portfolios()]
    return [
        *quick,
        *portfolios,
        ("baseline", "balanced", "quick", True),
        ("baseline", "none", str(LARGE_CALENDAR), False),
    ]


def fingerprint(case: Case, seed: int = 1) -> dict[str, object]:
    """The numbers of one run: the summary's exact values and hashes of its tables."""
    scenario, portfolio, size, traced = case
    config = sqm_sim.load_scenario(scenario)
    if portfolio != "none":
        config = with_portfolio(config, portfolio)
    if size.isdigit():  # the quick size, scaled to this many customers at time 0
        config = at_size(config, "quick")
        ratio = int(size) / config.market.initial_customers
        config = config.with_overrides(scale_overrides(config, ratio))
    else:
        config = at_size(config, size)
    result = sqm_sim.simulate(config, seed, trace_customers=traced)
    tables = {"timeseries": result.timeseries, "customers": result.customers}
    if result.journeys is not None:
        tables["journeys"] = result.journeys
    return {
        "summary": {key: float(value).hex() for key, value in sorted(result.summary.items())},
        **{name: frame_hash(frame) for name, frame in tables.items()},
    }


def frame_hash(frame: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    return hashlib.sha256(",".join(map(str, frame.columns)).encode() + hashed).hexdigest()


COMPILED_RUNS = """
import json, sys
import sqm_sim.models.customers as customers
from sqm_sim.models import is_compiled
from sqm_sim.run.provenance import package_versions
from test_compiled_build import cases, fingerprint
runs = {"/".join(map(str, case)): fingerprint(case) for case in cases()}
report = {"compiled": is_compiled(), "customers_module": customers.__file__, "runs": runs}
report["manifest_says"] = package_versions()["sqm_sim_model"]
print(json.dumps(report))
"""


@pytest.mark.slow
def test_the_compiled_model_gives_the_pure_models_numbers_bit_for_bit(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "compiled"
    source.mkdir()
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    ignored = shutil.ignore_patterns("__pycache__", "*.so")
    shutil.copytree(ROOT / "sqm_sim", source / "sqm_sim", ignore=ignored)
    build = [sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation"]
    build += ["--no-deps", "--target", str(target), str(source)]
    built = subprocess.run(
        build, env={**os.environ, "SQM_SIM_COMPILE": "1"}, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr[-3000:]
    # safe path: the compiled build in the target, not a source tree in the working folder
    environment = {**os.environ, "PYTHONSAFEPATH": "1"}
    environment["PYTHONPATH"] = os.pathsep.join([str(target), str(Path(__file__).parent)])
    ran = subprocess.run(
        [sys.executable, "-c", COMPILED_RUNS],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    compiled = json.loads(ran.stdout)
    module = Path(compiled["customers_module"])
    assert module.is_relative_to(target), module  # the build's, not this source tree's
    assert module.name.endswith(tuple(EXTENSION_SUFFIXES)), module  # compiled, not Python
    assert compiled["compiled"] is True
    assert compiled["manifest_says"] == "compiled (mypyc)"
    assert not is_compiled()  # and this process runs the Python source
    pure = {"/".join(map(str, case)): fingerprint(case) for case in cases()}
    differing = [key for key in pure if compiled["runs"].get(key) != pure[key]]
    assert not differing, differing
    assert len(pure) == len(cases())


def build_script() -> Any:
    """setup.py as a module (not run as ``__main__``: it defines its functions and builds
    nothing)."""
    spec = importlib.util.spec_from_file_location("sqm_sim_setup", ROOT / "setup.py")
    assert spec is not None
    assert spec.loader is not None
    setup = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup)
    return setup


def test_only_the_model_modules_are_compiled_and_random_streams_stays_python() -> None:
    compiled = build_script().compiled_modules()
    assert "sqm_sim/models/customers.py" in compiled
    assert "sqm_sim/models/calendar.py" in compiled
    assert "sqm_sim/models/random_streams.py" not in compiled
    assert "sqm_sim/models/__init__.py" not in compiled
    models = sorted(path.name for path in (ROOT / "sqm_sim" / "models").glob("*.py"))
    assert len(compiled) == len(models) - 2


def test_a_manifest_says_which_build_of_the_model_ran() -> None:
    assert not is_compiled()  # the tests run the Python source
    assert package_versions()["sqm_sim_model"] == "Python source"


def test_the_build_is_pure_python_unless_asked_and_refuses_an_unclear_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setup = build_script()
    monkeypatch.delenv("SQM_SIM_COMPILE", raising=False)
    assert setup.extension_modules() == []
    monkeypatch.setenv("SQM_SIM_COMPILE", "0")
    assert setup.extension_modules() == []
    monkeypatch.setenv("SQM_SIM_COMPILE", "yes")
    with pytest.raises(SystemExit, match=r"SQM_SIM_COMPILE='yes': must be 1 .* or 0"):
        setup.extension_modules()
    monkeypatch.setenv("SQM_SIM_COMPILE", "1")
    monkeypatch.setitem(sys.modules, "mypyc.build", None)  # as if mypy were not installed
    with pytest.raises(SystemExit, match=r"needs mypyc .* --no-build-isolation"):
        setup.extension_modules()
