"""The parameter sections of a :class:`~sqm_sim.config.Config`.

Each field states its unit, meaning, allowed range and where its default comes from.
Defaults describe the *baseline* company: a mid-sized maker of a durable product sold to
repeat business customers, with a basic quality system (sampling inspection, weekly SPC)
and no improvement programme. Figures marked "assumption" are round numbers chosen to be
plausible for such a firm; figures with a citation follow the calibration anchors
listed in the README.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from .fields import DurationDistribution, Section, duration_param, param


class SimulationSettings(Section):
    """Horizon and reporting grid of one run."""

    horizon_months: int = param(
        60,
        unit="months",
        description="simulated time span",
        source="5-year strategic horizon of the strategist's question (README: who it is for)",
        ge=1,
        le=600,
    )
    report_period_months: int = param(
        1,
        unit="months",
        description="length of one row of the time series (1 = monthly, 3 = quarterly)",
        source="monthly reporting, as in management accounts",
        ge=1,
        le=12,
    )


class MarketSettings(Section):
    """Customers and their ordering behaviour."""

    initial_customers: int = param(
        1500,
        unit="customers",
        description="active customers at time 0",
        source="assumption: mid-sized B2B supplier",
        ge=0,
        le=1_000_000,
    )
    prospects: int = param(
        6_000,
        unit="customers",
        description="finite pool of potential customers not yet buying from anyone "
        "(acquisition settings say how fast they are won)",
        source="assumption: a market still growing; with the Bass coefficients the installed "
        "base stays roughly steady over five years",
        ge=0,
        le=10_000_000,
    )
    purchase_cycle: DurationDistribution = duration_param(
        "gamma",
        25.0,
        0.5,
        unit="days",
        description="time between two orders of one customer at full share of wallet "
        "(renewal process; each order is one unit; the gap is divided by the customer's share "
        "of wallet w(S), see customers.share_of_wallet_floor)",
        source="assumption: monthly replenishment orders (every 25 days at full share of "
        "wallet, about every 30 days at the baseline's satisfaction)",
    )
    contract_share: float = param(
        0.5,
        unit="share of customers",
        description="share of customers (drawn once per customer) who buy under a contract "
        "and can leave only when it is up: their repurchase decisions before the renewal date "
        "are 'stay' (hostages; see contract_term_months)",
        source="Jones & Sasser 1995 'Why satisfied customers defect': contracts and other "
        "barriers hold dissatisfied customers until the barrier falls; share assumed",
        ge=0.0,
        le=1.0,
    )
    contract_term_months: float = param(
        12.0,
        unit="months",
        description="length of a contract; a contract customer decides for real only at the "
        "first decision on or after each renewal date, and one who stays renews for the next "
        "whole term",
        source="assumption: annual supply contracts",
        gt=0.0,
        le=120.0,
    )


class OperationsSettings(Section):
    """Production lines, defect generation and finished-goods inventory."""

    production_lines: int = param(
        2,
        unit="lines",
        description="parallel production lines, each making one unit at a time",
        source="assumption: sized for about 70% utilisation at baseline demand",
        ge=1,
        le=100,
    )
    cycle_time: DurationDistribution = duration_param(
        "gamma",
        40.0,
        0.3,
        unit="minutes",
        description="time to make one unit on one line (lines run around the clock)",
        source="assumption: 40 min, cv 0.3",
    )
    process_capability_cpk: float = param(
        1.0,
        unit="Cpk index",
        description="process capability while in control; defective share of a centred "
        "normal process is 2*Phi(-3*Cpk)",
        source="Montgomery, Introduction to SQC: Cpk 1.0 = 2,700 ppm, the minimum many "
        "customers require; typical of a firm without a capability programme",
        ge=0.3,
        le=3.0,
    )
    design_defect_ppm: float = param(
        800.0,
        unit="ppm",
        description="defects per million units caused by the product design itself",
        source="assumption: design-caused defects a third of the in-control process share",
        ge=0.0,
        le=1_000_000.0,
    )
    human_error_probability_untrained: float = param(
        0.006,
        unit="probability/unit",
        description="chance of a human-caused defect per unit for an operator with skill 0; "
        "scaled by (1 - workforce.skill)",
        source="assumption: operator error rates of 0.1-1% per manual step (Swain & "
        "Guttmann 1983 HRA handbook), a few steps per unit, most caught by the operator",
        ge=0.0,
        le=1.0,
    )
    adjustment_policy: Literal["none", "rule1", "rule2", "rule3", "rule4", "shewhart"] = param(
        "none",
        unit="-",
        description="opt-in: operators measure one unit every adjustment_interval_days and "
        "move the process setting (the mean, in process sigmas from the target): none or "
        "rule1 (leave it alone), rule2-rule4 (Deming's funnel: compensate, set opposite, set "
        "at the result) or shewhart (only outside +-3 sigma, by the mean deviation since the "
        "last move); the setting shifts the process like drift does "
        "(sqm_sim/models/process_control.py)",
        source="Deming 1986 (Out of the Crisis, ch. 11); none in the baseline",
    )
    adjustment_interval_days: float = param(
        1.0,
        unit="days",
        description="days between the operators' measurements when adjustment_policy is set",
        source="assumption: a measurement a shift",
        gt=0.0,
        le=365.0,
    )
    reorder_point_units: int = param(
        300,
        unit="units",
        description="(s, S) policy: release work orders when the inventory position falls to "
        "this level or below; -1 with order_up_to_units 0 means make-to-order",
        source="assumption: about 6 days of demand",
        ge=-1,
        le=10_000_000,
    )
    order_up_to_units: int = param(
        600,
        unit="units",
        description="(s, S) policy: release work orders to bring the inventory position "
        "(stock + work in process - backorders) up to this level; also the starting stock",
        source="assumption: about 12 days of demand",
        ge=0,
        le=10_000_000,
    )

    @model_validator(mode="after")
    def _policy_is_consistent(self) -> OperationsSettings:
        if self.reorder_point_units >= self.order_up_to_units:
            raise ValueError(
                f"reorder_point_units ({self.reorder_point_units}) must be below "
                f"order_up_to_units ({self.order_up_to_units})"
            )
        return self


class QualitySystemSettings(Section):
    """Appraisal (inspection), process monitoring (SPC) and prevention spending."""

    inspection_coverage: float = param(
        0.2,
        unit="share of units",
        description="share of finished units inspected before they go to stock",
        source="assumption: sampling inspection",
        ge=0.0,
        le=1.0,
    )
    detection_probability: float = param(
        0.8,
        unit="probability",
        description="chance that inspection finds a defect in an inspected defective unit",
        source="human inspection detects about 80% of defects (Drury & Watson 2002)",
        ge=0.0,
        le=1.0,
    )
    false_reject_probability: float = param(
        0.02,
        unit="probability",
        description="chance that inspection rejects a good unit",
        source="false-positive rates of a few % (See et al. 2017)",
        ge=0.0,
        le=1.0,
    )
    rework_share: float = param(
        0.7,
        unit="share of rejects",
        description="share of rejected units sent to rework; the rest is scrapped",
        source="assumption",
        ge=0.0,
        le=1.0,
    )
    rework_success_probability: float = param(
        0.9,
        unit="probability",
        description="chance that a reworked unit is good; failed rework is scrapped",
        source="assumption",
        ge=0.0,
        le=1.0,
    )
    rework_time_fraction: float = param(
        0.5,
        unit="cycle times",
        description="line time of one rework, as a multiple of a freshly drawn cycle time",
        source="assumption",
        gt=0.0,
        le=5.0,
    )
    drift_rate_per_month: float = param(
        0.25,
        unit="events/month",
        description="rate at which the process goes out of control (Poisson); 0 = never",
        source="assumption: an assignable cause every four months",
        ge=0.0,
        le=30.0,
    )
    drift_shift_sigma: float = param(
        1.5,
        unit="process sigma",
        description="shift of the process mean while out of control",
        source="the 1.5-sigma shift convention (Motorola six sigma; Montgomery)",
        ge=0.0,
        le=6.0,
    )
    monitoring_interval_days: float = param(
        7.0,
        unit="days",
        description="time between two SPC checks of the process",
        source="assumption: weekly control chart review",
        gt=0.0,
        le=365.0,
    )
    monitoring_detection_probability: float = param(
        0.5,
        unit="probability",
        description="chance that one SPC check detects an out-of-control process",
        source="x-bar chart, n = 4, 3-sigma limits, 1.5-sigma shift: power 0.5 (Montgomery)",
        ge=0.0,
        le=1.0,
    )
    correction_time_days: float = param(
        1.0,
        unit="days",
        description="time from detection to the process being back in control",
        source="assumption",
        ge=0.0,
        le=60.0,
    )
    prevention_spend_per_month: float = param(
        0.0,
        unit="currency/month",
        description="general prevention budget (procedures, supplier quality, preventive "
        "maintenance, poka-yoke); lowers process- and human-caused defects with "
        "diminishing returns (see prevention_effect_scale)",
        source="baseline has no improvement programme; prevention is the smallest CoQ "
        "share in such firms (Juran; Feigenbaum)",
        ge=0.0,
        le=1e9,
    )
    prevention_effect_scale: float = param(
        2500.0,
        unit="currency/month",
        description="process- and human-caused defect probabilities are multiplied by "
        "r_max' + (1 - r_max') exp(-spend / scale), r_max' = 1 - prevention_max_reduction",
        source="assumption: Juran's economic-conformance model (failure cost falls with "
        "diminishing returns as prevention rises); scale assumed",
        gt=0.0,
        le=1e9,
    )
    prevention_build_months: float = param(
        6.0,
        unit="months",
        description="time constant of the prevention capability that spending builds: "
        "each month the capability closes 1 - exp(-1 / value) of its gap to the current "
        "prevention spend, and the defect multiplier follows the capability, not the "
        "spend; 0 = prevention acts at once",
        source="assumption: procedures, supplier development, preventive maintenance and "
        "error-proofing take months to bite (Crosby 1979; Juran's Quality Handbook)",
        ge=0.0,
        le=120.0,
    )
    prevention_spend_before_per_month: float = param(
        0.0,
        unit="currency/month",
        description="prevention spend the firm sustained before the run: the capability's "
        "level at the start",
        source="baseline: no prevention programme before",
        ge=0.0,
        le=1e9,
    )
    prevention_max_reduction: float = param(
        0.8,
        unit="share",
        description="largest share of process- and human-caused defects that prevention "
        "spending alone can remove",
        source="assumption",
        ge=0.0,
        le=1.0,
    )


class DistributionSettings(Section):
    """Order fulfilment, dispatch and transit."""

    shipping_capacity_per_day: int = param(
        80,
        unit="units/day",
        description="units dispatched at the end of each day at most",
        source="assumption: about 1.6x mean daily demand",
        ge=1,
        le=10_000_000,
    )
    transit_time: DurationDistribution = duration_param(
        "lognormal",
        3.0,
        0.4,
        unit="days",
        description="time from dispatch to delivery",
        source="assumption: 3 days, lognormal, cv 0.4",
    )
    promised_lead_time_days: float = param(
        7.0,
        unit="days",
        description="on-time target: a delivery is on time if it arrives within this many "
        "days of the order",
        source="assumption: one-week delivery promise",
        gt=0.0,
        le=365.0,
    )
    damage_probability: float = param(
        0.005,
        unit="probability",
        description="chance that a unit is damaged in transit",
        source="assumption: 0.5% parcel damage",
        ge=0.0,
        le=1.0,
    )
    backorder_patience_days: float = param(
        21.0,
        unit="days",
        description="a backordered order not filled within this many days is cancelled",
        source="assumption: three weeks",
        gt=0.0,
        le=3650.0,
    )


class FinanceSettings(Section):
    """Prices, costs and the cost-of-quality rates (currency units are arbitrary)."""

    unit_price: float = param(
        120.0,
        unit="currency/unit",
        description="price per unit, booked as revenue at dispatch",
        source="assumption: 33% gross margin over unit_cost",
        gt=0.0,
        le=1e9,
    )
    unit_cost: float = param(
        80.0,
        unit="currency/unit",
        description="variable cost (material, direct labour) of making one unit; booked as "
        "production cost, or as internal failure if the unit is scrapped",
        source="assumption",
        ge=0.0,
        le=1e9,
    )
    fixed_cost_per_month: float = param(
        50_000.0,
        unit="currency/month",
        description="overheads not tied to volume or quality",
        source="assumption: leaves a single-digit operating margin",
        ge=0.0,
        le=1e12,
    )
    cost_per_inspection: float = param(
        3.0,
        unit="currency/unit",
        description="appraisal cost of inspecting one unit",
        source="assumption",
        ge=0.0,
        le=1e9,
    )
    monitoring_cost_per_check: float = param(
        250.0,
        unit="currency/check",
        description="appraisal cost of one SPC check (sampling, measurement, review)",
        source="assumption",
        ge=0.0,
        le=1e9,
    )
    rework_cost_per_unit: float = param(
        20.0,
        unit="currency/unit",
        description="internal failure cost of reworking one unit (labour, parts)",
        source="assumption",
        ge=0.0,
        le=1e9,
    )
    scrap_cost_per_unit: float = param(
        8.0,
        unit="currency/unit",
        description="disposal cost of one scrapped unit, on top of its lost unit_cost",
        source="assumption",
        ge=0.0,
        le=1e9,
    )
    warranty_cost_per_claim: float = param(
        200.0,
        unit="currency/claim",
        description="external failure cost of a defective unit reaching a customer: "
        "replacement, reverse logistics, handling",
        source="assumption: replacement at cost plus logistics and field handling",
        ge=0.0,
        le=1e9,
    )
    complaint_handling_cost: float = param(
        60.0,
        unit="currency/complaint",
        description="external failure cost of handling one complaint at the service desk",
        source="assumption: about an hour of agent and supervisor time plus goodwill",
        ge=0.0,
        le=1e9,
    )
    damage_claim_cost: float = param(
        110.0,
        unit="currency/claim",
        description="external failure cost of a unit damaged in transit (replacement, freight)",
        source="assumption",
        ge=0.0,
        le=1e9,
    )
    annual_discount_rate: float = param(
        0.10,
        unit="1/year",
        description="discount rate for NPV; monthly rate (1 + d)^(1/12) - 1, cash flows at "
        "the end of each month",
        source="assumption: typical corporate hurdle rate",
        ge=0.0,
        le=1.0,
    )
