"""How close does a forward run from the carried start state come to the company's own
continuation? A check of :mod:`sqm_sim.experiments.start_state` on a known truth.

    .venv/bin/python tools/start_state_check.py [--seeds 30] [--history 12] [--ahead 24]

The company is the baseline at a tenth of its size (150 customers). For each seed the
"truth" is one run of history + ahead months; its first ``history`` months are the
company's records (active customers each month). The start state is what ``calibrate``
would carry (the end values' medians over the history-length runs of every seed, as over
its posterior simulations, and the customers active at their ends, pooled); the forward
run (another seed) starts from it three times: "customers" with every value carried and
the month-0 customers dealt from the pooled surviving customers (what ``calibrate``
writes); "means" with the customers' mean satisfaction and expectation carried in the
keys that set every customer instead (what it wrote before); "month-0" with the norms,
the customers' satisfaction and expectation and the operators' skill left at the
profile's month-0 values (the start before they were carried).
The table is the mean over seeds of each month's value: the truth's months
history+1, ... against the forward runs' months 1, ... .
"""

from __future__ import annotations

import argparse

import pandas as pd

from sqm_sim import Config, simulate
from sqm_sim.experiments.history import History
from sqm_sim.experiments.intervals import paired_interval, t_interval, welch_interval
from sqm_sim.experiments.start_state import (
    START_TABLE_ROWS,
    end_medians,
    run_end,
    start_customer_columns,
    start_overrides,
    start_state,
    surviving_customers,
)

COMPANY = {
    "market.initial_customers": 150,
    "market.prospects": 100,
    "environment.competitor_customers": 150,
}
"""The baseline at a tenth of its size, as in tools/calibration_coverage.py."""

COLUMNS = (
    "mean_satisfaction",
    "dissatisfied_customers",
    "customers_lost",
    "state_of_the_art",
    "average_skill",
    "defects_shipped_ppm",
)
MONTH_ZERO = (
    "environment.initial_state_of_the_art",
    "customers.initial_satisfaction",
    "customers.initial_expectation",
    "workforce.skill",
)
"""The keys the 'month-0' variant leaves at the profile's values."""


def mean_path(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The mean over runs of each month's value of :data:`COLUMNS`, months from 1."""
    total = sum(frame[list(COLUMNS)].reset_index(drop=True) for frame in frames)
    assert isinstance(total, pd.DataFrame)
    path = total / len(frames)
    path.index = pd.RangeIndex(1, len(path) + 1, name="month")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--history", type=int, default=12)
    parser.add_argument("--ahead", type=int, default=24)
    parser.add_argument(
        "--simulation-seeds",
        type=int,
        default=0,
        help="offset of the seeds of the history-length runs behind the carried values "
        "(default 0: the truths' own seeds, so the pool holds the truths' own survivors; "
        "e.g. 2000: other runs, as a calibration's posterior simulations are)",
    )
    args = parser.parse_args()
    months, ahead, seeds = args.history, args.ahead, range(1, args.seeds + 1)
    company = Config().with_overrides(COMPANY)
    truth = [
        simulate(company.with_overrides({"simulation.horizon_months": months + ahead}), s)
        for s in seeds
    ]
    over_history = company.with_overrides({"simulation.horizon_months": months})
    history_runs = [simulate(over_history, args.simulation_seeds + s) for s in seeds]
    simulated = end_medians([run_end(run) for run in history_runs])
    limit = max(START_TABLE_ROWS, company.market.initial_customers)
    pool = surviving_customers(history_runs, limit, seed=1)
    carried_customers = {"start_customers": start_customer_columns(pool)}
    forward: dict[str, list[pd.DataFrame]] = {"customers": [], "means": [], "month-0": []}
    for seed, run in zip(seeds, truth, strict=True):
        table = run.timeseries[["active_customers"]].iloc[:months].astype(float)
        table.index = pd.RangeIndex(1, months + 1, name="period")
        records = History(table, "truth")
        means = start_overrides(start_state(company, records, simulated))
        with_table = start_state(company, records, simulated, (), pool, len(history_runs))
        starts = {
            "customers": {
                **{v.key: v.value for v in with_table if not v.key.startswith("start_")},
                **carried_customers,
            },
            "means": means,
            "month-0": {k: v for k, v in means.items() if k not in MONTH_ZERO},
        }
        for variant, frames in forward.items():
            overrides = {**starts[variant], "simulation.horizon_months": ahead}
            frames.append(simulate(company.with_overrides(overrides), 1000 + seed).timeseries)
    print(
        f"carried: state of the art {simulated['state_of_the_art']:.4f}, mean satisfaction "
        f"{simulated['mean_satisfaction']:.4f}, mean expectation "
        f"{simulated['mean_expectation']:.4f}, operators' skill {simulated['average_skill']:.4f} "
        f"(month {months}, median of {args.seeds} runs); {len(pool)} surviving customers "
        "pooled"
    )
    paths = {"truth": mean_path([run.timeseries.iloc[months:] for run in truth])}
    paths.update({variant: mean_path(frames) for variant, frames in forward.items()})
    shown = [1, 3, 6, 12, ahead]
    for column in COLUMNS:
        table = pd.DataFrame({name: path[column] for name, path in paths.items()}).loc[shown]
        print(f"\n{column} (mean of {args.seeds} runs) in month ... after the history")
        print(table.round(4).to_string())
    runs = {"truth": [run.timeseries.iloc[months:] for run in truth], **forward}
    measures = {
        "mean satisfaction in month 1": lambda frame: frame["mean_satisfaction"].iloc[0],
        "dissatisfied customers in month 1": lambda f: f["dissatisfied_customers"].iloc[0],
        f"customers lost over the {ahead} months": lambda frame: frame["customers_lost"].sum(),
    }
    for words, measure in measures.items():
        values = {name: [measure(frame) for frame in frames] for name, frames in runs.items()}
        print(f"\n{words} (mean of {args.seeds} runs; forward - truth, 95 % Welch interval):")
        for name, sample in values.items():
            line = f"  {name}: {t_interval(sample).mean:.4g}"
            if name != "truth":
                gap = welch_interval(sample, values["truth"])
                line += f" ({gap.mean:+.3g} +- {gap.half_width:.2g})"
            print(line)
        for name in ("customers", "means"):
            paired = paired_interval(values[name], values["month-0"])
            print(f"  {name} - month-0 (same seeds): {paired.mean:+.3g} +- {paired.half_width:.2g}")


if __name__ == "__main__":
    main()
