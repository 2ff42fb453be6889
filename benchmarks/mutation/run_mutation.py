"""Mutation-testing benchmark of the model equations (``sqm_sim/models``), with mutmut.

mutmut changes one operator, constant or call at a time in ``sqm_sim/models`` (``<=`` to
``<``, ``1.0 - m`` to ``1.0 + m``, ``12.0`` to ``13.0``, a dropped argument...) and runs the
fast model-level tests against each such *mutant*. A mutant the tests fail on is *killed*;
one they pass is *survived*: either the tests miss an equation-level change, or the change
does not alter behaviour (an *equivalent* mutant). The score is killed / total.

Set-up (once): ``.venv/bin/pip install -e '.[mutation]'``. Run, from the repository root:

    nice -n 10 .venv/bin/python benchmarks/mutation/run_mutation.py [--ref HEAD]
        [--workdir /tmp/sqm-sim-mutation] [--max-children 1] [--fresh] [--report-only]

``--ref`` mutates a committed version (``git archive``) instead of the working tree.
``--retest-survivors`` reruns only the last run's survivors (after adding tests: mutmut
keeps a decided mutant's result and only tests mutants of functions that changed);
``--mutants NAME ...`` reruns just the named ones (those a new test should kill).
The work happens in a copy (``--workdir``; the repository is never touched), and results
are cached there by mutmut: a rerun only retests what changed; ``--fresh`` starts over.
The run ends with a table of killed / total by module and the list of survivors
(inspect one with ``cd WORKDIR && ../path/to/.venv/bin/mutmut show NAME``). Not part of
the test suite: about 1,500 mutants, roughly 1-2 hours on one core.

Tests run per mutant (only those that execute the mutated function, in mutmut's
``-x`` mode, so most mutants die in the first failing test): ``TESTS`` below, the
model-level tests, never the whole suite.
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import json
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = [
    "tests/models",
    "tests/test_queueing.py",
    "tests/test_conservation.py",
]
"""Fast model-level tests run against each mutant."""

MUTATED = "sqm_sim/models/*"
NOT_MUTATED = [
    "sqm_sim/models/__init__.py",
    "sqm_sim/models/units.py",  # constants only: mutmut mutates functions
]
TIMEOUT_MULTIPLIER = 5.0
"""A mutant's tests time out after 5 x their clean run time (+1 s): runaway mutants (an
(s, S) policy releasing work orders without end) count as killed, as mutmut counts them."""
MEMORY_LIMIT_BYTES = 6 * 1024**3
"""Address-space limit of mutmut and its test processes: a mutant that makes the model
allocate without end fails with MemoryError (killed) instead of filling the machine."""
PROFILE_PLUGIN = "_mutation_profile"
PROFILE = """\"\"\"Hypothesis profile of the mutation benchmark: a failing example kills the mutant,
so there is no point in shrinking it (which can take minutes per mutant).\"\"\"

from hypothesis import Phase, settings

