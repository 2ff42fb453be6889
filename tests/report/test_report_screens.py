"""Every kind of report in a real browser (Debian's Chromium, Playwright) at 1280 and
800 px wide: nothing wider than the window (no column or chart cut off, no sideways
scrolling), every chart with a text alternative, no local path of the results folder, and
a run report that leads with its findings and charts before the full KPI table.
Screenshots go to ``$SQM_SIM_SCREENSHOTS`` as ``report_<kind>_<width>.png``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sqm_sim.cli import main
from sqm_sim.report import write_report
from tests.app.browser import SHOTS
from tests.experiments.test_explore import _spec
from tests.support import TINY_RESULTS_SETS

pytestmark = pytest.mark.browser

WIDTHS = (1280, 800)

LAYOUT = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('table, img, figure, pre, h1, h2, p, li')]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .map(el => el.tagName + ': ' + (el.innerText || el.alt || '').slice(0, 60));
  const images = [...document.querySelectorAll('img')];
  return {
    scroll: document.documentElement.scrollWidth,
    width: width,
    wide: wide,
    unlabelled: images.filter(img => !(img.alt || '').trim()).length,
    broken: images.filter(img => img.naturalWidth === 0).length,
  };
}"""

LEAD = """() => {
  const all = [...document.querySelectorAll('img, table')];
  const big = all.findIndex(el => el.tagName === 'TABLE' && el.rows.length > 15);
  const chart = all.findIndex(el => el.tagName === 'IMG');
  return [chart, big];
}"""


def _tiny(argv: list[str]) -> list[str]:
    sets = [arg for key, value in TINY_RESULTS_SETS.items() for arg in ("--set", f"{key}={value}")]
    return [*argv, *sets, "--quiet"]


@pytest.fixture(scope="module")
def sensitivity_dir(tmp_path_factory) -> Path:
    """A Morris screening of two parameters over 3 months (the report's Morris charts)."""
    out = tmp_path_factory.mktemp("screens") / "morris"
    space = out.parent / "space.toml"
    space.write_text(
        '[[parameters]]\nkey = "finance.unit_price"\nlow = 90.0\nhigh = 150.0\n'
        '[[parameters]]\nkey = "finance.warranty_cost_per_claim"\nlow = 100.0\nhigh = 300.0\n'
    )
    argv = ["sensitivity", "--method", "morris", "--n", "3", "--space", str(space)]
    argv += ["--set", "simulation.horizon_months=3", "--backend", "serial", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def exploration_dir(tmp_path_factory) -> Path:
    """A tiny exploration (4 futures x 2 portfolios x 1 seed)."""
    out = tmp_path_factory.mktemp("screens") / "explore"
    spec = _spec(out.parent)
    assert main(["explore", str(spec), "--out", str(out), "--backend", "serial", "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def roi_dir(tmp_path_factory) -> Path:
    """``sqm-sim roi`` of process_first, two seeds, on the small company."""
    out = tmp_path_factory.mktemp("screens") / "roi"
    argv = _tiny(["roi", "baseline", "--portfolio", "process_first", "--replications", "2"])
    assert main([*argv, "--backend", "serial", "--out", str(out)]) == 0
    return out


@pytest.fixture
def tab(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


FOLDERS = {
    "run": "run_dir",
    "comparison": "compare_dir",
    "search": "search_dir",
    "sensitivity": "sensitivity_dir",
    "exploration": "exploration_dir",
    "roi": "roi_dir",
}


@pytest.mark.parametrize("kind", list(FOLDERS))
def test_every_report_fits_800_px_and_names_no_local_path(kind, request, tab, tmp_path):
    folder = Path(request.getfixturevalue(FOLDERS[kind]))
    report = write_report(folder, tmp_path / f"{kind}.html")
    html = report.read_text(encoding="utf-8")
    for local in (str(folder.resolve()), str(folder.resolve().parent)):
        assert local not in html, f"the {kind} report shows the local path {local}"
    tab.goto(report.as_uri())
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900})
        tab.wait_for_timeout(200)
        layout = tab.evaluate(LAYOUT)
        assert layout["scroll"] <= layout["width"], f"{kind} at {width} px scrolls sideways"
        assert layout["wide"] == [], f"{kind} at {width} px: cut off {layout['wide']}"
        assert layout["unlabelled"] == 0, f"{kind}: a chart without a text alternative"
        assert layout["broken"] == 0, f"{kind}: a chart that does not load"
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=SHOTS / f"report_{kind}_{width}.png", full_page=True)


def test_a_run_report_leads_with_findings_and_charts(run_dir, tab, tmp_path):
    report = write_report(run_dir, tmp_path / "run.html")
    tab.goto(report.as_uri())
    headings = tab.locator("h2").all_inner_texts()
    assert headings.index("Findings") < headings.index("Month by month")
    assert headings.index("Month by month") < headings.index("Key results")
    chart, table = tab.evaluate(LEAD)
    assert 0 <= chart < table, "the full KPI table comes before the first chart"
    kpis = tab.locator("table").filter(has_text="meaning (key)").first
    first_column = kpis.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert "NPV" in first_column
    assert not [name for name in first_column if "_" in name]  # words, not snake_case keys


def test_a_comparison_report_reads_in_words_and_shows_each_difference_with_its_band(
    compare_report, tab, tmp_path
):
    """Three portfolios: the level panels' bands would overlap, so a chart of each
    portfolio's paired difference from none carries them; every table header is in words
    (no snake_case column) and no cell is written scenario|portfolio."""
    report = tmp_path / "comparison.html"  # the report the other tests read, built once
    report.write_text(compare_report, encoding="utf-8")
    tab.goto(report.as_uri())
    alts = tab.locator("img").evaluate_all("images => images.map(image => image.alt)")
    assert any(alt.startswith("Each cell minus its reference") for alt in alts)
    assert any("the bands of so many cells would overlap" in alt for alt in alts)
    portfolios = {"none", "process_first", "balanced"}
    headers = tab.locator("th").all_inner_texts()
    assert not [h for h in headers if "_" in h and h not in portfolios], headers
    assert not [text for text in tab.locator("td").all_inner_texts() if "|" in text]
    expect(tab.get_by_role("heading", name="Comparison of NPV (currency units)")).to_be_visible()
    expect(tab.get_by_text("How to read these tables: a cell is one configuration")).to_be_visible()
