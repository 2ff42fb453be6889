"""Command-line subcommands of the experiment engine: ``compare``, ``search``, ``experiment``.

:func:`register` adds them to the ``sqm-sim`` parser. Each builds an experiment spec (from
its arguments, or from a TOML file) and goes through the same validation and runner, so a
command line and an experiment file that say the same thing run the same runs. Handlers
raise :class:`~sqm_sim.config.ConfigError` for bad input (exit status 2); they return 1
when some runs failed (the others' results are written) and 130 when interrupted by Ctrl-C
or SIGTERM (rerun the same command to resume); a full disk is exit status 3.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import ConfigError
from ..experiments.backend_names import BACKENDS
from .destinations import check_folder
from .overrides import parse_overrides

if TYPE_CHECKING:  # the engine (pydantic, scipy, pandas, the model) loads when a command runs
    from ..experiments.backends import Backend
    from ..experiments.runner import ExperimentOutcome
    from ..experiments.spec import ExperimentSpec

INTERRUPTED = 130

LARGE_RUN_COUNT = 10_000
"""A command that will do at least this many runs says so before it starts."""


def report_interrupted(out: object | None) -> int:
    """Say that a batch was interrupted (and where its finished runs are); the exit code."""
    where = f"; finished runs are in {out}: rerun the same command to resume" if out else ""
    print(f"sqm-sim: interrupted{where}", file=sys.stderr)
    return INTERRUPTED


def _kpi_list(text: str | None) -> list[str]:
    from ..experiments.spec import DEFAULT_KPIS

    if not text:
        return list(DEFAULT_KPIS)
    return [item.strip() for item in text.split(",") if item.strip()]


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def announce_runs(runs: int, what: str) -> None:
    """Say on stderr how many runs a command will do, when that is many."""
    if runs >= LARGE_RUN_COUNT:
        print(f"sqm-sim: {what} will do {runs:,} runs", file=sys.stderr)


def add_execution_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("execution")
    group.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="where runs execute (default: processes, one worker per core)",
    )
    group.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes (processes, or a Dask LocalCluster)",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address, e.g. tcp://host:8786 (with --backend dask;"
        " without it a LocalCluster is started)",
    )
    group.add_argument(
        "--chunk-size",
        type=positive_int,
        metavar="RUNS",
        help="runs sent to a worker at once (default: automatic, at most 8)",
    )
    group.add_argument("--quiet", action="store_true", help="no progress bar")


def backend_from(args: argparse.Namespace, execution: Any) -> Backend:
    """The backend of ``add_execution_arguments``'s options, each falling back on the
    file's ``[execution]`` table (``execution``)."""
    from ..experiments.backends import make_backend  # not for --help

    return make_backend(
        args.backend or execution.backend,
        args.workers if args.workers is not None else execution.workers,
        args.scheduler or execution.scheduler,
    )


def _add_common_arguments(parser: argparse.ArgumentParser, replications: int) -> None:
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter in every configuration (repeatable)",
    )
    parser.add_argument(
        "--replications",
        type=int,
        default=replications,
        help=f"seeds per configuration (default {replications})",
    )
    parser.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    parser.add_argument("--kpi", default="npv", help="main KPI (default npv)")
    parser.add_argument("--kpis", metavar="A,B,...", help="KPIs to summarise (comma-separated)")
    parser.add_argument(
        "--direction",
        choices=["max", "min"],
        help="whether more of --kpi is better (default: by KPI)",
    )
    parser.add_argument("--confidence", type=float, default=0.95, help="CI level (default 0.95)")
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="results folder (resumable: rerun to continue an interrupted run)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--no-timeseries", action="store_true", help="do not store each run's time series"
    )
    add_execution_arguments(parser)


def _common_spec(args: argparse.Namespace, name: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "replications": args.replications,
        "first_seed": args.seed,
        "confidence": args.confidence,
        "kpi": args.kpi,
        "kpis": _kpi_list(args.kpis),
        "overrides": parse_overrides(args.set),
        "keep_timeseries": not args.no_timeseries,
    }
    if args.direction:
        data["direction"] = args.direction
    return data


def _execute(
    spec: ExperimentSpec, args: argparse.Namespace, out: str | None, base_dir: Path | None = None
) -> int:
    from ..experiments.plan import check_run_count
    from ..experiments.prepare import prepare
    from ..experiments.runner import run_experiment

    prepared = prepare(spec, base_dir)  # every input error before any worker starts
    check_folder(out)
    if prepared.plan is not None:
        cells = len(prepared.plan.cells)
        if spec.sequential is None:
            announce_runs(prepared.plan.size, spec.name)
        else:
            runs = cells * spec.sequential.max
            check_run_count(runs, f"{cells} cells x max = {spec.sequential.max} replications")
            announce_runs(runs, f"{spec.name} (sequential) at most")
    execution = spec.execution
    backend = backend_from(args, execution)
    try:
        with backend:
            outcome = run_experiment(
                spec,
                prepared=prepared,
                base_dir=base_dir,
                out=out,
                backend=backend,
                chunk_size=args.chunk_size,
                quiet=args.quiet,
            )
    except KeyboardInterrupt:
        return report_interrupted(out)
    if outcome.out is not None:
        from ..report.experiment_files import write_outputs

        write_outputs(outcome)
    _print(outcome, args.json)
    return 1 if outcome.failed else 0


