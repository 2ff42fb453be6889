"""Config sections of the demand side: product, customers and segments, complaint service,
word of mouth and the external environment.

Satisfaction, experience and expectation live on a 0-1 scale (1 = the best experience the
market knows). Loyalty coefficients act on the log-odds of repurchasing.
"""

from __future__ import annotations

from pydantic import model_validator

from .fields import DurationDistribution, Section, duration_param, param


class ProductSettings(Section):
    """What the product offers, relative to the market's state of the art."""

    feature_level: float = param(
        0.8,
        unit="index (state of the art at t=0 = 1)",
        description="performance and features of the product; the performance a customer "
        "experiences is feature_level / state_of_the_art(t)",
        source="assumption: a solid product behind the best on the market; puts mean "
        "satisfaction near 0.85, the upper range of ACSI scores (Fornell et al. 1996)",
        gt=0.0,
        le=3.0,
    )


class SegmentSettings(Section):
    """A customer segment: what its members notice and what keeps them buying.

    Experience x = w_perf * performance + w_rel * (no defect, no damage) + w_del * on time.
    Repurchase probability = 1 / (1 + exp(-u)) with
    u = loyalty_intercept + satisfaction_weight * (S - competitor_quality(t))
        + switching_cost_weight * switching_cost(t) * (1 - S)
        - price_weight * (price / competitor_price - 1).
    Switching costs hold customers in proportion to their dissatisfaction (Jones & Sasser
    1995), so satisfaction_weight >= switching_cost_weight keeps loyalty rising with S.
    """

    share: float = param(
        0.5,
        unit="share of customers",
        description="share of customers (and of new customers) in this segment; shares sum to 1",
        source="assumption",
        ge=0.0,
        le=1.0,
    )
    weight_performance: float = param(
        0.4,
        unit="weight",
        description="weight of product performance in the experience",
        source="assumption (Garvin's dimensions of quality: performance)",
        ge=0.0,
        le=1.0,
    )
    weight_reliability: float = param(
        0.4,
        unit="weight",
        description="weight of receiving a working, undamaged unit",
        source="assumption (Garvin: reliability, conformance)",
        ge=0.0,
        le=1.0,
    )
    weight_delivery: float = param(
        0.2,
        unit="weight",
        description="weight of on-time delivery",
        source="assumption",
        ge=0.0,
        le=1.0,
    )
    loyalty_intercept: float = param(
        1.9,
        unit="log-odds",
        description="log-odds of repurchasing at satisfaction equal to competitor quality, no "
        "switching cost, equal price; with zero weights, repurchase probability = "
        "1/(1+exp(-intercept)) for every decision",
        source="calibrated (with the shipped segments' weights, half the customers on annual "
        "contracts) so the baseline keeps about 78% of its customers a year (Reichheld & "
        "Sasser 1990: 70-90%)",
        ge=-40.0,
        le=40.0,
    )
    satisfaction_weight: float = param(
        6.0,
        unit="log-odds per unit satisfaction",
        description="effect of satisfaction above the competitor's quality on repurchase",
        source="Anderson, Fornell & Lehmann 1994 (satisfaction -> loyalty); shipped segments "
        "calibrated so a silent customer who just got a defective unit stays with about 0.5-0.6 "
        "per decision (TARP: 37% / 9% of silent customers with a problem would buy again)",
        ge=0.0,
        le=100.0,
    )
    switching_cost_weight: float = param(
        3.0,
        unit="log-odds per unit switching cost at zero satisfaction",
        description="effect of switching costs on a customer with satisfaction S, scaled by "
        "1 - S: none on the completely satisfied, full on the completely dissatisfied; at "
        "most satisfaction_weight",
        source="Jones & Sasser 1995; Jones, Mothersbaugh & Beatty 2000: switching costs "
        "matter most when satisfaction is low; magnitude assumed",
        ge=0.0,
        le=100.0,
    )
    price_weight: float = param(
        2.0,
        unit="log-odds per relative price gap",
        description="effect of being dearer than the competitor (price / competitor_price - 1)",
        source="assumption",
        ge=0.0,
        le=100.0,
    )

    @model_validator(mode="after")
    def _satisfaction_outweighs_switching_cost(self) -> SegmentSettings:
        if self.switching_cost_weight > self.satisfaction_weight:
            raise ValueError(
                f"switching_cost_weight ({self.switching_cost_weight:g}) must not exceed "
                f"satisfaction_weight ({self.satisfaction_weight:g}): with a switching cost "
                "of 1, satisfaction would lower loyalty"
            )
        return self

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> SegmentSettings:
        total = self.weight_performance + self.weight_reliability + self.weight_delivery
        if abs(total - 1.0) > 1e-9:
            raise ValueError(
                f"experience weights must sum to 1 (weight_performance + weight_reliability + "
                f"weight_delivery = {total:g})"
            )
        return self


