"""Perceived quality, satisfaction and loyalty of one customer (pure functions).

Expectation-disconfirmation (Oliver 1980), on a 0-1 scale:

    experience      x = w_perf * feature_level / state_of_the_art(t)
                        + w_rel * [unit neither defective nor damaged]
                        + w_del * [delivered on time]      (x = 0 for a cancelled order)
    transaction     s = clip(x + w * (x - E), 0, 1)
                    w = w_neg if x < E else w_pos          (disappointment weighs more)
    satisfaction    S <- (1 - m) * S + m * s               (recent experiences weigh more)
                    m = m_neg if s < S else m_pos          (it falls faster than it recovers)
    expectation     E <- E + adaptation * (max(0, x + d) - E)  (d: the customer's personal standard)

Negative disconfirmation weighs more than positive (Anderson & Sullivan 1993; Mittal, Ross
& Baldasare 1998), and a bad transaction is remembered longer than a good one (Baumeister et
al. 2001): a defective unit makes a customer dissatisfied and it takes several good
deliveries to win them back. Customers differ in their personal standard d (Zeithaml, Berry
& Parasuraman 1993: personal needs set the desired level): a demanding customer's
expectation settles d above what the firm delivers, so they are chronically less satisfied
and closer to the dissatisfaction threshold when a problem comes.

Loyalty: the chance of repurchasing after an experience is logistic,

    u = loyalty_intercept + satisfaction_weight * (S - competitor_quality(t))
        + switching_cost_weight * switching_cost(t) * (1 - S)
        - price_weight * (unit_price / competitor_price - 1)
    P(repurchase) = 1 / (1 + exp(-u))

Switching cost moderates satisfaction (Jones & Sasser 1995; Jones, Mothersbaugh & Beatty
2000): it holds a customer in proportion to their dissatisfaction 1 - S, so a completely
satisfied customer (S = 1) stays for satisfaction alone whatever switching costs, while a
dissatisfied one is a "hostage" of high switching costs and leaves when they fall. The
slope in S is satisfaction_weight - switching_cost_weight * switching_cost, flatter in
markets with high switching costs (Jones & Sasser's "highly regulated" curve) and steep where
switching is free; the configuration requires satisfaction_weight >= switching_cost_weight
so that satisfaction never lowers loyalty.

Service recovery (TARP; Smith, Bolton & Wagner 1999; Maxham & Netemeyer 2002). A problem
(a defective or damaged unit, or a transaction below the dissatisfaction threshold) first
lowers satisfaction like any experience, from S_before to S_problem. A customer who voices
it waits for the outcome, which restores a share ("credit") of what was lost:

    S <- clip(S_problem + credit * (S_before - S_problem), 0, 1)
    credit = base credit of the outcome (fast > slow > failed >= 0)
             * repeat_failure_credit_factor ** (complaints this customer had before)

A failed recovery still gives the small credit of having been heard (TARP: complainers whose
problem was not resolved stay more often than silent customers); a fast one may give more
than was lost (credit > 1: the recovery paradox), but only for a first failure, because
each earlier complaint shrinks the credit (the "double deviation").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..config.market_sections import SegmentSettings

SATISFIED = 1
NEUTRAL = 0
DISSATISFIED = -1


@dataclass(frozen=True, slots=True)
class Segment:
    """A segment's parameters, flattened for the per-delivery hot path."""

    index: int
    name: str
    weight_performance: float
    weight_reliability: float
    weight_delivery: float
    loyalty_intercept: float
    satisfaction_weight: float
    switching_cost_weight: float
    price_weight: float

    @classmethod
    def from_settings(cls, index: int, name: str, settings: SegmentSettings) -> Segment:
        return cls(
            index=index,
            name=name,
            weight_performance=settings.weight_performance,
            weight_reliability=settings.weight_reliability,
            weight_delivery=settings.weight_delivery,
            loyalty_intercept=settings.loyalty_intercept,
            satisfaction_weight=settings.satisfaction_weight,
            switching_cost_weight=settings.switching_cost_weight,
            price_weight=settings.price_weight,
        )


def experience(segment: Segment, performance: float, reliable: bool, on_time: bool) -> float:
    """Experience of one delivery (0-1 scale; above 1 only if the product beats the market)."""
    return (
        segment.weight_performance * performance
        + segment.weight_reliability * reliable
        + segment.weight_delivery * on_time
    )


def transaction_satisfaction(
    experienced: float, expectation: float, weight_positive: float, weight_negative: float
) -> float:
    """Satisfaction with one transaction: experience plus the surprise, weighted by
    ``weight_negative`` when the experience falls short of the expectation, on [0, 1]."""
    surprise = experienced - expectation
    weight = weight_negative if surprise < 0.0 else weight_positive
    value = experienced + weight * surprise
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def updated_satisfaction(
    satisfaction: float, transaction: float, memory_positive: float, memory_negative: float
) -> float:
    """Cumulative satisfaction after one transaction: exponential memory whose weight is
    ``memory_negative`` when the transaction is worse than the satisfaction so far."""
    memory = memory_negative if transaction < satisfaction else memory_positive
    return (1.0 - memory) * satisfaction + memory * transaction


def mood(satisfaction: float, satisfied_threshold: float, dissatisfied_threshold: float) -> int:
    """SATISFIED, NEUTRAL or DISSATISFIED for a satisfaction level."""
    if satisfaction >= satisfied_threshold:
        return SATISFIED
    if satisfaction < dissatisfied_threshold:
        return DISSATISFIED
    return NEUTRAL


def repurchase_log_odds(
    segment: Segment,
    satisfaction: float,
    competitor_quality: float,
    switching_cost: float,
    relative_price_gap: float,
) -> float:
    """u of the logistic repurchase decision (log-odds of staying)."""
    return (
        segment.loyalty_intercept
        + segment.satisfaction_weight * (satisfaction - competitor_quality)
        + segment.switching_cost_weight * switching_cost * (1.0 - satisfaction)
        - segment.price_weight * relative_price_gap
    )


def recovery_credit(base_credit: float, earlier_complaints: int, repeat_factor: float) -> float:
    """Share of the satisfaction lost to a problem that a complaint's outcome gives back."""
    return base_credit * repeat_factor**earlier_complaints


def recovered_satisfaction(before: float, after_problem: float, credit: float) -> float:
    """Satisfaction once a complaint is closed: ``credit`` times the loss is given back,
    on [0, 1]."""
    value = after_problem + credit * (before - after_problem)
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def logistic(log_odds: float) -> float:
    """1 / (1 + exp(-u)), without overflow for large |u|."""
    if log_odds >= 0.0:
        return 1.0 / (1.0 + math.exp(-log_odds))
    odds = math.exp(log_odds)
    return odds / (1.0 + odds)
