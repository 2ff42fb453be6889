"""The run configuration: one validated, immutable object holding everything a run needs."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import tomli_w
from pydantic import Field, ValidationError, field_serializer, field_validator, model_validator

from .dotted import invalid_override
from .errors import ConfigError, config_error_from
from .fields import Section, param
from .initiatives import PortfolioSettings
from .keys import set_key
from .market_sections import (
    AcquisitionSettings,
    CustomerSettings,
    EnvironmentSettings,
    ProductSettings,
    SegmentSettings,
    ServiceSettings,
    default_segments,
)
from .people_sections import InvolvementSettings, PeopleSettings, WorkforceSettings
from .posterior import PosteriorSettings
from .schema import _nested_model, mapping_of_models
from .sections import (
    DistributionSettings,
    FinanceSettings,
    MarketSettings,
    OperationsSettings,
    QualitySystemSettings,
    SimulationSettings,
)
from .start_customers import StartCustomerSettings, listed, segment_problems


class Config(Section):
    """Everything one simulation run needs. Build it with :meth:`from_mapping`,
    :func:`sqm_sim.load_scenario` or :meth:`with_overrides`; it cannot be mutated."""

    name: str = Field("custom", description="scenario name")
    description: str = Field("", description="one-line description of the scenario")
    simulation: SimulationSettings = Field(default_factory=SimulationSettings)
    market: MarketSettings = Field(default_factory=MarketSettings)
    operations: OperationsSettings = Field(default_factory=OperationsSettings)
    workforce: WorkforceSettings = Field(default_factory=WorkforceSettings)
    involvement: InvolvementSettings = Field(default_factory=InvolvementSettings)
    people: PeopleSettings = Field(default_factory=PeopleSettings)
    quality: QualitySystemSettings = Field(default_factory=QualitySystemSettings)
    distribution: DistributionSettings = Field(default_factory=DistributionSettings)
    finance: FinanceSettings = Field(default_factory=FinanceSettings)
    product: ProductSettings = Field(default_factory=ProductSettings)
    customers: CustomerSettings = Field(default_factory=CustomerSettings)
    segments: Mapping[str, SegmentSettings] = Field(
        default_factory=default_segments,
        validate_default=True,
        description="customer segments by name; shares sum to 1",
    )
    service: ServiceSettings = Field(default_factory=ServiceSettings)
    acquisition: AcquisitionSettings = Field(default_factory=AcquisitionSettings)
    environment: EnvironmentSettings = Field(default_factory=EnvironmentSettings)
    portfolio: PortfolioSettings = Field(default_factory=PortfolioSettings)
    posterior: PosteriorSettings | None = param(
        None,
        unit="parameter sets",
        description="calibrated parameter sets (written by sqm-sim calibrate); each run "
        "draws one by its seed. Omit: the parameters as written.",
        source="sqm-sim calibrate (ABC-SMC posterior)",
    )
    start_customers: StartCustomerSettings | None = param(
        None,
        unit="customer states (rows)",
        description="the state of each customer present at month 0 (a CSV beside the "
        "profile, see sqm_sim.config.start_customers). Omit: they all start at "
        "customers.initial_satisfaction and initial_expectation",
        source="sqm-sim calibrate (the customers active at the end of the history)",
    )

    @field_validator("segments", mode="after")
    @classmethod
    def _freeze_segments(
        cls, segments: Mapping[str, SegmentSettings]
    ) -> Mapping[str, SegmentSettings]:
        """A read-only view, so that a config cannot change after validation."""
        return MappingProxyType(dict(segments))

    @field_serializer("segments")
    def _serialise_segments(
        self, segments: Mapping[str, SegmentSettings]
    ) -> dict[str, SegmentSettings]:
        return dict(segments)

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        horizon = self.simulation.horizon_months
        problems = []
        if self.simulation.report_period_months > horizon:
            problems.append(
                f"simulation.report_period_months ({self.simulation.report_period_months}) "
                f"exceeds simulation.horizon_months ({horizon})"
            )
        if not self.segments:
            problems.append("segments: at least one customer segment is needed")
        elif abs(sum(s.share for s in self.segments.values()) - 1.0) > 1e-6:
            shares = ", ".join(f"{name} {s.share:g}" for name, s in self.segments.items())
            problems.append(f"segments: shares must sum to 1 (got {shares})")
        late = [m for m in self.environment.technology_shock_months if m > horizon]
        if late:
            problems.append(
                f"environment.technology_shock_months {late} fall after the horizon ({horizon})"
            )
        if self.environment.switching_cost_change_month > horizon:
            problems.append(
                "environment.switching_cost_change_month "
                f"({self.environment.switching_cost_change_month}) falls after the horizon "
                f"({horizon})"
            )
        if self.start_customers is not None:
            strangers = segment_problems(self.start_customers, set(self.segments))
            if strangers:
                problems.append(f"start_customers: {listed(strangers)}")
        problems.extend(self._portfolio_problems())
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _portfolio_problems(self) -> list[str]:
        """Budget, probabilities and capacity of the portfolio, judged month by month by
        the model's own lever arithmetic, so that validation and simulation agree."""
        from ..models.initiatives import portfolio_problems  # the one home of that arithmetic

        return portfolio_problems(self)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, origin: str = "") -> Config:
        """Validate plain data (as read from TOML) laid over the defaults; raise
        :class:`ConfigError` if invalid. Sections and named segments merge key by key; a
        distribution table replaces the default distribution whole."""
        merged = merge_over(cls, cls().to_dict(), dict(data))
        try:
            return cls.model_validate(merged)
        except ValidationError as exc:
            raise config_error_from(exc, cls, origin, merged) from None

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        """A new validated config with dotted keys replaced, e.g. ``{"market.prospects": 0}``
        or, for an initiative of the portfolio, by its name:
        ``{"portfolio.capability_project.cpk_gain": 0.1}`` (see :mod:`.keys`). Keys apply in
        order (an initiative key after ``"portfolio"`` sees the new portfolio); the whole
        config, budget and capacity included, is validated after all of them. A key that a
        calibrated config's posterior draws in every run is refused (the draw would replace
        it)."""
        drawn = set(self.posterior.parameters) if self.posterior is not None else set()
        clash = [key for key in overrides if key in drawn]
        if clash:
            raise ConfigError(
                f"invalid override: {clash[0]} is drawn from the posterior of the calibrated "
                f"scenario '{self.name}' in every run, which would replace the value set "
                "here; vary it on the uncalibrated profile, or leave it to the posterior"
            )
        data = self.to_dict()
        for key, value in overrides.items():
            try:
                set_key(data, key, copy.deepcopy(value))
            except ConfigError as exc:
                raise invalid_override(exc) from None
        keys = ", ".join(overrides)
        try:
            return Config.model_validate(data)
        except ValidationError as exc:
            origin = f"scenario '{self.name}' with overrides {keys}"
            raise config_error_from(exc, Config, origin, data) from None

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


def merge_over(model: type[Section], base: dict[str, Any], update: dict[str, Any]) -> dict:
    """``base`` with ``update`` laid over it, guided by the schema of ``model``: sections and
    named entries (segments) merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in update.items():
        info = model.model_fields.get(key)
        current = merged.get(key)
        if info is not None and isinstance(value, dict) and isinstance(current, dict):
            nested = _nested_model(info.annotation)
            entries = mapping_of_models(info.annotation)
            if nested is not None and not nested.replaced_whole:  # type: ignore[attr-defined]
                value = merge_over(nested, current, value)  # type: ignore[arg-type]
            elif entries is not None:
                value = {
                    **current,
                    **{
                        name: merge_over(entries, current[name], entry)  # type: ignore[arg-type]
                        if isinstance(entry, dict) and isinstance(current.get(name), dict)
                        else entry
                        for name, entry in value.items()
                    },
                }
        merged[key] = value
    return merged
