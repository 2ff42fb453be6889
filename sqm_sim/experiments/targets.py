"""Calibration targets: the published bands the shipped baseline is calibrated to.

Each :class:`Target` names a KPI of a run's summary (or a ratio of two), the band a
mid-sized manufacturer without a quality programme shows in the literature, and its source.
:func:`check_targets` reports, per target, the mean over a set of run summaries with its t
confidence interval and whether the mean lies in the band; :func:`check_baseline`
simulates the seeds first.
``docs/calibration.md`` is this table, written by ``tools/calibration_table.py``; the slow
test tier checks every target marked ``reached``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ..config import Config
from ..run.simulation import simulate
from .intervals import t_interval


@dataclass(frozen=True)
class Target:
    """A published band for one quantity of the baseline."""

    name: str
    """what is measured, in words"""
    numerator: str
    """summary KPI (or the numerator of a ratio of two summary KPIs)"""
    low: float
    high: float
    unit: str
    source: str
    denominator: str | None = None
    """summary KPI to divide by, if the quantity is a ratio of two"""
    reached: bool = True
    """whether the shipped baseline meets the band (a known gap otherwise, explained in
    ``gap``)"""
    gap: str = ""

    def value(self, summary: dict[str, float]) -> float:
        """The quantity in one run's summary."""
        value = summary[self.numerator]
        return value / summary[self.denominator] if self.denominator else value


TARGETS: tuple[Target, ...] = (
    Target(
        "shipped defects",
        "defects_shipped_ppm",
        2_000.0,
        10_000.0,
        "ppm",
        "assumption for a firm without a capability programme: Cpk about 1 (2,700 ppm in "
        "control, Montgomery) plus drift, design and human causes; customers' incoming "
        "quality requirements are usually stricter",
    ),
    Target(
        "annual customer retention",
        "retention_rate_annual",
        0.70,
        0.85,
        "share",
        "Reichheld & Sasser 1990: companies typically lose 10-30 % of their customers a year",
    ),
    Target(
        "profit margin",
        "profit",
        0.04,
        0.10,
        "share of revenue",
        "assumption: single-digit operating margin of a mid-sized manufacturer",
        denominator="revenue",
    ),
    Target(
        "failure share of the cost of quality",
        "failure_cost",
        0.5,
        1.0,
        "share of PAF cost of quality",
        "Feigenbaum; Juran: failure costs are the largest part of the cost of quality of a "
        "firm without a quality programme (65-70 %), prevention the smallest",
        denominator="coq_total",
    ),
    Target(
        "cost of quality with the hidden cost of lost sales",
        "coq_with_lost_sales_share",
        0.15,
        0.25,
        "share of revenue",
        "Juran's Quality Handbook: 15-25 % of sales in firms without a quality programme; "
        "the hidden part counted here is the margin of customers lost and of orders not "
        "placed (share of wallet) because of quality",
    ),
    Target(
        "dissatisfied customers",
        "share_dissatisfied",
        0.03,
        0.10,
        "share of active customers",
        "assumption from satisfaction surveys (a few percent answering 1-2 on a 5-point scale); "
        "reached because contract customers stay dissatisfied until renewal (Jones & Sasser "
        "1995) and the dissatisfied buy less, so a bad experience fades more slowly",
    ),
)
"""The calibration targets of the baseline, in the order of docs/calibration.md."""


def with_derived(summary: dict[str, float]) -> dict[str, float]:
    """A run's summary with the sums the targets need (failure cost)."""
    return {
        **summary,
        "failure_cost": summary["internal_failure_cost"] + summary["external_failure_cost"],
    }


def baseline_summaries(config: Config, seeds: Sequence[int]) -> list[dict[str, float]]:
    """The summary of each seed's run of ``config``, with the sums the targets need."""
    return [with_derived(simulate(config, seed).summary) for seed in seeds]


def check_targets(summaries: Sequence[dict[str, float]], confidence: float = 0.95) -> pd.DataFrame:
    """One row per target: the mean over ``summaries`` with its t interval, the band and
    whether the mean lies in it."""
    rows = []
    for target in TARGETS:
        interval = t_interval([target.value(summary) for summary in summaries], confidence)
        rows.append(
            {
                "target": target.name,
                "unit": target.unit,
                "mean": interval.mean,
                "ci_low": interval.mean - interval.half_width,
                "ci_high": interval.mean + interval.half_width,
                "band_low": target.low,
                "band_high": target.high,
                "in_band": target.low <= interval.mean <= target.high,
                "reached": target.reached,
                "source": target.source,
                "gap": target.gap,
            }
        )
    return pd.DataFrame(rows)


def check_baseline(config: Config, seeds: Sequence[int], confidence: float = 0.95) -> pd.DataFrame:
    """:func:`check_targets` over the runs of ``config`` with ``seeds``."""
    return check_targets(baseline_summaries(config, seeds), confidence)
