"""Regenerate the README's figures (``docs/figures/*.png``).

    .venv/bin/python docs/make_figures.py

1. ``baseline_kpis.png``: the baseline scenario, five years, 4 replications, with and
   without the ``balanced`` portfolio: satisfaction, retention, active customers, monthly
   and cumulative profit with 95 % bands (common random numbers).
2. ``baseline_coq.png``: the baseline's cost of quality by category, month by month.
3. ``sobol_npv.png``: the Sobol indices of NPV from ``results/sobol_baseline`` (run
   ``sqm-sim sensitivity experiments/sensitivity/sobol_baseline.toml --out
   results/sobol_baseline`` first; skipped if absent).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import sqm_sim
from sqm_sim.plots import cost_of_quality_area, kpi_timeseries, plot_indices, save_figure
from sqm_sim.portfolios import with_portfolio

FIGURES = Path(__file__).parent / "figures"
SEEDS = range(1, 5)


def baseline_runs() -> pd.DataFrame:
    """Time series of the baseline with no initiatives and with ``balanced``, 4 seeds."""
    base = sqm_sim.load_scenario("baseline")
    frames = []
    for portfolio, config in (("none", base), ("balanced", with_portfolio(base, "balanced"))):
        for seed in SEEDS:
            series = sqm_sim.simulate(config, seed).timeseries
            frames.append(
                series.assign(portfolio=portfolio, seed=seed, run_id=f"{portfolio}{seed}")
            )
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    runs = baseline_runs()
    title = "Baseline: no initiatives vs the balanced portfolio"
    save_figure(kpi_timeseries(runs, group="portfolio", title=title), FIGURES / "baseline_kpis.png")
    none = runs[runs["portfolio"] == "none"]
    coq_title = "Baseline: cost of quality by category, no initiatives"
    save_figure(cost_of_quality_area(none, title=coq_title), FIGURES / "baseline_coq.png")
    indices = Path("results/sobol_baseline/indices.parquet")
    if indices.is_file():
        manifest = json.loads(indices.with_name("manifest.json").read_text(encoding="utf-8"))
        size = manifest.get("experiment", {}).get("size", "full")
        note = f"{size} size ({'a fifth of the company' if size == 'quick' else 'as shipped'})"
        figure = plot_indices(pd.read_parquet(indices), "npv", "sobol", note=note)
        save_figure(figure, FIGURES / "sobol_npv.png")
    else:
        print(f"skipped sobol_npv.png: {indices} not found")


if __name__ == "__main__":
    main()
