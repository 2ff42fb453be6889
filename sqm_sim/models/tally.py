"""Cumulative event counters shared by the model components.

Components increment these as things happen; the collector samples them at the end of
every month, and the differences give the monthly flows of the time series.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Tally:
    """Cumulative counts since time 0 (units, orders, customers, days)."""

    # orders
    orders_placed: int = 0
    orders_filled_from_stock: int = 0
    orders_backordered: int = 0
    orders_allocated: int = 0
    orders_cancelled: int = 0
    fulfilment_wait_days_total: float = 0.0
    # production and quality
    work_orders_released: int = 0
    units_produced: int = 0
    defects_produced: int = 0
    units_inspected: int = 0
    units_rejected: int = 0
    defects_detected: int = 0
    rework_started: int = 0
    units_reworked: int = 0
    units_scrapped: int = 0
    units_to_stock: int = 0
    drift_events: int = 0
    drift_detections: int = 0
    spc_checks: int = 0
    # distribution
    units_shipped: int = 0
    defective_shipped: int = 0
    units_delivered: int = 0
    deliveries_on_time: int = 0
    delivery_lead_time_days_total: float = 0.0
    units_damaged: int = 0
    # customers and service
    complaints_filed: int = 0
    complaints_closed: int = 0
    complaints_resolved: int = 0
    complaints_resolved_fast: int = 0
    complaint_days_total: float = 0.0
    customers_referred: int = 0
    prospects_deterred: int = 0
    returned_to_market: int = 0
    warranty_claims: int = 0
    damage_claims: int = 0
    customers_acquired: int = 0
    customers_lost: int = 0
    customers_lost_to_quality: float = 0.0
    """expected customers lost because service fell short of a flawless experience"""
    orders_lost_to_quality: float = 0.0
    """expected orders not placed because share of wallet fell short of a flawless
    experience's (:mod:`.wallet`)"""
    repurchase_decisions: int = 0
    repurchases: int = 0
    # people
    staff_departures: int = 0
    """operators (and, with employee satisfaction on, desk agents) who left"""

    @classmethod
    def names(cls) -> list[str]:
        """The counter names, in declaration order."""
        return [f.name for f in fields(cls)]

    def snapshot(self) -> dict[str, float]:
        """Current values of all counters."""
        return {name: getattr(self, name) for name in self.names()}
