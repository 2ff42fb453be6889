"""What an exploration (``sqm-sim explore``) writes and prints, and its sentences.

Into the results folder (next to the engine's ``manifest.json`` and ``runs/``): the tables
``futures``, ``values``, ``trajectory``, ``boxes``, ``cart``, ``robust`` as Parquet and
CSV, ``results.json`` (facts and tables) and ``report.md``. Each file is written
atomically. The sentence of a failure box is computed from PRIM's limits, e.g. "balanced
fails ... when competitor quality trend per year is above 0.041 [1/year] and cpk gain of
capability_project is below 0.12 [Cpk] (coverage 0.82, density 0.77; 18 of 40 futures)".
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..experiments import atomic
from ..experiments.explore import ExploreOutcome
from .experiment_files import markdown_table, table_records
from .names import kpi_label
from .numbers import json_ready, number

TABLES = ("futures", "values", "trajectory", "boxes", "cart", "robust", "failed_runs")
"""The tables an exploration writes (those present)."""


def factor_name(key: str, label: str | None = None) -> str:
    """A factor in words: its label, ``cpk gain of capability_project`` for an initiative's
    field, or the key's last part with spaces."""
    if label:
        return label
    parts = key.split(".")
    if parts[0] == "portfolio" and len(parts) >= 3:
        return f"{parts[-1].replace('_', ' ')} of {'.'.join(parts[1:-1])}"
    return parts[-1].replace("_", " ")


def _value(value: float, unit: str) -> str:
    text = f"{value:.3g}" if abs(value) < 1000 else number(value)
    return f"{text} [{unit}]" if unit and unit not in {"-", ""} else text


def restriction_words(row: Mapping[str, Any], name: str, unit: str) -> str:
    """One restriction of a box in words: above / below / between."""
    span = float(row["range_high"]) - float(row["range_low"])
    tiny = 1e-9 * max(1.0, abs(span))
    low_cut = float(row["low"]) > float(row["range_low"]) + tiny
    high_cut = float(row["high"]) < float(row["range_high"]) - tiny
    if low_cut and high_cut:
        return f"{name} is between {_value(row['low'], unit)} and {_value(row['high'], unit)}"
    if low_cut:
        return f"{name} is above {_value(row['low'], unit)}"
    return f"{name} is below {_value(row['high'], unit)}"


def goal_words(facts: Mapping[str, Any]) -> str:
    """The failure condition in words: ``its NPV (currency units) falls below none's`` ..."""
    goal, kpi = facts["goal"], kpi_label(facts["kpi"])
    threshold = float(goal["threshold"])
    if goal["metric"] == "incremental":
        by = f" by more than {number(-threshold)}" if threshold < 0 else ""
        if threshold > 0:
            return f"its {kpi} beats {goal['reference']}'s by less than {number(threshold)}"
        return f"its {kpi} falls below {goal['reference']}'s{by}"
    return f"its regret in {kpi} exceeds {number(threshold)}"


def box_sentence(
    portfolio: str, facts: Mapping[str, Any], limits: pd.DataFrame, factors: Sequence[Mapping]
) -> str:
    """The failure box of ``portfolio`` in one sentence (or why there is none)."""
    found = facts["boxes"][portfolio]
    condition = goal_words(facts)
    if not found["found"]:
        share = f"{found['failures']} of {found['futures']} futures"
        return f"{portfolio} ({condition} in {share}): {found['reason']}."
    meta = {f["key"]: f for f in factors}
    rows = limits[limits["portfolio"] == portfolio]
    parts, weak = [], []
    for row in rows.to_dict("records"):
        info = meta.get(row["factor"], {})
        words = restriction_words(
            row, factor_name(row["factor"], info.get("label")), info.get("unit", "")
        )
        (parts if row["significant"] else weak).append(words)
    if not parts:
        text = (
            f"{portfolio} fails ({condition}) in a box where "
            + " and ".join(weak)
            + ", but no restriction is significant (quasi-p > 0.05): chance may explain it"
        )
    else:
        text = f"{portfolio} fails ({condition}) when " + " and ".join(parts)
        if weak:
            text += "; also restricted, not significant (quasi-p > 0.05): " + "; ".join(weak)
    return (
        f"{text} (coverage {found['coverage']:.2f}, density {found['density']:.2f}; "
        f"{found['failures']} of {found['futures']} futures fail)."
    )


NOISE_WARNING = 0.3
"""Above this share of the futures' spread due to replication noise, a box is flagged."""


def noise_words(found: Mapping[str, Any]) -> str:
    """A warning when replication noise makes much of the spread across futures."""
    share = found.get("noise_share")
    if share is None or share != share or share < NOISE_WARNING:
        return ""
    return (
        f" Replication noise alone would make about {min(share, 1.0):.0%} of the spread of "
        "its gain across futures: the futures differ largely by chance; raise replications "
        "before reading the box."
    )


def box_sentences(outcome_facts: Mapping[str, Any], boxes: pd.DataFrame) -> list[str]:
    """One sentence per portfolio whose failures were explained (with a noise warning)."""
    factors = outcome_facts["factors"]
    limits = boxes if not boxes.empty else pd.DataFrame(columns=["portfolio"])
    return [
        box_sentence(p, outcome_facts, limits, factors) + noise_words(found)
        for p, found in outcome_facts["boxes"].items()
    ]