def default_segments() -> dict[str, SegmentSettings]:
    """Two segments: quality-driven (60%) and price-driven (40%)."""
    return {
        "quality_driven": SegmentSettings(
            share=0.6,
            weight_performance=0.45,
            weight_reliability=0.4,
            weight_delivery=0.15,
            loyalty_intercept=2.8,
            satisfaction_weight=10.4,
            switching_cost_weight=4.0,
            price_weight=1.0,
        ),
        "price_driven": SegmentSettings(
            share=0.4,
            weight_performance=0.3,
            weight_reliability=0.4,
            weight_delivery=0.3,
            loyalty_intercept=2.6,
            satisfaction_weight=9.0,
            switching_cost_weight=3.0,
            price_weight=8.0,
        ),
    }


class CustomerSettings(Section):
    """Expectation-disconfirmation satisfaction, shared by all segments.

    On each delivery with experience x, expectation E and the customer's personal standard
    d (drawn once, normal with sd expectation_spread):
      transaction satisfaction s = clip(x + w * (x - E), 0, 1), w = disconfirmation_weight_
                                   positive if x >= E else disconfirmation_weight_negative
      satisfaction S <- S + m * (s - S), m = satisfaction_memory_positive if s >= S
                                         else satisfaction_memory_negative
      expectation  E <- E + expectation_adaptation * (max(0, x + d) - E), E0 = max(0, E0 + d)
    """

    initial_satisfaction: float = param(
        0.92,
        unit="0-1 scale",
        description="satisfaction of every customer at time 0 and of new customers",
        source="the baseline's flawless experience at time 0, weighted by segment (0.91 "
        "quality-driven, 0.94 price-driven): no start-up transient",
        ge=0.0,
        le=1.0,
    )
    initial_expectation: float = param(
        0.92,
        unit="0-1 scale",
        description="expected experience of every customer at time 0 and of new customers "
        "(plus their personal standard, see expectation_spread)",
        source="the baseline's experience at time 0 (expectations adapted to it)",
        ge=0.0,
        le=1.0,
    )
    satisfaction_memory_negative: float = param(
        0.6,
        unit="weight",
        description="weight of the latest transaction in satisfaction when it is worse than "
        "the satisfaction so far (exponential memory: recent experiences weigh more)",
        source="assumption: cumulative satisfaction (Anderson, Fornell & Lehmann 1994)",
        ge=0.0,
        le=1.0,
    )
    satisfaction_memory_positive: float = param(
        0.08,
        unit="weight",
        description="weight of the latest transaction in satisfaction when it is better than "
        "the satisfaction so far; below satisfaction_memory_negative, satisfaction recovers "
        "more slowly than it falls",
        source="assumption: negative experiences weigh more and longer than positive ones "
        "(Anderson & Sullivan 1993; Baumeister et al. 2001 'bad is stronger than good')",
        ge=0.0,
        le=1.0,
    )
    expectation_adaptation: float = param(
        0.2,
        unit="weight",
        description="share of the gap between experience (plus the customer's personal "
        "standard) and expectation closed per delivery",
        source="assumption: adaptive expectations",
        ge=0.0,
        le=1.0,
    )
    expectation_spread: float = param(
        0.07,
        unit="0-1 scale",
        description="standard deviation across customers of their personal standard: the "
        "offset, drawn once per customer from a normal distribution, that their expectation "
        "holds above (or below) what they experience; 0 = every customer expects the same",
        source="assumption: customers differ in personal needs and desired service "
        "(Zeithaml, Berry & Parasuraman 1993)",
        ge=0.0,
        le=0.5,
    )
    disconfirmation_weight_positive: float = param(
        0.5,
        unit="ratio",
        description="how strongly a pleasant surprise (experience above expectation) moves "
        "transaction satisfaction",
        source="expectation-disconfirmation model (Oliver 1980); magnitude assumed",
        ge=0.0,
        le=10.0,
    )
    disconfirmation_weight_negative: float = param(
        1.5,
        unit="ratio",
        description="how strongly a disappointment (experience below expectation) moves "
        "transaction satisfaction",
        source="Anderson & Sullivan 1993; Mittal, Ross & Baldasare 1998: negative "
        "disconfirmation weighs more than positive; magnitude assumed",
        ge=0.0,
        le=10.0,
    )
    satisfied_threshold: float = param(
        0.8,
        unit="0-1 scale",
        description="satisfaction at or above which a customer counts as satisfied and "
        "spreads positive word of mouth",
        source="assumption (top-box style threshold)",
        ge=0.0,
        le=1.0,
    )
    dissatisfied_threshold: float = param(
        0.5,
        unit="0-1 scale",
        description="satisfaction below which a customer counts as dissatisfied and spreads "
        "negative word of mouth; a transaction below it may trigger a complaint",
        source="below the middle of the scale (3 of 5 mapped to 0.5): the 1-2 answers "
        "counted as dissatisfied in surveys (Jones & Sasser 1995)",
        ge=0.0,
        le=1.0,
    )
    share_of_wallet_floor: float = param(
        0.2,
        unit="share of purchases",
        description="share of wallet of a customer at satisfaction 0: a customer at "
        "satisfaction S orders at rate w(S) = floor + (1 - floor) * S ** "
        "share_of_wallet_exponent per mean purchase cycle (1 = share of wallet does not "
        "depend on satisfaction)",
        source="Keiningham, Perkins-Munn & Evans 2003; Cooil, Keiningham, Aksoy & Hsu 2007: "
        "satisfaction drives share of wallet, nonlinearly; level assumed",
        gt=0.0,
        le=1.0,
    )
    share_of_wallet_exponent: float = param(
        2.0,
        unit="exponent",
        description="curvature of share of wallet in satisfaction (above 1: convex, share of "
        "wallet rises fastest near complete satisfaction)",
        source="Keiningham et al. 2003; Cooil et al. 2007: a nonlinear relation; exponent assumed",
        ge=0.0,
        le=10.0,
    )

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> CustomerSettings:
        if self.dissatisfied_threshold > self.satisfied_threshold:
            raise ValueError(
                f"dissatisfied_threshold ({self.dissatisfied_threshold}) must not exceed "
                f"satisfied_threshold ({self.satisfied_threshold})"
            )
        return self


