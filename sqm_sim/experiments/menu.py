"""A menu of candidate initiatives under a yearly budget, and which subsets are feasible.

A subset of the menu is *feasible* when the portfolio validates (no two initiatives of one
kind overlapping in time), its spend in every model year stays within the budget
(:func:`~sqm_sim.models.initiatives.budget_problems`, checked without running anything) and
the whole config validates (capacity lost, probabilities, timing). Feasibility is downward
closed (dropping an initiative never breaks a constraint), so feasible subsets are
enumerated by a depth-first search that prunes every superset of an infeasible one. A
candidate's cost is the present value of its spend, discounted as the model discounts
profit (currency).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from ..config import Config, ConfigError, PortfolioSettings
from ..config.errors import MAX_LISTED, repeated
from ..models.initiatives import budget_problems, portfolio_spend_by_month
from ..run.kpis import monthly_discount_factors
from .plan import Cell

EMPTY_NAME = "none"


@dataclass(frozen=True)
class Candidate:
    """A feasible portfolio of the search: menu positions, config and cost (currency)."""

    members: tuple[int, ...]
    name: str
    config: Config
    total_spend: float
    pv_spend: float

    def cell(self) -> Cell:
        """The candidate as a cell of a plan (labelled with its portfolio name)."""
        return Cell(self.name, {"portfolio": self.name}, self.config)


def _problems_text(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'portfolio'}: "
        + str(e["msg"]).removeprefix("Value error, ")
        for e in exc.errors()
    )


class Menu:
    """Candidate initiatives under a yearly budget (currency/year; None = no limit), to be
    applied to ``base`` (whose own portfolio is replaced)."""

    def __init__(
        self, base: Config, initiatives: Sequence[Mapping[str, Any]], budget_per_year: float | None
    ) -> None:
        if not initiatives:
            raise ConfigError("the search menu is empty: list at least one initiative")
        if budget_per_year is not None and budget_per_year < 0:
            raise ConfigError(f"budget_per_year = {budget_per_year}: must be >= 0")
        self.base = base
        self.budget_per_year = budget_per_year
        self.items = [dict(item) for item in initiatives]
        names = [str(item.get("name", "")) for item in self.items]
        twice = repeated(names)
        if twice:
            raise ConfigError(
                f"menu initiative names must be unique, repeated: {twice[:MAX_LISTED]}"
            )
        for position, item in enumerate(self.items):
            try:
                PortfolioSettings.model_validate({"initiatives": [item]})
            except ValidationError as exc:
                raise ConfigError(
                    f"menu initiative {position + 1} ('{item.get('name', '?')}'): "
                    f"{_problems_text(exc)}"
                ) from None
        self.names = names
        self.discount = monthly_discount_factors(base)
        self.infeasible_reasons: dict[str, int] = {}
        self._cache: dict[tuple[int, ...], Candidate | None] = {}

    def name_of(self, members: Sequence[int]) -> str:
        """``"a+b"`` for the initiatives at the given positions; ``"none"`` for none."""
        return "+".join(self.names[i] for i in sorted(members)) or EMPTY_NAME

    def portfolio_data(self, members: Sequence[int]) -> dict[str, Any]:
        """The portfolio table for a subset of the menu."""
        return {
            "name": self.name_of(members),
            "budget_per_year": self.budget_per_year,
            "initiatives": [self.items[i] for i in sorted(members)],
        }

    def _reject(self, reason: str) -> None:
        self.infeasible_reasons[reason] = self.infeasible_reasons.get(reason, 0) + 1

    def candidate(self, members: Sequence[int]) -> Candidate | None:
        """The candidate for a subset, or None if it is not feasible."""
        key = tuple(sorted(set(members)))
        if key in self._cache:
            return self._cache[key]
        data = self.portfolio_data(key)
        horizon = self.base.simulation.horizon_months
        found: Candidate | None = None
        try:
            portfolio = PortfolioSettings.model_validate(data)
        except ValidationError:
            self._reject("initiatives of one kind overlap")
        else:
            spend = portfolio_spend_by_month(portfolio.initiatives, horizon, self.base.workforce)
            if budget_problems(portfolio, spend):
                self._reject("over budget")
            else:
                try:
                    config = self.base.with_overrides({"portfolio": data})
                except ConfigError:
                    self._reject("invalid config (timing, capacity or probabilities)")
                else:
                    found = Candidate(
                        key,
                        data["name"],
                        config,
                        float(np.sum(spend)),
                        float((np.array(spend) * self.discount).sum()),
                    )
        self._cache[key] = found
        return found

    def feasible_subsets(self, limit: int) -> list[Candidate] | None:
        """Every feasible subset (depth-first, pruning supersets of infeasible subsets);
        None if there are more than ``limit``."""
        found: list[Candidate] = []

        def extend(members: tuple[int, ...], start: int) -> bool:
            for position in range(start, len(self.items)):
                candidate = self.candidate((*members, position))
                if candidate is None:
                    continue
                found.append(candidate)
                if len(found) > limit or not extend(candidate.members, position + 1):
                    return False
            return True

        empty = self.candidate(())
        if empty is None:
            raise ConfigError("the base configuration is invalid even without initiatives")
        found.append(empty)
        return found if extend((), 0) and len(found) <= limit else None
