"""Where forward runs of a calibrated profile start: the month after its history ends.

A calibration simulates the profile from its month 0 over the months of history. A forward
run of the calibrated profile (``compare``, ``roi``, ...) must not start at that month 0
again: the company has moved on. :func:`start_state` gives the profile's values that
describe the end of the history, each with its source, and ``calibrate`` writes them into
``calibrated_profile.toml``:

- our customers (``market.initial_customers``): *observed*, the history's active customers
  in its last month; else *derived*, the profile's customers plus every month's acquired
  minus lost (the model's own identity, so exact when both columns are complete); else
  *simulated*, the median of the posterior simulations' last month;
- the rest of the market (``market.prospects``, ``environment.competitor_customers``):
  customers only move between us, the competitor and the prospect pool, so the market
  size (the three at month 0, which sets word of mouth's reach) is kept; the history does
  not say how the rest splits, so it splits as in the median posterior simulation;
- the competitor's quality (``environment.competitor_quality``): the profile's value moved
  by its trend over the history (deterministic in the model);
- the calendar: the season's peak month, the month the switching cost changes and the
  scheduled technology shocks count from the forward run's month 0 (a change already
  past sets the new switching cost; a shock already past is dropped: its jump is in the
  carried state of the art);
- the market's norms (``environment.initial_state_of_the_art``): *simulated*, the state
  of the art in the history's last month, median of the posterior simulations (without
  random technology shocks the same in every simulation: the profile's start level times
  (1 + expectation growth) ^ (months / 12) times (1 + shock size) per scheduled shock);
- our customers, one by one (``[start_customers]``, :mod:`sqm_sim.config.start_customers`,
  a CSV beside the profile): *simulated*, the segment, satisfaction, expectation,
  personal standard, complaints closed and contract (days to its renewal) of every
  customer still active at the end of the posterior simulations, pooled
  (:func:`surviving_customers`: at most :data:`START_TABLE_ROWS` rows, or
  ``market.initial_customers`` if more). A forward run deals its month-0 customers from
  these rows (:mod:`sqm_sim.models.start_customers`), so it starts with the spread of
  satisfaction, the dissatisfied (most of them contract customers waiting for their
  renewal) and the make-up (segments, personal standards) of the customers who stayed.
  ``customers.initial_satisfaction`` and ``initial_expectation`` are not carried then:
  they keep the profile's values, which new customers join at. Only when no simulation
  ends with an active customer are the two keys carried instead, as the means over the
  active customers (median of the posterior simulations; the expectation net of each
  customer's personal standard), setting every customer;
- the operators' skill (``workforce.skill``, which sets only the operators present at
  month 0): *simulated*, their mean skill in the history's last month, median of the
  posterior simulations. Production's human defects depend on the mean skill alone, so
  the first month's defect rate is the history's; each operator's own learning curve
  is not carried (all start alike, as at month 0). The last monthly sample precedes that
  month's learning and turnover (booked at the next month's start), so the carried skill
  is one month's learning and turnover behind.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from ..config.keys import value_at
from ..config.schema import parameter_at
from ..config.start_customers import COLUMNS, OPTIONAL_COLUMNS
from ..models.units import DAYS_PER_MONTH, DAYS_PER_YEAR
from ..run import RunResult
from .history import History

END_COLUMNS = (
    "active_customers",
    "prospects_remaining",
    "competitor_customers",
    "mean_satisfaction",
    "state_of_the_art",
    "average_skill",
)
"""Model columns whose last-month values (median over the posterior simulations)
:func:`start_state` uses: the customers where the history is silent, the market split,
our customers' satisfaction, the market's norms and the operators' skill."""

MEAN_EXPECTATION = "mean_expectation"
"""The end value (:func:`run_end`) of the active customers' mean expectation net of their
personal standards (the customer table holds it, no time-series column does)."""

START_TABLE_ROWS = 5_000
"""Most rows of the carried customer table (unless ``market.initial_customers`` is more):
enough to give a forward run's month-0 customers the spread of the pooled end states, few
enough that a configuration holding them stays a small file (a run's ``config.toml``)."""

START_CUSTOMERS_FILE = "start_customers.csv"
"""The carried customer table's file name, beside the calibrated profile."""