def _print(outcome: ExperimentOutcome, as_json: bool) -> None:
    from ..report.experiment_files import as_text, outcome_json

    if as_json:
        print(json.dumps(outcome_json(outcome), indent=2))
    else:
        print(as_text(outcome))
    if outcome.failed:
        print(f"sqm-sim: {outcome.failed} run(s) failed (see the failures table)", file=sys.stderr)


def cmd_compare(args: argparse.Namespace) -> int:
    """``sqm-sim compare``: scenarios x portfolios on common random numbers."""
    from ..experiments.spec import parse_experiment

    data = _common_spec(args, args.name or "compare")
    if args.precision is not None:
        data["replications"] = {
            "relative_precision": args.precision,
            "initial": args.replications,
            "batch": 5 if args.batch is None else args.batch,
            "max": 100 if args.max_replications is None else args.max_replications,
        }
    else:
        for option, value in (
            ("--batch", args.batch),
            ("--max-replications", args.max_replications),
        ):
            if value is not None:
                raise ConfigError(f"{option} belongs to the sequential mode: give --precision too")
    data["adjust"] = args.adjust
    data["rank_by"] = args.rank_by
    data["cvar_level"] = args.cvar_level
    data["design"] = {
        "type": "grid",
        "scenarios": args.scenarios,
        "portfolios": args.portfolios or ["scenario"],
        "reference": args.reference,
    }
    return _execute(parse_experiment(data, "command line"), args, args.out)


def cmd_search(args: argparse.Namespace) -> int:
    """``sqm-sim search``: the best affordable portfolio from a menu of initiatives."""
    from ..experiments.prepare import read_menu_file
    from ..experiments.spec import parse_experiment

    data = _common_spec(args, args.name or "search")
    menu: list[dict[str, Any]] = []
    portfolios: list[str] = []
    budget = args.budget
    for source in args.menu:
        path = Path(source)
        if path.suffix == ".toml" and path.is_file():
            items, file_budget = read_menu_file(path)
            if not items:
                raise ConfigError(f"menu file {path} lists no [[initiatives]]")
            menu.extend(items)
            budget = budget if budget is not None else file_budget
        else:
            portfolios.append(source)
    data["design"] = {
        "type": "search",
        "scenario": args.scenario,
        "budget_per_year": budget,
        "menu": menu,
        "menu_portfolios": portfolios,
        "max_evaluations": args.max_evaluations,
        "max_enumerate": args.max_enumerate,
        "search_seed": args.search_seed,
    }
    return _execute(parse_experiment(data, "command line"), args, args.out)


def cmd_experiment_run(args: argparse.Namespace) -> int:
    """``sqm-sim experiment run FILE``."""
    from ..experiments.manifest import results_folder
    from ..experiments.spec import load_experiment

    spec, base_dir = load_experiment(args.file)
    given = Path(args.file)
    recorded = given.is_dir() or given.suffix == ".json"  # a results folder: rerun into it
    default = results_folder(given) if recorded else Path("results") / spec.name
    return _execute(spec, args, args.out or str(default), base_dir)


