"""Acquisition: new customers from a finite prospect pool, by marketing and word of mouth.

A Bass-type diffusion (Bass 1969) evaluated once a day. With P prospects left, market size
M (our customers + the competitor's + prospects at t=0), and our currently satisfied (n+)
and dissatisfied (n-) customers, each prospect during one day

    becomes our customer with probability 1 - exp(-(p + q n+ / M) / 365.25)
    is deterred (joins the competitor) with probability 1 - exp(-q w n- / M / 365.25)

(p = marketing_rate_per_year, q = referral_rate_per_year, w = negative_wom_weight). Of the
new customers, the share q n+ / M / (p + q n+ / M) counts as referrals. Daily counts are
binomial draws from the stream ``acquisition``.

The competitor's customers (its base at t=0, plus every customer we lost or prospect we
deterred) return to the prospect pool with hazard ``competitor_churn_per_year``; so lost
customers can be won back, through the same diffusion as anyone else.
"""

from __future__ import annotations

import math
from typing import Protocol

from .context import Context
from .units import DAYS_PER_YEAR


class ProspectPool(Protocol):
    """What acquisition needs from the customer base."""

    prospects_remaining: int
    satisfied_active: int
    dissatisfied_active: int
    competitor_customers: int

    def acquire(self, marketing: int, referred: int) -> None: ...

    def deter(self, prospects: int) -> None: ...

    def return_from_competitor(self, customers: int) -> None: ...


class Acquisition:
    """Daily diffusion of the product through the prospect pool."""

    def __init__(self, context: Context, pool: ProspectPool) -> None:
        env, config, streams = context.env, context.config, context.streams
        settings = config.acquisition
        self._env = env
        self._pool = pool
        self._marketing = settings.marketing_rate_per_year / DAYS_PER_YEAR
        self._referral = settings.referral_rate_per_year / DAYS_PER_YEAR
        self._negative = settings.negative_wom_weight
        self._market_size = (
            config.market.initial_customers
            + config.environment.competitor_customers
            + config.market.prospects
        )
        self._competitor_churn = config.environment.competitor_churn_per_year / DAYS_PER_YEAR
        self._rng = streams.generator("acquisition")
        if self._marketing > 0 or self._referral > 0 or self._competitor_churn > 0:
            env.process(self._diffusion())

    def _diffusion(self):
        env, pool, rng = self._env, self._pool, self._rng
        while True:
            yield env.timeout(1.0)
            if self._competitor_churn > 0.0 and pool.competitor_customers > 0:
                churn = -math.expm1(-self._competitor_churn)
                pool.return_from_competitor(int(rng.binomial(pool.competitor_customers, churn)))
            if pool.prospects_remaining == 0:
                continue
            referral_hazard = self._referral * pool.satisfied_active / self._market_size
            adopt_hazard = self._marketing + referral_hazard
            deter_hazard = self._referral * self._negative * pool.dissatisfied_active
            deter_hazard /= self._market_size
            adopted = int(rng.binomial(pool.prospects_remaining, -math.expm1(-adopt_hazard)))
            if adopted:
                referred = int(rng.binomial(adopted, referral_hazard / adopt_hazard))
                pool.acquire(adopted - referred, referred)
            if deter_hazard > 0.0 and pool.prospects_remaining > 0:
                pool.deter(int(rng.binomial(pool.prospects_remaining, -math.expm1(-deter_hazard))))
