"""The classroom page (NiceGUI): pickers, sliders, lessons, the side-by-side table and charts.

UI only: every number shown comes from :mod:`sqm_sim.app.whatif`,
:mod:`sqm_sim.app.lessons` and :mod:`sqm_sim.app.findings`. Each browser tab has its own
state (the page function runs once per visit); runs go to a worker thread so the page stays
responsive and shows that it is busy.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nicegui import run, ui

from ..config import ConfigError
from ..portfolios import shipped_portfolios
from ..report.numbers import number
from ..scenarios import load_scenario, shipped_scenarios
from ..scenarios.sizes import SIZES
from . import charts
from .export import export_comparison, table_csv
from .findings import Finding, finding_for
from .journey import PICKS, journey_of, pick_customer, story
from .lessons import Lesson, LessonRuns, load_lessons, run_lesson, sweep_means
from .levers import GROUPS, Lever, lever, levers, starting_values
from .whatif import (
    MAX_SEEDS,
    MONTHLY,
    OWN_PORTFOLIO,
    PairedRuns,
    RunCache,
    coq_by_category,
    kpi_label,
    monthly_band,
    reference_config,
    run_pair,
    seeds_for,
    side_by_side,
    signed,
    whatif_config,
)

TARP_COLUMNS = [
    {
        "name": "context",
        "label": "after a problem, the customer",
        "field": "context",
        "align": "left",
    },
    {"name": "decisions", "label": "decisions", "field": "decisions", "align": "right"},
    {"name": "stay", "label": "bought again", "field": "stay_share", "align": "right"},
    {"name": "interval", "label": "95 % interval", "field": "interval", "align": "right"},
]

TABLE_COLUMNS = [
    {"name": "label", "label": "KPI", "field": "label", "align": "left"},
    {"name": "unit", "label": "unit", "field": "unit", "align": "left"},
    {"name": "reference", "label": "reference", "field": "reference", "align": "right"},
    {"name": "whatif", "label": "what-if", "field": "whatif", "align": "right"},
    {"name": "difference", "label": "difference", "field": "difference", "align": "right"},
]

RUN_ON_RELEASE = ("quick",)
"""Run sizes that rerun as soon as a slider is released (full size waits for Run)."""


def _label(lever: Lever, value: float) -> str:
    shown = number(value, "currency") if lever.unit.startswith("currency") else f"{value:g}"
    return f"{lever.label}: {shown} {lever.unit}"


def error_label(test_id: str) -> Any:
    """A hidden box for a clear error message (the command line's words, kept as written),
    found by tests under ``data-testid`` ``test_id``."""
    box = (
        ui.label()
        .classes("w-full text-negative bg-red-1 q-pa-md rounded-borders")
        .style("white-space: pre-wrap; font-family: monospace")
        .props(f'data-testid="{test_id}"')
    )
    box.visible = False
    return box


@dataclass
class _State:
    """One browser tab's state."""

    cache: RunCache = field(default_factory=RunCache)
    lesson: Lesson | None = None
    busy: bool = False
    cancelled: bool = False
    progress: tuple[int, int] = (0, 0)
    pending: bool = False
    queued_lesson: Lesson | None = None
    """A lesson clicked while a run was going: it opens when that run ends."""
    loading: bool = False
    pair: PairedRuns | None = None
    """The comparison on show (what the export saves) and its title."""
    title: str = ""
    journey_open: bool = False
    """A journey has been asked for: it follows each new what-if run."""
    applied: tuple[Any, ...] = ()
    """The pickers and run settings last run or set up: a change event that carries no
    change (NiceGUI runs async handlers after the code that set the value) does nothing."""


def classroom() -> None:
    """Build the page for one visitor."""
    state = _State()
    lessons = load_lessons()
    scenario_names = [info.name for info in shipped_scenarios()]
    portfolio_names = [OWN_PORTFOLIO, *(name for name, _ in shipped_portfolios())]

    ui.page_title("sqm_sim classroom")
    ui.query("body").classes("bg-grey-1")
    with ui.header().classes("items-center bg-blue-grey-9 q-py-sm"):
        ui.label("sqm_sim classroom").classes("text-h6")
        ui.label("move a lever: each run beside its reference, on the same seeds").classes(
            "text-caption opacity-80"
        )
        ui.space()
        ui.link("class game", "/game").classes("text-white").props('data-testid="to-game"')

    with ui.element("div").classes("flex flex-col lg:flex-row lg:flex-nowrap gap-4 w-full"):
        with ui.card().classes("w-full lg:w-[360px] shrink-0 gap-1"):
            scenario = ui.select(scenario_names, value="baseline", label="Scenario").classes(
                "w-full"
            )
            portfolio = ui.select(portfolio_names, value=OWN_PORTFOLIO, label="Portfolio").classes(
                "w-full"
            )
            with ui.row().classes("w-full items-center no-wrap"):
                size = ui.toggle(list(SIZES), value="quick").props('data-testid="size"')
                replications = (
                    ui.number("replications", value=1, min=1, max=MAX_SEEDS, step=1, format="%d")
                    .classes("w-28")
                    .props('data-testid="replications"')
                )
                first_seed = ui.number("seed", value=1, min=0, step=1, format="%d").classes("w-20")
            sliders: dict[str, ui.slider] = {}
            labels: dict[str, ui.label] = {}
            # two columns of levers between the phone and the wide layout, one beside results
            with ui.element("div").classes(
                "grid grid-cols-1 md:grid-cols-2 lg:grid-cols-1 w-full gap-x-6"
            ):
                for group in GROUPS:
                    with ui.column().classes("w-full gap-0"):
                        ui.label(group).classes("text-subtitle2 q-mt-sm")
                        for item in (lever for lever in levers() if lever.group == group):
                            labels[item.key] = ui.label(item.label).classes("text-body2 q-mt-xs")
                            labels[item.key].tooltip(f"{item.key}: {item.description}")
                            sliders[item.key] = (
                                ui.slider(
                                    min=item.low, max=item.high, step=item.step, value=item.low
                                )
                                .props(f'data-testid="{item.key}"')
                                .classes("q-px-sm")
                            )
            with ui.row().classes("w-full q-mt-sm"):
                run_button = ui.button("Run", icon="play_arrow").props('data-testid="run"')
                cancel_button = ui.button("Cancel", icon="stop").props('flat data-testid="cancel"')
                reset_button = ui.button("Reset levers").props("flat")

        with ui.column().classes("w-full min-w-0 gap-3"):
            with ui.row().classes("w-full items-center gap-2"):
                ui.label("Lessons:").classes("text-subtitle1")
                lesson_buttons = [
                    ui.button(lesson.title).props(
                        f'outline no-caps data-testid="lesson-{lesson.name}"'
                    )
                    for lesson in lessons
                ]
            lesson_card = ui.card().classes("w-full bg-blue-1").props('data-testid="lesson"')
            lesson_card.visible = False
            with lesson_card:
                lesson_title = ui.label().classes("text-h6")
                lesson_text = ui.label().classes("text-body2")
                finding_text = (
                    ui.label()
                    .classes("text-body1 text-weight-medium")
                    .props('data-testid="finding"')
                )
                finding_note = ui.label().classes("text-caption")
                finding_table = (
                    ui.table(columns=TARP_COLUMNS, rows=[], row_key="context")
                    .classes("w-full")
                    .props('dense flat bordered data-testid="finding-table"')
                )
                finding_table.visible = False
                sweep_chart = ui.echart({"series": []}).classes("w-full h-72")
            error_box = error_label("error")
            queued_note = (
                ui.label()
                .classes("w-full text-body2 bg-amber-1 q-pa-sm rounded-borders")
                .props('data-testid="lesson-queued" role="status"')
            )
            queued_note.visible = False
            with ui.row().classes("items-center gap-2 min-h-8") as busy_row:
                ui.spinner(size="md")
                busy_label = ui.label("running...").props('data-testid="busy"')
                busy_cancel = ui.button("Cancel", icon="stop").props(
                    'flat dense no-caps data-testid="busy-cancel"'
                )
            busy_row.visible = False
            caption = ui.label().classes("text-caption").props('data-testid="caption"')
            with ui.row().classes("w-full items-center gap-2"):
                export_button = ui.button("Save as report", icon="download").props(
                    'outline no-caps data-testid="export"'
                )
                csv_button = ui.button("KPI table as CSV", icon="table_view").props(
                    'flat no-caps data-testid="export-csv"'
                )
                export_note = ui.label().classes("text-caption").props('data-testid="export-note"')
            table = (
                ui.table(columns=TABLE_COLUMNS, rows=[], row_key="key")
                .classes("w-full")
                .props('dense flat bordered data-testid="kpis"')
            )
            with ui.element("div").classes("grid grid-cols-1 md:grid-cols-2 gap-3 w-full"):
                monthly_charts = {
                    column: ui.echart({"series": []}).classes("w-full h-72 bg-white")
                    for column, _ in MONTHLY
                }
                coq_chart = ui.echart({"series": []}).classes("w-full h-72 bg-white")
            with ui.card().classes("w-full gap-2").props('data-testid="journey"'):
                ui.label("A customer's journey").classes("text-h6")
                ui.label(
                    "One customer of the what-if run (its first seed, at the quick size): "
                    "satisfaction and expectation after each event, the problems, what the "
                    "customer did about them and how it ended."
                ).classes("text-caption")
                with ui.row().classes("w-full items-end gap-3"):
                    journey_pick = (
                        ui.select(PICKS, value="defect", label="Customer")
                        .classes("w-96")
                        .props('data-testid="journey-pick"')
                    )
                    journey_id = (
                        ui.number("or a customer id", min=0, step=1, format="%d")
                        .classes("w-36")
                        .props('data-testid="journey-id"')
                    )
                    journey_button = ui.button("Show the journey", icon="person").props(
                        'data-testid="journey-show"'
                    )
                journey_story = ui.label().classes("text-body1 w-full").props('data-testid="story"')
                journey_chart = ui.echart({"series": []}).classes("w-full h-80 bg-white")
                journey_chart.visible = False

    def set_sliders(values: dict[str, float]) -> None:
        state.loading = True
        try:
            for item in levers():
                value = values[item.key]
                low, high = item.slider_range(value)
                sliders[item.key].props(f"min={low} max={high}")
                sliders[item.key].value = value
                labels[item.key].text = _label(item, value)
        finally:
            state.loading = False

    def slider_values() -> dict[str, float]:
        return {key: float(slider.value) for key, slider in sliders.items()}

    def show_error(message: str | None) -> None:
        error_box.text = message or ""
        error_box.visible = message is not None
        if message is not None:
            caption.text = "not run: change the setting named above; below: the last valid run"

    def show_pair(pair: PairedRuns, title: str) -> None:
        rows = []
        for row in side_by_side(pair):
            sign = "" if row.better is None else (" ▲" if row.better else " ▼")
            rows.append(
                {
                    "key": row.key,
                    "label": row.label,
                    "unit": row.unit,
                    "reference": number(row.reference, row.unit),
                    "whatif": number(row.whatif, row.unit),
                    "difference": signed(row.difference, row.unit) + sign,
                }
            )
        table.rows = rows
        table.update()
        bands = len(pair.seeds) > 1
        for column, chart_title in MONTHLY:
            chart = monthly_charts[column]
            chart.options.clear()
            chart.options.update(
                charts.monthly_chart(
                    chart_title,
                    monthly_band(pair.reference, column),
                    monthly_band(pair.whatif, column),
                    bands,
                )
            )
            chart.update()
        coq_chart.options.clear()
        coq_chart.options.update(
            charts.coq_chart(coq_by_category(pair.reference), coq_by_category(pair.whatif))
        )
        coq_chart.update()
        band_note = " (lines: means; shaded: lowest to highest replication)" if bands else ""
        caption.text = f"{title}; seeds {', '.join(map(str, pair.seeds))}{band_note}"
        state.pair, state.title = pair, title

    def set_busy(busy: bool) -> None:
        state.busy = busy
        busy_row.visible = busy
        run_button.props(f"loading={'true' if busy else 'false'}")
        for button in (run_button, export_button, csv_button):  # a click waits for the run
            button.set_enabled(not busy)

    def progress_text() -> None:
        done, total = state.progress
        if state.busy:
            busy_label.text = f"running... {done} of {total} runs"

    ui.timer(0.2, progress_text)

    def on_progress(done: int, total: int) -> None:
        state.progress = (done, total)

    def lesson_settings() -> dict[str, Any]:
        return dict(state.lesson.settings) if state.lesson else {}

    def whatif_settings() -> dict[str, Any]:
        return state.lesson.whatif_side if state.lesson else {}

    def configs() -> tuple[Any, Any]:
        reference_levers = state.lesson.reference_levers if state.lesson else None
        reference = reference_config(
            scenario.value, size.value, reference_levers, lesson_settings()
        )
        whatif = whatif_config(
            scenario.value, portfolio.value, slider_values(), size.value, whatif_settings()
        )
        return reference, whatif

    def settings() -> tuple[Any, ...]:
        return (
            scenario.value,
            portfolio.value,
            size.value,
            int(replications.value or 1),
            int(first_seed.value or 0),
        )

    def reference_text() -> str:
        changes = state.lesson.reference_levers if state.lesson else {}
        told = ", ".join(f"{lever(key).label} {value:g}" for key, value in changes.items())
        text = f"reference: the scenario as shipped{' with ' + told if told else ''}"
        company = ", ".join(f"{key} = {value:g}" for key, value in lesson_settings().items())
        text = f"{text}; on both sides the lesson's {company}" if company else text
        own = state.lesson.whatif_settings if state.lesson else {}
        policy = ", ".join(f"{key} = {value}" for key, value in own.items())
        return f"{text}; the what-if with {policy}" if policy else text

    async def run_whatif() -> None:
        if state.busy:
            state.pending = True
            return
        state.applied = settings()
        if state.lesson is not None:
            finding_note.text = (
                "The finding is for the lesson's own settings; the table and charts below "
                "show your changes against the lesson's reference."
            )
        try:
            seeds = seeds_for(int(first_seed.value or 0), int(replications.value or 1))
            reference, whatif = configs()
        except (ConfigError, ValueError) as exc:
            show_error(str(exc))
            return
        show_error(None)
        state.cancelled = False
        state.progress = (0, 2 * len(seeds))
        set_busy(True)
        try:
            pair = await run.io_bound(
                run_pair,
                reference,
                whatif,
                seeds,
                cache=state.cache,
                progress=on_progress,
                cancelled=lambda: state.cancelled,
            )
        finally:
            set_busy(False)
        if pair is not None:
            show_pair(pair, f"{scenario.value} at the {size.value} size; {reference_text()}")
            if state.journey_open:
                await show_journey()
        else:
            caption.text = "cancelled"
        if await open_queued_lesson():
            return
        if state.pending:
            state.pending = False
            await run_whatif()

    async def on_slider(key: str) -> None:
        labels[key].text = _label(lever(key), float(sliders[key].value))
        if not state.loading and size.value in RUN_ON_RELEASE:
            await run_whatif()

    for key, slider in sliders.items():
        slider.on("change", lambda _, key=key: on_slider(key))
        slider.on_value_change(
            lambda e, key=key: labels[key].set_text(_label(lever(key), float(e.value)))
        )

    async def show_journey() -> None:
        state.journey_open = True
        typed = journey_id.value
        pick = int(typed) if typed is not None and typed != "" else journey_pick.value
        try:
            config = whatif_config(
                scenario.value, portfolio.value, slider_values(), "quick", whatif_settings()
            )
        except ConfigError as exc:
            journey_story.text = str(exc)
            journey_chart.visible = False
            return
        seed = int(first_seed.value or 0)
        journey_story.text = "running the what-if with its customers traced..."
        journey_button.props("loading=true")
        try:
            result = await run.io_bound(state.cache.run, config, seed, trace_customers=True)
        finally:
            journey_button.props("loading=false")
        journeys = result.journeys
        assert journeys is not None  # a traced run
        try:
            customer = pick_customer(journeys, pick)
        except ValueError as exc:
            journey_story.text = str(exc)
            journey_chart.visible = False
            return
        journey = journey_of(journeys, customer, config.simulation.horizon_months)
        journey_story.text = story(journey)
        journey_chart.options.clear()
        journey_chart.options.update(
            charts.journey_chart(
                f"Customer {customer}: satisfaction and expectation after each event "
                f"(seed {seed}, quick size)",
                journey.events,
                journey.left_day,
            )
        )
        journey_chart.visible = True
        journey_chart.update()

    async def on_journey_pick() -> None:
        journey_id.value = None
        await show_journey()

    journey_button.on_click(show_journey)
    journey_pick.on_value_change(on_journey_pick)
    journey_id.on("keydown.enter", show_journey)

    async def save_report() -> None:
        pair = state.pair
        if pair is None or state.busy:
            return
        folder = Path(tempfile.mkdtemp(prefix="sqm_sim_whatif_"))
        set_busy(True)
        busy_label.text = "writing the report..."
        try:
            report = await run.io_bound(
                export_comparison,
                pair.reference[0].config,
                pair.whatif[0].config,
                pair.seeds,
                folder,
                description=f"From the classroom page: {state.title}",
                run=state.cache.run,
            )
        finally:
            set_busy(False)
        export_note.text = (
            f"saved {report} (the comparison's results folder beside it; "
            f"`sqm-sim report {folder / 'results'}` writes it again)"
        )
        ui.download.file(report, "sqm_sim_whatif_report.html")
        await open_queued_lesson()  # a lesson clicked while the report was written

    def save_csv() -> None:
        if state.pair is not None:
            ui.download.content(table_csv(state.pair), "sqm_sim_whatif_kpis.csv", "text/csv")

    export_button.on_click(save_report)
    csv_button.on_click(save_csv)

    def load_defaults() -> None:
        try:
            config = whatif_config(scenario.value, portfolio.value, {}, "full")
        except ConfigError as exc:
            show_error(str(exc))
            return
        set_sliders(starting_values(config))

    async def on_scenario() -> None:
        if state.loading or settings()[:2] == state.applied[:2]:
            return
        state.lesson = None
        lesson_card.visible = False
        load_scenario(scenario.value)
        load_defaults()
        await run_whatif()

    async def on_setting() -> None:
        if not state.loading and settings() != state.applied:
            await run_whatif()

    scenario.on_value_change(on_scenario)
    portfolio.on_value_change(on_scenario)
    replications.on("change", on_setting)
    first_seed.on("change", on_setting)
    size.on_value_change(on_setting)
    run_button.on_click(run_whatif)

    def cancel() -> None:
        state.cancelled = True

    cancel_button.on_click(cancel)
    busy_cancel.on_click(cancel)  # beside the progress, where the eye is during a run

    async def reset() -> None:
        load_defaults()
        await run_whatif()

    reset_button.on_click(reset)

    async def open_queued_lesson() -> bool:
        """Open the lesson clicked during the run that just ended, if any."""
        lesson, state.queued_lesson = state.queued_lesson, None
        if lesson is None:
            return False
        state.pending = False  # the lesson sets every lever: an older what-if is moot
        await open_lesson(lesson)
        return True

    async def open_lesson(lesson: Lesson) -> None:
        if state.busy:  # said on the page, and done when the run ends
            state.queued_lesson = lesson
            queued_note.text = (
                f"A run is in progress: the lesson '{lesson.title}' starts as soon as it "
                "ends (Cancel stops the run now)."
            )
            queued_note.visible = True
            return
        queued_note.visible = False
        state.loading = True
        try:
            state.lesson = lesson
            scenario.value = lesson.scenario
            portfolio.value = lesson.portfolio
            size.value = lesson.size
            replications.value = lesson.replications
            first_seed.value = 1
            state.applied = settings()
        finally:
            state.loading = False
        set_sliders(lesson.slider_values())
        lesson_card.visible = True
        lesson_title.text = lesson.title
        lesson_text.text = lesson.explanation
        finding_text.text = "running the lesson..."
        finding_note.text = ""
        finding_table.visible = False
        sweep_chart.visible = bool(lesson.sweep_values)
        show_error(None)
        state.cancelled = False
        state.progress = (0, lesson.runs)
        set_busy(True)
        try:
            runs: LessonRuns | None = await run.io_bound(
                run_lesson, lesson, state.cache, on_progress, lambda: state.cancelled
            )
            finding: Finding | None = None if runs is None else finding_for(lesson, runs)
        except ConfigError as exc:
            show_error(str(exc))
            await open_queued_lesson()
            return
        finally:
            set_busy(False)
        if runs is None or finding is None:  # cancelled between two runs
            finding_text.text = (
                f"Cancelled: the lesson '{lesson.title}' stopped before its finding; click "
                "it again to rerun it (the runs already made are kept)."
            )
            sweep_chart.visible = False
            caption.text = (
                "cancelled: below, the last run that finished (not the lesson's settings)"
            )
            await open_queued_lesson()
            return
        finding_text.text = finding.text
        finding_table.rows = list(finding.table)
        finding_table.visible = bool(finding.table)
        finding_table.update()
        title = (
            f"lesson '{lesson.title}': {lesson.scenario} at the {lesson.size} size; "
            f"{reference_text()}"
        )
        show_pair(runs.pair, title)
        if lesson.sweep_values:
            swept = lever(lesson.sweep_key)
            sweep_chart.options.clear()
            sweep_chart.options.update(
                charts.sweep_chart(
                    f"Whole run against {swept.label.lower()} (mean over the seeds)",
                    f"{swept.label.lower()} ({swept.unit}, full-size money)",
                    sorted(runs.sweep),
                    {kpi_label(k): v for k, v in sweep_means(lesson, runs).items()},
                )
            )
            sweep_chart.update()
        await open_queued_lesson()

    for button, lesson in zip(lesson_buttons, lessons, strict=True):
        button.on_click(lambda _, lesson=lesson: open_lesson(lesson))

    load_defaults()
    ui.timer(0.1, run_whatif, once=True)
