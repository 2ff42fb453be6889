"""The workforce: operator skill (learning curve, turnover, training) and staff involvement.

Each operator has cumulative output e and a skill gap at zero experience g, so that
    skill = 1 - g * ((e + e0) / e0)^b,   b = log2(learning_rate)      (Wright 1936)
Output is shared equally among operators every month. Each month an operator leaves with
probability 1 - exp(-turnover / 12) (with employee satisfaction on, turnover times
exp(-k (J - J0)), :mod:`.people`) and is replaced by a new hire (g = 1 - new_hire_skill,
e = 0). A training session closes a share of each trainee's gap (g <- g (1 - closed)).

Continuous improvement (Schneiderman's half-life, with a floor and forgetting): the
improvement factor F multiplies process- and human-caused defects. In a month with
involvement share v > 0, accepted suggestions ~ Poisson(operators * v *
suggestions_per_month * mean skill * acceptance_probability), and each closes the share
delta = defect_reduction_per_suggestion of the gap to the floor F_min:

    F - F_min <- (F - F_min) * (1 - delta) ** accepted

With steady involvement the expected gap after t months is (1 - F_min) exp(-lambda delta t)
(for small delta): a half-life of ln 2 / (lambda * delta) months on the gap to the floor.
In a month with no involvement the improvement decays: 1 - F <- (1 - F) exp(-phi / 12),
phi = forgetting_rate_per_year.

Process capability from improvement time (Repenning & Sterman 2001, 2002): operators spend
a share s of their hours on improvement work; it builds a capability stock K (0-1) that
erodes without it,

    dK/dt = a s (1 - K) - e K,     a = capability_build_per_year, e = ..._erosion_per_year

solved exactly over each month with s held: K <- K* + (K - K*) exp(-(a s + e) / 12),
K* = a s / (a s + e). The run starts at K0 = K*(share before the run), and process- and
human-caused defects are multiplied by (1 - r K) / (1 - r K0), r = capability_max_reduction,
K0 the steady state of the share before the run (``improvement_time_share_before``),
so a firm keeping its improvement time keeps its calibrated defect rate, one that cuts it
slides toward (1 - 0) / (1 - r K0) times as many, one that adds to it improves. Capability
also sets throughput (Repenning & Sterman 2002: net throughput = effort x capability):
line speed is multiplied by (1 - u (1 - K)) / (1 - u (1 - K0)), u =
capability_throughput_loss, the share of line time a process without capability loses to
stoppages, breakdowns and firefighting. With the time split off (s = 0, the default) K
stays 0 and both factors are exactly 1.
"""

from __future__ import annotations

import math

import numpy as np

from .context import Context

_LOG_RATIO_CAP = 600.0
"""ln of the largest (e + e0) / e0 an operator starts at: e stays finite (e0 <= 1e9)."""


def starting_state(
    skill: float, new_hire_gap: float, exponent: float, reference: float
) -> tuple[float, float]:
    """(gap at hire, experience) of a worker with ``skill`` on the learning curve
    1 - skill = gap_at_hire * ((e + reference) / reference) ** exponent (operators and
    desk agents alike). A worker at or below a new hire's skill, or on a flat curve,
    starts as a new hire with their own gap. A nearly flat curve (learning rate close to
    1) can need more experience than a float holds; the worker then starts at
    (e + reference) / reference = exp(_LOG_RATIO_CAP), where the curve is as flat, with
    the gap at hire that gives ``skill`` exactly."""
    gap = 1.0 - skill
    if gap >= new_hire_gap or exponent == 0.0 or gap == 0.0:
        return gap, 0.0
    if math.log(gap / new_hire_gap) / exponent > _LOG_RATIO_CAP:
        ratio = math.exp(_LOG_RATIO_CAP)
        return gap / ratio**exponent, reference * (ratio - 1.0)
    ratio = (gap / new_hire_gap) ** (1.0 / exponent)
    return new_hire_gap, reference * (ratio - 1.0)


def skills_on_curve(
    experience: np.ndarray, gap_at_hire: np.ndarray, reference: float, exponent: float
) -> np.ndarray:
    """Skill (0-1) of each worker on the learning curve
    1 - gap_at_hire * ((experience + reference) / reference) ** exponent."""
    return 1.0 - gap_at_hire * ((experience + reference) / reference) ** exponent


def replace_leavers(
    experience: np.ndarray,
    gap_at_hire: np.ndarray,
    turnover: np.random.Generator,
    rate_per_year: float,
    new_hire_gap: float,
) -> int:
    """A month's turnover: each worker leaves with probability 1 - exp(-rate / 12) and is
    replaced by a new hire (no experience, the new hire's gap); returns how many left.
    Changes ``experience`` and ``gap_at_hire`` in place."""
    leave = -math.expm1(-rate_per_year / 12.0)
    leaving = turnover.random(len(experience)) < leave
    count = int(leaving.sum())
    if count:
        experience[leaving] = 0.0
        gap_at_hire[leaving] = new_hire_gap
    return count


