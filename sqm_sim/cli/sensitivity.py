"""``sqm-sim sensitivity``: global sensitivity analysis from the command line.

``sqm-sim sensitivity [FILE] --method sobol --n 256 --kpi npv --out DIR`` runs a method
over a parameter space (``--space FILE``, default: the shipped space) on a scenario at a
run size; options override the file. ``--refine DIR`` reruns the analysis recorded in a
results folder with the ``n`` its convergence check suggests, into the same folder (the
unchanged points' runs are reused). Exit status: 0 done, 1 some runs failed (the indices
could not be computed; the finished runs are kept), 2 bad input, 130 interrupted (rerun
the same command to resume).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import ConfigError
from ..experiments.manifest import recorded_experiment, results_folder
from ..scenarios.sizes import SIZES
from ..sensitivity.names import SENSITIVITY_METHODS
from .destinations import check_folder
from .experiments import (
    add_execution_arguments,
    announce_runs,
    backend_from,
    report_interrupted,
)
from .overrides import parse_overrides

_OPTION_FIELDS = {
    "scenario": "scenario",
    "portfolio": "portfolio",
    "size": "size",
    "space": "space",
    "method": "method",
    "n": "n",
    "replications": "replications",
    "seed": "first_seed",
    "sample_seed": "sample_seed",
    "num_levels": "num_levels",
    "confidence": "confidence",
    "bootstrap": "bootstrap",
    "ci_target": "ci_target",
    "noise_points": "noise_points",
    "noise_replications": "noise_replications",
    "name": "name",
}
"""Command-line option -> spec field, for options that override a file's value."""

if TYPE_CHECKING:  # the engine (SALib, scipy, pandas) loads only when the command runs
    from ..sensitivity.runner import SensitivityOutcome
    from ..sensitivity.spec import SensitivitySpec


