"""``sqm-sim explore``: where each candidate portfolio fails, and which one is robust.

``sqm-sim explore FILE [--out DIR] [--samples N] [--replications N]`` draws the futures of
an exploration file (a Latin hypercube over uncertain factors), runs every candidate
portfolio in every future on common seeds through the experiment engine (backends, Dask,
resume, the results folder's lock) and writes the scenario-discovery tables (PRIM's
peeling trajectory and box with quasi-p-values, CART's rules), the robust-choice table and
``report.md``; ``sqm-sim report DIR`` writes the HTML report. Exit status: 0 done, 1 some
runs failed (the analysis leaves them out), 2 bad input, 130 interrupted (rerun the same
command to resume).

A command of its own rather than a design type of ``sqm-sim experiment run``: its inputs
(factor ranges, a goal, PRIM's settings) and outputs (boxes, trajectories, robust choice)
are those of a different question, as for ``sqm-sim sensitivity``, and experiment files
keep one schema.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from ..config import ConfigError
from .destinations import check_folder
from .experiments import (
    add_execution_arguments,
    announce_runs,
    backend_from,
    positive_int,
    report_interrupted,
)


def cmd_explore(args: argparse.Namespace) -> int:
    """Run an exploration file and write its results."""
    from ..experiments.explore import load_explore, parse_explore, prepare_explore, run_explore
    from ..report.exploration_files import as_text, outcome_json, write_outputs

    missing = [name for name in ("prim", "sklearn") if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(
            f"sqm-sim explore needs {' and '.join(missing)} (PRIM and CART): install the "
            "'explore' extra, pip install 'sqm_sim[explore]'"
        )
    spec, base_dir = load_explore(args.file)
    changes = {
        field: value
        for field, value in (("samples", args.samples), ("replications", args.replications))
        if value is not None
    }
    if changes:
        spec = parse_explore({**spec.model_dump(exclude_unset=True), **changes}, "command line")
    out = args.out or str(Path("results") / spec.name)
    prepared = prepare_explore(spec, base_dir)  # every input error before any run
    check_folder(out)
    if args.dry_run:
        print(
            f"{len(prepared.futures)} futures x {len(prepared.portfolios)} portfolios x "
            f"{spec.replications} replications = {prepared.runs} runs"
        )
        return 0
    announce_runs(prepared.runs, f"explore {spec.name}")
    execution = spec.execution
    backend = backend_from(args, execution)
    try:
        with backend:
            outcome = run_explore(
                spec,
                prepared=prepared,
                base_dir=base_dir,
                out=out,
                backend=backend,
                chunk_size=args.chunk_size,
                quiet=args.quiet or args.json,
            )
    except KeyboardInterrupt:
        return report_interrupted(out)
    write_outputs(outcome)
    if args.json:
        print(json.dumps(outcome_json(outcome), indent=2))
    else:
        print(as_text(outcome))
    if outcome.failed:
        print(f"sqm-sim: {outcome.failed} run(s) failed (see failed_runs.csv)", file=sys.stderr)
    return 1 if outcome.failed else 0


def register(subparsers: Any) -> None:
    """Add ``explore`` to the ``sqm-sim`` subcommands."""
    parser = subparsers.add_parser(
        "explore",
        help="scenario discovery: where each portfolio fails (PRIM, CART) and robust choice",
        description="Draw futures over uncertain factors (Latin hypercube), run every candidate "
        "portfolio in each on common seeds, find with PRIM (peeling trajectory, box limits "
        "with quasi-p-values) and CART where a portfolio misses its goal, and compare the "
        "portfolios by minimax regret, satisficing and 'best in most futures'.",
    )
    parser.add_argument("file", help="exploration TOML file (see experiments/explore/)")
    parser.add_argument("--out", metavar="DIR", help="results folder (default results/NAME)")
    parser.add_argument("--samples", type=positive_int, help="futures drawn (overrides the file)")
    parser.add_argument(
        "--replications", type=positive_int, help="seeds per future (overrides the file)"
    )
    parser.add_argument("--dry-run", action="store_true", help="validate and count runs only")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    add_execution_arguments(parser)
    parser.set_defaults(handler=cmd_explore)
