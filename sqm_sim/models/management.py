"""Management: the monthly cycle that runs the initiative portfolio and the workforce.

At the start of every month (after the collector has closed the previous one):
1. the workforce works off last month's output (learning) and turnover happens;
2. training sessions that end now raise their trainees' skill;
3. the suggestion system runs at the month's involvement share (continuous improvement);
4. the month's levers (:func:`sqm_sim.models.initiatives.levers`: design and capability,
   inspection and SPC, service recovery, feature level, capacity loss) are pushed to every
   component that takes them;
5. the month's initiative spend is booked: the appraisal part of each initiative's spend
   as appraisal, a technology investment's as technology cost, the rest as prevention,
   and the whole in the memo account ``initiative_spend``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .context import Component, Context
from .initiatives import Levers
from .ledger import APPRAISAL, INITIATIVE_SPEND, PREVENTION, TECHNOLOGY
from .units import DAYS_PER_MONTH
from .workforce import Workforce


class LeverTaker(Protocol):
    """A component whose settings follow the month's levers."""

    def apply_levers(self, levers: Levers) -> None: ...


class Management(Component):
    """Runs the portfolio and the workforce month by month.

    ``schedule`` holds the levers of every month of the horizon; ``takers`` receive each
    month's record in order (production last, so that it sees this month's skill and
    improvement)."""

    def __init__(
        self,
        context: Context,
        schedule: Sequence[Levers],
        workforce: Workforce,
        takers: Sequence[LeverTaker],
    ) -> None:
        super().__init__(context)
        self._schedule = schedule
        self._workforce = workforce
        self._takers = takers
        self._units_seen = 0
        self.levers = schedule[0]
        context.env.process(self._monthly_cycle())

    @property
    def share_involved(self) -> float:
        """Share of operators in the suggestion system this month."""
        return self.levers.share_involved

    @property
    def capacity_loss(self) -> float:
        """Share of line capacity lost to initiatives this month."""
        return self.levers.capacity_loss

    def _monthly_cycle(self):
        for levers in self._schedule:
            self._start_month(levers)
            yield self._env.timeout(DAYS_PER_MONTH)

    def _start_month(self, levers: Levers) -> None:
        workforce = self._workforce
        self.levers = levers
        if levers.month > 0:
            produced = self._tally.units_produced
            workforce.month_passed(produced - self._units_seen)
            self._units_seen = produced
        for session in levers.trainings_completed:
            workforce.train(session.trained_share, session.skill_gap_closed)
        workforce.improve(levers.share_involved)
        for taker in self._takers:
            taker.apply_levers(levers)
        ledger = self._ledger
        for spend in levers.spend:
            ledger.book(APPRAISAL, spend.appraisal)
            ledger.book(PREVENTION, spend.prevention)
            ledger.book(TECHNOLOGY, spend.technology)
            ledger.book(INITIATIVE_SPEND, spend.amount)
