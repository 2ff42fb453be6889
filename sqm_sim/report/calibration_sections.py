"""The report of a calibration folder (``sqm-sim calibrate --out``): what was fitted to
what, which parameters the history pins down, fitted against observed, the posterior."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..experiments.calibration import CalibrationOutcome
from ..experiments.start_state import not_carried_text
from ..plots.calibration import plot_fit, plot_posterior
from .calibration_files import CALIBRATED_PROFILE, findings, interval_rows
from .folder import ResultsFolder, ResultsKind, register_kind
from .html import Section, bullet_list, facts_list, figure_html, paragraph, table_html
from .names import kpi_label
from .numbers import number
from .run_sections import versions_text


def _is_calibration(manifest: dict[str, Any], path: Path) -> bool:
    return manifest.get("kind") == "calibration" and (path / "intervals.csv").is_file()


def load_outcome(folder: ResultsFolder) -> CalibrationOutcome:
    """The outcome as the folder holds it (priors from the intervals table)."""
    from ..config.calibration import PriorSettings

    intervals = pd.read_csv(folder.path / "intervals.csv")
    priors = {
        row["parameter"]: PriorSettings(low=float(row["prior_low"]), high=float(row["prior_high"]))
        for row in intervals.to_dict("records")
    }
    return CalibrationOutcome(
        priors,
        folder.parquet("posterior.parquet"),
        intervals,
        pd.read_csv(folder.path / "fit.csv"),
        pd.read_csv(folder.path / "generations.csv"),
        dict(folder.manifest.get("facts", {})),
    )


def _start_section(folder: ResultsFolder) -> list[Section]:
    """Where forward runs of the calibrated profile start (folders of older versions have
    no ``start_state.csv``: no section)."""
    path = folder.path / "start_state.csv"
    if not path.is_file():
        return []
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return [
        Section(
            "Where forward runs start",
            paragraph(
                f"{CALIBRATED_PROFILE} starts where the history ended, not at the profile's "
                "month 0 again; these values were carried:"
            )
            + table_html(table)
            + paragraph(not_carried_text()),
        )
    ]


def _sections(folder: ResultsFolder) -> list[Section]:
    manifest = folder.manifest
    outcome = load_outcome(folder)
    facts, level = outcome.facts, float(outcome.facts["credible_level"])
    what = [
        ("profile", f"{manifest.get('profile_name')} ({manifest.get('profile')})"),
        (
            "history",
            f"{manifest.get('data')}: {facts['months']} months of "
            + ", ".join(kpi_label(column) for column in facts["columns"]),
        ),
        (
            "method",
            f"ABC-SMC (pyabc), {facts['population']} sets per generation, "
            f"{facts['generations_run']} generations, {number(facts['simulations'])} "
            f"simulations, {manifest.get('sampler')} sampler, seed {facts['seed']}",
        ),
        (
            "started / finished (UTC)",
            f"{manifest.get('started_utc')} / {manifest.get('finished_utc')}",
        ),
        ("versions", versions_text(manifest.get("versions", {}))),
    ]
    generations = outcome.generations.assign(
        tolerance=lambda t: t["tolerance"].map(lambda v: f"{v:.3g}"),
        acceptance_rate=lambda t: t["acceptance_rate"].map(lambda v: f"{v:.1%}"),
    )
    return [
        Section("What the history says", bullet_list(findings(outcome), "findings")),
        Section("What was fitted", facts_list(what)),
        Section(
            "Posterior",
            table_html(interval_rows(outcome.intervals, level))
            + figure_html(
                plot_posterior(outcome.posterior, outcome.intervals),
                f"Posterior of each parameter (weighted histogram) over its prior's range; "
                f"dashed: the flat prior; shaded: the {level:.0%} credible interval",
            ),
        ),
        Section(
            "Fitted against observed",
            figure_html(
                plot_fit(outcome.fit, level),
                f"Observed months (points) and the {level:.0%} band of simulations of "
                "posterior draws",
            ),
        ),
        Section("Generations", table_html(generations)),
        *_start_section(folder),
        Section(
            "Use it",
            paragraph(
                f"{CALIBRATED_PROFILE} in this folder is the profile with the posterior: "
                "compare, roi, search and sensitivity draw one parameter set per seed from "
                "it, so their intervals include the parameter uncertainty."
            ),
        ),
    ]


CALIBRATION = register_kind(
    ResultsKind(
        name="calibration",
        expected="a calibration folder from `sqm-sim calibrate --out` "
        "(manifest.json, intervals.csv)",
        detect=_is_calibration,
        title=lambda folder: f"sqm_sim calibration: {folder.manifest.get('profile_name', '?')}",
        intro=lambda folder: (
            "The behaviour parameters that company records do not show, fitted to the "
            "company's monthly history by approximate Bayesian computation: what the "
            "history pins down, what it leaves open, and how well the fitted model "
            "reproduces the history."
        ),
        build=_sections,
    )
)
