"""Saving the page's what-if comparison: the report ``sqm-sim report`` writes, and CSV.

:func:`export_comparison` writes the reference and the what-if as config files, runs them
on the page's seeds through the experiment engine as a two-cell comparison (the what-if
against the reference, common random numbers) into a results folder, and writes that
folder's self-contained HTML report with :func:`sqm_sim.report.build.write_report`: the
same folder and report as ``sqm-sim compare`` followed by ``sqm-sim report``, so there is
one report generator. The page passes its run cache as ``run``, so the runs it has shown
are not run again. :func:`table_csv` is the side-by-side table as CSV.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..config import Config
from ..experiments.backends import SerialBackend
from ..experiments.runner import run_experiment
from ..experiments.spec import parse_experiment
from ..experiments.worker import RunFunction
from ..report.build import REPORT_NAME, write_report
from ..report.experiment_files import write_outputs
from ..run import simulate
from .whatif import PairedRuns, side_by_side

CONFIG_FILES = {"reference": "reference.toml", "what-if": "what-if.toml"}
"""The config file of each side, inside the export folder (the comparison's scenarios)."""

RESULTS = "results"
"""The results folder inside the export folder (``sqm-sim report`` reads it too)."""


def export_comparison(
    reference: Config,
    whatif: Config,
    seeds: Sequence[int],
    folder: str | Path,
    *,
    description: str = "",
    run: RunFunction = simulate,
) -> Path:
    """Write ``folder``/reference.toml and what-if.toml, the comparison's results folder
    ``folder``/results and its report ``folder``/report.html; return the report's path.
    ``seeds`` are consecutive (as the page draws them); ``run(config, seed)`` runs one."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for side, config in (("reference", reference), ("what-if", whatif)):
        (folder / CONFIG_FILES[side]).write_text(config.to_toml(), encoding="utf-8")
    spec = parse_experiment(
        {
            "name": "classroom_whatif",
            "description": description,
            "replications": len(seeds),
            "first_seed": seeds[0],
            "design": {
                "type": "grid",
                "scenarios": [
                    {"scenario": file, "label": side} for side, file in CONFIG_FILES.items()
                ],
                "portfolios": ["scenario"],
                "reference": f"reference|{reference.portfolio.name}",
            },
        },
        "classroom page",
    )
    with SerialBackend() as backend:
        outcome = run_experiment(
            spec, base_dir=folder, out=folder / RESULTS, backend=backend, quiet=True, run=run
        )
    write_outputs(outcome)
    return write_report(folder / RESULTS, folder / REPORT_NAME)


def table_csv(pair: PairedRuns) -> str:
    """The side-by-side table (means over the seeds) as CSV: key, label, unit, reference,
    what-if, difference."""
    rows = [
        {
            "key": row.key,
            "label": row.label,
            "unit": row.unit,
            "reference": row.reference,
            "what-if": row.whatif,
            "difference": row.difference,
        }
        for row in side_by_side(pair)
    ]
    text = io.StringIO()
    pd.DataFrame(rows).to_csv(text, index=False)
    return text.getvalue()
