"""Decision rules of a portfolio: data and validation only.

A rule watches one KPI of the run's monthly report and acts when it has crossed a
threshold for ``for_months`` consecutive reported months:

    fires at review month m  <=>  value(j) <op> threshold for every j in
                                  m - delay - for_months, ..., m - delay - 1
    op = ">" (``when = "above"``) or "<" (``when = "below"``)

The manager reviews at the start of the months the ``cadence`` names (monthly: every
month from month 1; quarterly: months 3, 6, 9, ...; yearly: 12, 24, ...). The report of
month j reaches the manager ``delay_months`` months after the month closes (the
information delay of a real reporting system), so at the start of month m the latest
value seen is that of month m - 1 - delay. The action applies from the review month on.
A NaN value (a ratio with nothing to divide by) never satisfies the condition. A rule
fires at most ``max_firings`` times; after a firing it needs ``for_months`` new reported
months past the ones it has seen before it can fire again.

Actions: ``start`` an initiative that waits for a rule (``waits_for_rule = true``),
``stop`` or ``pause`` (``pause_months``) an initiative, ``scale`` its effect and spend by
``factor``, ``set`` a lever (``lever``, ``value``: prevention spend, inspection coverage,
improvement time, the unit price) from then on, ``hire`` operators (``hire_share``) or
``add_line``: a production line that runs ``lead_time_months`` after the decision and
costs ``line_cost``, booked in the decision month to its own account (``capacity_cost``).
What an action does to the month's levers is computed in one place,
:func:`sqm_sim.models.initiatives.levers`; which rules fire, in
:mod:`sqm_sim.models.rules`.
"""

from __future__ import annotations

import difflib
import math
from typing import Literal

from pydantic import Field, model_validator

from .fields import Section, param

RuleAction = Literal["start", "stop", "pause", "scale", "set", "hire", "add_line"]
Cadence = Literal["monthly", "quarterly", "yearly"]

CADENCE_MONTHS: dict[str, int] = {"monthly": 1, "quarterly": 3, "yearly": 12}
"""Months between reviews of each cadence (reviews at whole multiples, from month 1)."""

SETTABLE_LEVERS: dict[str, tuple[float, float]] = {
    "quality.prevention_spend_per_month": (0.0, 1e9),
    "quality.inspection_coverage": (0.0, 1.0),
    "workforce.improvement_time_share": (0.0, 0.9),
    "finance.unit_price": (0.0, 1e9),
}
"""Config keys a ``set`` action may change, with the values allowed (the schema's bounds;
a price must also be above 0)."""

MONEY_LEVERS = ("quality.prevention_spend_per_month",)
"""Settable levers in money per month that grow with the company (the quick size scales
them)."""

INITIATIVE_ACTIONS = ("start", "stop", "pause", "scale")
"""Actions that name an initiative."""

_UNIT_RANGES: dict[str, tuple[float, float]] = {
    "share": (0.0, 1.0),
    "probability": (0.0, 1.0),
    "0-1 scale": (0.0, 1.0),
    "ppm": (0.0, 1e6),
    "currency": (-math.inf, math.inf),
    "share of revenue": (-math.inf, 1.0),
}
"""Values a reported KPI can take, by unit; every other unit (counts, days, rates,
indices) is >= 0."""

NOT_FOR_RULES = ("discounted_profit_with_equity",)
"""Time-series columns a rule may not watch: the last month of a partial report carries
the terminal customer equity, so the value differs from the final report's."""


def rule_kpis() -> dict[str, str]:
    """The KPIs a rule may watch, with their units: every time-series column of the KPI
    catalogue (:mod:`sqm_sim.run.catalogue`) except the period counters."""
    from ..run.catalogue import COLUMNS  # the one home of KPI names (pure data)

    return {
        kpi.name: kpi.unit
        for kpi in COLUMNS
        if kpi.kind != "period" and kpi.name not in NOT_FOR_RULES
    }


def kpi_range(unit: str) -> tuple[float, float]:
    """(lowest, highest) value a KPI with ``unit`` can take."""
    return _UNIT_RANGES.get(unit, (0.0, math.inf))


