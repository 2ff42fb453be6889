"""The headline KPIs of a run as a readable table (terminal and Markdown)."""

from __future__ import annotations

import math

from ..run.catalogue import headline_kpis
from ..run.kpis import kpi_doc

HEADLINE_KPIS: dict[str, list[str]] = headline_kpis()
"""Summary keys of the headline table by group (declared in the KPI catalogue)."""


def format_value(value: float, unit: str) -> str:
    """A KPI value formatted for its unit (shares as %, money with separators)."""
    if math.isnan(value):
        return "n/a"
    if unit == "share":
        return f"{100.0 * value:.2f} %"
    if unit == "currency":
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def headline_rows(summary: dict[str, float]) -> list[tuple[str, str, str, str]]:
    """(group, kpi, formatted value, unit) for every headline KPI."""
    rows = []
    for group, names in HEADLINE_KPIS.items():
        for name in names:
            unit, _ = kpi_doc(name)
            rows.append((group, name, format_value(summary[name], unit), unit))
    return rows


def as_text(summary: dict[str, float]) -> str:
    """Fixed-width table for the terminal."""
    lines = []
    current = None
    for group, name, value, unit in headline_rows(summary):
        if group != current:
            lines.append(f"\n{group}")
            current = group
        shown_unit = "" if unit in {"share", "currency"} else unit
        lines.append(f"  {name:<30} {value:>16}  {shown_unit}")
    return "\n".join(lines).lstrip("\n")


def as_markdown(summary: dict[str, float]) -> str:
    """Markdown table with a description column."""
    lines = ["| group | KPI | value | unit | meaning |", "|---|---|---:|---|---|"]
    for group, name, value, unit in headline_rows(summary):
        lines.append(f"| {group} | `{name}` | {value} | {unit} | {kpi_doc(name)[1]} |")
    return "\n".join(lines)
