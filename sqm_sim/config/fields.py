"""Building blocks for the parameter schema: documented fields and distributions.

Every parameter is declared with :func:`param`, which makes its unit, meaning, bounds and
the source of its default part of the schema. ``sqm-sim params`` prints that table, and a
test checks that no field lacks any of them.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .schema import SOURCE_OF_PARENT, UNIT_OF_PARENT


class Section(BaseModel):
    """Base of every config section: strict types, no unknown keys, immutable."""

    # validators are built at the first validation: reading the fields (dotted keys,
    # `sqm-sim params`, the command line's check of a --set key) does not pay for them
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    replaced_whole: ClassVar[bool] = False
    """True for value-like sections (distributions) that a scenario table replaces whole."""


def param(
    default: Any,
    *,
    unit: str,
    description: str,
    source: str,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    strict: bool | None = None,
) -> Any:
    """A documented config field: default, bounds, unit, meaning and source of the default.
    ``strict=False`` lets a TOML list fill a tuple field (tuples keep configs immutable)."""
    return Field(
        default,
        strict=strict,
        ge=ge,
        gt=gt,
        le=le,
        lt=lt,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
    )


DistributionKind = Literal["deterministic", "exponential", "gamma", "lognormal"]

_NATURAL_CV = {"deterministic": 0.0, "exponential": 1.0}


class DurationDistribution(Section):
    """A positive random duration, given by its mean and coefficient of variation (cv).

    ``exponential`` has cv 1 and ``deterministic`` cv 0 by definition; ``gamma`` and
    ``lognormal`` need an explicit cv > 0.
    """

    replaced_whole: ClassVar[bool] = True

    @model_validator(mode="before")
    @classmethod
    def _drop_redundant_cv(cls, data: Any) -> Any:
        """An explicit cv equal to the kind's own (exponential 1, deterministic 0) is the
        same distribution as no cv: normalise it so equal configs hash equally."""
        if isinstance(data, dict) and data.get("cv") is not None:
            natural = _NATURAL_CV.get(data.get("kind"))  # type: ignore[arg-type]
            if natural is not None and data["cv"] == natural:
                return {key: value for key, value in data.items() if key != "cv"}
        return data

    kind: DistributionKind = param(
        "gamma",
        unit="-",
        description="distribution family: deterministic, exponential, gamma or lognormal",
        source="modelling choice",
    )
    mean: float = param(
        1.0, unit=UNIT_OF_PARENT, description="mean duration", source=SOURCE_OF_PARENT, gt=0.0
    )
    cv: float | None = param(
        None,
        unit="ratio",
        description="coefficient of variation (standard deviation / mean); "
        "omit for exponential (1) and deterministic (0)",
        source=SOURCE_OF_PARENT,
        ge=0.0,
        le=5.0,
    )

    @model_validator(mode="after")
    def _cv_matches_kind(self) -> DurationDistribution:
        natural = _NATURAL_CV.get(self.kind)
        if natural is not None:
            if self.cv is not None and self.cv != natural:
                raise ValueError(
                    f"cv = {self.cv} contradicts kind '{self.kind}', whose cv is {natural}; "
                    "omit cv or choose kind 'gamma' or 'lognormal'"
                )
        elif self.cv is None or self.cv <= 0.0:
            raise ValueError(
                f"kind '{self.kind}' needs an explicit cv > 0 (got {self.cv}); allowed: 0 < cv <= 5"
            )
        return self

    @property
    def effective_cv(self) -> float:
        """The coefficient of variation this distribution actually has."""
        natural = _NATURAL_CV.get(self.kind)
        return natural if natural is not None else float(self.cv)  # type: ignore[arg-type]


def duration_param(
    kind: DistributionKind,
    mean: float,
    cv: float | None,
    *,
    unit: str,
    description: str,
    source: str,
) -> Any:
    """A documented :class:`DurationDistribution` field; ``unit`` is the unit of its mean."""
    return Field(
        default_factory=lambda: DurationDistribution(kind=kind, mean=mean, cv=cv),
        description=description,
        json_schema_extra={"unit": unit, "source": source},
    )