NOT_CARRIED: tuple[tuple[str, str], ...] = (
    (
        "each customer's open complaint, orders and point in the purchase cycle",
        "the month-0 customers take their segment, satisfaction, expectation, personal "
        "standard, complaints closed and contract from the carried customers (pooled over "
        "the posterior simulations, not tied to the run's parameter set), but none has a "
        "complaint open and each is at a random point of their purchase cycle",
    ),
    (
        "process capability, drift and improvement progress",
        "the line starts at the profile's Cpk and in control, the suggestion system's "
        "improvement factor at 1 and the improvement capability where the profile's "
        "improvement time keeps it",
    ),
    (
        "staff and the complaint desk",
        "the number of operators, employee satisfaction and the agents' experience start as "
        "profiled; every operator starts at the carried mean skill (as at month 0, all "
        "alike)",
    ),
    (
        "stock, open orders, open complaints",
        "start as at month 0: stock at order-up-to with every unit good, so the first "
        "months ship no defective units until that stock is sold",
    ),
    ("the economic cycle's phase", "the cycle restarts at month 0; no key sets its phase"),
    (
        "the profile's initiatives",
        "their start months count from the forward run's month 0",
    ),
    (
        "a start value whose key the calibration fits",
        "the posterior draws that key's month-0 value in every run",
    ),
)
"""State a calibrated profile cannot carry from the end of the history, and what a forward
run does instead."""


IMPLICATION = (
    "What that implies: the first months ship no defects; on a known continuation "
    "(docs/company_calibration.md, tools/start_state_check.py) forward runs from the "
    "carried customers lost as many customers over two years as the continuation did "
    "(-1.5 +- 3.5 of 57.9), where carrying only their mean satisfaction and expectation "
    "lost 5.3 +- 3.5 more."
)
"""The measured consequence of what is not carried, for the report."""


def not_carried_text() -> str:
    """:data:`NOT_CARRIED` and :data:`IMPLICATION` as the report's sentences."""
    return (
        "Not carried (the profile cannot hold it; in brackets what forward runs do instead): "
        + "; ".join(f"{what} ({does})" for what, does in NOT_CARRIED)
        + ". "
        + IMPLICATION
    )


@dataclass(frozen=True)
class StartValue:
    """One profile value set to the end of the history: the dotted ``key``, its ``value``,
    the profile's value ``before`` and where the value comes from (``source``)."""

    key: str
    value: Any
    before: Any
    source: str


def _our_customers(config: Config, history: History, simulated: Mapping[str, float]) -> StartValue:
    table = history.table
    before = config.market.initial_customers
    if "active_customers" in table and not math.isnan(table["active_customers"].iloc[-1]):
        return StartValue(
            "market.initial_customers",
            int(table["active_customers"].iloc[-1]),
            before,
            f"observed: active customers in month {history.months} of the history",
        )
    flows = ("customers_acquired", "customers_lost")
    if all(name in table and table[name].notna().all() for name in flows):
        value = before + int(table["customers_acquired"].sum() - table["customers_lost"].sum())
        return StartValue(
            "market.initial_customers",
            value,
            before,
            "derived: the profile's customers + acquired - lost over the history",
        )
    return StartValue(
        "market.initial_customers",
        round(simulated["active_customers"]),
        before,
        "simulated: median of the posterior simulations (the history does not show it)",
    )


def _market_split(
    config: Config, ours: int, simulated: Mapping[str, float]
) -> tuple[StartValue, StartValue]:
    prospects, competitor = config.market.prospects, config.environment.competitor_customers
    rest = max(config.market.initial_customers + prospects + competitor - ours, 0)
    sim_prospects = simulated["prospects_remaining"]
    sim_rest = sim_prospects + simulated["competitor_customers"]
    share = sim_prospects / sim_rest if sim_rest > 0 else 0.5
    new_prospects = round(rest * share)
    source = (
        "market size kept; split between prospects and the competitor as in the median "
        f"posterior simulation ({share:.0%} prospects)"
    )
    return (
        StartValue("market.prospects", new_prospects, prospects, source),
        StartValue("environment.competitor_customers", rest - new_prospects, competitor, source),
    )


