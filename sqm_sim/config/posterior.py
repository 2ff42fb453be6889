"""The ``[posterior]`` table of a calibrated profile: parameter sets and their weights.

``sqm-sim calibrate`` writes it; every run of a configuration that carries it draws one
parameter set (by weight, from a random stream of the run's seed) and applies it as
overrides before the model is built (:func:`sqm_sim.run.simulation.simulate`). Every
comparison, search, valuation or sensitivity analysis of a calibrated profile therefore
spreads the parameter uncertainty over its replications, and the same seed draws the same
set in every configuration (common random numbers).
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Strict, model_validator

from .errors import MAX_LISTED, repeated
from .fields import Section, param
from .keys import check_key


class PosteriorSettings(Section):
    """Weighted parameter sets: ``draws[i][j]`` is the value of ``parameters[j]`` in set i."""

    parameters: tuple[str, ...] = param(
        (),
        unit="dotted keys",
        description="the calibrated keys, one per column of draws",
        source="sqm-sim calibrate",
        strict=False,
    )
    weights: tuple[float, ...] = param(
        (),
        unit="relative weight",
        description="weight of each parameter set (normalised when drawn)",
        source="sqm-sim calibrate (ABC-SMC importance weights)",
        strict=False,
    )
    draws: tuple[Annotated[tuple[float, ...], Strict(False)], ...] = param(
        (),
        unit="as each key",
        description="the accepted parameter sets, one row per set",
        source="sqm-sim calibrate",
        strict=False,
    )

    @model_validator(mode="after")
    def _consistent(self) -> PosteriorSettings:
        problems = []
        if not self.parameters:
            problems.append("posterior.parameters: at least one key is needed")
        twice = repeated(list(self.parameters))
        if twice:
            problems.append(f"posterior.parameters repeats {twice[:MAX_LISTED]}")
        if not self.draws:
            problems.append("posterior.draws: at least one parameter set is needed")
        if len(self.weights) != len(self.draws):
            problems.append(
                f"posterior: {len(self.weights)} weights for {len(self.draws)} parameter sets"
            )
        wide = [i for i, row in enumerate(self.draws) if len(row) != len(self.parameters)]
        if wide:
            problems.append(
                f"posterior.draws row {wide[0]} has {len(self.draws[wide[0]])} values for "
                f"{len(self.parameters)} parameters"
            )
        if any(not math.isfinite(w) or w < 0 for w in self.weights) or not sum(self.weights) > 0:
            problems.append("posterior.weights must be finite, non-negative and not all 0")
        if problems:
            raise ValueError("; ".join(problems))
        for key in self.parameters:
            check_key(key)
        return self
