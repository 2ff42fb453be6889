"""Presenting an experiment's results: terminal text, JSON, and files in the results folder.

Files written next to the results store (see :mod:`sqm_sim.experiments.store`):
``<table>.csv`` for every analysis table (``summary``, ``differences``, ``ranking``, ...),
``results.json`` (facts and every table as records; NaN as null) and ``report.md`` (what
was run and the main tables, in Markdown).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..experiments.atomic import write_frame, write_text
from ..experiments.runner import ExperimentOutcome
from .names import kpi_label, kpi_words
from .numbers import json_ready, number

PARQUET_TABLES = ("outcomes", "risk", "spend", "risk_ranking")
"""Tables also written as Parquet (the risk tables of a comparison, for analysis tools)."""

MAX_ROWS = 25
"""Rows of a table shown on the terminal or in the report (all rows are in the CSV)."""


def plural(count: int, noun: str) -> str:
    """``"1 cell"``, ``"2 cells"``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def table_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON-ready records (NaN and infinities as null)."""
    return json.loads(table.to_json(orient="records", double_precision=15))


def outcome_json(outcome: ExperimentOutcome, tracebacks: bool = True) -> dict[str, Any]:
    """Facts and every table of ``outcome`` as JSON-ready data."""
    tables = {}
    for name, table in outcome.tables.items():
        if name == "failures" and not tracebacks:
            table = table.drop(columns=["traceback"])
        tables[name] = table_records(table)
    return {"facts": json_ready(outcome.facts), "tables": tables}


CRITERION_WORDS = {
    "mean": "mean",
    "p5": "5th percentile (the bad tail)",
    "p50": "median",
    "cvar": "CVaR (mean of the worst {level})",
    "regret": "largest mean regret over the scenarios",
}
"""A ranking criterion in words (``{level}``: the CVaR level)."""

LABELS = "<labels>"
"""In a view's columns: the cell and its labels (the table's columns from ``cell`` up to
``kpi``: scenario, portfolio, design parameters)."""


@dataclass(frozen=True)
class TableView:
    """How one analysis table is shown on the terminal and in ``report.md``: a title
    (formatted with the main ``kpi``, the confidence ``level`` and the ``direction``), the
    columns in order (those the table lacks are left out), and whether only the main
    KPI's rows are shown."""

    table: str
    title: str
    columns: str
    """column names separated by spaces; :data:`LABELS` stands for the cell and its labels"""
    main_kpi_only: bool = False

    def show(self, table: pd.DataFrame, facts: dict[str, Any]) -> tuple[str, pd.DataFrame]:
        """The titled table with readable columns and at most :data:`MAX_ROWS` rows."""
        title, selected = self.select(table, facts)
        return title, selected.map(number)

    def select(self, table: pd.DataFrame, facts: dict[str, Any]) -> tuple[str, pd.DataFrame]:
        """The title and the view's rows and columns (at most :data:`MAX_ROWS` rows) of
        ``table``, values as they are."""
        kpi = facts["kpi"]
        if self.main_kpi_only:
            table = table[table["kpi"] == kpi]
        columns: list[str] = []
        for column in self.columns.format(kpi=kpi).split():
            columns += _labels(table) if column == LABELS else [column]
        criterion = CRITERION_WORDS.get(facts.get("rank_by", "mean"), "mean")
        title = self.title.format(
            kpi=kpi_label(kpi),
            level=f"{facts['confidence']:.0%}",
            direction=facts.get("direction"),
            criterion=criterion.format(level=f"{facts.get('cvar_level', 0.1):.0%}"),
        )
        present = [c for c in columns if c in table]
        return title, table[present].head(MAX_ROWS)


def _labels(table: pd.DataFrame) -> list[str]:
    columns = list(table.columns)
    return columns[columns.index("cell") : columns.index("kpi")]


