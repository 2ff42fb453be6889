"""Building the simulated company: all components wired on one SimPy environment."""

from __future__ import annotations

from dataclasses import dataclass

import simpy

from ..config import Config
from ..random_streams import RandomStreams
from .customers import CustomerBase
from .distribution import Fulfilment
from .ledger import FIXED_COST, PREVENTION, Ledger
from .operations import Production
from .quality import Inspection, ProcessControl
from .tally import Tally


@dataclass
class World:
    """The components of one simulated company and their shared state."""

    env: simpy.Environment
    config: Config
    tally: Tally
    ledger: Ledger
    process: ProcessControl
    production: Production
    inspection: Inspection
    fulfilment: Fulfilment
    customers: CustomerBase

    def levels(self) -> dict[str, float]:
        """State variables at this instant (stocks, queues, populations)."""
        tally = self.tally
        return {
            "stock_on_hand": self.fulfilment.stock_on_hand(),
            "backorders_open": self.fulfilment.backorders_open(),
            "awaiting_dispatch": self.fulfilment.awaiting_dispatch(),
            "in_transit": tally.units_shipped - tally.units_delivered,
            "work_orders_open": tally.work_orders_released - tally.units_produced,
            "units_in_rework": tally.rework_started - tally.units_reworked,
            "active_customers": self.customers.active_customers,
            "prospects_remaining": self.customers.prospects_remaining,
            "out_of_control_days": self.process.out_of_control_days(),
        }


def build_world(env: simpy.Environment, config: Config, streams: RandomStreams) -> World:
    """Create and connect every component; recurring monthly costs are booked here."""
    months = config.simulation.horizon_months
    tally = Tally()
    ledger = Ledger(env, months)
    ledger.book_every_month(FIXED_COST, config.finance.fixed_cost_per_month)
    ledger.book_every_month(PREVENTION, config.quality.prevention_spend_per_month)

    process = ProcessControl(env, config, streams, tally, ledger)
    production = Production(env, config, streams, tally, ledger, process)
    fulfilment = Fulfilment(
        env, config, streams, tally, ledger, initial_stock=config.operations.order_up_to_units
    )
    inspection = Inspection(config, streams, tally, ledger, production, fulfilment.receive_unit)
    production.connect(fulfilment, inspection.inspect, inspection.finish_rework)
    customers = CustomerBase(env, config, streams, tally, ledger, fulfilment.place_order)
    fulfilment.on_placed = production.review
    fulfilment.on_delivered = customers.on_delivered
    fulfilment.on_cancelled = customers.on_cancelled
    return World(env, config, tally, ledger, process, production, inspection, fulfilment, customers)
