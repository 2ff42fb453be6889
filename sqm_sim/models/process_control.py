"""Adjusting a process in response to measurements: Deming's funnel and Shewhart's chart.

Pure functions, no SimPy. A process makes x_t = z_t + e_t, where z_t is the setting (the
funnel's position, the machine's aim) and e_t the common-cause noise, N(0, sigma^2),
independent. The target is T. After each result the operator may move the setting
(Deming, *Out of the Crisis*, 1986, ch. 11; Boardman & Boardman 1990):

- rule 1, leave it alone: z_{t+1} = z_t. Then x_t = z_0 + e_t: Var = sigma^2.
- rule 2, compensate from the last setting: z_{t+1} = z_t - (x_t - T). Then
  x_{t+1} - T = e_{t+1} - e_t: Var = 2 sigma^2 (the variance doubles), lag-1
  autocorrelation -1/2.
- rule 3, set opposite the last deviation from the target: z_{t+1} = T - (x_t - T). Then
  x_{t+1} - T = -(x_t - T) + e_{t+1}: Var(x_t) = t sigma^2, growing without bound
  (oscillating).
- rule 4, set at the last result: z_{t+1} = x_t. Then x_{t+1} = x_t + e_{t+1}, a random
  walk: Var(x_t) = t sigma^2 (drifting away).
- Shewhart: leave it alone unless x_t falls outside T +- k sigma (a signal); then move
  the setting by minus the mean deviation of the results since the last adjustment (the
  best estimate of an offset, not the last point's noise). On a process in control a
  point signals with probability 2 Phi(-k) (0.0027 at k = 3), about once in 370 points,
  and the mean of the m points since the last adjustment has variance sigma^2 / m, so each
  false alarm plants an offset of about sigma^2 / m in variance: the variance stays within
  a few per cent of sigma^2. (Compensating by the signalling point's own deviation, as
  rule 2 does, would plant an offset of the order of sigma at the first false alarm and
  nearly double the variance: tampering on a signal.) A real shift of the mean is removed
  after a few signals.

:class:`Adjuster` is the operator (one policy's update rule, used by production too);
:func:`run_adjustment_policy` plays a policy against a given noise sequence (common random
numbers: the same noise for every policy), :func:`shewhart_signals` flags points outside
the limits, :func:`false_alarm_probability` is the rate the limits imply.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

AdjustmentPolicy = Literal["rule1", "rule2", "rule3", "rule4", "shewhart"]
POLICIES: tuple[AdjustmentPolicy, ...] = ("rule1", "rule2", "rule3", "rule4", "shewhart")


def false_alarm_probability(limit_sigma: float) -> float:
    """Chance that one point of a process in control falls outside target +- k sigma:
    2 Phi(-k) = erfc(k / sqrt 2) (0.0027 for k = 3)."""
    if limit_sigma <= 0.0:
        raise ValueError(f"limit_sigma = {limit_sigma}: must be > 0")
    return math.erfc(limit_sigma / math.sqrt(2.0))


def shewhart_signals(
    results: np.ndarray, target: float, sigma: float, limit_sigma: float = 3.0
) -> np.ndarray:
    """True where a result falls outside target +- limit_sigma * sigma (Shewhart's rule 1)."""
    if sigma <= 0.0:
        raise ValueError(f"sigma = {sigma}: must be > 0")
    return np.abs(np.asarray(results, dtype=float) - target) > limit_sigma * sigma


class Adjuster:
    """An operator adjusting a process setting after each measured result under ``policy``
    (the update rules of the module doc); the state is the setting and, for the Shewhart
    policy, the results since the last adjustment."""

    def __init__(
        self,
        policy: AdjustmentPolicy,
        target: float = 0.0,
        setting: float | None = None,
        limit: float = 3.0,
    ) -> None:
        if policy not in POLICIES:
            raise ValueError(f"policy = {policy!r}: allowed {', '.join(POLICIES)}")
        self.policy = policy
        self.target = target
        self.setting = target if setting is None else setting
        self.limit = limit
        self.adjustments = 0
        self._since = 0
        self._deviations = 0.0

    def observe(self, result: float) -> float:
        """Take one result; move the setting as the policy says; the new setting."""
        deviation = result - self.target
        self._since += 1
        self._deviations += deviation
        before = self.setting
        if self.policy == "shewhart":
            if abs(deviation) > self.limit:
                self.setting -= self._deviations / self._since
                self._since, self._deviations = 0, 0.0
        elif self.policy == "rule2":
            self.setting -= deviation
        elif self.policy == "rule3":
            self.setting = self.target - deviation
        elif self.policy == "rule4":
            self.setting = result
        self.adjustments += self.setting != before
        return self.setting


def run_adjustment_policy(
    policy: AdjustmentPolicy,
    noise: np.ndarray,
    target: float = 0.0,
    start: float | None = None,
    sigma: float = 1.0,
    limit_sigma: float = 3.0,
    shift: np.ndarray | None = None,
) -> np.ndarray:
    """The results x_t of a process run under ``policy`` with common-cause ``noise`` e_t
    (plus an optional special-cause ``shift`` of the mean at each t, e.g. a step), starting
    with the setting at ``start`` (default: the target). ``sigma`` and ``limit_sigma`` set
    the Shewhart limits (only the ``shewhart`` policy uses them)."""
    operator = Adjuster(policy, target, start, limit_sigma * sigma)
    noise = np.asarray(noise, dtype=float)
    disturbance = noise if shift is None else noise + np.asarray(shift, dtype=float)
    results = np.empty_like(disturbance)
    for t, e in enumerate(disturbance):
        results[t] = operator.setting + e
        operator.observe(results[t])
    return results