# fmt: off
VIEWS: tuple[TableView, ...] = (
    TableView("summary", "{kpi}: mean and {level} confidence interval per cell",
              "<labels> n mean ci_low ci_high sd", main_kpi_only=True),
    TableView("differences", "{kpi}: paired difference from the reference (common random numbers)",
              "cell reference difference ci_low ci_high significant better unpaired_half_width",
              main_kpi_only=True),
    TableView("ranking", "ranking by {kpi} ({direction}imise) within each scenario",
              "group rank <labels> mean difference_to_best difference_ci_low difference_ci_high "
              "significantly_worse_than_best"),
    TableView("risk_ranking", "ranking by the {criterion} of {kpi} (group: a scenario, or all)",
              "group rank cell value difference_to_best difference_ci_low difference_ci_high "
              "significantly_worse_than_best comparison_confidence"),
    TableView("risk", "risk: distribution of {kpi} and of its gain over none per cell",
              "cell quantity n mean p5 p25 p50 p75 p95 cvar p_loss p_loss_low p_loss_high"),
    TableView("spend", "initiative spend and return per cell",
              "cell initiatives total_spend pv_spend incremental_{kpi} roi"),
    TableView("robustness", "robustness of each portfolio across scenarios ({kpi})",
              "portfolio mean worst best max_regret mean_regret times_best rank_by_max_regret"),
    TableView("main_effects", "main effects on {kpi} (paired over seeds)",
              "parameter level mean ci_low ci_high effect_vs_first_level effect_ci_low "
              "effect_ci_high significant", main_kpi_only=True),
    TableView("correlations", "Spearman rank correlation of each parameter with {kpi}",
              "parameter spearman_rho p_value", main_kpi_only=True),
    TableView("candidates", "evaluated portfolios, best {kpi} first",
              "portfolio pv_spend mean ci_low ci_high on_frontier"),
    TableView("frontier", "cost (PV of spend) vs {kpi} frontier",
              "portfolio pv_spend mean ci_low ci_high"),
    TableView("sequential", "sequential replication: worst relative half-width per step",
              "replications worst_relative_half_width cell"),
    TableView("failures", "failed runs (tracebacks in failures.csv / results.json)",
              "cell seed error"),
)
# fmt: on
"""The tables worth reading, in the order they are shown (all tables are in the CSVs)."""


def _means(summary: pd.DataFrame) -> pd.DataFrame:
    """Mean of every KPI per cell: cells as rows, KPIs as columns in summary order."""
    means = summary.pivot_table(index="cell", columns="kpi", values="mean", sort=False)
    means = means.reindex(columns=list(summary["kpi"].unique()))
    return means.reset_index().head(MAX_ROWS).map(number)


def display_tables(outcome: ExperimentOutcome) -> list[tuple[str, pd.DataFrame]]:
    """The tables worth reading (:data:`VIEWS`), with readable columns, titled; after the
    main KPI's summary, the means of every KPI."""
    tables = {name: table for name, table in outcome.tables.items() if not table.empty}
    shown: list[tuple[str, pd.DataFrame]] = []
    for view in VIEWS:
        if view.table in tables:
            shown.append(view.show(tables[view.table], outcome.facts))
            if view.table == "summary":
                shown.append(("means of every KPI", _means(tables["summary"])))
    return shown


