"""The tidy tables of an experiment: one row per run (KPIs), one per run x period.

The runs table has ``run_id``, ``cell``, then the cell's labels (``scenario``,
``portfolio``, design parameters ...), then ``seed``, ``config_hash``, ``status`` (``ok`` or
``failed``), ``elapsed_s`` (seconds inside the run), ``worker`` (``host:pid``), ``error`` and
``traceback`` (failed runs), then every summary KPI (units in :mod:`sqm_sim.run.kpis`). The
time-series table has ``run_id``, ``cell``, ``seed`` and the run's time-series columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .plan import Plan
from .worker import RunRecord

RUN_COLUMNS = [
    "run_id",
    "cell",
    "seed",
    "config_hash",
    "status",
    "elapsed_s",
    "worker",
    "error",
    "traceback",
]
"""Columns every runs table has besides the cell labels (after ``cell``) and the KPIs."""


def records_to_frames(
    records: Sequence[RunRecord], plan: Plan
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(runs table rows, time-series rows) for finished runs of ``plan``."""
    rows = []
    series = []
    for record in records:
        task = record.task
        cell = plan.cell_by_name[task.cell]
        row: dict[str, Any] = {"run_id": task.run_id, "cell": task.cell}
        row.update({label: cell.labels.get(label) for label in plan.label_names})
        row.update(
            seed=task.seed,
            config_hash=task.config_hash,
            status=record.status,
            elapsed_s=record.elapsed_s,
            worker=record.worker,
            error=record.error,
            traceback=record.traceback,
        )
        row.update(record.summary or {})
        rows.append(row)
        if record.timeseries is not None:
            frame = record.timeseries.copy()
            frame.insert(0, "seed", task.seed)
            frame.insert(0, "cell", task.cell)
            frame.insert(0, "run_id", task.run_id)
            series.append(frame)
    runs = pd.DataFrame(rows)
    for label in plan.label_names:
        kinds = {type(v) for v in runs[label] if v is not None and v == v}
        if len(kinds) > 1:  # mixed label types cannot share a Parquet column
            runs[label] = runs[label].map(lambda v: None if v is None else str(v))
    for column in ("error", "traceback", "worker"):
        runs[column] = runs[column].astype("string")
    timeseries = pd.concat(series, ignore_index=True) if series else pd.DataFrame()
    return runs, timeseries


def label_columns(runs: pd.DataFrame) -> list[str]:
    """The cell-label columns of a runs table (between ``cell`` and ``seed``)."""
    columns = list(runs.columns)
    if "cell" not in columns or "seed" not in columns:
        return []
    return columns[columns.index("cell") + 1 : columns.index("seed")]


def dedupe_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run id: an ``ok`` row over a failed one, the latest over older ones."""
    if runs.empty:
        return runs
    order = np.arange(len(runs))
    ranked = runs.assign(_order=order, _ok=(runs["status"] == "ok").to_numpy())
    ranked = ranked.sort_values(["_ok", "_order"], ascending=[False, False], kind="stable")
    kept = ranked.drop_duplicates("run_id", keep="first").sort_values("_order")
    return kept.drop(columns=["_order", "_ok"]).reset_index(drop=True)


def dedupe_timeseries(timeseries: pd.DataFrame) -> pd.DataFrame:
    """One row per run id and period (the latest written)."""
    if timeseries.empty:
        return timeseries
    return timeseries.drop_duplicates(["run_id", "period"], keep="last").reset_index(drop=True)


def select_runs(frame: pd.DataFrame, run_ids: Iterable[str] | None) -> pd.DataFrame:
    """The rows of the given run ids (all rows for None)."""
    if run_ids is None or frame.empty:
        return frame
    wanted = list(run_ids)
    return frame[frame["run_id"].isin(set(wanted))].reset_index(drop=True)
