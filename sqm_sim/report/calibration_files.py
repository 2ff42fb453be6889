"""The files of a calibration's results folder (``sqm-sim calibrate --out DIR``).

``posterior.parquet`` / ``posterior.csv``: the accepted parameter sets of the last ABC-SMC
generation with their weights (summing to 1); ``intervals.csv``: per parameter the prior,
the posterior mean and median, the central credible interval, its width against the
prior's (``width_ratio``) and the verdict; ``fit.csv``: per observed column and month the
observation and the band of the posterior draws' simulations; ``generations.csv``;
``fit.png`` and ``posterior.png``; ``calibrated_profile.toml`` (the profile with a
``[posterior]`` table: every command that reads it draws a parameter set per seed; it
starts where the history ended, ``start_state.csv`` says which values were carried, and
its ``[start_customers]`` table names ``start_customers.csv``, the customers active at the
end of the posterior simulations, from which forward runs deal their month-0 customers);
``manifest.json``; ``report.md`` (and ``report.html`` via :mod:`sqm_sim.report.build`).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from ..config.keys import set_key
from ..config.start_customers import TABLE
from ..experiments import atomic
from ..experiments.calibration import PINNED_RATIO, UNIDENTIFIED_RATIO, CalibrationOutcome
from ..experiments.start_state import START_CUSTOMERS_FILE, not_carried_text, start_overrides
from ..plots.calibration import plot_fit, plot_posterior
from ..plots.style import save_figure
from .names import kpi_label, parameter_label
from .numbers import json_ready, number

CALIBRATED_PROFILE = "calibrated_profile.toml"
"""The calibrated profile's file name in the results folder."""

TABLES = ("intervals", "fit", "generations")

VERDICT_SENTENCES = {
    "pinned down": "pins down",
    "partly pinned down": "partly pins down",
    "not pinned down": "does not pin down",
}
"""Each verdict as the verb of a finding."""


def calibrated_profile(data: dict[str, Any], outcome: CalibrationOutcome) -> dict[str, Any]:
    """The profile's data starting where the history ended (``outcome.start``) with the
    ``[posterior]`` table of ``outcome``."""
    keys = list(outcome.priors)
    posterior = outcome.posterior
    replaced = {"posterior", TABLE}  # a start-customer file of the profile's is not beside it
    started = copy.deepcopy({key: value for key, value in data.items() if key not in replaced})
    for key, value in start_overrides(outcome.start).items():
        set_key(started, key, value)
    return {
        **started,
        "posterior": {
            "parameters": keys,
            "weights": [float(w) for w in posterior["weight"]],
            "draws": [[float(v) for v in row] for row in posterior[keys].itertuples(index=False)],
        },
    }


def start_table(outcome: CalibrationOutcome) -> pd.DataFrame:
    """Where forward runs start: each carried value, the profile's and the source."""
    return pd.DataFrame(
        [
            {"key": v.key, "value": _text(v.value), "profile": _text(v.before), "source": v.source}
            for v in outcome.start
        ],
        columns=["key", "value", "profile", "source"],
    )


def _text(value: Any) -> str:
    """A start value as the profile would hold it, readably (floats to 6 digits)."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def start_lines(outcome: CalibrationOutcome) -> list[str]:
    """The report's section on where forward runs of the calibrated profile start."""
    readable = start_table(outcome)
    return [
        "## Where forward runs start",
        "",
        f"`{CALIBRATED_PROFILE}` starts where the history ended (month "
        f"{outcome.facts['months']}), not at the profile's month 0 again:",
        "",
        markdown_table(readable),
        "",
        not_carried_text(),
        "",
    ]


def interval_rows(intervals: pd.DataFrame, level: float) -> pd.DataFrame:
    """The intervals table formatted for reading."""
    return pd.DataFrame(
        {
            "parameter": intervals["parameter"],
            "prior": [
                f"{number(lo)} to {number(hi)}"
                for lo, hi in zip(intervals["prior_low"], intervals["prior_high"], strict=True)
            ],
            "median": [number(v) for v in intervals["median"]],
            f"{level:.0%} interval": [
                f"{number(lo)} to {number(hi)}"
                for lo, hi in zip(intervals["lower"], intervals["upper"], strict=True)
            ],
            "width / prior width": [f"{v:.2f}" for v in intervals["width_ratio"]],
            "the data": intervals["verdict"],
        }
    )


