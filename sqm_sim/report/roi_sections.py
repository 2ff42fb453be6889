"""The report of an ROI results folder (``sqm-sim roi --out``): what was valued and the
value of each initiative (incremental NPV with its interval, ROI, payback, worst month)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..run.posterior import uncertainty_note
from .folder import ResultsFolder, ResultsKind, register_kind
from .html import Section, facts_list, paragraph, table_html
from .roi_files import ROI_COLUMN_WORDS, ROI_TABLE_NAME, roi_text_table
from .run_sections import versions_text


def _is_roi(manifest: dict[str, Any], path: Path) -> bool:
    experiment = manifest.get("experiment", {})
    return experiment.get("name") == "roi" and (path / ROI_TABLE_NAME).is_file()


def _sections(folder: ResultsFolder) -> list[Section]:
    experiment = folder.manifest.get("experiment", {})
    seeds = experiment.get("seeds", [])
    facts = [
        ("scenario", str(experiment.get("scenario", "?"))),
        ("portfolio", str(experiment.get("portfolio", "?"))),
        ("paired replications", f"{len(seeds)} (seeds {', '.join(map(str, seeds))})"),
        ("confidence", f"{float(experiment.get('confidence', 0.95)):.0%}"),
        ("uncertainty", uncertainty_note(folder.manifest.get("configs", {}).values(), seeds)),
        ("versions", versions_text(folder.manifest.get("versions", {}))),
    ]
    table = roi_text_table(pd.read_csv(folder.path / ROI_TABLE_NAME))
    table = table.rename(columns=ROI_COLUMN_WORDS)
    right = [c for c in table.columns if c not in ("initiative", "kind")]
    return [
        Section("What was run", facts_list(facts)),
        Section(
            "Value of each initiative",
            paragraph(
                "Each initiative against the same portfolio without it, on common random "
                "numbers; the last row is the whole portfolio against none. A payback of "
                "'never' means the cumulative gain is still below zero at the horizon; the "
                "worst shortfall is the deepest cumulative loss and its month."
            )
            + table_html(table, right=right),
        ),
    ]


ROI = register_kind(
    ResultsKind(
        name="roi",
        expected="an ROI folder from `sqm-sim roi --out` (manifest.json, roi.csv, runs/)",
        detect=_is_roi,
        title=lambda folder: (
            f"sqm_sim initiative ROI: {folder.manifest.get('experiment', {}).get('portfolio', '?')}"
        ),
        intro=lambda folder: (
            "The return on each quality initiative of a portfolio: what the company gains "
            "(incremental net present value) for what the initiative costs, when it pays "
            "back, and how deep it first costs."
        ),
        build=_sections,
    )
)