class ServiceSettings(Section):
    """The customer-service desk: complaints and service recovery."""

    complaint_probability: float = param(
        0.1,
        unit="probability",
        description="chance that a customer whose transaction satisfaction is below "
        "customers.dissatisfied_threshold, with no defective or damaged unit (a late "
        "delivery, a cancelled order, a product behind expectations), complains",
        source="TARP: about 1 in 25 customers with a small problem complain to head office, "
        "more to front-line staff; 0.1 assumed between them",
        ge=0.0,
        le=1.0,
    )
    desk_staff: int = param(
        2,
        unit="agents",
        description="agents handling complaints in parallel; 0 = complaints are not handled "
        "(every complaint ends unresolved)",
        source="assumption",
        ge=0,
        le=10_000,
    )
    recovery_quality: float = param(
        0.7,
        unit="probability",
        description="chance that a handled complaint is resolved to the customer's satisfaction",
        source="assumption",
        ge=0.0,
        le=1.0,
    )
    fast_resolution_days: float = param(
        2.0,
        unit="days",
        description="a resolution within this many days of the complaint counts as fast",
        source="assumption",
        gt=0.0,
        le=365.0,
    )
    claim_probability: float = param(
        0.5,
        unit="probability",
        description="chance that a customer who receives a defective or damaged unit claims "
        "(warranty or damage claim: the claim goes to the complaint desk and costs the "
        "claim cost); the others stay silent and the firm never hears of the problem",
        source="TARP (Goodman): about half of customers with a large (costly) problem "
        "complain to the front line",
        ge=0.0,
        le=1.0,
    )
    recovery_credit_fast: float = param(
        1.2,
        unit="share of the satisfaction lost",
        description="satisfaction given back by a complaint resolved fast, as a share of what "
        "the problem took; above 1 = the recovery paradox (first failure only, see "
        "repeat_failure_credit_factor)",
        source="TARP: 95% (small) / 82% (large problems) stay loyal after a quick resolution; "
        "Smith & Bolton 1998; level assumed",
        ge=0.0,
        le=3.0,
    )
    recovery_credit_slow: float = param(
        0.6,
        unit="share of the satisfaction lost",
        description="satisfaction given back by a complaint resolved, but slowly",
        source="TARP: 70% / 54% stay loyal when satisfied with the response; level assumed",
        ge=0.0,
        le=3.0,
    )
    recovery_credit_failed: float = param(
        0.15,
        unit="share of the satisfaction lost",
        description="satisfaction given back by a complaint that ends unresolved (being heard)",
        source="TARP: 46% / 19% stay loyal after an unsatisfactory complaint, against 37% / 9% "
        "of silent customers; level assumed",
        ge=0.0,
        le=3.0,
    )
    repeat_failure_credit_factor: float = param(
        0.5,
        unit="multiplier per earlier complaint",
        description="each complaint the customer made before shrinks the credit of the next "
        "recovery by this factor (a second failure after a recovery hurts more)",
        source="Maxham & Netemeyer 2002: the recovery paradox holds after a first failure, "
        "not after a second; factor assumed",
        ge=0.0,
        le=1.0,
    )
    handling_time: DurationDistribution = duration_param(
        "gamma",
        0.25,
        0.7,
        unit="days",
        description="agent time to handle one complaint",
        source="assumption: about 6 hours of elapsed handling per complaint",
    )