def markdown_table(table: pd.DataFrame) -> str:
    """A pipe table of already formatted cells."""
    lines = ["| " + " | ".join(map(str, table.columns)) + " |"]
    lines.append("|" + "---|" * len(table.columns))
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def findings(outcome: CalibrationOutcome) -> list[str]:
    """One sentence per verdict group and one on the fit."""
    intervals, facts = outcome.intervals, outcome.facts
    sentences = []
    for verdict_text, words in VERDICT_SENTENCES.items():
        names = intervals.loc[intervals["verdict"] == verdict_text, "parameter"].tolist()
        if names:
            named = ", ".join(parameter_label(str(name)) for name in names)
            sentences.append(f"The history {words}: {named}.")
    sentences.append(
        f"{facts['fit_coverage']:.0%} of the observed months lie inside the "
        f"{facts['credible_level']:.0%} band of {facts['check_draws']} simulations of "
        "posterior draws (near the band's level: the model reproduces the history; far "
        "below: it misses something the history shows)."
    )
    return sentences


def report_markdown(outcome: CalibrationOutcome, manifest: dict[str, Any]) -> str:
    """The calibration's report as Markdown."""
    facts, level = outcome.facts, outcome.facts["credible_level"]
    ess = float(outcome.intervals["effective_sample_size"].iloc[0])
    lines = [
        f"# Calibration of {manifest['profile_name']}",
        "",
        f"Profile `{manifest['profile']}` fitted to `{manifest['data']}`: {facts['months']} "
        f"months of {', '.join(kpi_label(c) for c in facts['columns'])}; ABC-SMC (pyabc) with "
        f"{facts['population']} parameter sets per generation, {facts['generations_run']} "
        f"generations, {number(facts['simulations'])} simulations, seed {facts['seed']}.",
        "",
        "## What the history says",
        "",
        *[f"- {sentence}" for sentence in findings(outcome)],
        "",
        "## Posterior",
        "",
        markdown_table(interval_rows(outcome.intervals, level)),
        "",
        f"A parameter is pinned down when its {level:.0%} credible interval is at most "
        f"{PINNED_RATIO:g} of its prior's width, and not pinned down from {UNIDENTIFIED_RATIO:g} "
        "(the data leave it where the prior put it: the decision must not lean on it). "
        f"Effective sample size of the weights: {ess:.0f}.",
        "",
        "![fitted against observed](fit.png)",
        "",
        "![posterior of each parameter](posterior.png)",
        "",
        *start_lines(outcome),
        "## Use it",
        "",
        f"`{CALIBRATED_PROFILE}` is the profile with the posterior: `sqm-sim compare "
        f"{CALIBRATED_PROFILE} --portfolios none balanced` runs each replication with a "
        "parameter set drawn (by its seed) from the posterior, so the intervals include the "
        "parameter uncertainty.",
        "",
    ]
    return "\n".join(lines)


def write_outputs(
    outcome: CalibrationOutcome, out: Path, profile_data: dict[str, Any], manifest: dict[str, Any]
) -> list[Path]:
    """Write the results folder (see the module docstring); the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("posterior.parquet", "posterior.csv"):
        atomic.write_frame(outcome.posterior, out / name)
        written.append(out / name)
    for name in TABLES:
        atomic.write_frame(getattr(outcome, name), out / f"{name}.csv")
        written.append(out / f"{name}.csv")
    atomic.write_frame(start_table(outcome), out / "start_state.csv")
    written.append(out / "start_state.csv")
    if outcome.start_customers is not None:  # before the profile that names it
        atomic.write_frame(outcome.start_customers, out / START_CUSTOMERS_FILE)
        written.append(out / START_CUSTOMERS_FILE)
    written.append(
        save_figure(plot_fit(outcome.fit, outcome.facts["credible_level"]), out / "fit.png")
    )
    written.append(
        save_figure(plot_posterior(outcome.posterior, outcome.intervals), out / "posterior.png")
    )
    profile = "# Calibrated by sqm-sim calibrate: the [posterior] table holds the accepted\n"
    profile += "# parameter sets; every run draws one by its seed. Runs start where the\n"
    profile += "# history ended: see start_state.csv and report.md for what was carried.\n"
    atomic.write_text(
        out / CALIBRATED_PROFILE, profile + tomli_w.dumps(calibrated_profile(profile_data, outcome))
    )
    written.append(out / CALIBRATED_PROFILE)
    atomic.write_text(out / "manifest.json", json.dumps(json_ready(manifest), indent=2))
    written.append(out / "manifest.json")
    atomic.write_text(out / "report.md", report_markdown(outcome, manifest))
    written.append(out / "report.md")
    return written
