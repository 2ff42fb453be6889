"""Customers: repeat buyers whose satisfaction decides whether they stay.

Story of a customer: acquired from the prospect pool (or present at time 0) into a
segment drawn by the segment shares, the customer orders one unit, waits a purchase cycle
stretched by their share of wallet (:mod:`.wallet`: the less satisfied buy less often),
orders again, and so on. Each delivery is an experience that updates satisfaction and
expectation (see :mod:`.satisfaction`). Voice, as TARP measured it: a customer who gets a
defective or damaged unit claims with ``claim_probability`` (a warranty or damage claim:
external failure cost, and the claim goes to the complaint desk); one whose transaction
satisfaction falls below the dissatisfaction threshold for another reason complains with
``complaint_probability``. The others stay silent: the firm never hears of the problem.
A customer who voiced a problem decides after the outcome, which gives back a share of the
satisfaction the problem took (:func:`.satisfaction.recovered_satisfaction`); the others
decide at once: stay (logistic in satisfaction, competitor quality, switching cost and
price) or leave for good. A customer under contract (:mod:`.contracts`) stays at every
decision before the renewal date. Orders already placed are still delivered and paid.

A newly acquired customer orders at once; customers present at time 0 are caught at a
random point of their cycle (equilibrium residual time, so demand is stationary from the
start). The purchase cycle is divided by the environment's demand multiplier at the time
it is drawn. Customers' next orders wait in the context's calendar (:mod:`.calendar`),
outside SimPy's event heap (which holds only the earliest of them), in the order and at
the times one SimPy timeout per customer would give, so the event heap does not grow with
the population.

Customers present at time 0 start alike (the configured initial satisfaction and
expectation), or each in the state of a row of the configuration's start-customer table
(:mod:`sqm_sim.config.start_customers`, dealt by :mod:`.start_customers`); customers
acquired later always join at the configured initial values.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable

import pandas as pd

from ..config.start_customers import StartCustomerSettings
from .context import Component, Context
from .contracts import NO_CONTRACT, may_leave, next_renewal
from .distribution import Order
from .environment import MarketEnvironment
from .initiatives import Levers
from .journeys import (
    NO_PROBLEM,
    OUTCOMES,
    REPEAT,
    SILENT,
    UNDER_CONTRACT,
    JourneyRecorder,
    delivery_detail,
)
from .ledger import EXTERNAL_FAILURE, monthly_discount_rate
from .satisfaction import (
    DISSATISFIED,
    SATISFIED,
    Segment,
    experience,
    logistic,
    mood,
    recovered_satisfaction,
    recovery_credit,
    repurchase_log_odds,
    transaction_satisfaction,
    updated_satisfaction,
)
from .service_desk import ServiceDesk
from .start_customers import START_STREAM, dealt_rows
from .units import DAYS_PER_MONTH
from .wallet import orders_lost_per_order, share_of_wallet


class Customer:
    """One customer and what they remember."""

    __slots__ = (
        "active",
        "complaints",
        "discounted_orders",
        "expectation",
        "first_order_at",
        "id",
        "joined_at",
        "lost_at",
        "mood",
        "orders",
        "renewal_at",
        "satisfaction",
        "satisfaction_before_problem",
        "segment",
        "standard",
    )

    def __init__(
        self,
        ident: int,
        segment: Segment,
        satisfaction: float,
        expectation: float,
        now: float,
        standard: float = 0.0,
    ) -> None:
        # what every order and delivery reads first, side by side: compiled (mypyc), the
        # attributes lie in the object in the order they are first set here, and a
        # customer is touched at random in memory twice an order (when ordering, when the
        # unit arrives), so fewer cache lines to fetch at large populations
        self.active = True
        self.segment = segment
        self.satisfaction = satisfaction
        self.expectation = max(0.0, expectation + standard)
        self.standard = standard  # personal offset of the expectation (0-1 scale)
        self.mood = 0
        self.orders = 0
        self.first_order_at = math.nan
        self.discounted_orders = 0.0
        self.renewal_at = NO_CONTRACT  # day the contract is up (-inf: no contract)
        # read on complaints, at the end of the run or in a journey
        self.complaints = 0
        self.satisfaction_before_problem = satisfaction
        self.id = ident
        self.joined_at = now
        self.lost_at = math.nan


class CustomerBase(Component):
    """All customers: ordering, experiences, complaints, repurchase decisions."""

    def __init__(
        self,
        context: Context,
        levers: Levers,
        environment: MarketEnvironment,
        desk: ServiceDesk,
        place_order: Callable[[Order], None],
        journeys: JourneyRecorder | None = None,
    ) -> None:
        super().__init__(context)
        self._journeys = journeys
        config, streams = context.config, context.streams
        market, finance, customers = config.market, config.finance, config.customers
        self._environment = environment
        self._desk = desk
        self._place_order = place_order
        self._warranty_cost = finance.warranty_cost_per_claim
        self._damage_cost = finance.damage_claim_cost
        self.feature_level = levers.feature_level
        self._price = finance.unit_price
        self._competitor_price = config.environment.competitor_price
        self._price_gap = finance.unit_price / config.environment.competitor_price - 1.0
        self._initial_satisfaction = customers.initial_satisfaction
        self._initial_expectation = customers.initial_expectation
        self._memory_positive = customers.satisfaction_memory_positive
        self._memory_negative = customers.satisfaction_memory_negative
        self._adaptation = customers.expectation_adaptation
        self._disconfirmation_positive = customers.disconfirmation_weight_positive
        self._disconfirmation_negative = customers.disconfirmation_weight_negative
        self._expectation_spread = customers.expectation_spread
        self._satisfied_at = customers.satisfied_threshold
        self._dissatisfied_below = customers.dissatisfied_threshold
        service = config.service
        self._complaint_probability = service.complaint_probability
        self._claim_probability = service.claim_probability
        self._recovery_credit = {
            (True, True): service.recovery_credit_fast,
            (True, False): service.recovery_credit_slow,
            (False, False): service.recovery_credit_failed,
        }
        self._repeat_credit_factor = service.repeat_failure_credit_factor
        self._wallet_floor = customers.share_of_wallet_floor
        self._wallet_exponent = customers.share_of_wallet_exponent
        self._wallet_varies = customers.share_of_wallet_floor < 1.0  # else w(S) = 1
        self._contract_share = market.contract_share
        self._contract_term = market.contract_term_months * DAYS_PER_MONTH
        if self._contract_share > 0.0:
            self._contract_draw = streams.uniform("contract")
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
        self._standard_draw = streams.normal("personal_standard")
        self._purchase_gap = streams.duration("purchase_cycle", market.purchase_cycle)
        self._complaint_draw = streams.uniform("complaint")
        self._claim_draw = streams.uniform("claim")
        self._decision_draw = streams.uniform("repurchase")
        self._ids = itertools.count()
        self.everyone: list[Customer] = []
        self.active_customers = 0
        self.satisfied_active = 0
        self.dissatisfied_active = 0
        self.satisfaction_sum = 0.0
        self.prospects_remaining = market.prospects
        self.competitor_customers = config.environment.competitor_customers
        # the step of every pending order, bound once: the calendar's entries share it
        self._order_step = self._order
        self._demand_varies = environment.demand_varies  # else gaps are divided by 1
        first_gap = streams.residual_duration("purchase_cycle_start", market.purchase_cycle)
        table = config.start_customers
        if table is None:
            present = (self._join(at_start=True) for _ in range(market.initial_customers))
        else:  # each in the state of a row of the table (see .start_customers)
            named = {segment.name: segment for segment in self._segments}
            deal = streams.generator(START_STREAM)
            rows = dealt_rows(table.rows, market.initial_customers, deal)
            present = (self._join_from_table(table, row, named) for row in rows)
        for customer in present:  # each joins, then their first order is scheduled
            share = self._share_of_wallet(customer.satisfaction)
            delay = first_gap() / environment.demand_multiplier(0.0) / share
            self._calendar.add(delay, self._order_step, customer)

    # -- population -----------------------------------------------------------------------
    def _join(self, at_start: bool = False) -> Customer:
        draw = self._segment_draw()
        index = min(bisect.bisect_right(self._cumulative_shares, draw), len(self._segments) - 1)
        spread = self._expectation_spread
        customer = Customer(
            next(self._ids),
            self._segments[index],
            self._initial_satisfaction,
            self._initial_expectation,
            self._env.now,
            spread * self._standard_draw() if spread else 0.0,
        )
        return self._admit(customer, at_start)

    def _join_from_table(
        self, table: StartCustomerSettings, row: int, segments: dict[str, Segment]
    ) -> Customer:
        """A customer present at month 0 in the state of ``table``'s ``row``: its segment,
        satisfaction, expectation (personal standard included), personal standard and, if
        the table gives them, complaints closed and contract (days to its renewal)."""
        customer = Customer(
            next(self._ids),
            segments[table.segment[row]],
            table.satisfaction[row],
            0.0,
            self._env.now,
            table.standard[row],
        )
        customer.expectation = table.expectation[row]  # the row's, standard included
        if table.complaints:
            customer.complaints = table.complaints[row]
        if not table.contract:  # no contract columns: drawn as for any month-0 customer
            return self._admit(customer, at_start=True)
        if table.contract[row]:
            customer.renewal_at = self._env.now + table.renewal_in_days[row]
        return self._admit(customer, at_start=True, contract_known=True)

    def _admit(self, customer: Customer, at_start: bool, contract_known: bool = False) -> Customer:
        """A new customer joins: their contract (drawn unless ``contract_known``), the counts
        and the mood."""
        if (
            not contract_known
            and self._contract_share > 0.0
            and self._contract_draw() < self._contract_share
        ):
            # a customer present at time 0 is at a random point of their current term
            phase = self._contract_draw() if at_start else 1.0
            customer.renewal_at = self._env.now + self._contract_term * phase
        self.everyone.append(customer)
        self.active_customers += 1
        self.satisfaction_sum += customer.satisfaction
        self._set_mood(customer)
        if self._journeys is not None:
            self._journeys.record(self._env.now, customer, "joined", customer.segment.name)
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
    def _share_of_wallet(self, satisfaction: float) -> float:
        """w(S), the customer's buying rate per mean purchase cycle (:mod:`.wallet`)."""
        if not self._wallet_varies:
            return 1.0
        return share_of_wallet(satisfaction, self._wallet_floor, self._wallet_exponent)

    def _flawless(self, segment: Segment, now: float) -> float:
        """Satisfaction a flawless experience would give: the experience of a good unit
        delivered on time (at most 1)."""
        performance = self.feature_level / self._environment.state_of_the_art(now)
        return min(1.0, experience(segment, performance, True, True))

    def _order(self, customer: Customer) -> None:
        """The customer orders one unit now and plans the next order: the purchase gap is
        stretched by 1 / w(S), and the orders a flawless experience's share of wallet would
        have added in that gap are booked as lost to quality. A customer who has left by
        the time their next order was due orders nothing."""
        if not customer.active:
            return
        now = self._env._now
        if customer.orders == 0:
            customer.first_order_at = now
        customer.orders += 1
        customer.discounted_orders += math.exp(
            -self._discount_per_day * (now - customer.first_order_at)
        )
        self._place_order(Order(customer, now))
        gap = self._purchase_gap()
        if self._demand_varies:
            gap /= self._environment.demand_multiplier(now)
        if self._wallet_varies:
            floor, exponent = self._wallet_floor, self._wallet_exponent
            share = share_of_wallet(customer.satisfaction, floor, exponent)
            gap /= share
            flawless = self._flawless(customer.segment, now)
            if flawless > customer.satisfaction:
                self._tally.orders_lost_to_quality += orders_lost_per_order(
                    share, share_of_wallet(flawless, floor, exponent)
                )
        self._calendar.add(gap, self._order_step, customer)

    # -- experiences --------------------------------------------------------------------
    def apply_levers(self, levers: Levers) -> None:
        """The month's feature level (redesign and technology investments) and price
        (the logit's price term: price / competitor_price - 1)."""
        self.feature_level = levers.feature_level
        if levers.unit_price != self._price:
            self._price = levers.unit_price
            self._price_gap = levers.unit_price / self._competitor_price - 1.0

    def on_delivered(self, order: Order, defective: bool, damaged: bool, on_time: bool) -> None:
        """A unit reaches its customer: claim or silence, experience, decision."""
        customer: Customer = order.customer  # type: ignore[assignment]
        claimed = (defective or damaged) and self._claim_draw() < self._claim_probability
        if claimed:
            tally, ledger = self._tally, self._ledger
            if defective:
                tally.warranty_claims += 1
                ledger.book(EXTERNAL_FAILURE, self._warranty_cost)
            if damaged:
                tally.damage_claims += 1
                ledger.book(EXTERNAL_FAILURE, self._damage_cost)
        performance = self.feature_level / self._environment.state_of_the_art(self._env._now)
        felt = experience(customer.segment, performance, not (defective or damaged), on_time)
        if self._journeys is None:
            self._experience(customer, felt, defective or damaged, claimed)
        else:
            detail = delivery_detail(defective, damaged, on_time)
            self._experience(customer, felt, defective or damaged, claimed, "delivery", detail)

    def on_cancelled(self, order: Order) -> None:
        """An order was cancelled after waiting too long: the worst experience."""
        self._experience(order.customer, 0.0, False, False, "cancelled")  # type: ignore[arg-type]

    def _experience(
        self,
        customer: Customer,
        felt: float,
        unit_problem: bool,
        claimed: bool,
        event: str = "delivery",
        detail: str = "",
    ) -> None:
        """One experience; a claim (a defective or damaged unit) or a complaint (any other
        dissatisfying transaction) goes to the desk, and the decision waits for it."""
        if not customer.active:
            return
        before = customer.satisfaction
        transaction = transaction_satisfaction(
            felt,
            customer.expectation,
            self._disconfirmation_positive,
            self._disconfirmation_negative,
        )
        self._set_satisfaction(
            customer,
            updated_satisfaction(before, transaction, self._memory_positive, self._memory_negative),
        )
        # the expectation moves towards the experience plus the customer's standard, never
        # below the scale's floor of 0 (a very lenient customer expects nothing, not less)
        target = felt + customer.standard
        customer.expectation += self._adaptation * (
            (target if target > 0.0 else 0.0) - customer.expectation
        )
        journeys = self._journeys
        if journeys is not None:
            journeys.record(self._env.now, customer, event, detail)
        problem = unit_problem or transaction < self._dissatisfied_below
        if unit_problem:
            voiced = claimed
        else:
            voiced = problem and self._complaint_draw() < self._complaint_probability
        if voiced:
            customer.satisfaction_before_problem = before
            if journeys is not None:
                voice = "claim" if unit_problem else "complaint"
                journeys.record(
                    self._env.now, customer, voice, "repeat" if customer.complaints else "first"
                )
            self._desk.file(customer, self._complaint_closed)
        else:
            self._decide(customer, SILENT if problem else NO_PROBLEM)

    def _complaint_closed(self, customer: Customer, resolved: bool, fast: bool) -> None:
        if customer.active:
            credit = recovery_credit(
                self._recovery_credit[resolved, fast],
                customer.complaints,
                self._repeat_credit_factor,
            )
            self._set_satisfaction(
                customer,
                recovered_satisfaction(
                    customer.satisfaction_before_problem, customer.satisfaction, credit
                ),
            )
            outcome = OUTCOMES[resolved, fast]
            if self._journeys is not None:
                self._journeys.record(self._env.now, customer, "closed", outcome)
                if customer.complaints:
                    outcome += REPEAT
            customer.complaints += 1
            self._decide(customer, outcome)

    def _decide(self, customer: Customer, context: str = NO_PROBLEM) -> None:
        """Stay or leave. The decision also books the expected loss attributable to
        quality: how much less likely the customer is to stay than with the satisfaction a
        flawless experience would give (the hidden cost of lost sales). A contract customer
        stays until the renewal date (:mod:`.contracts`) and renews on staying after it."""
        tally, now, environment = self._tally, self._env._now, self._environment
        tally.repurchase_decisions += 1
        if not may_leave(now, customer.renewal_at):
            tally.repurchases += 1
            if self._journeys is not None:
                self._journeys.record(now, customer, "stayed", context + UNDER_CONTRACT)
            return
        segment = customer.segment
        competitor_quality = environment.competitor_quality(now)
        switching_cost = environment.switching_cost(now)
        stay = logistic(
            repurchase_log_odds(
                segment, customer.satisfaction, competitor_quality, switching_cost, self._price_gap
            )
        )
        flawless = self._flawless(segment, now)
        if flawless > customer.satisfaction:
            stay_if_flawless = logistic(
                repurchase_log_odds(
                    segment, flawless, competitor_quality, switching_cost, self._price_gap
                )
            )
            tally.customers_lost_to_quality += stay_if_flawless - stay
        if self._decision_draw() < stay:
            tally.repurchases += 1
            if customer.renewal_at > NO_CONTRACT:
                customer.renewal_at = next_renewal(customer.renewal_at, now, self._contract_term)
            if self._journeys is not None:
                self._journeys.record(now, customer, "stayed", context)
            return
        customer.active = False
        customer.lost_at = now
        self.active_customers -= 1
        self.satisfaction_sum -= customer.satisfaction
        self.satisfied_active -= customer.mood == SATISFIED
        self.dissatisfied_active -= customer.mood == DISSATISFIED
        self.competitor_customers += 1
        tally.customers_lost += 1
        if self._journeys is not None:
            self._journeys.record(now, customer, "left", context)

    # -- reporting ----------------------------------------------------------------------
    def mean_satisfaction(self) -> float:
        """Mean satisfaction of active customers (NaN if there are none). The running sum
        can drift by rounding (~1e-16 per update); the mean is kept on the 0-1 scale."""
        if not self.active_customers:
            self.satisfaction_sum = 0.0
            return math.nan
        return min(1.0, max(0.0, self.satisfaction_sum / self.active_customers))

    def table(self) -> pd.DataFrame:
        """One row per customer ever active: segment, dates (days), orders, satisfaction,
        complaints closed and the day their contract is next up (NaN: no contract)."""
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
                "personal_standard": [c.standard for c in rows],
                "complaints": [c.complaints for c in rows],
                "renewal_day": [
                    c.renewal_at if c.renewal_at > NO_CONTRACT else math.nan for c in rows
                ],
            }
        )
