"""Start-up stays light: the command line loads no heavy library before a command runs.

``sqm-sim --help``, a subcommand's help and argument parsing must not import the numerical
and plotting stack (each costs a large share of a second); the engine loads them when a
command actually runs. Checked in a fresh interpreter, where ``sys.modules`` is honest.
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

PROBE = """
import json, sys
{code}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def heavy_modules_after(code: str) -> list[str]:
    """The heavy libraries imported by ``code`` run in a fresh interpreter."""
    probe = PROBE.format(code=code, heavy=HEAVY)
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_probe_sees_a_heavy_import():
    assert heavy_modules_after("import scipy") == ["scipy"]


@pytest.mark.parametrize(
    "code",
    [
        "import sqm_sim.cli",
        "import sqm_sim",
        "from sqm_sim.cli.main import build_parser\n"
        "for argv in (['--help'], ['run', 'baseline', '--help'], ['sensitivity', '--help'],"
        " ['compare', '--help'], ['report', '--help'], ['explore', '--help'],"
        " ['app', '--help']):\n"
        "    try:\n"
        "        build_parser().parse_args(argv)\n"
        "    except SystemExit:\n"
        "        pass",
    ],
    ids=["import sqm_sim.cli", "import sqm_sim", "help of every command"],
)
def test_start_up_loads_no_heavy_library(code):
    assert heavy_modules_after(code) == []


def test_a_bad_key_is_reported_without_the_engine():
    code = (
        "import contextlib, io\n"
        "from sqm_sim.cli import main\n"
        "with contextlib.redirect_stderr(io.StringIO()):\n"
        "    assert main(['run', 'baseline', '--set', 'nosuch.key=1']) == 2"
    )
    assert heavy_modules_after(code) == []