class AcquisitionSettings(Section):
    """New customers: Bass-type diffusion from the prospect pool, with word of mouth.

    Per year, each prospect becomes a customer with hazard
      marketing_rate + referral_rate * satisfied / market_size
    and is lost to the competitor with hazard
      referral_rate * negative_wom_weight * dissatisfied / market_size,
    where market_size = initial customers + competitor customers + prospects at t=0.
    The competitor's customers (its own, those we lost, those deterred) return to the
    prospect pool at environment.competitor_churn_per_year.
    """

    marketing_rate_per_year: float = param(
        0.03,
        unit="1/year",
        description="Bass innovation coefficient p: acquisition hazard per prospect from "
        "marketing alone",
        source="Bass 1969; Sultan, Farley & Lehmann 1990 meta-analysis mean p = 0.03",
        ge=0.0,
        le=10.0,
    )
    referral_rate_per_year: float = param(
        0.38,
        unit="1/year",
        description="Bass imitation coefficient q: word-of-mouth hazard per prospect when "
        "every member of the market is a satisfied customer of ours",
        source="Sultan, Farley & Lehmann 1990 meta-analysis mean q = 0.38",
        ge=0.0,
        le=10.0,
    )
    negative_wom_weight: float = param(
        1.0,
        unit="ratio",
        description="strength of a dissatisfied customer's word of mouth relative to a "
        "satisfied one's (deters prospects)",
        source="TARP: dissatisfied tell more people; East, Hammond & Lomax 2008: positive "
        "WOM more frequent; 1 = balanced, a parameter to vary",
        ge=0.0,
        le=20.0,
    )


