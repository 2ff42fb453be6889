"""Contracts: customers who can leave only when their contract is up (pure functions).

Jones & Sasser 1995 ("Why satisfied customers defect"): where contracts and other
switching barriers hold customers, dissatisfied customers stay - hostages - and leave
when the barrier falls. A contract customer signs for ``term`` days; their repurchase
decisions before the renewal date are "stay" whatever their satisfaction, so the
dissatisfied accumulate as a stock. The first decision on or after the renewal date is
a real one (the loyalty logit, where switching cost still moderates satisfaction); a
customer who stays renews for the next whole term after that decision.

Renewal dates are on the contract's own calendar: start + k * term. Customers present
at time 0 are caught at a uniformly random point of their current term.
"""

from __future__ import annotations

import math

NO_CONTRACT = -math.inf
"""Renewal date of a customer without a contract: free to leave at every decision."""


def may_leave(now: float, renewal_at: float) -> bool:
    """A customer may leave at a decision at ``now`` (days) once the renewal date has come."""
    return now >= renewal_at


def next_renewal(renewal_at: float, now: float, term: float) -> float:
    """The first renewal date strictly after ``now`` on the calendar renewal_at + k * term
    (k >= 0): the contract runs on for whole terms after a decision to stay."""
    if now < renewal_at:
        return renewal_at
    return renewal_at + term * (math.floor((now - renewal_at) / term) + 1)
