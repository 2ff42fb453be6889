"""Run functions injected into the engine by the tests (module level, so that worker
processes can import them), and a harness for the experiment subcommands."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from sqm_sim import Config, RunResult, simulate
from sqm_sim.cli.experiments import register
from sqm_sim.config import ConfigError

FAILING_CPK = 1.33
"""Design points with this process capability make :func:`fail_at_high_cpk` raise."""


class DeliberateFailureError(RuntimeError):
    """Raised by the injected run functions."""


def fail_at_high_cpk(config: Config, seed: int) -> RunResult:
    """``simulate``, except that configs with Cpk = FAILING_CPK raise."""
    if config.operations.process_capability_cpk == FAILING_CPK:
        raise DeliberateFailureError(f"cannot run Cpk {FAILING_CPK} (seed {seed})")
    return simulate(config, seed)


def crash_on_seed_2(config: Config, seed: int) -> RunResult:
    """``simulate``, except that seed 2 kills its worker process outright."""
    if seed == 2:
        os._exit(13)
    return simulate(config, seed)


def crash_once(marker_dir: str, config: Config, seed: int) -> RunResult:
    """Kills its worker the first time seed 3 runs (a marker file in ``marker_dir``
    remembers it), then behaves like ``simulate``. Bind ``marker_dir`` with
    ``functools.partial`` (worker processes do not see later changes of the environment)."""
    marker = Path(marker_dir) / f"crashed-{seed}"
    if seed == 3 and not marker.exists():
        marker.write_text("crashed")
        os._exit(13)
    return simulate(config, seed)


class CountingRun:
    """``simulate`` that remembers every (cell config fingerprint, seed) it ran (serial
    backend only: the calls happen in this process)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def __call__(self, config: Config, seed: int) -> RunResult:
        self.calls.append((config.fingerprint(), seed))
        return simulate(config, seed)


def never_called(config: Config, seed: int) -> Any:
    """A run function for tests that must fail before any run starts."""
    raise AssertionError("a run started although the input was invalid")


def run_cli(argv: list[str]) -> int:
    """Parse ``argv`` with the experiment subcommands and run the handler; a ConfigError
    becomes exit status 2 with the message on stderr, as in ``sqm-sim``."""
    import sys

    parser = argparse.ArgumentParser(prog="sqm-sim")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ConfigError as exc:
        print(f"sqm-sim: error: {exc}", file=sys.stderr)
        return 2
