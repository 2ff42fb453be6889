"""Sampling the model's state at the end of every month (separate from the model itself).

The collector schedules its month-end samples *before* any model event exists, so at a
month boundary it always runs first: every event at time ``m * DAYS_PER_MONTH`` belongs to
month ``m``, exactly as the ledger books it (DAYS_PER_MONTH = 30.4375 is exact in binary,
so boundary times and month indices agree bit for bit).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import simpy

from ..models.units import DAYS_PER_MONTH


class MonthlyCollector:
    """Collects one sample of cumulative counters and levels per month end."""

    def __init__(self, env: simpy.Environment, months: int) -> None:
        self._env = env
        self.months = months
        self._samples: list[dict[str, float]] = []
        self._source: Callable[[], dict[str, float]] | None = None
        for month in range(1, months):
            env.timeout(month * DAYS_PER_MONTH).callbacks.append(self._sample)

    def attach(self, source: Callable[[], dict[str, float]]) -> None:
        """Set the function that returns the state to record."""
        self._source = source

    def _sample(self, _event: simpy.Event | None = None) -> None:
        assert self._source is not None, "collector used before attach()"
        self._samples.append(self._source())

    def so_far(self) -> pd.DataFrame:
        """The samples of the months closed so far, one row per month."""
        return pd.DataFrame(self._samples)

    def finish(self) -> pd.DataFrame:
        """Take the final sample (end of horizon) and return one row per month."""
        self._sample()
        if len(self._samples) != self.months:
            raise RuntimeError(
                f"collector has {len(self._samples)} samples for {self.months} months"
            )
        return pd.DataFrame(self._samples)
