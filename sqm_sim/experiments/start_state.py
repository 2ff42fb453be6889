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
  past sets the new switching cost; a shock already past is dropped, see below).

:data:`NOT_CARRIED` lists the state the profile cannot hold; a forward run starts those
from the profile's month-0 values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config import Config
from ..models.units import DAYS_PER_MONTH, DAYS_PER_YEAR
from .history import History

END_COLUMNS = ("active_customers", "prospects_remaining", "competitor_customers")
"""Model columns whose last-month medians over the posterior simulations
:func:`start_state` uses where the history is silent."""

NOT_CARRIED: tuple[tuple[str, str], ...] = (
    (
        "market norms (state of the art)",
        "their growth over the history and any technology shock in it: forward runs start "
        "the norms at 1 again, so customers judge by month-0 standards at first",
    ),
    (
        "each customer's satisfaction, expectation and memory",
        "every customer starts at customers.initial_satisfaction and initial_expectation",
    ),
    (
        "process capability, drift and improvement progress",
        "the line starts at the profile's Cpk, in control",
    ),
    (
        "staff and the complaint desk",
        "operators, skill, employee satisfaction and agents' experience start as profiled",
    ),
    ("stock, open orders, open complaints", "start as at month 0: stock at order-up-to"),
    ("the economic cycle's phase", "the cycle restarts at month 0; no key sets its phase"),
    (
        "the profile's initiatives",
        "their start months count from the forward run's month 0",
    ),
)
"""State a calibrated profile cannot carry from the end of the history, and what a forward
run does instead."""


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
                f"calendar: counted from month {months}; shocks in the history dropped",
            )
        )
    return values


def start_state(
    config: Config, history: History, simulated: Mapping[str, float]
) -> list[StartValue]:
    """The profile values that start a forward run of ``config`` where ``history`` ended
    (see the module docstring). ``simulated``: the median of each of :data:`END_COLUMNS`
    in the last month of the posterior simulations over the history."""
    ours = _our_customers(config, history, simulated)
    env = config.environment
    trend = env.competitor_quality_trend_per_year / DAYS_PER_YEAR * history.months * DAYS_PER_MONTH
    quality = StartValue(
        "environment.competitor_quality",
        min(1.0, max(0.0, env.competitor_quality + trend)),
        env.competitor_quality,
        f"the profile's trend over {history.months} months",
    )
    return [
        ours,
        *_market_split(config, ours.value, simulated),
        quality,
        *_calendar(config, history.months),
    ]


def start_overrides(values: list[StartValue]) -> dict[str, Any]:
    """The start values as dotted-key overrides."""
    return {value.key: value.value for value in values}
