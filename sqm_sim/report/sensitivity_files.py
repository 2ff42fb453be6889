"""What a sensitivity analysis writes and prints.

Into the results folder (next to the engine's ``manifest.json`` and ``runs/``):
``indices``, ``ranking``, ``convergence``, ``noise``, ``points`` (and ``tornado`` for a
one-at-a-time design) as Parquet and CSV; ``sensitivity.json`` (the facts and the headline
per KPI); PNG charts in ``figures/``; ``report.md``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from ..experiments import atomic
from ..plots import save_figure
from ..plots.sensitivity import plot_indices, plot_morris, plot_tornado
from ..run.posterior import uncertainty_note
from ..sensitivity.methods import INDEX_NAMES, MAIN_INDEX
from ..sensitivity.runner import PreparedSensitivity, SensitivityOutcome
from .experiment_files import markdown_table, plural
from .names import capitalised, kpi_label, parameter_label, settings_words
from .numbers import json_ready, number

TOP_PARAMETERS = 5
"""Parameters named per KPI in the headline."""


def facts(outcome: SensitivityOutcome) -> dict[str, Any]:
    """What was run: method, size, points, seeds, runs, time, failures."""
    prepared, spec = outcome.prepared, outcome.spec
    return {
        "name": spec.name,
        "description": spec.description,
        "scenario": spec.scenario,
        "portfolio": spec.portfolio,
        "size": spec.size,
        "method": spec.method,
        "n": spec.size_n,
        "parameters": len(prepared.space),
        "kpis": prepared.kpis,
        "design_points": prepared.design.size,
        "replications": spec.replications,
        "seeds": prepared.seeds,
        "noise_points": len(prepared.noise_cells),
        "noise_replications": len(prepared.noise_seeds) if prepared.noise_cells else 0,
        "runs_total": prepared.total_runs,
        "runs_run": outcome.ran,
        "runs_reused": outcome.skipped,
        "runs_failed": outcome.failed,
        "wall_time_s": round(outcome.wall_time_s, 2),
        "error": outcome.error,
        "parameter_uncertainty": uncertainty_words(prepared),
    }


def uncertainty_words(prepared: PreparedSensitivity) -> str:
    """What the design's runs include besides the varied parameters: a calibrated base
    draws one posterior parameter set per seed, the same at every design point (the
    indices hold for those draws), and its drawn keys are left out of the default space."""
    if prepared.base.posterior is None:
        return (
            "no posterior: parameters outside the space keep the scenario's values, and the "
            "noise share is simulation noise only"
        )
    note = uncertainty_note([prepared.base], prepared.seeds)
    note += (
        "; every design point runs the same seed(s) and so the same parameter set(s): the "
        "indices hold for those draws (more --replications average over more draws)"
    )
    if prepared.left_out:
        note += (
            f"; left out of the default space because the posterior draws them: "
            f"{', '.join(prepared.left_out)}"
        )
    return note


def _interval(row: pd.Series) -> str:
    if math.isnan(row["ci_low"]):
        return number(row["value"])
    return f"{number(row['value'])} [{number(row['ci_low'])}, {number(row['ci_high'])}]"


def headline(outcome: SensitivityOutcome) -> list[str]:
    """Plain-language findings: per KPI the most influential parameters with their main
    index and interval, the noise share and whether the indices have converged."""
    spec = outcome.spec
    if outcome.error:
        return [f"no indices: {outcome.error}"]
    lines = []
    if spec.method == "oat":
        for kpi, part in outcome.tornado.groupby("kpi", sort=False):
            top = part.head(TOP_PARAMETERS)
            swings = ", ".join(f"{row.label} ({number(row.swing)})" for row in top.itertuples())
            lines.append(f"{capitalised(kpi_label(kpi))}: largest one-at-a-time swings: {swings}")
        return lines
    main = INDEX_NAMES[MAIN_INDEX[spec.method]]
    for kpi in outcome.prepared.kpis:
        label = kpi_label(kpi)
        part = outcome.ranking[outcome.ranking["kpi"] == kpi].head(TOP_PARAMETERS)
        named = ", ".join(f"{row['label']} {_interval(row)}" for _, row in part.iterrows())
        lines.append(f"{capitalised(label)}, parameters ranked by {main}: {named}")
        noise = outcome.noise[outcome.noise["kpi"] == kpi]
        if not noise.empty and not math.isnan(noise["noise_share"].iloc[0]):
            share = float(noise["noise_share"].iloc[0])
            seeds = f"{plural(spec.replications, 'seed')} per point"
            lines.append(
                f"  point-specific simulation noise is at least as large as the variance of "
                f"{label} across points (the share is capped at 100 %): with {seeds} the ranking "
                "above may be chance; rerun with more --replications"
                if share >= 1.0
                else f"  point-specific simulation noise is {share:.1%} of the variance of {label} "
                f"across points ({seeds})"
            )
        check = outcome.convergence[outcome.convergence["kpi"] == kpi].iloc[0]
        verdict = (
            "converged"
            if check["converged"]
            else f"not converged: rerun with n = {int(check['suggested_n'])}"
        )
        lines.append(
            f"  widest interval half-width of the {main}: "
            f"{number(check['widest_half_width'])} "
            f"(target {number(check['target'])}): {verdict}"
        )
    return lines


def tables(outcome: SensitivityOutcome) -> dict[str, pd.DataFrame]:
    """The non-empty tables by file name."""
    candidates = {
        "indices": outcome.indices,
        "ranking": outcome.ranking,
        "convergence": outcome.convergence,
        "noise": outcome.noise,
        "tornado": outcome.tornado,
        "points": outcome.points,
        "failures": outcome.failures.drop(columns=["traceback"], errors="ignore"),
    }
    return {name: table for name, table in candidates.items() if not table.empty}


def figures(outcome: SensitivityOutcome) -> dict[str, Any]:
    """The charts by file stem: one per KPI."""
    spec = outcome.spec
    charts = {}
    for kpi in outcome.prepared.kpis if not outcome.error else []:
        if spec.method == "oat":
            charts[f"tornado_{kpi}"] = plot_tornado(outcome.tornado, kpi)
        elif spec.method == "morris":
            charts[f"morris_{kpi}"] = plot_morris(outcome.indices, kpi)
        else:
            charts[f"indices_{kpi}"] = plot_indices(outcome.indices, kpi, spec.method)
    return charts


def as_text(outcome: SensitivityOutcome) -> str:
    """The terminal summary."""
    info = facts(outcome)
    lines = [
        f"sensitivity analysis '{info['name']}': {info['method']} (n = {info['n']}) over "
        f"{plural(info['parameters'], 'parameter')}, scenario {info['scenario']} at size "
        f"{info['size']}",
        f"{plural(info['design_points'], 'design point')} x "
        f"{plural(info['replications'], 'seed')} + noise points: {info['runs_total']} runs "
        f"({info['runs_run']} run now, {info['runs_reused']} reused, "
        f"{info['runs_failed']} failed) in {info['wall_time_s']:.1f} s",
        info["parameter_uncertainty"],
        *headline(outcome),
    ]
    if outcome.out is not None:
        lines.append(f"results in {outcome.out} (report.md, figures/, indices.csv, ...)")
    return "\n".join(lines)


def report_markdown(outcome: SensitivityOutcome, charts: list[str]) -> str:
    """``report.md``: what was run, the findings, the charts and the main tables."""
    info = facts(outcome)
    space = outcome.prepared.space.describe()
    lines = [
        f"# Sensitivity analysis: {info['name']}",
        "",
        info["description"] or "",
        "",
        f"- method: {info['method']}, n = {info['n']}; {info['design_points']} design "
        f"points x {info['replications']} common seed(s); {info['runs_total']} runs in "
        f"{info['wall_time_s']:.1f} s",
        f"- scenario: {info['scenario']} (size {info['size']}), portfolio: "
        + (info["portfolio"] or "the scenario's own"),
        f"- {info['parameter_uncertainty']}",
        *(
            [f"- set at every point: {settings_words(outcome.spec.overrides)}"]
            if outcome.spec.overrides
            else []
        ),
        "",
        "## Findings",
        "",
        *[f"- {line.strip()}" for line in headline(outcome)],
        "",
        "## Parameters",
        "",
        markdown_table(
            pd.DataFrame(
                [
                    {
                        "parameter": p["label"],
                        "meaning (key)": parameter_label(p["key"]),
                        "range": f"{number(p['low'])} to {number(p['high'])}",
                        "unit": p["unit"],
                        "distribution": p["distribution"],
                    }
                    for p in space
                ]
            )
        ),
        "",
    ]
    if charts:
        lines += ["## Charts", ""] + [f"![{name}](figures/{name}.png)" for name in charts] + [""]
    shown = {"ranking": outcome.ranking, "tornado": outcome.tornado, "noise": outcome.noise}
    for name, table in shown.items():
        if not table.empty:
            text = table.map(number) if hasattr(table, "map") else table
            lines += [f"## {name.title()}", "", markdown_table(text), ""]
    return "\n".join(lines)


def write_outputs(outcome: SensitivityOutcome) -> list[Path]:
    """Write the tables, charts, ``sensitivity.json`` and ``report.md`` (see the module
    docstring); returns the files written."""
    out = outcome.out
    assert out is not None
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, table in tables(outcome).items():
        written += [out / f"{name}.parquet", out / f"{name}.csv"]
        atomic.write_frame(table, written[-2])
        atomic.write_frame(table, written[-1])
    folder = out / "figures"
    folder.mkdir(exist_ok=True)
    charts = figures(outcome)
    for stem, figure in charts.items():
        written.append(save_figure(figure, folder / f"{stem}.png"))
    summary = {"facts": facts(outcome), "headline": headline(outcome)}
    summary_path = out / "sensitivity.json"
    atomic.write_text(summary_path, json.dumps(json_ready(summary), indent=2) + "\n")
    report = out / "report.md"
    atomic.write_text(report, report_markdown(outcome, list(charts)))
    return [*written, summary_path, report]
