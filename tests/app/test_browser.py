"""The classroom page in a real browser: Debian's Chromium driven by Playwright.

The page is started with ``sqm-sim app`` on a free port in a subprocess; the tests move
sliders with the keyboard, as a person would, and compare what the page shows with
``simulate`` and the command line run in this process. Screenshots go to
``$SQM_SIM_SCREENSHOTS`` (default: a folder under the system's temporary directory).
"""

from __future__ import annotations

import contextlib
import io
import re
import socket
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

import sqm_sim
from sqm_sim.app.findings import finding_for
from sqm_sim.app.journey import PICKS, journey_of, pick_customer, story
from sqm_sim.app.lessons import load_lessons, run_lesson
from sqm_sim.app.levers import starting_values
from sqm_sim.app.whatif import OWN_PORTFOLIO, whatif_config
from sqm_sim.cli import main
from sqm_sim.report.numbers import number
from tests.app.browser import RUN_TIMEOUT_MS, shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def page(server, browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(server[0])
    cell(tab, "coq_total", "whatif").wait_for(timeout=RUN_TIMEOUT_MS)
    yield tab
    context.close()
    assert errors == [], f"console errors: {errors}"


def cell(tab: Page, key: str, column: str):
    """The side-by-side table's cell of summary ``key`` in ``column``."""
    label = tab.get_by_role("cell", name=LABELS[key], exact=True)
    row = tab.get_by_test_id("kpis").locator("tbody tr").filter(has=label)
    index = {"reference": 3, "whatif": 4, "difference": 5}[column]
    return row.locator(f"td:nth-child({index})")


LABELS = {"coq_total": "Cost of quality", "prevention_cost": "Cost of quality: prevention"}


def set_replications(tab: Page, count: int) -> None:
    """Type ``count`` into the replications box and leave it, as a person would (the
    page reruns the what-if on the new seeds)."""
    replications = tab.get_by_test_id("replications")
    replications.fill(str(count))
    replications.press("Enter")
    replications.blur()


def move(tab: Page, key: str, press: str, until: str, most: int = 40) -> None:
    """Press ``press`` on a slider, one key at a time as a person would, until the page
    shows the text ``until`` (its label with the new value). After each press it waits for
    the server to relabel the slider, so that a slow answer is not taken for a missed key
    (and the slider pushed past the value)."""
    slider = tab.get_by_test_id(key).locator(".q-slider__track-container")  # focusable part
    target = tab.get_by_text(until)
    label = tab.get_by_text(re.compile("^" + re.escape(until.split(":")[0]) + ":"))
    for _ in range(most):
        if target.is_visible():
            return
        before = label.inner_text()
        slider.focus()
        slider.press(press)
        expect(label).not_to_have_text(before, timeout=RUN_TIMEOUT_MS)
    expect(target).to_be_visible()


def test_the_page_starts_with_the_reference_on_both_sides(page):
    reference = sqm_sim.simulate(whatif_config("baseline", OWN_PORTFOLIO, {}), seed=1)
    expected = number(reference.summary["coq_total"], "currency")
    expect(cell(page, "coq_total", "reference")).to_have_text(expected)
    expect(cell(page, "coq_total", "whatif")).to_have_text(expected)
    shoot(page, "start")


def test_moving_a_slider_shows_simulate_for_that_config_beside_the_reference(page):
    move(page, "quality.prevention_spend_per_month", "ArrowRight", "Prevention spend: 2,500")
    values = {
        **starting_values(sqm_sim.load_scenario("baseline")),
        "quality.prevention_spend_per_month": 2500.0,
    }
    result = sqm_sim.simulate(whatif_config("baseline", OWN_PORTFOLIO, values), seed=1)
    reference = sqm_sim.simulate(whatif_config("baseline", OWN_PORTFOLIO, {}), seed=1)
    for key in ("coq_total", "prevention_cost"):
        expect(cell(page, key, "whatif")).to_have_text(
            number(result.summary[key], "currency"), timeout=RUN_TIMEOUT_MS
        )
        expect(cell(page, key, "reference")).to_have_text(
            number(reference.summary[key], "currency")
        )
    assert result.summary["coq_total"] != reference.summary["coq_total"]
    expect(page.get_by_test_id("busy")).to_be_hidden()
    shoot(page, "whatif")


def test_more_seeds_show_their_mean_and_bands(page):
    set_replications(page, 3)
    expect(page.get_by_test_id("caption")).to_contain_text(
        "seeds 1, 2, 3 (lines: means", timeout=RUN_TIMEOUT_MS
    )
    values = {**starting_values(sqm_sim.load_scenario("baseline"))}
    config = whatif_config("baseline", OWN_PORTFOLIO, values)
    mean = sum(sqm_sim.simulate(config, s).summary["coq_total"] for s in (1, 2, 3)) / 3
    expect(cell(page, "coq_total", "whatif")).to_have_text(number(mean, "currency"))


def test_an_over_budget_portfolio_shows_the_command_lines_message(page):
    page.get_by_text("(scenario's own)").click()
    page.get_by_role("option", name="process_first").click()
    expect(page.get_by_text("Portfolio budget: 400,000 currency/year")).to_be_visible()
    move(page, "portfolio.budget_per_year", "PageDown", "Portfolio budget: 0 currency/year")
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        main(
            [
                "run",
                "baseline",
                "--portfolio",
                "process_first",
                "--set",
                "portfolio.budget_per_year=0.0",
            ]
        )
    message = stderr.getvalue().strip().removeprefix("sqm-sim: error: ")
    expect(page.get_by_text("Portfolio budget: 0 currency/year")).to_be_visible()
    error = page.get_by_test_id("error")
    expect(error).to_have_text(message, timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("caption")).to_contain_text("not run")
    assert "Traceback" not in page.content()
    shoot(page, "error")


@pytest.mark.slow  # browser, 5-16 s
def test_a_lesson_states_its_finding_computed_from_the_runs(page):
    lesson = next(item for item in load_lessons() if item.name == "quality_is_free")
    expected = finding_for(lesson, run_lesson(lesson)).text
    page.get_by_test_id("lesson-quality_is_free").click()
    expect(page.get_by_test_id("finding")).to_have_text(expected, timeout=RUN_TIMEOUT_MS)
    shoot(page, "lesson_quality_is_free")


def test_the_page_answers_on_127_0_0_1_only(server):
    port = server[1]
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.2", port), timeout=5),
    ):
        pass


