"""Results folders of every kind the report reads, and their reports (built once). The
report screenshot tests use the session's one browser (``tests/conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqm_sim.report import build_report
from tests.support import write_compare_folder, write_run_folder, write_search_folder


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory, small_run) -> Path:
    """A folder as ``sqm-sim run --out`` writes it, of the small run."""
    return write_run_folder(tmp_path_factory.mktemp("report") / "run", small_run)


@pytest.fixture(scope="session")
def compare_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``sqm-sim compare`` folder: none, process_first, balanced x 3 seeds."""
    return write_compare_folder(tmp_path_factory.mktemp("report") / "compare")


@pytest.fixture(scope="session")
def search_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``sqm-sim search`` folder over a two-initiative menu."""
    return write_search_folder(tmp_path_factory.mktemp("report") / "search")


@pytest.fixture(scope="session")
def run_report(run_dir: Path) -> str:
    """The HTML report of ``run_dir``."""
    return build_report(run_dir)


@pytest.fixture(scope="session")
def compare_report(compare_dir: Path) -> str:
    """The HTML report of ``compare_dir``."""
    return build_report(compare_dir)


@pytest.fixture(scope="session")
def search_report(search_dir: Path) -> str:
    """The HTML report of ``search_dir``."""
    return build_report(search_dir)
