"""The report of an experiment folder (``sqm-sim compare``, ``search``, ``experiment
run``): what was run, findings, the KPI table with CIs, comparison charts, time series and
the analysis tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..experiments.runner import ExperimentOutcome
from ..plots import (
    cost_frontier,
    cost_of_quality_area,
    difference_timeseries,
    kpi_means,
    kpi_timeseries,
    monthly_bands,
    paired_differences_chart,
)
from ..plots.risk import kpi_distribution, risk_return
from ..plots.style import kpi_unit
from ..plots.timeseries import MAX_BANDED_GROUPS, runs_per_group
from ..run.posterior import uncertainty_note
from .executive import comparison_summary
from .experiment_files import plural
from .findings import (
    catch_up_findings,
    correlation_findings,
    difference_findings,
    main_effect_findings,
    ranking_findings,
    search_findings,
)
from .folder import ResultsFolder, ResultsKind, register_kind
from .html import Section, bullet_list, esc, facts_list, figure_html, paragraph, table_html
from .names import capitalised, kpi_label, kpi_words, parameter_label, settings_words
from .numbers import number
from .readable_tables import GLOSSARY, readable, readable_tables
from .run_sections import versions_text
from .summary_table import readable_kpi

MAX_GROUPS_IN_CHARTS = 8
"""Cells drawn as separate lines in time-series charts at most (more: no time series)."""

MAX_CELLS_IN_KPI_TABLE = 6
"""Cells shown side by side in the KPI table at most."""

KIND_NAMES = {
    "grid": "comparison of scenarios x portfolios",
    "search": "portfolio search",
    "factorial": "full factorial design",
    "latin_hypercube": "Latin hypercube design",
}


def _is_experiment(manifest: dict[str, Any], path: Path) -> bool:
    """An experiment's manifest names no other ``kind`` (an exploration's or a sensitivity
    analysis's also records its spec under ``experiment``), whatever order the kinds were
    registered in."""
    return (
        "kind" not in manifest
        and isinstance(manifest.get("experiment"), dict)
        and (path / "results.json").is_file()
    )


def load_outcome(folder: ResultsFolder) -> ExperimentOutcome:
    """The experiment's facts and analysis tables, read back from ``results.json``."""
    results = folder.json("results.json")
    facts = results["facts"]
    tables = {name: pd.DataFrame(rows) for name, rows in results["tables"].items()}
    return ExperimentOutcome(facts["experiment"], facts["kind"], pd.DataFrame(), tables, facts)


def display_names(folder: ResultsFolder) -> dict[str, str]:
    """How each cell is called in the report: its portfolio when there is one scenario and
    several portfolios, else the cell name."""
    cells = folder.manifest.get("cells", [])
    scenarios = {str(c["labels"].get("scenario")) for c in cells if "labels" in c}
    portfolios = {c["labels"].get("portfolio") for c in cells if "labels" in c}
    if len(scenarios) == 1 and None not in portfolios and len(portfolios) == len(cells):
        return {c["cell"]: str(c["labels"]["portfolio"]) for c in cells}
    return {c["cell"]: c["cell"] for c in cells}


def design_settings(folder: ResultsFolder) -> dict[str, str]:
    """The design parameters of each cell that has any, for sentences, each by its short
    name (:func:`~sqm_sim.report.names.parameter_label` with ``short``; the findings name
    it in full): ``{"p008": "process capability cpk 1.33, inspection coverage 1"}``."""
    settings = {}
    for cell in folder.manifest.get("cells", []):
        labels = {
            key: value
            for key, value in cell.get("labels", {}).items()
            if key not in {"scenario", "portfolio", "point"}
        }
        if labels:
            settings[cell["cell"]] = ", ".join(
                f"{parameter_label(key, short=True)} {number(value)}"
                for key, value in labels.items()
            )
    return settings


def legend_title(names: dict[str, str]) -> str:
    """``"Portfolio"`` when cells are shown by their portfolio, else ``"Cell"``."""
    return "Cell" if all(key == value for key, value in names.items()) else "Portfolio"