def headline(outcome: ExperimentOutcome) -> list[str]:
    """A few lines saying what ran and what came out."""
    facts = outcome.facts
    lines = [
        f"experiment {facts['experiment']} ({facts['kind']}) | "
        f"{plural(facts['cells'], 'cell')}, {plural(len(facts['seeds']), 'seed')}, "
        f"{plural(facts['runs'], 'run')}, {facts['failed']} failed | "
        f"{facts['wall_time_s']:.1f} s",
        f"main KPI: {kpi_words(facts['kpi'])}; {facts['direction']}imise; "
        f"{facts['confidence']:.0%} intervals",
    ]
    if facts.get("parameter_uncertainty"):
        lines.append(facts["parameter_uncertainty"])
    if "precision_reached" in facts:
        state = "reached" if facts["precision_reached"] else "NOT reached (cap)"
        lines.append(
            f"sequential: target half-width {facts['target_relative_half_width']:.1%} of the "
            f"mean of {kpi_label(facts['sequential_kpi'])} {state} with {facts['replications']} "
            "replications per cell"
        )
    if "best" in facts:
        best = facts["best"]
        feasible = facts.get("feasible_portfolios")
        known = f"of {feasible} feasible" if feasible is not None else "of too many to list"
        lines.append(
            f"search ({facts['search_method']}, {facts['evaluated_portfolios']} portfolios "
            f"evaluated {known}): best '{best['portfolio']}', {kpi_label(facts['kpi'])} "
            f"{number(best['mean'])} [{number(best['ci_low'])}, {number(best['ci_high'])}], "
            f"PV of spend {number(best['pv_spend'])}"
        )
        for key, words in (("vs_none", "vs no initiatives"), ("vs_runner_up", "vs runner-up")):
            if key in best:
                gap = best[key]
                flag = "significant" if gap["significant"] else "not significant"
                lines.append(
                    f"  {words} ('{gap['other']}'): {number(gap['difference'])} "
                    f"[{number(gap['ci_low'])}, {number(gap['ci_high'])}] ({flag})"
                )
    if "minimax_regret_portfolio" in facts:
        lines.append(f"most robust portfolio (minimax regret): {facts['minimax_regret_portfolio']}")
    if facts.get("failed"):
        lines.append(f"{facts['failed']} run(s) failed; rerun the same command to retry them")
    return lines


def as_text(outcome: ExperimentOutcome) -> str:
    """The outcome for the terminal."""
    parts = ["\n".join(headline(outcome))]
    for title, table in display_tables(outcome):
        parts.append(f"{title}:\n{table.to_string(index=False)}")
    if outcome.out is not None:
        parts.append(f"results in {outcome.out} (report.md, runs/, timeseries/, *.csv)")
    return "\n\n".join(parts)


def markdown_table(table: pd.DataFrame) -> str:
    """A table as GitHub-flavoured Markdown (cells already formatted as text)."""
    header = "| " + " | ".join(str(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    rows = [
        "| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |"
        for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


def report_markdown(outcome: ExperimentOutcome, manifest: dict[str, Any]) -> str:
    """``report.md``: what was run, the headline and the main tables."""
    facts = outcome.facts
    versions = manifest.get("versions", {})
    sessions = manifest.get("sessions", [])
    backend = sessions[-1] if sessions else {}
    lines = [
        f"# Experiment: {facts['experiment']}",
        "",
        facts.get("description") or "",
        "",
        *[f"- {line.strip()}" for line in headline(outcome)],
        f"- seeds: {facts['seeds'][0]}-{facts['seeds'][-1]} (common random numbers: every "
        "cell runs the same seeds)"
        if facts["seeds"]
        else "- seeds: none",
        f"- backend: {backend.get('backend', '?')} with {backend.get('workers', '?')} worker(s)",
        f"- versions: {', '.join(f'{k} {v}' for k, v in versions.items())}",
        "- resolved configurations by hash in `manifest.json`; per-run KPIs in `runs/`, "
        "time series in `timeseries/` (Parquet), analysis tables as CSV",
        "",
    ]
    for title, table in display_tables(outcome):
        lines += [f"## {title}", "", markdown_table(table), ""]
    return "\n".join(lines)


def write_outputs(outcome: ExperimentOutcome) -> list[Path]:
    """Write CSV tables, ``results.json`` and ``report.md`` into ``outcome.out``, each
    atomically (a reader never sees a torn file; a planted symlink is replaced)."""
    out = outcome.out
    assert out is not None
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in outcome.tables.items():
        path = out / f"{name}.csv"
        write_frame(table, path)
        written.append(path)
        if name in PARQUET_TABLES:
            write_frame(table, out / f"{name}.parquet")
            written.append(out / f"{name}.parquet")
    results = out / "results.json"
    write_text(results, json.dumps(outcome_json(outcome), indent=2) + "\n")
    manifest_path = out / "manifest.json"
    manifest = (
        json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    )
    report = out / "report.md"
    write_text(report, report_markdown(outcome, manifest))
    return [*written, results, report]