def cmd_experiment_validate(args: argparse.Namespace) -> int:
    """``sqm-sim experiment validate FILE``: check a file and show what it would run."""
    from ..experiments.prepare import prepare
    from ..experiments.spec import load_experiment

    spec, base_dir = load_experiment(args.file)
    prepared = prepare(spec, base_dir)
    info: dict[str, Any] = {
        "experiment": spec.name,
        "kind": prepared.kind,
        "replications": spec.replications
        if isinstance(spec.replications, int)
        else spec.replications.model_dump(),
        "kpis": prepared.kpis,
    }
    if prepared.plan is not None:
        info.update(
            cells=len(prepared.plan.cells),
            runs=prepared.plan.size,
            cell_names=[c.name for c in prepared.plan.cells],
        )
    if prepared.menu is not None:
        info.update(menu=prepared.menu.names, budget_per_year=prepared.menu.budget_per_year)
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        for key, value in info.items():
            print(f"{key}: {value}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``compare``, ``search`` and ``experiment`` to the ``sqm-sim`` subcommands."""
    compare = subparsers.add_parser(
        "compare",
        help="compare scenarios x portfolios on common random numbers",
        description="Run every scenario with every portfolio on the same seeds (common random "
        "numbers): per-cell means with CIs, paired differences from a reference, ranking by a "
        "KPI with significance, and robustness (worst case, regret) across scenarios.",
    )
    compare.add_argument("scenarios", nargs="+", help="shipped scenario names or TOML paths")
    compare.add_argument(
        "--portfolios",
        nargs="+",
        metavar="NAME|FILE",
        help="portfolios: shipped names, TOML paths, 'none' (no initiatives) "
        "or 'scenario' (the scenario's own; the default)",
    )
    compare.add_argument(
        "--reference",
        metavar="PORTFOLIO|SCENARIO:PORTFOLIO",
        help="what differences are taken from (default: the first portfolio in each scenario)",
    )
    compare.add_argument(
        "--precision",
        type=float,
        metavar="SHARE",
        help="sequential mode: add replications until the CI half-width of "
        "--kpi is within SHARE of its mean in every cell",
    )
    compare.add_argument(
        "--batch",
        type=int,
        help="replications added per step in sequential mode (default 5)",
    )
    compare.add_argument(
        "--max-replications", type=int, help="cap of the sequential mode (default 100)"
    )
    compare.add_argument(
        "--adjust",
        choices=["none", "bonferroni"],
        default="none",
        help="ranking: Bonferroni-adjust the intervals for the number of "
        "comparisons (default none)",
    )
    compare.add_argument(
        "--rank-by",
        choices=["mean", "p5", "p50", "cvar", "regret"],
        default="mean",
        help="ranking criterion for the main KPI: mean (paired t), the 5th percentile, the "
        "median, CVaR or regret (paired bootstrap over seeds); default mean",
    )
    compare.add_argument(
        "--cvar-level",
        type=float,
        default=0.1,
        metavar="SHARE",
        help="CVaR = mean of this worst share of the replications (default 0.1)",
    )
    compare.add_argument("--name", help="experiment name (default 'compare')")
    _add_common_arguments(compare, replications=10)
    compare.set_defaults(handler=cmd_compare)

    search = subparsers.add_parser(
        "search",
        help="find the best affordable portfolio from a menu of initiatives",
        description="Enumerate (or, for large menus, search heuristically) the portfolios a "
        "menu of initiatives allows under a yearly budget, evaluate them on common random "
        "numbers and report the cost-vs-KPI frontier and the best portfolio with its CI.",
    )
    search.add_argument("scenario", help="shipped scenario name or TOML path")
    search.add_argument(
        "--menu",
        action="append",
        required=True,
        metavar="NAME|FILE",
        help="initiatives to choose from: a shipped portfolio's, or a TOML file "
        "with [[initiatives]] (and optionally budget_per_year); repeatable",
    )
    search.add_argument(
        "--budget",
        type=float,
        metavar="PER_YEAR",
        help="largest initiative spend in any model year (currency/year)",
    )
    search.add_argument(
        "--max-evaluations", type=int, default=64, help="portfolios evaluated at most (default 64)"
    )
    search.add_argument(
        "--max-enumerate",
        type=int,
        default=4096,
        help="feasible portfolios enumerated at most (default 4096)",
    )
    search.add_argument(
        "--search-seed",
        type=int,
        default=0,
        help="seed of the heuristic's random restarts (default 0)",
    )
    search.add_argument("--name", help="experiment name (default 'search')")
    _add_common_arguments(search, replications=5)
    search.set_defaults(handler=cmd_search)

    experiment = subparsers.add_parser(
        "experiment",
        help="run or check an experiment file (TOML)",
        description="Experiment files describe grids, factorial and Latin hypercube designs, "
        "portfolio searches and replications (see experiments/*.toml).",
    )
    actions = experiment.add_subparsers(dest="action", required=True, metavar="ACTION")
    run = actions.add_parser(
        "run",
        help="run an experiment file",
        description="Run an experiment file; results go to --out "
        "(default results/NAME); rerun to resume.",
    )
    run.add_argument(
        "file",
        help="experiment TOML file, NAME for experiments/NAME.toml, or a results folder "
        "(or its manifest.json: reruns the experiment it records)",
    )
    run.add_argument("--out", metavar="DIR", help="results folder (default results/NAME)")
    run.add_argument("--json", action="store_true", help="print the results as JSON")
    add_execution_arguments(run)
    run.set_defaults(handler=cmd_experiment_run)
    validate = actions.add_parser(
        "validate",
        help="check an experiment file without running",
        description="Validate an experiment file and show its plan.",
    )
    validate.add_argument("file", help="experiment TOML file")
    validate.add_argument("--json", action="store_true", help="print as JSON")
    validate.set_defaults(handler=cmd_experiment_validate)
