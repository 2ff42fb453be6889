"""Write docs/calibration.md: the baseline against its published bands, every headline
KPI with its confidence interval, and the parameters whose defaults are assumptions.

    .venv/bin/python tools/calibration_table.py [--seeds 8] [--out docs/calibration.md]

Every number in the file comes from this run (full-size baseline, 60 months, seeds 1..N).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import sqm_sim
from sqm_sim.config import Config
from sqm_sim.config.schema import iter_parameters
from sqm_sim.experiments.intervals import t_interval
from sqm_sim.experiments.targets import TARGETS, baseline_summaries, check_targets
from sqm_sim.report.numbers import number
from sqm_sim.run.catalogue import headline_kpis
from sqm_sim.run.kpis import kpi_doc


def _fmt(value: float, unit: str) -> str:
    return number(value, "share" if unit.startswith("share") else None)


def _targets_section(summaries: list[dict[str, float]]) -> list[str]:
    table = check_targets(summaries)
    lines = [
        "| quantity | baseline mean (95 % CI) | published band | in band | source |",
        "|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        mean = _fmt(row.mean, row.unit)
        ci = f"{_fmt(row.ci_low, row.unit)} - {_fmt(row.ci_high, row.unit)}"
        band = f"{_fmt(row.band_low, row.unit)} - {_fmt(row.band_high, row.unit)}"
        status = "yes" if row.in_band else "**no (known gap)**"
        lines.append(f"| {row.target} | {mean} ({ci}) | {band} | {status} | {row.source} |")
    gaps = [target for target in TARGETS if not target.reached]
    if gaps:
        lines += ["", "Known gaps, not tuned away:", ""]
        lines += [f"- **{target.name}**: {target.gap}." for target in gaps]
    return lines


def _headline_section(summaries: list[dict[str, float]]) -> list[str]:
    lines = ["| group | KPI | unit | mean (95 % CI) |", "|---|---|---|---|"]
    for group, keys in headline_kpis().items():
        for key in keys:
            unit, _ = kpi_doc(key)
            interval = t_interval(summary[key] for summary in summaries)
            mean, half = interval.mean, interval.half_width
            lines.append(
                f"| {group} | `{key}` | {unit} | {number(mean, unit)} "
                f"({number(mean - half, unit)} - {number(mean + half, unit)}) |"
            )
    return lines


def _assumptions_section() -> list[str]:
    lines = ["| parameter | default | unit | source |", "|---|---|---|---|"]
    for info in iter_parameters(Config):
        if info.source.lower().startswith("assumption") or "assumed" in info.source.lower():
            lines.append(f"| `{info.key}` | {info.default} | {info.unit} | {info.source} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--out", type=Path, default=Path("docs/calibration.md"))
    args = parser.parse_args()
    seeds = range(1, args.seeds + 1)
    config = sqm_sim.load_scenario("baseline")
    started = time.perf_counter()
    summaries = baseline_summaries(config, seeds)  # one run per seed serves both tables
    targets = _targets_section(summaries)
    headline = _headline_section(summaries)
    elapsed = time.perf_counter() - started
    text = [
        "# Calibration of the baseline",
        "",
        "Written by `.venv/bin/python tools/calibration_table.py` "
        f"(full-size `baseline`, 60 months, seeds 1-{args.seeds}, {elapsed:.0f} s); every "
        "number below comes from that run. The slow test tier (`tests/test_calibration.py`) "
        "checks each band marked *in band*; the targets themselves are declared once, in "
        "`sqm_sim/experiments/targets.py`.",
        "",
        "## The baseline against published bands",
        "",
        *targets,
        "",
        "## Every headline KPI of the baseline",
        "",
        "Mean over the seeds with a 95 % t interval (model outputs; bands only where listed "
        "above).",
        "",
        *headline,
        "",
        "## Defaults that are assumptions",
        "",
        "Parameters whose default is an assumption rather than a published figure (their "
        "source says so); `sqm-sim params KEY` shows unit, range and source of any "
        "parameter. These are the first candidates for calibration to a company's data and "
        "for sensitivity analysis.",
        "",
        *_assumptions_section(),
        "",
    ]
    args.out.write_text("\n".join(text))
    print(f"wrote {args.out} ({elapsed:.0f} s)")


if __name__ == "__main__":
    main()
