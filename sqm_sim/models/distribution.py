"""Distribution: filling orders from stock or backorder, daily dispatch, transit, delivery.

Story of an order: it is filled at once from finished-goods stock if there is any (and no
older backorder waits), otherwise it waits as a backorder and takes the next unit that
reaches stock (first come, first served). A backorder not filled within
``backorder_patience_days`` is cancelled. Filled orders wait for the end-of-day dispatch,
which ships at most ``shipping_capacity_per_day`` units (oldest first); revenue is booked at
dispatch. Each unit travels for a random transit time and arrives damaged with
``damage_probability``; it is on time if it arrives within ``promised_lead_time_days`` of
the order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from .context import Component, Context
from .initiatives import Levers
from .ledger import REVENUE


class Order:
    """One customer order for one unit, and the unit it got once filled (whether it was
    made defective; whether it arrived damaged)."""

    __slots__ = ("customer", "damaged", "defective", "placed_at")

    def __init__(self, customer: object, placed_at: float) -> None:
        self.customer = customer
        self.placed_at = placed_at  # day
        self.defective = False
        self.damaged = False


DeliveryHandler = Callable[[Order, bool, bool, bool], None]
"""Called on delivery with (order, defective, damaged, on_time)."""


class Fulfilment(Component):
    """Finished-goods stock, backorders, dispatch and transit."""

    def __init__(
        self,
        context: Context,
        initial_stock: int,
    ) -> None:
        super().__init__(context)
        env, config, streams = context.env, context.config, context.streams
        dist = config.distribution
        self._price = config.finance.unit_price
        self._capacity = dist.shipping_capacity_per_day
        self._promised = dist.promised_lead_time_days
        self._patience = dist.backorder_patience_days
        self._damage_probability = dist.damage_probability
        self._transit_time = streams.duration("transit_time", dist.transit_time)
        self._damage_draw = streams.uniform("transit_damage")
        # stock holds the defect flag of each unit (starting stock: inspected, good)
        self._stock: deque[bool] = deque([False] * initial_stock)
        self._backorders: deque[Order] = deque()
        self._awaiting_dispatch: deque[Order] = deque()  # filled, oldest first
        self.on_placed: Callable[[], None] = lambda: None
        self.on_delivered: DeliveryHandler = lambda *_: None
        self.on_cancelled: Callable[[Order], None] = lambda _order: None
        env.process(self._end_of_day())

    # -- levels -------------------------------------------------------------------------
    def stock_on_hand(self) -> int:
        """Units in finished-goods stock."""
        return len(self._stock)

    def backorders_open(self) -> int:
        """Orders waiting for a unit."""
        return len(self._backorders)

    def awaiting_dispatch(self) -> int:
        """Filled orders not yet shipped."""
        return len(self._awaiting_dispatch)

    # -- flows --------------------------------------------------------------------------
    def place_order(self, order: Order) -> None:
        """A customer orders one unit."""
        tally = self._tally
        tally.orders_placed += 1
        if self._stock:
            tally.orders_filled_from_stock += 1
            self._allocate(order, self._stock.popleft())
        else:
            tally.orders_backordered += 1
            self._backorders.append(order)
        self.on_placed()

    def receive_unit(self, defective: bool) -> None:
        """A finished unit reaches stock; the oldest backorder takes it, if any."""
        self._tally.units_to_stock += 1
        if self._backorders:
            self._allocate(self._backorders.popleft(), defective)
        else:
            self._stock.append(defective)

    def _allocate(self, order: Order, defective: bool) -> None:
        tally = self._tally
        tally.orders_allocated += 1
        tally.fulfilment_wait_days_total += self._env._now - order.placed_at
        order.defective = defective
        self._awaiting_dispatch.append(order)

    def _end_of_day(self):
        """Every day: cancel overdue backorders, then dispatch up to capacity."""
        env = self._env
        while True:
            yield env.timeout(1.0)
            self._cancel_overdue()
            self._dispatch()

    def _cancel_overdue(self) -> None:
        backorders, deadline = self._backorders, self._env.now - self._patience
        while backorders and backorders[0].placed_at < deadline:
            order = backorders.popleft()
            self._tally.orders_cancelled += 1
            self.on_cancelled(order)

    def apply_levers(self, levers: Levers) -> None:
        """The month's price (booked as revenue at dispatch)."""
        self._price = levers.unit_price

    def _dispatch(self) -> None:
        tally, queue = self._tally, self._awaiting_dispatch
        shipped = min(self._capacity, len(queue))
        damage_draw, damage_probability = self._damage_draw, self._damage_probability
        add, transit_time, deliver = self._calendar.add, self._transit_time, self._deliver
        for _ in range(shipped):
            order = queue.popleft()
            order.damaged = damage_draw() < damage_probability
            add(transit_time(), deliver, order)
            tally.defective_shipped += order.defective
        tally.units_shipped += shipped
        self._ledger.book(REVENUE, self._price * shipped)

    def _deliver(self, order: Order) -> None:
        tally = self._tally
        lead_time = self._env._now - order.placed_at
        on_time = lead_time <= self._promised
        tally.units_delivered += 1
        tally.delivery_lead_time_days_total += lead_time
        tally.deliveries_on_time += on_time
        tally.units_damaged += order.damaged
        self.on_delivered(order, order.defective, order.damaged, on_time)