def robust_sentences(facts: Mapping[str, Any], robust: pd.DataFrame) -> list[str]:
    """The robust choices in words, with the satisficing interval."""
    kpi = facts["kpi"]
    chosen = facts.get("choices", {})
    lines = []
    if "minimax_regret" in chosen:
        row = robust[robust["portfolio"] == chosen["minimax_regret"][0]].iloc[0]
        lines.append(
            f"Minimax regret: {', '.join(chosen['minimax_regret'])} (its largest shortfall from "
            f"the best portfolio of a future is {number(row['max_regret'])} in {kpi_label(kpi)})."
        )
    if "satisficing" in chosen:
        row = robust[robust["portfolio"] == chosen["satisficing"][0]].iloc[0]
        lines.append(
            f"Satisficing: {', '.join(chosen['satisficing'])} meets the goal in "
            f"{row['satisficing']:.0%} of the futures ({facts['confidence']:.0%} Wilson interval "
            f"{row['satisficing_low']:.0%} to {row['satisficing_high']:.0%})."
        )
    if "best_in_most_futures" in chosen:
        row = robust[robust["portfolio"] == chosen["best_in_most_futures"][0]].iloc[0]
        lines.append(
            f"Best in most futures: {', '.join(chosen['best_in_most_futures'])} "
            f"(best in {row['best_share']:.0%} of them)."
        )
    return lines


def headline(outcome: ExploreOutcome) -> list[str]:
    """What ran, then the boxes and the robust choices in words."""
    facts = outcome.facts
    lines = [
        f"exploration {facts['experiment']} | scenario {facts['scenario']} ({facts['size']}) | "
        f"{facts['futures']} futures x {len(facts['portfolios'])} portfolios x "
        f"{facts['replications']} seed(s) = {facts['runs']} runs, {facts['failed']} failed | "
        f"{facts.get('wall_time_s', math.nan):.1f} s",
    ]
    if facts.get("parameter_uncertainty"):
        lines.append(facts["parameter_uncertainty"])
    lines += box_sentences(facts, outcome.tables.get("boxes", pd.DataFrame()))
    lines += robust_sentences(facts, outcome.tables["robust"])
    return lines


def outcome_json(outcome: ExploreOutcome) -> dict[str, Any]:
    """Facts, headline and tables as JSON-ready data."""
    tables = {
        name: table_records(table) for name, table in outcome.tables.items() if name in TABLES
    }
    return {"facts": json_ready(outcome.facts), "headline": headline(outcome), "tables": tables}


ROBUST_COLUMNS = [
    "portfolio",
    "mean",
    "worst",
    "max_regret",
    "satisficing",
    "satisficing_low",
    "satisficing_high",
    "best_share",
    "rank_minimax_regret",
    "rank_satisficing",
    "rank_best_share",
]
"""Columns of the robust-choice table as shown."""


def shown(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The named columns (those present), formatted for reading."""
    return table[[c for c in columns if c in table]].map(number)


def as_text(outcome: ExploreOutcome) -> str:
    """The outcome for the terminal."""
    parts = ["\n".join(headline(outcome))]
    parts.append(
        "robust choice:\n" + shown(outcome.tables["robust"], ROBUST_COLUMNS).to_string(index=False)
    )
    boxes = outcome.tables.get("boxes", pd.DataFrame())
    if not boxes.empty:
        parts.append(
            "PRIM boxes:\n"
            + shown(
                boxes, ["portfolio", "factor", "low", "high", "qp_value", "significant"]
            ).to_string(index=False)
        )
    if outcome.out is not None:
        parts.append(
            f"results in {outcome.out} (report.md, *.csv, *.parquet; sqm-sim report {outcome.out})"
        )
    return "\n\n".join(parts)


def report_markdown(outcome: ExploreOutcome) -> str:
    """``report.md``: the headline and the main tables."""
    lines = [
        f"# Exploration: {outcome.facts['experiment']}",
        "",
        outcome.facts.get("description", ""),
        "",
    ]
    lines += [f"- {line}" for line in headline(outcome)]
    lines += [
        "",
        "## Robust choice",
        "",
        markdown_table(shown(outcome.tables["robust"], ROBUST_COLUMNS)),
        "",
    ]
    boxes = outcome.tables.get("boxes", pd.DataFrame())
    if not boxes.empty:
        columns = [
            "portfolio",
            "factor",
            "low",
            "high",
            "range_low",
            "range_high",
            "qp_value",
            "significant",
        ]
        lines += ["## PRIM boxes", "", markdown_table(shown(boxes, columns)), ""]
    cart = outcome.tables.get("cart", pd.DataFrame())
    if not cart.empty:
        columns = ["portfolio", "rule", "futures", "failures", "density", "coverage"]
        lines += [
            "## CART: leaves where failure is the majority",
            "",
            markdown_table(shown(cart, columns)),
            "",
        ]
    return "\n".join(lines)


def write_outputs(outcome: ExploreOutcome) -> list[Path]:
    """Write the tables (Parquet and CSV), ``results.json`` and ``report.md``."""
    out = outcome.out
    assert out is not None
    written = []
    for name in TABLES:
        table = outcome.tables.get(name)
        if table is None:
            continue
        for suffix in (".parquet", ".csv"):
            path = out / f"{name}{suffix}"
            atomic.write_frame(table, path)
            written.append(path)
    results = out / "results.json"
    atomic.write_text(results, json.dumps(outcome_json(outcome), indent=2) + "\n")
    report = out / "report.md"
    atomic.write_text(report, report_markdown(outcome))
    return [*written, results, report]