def _kpis(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _spec_from_args(args: argparse.Namespace) -> tuple[SensitivitySpec, Path | None, str | None]:
    from ..sensitivity.spec import load_sensitivity, parse_sensitivity

    out = args.out
    base_dir: Path | None = None
    data: dict[str, Any] = {}
    if args.refine:
        try:
            data, base_dir, manifest = recorded_experiment(args.refine)
        except ConfigError as exc:
            raise ConfigError(
                f"--refine {args.refine}: not a sensitivity results folder ({exc})"
            ) from None
        if manifest.get("kind") != "sensitivity":
            raise ConfigError(f"--refine {args.refine}: not a sensitivity results folder")
        out = out or str(results_folder(args.refine))
    elif args.file:
        spec, base_dir = load_sensitivity(args.file)
        data = spec.model_dump(exclude_unset=True)
    for option, field in _OPTION_FIELDS.items():
        value = getattr(args, option)
        if value is not None:
            data[field] = value
    if args.kpi:
        data["kpis"] = _kpis(args.kpi)
    if args.second_order:
        data["second_order"] = True
    if args.set:
        data["overrides"] = {**data.get("overrides", {}), **parse_overrides(args.set)}
    if args.keep_timeseries:
        data["keep_timeseries"] = True
    return parse_sensitivity(data, "command line"), base_dir, out


_METHOD_OPTIONS = {
    "--n": ("n", lambda method: method != "oat"),
    "--second-order": ("second_order", lambda method: method == "sobol"),
    "--num-levels": ("num_levels", lambda method: method == "morris"),
}
"""Options that only some methods use: option -> (argument, whether ``method`` uses it)."""


def _refuse_unused_options(args: argparse.Namespace, method: str) -> None:
    """An option the chosen method would ignore is an error, not a silent no-op."""
    for option, (name, used_by) in _METHOD_OPTIONS.items():
        if getattr(args, name) not in (None, False) and not used_by(method):
            raise ConfigError(f"{option} does not apply to --method {method}")


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Run (or refine) a sensitivity analysis and write its results."""
    import pandas as pd

    from ..report.sensitivity_files import write_outputs
    from ..sensitivity.runner import prepare_sensitivity, refined, run_sensitivity

    spec, base_dir, out = _spec_from_args(args)
    _refuse_unused_options(args, spec.method)
    check_folder(out)
    if args.refine:
        previous = results_folder(args.refine) / "convergence.csv"
        if not previous.is_file():
            raise ConfigError(f"--refine {args.refine}: no convergence.csv to refine from")
        spec = refined(spec, pd.read_csv(previous))
    prepared = prepare_sensitivity(spec, base_dir)  # every input error before any run
    if args.dry_run:
        print(
            f"{spec.method} (n = {spec.size_n}) over {len(prepared.space)} parameters: "
            f"{prepared.design.size} design points, {prepared.total_runs} runs"
        )
        return 0
    announce_runs(prepared.total_runs, f"sensitivity ({spec.method})")
    execution = spec.execution
    backend = backend_from(args, execution)
    try:
        with backend:
            outcome = run_sensitivity(
                spec,
                prepared=prepared,
                base_dir=base_dir,
                out=out,
                backend=backend,
                chunk_size=args.chunk_size or execution.chunk_size,
                quiet=args.quiet,
            )
    except KeyboardInterrupt:
        return report_interrupted(out)
    if outcome.out is not None:
        write_outputs(outcome)
    _print(outcome, args.json)
    return 1 if outcome.error else 0


def _print(outcome: SensitivityOutcome, as_json: bool) -> None:
    from ..report.experiment_files import table_records
    from ..report.numbers import json_ready
    from ..report.sensitivity_files import as_text, facts, headline

    if as_json:
        payload = {
            "facts": facts(outcome),
            "headline": headline(outcome),
            "indices": table_records(outcome.indices) if not outcome.indices.empty else [],
            "tornado": table_records(outcome.tornado) if not outcome.tornado.empty else [],
        }
        print(json.dumps(json_ready(payload), indent=2))
    else:
        print(as_text(outcome))
    if outcome.error:
        print(f"sqm-sim: {outcome.error}", file=sys.stderr)


def register(subparsers: Any) -> None:
    """Add ``sensitivity`` to the ``sqm-sim`` subcommands."""
    parser = subparsers.add_parser(
        "sensitivity",
        help="global sensitivity analysis (Morris, Sobol, FAST, delta, one-at-a-time)",
        description="Which assumptions drive satisfaction, loyalty and profit? Samples a "
        "parameter space with SALib, runs every point (common seeds) through the experiment "
        "engine and computes the indices with confidence intervals, the share of simulation "
        "noise and a convergence check. Results: indices/ranking/convergence/noise tables "
        "(Parquet, CSV), PNG charts and report.md in --out.",
    )
    parser.add_argument("file", nargs="?", help="sensitivity TOML file (options override it)")
    parser.add_argument("--method", choices=SENSITIVITY_METHODS, help="default sobol")
    parser.add_argument(
        "--n",
        type=int,
        help="method size: Sobol base samples (power of 2), Morris trajectories, FAST "
        "samples per parameter, delta points (default 256 / 20 / 256 / 1000)",
    )
    parser.add_argument(
        "--kpi",
        metavar="A,B,...",
        help="KPI(s) to analyse (default npv,retention_rate_annual,mean_satisfaction)",
    )
    parser.add_argument("--scenario", help="shipped scenario name or TOML path (default baseline)")
    parser.add_argument("--portfolio", help="shipped portfolio name or TOML path")
    parser.add_argument("--size", choices=SIZES, help="run size (default quick)")
    parser.add_argument(
        "--space", metavar="FILE", help="parameter space TOML file (default: the shipped space)"
    )
    parser.add_argument("--replications", type=int, help="seeds per point (default 1)")
    parser.add_argument("--seed", type=int, help="first seed (default 1)")
    parser.add_argument("--sample-seed", type=int, help="sampler seed (default 2024)")
    parser.add_argument("--second-order", action="store_true", help="Sobol S2 (doubles runs)")
    parser.add_argument("--num-levels", type=int, help="Morris grid levels (default 4)")
    parser.add_argument("--confidence", type=float, help="interval level (default 0.95)")
    parser.add_argument("--bootstrap", type=int, help="bootstrap resamples (default 1000)")
    parser.add_argument(
        "--ci-target", type=float, help="converged below this CI half-width (default 0.05)"
    )
    parser.add_argument("--noise-points", type=int, help="points replicated for noise (8)")
    parser.add_argument("--noise-replications", type=int, help="seeds per noise point (5)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter of the base configuration (repeatable)",
    )
    parser.add_argument("--name", help="analysis name (default: file name or 'sensitivity')")
    parser.add_argument("--out", metavar="DIR", help="results folder (rerun to resume)")
    parser.add_argument(
        "--refine",
        metavar="DIR",
        help="rerun the analysis in DIR with the n its convergence check suggests",
    )
    parser.add_argument("--keep-timeseries", action="store_true", help="store time series")
    parser.add_argument("--dry-run", action="store_true", help="validate and count runs only")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    add_execution_arguments(parser)
    parser.set_defaults(handler=cmd_sensitivity)
