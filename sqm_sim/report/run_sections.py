"""The report of one run (``sqm-sim run --out``): what was run, findings, the KPI table,
time series and cost of quality."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from ..plots import cost_of_quality_area, kpi_timeseries
from ..run.kpis import kpi_doc
from .findings import run_findings
from .folder import ResultsFolder, ResultsKind, register_kind
from .html import Section, bullet_list, facts_list, figure_html, paragraph, table_html
from .numbers import number
from .summary_table import headline_rows, readable_kpi


def _is_run(manifest: dict[str, Any], path: Path) -> bool:
    return (
        "config_hash" in manifest
        and "experiment" not in manifest
        and (path / "summary.json").is_file()
        and (path / "timeseries.parquet").is_file()
    )


def _config(folder: ResultsFolder) -> dict[str, Any]:
    path = folder.path / "config.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def summary_values(folder: ResultsFolder) -> dict[str, float]:
    """The run's KPI summary (JSON nulls as NaN)."""
    return {
        k: float("nan") if v is None else float(v) for k, v in folder.json("summary.json").items()
    }


def versions_text(versions: dict[str, str]) -> str:
    """``python 3.11.7, sqm_sim 0.1.0, ...``."""
    return ", ".join(f"{name} {version}" for name, version in versions.items())


def what_was_run(folder: ResultsFolder) -> Section:
    """Scenario, portfolio, seed, horizon, config hash, versions and timing."""
    manifest, config = folder.manifest, _config(folder)
    simulation = config.get("simulation", {})
    facts = [
        ("scenario", f"{manifest.get('scenario', '?')}: {config.get('description', '')}"),
        ("portfolio", str(config.get("portfolio", {}).get("name", "?"))),
        ("seed", ", ".join(str(seed) for seed in manifest.get("seeds", []))),
        ("horizon", f"{simulation.get('horizon_months', '?')} months"),
        ("config hash", f"{manifest.get('config_hash', '?')} (resolved config in config.toml)"),
        (
            "started / finished (UTC)",
            f"{manifest.get('started_utc')} / {manifest.get('finished_utc')}",
        ),
        ("wall time", f"{manifest.get('wall_time_seconds', '?')} s, one process"),
        ("versions", versions_text(manifest.get("versions", {}))),
    ]
    return Section("What was run", facts_list(facts))


def kpi_table(summary: dict[str, float]) -> pd.DataFrame:
    """The headline KPIs with value, unit and meaning."""
    rows = [
        (group, readable_kpi(name), value, unit, f"{kpi_doc(name)[1]} ({name})")
        for group, name, value, unit in headline_rows(summary)
    ]
    return pd.DataFrame(rows, columns=["group", "KPI", "value", "unit", "meaning (key)"])


def initiatives_section(folder: ResultsFolder) -> Section | None:
    """The run's initiatives with their timing and cost (None without initiatives)."""
    path = folder.path / "config.toml"
    if not path.is_file() or not _config(folder).get("portfolio", {}).get("initiatives"):
        return None
    from ..experiments.risk import initiative_spend
    from ..scenarios import load_scenario

    config = load_scenario(str(path))
    spend = initiative_spend(config)
    durations = {i.name: i.duration_months for i in config.portfolio.initiatives}
    table = spend.assign(duration_months=spend["initiative"].map(durations))
    columns = ["initiative", "kind", "start_month", "duration_months", "total_spend", "pv_spend"]
    total, present = float(spend["total_spend"].sum()), float(spend["pv_spend"].sum())
    return Section(
        f"Initiatives: portfolio {config.portfolio.name}",
        paragraph(
            f"{len(spend)} initiative(s); spend over the horizon {number(total, 'currency')}, "
            f"present value {number(present, 'currency')} (discounted as profit is). Whether "
            "they pay: `sqm-sim roi` or `sqm-sim compare` against the portfolio none."
        )
        + table_html(table[columns].map(number)),
    )


def decisions_section(folder: ResultsFolder) -> Section | None:
    """Which rules fired and when (None for a run without rules)."""
    path = folder.path / "decisions.csv"
    if not path.is_file():
        return None
    table = pd.read_csv(path)
    if table.empty:
        return Section("Decisions taken by rules", paragraph("No rule fired."))
    return Section(
        "Decisions taken by rules",
        paragraph(
            f"{len(table)} decision(s): the month (from 0) each action applies from, the KPI "
            "the rule watched, the latest reported month it saw (its information delay), "
            "what it did and how much."
        )
        + table_html(table.map(number)),
    )


def build_run(folder: ResultsFolder) -> list[Section]:
    """The sections of a run's report."""
    summary = summary_values(folder)
    timeseries = folder.parquet("timeseries.parquet")
    initiatives = initiatives_section(folder)
    decisions = decisions_section(folder)
    portfolio = str(_config(folder).get("portfolio", {}).get("name")) if initiatives else None
    figures = figure_html(
        kpi_timeseries(timeseries),
        "Satisfaction, retention, active customers, monthly and cumulative profit, month by "
        "month (one replication: no confidence band).",
    ) + figure_html(
        cost_of_quality_area(timeseries),
        "Cost of quality per month by category: prevention and appraisal are spent to avoid "
        "internal failure (rework, scrap) and external failure (warranty, damage claims).",
    )
    return [
        what_was_run(folder),
        *([initiatives] if initiatives is not None else []),
        *([decisions] if decisions is not None else []),
        Section("Findings", bullet_list(run_findings(summary, timeseries, portfolio), "findings")),
        Section("Month by month", figures),
        Section(
            "Key results",
            paragraph(
                "Whole-run totals, ratios and end-of-run levels, each in its unit (shares in "
                "%, money in currency units); the key is the name in summary.json."
            )
            + table_html(kpi_table(summary)),
        ),
    ]


RUN = register_kind(
    ResultsKind(
        name="run",
        expected="a run folder from `sqm-sim run --out` (manifest.json, summary.json, "
        "timeseries.parquet)",
        detect=_is_run,
        title=lambda folder: f"sqm_sim run: {folder.manifest.get('scenario', '?')}",
        intro=lambda folder: (
            "One simulated run of a company that makes, inspects, ships and sells a product "
            "to repeat customers. This report shows what was run, what came out (profit, cost "
            "of quality, customers) and how the key indicators moved month by month. One run "
            "is one draw of chance: compare configurations with `sqm-sim compare` to get "
            "confidence intervals."
        ),
        build=build_run,
    )
)
