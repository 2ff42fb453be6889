"""From a validated experiment spec to what will run: cells, seeds, or a search menu.

Everything that can be wrong with an experiment is found here, before any run starts:
unknown scenarios, portfolios or config keys, values out of range at any design point,
unknown KPIs, an empty design.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config, ConfigError
from ..config.files import read_toml
from ..portfolios import load_portfolio
from ..scenarios import load_scenario
from .comparison import PortfolioChoice, ScenarioChoice, apply_portfolio, grid_cells
from .designs import Factor, design_cells, factorial_points, latin_hypercube_points
from .menu import Menu
from .plan import Cell, Plan, seed_range
from .spec import (
    ExperimentSpec,
    FactorialDesign,
    GridDesign,
    LatinHypercubeDesign,
    PortfolioItem,
    ScenarioItem,
    SearchDesign,
)
from .summaries import Direction, check_kpis, default_direction


@dataclass
class Prepared:
    """An experiment ready to run: ``plan`` (cells x seeds; for a search, None), ``menu``
    (search only), the KPIs with their directions and the factors of a design."""

    spec: ExperimentSpec
    kind: str
    kpis: list[str]
    directions: dict[str, Direction]
    seeds: list[int]
    plan: Plan | None = None
    menu: Menu | None = None
    factors: list[Factor] = field(default_factory=list)

    @property
    def direction(self) -> Direction:
        """Direction of the main KPI."""
        return self.directions[self.spec.kpi]


def _local(source: str, base_dir: Path | None) -> str:
    """A relative TOML path taken from the experiment file's folder, if it exists there."""
    if base_dir is None or not (source.endswith(".toml") or "/" in source):
        return source
    candidate = base_dir / source
    return str(candidate) if not Path(source).is_absolute() and candidate.is_file() else source


def scenario_choice(item: ScenarioItem, base_dir: Path | None) -> ScenarioChoice:
    """A scenario entry of the file as a :class:`ScenarioChoice`."""
    if isinstance(item, str):
        return ScenarioChoice(_local(item, base_dir))
    return ScenarioChoice(_local(item.scenario, base_dir), item.label, dict(item.overrides))


def portfolio_choice(item: PortfolioItem, base_dir: Path | None) -> PortfolioChoice:
    """A portfolio entry of the file as a :class:`PortfolioChoice`."""
    if isinstance(item, str):
        return PortfolioChoice(_local(item, base_dir))
    if item.initiatives is not None:
        data: dict[str, Any] = {"initiatives": item.initiatives}
        if item.name:
            data["name"] = item.name
        if item.budget_per_year is not None:
            data["budget_per_year"] = item.budget_per_year
        label = item.label or item.name or "inline"
        return PortfolioChoice(label, label, data)
    if item.portfolio is None:
        raise ConfigError("a portfolio table needs 'portfolio' (a name or file) or 'initiatives'")
    return PortfolioChoice(_local(item.portfolio, base_dir), item.label)


def _scenario_configs(
    items: list[ScenarioItem],
    portfolio: PortfolioItem | None,
    spec: ExperimentSpec,
    base_dir: Path | None,
) -> list[tuple[str, Config]]:
    bases = []
    for item in items:
        choice = scenario_choice(item, base_dir)
        config = load_scenario(choice.source)
        label = choice.label or config.name
        if portfolio is not None:
            config, _ = apply_portfolio(config, portfolio_choice(portfolio, base_dir))
        overrides = {**spec.overrides, **dict(choice.overrides)}
        if overrides:
            try:
                config = config.with_overrides(overrides)
            except ConfigError as exc:
                raise ConfigError(f"scenario '{label}': {exc}") from None
        bases.append((label, config))
    return bases


def _factors(design: FactorialDesign | LatinHypercubeDesign) -> list[Factor]:
    return [
        Factor(f.key, tuple(f.levels) if f.levels else None, f.low, f.high, f.integer, f.log)
        for f in design.parameters
    ]


def menu_items(design: SearchDesign, base_dir: Path | None) -> list[dict[str, Any]]:
    """The search menu: the listed initiatives, then those of ``menu_portfolios``; a name
    that repeats is qualified with its portfolio (``portfolio.name``)."""
    items = [dict(item) for item in design.menu]
    taken = {str(item.get("name")) for item in items}
    for source in design.menu_portfolios:
        data = load_portfolio(_local(source, base_dir))
        for item in data.get("initiatives", []):
            entry = dict(item)
            if entry.get("name") in taken:
                entry["name"] = f"{data.get('name', source)}.{entry.get('name')}"
            taken.add(str(entry.get("name")))
            items.append(entry)
    if not items:
        raise ConfigError("empty design: the search menu lists no initiative")
    return items


def read_menu_file(path: str | Path) -> tuple[list[dict[str, Any]], float | None]:
    """Initiatives and budget of a menu file (laid out like a portfolio file)."""
    data = read_toml(Path(path))
    items, budget = data.get("initiatives", []), data.get("budget_per_year")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ConfigError(f"menu file {path}: initiatives must be [[initiatives]] tables")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int | float)):
        raise ConfigError(f"menu file {path}: budget_per_year = {budget!r} is not a number")
    return list(items), budget


def prepare(spec: ExperimentSpec, base_dir: Path | None = None) -> Prepared:
    """Build and validate everything the experiment will run (see the module docstring)."""
    kpis = check_kpis(list(dict.fromkeys([spec.kpi, *spec.kpis])), "kpis")
    if spec.sequential and spec.sequential.kpi:
        check_kpis([spec.sequential.kpi], "replications.kpi")
        kpis = list(dict.fromkeys([*kpis, spec.sequential.kpi]))
    directions = {kpi: default_direction(kpi) for kpi in kpis}
    if spec.direction:
        directions[spec.kpi] = spec.direction
    if spec.sequential and spec.sequential.max < spec.sequential.initial:
        raise ConfigError(
            f"replications.max ({spec.sequential.max}) is below replications.initial "
            f"({spec.sequential.initial})"
        )
    seeds = seed_range(spec.first_seed, spec.fixed_replications)
    design = spec.design
    prepared = Prepared(spec, design.type, kpis, directions, seeds)
    if isinstance(design, GridDesign):
        scenarios = [scenario_choice(item, base_dir) for item in design.scenarios]
        portfolios = [portfolio_choice(item, base_dir) for item in design.portfolios]
        cells = grid_cells(scenarios, portfolios, spec.overrides)
    elif isinstance(design, FactorialDesign | LatinHypercubeDesign):
        prepared.factors = _factors(design)
        if isinstance(design, FactorialDesign):
            points = factorial_points(prepared.factors)
        else:
            points = latin_hypercube_points(prepared.factors, design.samples, design.sample_seed)
        bases = _scenario_configs(design.scenarios, design.portfolio, spec, base_dir)
        cells = design_cells(bases, points)
    elif isinstance(design, SearchDesign):
        if spec.sequential:
            raise ConfigError("a search runs a fixed number of replications per portfolio")
        ((_, base),) = _scenario_configs([design.scenario], None, spec, base_dir)
        prepared.menu = Menu(base, menu_items(design, base_dir), design.budget_per_year)
        return prepared
    else:
        portfolio = design.portfolio
        ((label, config),) = _scenario_configs([design.scenario], portfolio, spec, base_dir)
        labels = {"scenario": label, "portfolio": config.portfolio.name}
        cells = [Cell(label, labels, config)]
    prepared.plan = Plan(cells, seeds)
    return prepared
