"""The browser harness of the classroom page's tests: ``sqm-sim app`` in a subprocess on a
free port, Debian's Chromium driven by Playwright, and screenshots at 1280 and 800 px wide
in ``$SQM_SIM_SCREENSHOTS`` (default: a folder under the system's temporary directory).
The fixtures are shared by the test files of this folder (``conftest.py``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(os.environ.get("SQM_SIM_SCREENSHOTS", Path(tempfile.gettempdir()) / "sqm_sim_app"))
RUN_TIMEOUT_MS = 60_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def server() -> Iterator[tuple[str, int]]:
    """``sqm-sim app`` on a free port; yields (address, port) once it prints its address."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sqm_sim.cli", "app", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # NiceGUI's ui.run does nothing under pytest (it expects its own test plugin)
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
    )
    try:
        line = ""
        deadline = time.monotonic() + 60
        while "classroom page is at" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
        assert "classroom page is at" in line, f"the page did not start: {line!r}"
        yield line.split(" at ", 1)[1].split()[0], port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shoot(tab: Page, name: str) -> None:
    """Full-page screenshots of ``tab`` at 1280 and 800 px wide: ``<name>_<width>.png``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.mouse.move(0, 0)  # no hover tooltip in the picture
    tab.evaluate("window.scrollTo(0, 0)")  # the fixed header stays on top in the picture
    for width in (1280, 800):
        tab.set_viewport_size({"width": width, "height": 900})
        tab.wait_for_timeout(400)  # the charts resize
        tab.screenshot(path=SHOTS / f"{name}_{width}.png", full_page=True)
    tab.set_viewport_size({"width": 1280, "height": 900})
