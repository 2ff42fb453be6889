"""Per-cell statistics of KPIs from a runs table, and which way is better for a KPI.

All functions read the tidy runs table (one row per run; see
:mod:`sqm_sim.experiments.store`) and leave failed runs out. KPI values keep the units
documented in :data:`sqm_sim.run.kpis.COLUMN_DOCS` (currency, shares, ppm, days ...).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..config import ConfigError
from ..run.catalogue import SUMMARY_KPIS, Direction, direction
from .intervals import t_interval

SUMMARY_KPI_NAMES = tuple(SUMMARY_KPIS)
"""Every key of a run's summary, from the KPI catalogue (no run needed)."""


def default_direction(kpi: str) -> Direction:
    """``"max"`` if more of ``kpi`` is better, ``"min"`` if less is (the catalogue's)."""
    return direction(kpi)


def check_kpis(kpis: Sequence[str], where: str = "kpis") -> list[str]:
    """``kpis`` if every name is a summary KPI; :class:`ConfigError` naming the unknown
    ones (with the closest valid names) otherwise."""
    import difflib

    known = SUMMARY_KPI_NAMES
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
