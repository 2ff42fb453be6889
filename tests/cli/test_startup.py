"""Start-up stays light: the command line loads no heavy library before a command runs.

``sqm-sim --help``, a subcommand's help and argument parsing must not import the numerical
and plotting stack (each costs a large share of a second), nor the configuration schema
(pydantic builds it in about a tenth of a second): the engine and the schema load when a
command actually runs. A misspelt ``--set`` key is refused from the file of keys, without
the schema either. Checked in a fresh interpreter, where ``sys.modules`` is honest.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "dask",
    "distributed",
    "matplotlib",
    "SALib",
    "pyarrow",
    "scipy",
    "nicegui",
    "sklearn",
    "prim",
)
"""Libraries only a running command may load."""

SCHEMA = ("pydantic", "pandas", "numpy", "simpy")
"""Libraries that a command which reads its input loads, but help and usage errors do not."""

PROBE = """
import json, sys
{code}
print(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))
"""

EVERY_HELP = """
import argparse, contextlib, io
from sqm_sim.cli.main import build_parser, main

def commands(parser, prefix):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield [*prefix, name]
                yield from commands(sub, [*prefix, name])

seen = []
for argv in [[], *commands(build_parser(), [])]:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main([*argv, "--help"])
    seen.append(" ".join(argv))
assert {"", "run", "compare", "sensitivity", "explore", "experiment run"} <= set(seen), seen
"""
"""``--help`` of the program and of every subcommand (found by walking the parser, so a new
subcommand is covered when it is registered)."""

USAGE_ERRORS = """
import contextlib, io
from sqm_sim.cli.main import main

for argv in (
    ["--version"],
    ["nosuch"],
    ["run"],
    ["run", "baseline", "--seed", "-1"],
    ["compare", "baseline", "--backend", "nosuch"],
    ["sensitivity", "--size", "huge"],
    ["experiment", "run"],
):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exit:
            code = exit.code
        else:
            code = None
    expected = 0 if argv == ["--version"] else 2
    assert code == expected, (argv, code, err.getvalue())
"""
"""``--version`` and argument errors argparse reports (exit status 2) before any command."""


def modules_after(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` are imported after running ``code`` in a fresh interpreter."""
    probe = PROBE.format(code=code, modules=modules)
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_probe_sees_a_heavy_import():
    assert modules_after("import scipy", HEAVY) == ["scipy"]
    assert modules_after("import sqm_sim.config.model", SCHEMA) == ["pydantic"]


@pytest.mark.parametrize(
    "code",
    [
        "import sqm_sim.cli",
        "import sqm_sim",
        "from sqm_sim.config import ConfigError",
        EVERY_HELP,
        USAGE_ERRORS,
    ],
    ids=[
        "import sqm_sim.cli",
        "import sqm_sim",
        "import ConfigError",
        "help of every command",
        "version and usage errors",
    ],
)
def test_start_up_loads_neither_the_engine_nor_the_schema(code):
    assert modules_after(code, HEAVY + SCHEMA) == []


BAD_KEY = """
import contextlib, io
from sqm_sim.cli import main

for key, expected in {expected!r}.items():
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["run", "baseline", "--set", key + "=1"]) == 2
    assert err.getvalue().rstrip() == "sqm-sim: error: " + expected, err.getvalue()
"""
"""A misspelt ``--set`` key refused by the command line, with the message it gets from
``Config.with_overrides``."""

MISSPELT = ["nosuch.key", "market.nonsense", "quality.inspection_coverag", "portfolio.nosuch"]


def test_a_bad_key_is_reported_without_the_schema_or_the_engine():
    """An unknown ``--set`` key is judged by the file of keys (``keys.json``): neither
    pydantic nor the schema's modules nor the engine load, and the message is the one the
    schema gives (a regression that loads them again fails here)."""
    from sqm_sim.config import Config, ConfigError

    expected = {}
    for key in MISSPELT:
        with pytest.raises(ConfigError) as refused:
            Config().with_overrides({key: 1})
        expected[key] = str(refused.value)
    assert "did you mean 'market.prospects'?" in expected["market.nonsense"]
    code = BAD_KEY.format(expected=expected)
    schema_modules = ("sqm_sim.config.model", "sqm_sim.config.keys", "sqm_sim.config.schema")
    assert modules_after(code, HEAVY + SCHEMA + schema_modules) == []


@pytest.mark.parametrize("key", [*MISSPELT, "quality.nosuch.leaf"])
def test_the_early_key_check_refuses_as_with_overrides_does(key):
    from sqm_sim.config import Config, ConfigError
    from sqm_sim.config.key_index import check_override_keys

    with pytest.raises(ConfigError) as late:
        Config().with_overrides({key: 1})
    with pytest.raises(ConfigError) as early:
        check_override_keys([key])
    assert str(early.value) == str(late.value)


def test_the_early_key_check_accepts_every_key_a_configuration_accepts():
    from sqm_sim.config import Config
    from sqm_sim.config.key_index import check_override_keys
    from sqm_sim.config.keys import config_parameters
    from sqm_sim.portfolios import with_portfolio

    config = with_portfolio(Config(), "balanced")
    keys = [p.key for p in config_parameters(config)]
    assert any(key.startswith("portfolio.") and key.count(".") >= 2 for key in keys)
    check_override_keys(keys)
    check_override_keys(["portfolio.no_such_initiative.cpk_gain"])  # data decides