def _calendar(config: Config, months: int) -> list[StartValue]:
    env = config.environment
    values = []
    if env.seasonality_amplitude > 0:
        values.append(
            StartValue(
                "environment.seasonality_peak_month",
                (env.seasonality_peak_month - months) % 12,
                env.seasonality_peak_month,
                f"calendar: the season's peak, counted from month {months} of the history",
            )
        )
    change = env.switching_cost_change_month
    if change > 0 and change <= months:
        source = f"calendar: the switching cost changed in month {change}, during the history"
        values.append(
            StartValue(
                "environment.switching_cost", env.switching_cost_after, env.switching_cost, source
            )
        )
        values.append(StartValue("environment.switching_cost_change_month", 0, change, source))
    elif change > months:
        values.append(
            StartValue(
                "environment.switching_cost_change_month",
                change - months,
                change,
                f"calendar: counted from month {months} of the history",
            )
        )
    shocks = env.technology_shock_months
    if shocks:
        values.append(
            StartValue(
                "environment.technology_shock_months",
                [month - months for month in shocks if month > months],
                list(shocks),
                f"calendar: counted from month {months}; shocks in the history dropped (their "
                "jump is in the carried state of the art)",
            )
        )
    return values


def run_end(run: RunResult) -> dict[str, float]:
    """One simulation's values at its end: each of :data:`END_COLUMNS` in its last month
    and :data:`MEAN_EXPECTATION` (NaN without active customers)."""
    values = {column: float(run.timeseries[column].iloc[-1]) for column in END_COLUMNS}
    table = run.customers
    active = table[table["active_end"]]
    net = active["expectation_end"] - active["personal_standard"]
    values[MEAN_EXPECTATION] = float(net.mean()) if len(active) else math.nan
    return values


def surviving_customers(runs: list[RunResult], limit: int, seed: int) -> pd.DataFrame:
    """The customers active at the end of ``runs``, pooled in run order: one row each with
    the columns of :data:`~sqm_sim.config.start_customers.COLUMNS` and
    :data:`~sqm_sim.config.start_customers.OPTIONAL_COLUMNS` (from the customer table's
    ``segment``, ``satisfaction_end``, ``expectation_end``, ``personal_standard``,
    ``complaints`` and ``renewal_day``, counted from the run's end; 0 without a contract).
    More than ``limit`` of them: ``limit`` rows drawn without replacement (numpy generator
    seeded with ``[seed, 2]``), kept in pool order."""
    frames = []
    for run in runs:
        active = run.customers[run.customers["active_end"]]
        end_day = run.config.simulation.horizon_months * DAYS_PER_MONTH
        contract = active["renewal_day"].notna().to_numpy()
        frames.append(
            pd.DataFrame(
                {
                    "segment": active["segment"].astype(str).to_numpy(),
                    "satisfaction": active["satisfaction_end"].to_numpy(),
                    "expectation": active["expectation_end"].to_numpy(),
                    "standard": active["personal_standard"].to_numpy(),
                    "complaints": active["complaints"].to_numpy(),
                    "contract": contract.astype(int),
                    "renewal_in_days": np.where(
                        contract, active["renewal_day"].to_numpy() - end_day, 0.0
                    ),
                }
            )
        )
    empty = pd.DataFrame(columns=[*COLUMNS, *OPTIONAL_COLUMNS])
    pool = pd.concat(frames, ignore_index=True) if frames else empty
    if len(pool) > limit:
        kept = np.sort(np.random.default_rng([seed, 2]).choice(len(pool), limit, replace=False))
        pool = pool.iloc[kept].reset_index(drop=True)
    return pool


def start_customer_columns(table: pd.DataFrame) -> dict[str, list[Any]]:
    """A customer table (:func:`surviving_customers`) as the ``[start_customers]`` table's
    columns, for a configuration override (``{"start_customers": ...}``)."""
    return {name: table[name].tolist() for name in (*COLUMNS, *OPTIONAL_COLUMNS)}


def end_medians(ends: list[Mapping[str, float]]) -> dict[str, float]:
    """Median over the simulations of each end value (:func:`run_end`), leaving out the
    simulations where it is NaN (no active customers); NaN where every one is."""
    medians = {}
    for name in ends[0]:
        values = [end[name] for end in ends if not math.isnan(end[name])]
        medians[name] = float(np.median(values)) if values else math.nan
    return medians