def display_references(outcome: ExperimentOutcome, names: dict[str, str]) -> dict[str, str]:
    """Each compared cell's display name -> its reference's (from the differences table)."""
    differences = outcome.tables.get("differences")
    if differences is None or differences.empty:
        return {}
    pairs = differences[["cell", "reference"]].drop_duplicates()
    return {
        names.get(cell, cell): names.get(reference, reference)
        for cell, reference in zip(pairs["cell"], pairs["reference"], strict=True)
    }


def what_was_run(folder: ResultsFolder, outcome: ExperimentOutcome) -> Section:
    """Design, cells, seeds, KPI, backend, timing, versions."""
    manifest, facts = folder.manifest, outcome.facts
    experiment = manifest.get("experiment", {})
    design = experiment.get("design", {})
    sessions = manifest.get("sessions", [])
    seeds = facts.get("seeds", [])
    cells = manifest.get("cells", [])
    entries = [
        ("experiment", f"{facts['experiment']}: {KIND_NAMES.get(facts['kind'], facts['kind'])}"),
    ]
    if facts.get("description"):
        entries.append(("description", facts["description"]))
    scenarios = design.get("scenarios") or ([design["scenario"]] if "scenario" in design else [])
    if scenarios:
        entries.append(("scenario(s)", ", ".join(str(s) for s in scenarios)))
    if design.get("portfolios"):
        entries.append(("portfolios", ", ".join(str(p) for p in design["portfolios"])))
    if facts.get("menu"):
        entries.append(("menu of initiatives", ", ".join(facts["menu"])))
    if experiment.get("overrides"):
        entries.append(("set in every cell", settings_words(experiment["overrides"])))
    if not facts.get("menu"):
        names = [str(c["cell"]) for c in cells]
        piped = " (scenario|portfolio)" if any("|" in name for name in names) else ""
        entries.append(
            (
                "cells",
                f"{len(cells)}, each one configuration run on every seed{piped}: "
                + ", ".join(names[:12]),
            )
        )
    entries += [
        (
            "seeds",
            f"{seeds[0]}-{seeds[-1]} ({plural(len(seeds), 'replication')} per cell, common "
            "random numbers: every cell runs the same seeds)"
            if seeds
            else "none",
        ),
        ("runs", f"{facts['runs']} ({facts['ok']} ok, {facts['failed']} failed)"),
        (
            "main KPI",
            f"{kpi_words(facts['kpi'])}; {facts['direction']}imise; "
            f"{facts['confidence']:.0%} confidence intervals",
        ),
        (
            "uncertainty",
            facts.get("parameter_uncertainty")
            or uncertainty_note(manifest.get("configs", {}).values(), seeds),
        ),
    ]
    if sessions:
        last = sessions[-1]
        entries += [
            (
                "backend",
                f"{last.get('backend', '?')} with {last.get('workers', '?')} worker(s); "
                f"{plural(len(sessions), 'session')}",
            ),
            (
                "started / finished (UTC)",
                f"{sessions[0].get('started_utc')} / {last.get('finished_utc')}",
            ),
            ("wall time", f"{sum(float(s.get('wall_time_s', 0)) for s in sessions):.1f} s"),
        ]
    entries.append(("versions", versions_text(manifest.get("versions", {}))))
    return Section("What was run", facts_list(entries))


