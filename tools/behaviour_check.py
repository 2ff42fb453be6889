"""Record and compare a fixed set of runs, bit for bit, across a refactor.

    python tools/behaviour_check.py record results/behaviour.json
    python tools/behaviour_check.py compare results/behaviour.json

The set: every shipped scenario x (no portfolio and every shipped portfolio) x seeds 1, 2
at full size, plus the quick size of each scenario. For each run it stores the summary
(floats as their exact hex form), and a hash of the monthly time series (whole and column by
column) and of the customer table. ``compare`` prints every run whose numbers differ and
exits 1 if any does. A run whose recorded summary keys and time-series columns are all
unchanged, and which only has new ones besides (a KPI added to the catalogue, a column
added to the customer table), counts as identical and is listed as such: the numbers it
had are bit for bit the same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

import sqm_sim
from sqm_sim.portfolios import shipped_portfolios, with_portfolio
from sqm_sim.scenarios import shipped_scenarios
from sqm_sim.scenarios.sizes import at_size

SEEDS = (1, 2)


def _cases() -> list[tuple[str, str, str, int]]:
    portfolios = ["none"] + [name for name, _ in shipped_portfolios()]
    cases = []
    for scenario in (info.name for info in shipped_scenarios()):
        for portfolio in portfolios:
            for seed in SEEDS:
                cases.append((scenario, portfolio, "full", seed))
        cases.append((scenario, "none", "quick", 1))
    return cases


def _frame_hash(frame: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    columns = ",".join(map(str, frame.columns)).encode()
    return hashlib.sha256(columns + hashed).hexdigest()


def _exact(value: object) -> object:
    return float(value).hex() if isinstance(value, float) else value


def _run(case: tuple[str, str, str, int]) -> tuple[str, dict]:
    scenario, portfolio, size, seed = case
    config = sqm_sim.load_scenario(scenario)
    if portfolio != "none":
        config = with_portfolio(config, portfolio)
    config = at_size(config, size)
    result = sqm_sim.simulate(config, seed)
    frame = result.timeseries
    record = {
        "summary": {key: _exact(value) for key, value in sorted(result.summary.items())},
        "timeseries": _frame_hash(frame),
        "columns": {str(column): _frame_hash(frame[[column]]) for column in frame.columns},
        "customers": _frame_hash(result.customers),
        "customer_columns": {
            str(column): _frame_hash(result.customers[[column]])
            for column in result.customers.columns
        },
    }
    return f"{scenario}/{portfolio}/{size}/seed{seed}", record


def _same_numbers(old: dict, new: dict | None) -> bool:
    """Whether every number ``old`` recorded is unchanged in ``new`` (new keys allowed)."""
    if new is None:
        return False
    if old == new:
        return True
    if "columns" not in old:
        return False
    if old["customers"] != new["customers"]:
        if "customer_columns" not in old:
            return False
        recorded = old["customer_columns"].items()
        if not all(new["customer_columns"].get(k) == v for k, v in recorded):
            return False
    summary_same = all(new["summary"].get(k, None) == v for k, v in old["summary"].items())
    columns_same = all(new["columns"].get(k) == v for k, v in old["columns"].items())
    return summary_same and columns_same


def record_all() -> dict[str, dict]:
    with ProcessPoolExecutor() as pool:
        return dict(pool.map(_run, _cases()))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["record", "compare"])
    parser.add_argument("path", type=Path, help="the JSON file of recorded runs")
    args = parser.parse_args(argv[1:])
    mode, path = args.mode, args.path
    if mode == "compare" and not path.is_file():
        parser.error(f"no recorded runs at {path}: record them first")
    current = record_all()
    if mode == "record":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(current, indent=1, sort_keys=True))
        print(f"recorded {len(current)} runs in {path}")
        return 0
    recorded = json.loads(path.read_text())
    differing = [key for key in recorded if not _same_numbers(recorded[key], current.get(key))]
    extended = [key for key in recorded if key not in differing and recorded[key] != current[key]]
    if extended:
        print(f"{len(extended)} runs identical on every recorded number, with new KPIs besides")
    for key in differing:
        old, new = recorded[key], current.get(key, {})
        keys = [k for k in old["summary"] if old["summary"][k] != new.get("summary", {}).get(k)]
        print(
            f"DIFFERS {key}: summary keys {keys[:8]}; timeseries "
            f"{'same' if old['timeseries'] == new.get('timeseries') else 'differs'}"
        )
    print(f"{len(recorded) - len(differing)} of {len(recorded)} runs identical")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
