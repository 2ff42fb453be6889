"""Customer journeys: an opt-in record of what happened to each customer, event by event.

Recorded only when a run asks for it (``simulate(config, seed, trace_customers=True)``), so
ordinary runs pay nothing. One row per event, with the customer's satisfaction and
expectation right after it:

============  ==========================================================================
event         detail
============  ==========================================================================
joined        the customer's segment
delivery      what was wrong with the unit or its delivery: ``ok`` or any of
              ``defective``, ``damaged``, ``late`` joined by ``+``
cancelled     the order waited too long and was cancelled (the worst experience)
claim         a defective or damaged unit was claimed (``first`` or ``repeat`` voice)
complaint     another dissatisfying transaction was complained about (``first``/``repeat``)
closed        the complaint's outcome: ``resolved fast``, ``resolved slowly``, ``unresolved``
stayed, left  the repurchase decision and what preceded it: ``no problem``, ``silent``
              (a problem not voiced), or the outcome of the complaint, with ``(repeat)``
              when the customer had complained before, and ``(under contract)`` when a
              contract customer stayed because the contract was not up yet
============  ==========================================================================
"""

from __future__ import annotations

from typing import Protocol

import pandas as pd

COLUMNS = ("day", "customer_id", "event", "detail", "satisfaction", "expectation")
EVENTS = ("joined", "delivery", "cancelled", "claim", "complaint", "closed", "stayed", "left")

NO_PROBLEM = "no problem"
SILENT = "silent"
OUTCOMES = {
    (True, True): "resolved fast",
    (True, False): "resolved slowly",
    (False, False): "unresolved",
}
"""Decision context after a complaint, by (resolved, fast)."""
REPEAT = " (repeat)"
UNDER_CONTRACT = " (under contract)"
"""Suffix of the context of a stay forced by a contract that is not up yet."""


class Traced(Protocol):
    """What the recorder reads of a customer."""

    id: int
    satisfaction: float
    expectation: float


def delivery_detail(defective: bool, damaged: bool, on_time: bool) -> str:
    """``ok`` or what was wrong: ``defective``, ``damaged``, ``late`` joined by ``+``."""
    wrong = [
        name
        for name, flag in (("defective", defective), ("damaged", damaged), ("late", not on_time))
        if flag
    ]
    return "+".join(wrong) or "ok"


class JourneyRecorder:
    """Collects the events of every customer during one run."""

    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: list[tuple[float, int, str, str, float, float]] = []

    def record(self, day: float, customer: Traced, event: str, detail: str = "") -> None:
        """One event of ``customer`` at ``day`` (days since the start)."""
        self.rows.append(
            (day, customer.id, event, detail, customer.satisfaction, customer.expectation)
        )

    def table(self) -> pd.DataFrame:
        """The events in the order they happened, one row each (columns :data:`COLUMNS`)."""
        frame = pd.DataFrame(self.rows, columns=list(COLUMNS))
        frame["event"] = pd.Categorical(frame["event"], categories=list(EVENTS))
        return frame
