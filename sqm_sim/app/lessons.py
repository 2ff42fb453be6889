"""Lessons as data: presets read from ``lessons.toml`` and the runs that answer them.

A :class:`Lesson` sets up the what-if page (scenario, portfolio, slider values of the
what-if and of its reference, run size, replications; ``settings``, config overrides that
are not sliders, on both sides, and ``whatif_settings`` on the what-if side only;
``trace_customers`` when its finding reads the customers' journeys) and names a finding (see
:mod:`sqm_sim.app.findings`) computed from its runs. A lesson file is checked when it is
read: a wrong entry is refused with a message naming the lesson, the field and what is
allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ConfigError
from ..config.files import read_toml
from ..run import RunResult
from ..run.catalogue import SUMMARY_KPIS
from ..scenarios import load_scenario
from ..scenarios.sizes import SIZES, at_size
from .levers import levers, starting_values
from .whatif import (
    MAX_SEEDS,
    OWN_PORTFOLIO,
    PairedRuns,
    Progress,
    RunCache,
    mean_summary,
    reference_config,
    run_pair,
    whatif_config,
)

LESSONS_FILE = Path(__file__).with_name("lessons.toml")

_REQUIRED = ("name", "title", "explanation", "scenario", "finding")
_OPTIONAL = (
    "portfolio",
    "size",
    "replications",
    "levers",
    "reference_levers",
    "sweep_key",
    "sweep_values",
    "sweep_kpis",
    "settings",
    "whatif_settings",
    "trace_customers",
)


@dataclass(frozen=True)
class Lesson:
    """One preset: how to set up the page and which finding to compute."""

    name: str
    title: str
    explanation: str
    scenario: str
    finding: str
    portfolio: str = OWN_PORTFOLIO
    size: str = "quick"
    replications: int = 2
    levers: Mapping[str, float] = field(default_factory=dict)
    reference_levers: Mapping[str, float] = field(default_factory=dict)
    sweep_key: str | None = None
    sweep_values: tuple[float, ...] = ()
    sweep_kpis: tuple[str, ...] = ("coq_total",)
    settings: Mapping[str, Any] = field(default_factory=dict)
    """Config overrides that are not sliders (the lesson's company), on both sides, in the
    run size's terms (applied after the size's scaling)."""
    whatif_settings: Mapping[str, Any] = field(default_factory=dict)
    """Config overrides that are not sliders, on the what-if side only (a policy that is
    no number: the funnel's adjustment rule), applied with ``settings``."""
    trace_customers: bool = False
    """Whether the lesson's runs record the customers' journeys (for its finding)."""

    @property
    def whatif_side(self) -> dict[str, Any]:
        """The what-if's config overrides that are not sliders: ``settings``, then
        ``whatif_settings``."""
        return {**self.settings, **self.whatif_settings}

    @property
    def runs(self) -> int:
        """Runs the lesson makes: the what-if and its reference on every seed, then the
        what-if at each sweep value on every seed."""
        return (2 + len(self.sweep_values)) * self.replications

    @property
    def seeds(self) -> tuple[int, ...]:
        """The lesson's seeds: 1, 2, ... (one per replication)."""
        return tuple(range(1, self.replications + 1))

    def slider_values(self) -> dict[str, float]:
        """Every slider's value for the what-if: the scenario's own, then the lesson's."""
        config = whatif_config(self.scenario, self.portfolio, {}, "full", self.settings)
        return {**starting_values(config), **self.levers}


def _lesson(entry: Mapping[str, Any], findings: Sequence[str]) -> Lesson:
    label = f"lesson {entry.get('name', '?')!r}"
    missing = [key for key in _REQUIRED if key not in entry]
    if missing:
        raise ConfigError(f"{label}: missing {', '.join(missing)}")
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ConfigError(
            f"{label}: unknown field(s) {', '.join(unknown)} "
            f"(allowed: {', '.join(_REQUIRED + _OPTIONAL)})"
        )
    if entry["finding"] not in findings:
        raise ConfigError(
            f"{label}: finding = {entry['finding']!r} (allowed: {', '.join(findings)})"
        )
    size = entry.get("size", "quick")
    if size not in SIZES:
        raise ConfigError(f"{label}: size = {size!r} (allowed: {', '.join(SIZES)})")
    replications = entry.get("replications", 2)
    if not isinstance(replications, int) or not 1 <= replications <= MAX_SEEDS:
        raise ConfigError(
            f"{label}: replications = {replications!r} (allowed: 1 <= replications <= {MAX_SEEDS})"
        )
    keys = {lever.key for lever in levers()}
    for field_name in ("levers", "reference_levers"):
        for key, value in entry.get(field_name, {}).items():
            if key not in keys:
                raise ConfigError(
                    f"{label}: {field_name}.{key} is not a slider (allowed: {', '.join(keys)})"
                )
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ConfigError(f"{label}: {field_name}.{key} = {value!r} (allowed: a number)")
    sweep_key = entry.get("sweep_key")
    sweep_values = tuple(float(v) for v in entry.get("sweep_values", ()))
    if (sweep_key is None) != (not sweep_values):
        raise ConfigError(f"{label}: sweep_key and sweep_values go together")
    if sweep_key is not None and sweep_key not in keys:
        raise ConfigError(f"{label}: sweep_key = {sweep_key!r} is not a slider")
    sweep_kpis = tuple(entry.get("sweep_kpis", ("coq_total",)))
    unknown_kpis = [key for key in sweep_kpis if key not in SUMMARY_KPIS]
    if unknown_kpis:
        raise ConfigError(
            f"{label}: sweep_kpis names {', '.join(map(repr, unknown_kpis))}, not a run "
            "summary key (see the KPI catalogue, sqm_sim/run/catalogue.py)"
        )
    settings = dict(entry.get("settings", {}))
    whatif_settings = dict(entry.get("whatif_settings", {}))
    for field_name, table in (("settings", settings), ("whatif_settings", whatif_settings)):
        sliders = sorted(set(table) & keys)
        if sliders:
            raise ConfigError(
                f"{label}: {field_name}.{sliders[0]} is a slider: set it in levers and "
                "reference_levers"
            )
    trace = entry.get("trace_customers", False)
    if not isinstance(trace, bool):
        raise ConfigError(f"{label}: trace_customers = {trace!r} (allowed: true or false)")
    return Lesson(
        name=str(entry["name"]),
        title=str(entry["title"]),
        explanation=" ".join(str(entry["explanation"]).split()),
        scenario=str(entry["scenario"]),
        finding=str(entry["finding"]),
        portfolio=str(entry.get("portfolio", OWN_PORTFOLIO)),
        size=size,
        replications=replications,
        levers={k: float(v) for k, v in entry.get("levers", {}).items()},
        reference_levers={k: float(v) for k, v in entry.get("reference_levers", {}).items()},
        sweep_key=sweep_key,
        sweep_values=sweep_values,
        sweep_kpis=sweep_kpis,
        settings=settings,
        whatif_settings=whatif_settings,
        trace_customers=trace,
    )


def load_lessons(path: Path = LESSONS_FILE) -> tuple[Lesson, ...]:
    """Every lesson of a lesson file, in file order, checked (a :class:`ConfigError`
    names the first wrong entry)."""
    from .findings import FINDINGS

    entries = read_toml(path).get("lessons", [])
    lessons = tuple(_lesson(entry, tuple(FINDINGS)) for entry in entries)
    names = [lesson.name for lesson in lessons]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise ConfigError(f"lessons: duplicate names {', '.join(doubled)}")
    for lesson in lessons:
        load_scenario(lesson.scenario)  # an unknown scenario fails here, named
        for field_name, table in (
            ("settings", lesson.settings),
            ("whatif_settings", lesson.whatif_side),
        ):
            if table:
                try:
                    at_size(load_scenario(lesson.scenario), lesson.size).with_overrides(table)
                except ConfigError as exc:
                    raise ConfigError(f"lesson {lesson.name!r}: {field_name}: {exc}") from None
    return lessons


@dataclass(frozen=True)
class LessonRuns:
    """What a lesson ran: the what-if paired with its reference, and the sweep (the
    what-if at each sweep value, same seeds) when the lesson has one."""

    pair: PairedRuns
    sweep: Mapping[float, tuple[RunResult, ...]]


def run_lesson(
    lesson: Lesson,
    cache: RunCache | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> LessonRuns | None:
    """Run a lesson: its paired runs, then its sweep; None when ``cancelled()`` turns true
    between runs (as :func:`~sqm_sim.app.whatif.run_pair`)."""
    cache = cache or RunCache()
    reference = reference_config(
        lesson.scenario, lesson.size, lesson.reference_levers, lesson.settings
    )
    values = lesson.slider_values()
    whatif = whatif_config(
        lesson.scenario, lesson.portfolio, values, lesson.size, lesson.whatif_side
    )
    total = lesson.runs

    def step(done: int, _: int) -> None:
        if progress is not None:
            progress(done, total)

    pair = run_pair(
        reference,
        whatif,
        lesson.seeds,
        cache=cache,
        progress=step,
        trace_customers=lesson.trace_customers,
        cancelled=cancelled,
    )
    if pair is None:
        return None
    sweep: dict[float, tuple[RunResult, ...]] = {}
    done = 2 * lesson.replications
    for value in lesson.sweep_values:
        assert lesson.sweep_key is not None
        config = whatif_config(
            lesson.scenario,
            lesson.portfolio,
            {**values, lesson.sweep_key: value},
            lesson.size,
            lesson.whatif_side,
        )
        runs = []
        for seed in lesson.seeds:
            if cancelled is not None and cancelled():
                return None
            runs.append(cache.run(config, seed))
            done += 1
            step(done, total)
        sweep[value] = tuple(runs)
    return LessonRuns(pair, sweep)


def sweep_means(lesson: Lesson, runs: LessonRuns) -> dict[str, list[float]]:
    """Each of the lesson's sweep KPIs at each sweep value (in the order of the values),
    mean over the seeds, by KPI name."""
    levels = sorted(runs.sweep)
    return {key: [mean_summary(runs.sweep[v], key) for v in levels] for key in lesson.sweep_kpis}
