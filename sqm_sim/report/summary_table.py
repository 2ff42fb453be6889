"""The headline KPIs of a run as a readable table (terminal and Markdown)."""

from __future__ import annotations

from ..run.catalogue import headline_kpis
from ..run.kpis import kpi_doc
from .numbers import number

HEADLINE_KPIS: dict[str, list[str]] = headline_kpis()
"""Summary keys of the headline table by group (declared in the KPI catalogue)."""


def headline_rows(summary: dict[str, float]) -> list[tuple[str, str, str, str]]:
    """(group, kpi, formatted value, unit) for every headline KPI."""
    rows = []
    for group, names in HEADLINE_KPIS.items():
        for name in names:
            unit, _ = kpi_doc(name)
            rows.append((group, name, number(summary[name], unit), unit))
    return rows


def as_text(summary: dict[str, float]) -> str:
    """Fixed-width table for the terminal."""
    lines = []
    current = None
    for group, name, value, unit in headline_rows(summary):
        if group != current:
            lines.append(f"\n{group}")
            current = group
        shown_unit = "" if unit == "share" else unit  # a share's value carries its %
        lines.append(f"  {name:<30} {value:>16}  {shown_unit}")
    return "\n".join(lines).lstrip("\n")


def as_markdown(summary: dict[str, float]) -> str:
    """Markdown table with a description column."""
    lines = ["| group | KPI | value | unit | meaning |", "|---|---|---:|---|---|"]
    for group, name, value, unit in headline_rows(summary):
        lines.append(f"| {group} | `{name}` | {value} | {unit} | {kpi_doc(name)[1]} |")
    return "\n".join(lines)


def readable_kpi(name: str) -> str:
    """A summary key as a reader says it: ``coq_share_of_revenue`` -> "CoQ share of
    revenue", ``npv`` -> "NPV"."""
    words = [ACRONYMS.get(word, word) for word in name.split("_")]
    text = " ".join(words)
    return text[0].upper() + text[1:]


ACRONYMS = {"coq": "CoQ", "npv": "NPV", "ppm": "ppm", "clv": "CLV"}
"""Words of summary keys written as abbreviations."""
