"""Shipped scenarios (TOML files in this folder) and the loader for scenario files.

A scenario file sets any subset of the config keys; everything it leaves out keeps the
documented default (the baseline company). Files are parsed as TOML data only.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..config import Config, ConfigError

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
        data = _read_toml(path)
        infos.append(ScenarioInfo(path.stem, str(data.get("description", "")), path))
    return sorted(infos, key=lambda info: (info.name != "baseline", info.name))


def load_scenario(name_or_path: str | Path) -> Config:
    """The validated config of a shipped scenario (by name) or of a TOML file (by path)."""
    path = _resolve(name_or_path)
    data = _read_toml(path)
    data.setdefault("name", path.stem)
    return Config.from_mapping(data, origin=f"scenario file {path}")


def _resolve(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists() or len(candidate.parts) > 1:
        if not candidate.is_file():
            raise ConfigError(f"scenario file not found: {candidate}")
        return candidate
    shipped = SCENARIO_DIR / f"{name_or_path}.toml"
    if shipped.is_file():
        return shipped
    names = [info.name for info in shipped_scenarios()]
    close = difflib.get_close_matches(str(name_or_path), names, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise ConfigError(
        f"unknown scenario '{name_or_path}'{hint} (shipped scenarios: {', '.join(names)}; "
        "or give the path of a TOML file)"
    )


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"malformed TOML in {path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read scenario file {path}: {exc.strerror}") from None