class Workforce:
    """Operators' skill and the involvement-driven improvement of the process."""

    def __init__(self, context: Context) -> None:
        config, streams = context.config, context.streams
        staff, involvement = config.workforce, config.involvement
        self._exponent = math.log2(staff.learning_rate)
        self._reference_units = staff.learning_reference_units
        self._new_hire_gap = 1.0 - staff.new_hire_skill
        self._turnover_rate = staff.turnover_rate_per_year
        self._suggestion_rate = involvement.suggestions_per_month
        self._acceptance = involvement.acceptance_probability
        self._reduction = involvement.defect_reduction_per_suggestion
        self._floor = involvement.improvement_floor
        self._kept_per_idle_month = math.exp(-involvement.forgetting_rate_per_year / 12.0)
        gap, experience = self._starting_state(staff.skill)
        self.experience = np.full(staff.operators, experience)
        self.gap_at_hire = np.full(staff.operators, gap)
        self._turnover = streams.generator("turnover")
        self._training = streams.generator("training")
        self._suggestions = streams.generator("suggestions")
        self.improvement_factor = 1.0
        self._build = staff.capability_build_per_year
        self._erosion = staff.capability_erosion_per_year
        self._max_reduction = staff.capability_max_reduction
        self.capability = self.steady_capability(staff.improvement_share_before)
        """process capability K (0-1) built by improvement time"""
        self._start_factor = 1.0 - self._max_reduction * self.capability
        self._throughput_loss = staff.capability_throughput_loss
        self._start_throughput = 1.0 - self._throughput_loss * (1.0 - self.capability)
        self.hired = 0
        self.trained = 0
        self.suggestions_accepted = 0

    def _starting_state(self, skill: float) -> tuple[float, float]:
        """(gap at hire, experience) of an operator with ``skill`` on the learning curve."""
        return starting_state(skill, self._new_hire_gap, self._exponent, self._reference_units)

    def skills(self) -> np.ndarray:
        """Skill of every operator (0-1)."""
        return skills_on_curve(
            self.experience, self.gap_at_hire, self._reference_units, self._exponent
        )

    def average_skill(self) -> float:
        """Mean operator skill."""
        return float(self.skills().mean())

    def month_passed(self, units_made: int, turnover_factor: float = 1.0) -> int:
        """A month of work: experience from the month's output, then turnover at the
        configured rate times ``turnover_factor`` (employee satisfaction,
        :mod:`.people`); returns the operators who left (each replaced by a new hire)."""
        self.experience += units_made / len(self.experience)
        count = replace_leavers(
            self.experience,
            self.gap_at_hire,
            self._turnover,
            self._turnover_rate * turnover_factor,
            self._new_hire_gap,
        )
        self.hired += count
        return count

    def steady_capability(self, share: float) -> float:
        """K* = a s / (a s + e): the capability a steady improvement time share keeps."""
        total = self._build * share + self._erosion
        return self._build * share / total if total > 0.0 else 0.0

    def build_capability(self, share: float) -> float:
        """A month with ``share`` of operator hours on improvement; the new capability."""
        total = self._build * share + self._erosion
        if total > 0.0:
            target = self._build * share / total
            self.capability = target + (self.capability - target) * math.exp(-total / 12.0)
        return self.capability

    def throughput_factor(self) -> float:
        """Line speed from capability: (1 - u (1 - K)) / (1 - u (1 - K0))."""
        return (1.0 - self._throughput_loss * (1.0 - self.capability)) / self._start_throughput

    def capability_factor(self) -> float:
        """Multiplier on process- and human-caused defects: (1 - r K) / (1 - r K0)."""
        return (1.0 - self._max_reduction * self.capability) / self._start_factor

    @property
    def operators(self) -> int:
        """Operators on the payroll now (the configured ones plus hires)."""
        return len(self.experience)

    def hire(self, count: int) -> None:
        """``count`` new operators join (no experience, the new hire's skill gap)."""
        self.experience = np.append(self.experience, np.zeros(count))
        self.gap_at_hire = np.append(self.gap_at_hire, np.full(count, self._new_hire_gap))

    def train(self, share: float, gap_closed: float) -> None:
        """A training session ends: a random ``share`` of operators gain skill."""
        trainees = round(share * len(self.experience))
        chosen = self._training.choice(len(self.experience), size=trainees, replace=False)
        self.gap_at_hire[chosen] *= 1.0 - gap_closed
        self.trained += trainees

    def improve(self, share_involved: float) -> float:
        """A month of the suggestion system (or, with nobody involved, of forgetting);
        returns the new improvement factor."""
        if share_involved <= 0.0:
            self.improvement_factor = 1.0 - (1.0 - self.improvement_factor) * (
                self._kept_per_idle_month
            )
            return self.improvement_factor
        expected = (
            len(self.experience)
            * share_involved
            * self._suggestion_rate
            * self.average_skill()
            * self._acceptance
        )
        accepted = int(self._suggestions.poisson(expected)) if expected > 0.0 else 0
        self.suggestions_accepted += accepted
        floor = self._floor
        gap = (self.improvement_factor - floor) * (1.0 - self._reduction) ** accepted
        self.improvement_factor = floor + gap
        return self.improvement_factor
