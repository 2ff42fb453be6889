"""Report sections of a sensitivity-analysis folder (``sqm-sim sensitivity --out``).

Reads what :mod:`sqm_sim.report.sensitivity_files` wrote (``sensitivity.json``, the
``indices``/``ranking``/``noise``/``convergence``/``tornado`` tables and the manifest's
parameter space) and redraws the charts from the tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..plots.sensitivity import plot_indices, plot_morris, plot_tornado
from ..sensitivity.methods import INDEX_DOCS, INDEX_NAMES, MAIN_INDEX
from .folder import ResultsFolder, ResultsKind, register_kind
from .html import Section, bullet_list, facts_list, figure_html, paragraph, table_html
from .names import capitalised, kpi_label, parameter_label, settings_words
from .numbers import number
from .readable_tables import in_words
from .run_sections import versions_text
from .summary_table import readable_kpi

RANKED_ROWS = 10
"""Parameters listed per KPI in the ranking table."""

METHOD_NAMES = {
    "sobol": "Sobol variance decomposition (Saltelli sampling)",
    "morris": "Morris elementary effects (screening)",
    "fast": "extended Fourier amplitude sensitivity test (eFAST)",
    "delta": "Borgonovo's moment-independent delta",
    "oat": "one parameter at a time (tornado)",
}


def _is_sensitivity(manifest: dict[str, Any], path: Path) -> bool:
    return manifest.get("kind") == "sensitivity" and (path / "sensitivity.json").is_file()


def _seeds_text(seeds: list[int]) -> str:
    if not seeds:
        return "-"
    which = f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}-{seeds[-1]}"
    return f"{which} at every point (common random numbers)"


def what_was_run(folder: ResultsFolder, facts: dict[str, Any]) -> Section:
    """Method, size, scenario, seeds, runs, backend, timing, versions."""
    sessions = folder.manifest.get("sessions", [])
    seeds = facts.get("seeds") or []
    entries = [
        ("analysis", f"{facts['name']}: {METHOD_NAMES.get(facts['method'], facts['method'])}"),
        ("scenario", f"{facts['scenario']} at size {facts['size']}"),
        ("portfolio", str(facts.get("portfolio") or "the scenario's own")),
        (
            "design",
            f"n = {number(facts['n'])}: {number(facts['design_points'])} points over "
            f"{facts['parameters']} parameters",
        ),
        (
            "seeds",
            _seeds_text(seeds),
        ),
        (
            "runs",
            f"{number(facts['runs_total'])} ({facts['runs_failed']} failed), including "
            f"{facts['noise_points']} noise points x {facts['noise_replications']} seeds",
        ),
        ("KPIs", ", ".join(kpi_label(kpi) for kpi in facts["kpis"])),
    ]
    overrides = folder.manifest.get("experiment", {}).get("overrides")
    if overrides:
        entries.append(("set at every point", settings_words(overrides)))
    if facts.get("parameter_uncertainty"):
        entries.append(("uncertainty", facts["parameter_uncertainty"]))
    if sessions:
        last = sessions[-1]
        wall = sum(float(s.get("wall_time_s", 0)) for s in sessions)
        entries += [
            ("backend", f"{last.get('backend', '?')} with {last.get('workers', '?')} worker(s)"),
            (
                "started / finished (UTC)",
                f"{sessions[0].get('started_utc')} / {last.get('finished_utc')}",
            ),
            ("wall time", f"{wall:.1f} s over {len(sessions)} session(s)"),
        ]
    entries.append(("versions", versions_text(folder.manifest.get("versions", {}))))
    return Section("What was run", facts_list(entries))


def space_section(folder: ResultsFolder) -> Section:
    """The parameters and their ranges."""
    rows = [
        {
            "parameter": p["label"],
            "meaning (key)": parameter_label(p["key"]),
            "range": f"{number(p['low'])} to {number(p['high'])}",
            "unit": p["unit"],
            "distribution": p["distribution"],
        }
        for p in folder.manifest.get("space", [])
    ]
    return Section(
        "Parameters varied",
        paragraph("Every parameter is varied over its range at once (one-at-a-time: in turn).")
        + table_html(pd.DataFrame(rows)),
    )


def _charts(method: str, kpis: list[str], indices: pd.DataFrame, tornado: pd.DataFrame) -> str:
    parts = []
    for kpi in kpis:
        if method == "oat":
            figure = plot_tornado(tornado, kpi)
            caption = (
                f"{capitalised(kpi_label(kpi))} with each parameter at its low and high end, "
                "the others at base"
            )
        elif method == "morris":
            figure = plot_morris(indices, kpi)
            caption = (
                f"{capitalised(kpi_label(kpi))}: {INDEX_NAMES['mu_star']}, the influence, "
                f"against {INDEX_NAMES['sigma']}, non-linearity or interactions"
            )
        else:
            figure = plot_indices(indices, kpi, method)
            caption = (
                f"{capitalised(kpi_label(kpi))}: {METHOD_NAMES.get(method, method)} indices "
                "with their confidence intervals"
            )
        parts.append(figure_html(figure, caption))
    return "".join(parts)


def ranking_table(ranking: pd.DataFrame, index: str = "index") -> pd.DataFrame:
    """The top parameters per KPI with index (headed ``index``: its name in words) and
    interval, formatted."""
    top = ranking[ranking["rank"] <= RANKED_ROWS]
    return pd.DataFrame(
        {
            "KPI": top["kpi"].map(readable_kpi),
            "rank": top["rank"],
            "parameter": top["label"],
            index: top["value"].map(number),
            "interval": [
                f"{number(low)} to {number(high)}"
                for low, high in zip(top["ci_low"], top["ci_high"], strict=True)
            ],
        }
    )


def build_sensitivity(folder: ResultsFolder) -> list[Section]:
    """The sections of a sensitivity analysis' report."""
    summary = folder.json("sensitivity.json")
    facts = summary["facts"]
    method = facts["method"]
    indices = folder.parquet("indices.parquet")
    tornado = folder.parquet("tornado.parquet")
    sections = [
        what_was_run(folder, facts),
        Section(
            "Findings", bullet_list([line.strip() for line in summary["headline"]], "findings")
        ),
        space_section(folder),
    ]
    if facts.get("error"):
        return sections
    main = MAIN_INDEX.get(method)
    explanation = INDEX_DOCS.get(main, "") if main else ""
    sections.append(
        Section("Charts", paragraph(explanation) + _charts(method, facts["kpis"], indices, tornado))
    )
    ranking = folder.parquet("ranking.parquet")
    if not ranking.empty:
        sections.append(
            Section(
                "Ranking by KPI",
                paragraph(f"Parameters ranked by the {INDEX_NAMES.get(str(main), str(main))}.")
                + table_html(ranking_table(ranking, INDEX_NAMES.get(str(main), "index"))),
            )
        )
    for name, title, text in (
        (
            "noise",
            "Simulation noise",
            "Noise measured on points run with several seeds: the part every point shares "
            "(common random numbers: it does not move the indices) and the part specific to "
            "each point; the noise share is the latter, for the seeds averaged per point, over "
            "the variance across points, capped at 1: a share of 1 means the noise is at least "
            "as large as what the parameters move, so the ranking cannot be told from chance.",
        ),
        (
            "convergence",
            "Convergence",
            "Widest interval half-width of the main index; rerun with the suggested n "
            "(sqm-sim sensitivity --refine FOLDER) where it is above the target.",
        ),
    ):
        table = folder.parquet(f"{name}.parquet")
        if not table.empty:
            sections.append(Section(title, paragraph(text) + table_html(in_words(table))))
    return sections


INTRO = (
    "A global sensitivity analysis varies many uncertain parameters of the simulated company "
    "at once, over their plausible ranges, and apportions the variation of each KPI to them: "
    "which assumptions drive profit, loyalty and satisfaction, and which hardly matter. The "
    "indices come with bootstrap confidence intervals; the noise and convergence sections say "
    "how far to trust them."
)


SENSITIVITY = register_kind(
    ResultsKind(
        name="sensitivity",
        expected="a sensitivity folder from `sqm-sim sensitivity --out` "
        "(manifest.json, sensitivity.json, indices.parquet)",
        detect=_is_sensitivity,
        title=lambda folder: (
            f"sqm_sim sensitivity analysis: {folder.manifest['experiment'].get('name', '?')}"
        ),
        intro=lambda folder: INTRO,
        build=build_sensitivity,
    )
)
