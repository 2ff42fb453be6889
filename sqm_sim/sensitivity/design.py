"""From a parameter space and a method to the cells the experiment engine runs.

Every design point becomes one :class:`~sqm_sim.experiments.plan.Cell`: the base
configuration with the point's parameter values as overrides, validated here, before
anything runs (a value the schema refuses at any point is a clear error naming the point
and the key). Cells are named by the point's position (``p000042``) and labelled with
``point`` and every parameter's value, so the runs table says which point each run is.

Cell names are positions and run ids hash (cell, config fingerprint, seed): a rerun with a
larger ``n`` reuses exactly the runs whose point did not change. Saltelli's Sobol design
has this prefix property (the first ``n (D + 2)`` rows of the ``2n`` design are the ``n``
design), so doubling ``n`` runs only the new half.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..config import Config, ConfigError
from ..config.keys import value_at
from ..experiments.plan import Cell
from . import methods
from .methods import MethodOptions
from .space import ParameterSpace

BASE_POINT = "base"
"""Name of the unperturbed point of a one-at-a-time design."""


@dataclass(frozen=True)
class Design:
    """Design points of one method: ``unit`` coordinates (rows = points, for the SALib
    analysis), parameter ``values`` in their units and the ``cells`` to run."""

    method: str
    n: int
    unit: np.ndarray
    values: np.ndarray
    cells: list[Cell]

    @property
    def size(self) -> int:
        """Number of design points."""
        return len(self.cells)


def point_name(index: int) -> str:
    """Cell name of design point ``index``."""
    return f"p{index:06d}"


def _cell(base: Config, space: ParameterSpace, name: str, index: int, row: Sequence[float]) -> Cell:
    overrides = space.overrides(row)
    try:
        config = base.with_overrides(overrides)
    except ConfigError as exc:
        raise ConfigError(f"design point {index} ({name}): {exc}") from None
    labels = {"point": index, **overrides}
    return Cell(name, labels, config)


def sampled_design(
    base: Config,
    space: ParameterSpace,
    method: str,
    n: int,
    sample_seed: int,
    options: MethodOptions,
) -> Design:
    """The design of a SALib method (morris, sobol, fast, delta) over ``space``."""
    unit = methods.sample(method, space.unit_problem(), n, sample_seed, options)
    values = space.values(unit)
    cells = [_cell(base, space, point_name(i), i, row) for i, row in enumerate(values)]
    return Design(method, n, unit, values, cells)


def base_values(base: Config, space: ParameterSpace) -> list[float]:
    """The base configuration's value of every parameter of the space."""
    return [float(value_at(base, key)) for key in space.keys]


def one_at_a_time_design(base: Config, space: ParameterSpace) -> Design:
    """The base point, then each parameter at its ``low`` and at its ``high`` with every
    other parameter at the base value (2 D + 1 points)."""
    centre = base_values(base, space)
    rows = [centre]
    names = [BASE_POINT]
    for i, parameter in enumerate(space.parameters):
        for end, value in (("low", parameter.low), ("high", parameter.high)):
            row = list(centre)
            row[i] = value
            rows.append(row)
            names.append(f"{end}:{parameter.key}")
    values = np.asarray(rows, dtype=float)
    cells = [
        _cell(base, space, name, i, row)
        for i, (name, row) in enumerate(zip(names, values, strict=True))
    ]
    return Design("oat", 1, np.full_like(values, np.nan), values, cells)
