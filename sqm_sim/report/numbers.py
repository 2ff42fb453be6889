"""Numbers as people read them, and as JSON accepts them: the one home of number formatting.

:func:`number` writes a value in text and tables (with a KPI unit: shares as %, money with
separators) and :func:`json_ready` makes data valid JSON (NaN and infinities become null).
Charts write their short labels (``40k``, ``12.5%``) with
:func:`sqm_sim.plots.style.compact`. Units are the ones documented in :mod:`sqm_sim.run.kpis`
("currency", "share", ...).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def number(value: Any, unit: str | None = None) -> str:
    """``value`` written for reading.

    Without a unit: thousands separators for whole and large values, four significant
    digits for small ones, '-' for a missing value, yes/no for a flag. With a KPI unit:
    shares as percentages with two decimals, currency to the unit with separators, whole
    counts with separators, anything else with two decimals, 'n/a' for NaN.
    """
    if unit is not None:
        return _with_unit(float(value), unit)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _with_unit(value: float, unit: str) -> str:
    if math.isnan(value):
        return "n/a"
    if unit == "share":
        return f"{100.0 * value:.2f} %"
    if unit == "currency":
        return f"{value:,.0f}"
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def json_ready(value: Any) -> Any:
    """``value`` (dicts, lists, NumPy scalars, floats) as valid JSON data: keys as text,
    NumPy scalars as Python numbers, NaN and infinities as None."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value