class EnvironmentSettings(Section):
    """The external environment: competitor, norms, switching costs, technology, demand."""

    competitor_customers: int = param(
        1500,
        unit="customers",
        description="customers of the competitor at time 0 (for market share)",
        source="assumption: two equal incumbents",
        ge=0,
        le=100_000_000,
    )
    competitor_churn_per_year: float = param(
        0.3,
        unit="1/year",
        description="rate at which the competitor's customers leave it and return to the "
        "prospect pool (where we may win them, or win back customers we lost)",
        source="assumption: about the baseline firm's own churn (70% annual retention)",
        ge=0.0,
        le=12.0,
    )
    competitor_quality: float = param(
        0.8,
        unit="0-1 scale",
        description="quality a customer expects from the competitor at time 0 (compared with "
        "own satisfaction in the repurchase decision)",
        source="assumption: a competitor about as good as the baseline firm",
        ge=0.0,
        le=1.0,
    )
    competitor_quality_trend_per_year: float = param(
        0.01,
        unit="1/year",
        description="yearly increase of competitor quality (industry trend), capped at 1",
        source="assumption: slow industry-wide improvement",
        ge=-1.0,
        le=1.0,
    )
    competitor_price: float = param(
        120.0,
        unit="currency/unit",
        description="the competitor's price",
        source="assumption: same as the baseline price",
        gt=0.0,
        le=1e9,
    )
    expectation_growth_per_year: float = param(
        0.02,
        unit="1/year",
        description="yearly growth of the market's state of the art (customs and norms): "
        "performance = feature_level / state_of_the_art",
        source="assumption: rising expectations (README: the causal chain)",
        ge=0.0,
        le=1.0,
    )
    initial_state_of_the_art: float = param(
        1.0,
        unit="index",
        description="the market's state of the art (norms x technology) at time 0, which "
        "expectation growth and technology shocks then multiply; 1 = the norms at which "
        "feature_level and customers.initial_expectation are set",
        source="reference level 1; a calibrated profile sets it to the level at the end of "
        "its history (median of the posterior simulations' last month)",
        gt=0.0,
        le=100.0,
    )
    technology_shock_rate_per_year: float = param(
        0.0,
        unit="1/year",
        description="rate of random technology shocks (Poisson)",
        source="assumption: none in the baseline",
        ge=0.0,
        le=12.0,
    )
    technology_shock_months: tuple[int, ...] = param(
        (),
        unit="months",
        description="months at which a technology shock happens for sure",
        source="scenario input",
        strict=False,
    )
    technology_shock_size: float = param(
        0.15,
        unit="relative jump",
        description="each shock multiplies the state of the art by (1 + size)",
        source="assumption",
        ge=0.0,
        le=5.0,
    )
    switching_cost: float = param(
        0.5,
        unit="0-1 scale",
        description="procedural, financial and relational cost of changing supplier",
        source="Burnham, Frels & Mahajan 2003; level assumed",
        ge=0.0,
        le=1.0,
    )
    switching_cost_change_month: int = param(
        0,
        unit="months",
        description="month from which switching_cost_after applies (e.g. a regulation); "
        "0 = no change",
        source="scenario input",
        ge=0,
        le=600,
    )
    switching_cost_after: float = param(
        0.5,
        unit="0-1 scale",
        description="switching cost from switching_cost_change_month on",
        source="scenario input",
        ge=0.0,
        le=1.0,
    )
    seasonality_amplitude: float = param(
        0.0,
        unit="relative",
        description="amplitude of the yearly demand cycle (order rate x (1 + a sin))",
        source="assumption: none in the baseline",
        ge=0.0,
        le=0.9,
    )
    seasonality_peak_month: float = param(
        3.0,
        unit="months",
        description="month of the year (0-12) at which seasonal demand peaks",
        source="assumption",
        ge=0.0,
        le=12.0,
    )
    economic_cycle_amplitude: float = param(
        0.0,
        unit="relative",
        description="amplitude of the business cycle in demand",
        source="assumption: none in the baseline",
        ge=0.0,
        le=0.9,
    )
    economic_cycle_years: float = param(
        6.0,
        unit="years",
        description="length of one business cycle",
        source="typical post-war business-cycle length (NBER)",
        gt=0.0,
        le=50.0,
    )

    @model_validator(mode="after")
    def _shock_months_valid(self) -> EnvironmentSettings:
        bad = [m for m in self.technology_shock_months if m < 1]
        if bad:
            raise ValueError(f"technology_shock_months must be >= 1, got {bad}")
        return self