def _within_key(config: Config, key: str, value: float, source: str) -> StartValue:
    """A start value for ``key`` (the value before: ``config``'s); a value outside the
    key's range (a mean expectation above 1 where the product outperforms the norms) is put
    at the nearer bound and the source says so."""
    info = parameter_at(Config, key)
    if info is None or info.lower is None or info.upper is None:
        raise KeyError(f"{key}: not a bounded configuration key")
    bounded = min(max(value, info.lower), info.upper)
    if bounded != value:
        source += f" ({value:.6g} is outside {info.range_text()}: set to {bounded:g})"
    return StartValue(key, bounded, value_at(config, key), source)


def _mood(config: Config, months: int, simulated: Mapping[str, float]) -> list[StartValue]:
    """Our customers' mean satisfaction and expectation at the end of the history."""
    found = [
        ("customers.initial_satisfaction", simulated["mean_satisfaction"], "satisfaction"),
        (
            "customers.initial_expectation",
            simulated[MEAN_EXPECTATION],
            "expectation net of their personal standards",
        ),
    ]
    return [
        _within_key(
            config,
            key,
            value,
            f"simulated: the active customers' mean {what} in month {months}, median of "
            "the posterior simulations; every customer starts at it, new ones too",
        )
        for key, value, what in found
        if not math.isnan(value)
    ]


def _customers(
    config: Config, months: int, customers: pd.DataFrame, simulations: int
) -> StartValue:
    """Our customers one by one: the carried table's file."""
    before = config.start_customers.file if config.start_customers is not None else ""
    return StartValue(
        "start_customers.file",
        START_CUSTOMERS_FILE,
        before,
        f"simulated: {len(customers):,} customers active in month {months} of "
        f"{simulations} posterior simulations (segment, satisfaction, expectation, personal "
        "standard, complaints, contract); the month-0 customers are dealt from them, new "
        "customers join at "
        "customers.initial_satisfaction and initial_expectation",
    )


def _norms(config: Config, months: int, simulated: Mapping[str, float]) -> StartValue:
    """The market's state of the art at the end of the history."""
    return _within_key(
        config,
        "environment.initial_state_of_the_art",
        simulated["state_of_the_art"],
        f"simulated: the state of the art in month {months}, median of the posterior "
        "simulations (norms growth and technology shocks over the history)",
    )


def _skill(config: Config, months: int, simulated: Mapping[str, float]) -> StartValue:
    """The operators' mean skill at the end of the history."""
    return _within_key(
        config,
        "workforce.skill",
        simulated["average_skill"],
        f"simulated: the operators' mean skill in month {months}, median of the posterior "
        "simulations (learning and turnover over the history); every operator starts at it",
    )


def start_state(
    config: Config,
    history: History,
    simulated: Mapping[str, float],
    fitted: Collection[str] = (),
    customers: pd.DataFrame | None = None,
    simulations: int = 0,
) -> list[StartValue]:
    """The profile values that start a forward run of ``config`` where ``history`` ended
    (see the module docstring). ``simulated``: the median over the posterior simulations
    of each end value (:func:`run_end`, :func:`end_medians`). A key in ``fitted`` (the
    calibration's parameters) is left out: the posterior draws it in every run.
    ``customers``: the surviving customers of the ``simulations`` posterior simulations
    (:func:`surviving_customers`); with at least one row they are carried (as
    :data:`START_CUSTOMERS_FILE`) instead of the customers' means."""
    if customers is not None and len(customers) > 0:
        mood = [_customers(config, history.months, customers, simulations)]
    else:
        mood = _mood(config, history.months, simulated)
    ours = _our_customers(config, history, simulated)
    env = config.environment
    trend = env.competitor_quality_trend_per_year / DAYS_PER_YEAR * history.months * DAYS_PER_MONTH
    quality = StartValue(
        "environment.competitor_quality",
        min(1.0, max(0.0, env.competitor_quality + trend)),
        env.competitor_quality,
        f"the profile's trend over {history.months} months",
    )
    values = [
        ours,
        *_market_split(config, ours.value, simulated),
        quality,
        *_calendar(config, history.months),
        _norms(config, history.months, simulated),
        *mood,
        _skill(config, history.months, simulated),
    ]
    return [value for value in values if value.key not in fitted]


def start_overrides(values: list[StartValue]) -> dict[str, Any]:
    """The start values as dotted-key overrides."""
    return {value.key: value.value for value in values}
