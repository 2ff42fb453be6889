"""Shipped scenarios (TOML files in this folder) and the loader for scenario files.

A scenario file sets any subset of the config keys; everything it leaves out keeps the
documented default (the baseline company). Files are parsed as TOML data only. A company
profile (:mod:`.profiles`) is a scenario file with a ``[calibration]`` table, which is
checked here and left out of the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config.files import read_toml, resolve

if TYPE_CHECKING:  # the schema loads with the first scenario, not with the command line
    from ..config import Config

SCENARIO_DIR = Path(__file__).parent


@dataclass(frozen=True)
class ScenarioInfo:
    """A shipped scenario: its name, one-line description and file."""

    name: str
    description: str
    path: Path


def shipped_scenarios() -> list[ScenarioInfo]:
    """All scenarios shipped with the package, sorted by name (baseline first)."""
    infos = []
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        data = read_toml(path)
        infos.append(ScenarioInfo(path.stem, str(data.get("description", "")), path))
    return sorted(infos, key=lambda info: (info.name != "baseline", info.name))


def load_scenario(name_or_path: str | Path) -> Config:
    """The validated config of a shipped scenario (by name) or of a TOML file (by path)."""
    from ..config import Config
    from ..config.start_customers import with_start_customers
    from .profiles import split_profile

    path = resolve(name_or_path, SCENARIO_DIR, "scenario")
    origin = f"scenario file {path}"
    data, _ = split_profile(read_toml(path), origin)  # a profile's [calibration] is no setting
    data = with_start_customers(data, path.parent, origin)
    data.setdefault("name", path.stem)
    return Config.from_mapping(data, origin=origin)
