"""Latency of the classroom page (``sqm-sim app``) as a browser sees it.

Driven from this one process with Playwright on Debian's Chromium (``/usr/bin/chromium``):

- **start**: from starting ``sqm-sim app`` to the address printed, to the page loaded, and
  to the first what-if table filled (the page runs the reference and the what-if at the
  quick size on load); ``--starts`` fresh servers (default 3);
- **slider round trip**: one step of the prevention-spend slider with the keyboard, to the
  new what-if number in the table (each step a new value: no cached run), ``--steps``
  times (default 8); as a ratio to a bare ``simulate`` of the same config in this process;
- **journey**: "Show the journey" to its story (a traced run of the what-if, then cached);
- **export**: "Save as report" to the download of the HTML report.

Figures in milliseconds (min and median). Not a timed test: a shared machine's load moves
them. ``.venv/bin/python benchmarks/bench_app.py [--starts 3] [--steps 8]``
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

import sqm_sim
from sqm_sim.app.levers import starting_values
from sqm_sim.app.whatif import OWN_PORTFOLIO, whatif_config

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
PREVENTION = "quality.prevention_spend_per_month"
ROW = "Cost of quality: prevention"
TIMEOUT_MS = 120_000

CELL_TEXT = """([label, column]) => {
  const rows = [...document.querySelectorAll('[data-testid="kpis"] tbody tr')];
  const row = rows.find(r => r.cells[0] && r.cells[0].innerText.trim() === label);
  return row ? row.cells[column].innerText : null;
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str, float]:
    """``sqm-sim app`` on a free port: the process, its address and the seconds it took
    to print it."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sqm_sim.cli", "app", "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
    )
    assert proc.stdout is not None
    line = ""
    while "classroom page is at" not in line:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            raise SystemExit(f"sqm-sim app did not start: {line!r}")
    return proc, line.split(" at ", 1)[1].split()[0], time.perf_counter() - started


def cell(page: Page, label: str, column: int = 3) -> str | None:
    return page.evaluate(CELL_TEXT, [label, column])


def wait_for_change(page: Page, label: str, old: str | None) -> None:
    page.wait_for_function(
        f"([label, old]) => ({CELL_TEXT})([label, 3]) !== old",
        arg=[label, old],
        polling="raf",
        timeout=TIMEOUT_MS,
    )


def measure_start(browser, starts: int) -> dict[str, list[float]]:
    """Seconds from the command's start to: address printed, page loaded, table filled."""
    figures: dict[str, list[float]] = {"address printed": [], "page loaded": [], "table": []}
    for _ in range(starts):
        clock = time.perf_counter()
        proc, address, printed = start_server()
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(address)
            loaded = time.perf_counter() - clock
            page.wait_for_function(
                f"() => ({CELL_TEXT})(['{ROW}', 3]) !== null", polling="raf", timeout=TIMEOUT_MS
            )
            figures["address printed"].append(printed)
            figures["page loaded"].append(loaded)
            figures["table"].append(time.perf_counter() - clock)
            context.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return figures


def measure_round_trips(page: Page, steps: int) -> tuple[list[float], list[float]]:
    """Seconds per slider step to the new number on the page, and per bare ``simulate``
    of the same config in this process."""
    slider = page.get_by_test_id(PREVENTION).locator(".q-slider__track-container")
    start = starting_values(sqm_sim.load_scenario("baseline"))
    page_times, bare_times = [], []
    for step in range(1, steps + 1):
        page.get_by_test_id("busy").wait_for(state="hidden", timeout=TIMEOUT_MS)
        old = cell(page, ROW)
        slider.focus()
        clock = time.perf_counter()
        slider.press("ArrowRight")
        wait_for_change(page, ROW, old)
        page_times.append(time.perf_counter() - clock)
        config = whatif_config("baseline", OWN_PORTFOLIO, {**start, PREVENTION: 500.0 * step})
        clock = time.perf_counter()
        sqm_sim.simulate(config, 1)
        bare_times.append(time.perf_counter() - clock)
    return page_times, bare_times


def measure_journey_and_export(page: Page) -> dict[str, float]:
    figures = {}
    page.get_by_test_id("busy").wait_for(state="hidden", timeout=TIMEOUT_MS)
    clock = time.perf_counter()
    page.get_by_test_id("journey-show").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"story\"]').innerText.startsWith('Customer ')",
        polling="raf",
        timeout=TIMEOUT_MS,
    )
    figures["journey (traced run + story)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    with page.expect_download(timeout=TIMEOUT_MS):
        page.get_by_test_id("export").click()
    figures["save as report (download)"] = time.perf_counter() - clock
    return figures


def line(label: str, seconds: list[float], width: int) -> str:
    low, middle = min(seconds) * 1000, statistics.median(seconds) * 1000
    return f"{label:<{width}}  {low:8.0f}  {middle:9.0f}  {len(seconds):3d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="fresh servers (default 3)")
    parser.add_argument("--steps", type=int, default=8, help="slider steps (default 8)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        start = measure_start(browser, args.starts)
        proc, address, _ = start_server()
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(address)
            page.wait_for_function(
                f"() => ({CELL_TEXT})(['{ROW}', 3]) !== null", polling="raf", timeout=TIMEOUT_MS
            )
            trips, bare = measure_round_trips(page, args.steps)
            others = measure_journey_and_export(page)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        browser.close()
    rows = {
        **{f"start -> {name}": times for name, times in start.items()},
        "slider step -> new number": trips,
        "bare simulate (same config)": bare,
        **{name: [seconds] for name, seconds in others.items()},
    }
    width = max(map(len, rows))
    print(f"{'':<{width}}  {'min ms':>8}  {'median ms':>9}  {'n':>3}")
    for label, times in rows.items():
        print(line(label, times, width))
    ratio = statistics.median(trips) / statistics.median(bare)
    print(f"slider round trip / bare simulate (medians): {ratio:.2f}x")


if __name__ == "__main__":
    main()