def findings(
    outcome: ExperimentOutcome,
    names: dict[str, str],
    timeseries: pd.DataFrame,
    details: dict[str, str] | None = None,
) -> list[str]:
    """Plain-language findings of the experiment; ``details`` (design settings by cell)
    follow a cell's name where the ranking first names it."""
    facts, tables = outcome.facts, outcome.tables
    kpi, confidence = facts["kpi"], facts["confidence"]
    found: list[str] = []
    if "best" in facts:
        found += search_findings(facts)
    best: frozenset[str] = frozenset()
    ranking = tables.get("ranking")
    if ranking is not None and not ranking.empty:
        found += ranking_findings(ranking, kpi, facts["direction"], names, confidence, details)
        best = frozenset(ranking.loc[ranking["rank"] == 1, "cell"])
    differences = tables.get("differences")
    if differences is not None and not differences.empty:
        found += difference_findings(differences, kpi, names, confidence, skip=best)
        if not timeseries.empty and "name" in timeseries:
            references = dict(zip(differences["cell"], differences["reference"], strict=True))
            found += catch_up_findings(
                monthly_bands(timeseries, "cumulative_profit", "name", confidence),
                {names.get(c, c): names.get(r, r) for c, r in references.items()},
            )
    if "main_effects" in tables and not tables["main_effects"].empty:
        found += main_effect_findings(tables["main_effects"], kpi, confidence)
    if "correlations" in tables and not tables["correlations"].empty:
        found += correlation_findings(tables["correlations"], kpi)
    if "minimax_regret_portfolio" in facts:
        found.append(
            f"Across scenarios, {facts['minimax_regret_portfolio']} is the most robust "
            f"portfolio: its largest shortfall from the best portfolio of any scenario "
            f"(regret in {kpi_label(kpi)}) is the smallest."
        )
    if facts.get("failed"):
        found.append(
            f"{facts['failed']} run(s) failed and are left out; rerun the same command to "
            "retry them."
        )
    return found or ["This design has no ranking; see the tables below."]


def named_timeseries(folder: ResultsFolder, names: dict[str, str]) -> pd.DataFrame:
    """The experiment's time series (one row per run x period) with each run's display
    ``name``; empty if the runs' time series were not kept."""
    timeseries = folder.parquet("timeseries")
    if timeseries.empty:
        return timeseries
    return timeseries.assign(name=timeseries["cell"].map(lambda c: names.get(c, c)))


def estimate(value: float, unit: str) -> str:
    """A mean or CI bound for the KPI table: shares in % (one decimal), other values with
    four significant digits or thousands separators."""
    if unit == "share" and value is not None and value == value:  # no CI from one seed: None
        return f"{100.0 * float(value):.1f} %"
    return number(value)


