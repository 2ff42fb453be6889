"""The ``sqm-sim`` command line."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..config import ConfigError  # without the schema: it loads when a command runs
from .app import register as register_app_command
from .calibrate import register as register_calibrate_commands
from .destinations import check_folder, check_run_folder
from .experiments import (
    INTERRUPTED,
    add_execution_arguments,
    announce_runs,
    report_interrupted,
)
from .experiments import register as register_experiment_commands
from .explore import register as register_explore_command
from .overrides import parse_overrides
from .report import register as register_report_command
from .sensitivity import register as register_sensitivity_command
from .signals import report_os_error, terminate_as_interrupt

if TYPE_CHECKING:  # the schema (pydantic) loads when a command runs, not for --help
    from ..config import Config


class UsageError(Exception):
    """Bad command-line input (reported like a ConfigError, without a traceback)."""


def resolve_config(scenario: str, overrides: Sequence[str], portfolio: str | None = None) -> Config:
    """A scenario with the command line's portfolio and ``--set`` overrides applied."""
    from ..config.key_index import check_override_keys

    values = parse_overrides(overrides)
    # a misspelt key before the schema (pydantic) loads or the scenario is validated
    check_override_keys(values)
    from ..portfolios import with_portfolio
    from ..scenarios import load_scenario

    config = load_scenario(scenario)
    if portfolio:
        config = with_portfolio(config, portfolio)
    if values:
        config = config.with_overrides(values)
    return config


def _seed(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"seed must be a non-negative integer, got {value}")
    return value


def cmd_run(args: argparse.Namespace) -> int:
    config = resolve_config(args.scenario, args.set, args.portfolio)
    if args.format and not args.out:
        raise UsageError("--format chooses the files of --out: give --out DIR as well")
    check_folder(args.out)
    check_run_folder(args.out, config.fingerprint(), args.seed, args.overwrite)
    from ..report.numbers import json_ready  # after the input is checked
    from ..report.run_files import write_run
    from ..report.summary_table import as_text
    from ..run import simulate
    from ..run.provenance import run_manifest, utc_now

    started, clock = utc_now(), time.perf_counter()
    result = simulate(config, seed=args.seed)
    elapsed = time.perf_counter() - clock
    if args.json:
        print(json.dumps(json_ready(result.summary), indent=2))
    else:
        print(f"scenario {config.name} | seed {args.seed} | {elapsed:.2f} s\n")
        print(as_text(result.summary))
    if args.out:
        manifest = run_manifest(
            config, [args.seed], started, utc_now(), wall_time_seconds=round(elapsed, 3)
        )
        written = write_run(result, Path(args.out), manifest, args.format or "both")
        if not args.json:
            print(f"\nwrote {len(written)} files to {args.out}: report.md, timeseries, ...")
    return 0


def cmd_roi(args: argparse.Namespace) -> int:
    config = resolve_config(args.scenario, args.set, args.portfolio)
    if not config.portfolio.initiatives:
        raise UsageError("no initiatives to value: give --portfolio (see `sqm-sim portfolios`)")
    if args.replications < 2:
        raise UsageError(f"--replications must be at least 2, got {args.replications}")
    from ..experiments.plan import check_run_count, seed_range
    from ..experiments.roi import check_roi_inputs

    check_roi_inputs(config, args.confidence)  # every input error before any run
    check_folder(args.out)
    runs = (len(config.portfolio.initiatives) + 2) * args.replications
    check_run_count(runs, f"--replications {args.replications} ({runs} runs)")
    announce_runs(runs, "roi")
    seeds = list(seed_range(args.seed, args.replications))
    table = _roi_table(config, seeds, args)
    if table is None:
        return INTERRUPTED
    if args.out:
        from ..report.roi_files import write_roi

        write_roi(table, Path(args.out))
    from ..run.posterior import uncertainty_note

    note = uncertainty_note([config], seeds)
    if args.json:
        from ..report.roi_files import roi_json

        facts = {
            "scenario": config.name,
            "portfolio": config.portfolio.name,
            "replications": args.replications,
            "seeds": seeds,
            "confidence": args.confidence,
            "parameter_uncertainty": note,
        }
        print(json.dumps(roi_json(table, facts), indent=2))
        return 0
    from ..report.roi_files import roi_text

    print(
        f"scenario {config.name} | portfolio {config.portfolio.name} | "
        f"{args.replications} paired replications | {args.confidence:.0%} intervals\n"
        f"{note}\n"
    )
    print(roi_text(table))
    return 0


def _roi_table(config: Config, seeds: list[int], args: argparse.Namespace) -> Any:
    """Run the valuation on the chosen backend (into ``--out``, resumable); None when
    interrupted."""
    from ..experiments.backends import make_backend
    from ..experiments.roi import initiative_roi
    from ..experiments.store import ResultsStore

    store = None
    if args.out:
        experiment = {
            "name": "roi",
            "scenario": config.name,
            "portfolio": config.portfolio.name,
            "seeds": seeds,
            "confidence": args.confidence,
        }
        store = ResultsStore(args.out, experiment, f"roi-{config.fingerprint()}")
    backend = make_backend(args.backend or "processes", args.workers, args.scheduler)
    try:
        with backend, contextlib.ExitStack() as stack:
            if store is not None:
                stack.enter_context(store.locked())
            table = initiative_roi(
                config,
                seeds,
                confidence=args.confidence,
                backend=backend,
                store=store,
                chunk_size=args.chunk_size,
                quiet=args.quiet or args.json,
            )
            if store is not None:
                store.compact()
                store.finish("complete")
            return table
    except KeyboardInterrupt:
        report_interrupted(args.out)
        return None


