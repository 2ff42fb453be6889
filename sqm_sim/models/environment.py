"""The external environment: competitor, market norms, technology, switching costs, demand.

Everything here is a deterministic function of time once the random technology-shock
times have been drawn (stream ``technology_shocks``), so components can ask for the state
at any instant without extra events:

    state_of_the_art(t) = initial_state_of_the_art * (1 + expectation_growth)^(t / year)
                          * product over shocks before t of (1 + shock_size)
    competitor_quality(t) = min(1, competitor_quality + trend * t / year)
    switching_cost(t) = switching_cost, or switching_cost_after from the change month on
    demand_multiplier(t) = (1 + a_s cos(2 pi (t/year - peak_month/12)))
                           * (1 + a_e sin(2 pi t / (cycle_years * year)))
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from ..config import Config
from .context import Context
from .random_streams import RandomStreams
from .units import DAYS_PER_MONTH, DAYS_PER_YEAR


class MarketEnvironment:
    """State of the market outside the firm, as functions of simulated time (days)."""

    def __init__(self, context: Context) -> None:
        config, streams = context.config, context.streams
        env = config.environment
        horizon_days = config.simulation.horizon_months * DAYS_PER_MONTH
        self._start_level = env.initial_state_of_the_art  # x 1.0 is exact: default runs unchanged
        self._growth_per_day = math.log1p(env.expectation_growth_per_year) / DAYS_PER_YEAR
        self._competitor_quality = env.competitor_quality
        self._competitor_trend_per_day = env.competitor_quality_trend_per_year / DAYS_PER_YEAR
        self._switching_cost = env.switching_cost
        self._switching_cost_after = env.switching_cost_after
        self._switch_day = (
            env.switching_cost_change_month * DAYS_PER_MONTH
            if env.switching_cost_change_month > 0
            else math.inf
        )
        self._season_amplitude = env.seasonality_amplitude
        self._season_phase = env.seasonality_peak_month / 12.0
        self._cycle_amplitude = env.economic_cycle_amplitude
        self._cycle_days = env.economic_cycle_years * DAYS_PER_YEAR
        self.shock_times = self._shock_times(config, streams, horizon_days)
        self._log_shock = math.log1p(env.technology_shock_size)
        self._art_time, self._art_level = math.nan, math.nan  # last state_of_the_art

    @staticmethod
    def _shock_times(config: Config, streams: RandomStreams, horizon_days: float) -> list[float]:
        env = config.environment
        scheduled = [month * DAYS_PER_MONTH for month in env.technology_shock_months]
        rng = streams.generator("technology_shocks")
        random_times: list[float] = []
        if env.technology_shock_rate_per_year > 0.0:
            count = rng.poisson(env.technology_shock_rate_per_year * horizon_days / DAYS_PER_YEAR)
            random_times = np.sort(rng.uniform(0.0, horizon_days, count)).tolist()
        return sorted(scheduled + random_times)

    def shocks_before(self, time_days: float) -> int:
        """Number of technology shocks that have happened by ``time_days``."""
        return bisect.bisect_right(self.shock_times, time_days)

    def state_of_the_art(self, time_days: float) -> float:
        """Performance the market expects (``initial_state_of_the_art`` at t=0, 1 by
        default): the start level times norms growth times shocks.

        The last answer is kept: a delivery and the decision after it ask at the same
        instant."""
        if time_days == self._art_time:
            return self._art_level
        log_level = self._growth_per_day * time_days
        if self.shock_times:  # else the shock term is 0 and leaves the sum unchanged
            log_level += self._log_shock * self.shocks_before(time_days)
        self._art_time = time_days
        self._art_level = self._start_level * math.exp(log_level)
        return self._art_level

    def competitor_quality(self, time_days: float) -> float:
        """Quality a customer expects from the competitor (0-1 scale)."""
        quality = self._competitor_quality + self._competitor_trend_per_day * time_days
        return min(1.0, max(0.0, quality))

    def switching_cost(self, time_days: float) -> float:
        """Cost of changing supplier (0-1 scale)."""
        return self._switching_cost_after if time_days >= self._switch_day else self._switching_cost

    @property
    def demand_varies(self) -> bool:
        """Whether :meth:`demand_multiplier` can differ from 1 (a seasonal or business
        cycle is set); when it cannot, callers may skip dividing by 1."""
        return self._season_amplitude != 0.0 or self._cycle_amplitude != 0.0

    def demand_multiplier(self, time_days: float) -> float:
        """Factor on the customers' order rate (1 = no seasonal or cyclical effect)."""
        season = 1.0 + self._season_amplitude * math.cos(
            2.0 * math.pi * (time_days / DAYS_PER_YEAR - self._season_phase)
        )
        cycle = 1.0 + self._cycle_amplitude * math.sin(2.0 * math.pi * time_days / self._cycle_days)
        return season * cycle
