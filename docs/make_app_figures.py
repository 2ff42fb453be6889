"""Regenerate the README's pictures of the classroom page (``docs/figures/app_*.png``).

    .venv/bin/python docs/make_app_figures.py

Starts ``sqm-sim app`` on a free port, drives Debian's Chromium (``/usr/bin/chromium``)
with Playwright at 1280 x 900 px and saves the top of each view:

1. ``app_lesson.png``: the what-if page after the lesson "Quality is free" (its finding,
   the cost-of-quality curve of its sweep, the side-by-side table);
2. ``app_game.png``: the class game after two teams (in two browser contexts) have played
   their first year: decisions, the shared leaderboard and each team's cumulative profit.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

FIGURES = Path(__file__).parent / "figures"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 180_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    """``sqm-sim app`` on a free port: the process and its address."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sqm_sim.cli", "app", "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    line = ""
    while "classroom page is at" not in line and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
    if "classroom page is at" not in line:
        proc.terminate()
        raise SystemExit(f"the page did not start: {line!r}")
    return proc, line.split(" at ", 1)[1].split()[0]


def main() -> None:
    FIGURES.mkdir(exist_ok=True)
    proc, address = start_server()
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            lesson = browser.new_context(viewport=VIEWPORT).new_page()
            lesson.goto(address)
            rows = lesson.get_by_test_id("kpis").locator("tbody tr")
            expect(rows.first).to_be_visible(timeout=TIMEOUT_MS)  # the first run is done
            expect(lesson.get_by_test_id("busy")).to_be_hidden(timeout=TIMEOUT_MS)
            lesson.get_by_test_id("lesson-quality_is_free").click()
            expect(lesson.get_by_test_id("finding")).to_contain_text(
                "Total cost of quality is lowest", timeout=TIMEOUT_MS
            )
            expect(lesson.get_by_test_id("busy")).to_be_hidden(timeout=TIMEOUT_MS)
            lesson.wait_for_timeout(800)  # the charts draw
            lesson.mouse.move(0, 0)
            lesson.screenshot(path=FIGURES / "app_lesson.png")
            print(f"wrote {FIGURES / 'app_lesson.png'}")

            red = browser.new_context(viewport=VIEWPORT).new_page()
            red.goto(address + "game")
            red.get_by_test_id("new-game").click()
            red.wait_for_url("**/game/*")
            blue = browser.new_context(viewport=VIEWPORT).new_page()
            blue.goto(red.url)
            for tab, team, picks in (
                (red, "Red", ("qa_system", "service_desk")),
                (blue, "Blue", ("capability_project",)),
            ):
                tab.get_by_test_id("team-name").fill(team)
                tab.get_by_test_id("join").click()
                for name in picks:
                    tab.get_by_test_id(f"pick-{name}").click()
                tab.get_by_test_id("play").click()
                expect(tab.get_by_test_id("year")).to_contain_text("Year 2", timeout=TIMEOUT_MS)
            expect(red.get_by_test_id("leaderboard").locator("tbody tr")).to_have_count(
                2, timeout=TIMEOUT_MS
            )
            red.wait_for_timeout(800)
            red.mouse.move(0, 0)
            red.screenshot(path=FIGURES / "app_game.png")
            print(f"wrote {FIGURES / 'app_game.png'}")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    os.chdir(Path(__file__).parent.parent)
    main()
