"""The headline KPIs of a run as a readable table (terminal and Markdown)."""

from __future__ import annotations

from ..run.catalogue import headline_kpis, unit_words
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
    """Fixed-width table for the terminal: each KPI by its label, its value and unit, and
    its key (the name in the summary and for ``--kpi``) last."""
    lines = []
    current = None
    for group, name, value, unit in headline_rows(summary):
        if group != current:
            lines.append(f"\n{group}")
            current = group
        shown_unit = "" if unit == "share" else unit_words(unit)  # a share's value has its %
        lines.append(f"  {readable_kpi(name):<34} {value:>16}  {shown_unit:<16} {name}")
    return "\n".join(line.rstrip() for line in lines).lstrip("\n")


def as_markdown(summary: dict[str, float]) -> str:
    """Markdown table: each KPI by its label, with its unit, its meaning and its key."""
    lines = ["| group | KPI | value | unit | meaning (key) |", "|---|---|---:|---|---|"]
    for group, name, value, unit in headline_rows(summary):
        lines.append(
            f"| {group} | {readable_kpi(name)} | {value} | {unit_words(unit) or '-'} | "
            f"{kpi_doc(name)[1]} (`{name}`) |"
        )
    return "\n".join(lines)


def readable_kpi(name: str) -> str:
    """A summary key as a reader says it: ``coq_share_of_revenue`` -> "CoQ share of
    revenue", ``npv`` -> "NPV"."""
    words = [ACRONYMS.get(word, word) for word in name.split("_")]
    text = " ".join(words)
    return text[0].upper() + text[1:]


ACRONYMS = {"coq": "CoQ", "npv": "NPV", "ppm": "ppm", "clv": "CLV"}
"""Words of summary keys written as abbreviations."""