def kpi_table(summary: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """One row per KPI (with its unit), one column per cell: mean and CI."""
    cells = list(dict.fromkeys(summary["cell"]))
    rows = []
    for kpi, group in summary.groupby("kpi", sort=False):
        unit = kpi_unit(kpi)
        row = {"KPI": readable_kpi(kpi), "unit": unit}
        for item in group.itertuples():
            mean, low, high = (estimate(v, unit) for v in (item.mean, item.ci_low, item.ci_high))
            row[names.get(item.cell, item.cell)] = f"{mean} [{low}, {high}]"
        rows.append(row)
    columns = ["KPI", "unit", *[names.get(c, c) for c in cells]]
    return pd.DataFrame(rows, columns=columns).fillna("-")


def comparison_section(outcome: ExperimentOutcome, names: dict[str, str]) -> Section | None:
    """The main KPI per cell with CIs and the paired differences, as charts."""
    facts, tables = outcome.facts, outcome.tables
    summary = tables.get("summary")
    if summary is None or summary.empty:
        return None
    kpi = facts["kpi"]
    label = kpi_label(kpi)
    level = f"{facts['confidence']:.0%}"
    named = summary.assign(name=summary["cell"].map(lambda c: names.get(c, c)))
    body = ""
    if named["cell"].nunique() <= 20:
        body += figure_html(
            kpi_means(named, kpi, group="name", direction=facts["direction"]),
            f"Mean {label} per cell with its {level} confidence interval (t interval over the "
            "replications); bars in the same colour as the lines of the time-series charts.",
        )
    differences = tables.get("differences")
    if differences is not None and not differences.empty:
        body += figure_html(
            paired_differences_chart(differences, kpi, names=names),
            f"Paired difference in {label} from the reference, with its {level} confidence "
            "interval on common random numbers; filled: significant (the interval excludes "
            "zero), hollow: not significant.",
        )
    return Section(f"Comparison of {label}", body) if body else None


def executive_section(outcome: ExperimentOutcome, names: dict[str, str]) -> Section | None:
    """The recommendation in one paragraph per scenario, with confidence, risk, spend,
    where it fails and what was not modelled (comparisons only)."""
    if outcome.kind != "grid":
        return None
    paragraphs = comparison_summary(outcome.tables, outcome.facts, names)
    if not paragraphs:
        return None
    return Section("Executive summary", "".join(paragraph(text) for text in paragraphs))


def risk_section(outcome: ExperimentOutcome, names: dict[str, str]) -> Section | None:
    """The distribution of the main KPI per cell, risk against return, and the initiative
    spend and return per cell."""
    outcomes, risk = outcome.tables.get("outcomes"), outcome.tables.get("risk")
    if outcomes is None or outcomes.empty or risk is None or risk.empty:
        return None
    facts = outcome.facts
    kpi = facts["kpi"]
    label = kpi_label(kpi)
    level = float(facts.get("cvar_level", 0.1))
    body = paragraph(
        f"Beyond the mean: how {label} spreads over the replications of each cell, and how much "
        "each portfolio gains over doing nothing (none) seed by seed (common random numbers). "
        f"CVaR is the mean of the worst {level:.0%} of replications; the probability of doing "
        "worse than none has a Wilson interval."
    )
    body += figure_html(
        kpi_distribution(outcomes, kpi, names),
        f"{capitalised(label)} per cell over the replications, and its gain over none (right, "
        "when none was run): box from the 25th to the 75th percentile, median line, whiskers "
        "at the 5th and 95th percentiles, red diamond the mean, dots the replications.",
    )
    if (risk["quantity"] == kpi).sum() > 1:
        body += figure_html(
            risk_return(risk, kpi, names, facts["direction"]),
            f"Mean {label} (return) against its CVaR at {level:.0%} (risk) per cell; on the "
            "dashed line the bad tail equals the mean (no spread).",
        )
    spend = outcome.tables.get("spend")
    if spend is not None and not spend.empty:
        columns = ["cell", "initiatives", "total_spend", "pv_spend", f"incremental_{kpi}", "roi"]
        body += "<h3>Initiative spend and return</h3>" + paragraph(
            f"Spend on initiatives over the horizon and its present value (discounted as "
            f"profit is); return = mean gain in {label} over none / present value of the spend."
        )
        shown = spend[[c for c in columns if c in spend]]
        body += table_html(readable(shown, kpi, names, legend_title(names).lower()))
    return Section(f"Risk beyond the mean: {label}", body)


def frontier_section(outcome: ExperimentOutcome) -> Section | None:
    """The cost-vs-KPI frontier of a search."""
    candidates = outcome.tables.get("candidates")
    if candidates is None or candidates.empty:
        return None
    kpi = outcome.facts["kpi"]
    return Section(
        "Cost vs benefit of the portfolios",
        figure_html(
            cost_frontier(candidates, kpi),
            f"Every evaluated portfolio: present value of its initiative spend against its mean "
            f"{kpi_label(kpi)} ({outcome.facts['confidence']:.0%} confidence interval); in red "
            "the frontier "
            "of portfolios that no other portfolio beats at the same or lower cost.",
        ),
    )


def timeseries_section(
    timeseries: pd.DataFrame,
    legend_title: str,
    confidence: float,
    references: dict[str, str] | None = None,
) -> Section | None:
    """KPI time series with replication bands and cost of quality, per cell; with
    ``references`` (display name -> its reference's), the paired differences month by
    month with their bands."""
    if timeseries.empty:
        return None
    if timeseries["name"].nunique() > MAX_GROUPS_IN_CHARTS:
        return Section(
            "Month by month",
            paragraph(
                f"{timeseries['name'].nunique()} cells are too many to draw month by month; "
                "the time series are in timeseries/ (Parquet)."
            ),
        )
    group = "name"
    banded = timeseries["name"].nunique() <= MAX_BANDED_GROUPS
    paired = bool(references) and runs_per_group(timeseries, group) > 1
    if banded:
        band_words = f", with the {confidence:.0%} confidence band of that mean"
    elif paired:
        band_words = (
            " (the bands of so many cells would overlap: the next chart shows each cell's "
            "difference from its reference with its band)"
        )
    else:
        band_words = (
            " (no bands: those of so many cells would overlap; the tables give each cell's "
            "confidence interval)"
        )
    differences = ""
    if paired:
        assert references is not None
        differences = figure_html(
            difference_timeseries(timeseries, references, group=group, confidence=confidence),
            "Each cell minus its reference, seed by seed (common random numbers), month by "
            f"month: mean of the paired differences with its {confidence:.0%} confidence "
            "band; where a band leaves the zero line the cells differ by more than chance "
            "that month.",
        )
    return Section(
        "Month by month",
        figure_html(
            kpi_timeseries(
                timeseries, group=group, confidence=confidence, legend_title=legend_title
            ),
            "Satisfaction, retention, active customers, monthly and cumulative profit: mean "
            f"over the replications of each cell per month{band_words}.",
        )
        + differences
        + figure_html(
            cost_of_quality_area(timeseries, group=group),
            "Cost of quality per month by category (mean over the replications): prevention "
            "and appraisal are spent to avoid internal and external failure.",
        ),
    )


def tables_section(
    outcome: ExperimentOutcome, names: dict[str, str], skip: tuple[str, ...] = ()
) -> Section:
    """Every analysis table worth reading (as in report.md, in words: see
    :mod:`~sqm_sim.report.readable_tables`), but those titled in ``skip``."""
    tables = readable_tables(outcome.tables, outcome.facts, names, legend_title(names).lower())
    body = "".join(
        f"<h3>{esc(title[0].upper() + title[1:])}</h3>" + table_html(table)
        for title, table in tables
        if title not in skip
    )
    if not body:
        return Section("Tables", paragraph("No analysis tables."))
    return Section("Tables", f"<p>{GLOSSARY}</p>" + body)


def build_experiment(folder: ResultsFolder) -> list[Section]:
    """The sections of an experiment's report."""
    outcome = load_outcome(folder)
    names = display_names(folder)
    timeseries = named_timeseries(folder, names)
    summary_section = executive_section(outcome, names)
    sections = [
        *([summary_section] if summary_section is not None else []),
        what_was_run(folder, outcome),
        Section(
            "Findings",
            bullet_list(findings(outcome, names, timeseries, design_settings(folder)), "findings"),
        ),
    ]
    summary = outcome.tables.get("summary")
    if summary is not None and 0 < summary["cell"].nunique() <= MAX_CELLS_IN_KPI_TABLE:
        sections.append(
            Section(
                "Key results with confidence intervals",
                paragraph(
                    f"Mean over the replications of each cell, with its "
                    f"{outcome.facts['confidence']:.0%} confidence interval in brackets; "
                    "shares in %, money in currency units."
                )
                + table_html(
                    kpi_table(summary, names),
                    right=set(names.values()),
                ),
            )
        )
    for section in (
        comparison_section(outcome, names),
        risk_section(outcome, names),
        frontier_section(outcome),
        timeseries_section(
            timeseries,
            legend_title(names),
            outcome.facts["confidence"],
            display_references(outcome, names),
        ),
    ):
        if section is not None:
            sections.append(section)
    shown_in_kpi_table = (
        ("means of every KPI",) if len(sections) > 2 + bool(summary_section) else ()
    )
    sections.append(tables_section(outcome, names, skip=shown_in_kpi_table))
    return sections


INTRO = (
    "Several configurations of the simulated company (scenarios, initiative portfolios or "
    "parameter settings: the cells) were each run with the same seeds, so that they differ "
    "only by what distinguishes them (common random numbers). This report shows what was run, "
    "which cell came out best and whether the differences are larger than chance, the key "
    "indicators month by month, and the analysis tables."
)


EXPERIMENT = register_kind(
    ResultsKind(
        name="experiment",
        expected="an experiment folder from `sqm-sim compare`, `search` or `experiment run` "
        "(manifest.json, results.json, runs/)",
        detect=_is_experiment,
        title=lambda folder: (
            f"sqm_sim experiment: {folder.manifest['experiment'].get('name', '?')}"
        ),
        intro=lambda folder: INTRO,
        build=build_experiment,
    )
)