class Rule(Section):
    """One decision rule: when a KPI crosses a threshold, take an action."""

    name: str = Field(description="unique name of the rule within its portfolio")
    kpi: str = Field(
        description="time-series column watched (its monthly reported value; the columns "
        "of the KPI catalogue, sqm_sim/run/catalogue.py)"
    )
    when: Literal["above", "below"] = Field(
        description="fire when the KPI is above (>) or below (<) the threshold"
    )
    threshold: float = param(
        0.0,
        unit="as the KPI",
        description="value the KPI must cross; within the KPI's possible values",
        source="portfolio input",
        ge=-1e15,
        le=1e15,
    )
    for_months: int = param(
        1,
        unit="months",
        description="consecutive reported months the condition must hold (persistence)",
        source="portfolio input",
        ge=1,
        le=120,
    )
    cadence: Cadence = Field(
        "monthly",
        description="how often the rule is reviewed: monthly (every month start from "
        "month 1), quarterly (months 3, 6, ...) or yearly (months 12, 24, ...)",
    )
    delay_months: int = param(
        0,
        unit="months",
        description="information delay: the report of a month reaches the manager this "
        "many months after it closes",
        source="portfolio input; reporting lags of 1-3 months are common (assumption)",
        ge=0,
        le=60,
    )
    max_firings: int = param(
        1,
        unit="firings",
        description="how often the rule may fire; after a firing it needs for_months "
        "fresh months before it fires again",
        source="portfolio input",
        ge=1,
        le=1000,
    )
    action: RuleAction = Field(
        description="start, stop, pause, scale (an initiative), set (a lever), hire or add_line"
    )
    initiative: str | None = Field(
        None, description="the initiative a start, stop, pause or scale acts on"
    )
    factor: float | None = param(
        None,
        unit="ratio",
        description="scale: the initiative's effect, spend and capacity loss multiplied "
        "by this from the decision on",
        source="portfolio input",
        gt=0.0,
        le=10.0,
    )
    pause_months: int | None = param(
        None,
        unit="months",
        description="pause: months the initiative stands still (no spend, no progress)",
        source="portfolio input",
        ge=1,
        le=600,
    )
    lever: str | None = Field(
        None, description="set: the config key changed (" + ", ".join(SETTABLE_LEVERS) + ")"
    )
    value: float | None = param(
        None,
        unit="as the lever",
        description="set: the lever's new value from the decision on",
        source="portfolio input",
        ge=0.0,
        le=1e9,
    )
    lead_time_months: int | None = param(
        None,
        unit="months",
        description="add_line: months from the decision until the new line runs",
        source="portfolio input; months to a year for a production line (assumption)",
        ge=0,
        le=120,
    )
    line_cost: float | None = param(
        None,
        unit="currency",
        description="add_line: cost of the line, booked in the decision month as "
        "capacity_cost (outside the cost of quality)",
        source="portfolio input",
        ge=0.0,
        le=1e12,
    )
    hire_share: float | None = param(
        None,
        unit="share of workforce.operators",
        description="hire: operators hired, as a share of the configured operators "
        "(rounded, at least one); they start at workforce.new_hire_skill and cost "
        "workforce.wage_per_month each",
        source="portfolio input",
        gt=0.0,
        le=2.0,
    )

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        where = f"rule '{self.name}'"
        kpis = rule_kpis()
        if self.kpi not in kpis:
            close = difflib.get_close_matches(self.kpi, list(kpis), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(
                f"{where}: unknown kpi '{self.kpi}'{hint} (allowed: a monthly time-series "
                "column of the KPI catalogue, sqm_sim/run/catalogue.py, e.g. profit_margin, "
                "on_time_rate, defects_shipped_ppm, backorders_open)"
            )
        low, high = kpi_range(kpis[self.kpi])
        if not low <= self.threshold <= high:
            raise ValueError(
                f"{where}: threshold {self.threshold:g} for '{self.kpi}' (unit "
                f"{kpis[self.kpi]}) is outside the values it can take ({low:g} to {high:g}); "
                "the rule could never fire or would always fire"
            )
        needed = {
            "start": ("initiative",),
            "stop": ("initiative",),
            "pause": ("initiative", "pause_months"),
            "scale": ("initiative", "factor"),
            "set": ("lever", "value"),
            "hire": ("hire_share",),
            "add_line": ("lead_time_months", "line_cost"),
        }[self.action]
        optional = (
            "initiative",
            "factor",
            "pause_months",
            "lever",
            "value",
            "hire_share",
            "lead_time_months",
            "line_cost",
        )
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{where}: action '{self.action}' needs {', '.join(missing)}")
        extra = [n for n in optional if n not in needed and getattr(self, n) is not None]
        if extra:
            raise ValueError(
                f"{where}: action '{self.action}' does not use {', '.join(extra)} (it uses: "
                f"{', '.join(needed)})"
            )
        if self.action == "set":
            assert self.lever is not None
            assert self.value is not None
            if self.lever not in SETTABLE_LEVERS:
                raise ValueError(
                    f"{where}: lever '{self.lever}' cannot be set by a rule (allowed: "
                    f"{', '.join(SETTABLE_LEVERS)})"
                )
            low, high = SETTABLE_LEVERS[self.lever]
            if not low <= self.value <= high:
                raise ValueError(
                    f"{where}: value {self.value:g} for {self.lever} is outside "
                    f"{low:g} <= value <= {high:g}"
                )
            if self.lever == "finance.unit_price" and self.value <= 0.0:
                raise ValueError(
                    f"{where}: value {self.value:g} for {self.lever}: a price must be > 0"
                )
        return self

    @property
    def review_every(self) -> int:
        """Months between reviews."""
        return CADENCE_MONTHS[self.cadence]
