"""What-if runs: a config from slider values, paired with its reference on the same seeds.

Every what-if run is paired with a *reference* run of the scenario as shipped (its own
portfolio, no slider moved), at the same run size and with the same seeds: common random
numbers, so a difference between the two is the levers' effect and not luck. Pure
functions of their inputs; the page only calls them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from ..config import Config
from ..experiments.plan import seed_range
from ..portfolios import with_portfolio
from ..report.numbers import number
from ..run import RunResult, simulate
from ..run.catalogue import SUMMARY_KPIS
from ..scenarios import load_scenario
from ..scenarios.sizes import at_size
from .levers import starting_values

OWN_PORTFOLIO = "(scenario's own)"
"""The portfolio choice that keeps the scenario's own portfolio."""

HEADLINE: tuple[tuple[str, str], ...] = (
    ("mean_satisfaction_end", "Satisfaction at the end"),
    ("retention_rate_annual", "Retention per year"),
    ("active_customers_end", "Customers at the end"),
    ("profit", "Profit, whole run (= cumulative profit)"),
    ("npv", "Net present value"),
    ("coq_total", "Cost of quality"),
    ("prevention_cost", "Cost of quality: prevention"),
    ("appraisal_cost", "Cost of quality: appraisal"),
    ("internal_failure_cost", "Cost of quality: internal failure"),
    ("external_failure_cost", "Cost of quality: external failure"),
    ("defects_shipped_ppm", "Defects shipped"),
)
"""The summary keys of the side-by-side table and their labels (units from the catalogue)."""

COQ_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("prevention_cost", "Prevention"),
    ("appraisal_cost", "Appraisal"),
    ("internal_failure_cost", "Internal failure"),
    ("external_failure_cost", "External failure"),
)
"""The cost-of-quality categories (PAF model) and their labels."""


def kpi_label(key: str) -> str:
    """The page's label of a summary key: the table's, else the key in words."""
    return dict(HEADLINE).get(key, key.replace("_", " "))


MONTHLY: tuple[tuple[str, str], ...] = (
    ("mean_satisfaction", "Satisfaction (0-1 scale)"),
    ("retention_rate_annual", "Retention per year (share, from the month's churn)"),
    ("active_customers", "Customers"),
    ("profit", "Profit per month (currency)"),
    ("cumulative_profit", "Cumulative profit (currency)"),
)
"""The time-series columns charted month by month, with chart titles."""

MAX_SEEDS = 20
"""Most replications the page runs at once."""


def changed_levers(config: Config, values: Mapping[str, float]) -> dict[str, float]:
    """The slider values that differ from ``config``'s own (the overrides to apply)."""
    start = starting_values(config)
    return {key: float(value) for key, value in values.items() if start.get(key) != value}


def whatif_config(
    scenario: str,
    portfolio: str,
    values: Mapping[str, float],
    size: str = "quick",
    settings: Mapping[str, object] | None = None,
) -> Config:
    """The scenario with ``portfolio`` (``OWN_PORTFOLIO`` keeps its own) and the moved
    sliders (full-size money), at run ``size``, then a lesson's ``settings`` (config
    overrides that are not sliders, in the run size's terms: a horizon, a customer count
    of the small company); a bad combination raises the CLI's :class:`ConfigError`."""
    config = load_scenario(scenario)
    if portfolio != OWN_PORTFOLIO:
        config = with_portfolio(config, portfolio)
    changes = changed_levers(config, values)
    if changes:
        config = config.with_overrides(changes)
    config = at_size(config, size)
    return config.with_overrides(settings) if settings else config


def reference_config(
    scenario: str,
    size: str = "quick",
    levers: Mapping[str, float] | None = None,
    settings: Mapping[str, object] | None = None,
) -> Config:
    """The scenario as shipped (its own portfolio), with a lesson's ``settings`` and
    reference ``levers`` if any, at run ``size``: what every what-if is compared with."""
    if not levers and not settings:
        return at_size(load_scenario(scenario), size)
    values = {**starting_values(load_scenario(scenario)), **(levers or {})}
    return whatif_config(scenario, OWN_PORTFOLIO, values, size, settings)


def seeds_for(first_seed: int, replications: int) -> tuple[int, ...]:
    """``replications`` consecutive seeds from ``first_seed`` (the page allows 1..MAX_SEEDS
    of them; the seeds themselves as every experiment draws them)."""
    if not 1 <= replications <= MAX_SEEDS:
        raise ValueError(f"replications = {replications}: allowed 1 <= replications <= {MAX_SEEDS}")
    return tuple(seed_range(first_seed, replications))


