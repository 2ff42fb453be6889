"""The ``sqm-sim report`` subcommand."""

from __future__ import annotations

import argparse
from typing import Any

from ..report.build import REPORT_NAME
from .destinations import check_file


def cmd_report(args: argparse.Namespace) -> int:
    """``sqm-sim report RESULTS_DIR [--out FILE]``."""
    from ..experiments.manifest import results_folder
    from ..report.build import write_report

    check_file(args.out)
    written = write_report(results_folder(args.results_dir), args.out)
    print(f"wrote {written}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``report`` to the ``sqm-sim`` subcommands."""
    report = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report of a results folder",
        description="Write one self-contained HTML file (plots embedded, no external files) "
        "summarising a results folder of `sqm-sim run --out`, `compare`, `search`, "
        "`experiment run`, `sensitivity` or `explore`: what was run, the KPI table with "
        "confidence intervals, the key plots and plain-language findings.",
    )
    report.add_argument(
        "results_dir", metavar="RESULTS_DIR", help="the results folder (or its manifest.json)"
    )
    report.add_argument(
        "--out", metavar="FILE", help=f"HTML file to write (default RESULTS_DIR/{REPORT_NAME})"
    )
    report.set_defaults(handler=cmd_report)
