"""``sqm-sim profile new`` and ``sqm-sim calibrate``: a company's profile, fitted to its history.

``sqm-sim profile new --out my_company.toml`` writes the documented profile template (the
observable inputs and where to find each in company records). ``sqm-sim calibrate PROFILE
--data history.csv --out DIR`` fits the profile's unobservable parameters to the monthly
history with ABC-SMC (pyabc, the ``calibrate`` extra) and writes the posterior, the credible
intervals, which parameters the data pin down, fitted-vs-observed bands, charts, a report
and ``calibrated_profile.toml``, which ``compare``, ``roi``, ``search`` and ``sensitivity``
read like any scenario, drawing one parameter set per seed and starting where the history
ended (``start_state.csv``). A blank history cell is a month not observed. Exit status 2
for bad input (an unknown or ill-formed history column names the column and the line).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

from ..config import ConfigError
from .destinations import check_file, check_folder
from .experiments import positive_int

CALIBRATE_BACKENDS = ("serial", "processes", "dask")


def cmd_profile_new(args: argparse.Namespace) -> int:
    """Write the documented profile template."""
    from ..scenarios.profiles import template_text

    target = Path(args.out)
    check_file(target)
    if target.exists() and not args.overwrite:
        raise ConfigError(f"--out {target} exists; give --overwrite to replace it")
    target.write_text(template_text(), encoding="utf-8")
    print(f"wrote {target}: fill in your figures, then `sqm-sim calibrate {target} --data ...`")
    return 0


def _settings(calibration: Any, args: argparse.Namespace) -> Any:
    changes = {
        name: value
        for name, value in (
            ("population", args.population),
            ("generations", args.generations),
            ("check_draws", args.check_draws),
            ("seed", args.seed),
        )
        if value is not None
    }
    if not changes:
        return calibration
    from ..config.calibration import CalibrationSettings

    return CalibrationSettings.model_validate({**calibration.model_dump(), **changes})


def _prepare_out(out: Path, overwrite: bool) -> None:
    check_folder(out)
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise ConfigError(f"--out {out} is not empty; give --overwrite to replace it")
        if not (out / "manifest.json").is_file():
            raise ConfigError(f"--out {out} holds files that are no results; choose another folder")
        shutil.rmtree(out)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit a profile to its history and write the results folder."""
    if importlib.util.find_spec("pyabc") is None:
        raise ConfigError(
            "sqm-sim calibrate needs pyabc (ABC-SMC): install the 'calibrate' extra, "
            "pip install 'sqm_sim[calibrate]'"
        )
    from ..config.calibration import fitted_priors
    from ..scenarios.profiles import load_profile

    profile = load_profile(args.profile)  # the inputs first: a bad one is told at once
    settings = _settings(profile.calibration, args)
    priors = fitted_priors(profile.config, settings)
    from ..experiments.history import read_history

    history = read_history(args.data)
    from ..experiments.calibration import abc_sampler, calibrate, history_config
    from ..report.build import write_report
    from ..report.calibration_files import interval_rows, markdown_table, write_outputs
    from ..run.provenance import package_versions, utc_now

    history_config(profile.config, history)  # the profile over the history's months is valid
    out = Path(args.out)
    _prepare_out(out, args.overwrite)
    out.mkdir(parents=True, exist_ok=True)
    started = utc_now()
    with abc_sampler(args.backend, args.workers, args.scheduler) as sampler:
        outcome = calibrate(
            profile.config, history, priors, settings, sampler=sampler, database=out / "abc.db"
        )
    manifest = {
        "kind": "calibration",
        "profile": str(profile.path),
        "profile_name": profile.config.name,
        "data": str(args.data),
        "sampler": args.backend,
        "settings": settings.model_dump(exclude={"parameters"}),
        "priors": {key: prior.model_dump() for key, prior in priors.items()},
        "facts": outcome.facts,
        "started_utc": started,
        "finished_utc": utc_now(),
        "versions": {**package_versions(), "pyabc": _version("pyabc")},
    }
    write_outputs(outcome, out, profile.data, manifest)
    write_report(out)
    if args.json:
        print(json.dumps(outcome.intervals.to_dict("records"), indent=2))
    else:
        print(markdown_table(interval_rows(outcome.intervals, settings.credible_level)))
        print(f"\nwrote {out}: posterior, intervals, fit, report.html, calibrated_profile.toml")
    return 0


def _version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def register(subparsers: Any) -> None:
    """Add ``profile`` and ``calibrate`` to the ``sqm-sim`` subcommands."""
    profile = subparsers.add_parser(
        "profile",
        help="write a company profile template (observable inputs and where to find them)",
        description="Company profiles: scenario files of one company's observable facts.",
    )
    actions = profile.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = actions.add_parser(
        "new",
        help="write the documented profile template",
        description="Write the documented company-profile template to --out.",
    )
    new.add_argument("--out", required=True, metavar="FILE", help="the TOML file to write")
    new.add_argument("--overwrite", action="store_true", help="replace an existing file")
    new.set_defaults(handler=cmd_profile_new)

    calibrate = subparsers.add_parser(
        "calibrate",
        help="fit a profile's unobservable parameters to monthly history (ABC-SMC)",
        description="Fit the behaviour parameters of a company profile (loyalty, drift, "
        "satisfaction memory, complaint propensity, word of mouth; or the profile's "
        "[calibration.parameters]) to its monthly history by ABC-SMC (pyabc) and write the "
        "posterior, credible intervals, fit bands, report and a calibrated profile.",
    )
    calibrate.add_argument("profile", help="company profile TOML (see `sqm-sim profile new`)")
    calibrate.add_argument(
        "--data", required=True, metavar="CSV", help="monthly history: month + observed columns"
    )
    calibrate.add_argument("--out", required=True, metavar="DIR", help="results folder")
    calibrate.add_argument("--overwrite", action="store_true", help="replace the results in --out")
    calibrate.add_argument("--population", type=positive_int, help="sets per generation")
    calibrate.add_argument("--generations", type=positive_int, help="ABC-SMC generations at most")
    calibrate.add_argument("--check-draws", type=positive_int, help="runs behind the fit bands")
    calibrate.add_argument("--seed", type=int, help="seed of the sampler and the checks")
    calibrate.add_argument(
        "--backend",
        choices=CALIBRATE_BACKENDS,
        default="serial",
        help="pyabc sampler: serial (default, bit-reproducible), processes, or dask",
    )
    calibrate.add_argument("--workers", type=positive_int, help="processes or Dask workers")
    calibrate.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address")
    calibrate.add_argument("--json", action="store_true", help="print the intervals as JSON")
    calibrate.set_defaults(handler=cmd_calibrate)