@pytest.mark.slow  # browser, 5-16 s
def test_a_full_size_run_shows_progress_and_can_be_cancelled(page):
    page.get_by_role("button", name="full").click()  # a new size runs at once
    busy = page.get_by_test_id("busy")
    expect(busy).to_contain_text("of 2 runs", timeout=RUN_TIMEOUT_MS)
    page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("caption")).to_have_text("cancelled", timeout=RUN_TIMEOUT_MS)
    expect(busy).to_be_hidden()


@pytest.mark.slow  # browser, a lesson of 24 quick runs stopped after the first: 5-20 s
def test_a_running_lesson_shows_progress_and_can_be_cancelled(page):
    lesson = next(item for item in load_lessons() if item.name == "quality_is_free")
    page.get_by_test_id(f"lesson-{lesson.name}").click()
    busy = page.get_by_test_id("busy")
    expect(busy).to_contain_text(f"of {lesson.runs} runs", timeout=RUN_TIMEOUT_MS)
    page.get_by_test_id("busy-cancel").click()  # the Cancel beside the progress
    finding = page.get_by_test_id("finding")
    expect(finding).to_contain_text(
        f"Cancelled: the lesson '{lesson.title}' stopped before its finding",
        timeout=RUN_TIMEOUT_MS,
    )
    expect(busy).to_be_hidden()
    expect(page.get_by_test_id("caption")).to_contain_text("cancelled: below, the last run")
    shoot(page, "lesson_cancelled")
    page.get_by_test_id(f"lesson-{lesson.name}").click()  # and it runs again in full
    expected = finding_for(lesson, run_lesson(lesson)).text  # type: ignore[arg-type]
    expect(finding).to_have_text(expected, timeout=RUN_TIMEOUT_MS)


@pytest.mark.slow  # a full-size what-if cancelled in its first runs, then a lesson: 24-26 s
def test_a_lesson_clicked_during_a_run_says_so_and_starts_when_the_run_ends(page):
    # 2 x 4 full-size runs (about 40 s; 5 s each): the what-if is surely still running
    # when Cancel is clicked after the screenshot. With one seed (two runs) it could end
    # first, and Cancel then stopped the lesson that had started instead.
    seeds = 4
    set_replications(page, seeds)
    expect(page.get_by_test_id("caption")).to_contain_text(
        "seeds " + ", ".join(str(seed) for seed in range(1, seeds + 1)),
        timeout=RUN_TIMEOUT_MS,
    )
    page.get_by_role("button", name="full").click()
    expect(page.get_by_test_id("busy")).to_contain_text(
        f"of {2 * seeds} runs", timeout=RUN_TIMEOUT_MS
    )
    lesson = next(item for item in load_lessons() if item.name == "recovery_paradox")
    page.get_by_test_id("lesson-recovery_paradox").click()
    note = page.get_by_test_id("lesson-queued")
    expect(note).to_contain_text("A run is in progress")
    expect(note).to_contain_text(f"the lesson '{lesson.title}' starts as soon as it ends")
    shoot(page, "lesson_queued")
    page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("finding")).to_contain_text(
        "per 100 complaints", timeout=RUN_TIMEOUT_MS
    )
    expect(note).to_be_hidden()
    expect(page.get_by_test_id("caption")).to_contain_text(f"lesson '{lesson.title}'")


