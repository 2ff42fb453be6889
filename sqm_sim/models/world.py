"""Building the simulated company: all components wired on one SimPy environment."""

from __future__ import annotations

from dataclasses import dataclass

import simpy

from ..config import Config
from .acquisition import Acquisition
from .context import Context
from .customers import CustomerBase
from .distribution import Fulfilment
from .environment import MarketEnvironment
from .initiatives import lever_schedule
from .journeys import JourneyRecorder
from .ledger import FIXED_COST, PREVENTION, Ledger
from .management import Management, Report
from .operations import Production
from .people import People
from .quality import Inspection, ProcessControl
from .random_streams import RandomStreams
from .service_desk import ServiceDesk
from .tally import Tally
from .workforce import Workforce


@dataclass
class World:
    """The components of one simulated company whose state is read from outside: the
    run's collector samples :meth:`levels`, the tally and the ledger. Inspection and
    acquisition are built and run too, but are reached only through the components they
    serve (production calls the inspection; acquisition adds to the customer base)."""

    env: simpy.Environment
    tally: Tally
    ledger: Ledger
    process: ProcessControl
    production: Production
    fulfilment: Fulfilment
    environment: MarketEnvironment
    desk: ServiceDesk
    customers: CustomerBase
    workforce: Workforce
    management: Management

    def levels(self) -> dict[str, float]:
        """State variables at this instant (stocks, queues, populations)."""
        tally, now, customers = self.tally, self.env.now, self.customers
        active, competitor = customers.active_customers, customers.competitor_customers
        return {
            "stock_on_hand": self.fulfilment.stock_on_hand(),
            "backorders_open": self.fulfilment.backorders_open(),
            "awaiting_dispatch": self.fulfilment.awaiting_dispatch(),
            "in_transit": tally.units_shipped - tally.units_delivered,
            "work_orders_open": tally.work_orders_released - tally.units_produced,
            "units_in_rework": tally.rework_started - tally.units_reworked,
            "active_customers": active,
            "satisfied_customers": customers.satisfied_active,
            "dissatisfied_customers": customers.dissatisfied_active,
            "prospects_remaining": customers.prospects_remaining,
            "complaints_open": self.desk.complaints_open,
            "out_of_control_days": self.process.out_of_control_days(),
            "mean_satisfaction": customers.mean_satisfaction(),
            "competitor_customers": competitor,
            "market_share": active / (active + competitor) if active else 0.0,
            "state_of_the_art": self.environment.state_of_the_art(now),
            "competitor_quality": self.environment.competitor_quality(now),
            "switching_cost": self.environment.switching_cost(now),
            "average_skill": self.workforce.average_skill(),
            "share_involved": self.management.share_involved,
            "improvement_factor": self.workforce.improvement_factor,
            "capability": self.workforce.capability,
            "improvement_time_share": self.management.improvement_time_share,
            "schedule_pressure": self.management.schedule_pressure,
            "operators": self.workforce.operators,
            "feature_level": customers.feature_level,
            "capacity_loss": self.management.capacity_loss,
            "defect_probability": self.production.current_defect_probability(),
            "employee_satisfaction": self._people("employee_satisfaction"),
            "desk_skill": self._people("desk_skill"),
            "recovery_quality": self.desk.recovery_quality,
            "production_lines": self.production.lines,
        }

    def _people(self, level: str) -> float:
        """Employee satisfaction or the agents' mean skill; with people off, their
        reference values (people.reference_satisfaction, people.agent_skill), at which the
        model's turnover and recovery are exactly the configured ones."""
        people, settings = self.management.people, self.management.config.people
        if level == "desk_skill":
            return settings.agent_skill if people is None else people.agents.average_skill()
        return settings.reference_satisfaction if people is None else people.employee_satisfaction


def build_world(
    env: simpy.Environment,
    config: Config,
    streams: RandomStreams,
    journeys: JourneyRecorder | None = None,
    reported: Report | None = None,
) -> World:
    """Create and connect every component; recurring monthly costs are booked here.
    ``journeys``, if given, records every customer's events (see :mod:`.journeys`).

    Every component takes the shared :class:`Context`; those whose settings follow the
    initiatives also take month 0's levers, and management pushes each later month's.
    ``reported`` gives management the monthly report its decision rules read (needed only
    if the portfolio has rules)."""
    months = config.simulation.horizon_months
    tally = Tally()
    ledger = Ledger(env, months)
    context = Context(env, config, streams, tally, ledger)
    ledger.book_every_month(FIXED_COST, config.finance.fixed_cost_per_month)
    ledger.book_every_month(PREVENTION, config.quality.prevention_spend_per_month)
    schedule = lever_schedule(config)
    first = schedule[0]

    workforce = Workforce(context)
    process = ProcessControl(context, first)
    production = Production(context, first, process, workforce)
    fulfilment = Fulfilment(context, initial_stock=config.operations.order_up_to_units)
    inspection = Inspection(context, first, production, fulfilment.receive_unit)
    production.connect(fulfilment, inspection.inspect, inspection.finish_rework)
    environment = MarketEnvironment(context)
    desk = ServiceDesk(context, first)
    customers = CustomerBase(context, first, environment, desk, fulfilment.place_order, journeys)
    Acquisition(context, customers)  # runs as a SimPy process; adds to the customer base
    takers = (fulfilment, customers, process, inspection, desk, production)
    people = People(context, production, desk) if config.people.model == "on" else None
    management = Management(
        context, schedule, workforce, takers, reported, fulfilment, people, production
    )
    fulfilment.on_placed = production.review
    fulfilment.on_delivered = customers.on_delivered
    fulfilment.on_cancelled = customers.on_cancelled
    return World(
        env,
        tally,
        ledger,
        process,
        production,
        fulfilment,
        environment,
        desk,
        customers,
        workforce,
        management,
    )
