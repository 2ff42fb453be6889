"""Customers: a population of repeat buyers, each ordering on a renewal process.

Story of a customer: acquired from the finite pool of prospects (or present at time 0),
the customer orders one unit, waits a random purchase cycle, orders again, and so on.
A newly acquired customer orders at once; customers present at time 0 are caught at a
random point of their cycle (equilibrium residual time, so demand is stationary from the
start).
After each delivery (or a cancelled order) the customer decides whether to keep buying:
with ``repurchase_probability`` they stay, otherwise they are lost and place no further
orders (orders already placed are still delivered and paid). A defective unit received
triggers a warranty claim and a transit-damaged one a damage claim, both external failure
cost.

Each customer's next order is a SimPy timeout event with a callback (no generator per
customer), which keeps a population of 10^5 customers cheap.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from ..config import Config, DurationDistribution
from ..random_streams import RandomStreams
from ..units import DAYS_PER_MONTH
from .distribution import Order
from .ledger import EXTERNAL_FAILURE, Ledger
from .tally import Tally


class Customer:
    """One customer; ``active`` is False once they have defected."""

    __slots__ = ("active",)

    def __init__(self) -> None:
        self.active = True


class CustomerBase:
    """All customers, their acquisition, ordering and repurchase decisions."""

    def __init__(
        self,
        env: simpy.Environment,
        config: Config,
        streams: RandomStreams,
        tally: Tally,
        ledger: Ledger,
        place_order: Callable[[Order], None],
    ) -> None:
        market, finance = config.market, config.finance
        self._env = env
        self._tally = tally
        self._ledger = ledger
        self._place_order = place_order
        self._initial_customers = market.initial_customers
        self._repurchase_probability = market.repurchase_probability
        self._warranty_cost = finance.warranty_cost_per_claim
        self._damage_cost = finance.damage_claim_cost
        self._purchase_gap = streams.duration("purchase_cycle", market.purchase_cycle)
        first_gap = streams.residual_duration("purchase_cycle_start", market.purchase_cycle)
        self._decision_draw = streams.uniform("repurchase")
        self.active_customers = 0
        self.prospects_remaining = market.prospects
        for _ in range(market.initial_customers):
            self.active_customers += 1
            self._schedule_order(Customer(), first_gap())
        if market.acquisition_per_month > 0.0 and market.prospects > 0:
            arrival_gap = DurationDistribution(
                kind="exponential", mean=DAYS_PER_MONTH / market.acquisition_per_month
            )
            self._acquisition_gap = streams.duration("acquisition", arrival_gap)
            env.process(self._acquisition())

    def _acquisition(self):
        """Marketing wins prospects one by one (Poisson) until the pool is empty."""
        env = self._env
        while self.prospects_remaining > 0:
            yield env.timeout(self._acquisition_gap())
            self.prospects_remaining -= 1
            self._tally.customers_acquired += 1
            self.active_customers += 1
            self._order(Customer())

    def _schedule_order(self, customer: Customer, delay: float) -> None:
        due = self._env.timeout(delay, customer)
        due.callbacks.append(self._order_due)

    def _order_due(self, due: simpy.Event) -> None:
        if due.value.active:
            self._order(due.value)

    def _order(self, customer: Customer) -> None:
        """The customer orders one unit now and plans the next order."""
        self._place_order(Order(customer, self._env.now))
        self._schedule_order(customer, self._purchase_gap())

    def on_delivered(self, order: Order, defective: bool, damaged: bool, on_time: bool) -> None:
        """A unit reaches its customer: claims, then the repurchase decision."""
        if defective:
            self._tally.warranty_claims += 1
            self._ledger.book(EXTERNAL_FAILURE, self._warranty_cost)
        if damaged:
            self._tally.damage_claims += 1
            self._ledger.book(EXTERNAL_FAILURE, self._damage_cost)
        self._decide(order.customer)

    def on_cancelled(self, order: Order) -> None:
        """An order was cancelled after waiting too long: the customer reconsiders."""
        self._decide(order.customer)

    def _decide(self, customer: Customer) -> None:
        if not customer.active:
            return
        tally = self._tally
        tally.repurchase_decisions += 1
        if self._decision_draw() < self._repurchase_probability:
            tally.repurchases += 1
        else:
            customer.active = False
            self.active_customers -= 1
            tally.customers_lost += 1
