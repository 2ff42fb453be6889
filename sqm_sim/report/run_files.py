"""Writing one run's results to a folder: time series, summary, config, manifest, report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from ..experiments import atomic
from ..run import RunResult
from .numbers import json_ready
from .summary_table import as_markdown

TableFormat = Literal["parquet", "csv", "both"]

RUN_FILES = (
    "manifest.json",
    "timeseries.parquet",
    "timeseries.csv",
    "summary.json",
    "decisions.csv",
    "config.toml",
    "report.md",
    "report.html",
)
"""Every file a run folder may hold (``report.html`` from ``sqm-sim report``)."""


def write_run(
    result: RunResult, out_dir: Path, manifest: dict, table_format: TableFormat = "both"
) -> list[Path]:
    """Write every output file of a run into ``out_dir``; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in RUN_FILES:  # a file of an earlier run must not pass for this one's
        (out_dir / name).unlink(missing_ok=True)
    written = []
    if table_format in {"parquet", "both"}:
        written.append(out_dir / "timeseries.parquet")
        atomic.write_frame(result.timeseries, written[-1])
    if table_format in {"csv", "both"}:
        written.append(out_dir / "timeseries.csv")
        atomic.write_frame(result.timeseries, written[-1])
    if result.config.portfolio.rules:
        written.append(out_dir / "decisions.csv")
        atomic.write_text(written[-1], result.decisions.to_csv(index=False))
    files = {
        "summary.json": json.dumps(json_ready(result.summary), indent=2) + "\n",
        "config.toml": result.config.to_toml(),
        "report.md": run_report(result, manifest),
        "manifest.json": json.dumps(manifest, indent=2) + "\n",  # last: the folder is whole
    }
    for name, text in files.items():
        written.append(out_dir / name)
        atomic.write_text(written[-1], text)
    return written


def run_report(result: RunResult, manifest: dict) -> str:
    """A short Markdown report of one run."""
    config = result.config
    horizon = config.simulation.horizon_months
    return "\n".join(
        [
            f"# sqm_sim run: {config.name}",
            "",
            config.description,
            "",
            f"- seed: {result.seed}",
            f"- horizon: {horizon} months, reported every "
            f"{config.simulation.report_period_months} month(s)",
            f"- config hash: `{manifest['config_hash']}` (resolved config in `config.toml`)",
            f"- versions: {', '.join(f'{k} {v}' for k, v in manifest['versions'].items())}",
            "",
            "## Key results",
            "",
            as_markdown(result.summary),
            "",
            *_decisions_markdown(result),
            "The full monthly time series is in `timeseries.parquet` / `timeseries.csv`.",
            "",
        ]
    )


def _decisions_markdown(result: RunResult) -> list[str]:
    """The rules' decisions as a Markdown table (nothing without rules)."""
    if not result.config.portfolio.rules:
        return []
    table = result.decisions
    if table.empty:
        return ["## Decisions taken by rules", "", "No rule fired.", ""]
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "---|" * len(table.columns)
    rows = [
        "| "
        + " | ".join(f"{value:g}" if isinstance(value, float) else str(value) for value in row)
        + " |"
        for row in table.itertuples(index=False)
    ]
    return ["## Decisions taken by rules (also in `decisions.csv`)", "", header, rule, *rows, ""]
