"""The initiative ROI table as text and as a file (``sqm-sim roi``).

Months are whole numbers; a payback that does not happen within the horizon reads
"never"; the worst cumulative shortfall ("worse before better") is shown with its month.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from ..experiments import atomic
from .experiment_files import table_records
from .numbers import json_ready, number

ROI_TABLE_NAME = "roi.csv"
"""File name of the ROI table in a results folder."""


def month_text(month: float) -> str:
    """A month index as a whole number, or "never" when there is none (NaN)."""
    return "never" if math.isnan(month) else str(int(month))


def roi_text(table: pd.DataFrame) -> str:
    """The ROI table of :func:`sqm_sim.experiments.roi.initiative_roi` for reading."""
    return roi_text_table(table).to_string(index=False)


def roi_text_table(table: pd.DataFrame) -> pd.DataFrame:
    """The ROI table with every value written for reading (text columns)."""
    return pd.DataFrame(
        {
            "initiative": table["initiative"],
            "kind": table["kind"],
            "pv_spend": table["pv_spend"].map(lambda v: number(v, "currency")),
            "incremental_npv": table["incremental_npv"].map(lambda v: number(v, "currency")),
            "ci": [
                f"[{number(lo, 'currency')}, {number(hi, 'currency')}]"
                for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
            ],
            "roi": table["roi"].map("{:.2f}".format),
            "payback_month": table["payback_month"].map(month_text),
            "worst_shortfall": table["worst_cumulative"].map(lambda v: number(v, "currency")),
            "worst_month": table["worst_month"].map(month_text),
        }
    )


ROI_COLUMN_WORDS: dict[str, str] = {
    "pv_spend": "present value of the spend (currency units)",
    "incremental_npv": "gain in NPV (currency units)",
    "ci": "confidence interval of the gain",
    "roi": "return on the spend (gain / present value of the spend)",
    "payback_month": "payback month",
    "worst_shortfall": "worst cumulative shortfall (currency units)",
    "worst_month": "month of the worst shortfall",
}
"""The headers of :func:`roi_text_table` in words (the HTML report; the terminal keeps the
CSV's names)."""


def roi_json(table: pd.DataFrame, facts: dict[str, Any]) -> dict[str, Any]:
    """The ROI table and the facts of the valuation (scenario, portfolio, seeds, confidence,
    ``parameter_uncertainty``: what the intervals cover) as JSON-ready data, laid out as
    ``compare --json`` lays out its own: ``{"facts": ..., "tables": {"roi": [rows]}}``."""
    return {"facts": json_ready(facts), "tables": {"roi": table_records(table)}}


def write_roi(table: pd.DataFrame, out_dir: Path) -> Path:
    """Write the ROI table as ``roi.csv`` into ``out_dir``; return its path."""
    path = out_dir / ROI_TABLE_NAME
    atomic.write_frame(table, path)
    return path
