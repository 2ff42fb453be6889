"""Per-cell statistics of KPIs from a runs table, and which way is better for a KPI.

All functions read the tidy runs table (one row per run; see
:mod:`sqm_sim.experiments.store`) and leave failed runs out. KPI values keep the units
documented in :data:`sqm_sim.run.kpis.COLUMN_DOCS` (currency, shares, ppm, days ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

import pandas as pd

from ..config import Config, ConfigError
from .intervals import t_interval

Direction = Literal["max", "min"]

LOWER_IS_BETTER = frozenset(
    {
        # money going out
        "production_cost", "fixed_cost", "prevention_cost", "appraisal_cost",
        "internal_failure_cost", "external_failure_cost", "coq_total", "total_cost",
        "coq_share_of_revenue", "initiative_spend",
        # defects and their consequences
        "defects_produced", "defective_shipped", "defect_rate_produced", "defects_shipped_ppm",
        "defect_probability_end", "units_rejected", "units_scrapped", "units_reworked",
        "rework_started", "units_damaged", "warranty_claims", "damage_claims",
        "drift_events", "out_of_control_days", "out_of_control_share",
        # delivery shortfalls
        "orders_backordered", "orders_cancelled", "backorders_open_end",
        "fulfilment_wait_days_total", "mean_fulfilment_wait_days",
        "delivery_lead_time_days_total", "mean_delivery_lead_time_days",
        # customers lost and unhappy
        "customers_lost", "churn_rate_monthly", "prospects_deterred", "share_dissatisfied",
        "dissatisfied_customers_end", "complaints_filed", "complaint_rate",
        "complaint_days_total", "mean_complaint_days", "complaints_open_end",
        "capacity_loss_end",
    }
)  # fmt: skip
"""KPIs for which less is better; every other KPI counts as more-is-better."""


def default_direction(kpi: str) -> Direction:
    """``"min"`` for the KPIs in :data:`LOWER_IS_BETTER`, ``"max"`` otherwise."""
    return "min" if kpi in LOWER_IS_BETTER else "max"


def documented_kpis() -> set[str]:
    """KPI names documented in :mod:`sqm_sim.run.kpis` (time-series columns, their ``_end``
    levels and the summary extras): the fallback when the probe run cannot tell."""
    from ..run import kpis

    names = set(kpis.COLUMN_DOCS) | set(kpis.SUMMARY_EXTRA_DOCS)
    names |= {f"{level}_end" for level in [*kpis.LEVELS, *kpis.FLOAT_LEVELS]}
    return names - {"period", "month_start", "period_days"}


@lru_cache(maxsize=1)
def summary_kpis() -> tuple[str, ...]:
    """The names of the KPIs in every run's summary, from a one-month probe run of the
    default config without customers (a few milliseconds); the documented names if the
    probe fails (the runs themselves will then record why)."""
    from ..run import simulate

    probe = Config().with_overrides(
        {
            "simulation.horizon_months": 1,
            "market.initial_customers": 0,
            "market.prospects": 0,
            "environment.competitor_customers": 0,
        }
    )
    try:
        return tuple(simulate(probe, 0).summary)
    except Exception:
        return tuple(sorted(documented_kpis()))


def check_kpis(kpis: Sequence[str], where: str = "kpis") -> list[str]:
    """``kpis`` if every name is a summary KPI; :class:`ConfigError` naming the unknown
    ones (with the closest valid names) otherwise."""
    import difflib

    known = summary_kpis()
    unknown = [kpi for kpi in kpis if kpi not in known]
    if unknown:
        hints = []
        for kpi in unknown:
            close = difflib.get_close_matches(kpi, known, n=2)
            hints.append(f"'{kpi}'" + (f" (did you mean {' or '.join(close)}?)" if close else ""))
        raise ConfigError(
            f"{where}: unknown KPI {', '.join(hints)}; the KPIs are the keys of a run's "
            "summary (see sqm_sim/run/kpis.py)"
        )
    if not kpis:
        raise ConfigError(f"{where}: name at least one KPI")
    return list(kpis)


def ok_only(runs: pd.DataFrame) -> pd.DataFrame:
    """The rows of runs that finished without error."""
    if runs.empty:
        return runs
    return runs[runs["status"] == "ok"]


def seed_matrix(runs: pd.DataFrame, kpi: str, cells: Sequence[str] | None = None) -> pd.DataFrame:
    """KPI values with one row per seed and one column per cell (NaN where a run failed
    or is missing): the layout for paired comparisons on common random numbers."""
    if cells is None:
        cells = list(dict.fromkeys(runs["cell"])) if not runs.empty else []
    seeds = sorted(runs["seed"].unique()) if not runs.empty else []
    ok = ok_only(runs)
    if ok.empty or kpi not in ok:
        return pd.DataFrame(index=pd.Index(seeds, name="seed"), columns=list(cells), dtype=float)
    table = ok.pivot(index="seed", columns="cell", values=kpi)
    return table.reindex(index=seeds, columns=list(cells)).astype(float)


def cell_labels(runs: pd.DataFrame, label_names: Sequence[str]) -> pd.DataFrame:
    """One row per cell with its labels, in first-seen order."""
    columns = ["cell", *[name for name in label_names if name in runs]]
    return runs[columns].drop_duplicates("cell").reset_index(drop=True)


def kpi_summary(
    runs: pd.DataFrame,
    kpis: Sequence[str],
    confidence: float = 0.95,
    label_names: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per cell and KPI: labels, ``n`` (successful runs), ``mean``, ``sd``,
    ``ci_low``, ``ci_high``, ``half_width`` and ``relative_half_width`` (t interval)."""
    labels = cell_labels(runs, label_names)
    ok = ok_only(runs)
    rows = []
    for _, cell_row in labels.iterrows():
        values = ok[ok["cell"] == cell_row["cell"]]
        for kpi in kpis:
            interval = t_interval(values.get(kpi, []), confidence)
            rows.append(
                {
                    **cell_row.to_dict(),
                    "kpi": kpi,
                    "n": interval.n,
                    "mean": interval.mean,
                    "sd": interval.sd,
                    "ci_low": interval.low,
                    "ci_high": interval.high,
                    "half_width": interval.half_width,
                    "relative_half_width": interval.relative_half_width,
                }
            )
    return pd.DataFrame(rows)


def failure_counts(runs: pd.DataFrame) -> dict[str, int]:
    """``{"runs": ..., "ok": ..., "failed": ...}`` for a runs table."""
    if runs.empty:
        return {"runs": 0, "ok": 0, "failed": 0}
    failed = int((runs["status"] == "failed").sum())
    return {"runs": len(runs), "ok": len(runs) - failed, "failed": failed}