@pytest.mark.slow  # browser, 5-16 s
def test_two_tabs_keep_their_own_settings(page, server, browser):
    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    other.goto(server[0])
    reference = cell(other, "prevention_cost", "whatif")
    expect(reference).to_have_text("0", timeout=RUN_TIMEOUT_MS)
    move(page, "quality.prevention_spend_per_month", "ArrowRight", "Prevention spend: 1,000")
    expect(cell(page, "prevention_cost", "whatif")).not_to_have_text("0", timeout=RUN_TIMEOUT_MS)
    expect(other.get_by_text("Prevention spend: 0 currency/month")).to_be_visible()
    expect(reference).to_have_text("0")
    other.context.close()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        # all but the quickest (5 s) in the slow tier (7-30 s: several full runs each)
        pytest.param("worse_before_better", "falls behind doing nothing", marks=pytest.mark.slow),
        pytest.param("hostages_and_deregulation", "hostages", marks=pytest.mark.slow),
        pytest.param("recovery_paradox", "per 100 complaints", marks=pytest.mark.slow),
        ("voice_and_recovery", "TARP's order (silent < unresolved < slow < fast)"),
        pytest.param("the_funnel", "lifts the defect rate", marks=pytest.mark.slow),
        pytest.param("capability_trap", "the capability trap", marks=pytest.mark.slow),
    ],
)
def test_every_lesson_states_a_finding(page, name, words):
    page.get_by_test_id(f"lesson-{name}").click()
    expect(page.get_by_test_id("finding")).to_contain_text(words, timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("busy")).to_be_hidden()
    lesson = next(item for item in load_lessons() if item.name == name)
    expect(page.get_by_test_id("lesson")).to_contain_text(lesson.title)
    expect(page.get_by_test_id("caption")).to_contain_text(f"{lesson.scenario} at the")
    expect(page.get_by_role("combobox", name="Scenario")).to_have_value(lesson.scenario)
    for key, value in lesson.levers.items():
        assert page.get_by_test_id(key).get_attribute("aria-valuenow") == f"{value:g}"
    page.wait_for_timeout(500)  # a late change event would rerun and hide the lesson
    expect(page.get_by_test_id("lesson")).to_be_visible()
    expect(page.get_by_test_id("finding")).not_to_contain_text("for the lesson's own")
    if lesson.finding == "tarp":  # the table below the finding, from the traced runs
        table = page.get_by_test_id("finding-table")
        expect(table.locator("tbody tr")).to_have_count(5)
        expect(table).to_contain_text("complained, resolved fast")
    shoot(page, f"lesson_{name}")


def test_a_customers_journey_tells_the_story_of_the_whatif_run(page):
    config = whatif_config("baseline", OWN_PORTFOLIO, {})
    journeys = sqm_sim.simulate(config, 1, trace_customers=True).journeys
    months = config.simulation.horizon_months
    page.get_by_test_id("journey-show").click()
    expected = story(journey_of(journeys, pick_customer(journeys, "defect"), months))
    expect(page.get_by_test_id("story")).to_have_text(expected, timeout=RUN_TIMEOUT_MS)
    page.get_by_test_id("journey-pick").click()
    page.get_by_role("option", name=PICKS["left"]).click()
    expected = story(journey_of(journeys, pick_customer(journeys, "left"), months))
    expect(page.get_by_test_id("story")).to_have_text(expected, timeout=RUN_TIMEOUT_MS)
    page.evaluate("window.scrollTo(0, 0)")  # the fixed header stays on top in the picture
    shoot(page, "journey")
    number_box = page.get_by_test_id("journey-id")
    number_box.fill("99999")
    number_box.press("Enter")
    expect(page.get_by_test_id("story")).to_contain_text(
        "customer 99999: not in this run", timeout=RUN_TIMEOUT_MS
    )


@pytest.mark.slow  # browser, 5-16 s
def test_the_comparison_is_saved_as_the_report_and_the_table_as_csv(page, tmp_path):
    move(page, "quality.prevention_spend_per_month", "ArrowRight", "Prevention spend: 1,000")
    expect(cell(page, "prevention_cost", "whatif")).not_to_have_text("0", timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("busy")).to_be_hidden(timeout=RUN_TIMEOUT_MS)
    with page.expect_download(timeout=RUN_TIMEOUT_MS) as saved:
        page.get_by_test_id("export").click()
    assert saved.value.suggested_filename == "sqm_sim_whatif_report.html"
    report = tmp_path / "report.html"
    saved.value.save_as(report)
    html = report.read_text(encoding="utf-8")
    assert "sqm_sim experiment: classroom_whatif" in html
    assert "data:image/png;base64," in html
    expect(page.get_by_test_id("export-note")).to_contain_text("report.html")
    with page.expect_download(timeout=RUN_TIMEOUT_MS) as saved:
        page.get_by_test_id("export-csv").click()
    table = tmp_path / "kpis.csv"
    saved.value.save_as(table)
    values = {
        **starting_values(sqm_sim.load_scenario("baseline")),
        "quality.prevention_spend_per_month": 1000.0,
    }
    result = sqm_sim.simulate(whatif_config("baseline", OWN_PORTFOLIO, values), seed=1)
    rows = {line.split(",")[0]: line.split(",") for line in table.read_text().splitlines()}
    assert float(rows["prevention_cost"][4]) == result.summary["prevention_cost"]
    shoot(page, "export")