def cmd_portfolios(args: argparse.Namespace) -> int:
    from ..portfolios import shipped_portfolios

    listed = shipped_portfolios()
    if args.json:
        print(json.dumps([{"name": n, "description": d} for n, d in listed]))
        return 0
    width = max(len(name) for name, _ in listed)
    for name, description in listed:
        print(f"{name:<{width}}  {description}")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from ..scenarios import shipped_scenarios

    infos = shipped_scenarios()
    if args.json:
        print(json.dumps([{"name": i.name, "description": i.description} for i in infos]))
        return 0
    width = max(len(info.name) for info in infos)
    for info in infos:
        print(f"{info.name:<{width}}  {info.description}")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    from ..config import Config
    from ..config.keys import config_parameters
    from ..portfolios import with_portfolio

    config = with_portfolio(Config(), args.portfolio) if args.portfolio else Config()
    params = [p for p in config_parameters(config) if p.key.startswith(args.prefix)]
    if not params:
        raise UsageError(_no_parameter_message(args.prefix, params_of=config))
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "key": p.key,
                        "default": p.default,
                        "unit": p.unit,
                        "range": p.range_text(),
                        "description": p.description,
                        "source": p.source,
                    }
                    for p in params
                ],
                indent=2,
            )
        )
        return 0
    for p in params:
        print(f"{p.key} = {p.default!r}  [{p.unit}]  ({p.range_text()})")
        print(f"    {p.description}")
        print(f"    source: {p.source}")
    return 0


def _no_parameter_message(prefix: str, params_of: Config) -> str:
    """``params PREFIX`` matched nothing: say so, with the nearest key or section."""
    import difflib

    from ..config.keys import config_parameters

    keys = [p.key for p in config_parameters(params_of)]
    names = sorted({*keys, *(key.split(".")[0] for key in keys)})
    close = difflib.get_close_matches(prefix, names, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"no parameter key starts with '{prefix}'{hint} (`sqm-sim params` lists them all)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sqm-sim",
        description="Discrete-event simulation of strategic quality management.",
    )
    parser.add_argument("--version", action="version", version=f"sqm-sim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="simulate one scenario once and print its KPIs",
        description="Simulate one scenario (a shipped name or a TOML file) with one seed.",
    )
    run.add_argument("scenario", help="shipped scenario name (see `scenarios`) or TOML path")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter, e.g. --set environment.switching_cost=0.3 (repeatable)",
    )
    run.add_argument(
        "--portfolio",
        metavar="NAME|FILE",
        help="run this initiative portfolio (shipped name "
        "or TOML file; replaces the scenario's own)",
    )
    run.add_argument("--seed", type=_seed, default=1, help="master random seed (default 1)")
    run.add_argument("--out", metavar="DIR", help="write time series, summary, config, report")
    run.add_argument(
        "--format",
        choices=["parquet", "csv", "both"],
        help="time-series file format with --out (default both)",
    )
    run.add_argument(
        "--overwrite", action="store_true", help="replace another run already in --out"
    )
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.set_defaults(handler=cmd_run)

    roi = commands.add_parser(
        "roi",
        help="value each initiative of a portfolio: incremental NPV, ROI, payback",
        description="Value each initiative against the same portfolio without it, on common "
        "random numbers (paired replications).",
    )
    roi.add_argument("scenario", help="shipped scenario name or TOML path")
    roi.add_argument("--portfolio", metavar="NAME|FILE", help="portfolio to value")
    roi.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    roi.add_argument("--replications", type=int, default=10, help="paired runs (default 10)")
    roi.add_argument("--seed", type=_seed, default=1, help="first seed (default 1)")
    roi.add_argument("--confidence", type=float, default=0.95, help="CI level (default 0.95)")
    roi.add_argument(
        "--json",
        action="store_true",
        help="print the facts (what the intervals cover) and the table as JSON",
    )
    roi.add_argument(
        "--out", metavar="DIR", help="results folder: the runs (resumable) and roi.csv"
    )
    add_execution_arguments(roi)
    roi.set_defaults(handler=cmd_roi)

    portfolios = commands.add_parser(
        "portfolios", help="list shipped portfolios", description="List shipped portfolios."
    )
    portfolios.add_argument("--json", action="store_true", help="print as JSON")
    portfolios.set_defaults(handler=cmd_portfolios)

    scenarios = commands.add_parser(
        "scenarios", help="list shipped scenarios", description="List shipped scenarios."
    )
    scenarios.add_argument("--json", action="store_true", help="print as JSON")
    scenarios.set_defaults(handler=cmd_scenarios)

    register_experiment_commands(commands)
    register_report_command(commands)
    register_sensitivity_command(commands)
    register_explore_command(commands)
    register_calibrate_commands(commands)
    register_app_command(commands)

    params = commands.add_parser(
        "params",
        help="list every parameter with default, unit, range and source",
        description="List every config parameter with default, unit, range and source.",
    )
    params.add_argument("prefix", nargs="?", default="", help="only keys starting with this")
    params.add_argument(
        "--portfolio",
        metavar="NAME|FILE",
        help="also list the numeric fields of this portfolio's initiatives, addressed "
        "by name: portfolio.<initiative name>.<field>",
    )
    params.add_argument("--json", action="store_true", help="print as JSON")
    params.set_defaults(handler=cmd_params)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``sqm-sim``; returns the exit status (2 for bad input)."""
    args = build_parser().parse_args(argv)
    with terminate_as_interrupt():
        try:
            return args.handler(args)
        except (ConfigError, UsageError) as exc:
            print(f"sqm-sim: error: {exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return report_interrupted(None)
        except OSError as exc:
            return report_os_error(exc, getattr(args, "out", None))


if __name__ == "__main__":
    sys.exit(main())
