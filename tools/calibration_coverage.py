"""Coverage of the calibration's credible intervals on synthetic histories.

The study of docs/company_calibration.md:

    .venv/bin/python tools/calibration_coverage.py [DATASETS] [--out docs/figures]

A small company (the baseline at a tenth of its size) with two fitted parameters: the
quality-driven segment's loyalty intercept and the word-of-mouth (referral) rate, fitted
to 12 months of customers lost, active customers, customers acquired and shipped ppm.
Prints the coverage per parameter and writes calibration_coverage.csv and .png.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sqm_sim.experiments.calibration_check import (
    STUDY_COLUMNS,
    STUDY_MONTHS,
    STUDY_PRIORS,
    STUDY_SETTINGS,
    coverage_study,
    study_config,
)


def main(argv: list[str]) -> int:
    datasets = int(argv[0]) if argv and not argv[0].startswith("-") else 10
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else Path("docs/figures")
    started = time.perf_counter()
    table = coverage_study(
        study_config(), STUDY_PRIORS, STUDY_COLUMNS, STUDY_MONTHS, STUDY_SETTINGS, datasets
    )
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "calibration_coverage.csv", index=False)
    summary = table.groupby("parameter").agg(
        coverage=("covered", "mean"), mean_width_ratio=("width_ratio", "mean")
    )
    print(summary.to_string())
    print(
        f"overall coverage {table['covered'].mean():.2f} of {len(table)} intervals "
        f"({time.perf_counter() - started:.0f} s)"
    )
    from sqm_sim.plots.calibration import plot_coverage
    from sqm_sim.plots.style import save_figure

    save_figure(
        plot_coverage(table, STUDY_SETTINGS.credible_level), out / "calibration_coverage.png"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
