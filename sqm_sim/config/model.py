"""The run configuration: one validated, immutable object holding everything a run needs."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import tomli_w
from pydantic import Field, ValidationError, model_validator

from .errors import ConfigError, config_error_from, unknown_key_message
from .fields import Section
from .schema import field_at
from .sections import (
    DistributionSettings,
    FinanceSettings,
    MarketSettings,
    OperationsSettings,
    QualitySystemSettings,
    SimulationSettings,
    WorkforceSettings,
)


class Config(Section):
    """Everything one simulation run needs. Build it with :meth:`from_mapping`,
    :func:`sqm_sim.load_scenario` or :meth:`with_overrides`; it cannot be mutated."""

    name: str = Field("custom", description="scenario name")
    description: str = Field("", description="one-line description of the scenario")
    simulation: SimulationSettings = Field(default_factory=SimulationSettings)
    market: MarketSettings = Field(default_factory=MarketSettings)
    operations: OperationsSettings = Field(default_factory=OperationsSettings)
    workforce: WorkforceSettings = Field(default_factory=WorkforceSettings)
    quality: QualitySystemSettings = Field(default_factory=QualitySystemSettings)
    distribution: DistributionSettings = Field(default_factory=DistributionSettings)
    finance: FinanceSettings = Field(default_factory=FinanceSettings)

    @model_validator(mode="after")
    def _reporting_fits_horizon(self) -> Config:
        sim = self.simulation
        if sim.report_period_months > sim.horizon_months:
            raise ValueError(
                f"simulation.report_period_months ({sim.report_period_months}) exceeds "
                f"simulation.horizon_months ({sim.horizon_months})"
            )
        return self

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, origin: str = "") -> Config:
        """Validate plain data (as read from TOML); raise :class:`ConfigError` if invalid."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise config_error_from(exc, cls, origin) from None

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        """A new validated config with dotted keys replaced, e.g. ``{"market.prospects": 0}``."""
        data = self.to_dict()
        for key, value in overrides.items():
            if field_at(Config, key) is None:
                raise ConfigError(f"invalid override: {unknown_key_message(Config, key)}")
            *parents, leaf = key.split(".")
            target = data
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = copy.deepcopy(value)
        keys = ", ".join(overrides)
        return Config.from_mapping(data, origin=f"scenario '{self.name}' with overrides {keys}")

    def to_dict(self) -> dict[str, Any]:
        """Plain nested data (TOML/JSON-ready); ``None`` values are left out."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_toml(self) -> str:
        """The resolved configuration as TOML, loadable with :func:`sqm_sim.load_scenario`."""
        return tomli_w.dumps(self.to_dict())

    def fingerprint(self) -> str:
        """Short SHA-256 of the resolved configuration (identical configs, identical hash)."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]
