"""The report of an exploration folder (``sqm-sim explore``): the executive summary, what
was run, where each candidate fails (PRIM's box in words, its peeling trajectory, the box
over its two most significant factors, CART's rules) and the robust choice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..plots.risk import failure_box, peeling_trajectory
from .executive import exploration_summary
from .experiment_files import plural
from .exploration_files import ROBUST_COLUMNS, box_sentences, factor_name, robust_sentences, shown
from .folder import ResultsFolder, ResultsKind, register_kind
from .html import Section, bullet_list, facts_list, figure_html, paragraph, table_html
from .names import kpi_label, kpi_words
from .readable_tables import in_words
from .run_sections import versions_text

RESULTS_KIND = "exploration"


def _is_exploration(manifest: dict[str, Any], path: Path) -> bool:
    return manifest.get("kind") == RESULTS_KIND and (path / "results.json").is_file()


def _tables(folder: ResultsFolder, results: dict[str, Any]) -> dict[str, pd.DataFrame]:
    return {name: pd.DataFrame(rows) for name, rows in results["tables"].items()}


def what_was_run(folder: ResultsFolder, facts: dict[str, Any]) -> Section:
    """Scenario, candidates, factors, goal, PRIM settings, seeds, runs, timing."""
    goal = facts["goal"]
    factors = "; ".join(
        f"{factor_name(f['key'], f.get('label'))} ({f['key']}): {f['low']:g} to {f['high']:g} "
        f"[{f['unit']}]"
        for f in facts["factors"]
    )
    sessions = folder.manifest.get("sessions", [])
    entries = [
        ("exploration", f"{facts['experiment']}: {facts.get('description', '')}"),
        ("scenario", f"{facts['scenario']} at size {facts['size']}"),
        ("candidate portfolios", ", ".join(facts["portfolios"])),
        ("uncertain factors", factors),
        (
            "futures",
            f"{facts['futures']} drawn by Latin hypercube, each run with "
            f"{plural(facts['replications'], 'seed')} (common random numbers: "
            f"{facts['seeds'][0]}-{facts['seeds'][-1]})",
        ),
        (
            "goal",
            f"{kpi_words(facts['kpi'])}; {facts['direction']}imise; a portfolio fails when "
            + (
                f"its {kpi_label(facts['kpi'])} minus {goal['reference']}'s is below "
                f"{goal['threshold']:g}"
                if goal["metric"] == "incremental"
                else f"its regret exceeds {goal['threshold']:g}"
            ),
        ),
        (
            "PRIM",
            f"peel alpha {facts['prim']['peel_alpha']}, paste alpha "
            f"{facts['prim']['paste_alpha']}, minimum mass {facts['prim']['mass_min']}; the box "
            f"is the one of largest coverage with density >= {facts['prim']['min_density']}",
        ),
        ("runs", f"{facts['runs']} ({facts['failed']} failed)"),
    ]
    if sessions:
        last = sessions[-1]
        entries.append(
            (
                "backend",
                f"{last.get('backend', '?')} with {last.get('workers', '?')} worker(s); "
                f"{plural(len(sessions), 'session')}; wall time "
                f"{sum(float(s.get('wall_time_s', 0)) for s in sessions):.1f} s",
            )
        )
    if facts.get("parameter_uncertainty"):
        entries.append(("uncertainty", facts["parameter_uncertainty"]))
    entries.append(("versions", versions_text(folder.manifest.get("versions", {}))))
    return Section("What was run", facts_list(entries))


def failure_section(facts: dict[str, Any], tables: dict[str, pd.DataFrame]) -> Section:
    """Where each candidate fails: sentences, trajectory, box chart, limits, CART rules."""
    boxes = tables.get("boxes", pd.DataFrame())
    body = bullet_list(box_sentences(facts, boxes), "findings")
    body += paragraph(
        "PRIM peels the space of futures towards the failures; coverage is the share of all "
        "failures inside a box, density the share of the box's futures that fail. A "
        "restriction's quasi-p-value is the binomial chance of so high a density without it "
        "(Bryant & Lempert 2010)."
    )
    trajectory = tables.get("trajectory", pd.DataFrame())
    if not trajectory.empty:
        chosen = {p: facts["boxes"][p]["step"] for p in facts["boxes"]}
        body += figure_html(
            peeling_trajectory(trajectory, chosen),
            "Peeling trajectory per portfolio: every box PRIM considered, from the whole space "
            "(coverage 1) to the smallest; colour: how many factors it restricts; circled: the "
            "box reported.",
        )
    futures = tables.get("futures", pd.DataFrame())
    values = tables.get("values", pd.DataFrame())
    labels = {f["key"]: factor_name(f["key"], f.get("label")) for f in facts["factors"]}
    if not boxes.empty and not futures.empty:
        for portfolio, limits in boxes.groupby("portfolio", sort=False):
            flags = values[values["portfolio"] == portfolio].set_index("future")["fails"]
            judged = futures.set_index("future").loc[flags.dropna().index].reset_index()
            body += figure_html(
                failure_box(
                    judged,
                    flags.dropna().astype(bool).reset_index(drop=True),
                    limits,
                    labels,
                    f"{portfolio}: futures where it fails (red) and its PRIM box",
                ),
                f"The futures over the two most significant factors of {portfolio}'s box "
                "(the other factors vary too).",
            )
        columns = ["portfolio", "factor", "low", "high", "range_low", "range_high", "qp_value"]
        body += "<h3>Box limits</h3>" + table_html(shown(boxes, [*columns, "significant"]))
    cart = tables.get("cart", pd.DataFrame())
    if not cart.empty:
        body += "<h3>CART: leaves where failure is the majority</h3>" + table_html(
            shown(cart, ["portfolio", "rule", "futures", "failures", "density", "coverage"])
        )
    return Section("Where each portfolio fails", body)


def build_exploration(folder: ResultsFolder) -> list[Section]:
    """The sections of an exploration's report."""
    results = folder.json("results.json")
    facts = results["facts"]
    tables = _tables(folder, results)
    robust = tables["robust"]
    lines = box_sentences(facts, tables.get("boxes", pd.DataFrame()))
    summary = exploration_summary(facts, robust, lines)
    return [
        Section("Executive summary", "".join(paragraph(text) for text in summary)),
        what_was_run(folder, facts),
        failure_section(facts, tables),
        Section(
            "Robust choice",
            bullet_list(robust_sentences(facts, robust), "findings")
            + paragraph(
                "Regret in a future: the best portfolio's value there minus this one's. "
                "Satisficing: the share of futures meeting the goal (Wilson interval; the "
                "reference itself has no goal). Best share: futures in which it is best."
            )
            + table_html(in_words(robust[[c for c in ROBUST_COLUMNS if c in robust]])),
        ),
    ]


EXPLORATION = register_kind(
    ResultsKind(
        name=RESULTS_KIND,
        expected="an exploration folder from `sqm-sim explore` (manifest.json, results.json)",
        detect=_is_exploration,
        title=lambda folder: (
            f"sqm_sim exploration: {folder.manifest.get('experiment', {}).get('name', '?')}"
        ),
        intro=lambda folder: (
            "Candidate initiative portfolios were run in many futures drawn over uncertain "
            "factors (the market, the environment, what the initiatives deliver), every "
            "future on the same seeds. This report says which portfolio is robust, in which "
            "region of the futures each one misses its goal (PRIM and CART), and what the "
            "model leaves out."
        ),
        build=build_exploration,
    )
)