@dataclass(frozen=True)
class PairedRuns:
    """Reference and what-if runs on the same seeds (position i of each: seed ``seeds[i]``)."""

    seeds: tuple[int, ...]
    reference: tuple[RunResult, ...]
    whatif: tuple[RunResult, ...]


class RunCache:
    """The last runs by (config fingerprint, seed): the reference is not rerun each time a
    slider moves. A run is a pure function of (config, seed), so a cached one is exact."""

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self._runs: OrderedDict[tuple[str, int], RunResult] = OrderedDict()
        self._lock = threading.Lock()  # the page's worker threads share a tab's cache

    def run(self, config: Config, seed: int, *, trace_customers: bool = False) -> RunResult:
        """``simulate(config, seed)``, from the cache when it was run before; with
        ``trace_customers``, a run with its customer journeys (a traced run also answers an
        untraced request: the other results are the same bits)."""
        key = (config.fingerprint(), seed)
        with self._lock:
            cached = self._runs.get(key)
            if cached is not None and (cached.journeys is not None or not trace_customers):
                self._runs.move_to_end(key)
                return cached
        result = simulate(config, seed, trace_customers=trace_customers)
        with self._lock:
            self._runs[key] = result
            self._runs.move_to_end(key)
            if len(self._runs) > self.capacity:
                self._runs.popitem(last=False)
        return result


Progress = Callable[[int, int], None]
"""Called with (runs done, runs in all) after each run."""


def run_pair(
    reference: Config,
    whatif: Config,
    seeds: Sequence[int],
    *,
    cache: RunCache | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    trace_customers: bool = False,
) -> PairedRuns | None:
    """Both configs on every seed (with their customer journeys when ``trace_customers``);
    None when ``cancelled()`` turns true between runs."""
    run_one = cache.run if cache is not None else simulate

    def runner(config: Config, seed: int) -> RunResult:
        return run_one(config, seed, trace_customers=trace_customers)

    total = 2 * len(seeds)
    refs: list[RunResult] = []
    whats: list[RunResult] = []
    for seed in seeds:
        for config, bucket in ((reference, refs), (whatif, whats)):
            if cancelled is not None and cancelled():
                return None
            bucket.append(runner(config, seed))
            if progress is not None:
                progress(len(refs) + len(whats), total)
    return PairedRuns(tuple(seeds), tuple(refs), tuple(whats))


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side table: means over the seeds."""

    key: str
    label: str
    unit: str
    reference: float
    whatif: float

    @property
    def difference(self) -> float:
        """What-if minus reference."""
        return self.whatif - self.reference

    @property
    def better(self) -> bool | None:
        """Whether the what-if is better by the KPI's direction (None when equal)."""
        if self.whatif == self.reference:
            return None
        higher = self.whatif > self.reference
        return higher if SUMMARY_KPIS[self.key].direction == "max" else not higher


def mean_summary(runs: Sequence[RunResult], key: str) -> float:
    """The mean of summary ``key`` over ``runs``."""
    return float(sum(run.summary[key] for run in runs) / len(runs))


def side_by_side(pair: PairedRuns) -> list[Row]:
    """The headline KPIs of the reference and the what-if, with the catalogue's units."""
    return [
        Row(key, label, SUMMARY_KPIS[key].unit, *(mean_summary(r, key) for r in _sides(pair)))
        for key, label in HEADLINE
    ]


def _sides(pair: PairedRuns) -> tuple[Sequence[RunResult], Sequence[RunResult]]:
    return pair.reference, pair.whatif


def monthly_band(runs: Sequence[RunResult], column: str) -> pd.DataFrame:
    """``column`` month by month over the runs: ``month`` (1, 2, ...), ``mean``, ``low``
    and ``high`` (the smallest and largest replication: the band)."""
    table = pd.concat(
        [run.timeseries[column].reset_index(drop=True) for run in runs], axis=1, ignore_index=True
    )
    return pd.DataFrame(
        {
            "month": range(1, len(table) + 1),
            "mean": table.mean(axis=1),
            "low": table.min(axis=1),
            "high": table.max(axis=1),
        }
    )


def coq_by_category(runs: Sequence[RunResult]) -> dict[str, float]:
    """Mean whole-run cost of quality of each category, by its label."""
    return {label: mean_summary(runs, key) for key, label in COQ_CATEGORIES}


def signed(difference: float, unit: str) -> str:
    """A difference as the table shows it: with its sign and the unit's format; a small
    one on a 0-1 scale with three decimals (two would show 0.00)."""
    if unit == "0-1 scale" and 0 < abs(difference) < 0.01:
        return f"{difference:+.3f}"
    text = number(difference, unit)
    return f"+{text}" if difference > 0 else text
