"""Customers: repeat buyers whose satisfaction decides whether they stay.

Story of a customer: acquired from the prospect pool (or present at time 0) into a
segment drawn by the segment shares, the customer orders one unit, waits a purchase cycle,
orders again, and so on. Each delivery is an experience that updates satisfaction and
expectation (see :mod:`.satisfaction`); a defective unit also costs a warranty claim and a
damaged one a damage claim (external failure). A customer whose transaction satisfaction
falls below the dissatisfaction threshold complains with ``complaint_probability``; then
the repurchase decision waits for the complaint's outcome. Otherwise the customer decides
at once: stay (logistic in satisfaction, competitor quality, switching cost and price) or
leave for good. Orders already placed are still delivered and paid.

A newly acquired customer orders at once; customers present at time 0 are caught at a
random point of their cycle (equilibrium residual time, so demand is stationary from the
start). The purchase cycle is divided by the environment's demand multiplier at the time
it is drawn. Each customer's next order is a SimPy timeout event with a callback (no
generator per customer), which keeps a population of 10^5 customers cheap.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable

import pandas as pd
import simpy

from .context import Component, Context
from .distribution import Order
from .environment import MarketEnvironment
from .initiatives import Levers
from .ledger import EXTERNAL_FAILURE, monthly_discount_rate
from .satisfaction import (
    DISSATISFIED,
    SATISFIED,
    Segment,
    experience,
    logistic,
    mood,
    repurchase_log_odds,
    transaction_satisfaction,
)
from .service_desk import ServiceDesk
from .units import DAYS_PER_MONTH


class Customer:
    """One customer and what they remember."""

    __slots__ = (
        "active",
        "discounted_orders",
        "expectation",
        "first_order_at",
        "id",
        "joined_at",
        "lost_at",
        "mood",
        "orders",
        "satisfaction",
        "segment",
    )

    def __init__(
        self, ident: int, segment: Segment, satisfaction: float, expectation: float, now: float
    ) -> None:
        self.id = ident
        self.active = True
        self.segment = segment
        self.satisfaction = satisfaction
        self.expectation = expectation
        self.mood = 0
        self.joined_at = now
        self.first_order_at = math.nan
        self.lost_at = math.nan
        self.orders = 0
        self.discounted_orders = 0.0


class CustomerBase(Component):
    """All customers: ordering, experiences, complaints, repurchase decisions."""

    def __init__(
        self,
        context: Context,
        levers: Levers,
        environment: MarketEnvironment,
        desk: ServiceDesk,
        place_order: Callable[[Order], None],
    ) -> None:
        super().__init__(context)
        config, streams = context.config, context.streams
        market, finance, customers = config.market, config.finance, config.customers
        self._environment = environment
        self._desk = desk
        self._place_order = place_order
        self._warranty_cost = finance.warranty_cost_per_claim
        self._damage_cost = finance.damage_claim_cost
        self.feature_level = levers.feature_level
        self._price_gap = finance.unit_price / config.environment.competitor_price - 1.0
        self._initial_satisfaction = customers.initial_satisfaction
        self._initial_expectation = customers.initial_expectation
        self._memory = customers.satisfaction_memory
        self._adaptation = customers.expectation_adaptation
        self._disconfirmation = customers.disconfirmation_weight
        self._satisfied_at = customers.satisfied_threshold
        self._dissatisfied_below = customers.dissatisfied_threshold
        self._complaint_probability = config.service.complaint_probability
        self._recovery_level = {
            (True, True): config.service.satisfaction_after_fast_recovery,
            (True, False): config.service.satisfaction_after_slow_recovery,
            (False, False): config.service.satisfaction_after_failed_recovery,
        }
        monthly_rate = monthly_discount_rate(finance.annual_discount_rate)
        self._discount_per_day = math.log1p(monthly_rate) / DAYS_PER_MONTH
        # sorted by name: equal configs give equal runs whatever order segments were listed in
        segments = sorted(config.segments.items())
        self._segments = [
            Segment.from_settings(i, name, settings) for i, (name, settings) in enumerate(segments)
        ]
        shares = list(itertools.accumulate(settings.share for _, settings in segments))
        self._cumulative_shares = [share / shares[-1] for share in shares]
        self._segment_draw = streams.uniform("segment")
        self._purchase_gap = streams.duration("purchase_cycle", market.purchase_cycle)
        self._complaint_draw = streams.uniform("complaint")
        self._decision_draw = streams.uniform("repurchase")
        self._ids = itertools.count()
        self.everyone: list[Customer] = []
        self.active_customers = 0
        self.satisfied_active = 0
        self.dissatisfied_active = 0
        self.satisfaction_sum = 0.0
        self.prospects_remaining = market.prospects
        self.competitor_customers = config.environment.competitor_customers
        first_gap = streams.residual_duration("purchase_cycle_start", market.purchase_cycle)
        for _ in range(market.initial_customers):
            customer = self._join()
            self._schedule_order(customer, first_gap() / environment.demand_multiplier(0.0))

    # -- population -----------------------------------------------------------------------
    def _join(self) -> Customer:
        draw = self._segment_draw()
        index = min(bisect.bisect_right(self._cumulative_shares, draw), len(self._segments) - 1)
        customer = Customer(
            next(self._ids),
            self._segments[index],
            self._initial_satisfaction,
            self._initial_expectation,
            self._env.now,
        )
        self.everyone.append(customer)
        self.active_customers += 1
        self.satisfaction_sum += customer.satisfaction
        self._set_mood(customer)
        return customer

    def acquire(self, marketing: int, referred: int) -> None:
        """New customers join from the prospect pool and order at once."""
        tally = self._tally
        tally.customers_acquired += marketing + referred
        tally.customers_referred += referred
        self.prospects_remaining -= marketing + referred
        for _ in range(marketing + referred):
            self._order(self._join())

    def deter(self, prospects: int) -> None:
        """Prospects put off by negative word of mouth go to the competitor."""
        self._tally.prospects_deterred += prospects
        self.prospects_remaining -= prospects
        self.competitor_customers += prospects

    def return_from_competitor(self, customers: int) -> None:
        """Customers leave the competitor and are prospects again."""
        self._tally.returned_to_market += customers
        self.competitor_customers -= customers
        self.prospects_remaining += customers

    def _set_mood(self, customer: Customer) -> None:
        new = mood(customer.satisfaction, self._satisfied_at, self._dissatisfied_below)
        old = customer.mood
        if new != old:
            self.satisfied_active += (new == SATISFIED) - (old == SATISFIED)
            self.dissatisfied_active += (new == DISSATISFIED) - (old == DISSATISFIED)
            customer.mood = new

    def _set_satisfaction(self, customer: Customer, satisfaction: float) -> None:
        self.satisfaction_sum += satisfaction - customer.satisfaction
        customer.satisfaction = satisfaction
        self._set_mood(customer)

    # -- ordering -----------------------------------------------------------------------
    def _schedule_order(self, customer: Customer, delay: float) -> None:
        due = self._env.timeout(delay, customer)
        due.callbacks.append(self._order_due)

    def _order_due(self, due: simpy.Event) -> None:
        if due.value.active:
            self._order(due.value)

    def _order(self, customer: Customer) -> None:
        """The customer orders one unit now and plans the next order."""
        now = self._env.now
        if customer.orders == 0:
            customer.first_order_at = now
        customer.orders += 1
        customer.discounted_orders += math.exp(
            -self._discount_per_day * (now - customer.first_order_at)
        )
        self._place_order(Order(customer, now))
        gap = self._purchase_gap() / self._environment.demand_multiplier(now)
        self._schedule_order(customer, gap)

    # -- experiences --------------------------------------------------------------------
    def apply_levers(self, levers: Levers) -> None:
        """The month's feature level (redesign and technology investments)."""
        self.feature_level = levers.feature_level

    def on_delivered(self, order: Order, defective: bool, damaged: bool, on_time: bool) -> None:
        """A unit reaches its customer: claims, experience, complaint or decision."""
        if defective:
            self._tally.warranty_claims += 1
            self._ledger.book(EXTERNAL_FAILURE, self._warranty_cost)
        if damaged:
            self._tally.damage_claims += 1
            self._ledger.book(EXTERNAL_FAILURE, self._damage_cost)
        customer: Customer = order.customer  # type: ignore[assignment]
        performance = self.feature_level / self._environment.state_of_the_art(self._env.now)
        felt = experience(customer.segment, performance, not (defective or damaged), on_time)
        self._experience(customer, felt)

    def on_cancelled(self, order: Order) -> None:
        """An order was cancelled after waiting too long: the worst experience."""
        self._experience(order.customer, 0.0)  # type: ignore[arg-type]

    def _experience(self, customer: Customer, felt: float) -> None:
        if not customer.active:
            return
        transaction = transaction_satisfaction(felt, customer.expectation, self._disconfirmation)
        memory = self._memory
        self._set_satisfaction(
            customer, (1.0 - memory) * customer.satisfaction + memory * transaction
        )
        customer.expectation += self._adaptation * (felt - customer.expectation)
        if (
            transaction < self._dissatisfied_below
            and self._complaint_draw() < self._complaint_probability
        ):
            self._desk.file(customer, self._complaint_closed)
        else:
            self._decide(customer)

    def _complaint_closed(self, customer: Customer, resolved: bool, fast: bool) -> None:
        if customer.active:
            self._set_satisfaction(customer, self._recovery_level[resolved, fast])
            self._decide(customer)

    def _decide(self, customer: Customer) -> None:
        tally, now, environment = self._tally, self._env.now, self._environment
        tally.repurchase_decisions += 1
        stay = logistic(
            repurchase_log_odds(
                customer.segment,
                customer.satisfaction,
                environment.competitor_quality(now),
                environment.switching_cost(now),
                self._price_gap,
            )
        )
        if self._decision_draw() < stay:
            tally.repurchases += 1
            return
        customer.active = False
        customer.lost_at = now
        self.active_customers -= 1
        self.satisfaction_sum -= customer.satisfaction
        self.satisfied_active -= customer.mood == SATISFIED
        self.dissatisfied_active -= customer.mood == DISSATISFIED
        self.competitor_customers += 1
        tally.customers_lost += 1

    # -- reporting ----------------------------------------------------------------------
    def mean_satisfaction(self) -> float:
        """Mean satisfaction of active customers (NaN if there are none). The running sum
        can drift by rounding (~1e-16 per update); the mean is kept on the 0-1 scale."""
        if not self.active_customers:
            self.satisfaction_sum = 0.0
            return math.nan
        return min(1.0, max(0.0, self.satisfaction_sum / self.active_customers))

    def table(self) -> pd.DataFrame:
        """One row per customer ever active: segment, dates (days), orders, satisfaction."""
        rows = self.everyone
        return pd.DataFrame(
            {
                "customer_id": [c.id for c in rows],
                "segment": pd.Categorical(
                    [c.segment.name for c in rows], categories=[s.name for s in self._segments]
                ),
                "joined_day": [c.joined_at for c in rows],
                "first_order_day": [c.first_order_at for c in rows],
                "lost_day": [c.lost_at for c in rows],
                "active_end": [c.active for c in rows],
                "orders": [c.orders for c in rows],
                "discounted_orders": [c.discounted_orders for c in rows],
                "satisfaction_end": [c.satisfaction for c in rows],
                "expectation_end": [c.expectation for c in rows],
            }
        )
