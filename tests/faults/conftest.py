"""The experiment engine's tiny fixtures, for the fault tests."""

from tests.experiments.conftest import tiny, two_cell_plan

__all__ = ["tiny", "two_cell_plan"]
