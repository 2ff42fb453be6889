"""What produced a result: versions, configuration hash, seeds, timing."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..config import Config

TRACKED_PACKAGES = ("sqm_sim", "simpy", "numpy", "pandas", "pydantic", "scipy", "pyarrow")


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that determine the numbers, and which build of
    the model ran (``sqm_sim_model``: the Python source or the compiled one, which give the
    same numbers; README, "Performance")."""
    from importlib import metadata  # a few milliseconds: not at the command line's start

    from ..models import build_name

    versions = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    versions["sqm_sim_model"] = build_name()
    return versions


def utc_now() -> str:
    """Current time, ISO 8601 in UTC."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_manifest(
    config: Config, seeds: list[int], started: str, finished: str, **extra: Any
) -> dict[str, Any]:
    """Everything needed to reproduce a run or a batch of runs."""
    return {
        "scenario": config.name,
        "config_hash": config.fingerprint(),
        "seeds": seeds,
        "started_utc": started,
        "finished_utc": finished,
        "versions": package_versions(),
        **extra,
    }