settings.register_profile(
    "mutation", phases=[Phase.explicit, Phase.reuse, Phase.generate], deadline=None
)
settings.load_profile("mutation")
"""
STATUS_BY_EXIT_CODE = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
    24: "timeout",
    -24: "timeout",
}
"""mutmut's exit codes of a mutant's test run (mutmut/stats.py), as statuses."""


def _mutmut_section(tests: list[str], exclude: list[str]) -> str:
    skipped = [*NOT_MUTATED, *exclude]
    lines = [
        "",
        "[tool.mutmut]",
        'source_paths = ["sqm_sim"]',
        f'only_mutate = ["{MUTATED}"]',
        "do_not_mutate = [" + ", ".join(f'"{p}"' for p in skipped) + "]",
        "pytest_add_cli_args_test_selection = [" + ", ".join(f'"{t}"' for t in tests) + "]",
        'pytest_add_cli_args = ["-p", "no:xdist", "-p", "no:cacheprovider", "-p", '
        f'"tests.{PROFILE_PLUGIN}"]',
        f"timeout_multiplier = {TIMEOUT_MULTIPLIER}",
        "",
    ]
    return "\n".join(lines)


def prepare(
    workdir: Path, ref: str | None, tests: list[str], fresh: bool, exclude: list[str]
) -> None:
    """Copy the package, the tests and pyproject.toml into ``workdir`` (mutmut works on a
    copy of the sources in ``workdir/mutants``) and configure mutmut there."""
    if fresh and workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    members = ["sqm_sim", "tests", "pyproject.toml"]
    for name in members:
        target = workdir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    if ref:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", ref, *members],
            cwd=REPO,
            check=True,
            capture_output=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(workdir, filter="data")
    else:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
        for name in members:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, workdir / name, ignore=ignore)
            else:
                shutil.copy2(source, workdir / name)
    (workdir / "tests" / f"{PROFILE_PLUGIN}.py").write_text(PROFILE, encoding="utf-8")
    pyproject = workdir / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8") + _mutmut_section(tests, exclude), encoding="utf-8"
    )


def run_mutmut(workdir: Path, max_children: int, names: list[str] | None = None) -> int:
    """``mutmut run`` in ``workdir`` (only ``names`` if given, even if already decided);
    returns its exit code."""
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]
    return subprocess.run(
        [*command, *(names or [])], cwd=workdir, check=False, preexec_fn=_limit_memory
    ).returncode


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def results(workdir: Path) -> dict[str, str]:
    """Status of every mutant (``module.function__mutmut_N`` -> killed/survived/...)."""
    status: dict[str, str] = {}
    for meta in sorted((workdir / "mutants").rglob("*.py.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, code in data.get("exit_code_by_key", {}).items():
            status[name] = (
                "not checked" if code is None else STATUS_BY_EXIT_CODE.get(code, f"exit {code}")
            )
    return status


def _module(name: str) -> str:
    """``sqm_sim.models.x.xǁClassǁmethod__mutmut_3`` -> ``sqm_sim.models.x``."""
    return name.split(".x_")[0].split(".xǁ")[0]


def _excluded(name: str, patterns: list[str]) -> bool:
    path = _module(name).replace(".", "/") + ".py"
    return any(fnmatch.fnmatch(path, pattern) for pattern in patterns)


def report(status: dict[str, str]) -> str:
    """Table of killed / total per module, and the survivors."""
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, state in status.items():
        by_module[_module(name)][state] += 1
    lines = [f"{'module':40} {'killed':>7} {'total':>6} {'score':>7}  other"]
    total: Counter[str] = Counter()
    for module in sorted(by_module):
        counts = by_module[module]
        total += counts
        lines.append(_row(module, counts))
    lines.append(_row("all", total))
    survivors = sorted(name for name, state in status.items() if state == "survived")
    lines.append(f"\nsurvived ({len(survivors)}):")
    lines += [f"  {name}" for name in survivors]
    return "\n".join(lines)


def _row(label: str, counts: Counter[str]) -> str:
    killed = counts["killed"] + counts["timeout"]
    total = sum(counts.values())
    other = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "killed")
    return f"{label:40} {killed:7d} {total:6d} {killed / max(total, 1):7.1%}  {other}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", help="git ref to mutate (default: the working tree)")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "sqm-sim-mutation"
    )
    parser.add_argument("--max-children", type=int, default=1, help="parallel test processes")
    parser.add_argument("--tests", nargs="+", default=TESTS, help="tests run per mutant")
    parser.add_argument("--fresh", action="store_true", help="discard cached results")
    parser.add_argument(
        "--exclude", nargs="+", default=[], help="source files not to mutate (glob patterns)"
    )
    parser.add_argument("--report-only", action="store_true", help="print the last results")
    parser.add_argument(
        "--retest-survivors",
        action="store_true",
        help="run only the mutants that survived last time (after adding tests)",
    )
    parser.add_argument(
        "--mutants",
        nargs="+",
        default=[],
        metavar="NAME",
        help="run only these mutants (e.g. survivors a new test should kill)",
    )
    args = parser.parse_args(argv)
    if not args.report_only:
        survivors = args.mutants or None
        if args.retest_survivors:
            status = results(args.workdir)
            survivors = sorted(
                name
                for name, state in status.items()
                if state == "survived" and not _excluded(name, args.exclude)
            )
            if not survivors:
                print("no survivors to retest")
                return 0
        prepare(args.workdir, args.ref, args.tests, args.fresh, args.exclude)
        started = time.perf_counter()
        code = run_mutmut(args.workdir, args.max_children, survivors)
        print(f"mutmut exited with {code} after {time.perf_counter() - started:.0f} s")
    print(report(results(args.workdir)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
