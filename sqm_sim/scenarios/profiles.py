"""Company profiles: scenario files of one company's observable facts, plus how to fit the rest.

A profile is a scenario file (``sqm-sim profile new`` writes the documented template,
:data:`PROFILE_TEMPLATE`) that may also hold a ``[calibration]`` table: the parameters
``sqm-sim calibrate`` fits and the size of the fit (:mod:`sqm_sim.config.calibration`).
That table is no setting of the model: :func:`split_profile` takes it out before the rest
is validated as a :class:`~sqm_sim.config.Config`, so every command that reads a scenario
reads a profile too. A calibrated profile also carries a ``[posterior]`` table, which is
part of the configuration (each run draws a parameter set from it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config.files import read_toml

if TYPE_CHECKING:
    from ..config import Config
    from ..config.calibration import CalibrationSettings

PROFILE_TEMPLATE = Path(__file__).parent / "templates" / "company_profile.toml"
"""The documented profile template: observable inputs and where to find each."""

CALIBRATION_TABLE = "calibration"
"""The profile table that is read by ``sqm-sim calibrate`` and is no model setting."""


@dataclass(frozen=True)
class Profile:
    """A company profile: its validated ``config``, the ``calibration`` settings and the
    file's plain ``data`` (without the calibration table), as read from ``path``."""

    path: Path
    config: Config
    calibration: CalibrationSettings
    data: dict[str, Any]


def template_text() -> str:
    """The text of the documented profile template."""
    return PROFILE_TEMPLATE.read_text(encoding="utf-8")


def split_profile(data: dict[str, Any], origin: str) -> tuple[dict[str, Any], CalibrationSettings]:
    """The model settings of a profile's (or scenario's) data and its validated
    ``[calibration]`` table (the defaults when there is none)."""
    from pydantic import ValidationError

    from ..config.calibration import CalibrationSettings
    from ..config.errors import ConfigError, config_error_from

    settings = dict(data)
    table = settings.pop(CALIBRATION_TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{origin}: calibration must be a table, got {table!r}")
    try:
        calibration = CalibrationSettings.model_validate(table)
    except ValidationError as exc:
        raise config_error_from(
            exc, CalibrationSettings, f"{origin}, [calibration]", table
        ) from None
    return settings, calibration


def load_profile(path: str | Path) -> Profile:
    """The company profile (any scenario file) at ``path``."""
    from ..config import Config
    from ..config.errors import ConfigError
    from ..config.start_customers import with_start_customers

    target = Path(path)
    if not target.is_file():
        raise ConfigError(f"profile file not found: {target}")
    origin = f"profile file {target}"
    settings, calibration = split_profile(read_toml(target), origin)
    settings.setdefault("name", target.stem)
    config = Config.from_mapping(
        with_start_customers(settings, target.parent, origin), origin=origin
    )
    return Profile(target, config, calibration, settings)
