"""Findings computed from a lesson's runs: the numbers, and a sentence that states them.

Each finding is a function of the lesson and its runs (never typed-in numbers); the lesson
file names one by its key in :data:`FINDINGS`. ``numbers`` holds what the sentence says, so
tests check the arithmetic and the page can show it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..config import ConfigError
from ..experiments.voice import tarp_table
from ..models.journeys import NO_PROBLEM, OUTCOMES, SILENT
from ..models.operations import process_defect_share
from ..models.units import DAYS_PER_MONTH
from ..report.numbers import number
from ..run import RunResult
from .lessons import Lesson, LessonRuns
from .whatif import mean_summary, monthly_band


@dataclass(frozen=True)
class Finding:
    """What a lesson's runs show: a sentence and the numbers in it, and for some a table
    (rows of plain values, as the page shows them)."""

    text: str
    numbers: dict[str, float]
    table: tuple[dict[str, Any], ...] = ()


def _money(value: float) -> str:
    return number(value, "currency")


def _share(value: float) -> str:
    return number(value, "share")


def _moves(before: float, after: float) -> str:
    """The verb for a change from ``before`` to ``after``."""
    return "lifts" if after > before else ("lowers" if after < before else "leaves")


def _size_note(lesson: Lesson) -> str:
    if lesson.size == "quick":
        return (
            " (quick size: a fifth of the company, so money and counts are about a fifth "
            "of the full size)"
        )
    return ""


def cost_of_quality_curve(lesson: Lesson, runs: LessonRuns) -> Finding:
    """Where total cost of quality is lowest over the sweep, against no prevention."""
    levels = sorted(runs.sweep)
    coq = {level: mean_summary(runs.sweep[level], "coq_total") for level in levels}
    external = {level: mean_summary(runs.sweep[level], "external_failure_cost") for level in levels}
    npv = {level: mean_summary(runs.sweep[level], "npv") for level in levels}
    best = min(levels, key=coq.__getitem__)
    first, last = levels[0], levels[-1]
    best_npv = max(levels, key=npv.__getitem__)
    if best == first:
        text = (
            f"Total cost of quality is lowest with no prevention ({_money(coq[first])}): on "
            f"the books prevention does not pay here, {_money(coq[last])} at "
            f"{_money(last)} a month."
        )
    else:
        text = (
            f"Total cost of quality is lowest at a prevention spend of {_money(best)} a month: "
            f"{_money(coq[best])} against {_money(coq[first])} at {_money(first)} "
            f"({_share(1 - coq[best] / coq[first])} less), while external failure falls from "
            f"{_money(external[first])} to {_money(external[best])}. Past the minimum "
            f"prevention costs more than it saves: {_money(coq[last])} at {_money(last)} a month."
        )
    text += f" NPV is highest at {_money(best_npv)} a month"
    if best_npv > best:
        text += (
            ", beyond the cost-of-quality minimum: the customers and orders better quality "
            "keeps are a failure cost no PAF category shows (the hidden cost of lost sales)"
        )
    text += f"{_size_note(lesson)}."
    return Finding(
        text,
        {
            "best_level": best,
            "coq_at_best": coq[best],
            "coq_at_first": coq[first],
            "coq_at_last": coq[last],
            "best_npv_level": best_npv,
        },
    )


def _difference(runs: LessonRuns, column: str) -> pd.Series:
    """What-if minus reference, month by month (means over the seeds); index = month."""
    whatif = monthly_band(runs.pair.whatif, column).set_index("month")["mean"]
    reference = monthly_band(runs.pair.reference, column).set_index("month")["mean"]
    return whatif - reference


def crossover_month(gap: pd.Series) -> int | None:
    """The first month from which ``gap`` (indexed by month) is never negative again, after
    it has been negative; None if it ends negative or never dips."""
    negative = gap[gap < 0]
    if negative.empty or gap.iloc[-1] < 0:
        return None
    return int(gap.index[gap.index > negative.index[-1]][0])


def worse_before_better(lesson: Lesson, runs: LessonRuns) -> Finding:
    """The cumulative-profit gap: how deep and when it is worst, and when it closes."""
    gap = _difference(runs, "cumulative_profit")
    worst_month = int(gap.idxmin())
    worst = float(gap.min())
    crossing = crossover_month(gap)
    end = float(gap.iloc[-1])
    if worst >= 0:
        text = "The portfolio was ahead from the first month: no worse-before-better here."
    else:
        after = (
            f"it catches up in month {crossing} and ends {_money(end)} ahead"
            if crossing is not None
            else f"it has not caught up by month {int(gap.index[-1])} ({_money(end)} behind)"
        )
        text = (
            f"Cumulative profit with {lesson.portfolio} falls behind doing nothing, worst in "
            f"month {worst_month} ({_money(-worst)} behind); {after}."
        )
    return Finding(
        text,
        {
            "worst_month": worst_month,
            "worst_gap": worst,
            "crossover_month": float("nan") if crossing is None else crossing,
            "end_gap": end,
        },
    )


def _mean_over(runs: tuple[RunResult, ...], column: str, months: range) -> float:
    band = monthly_band(runs, column).set_index("month")["mean"]
    return float(band.loc[list(months)].mean())


def dissatisfied_among_leavers(runs: Sequence[RunResult], first: int, last: int) -> float:
    """Share of the customers lost in months [first, last) (0-based month starts) whose
    satisfaction when they left was below the dissatisfied threshold; pooled over runs."""
    leavers = dissatisfied = 0
    for run in runs:
        table = run.customers
        lost = table[
            (table["lost_day"] >= first * DAYS_PER_MONTH)
            & (table["lost_day"] < last * DAYS_PER_MONTH)
        ]
        threshold = run.config.customers.dissatisfied_threshold
        leavers += len(lost)
        dissatisfied += int((lost["satisfaction_end"] < threshold).sum())
    return dissatisfied / leavers if leavers else float("nan")


def hostages(lesson: Lesson, runs: LessonRuns) -> Finding:
    """Who leaves and how many, in the year before and the year after the switching cost
    changes, against the reference where it stays; customers left at the end."""
    config = runs.pair.whatif[0].config
    change = config.environment.switching_cost_change_month
    horizon = config.simulation.horizon_months
    if change <= 0:
        return Finding("The switching cost does not change in this scenario.", {})
    year_after = min(horizon, change + 12)
    before = range(max(1, change - 11), change + 1)  # months numbered from 1
    after = range(change + 1, year_after + 1)
    lost = {
        side: (
            _mean_over(getattr(runs.pair, side), "customers_lost", before),
            _mean_over(getattr(runs.pair, side), "customers_lost", after),
        )
        for side in ("reference", "whatif")
    }
    share = (
        dissatisfied_among_leavers(runs.pair.whatif, max(0, change - 12), change),
        dissatisfied_among_leavers(runs.pair.whatif, change, year_after),
    )
    end = {
        side: mean_summary(getattr(runs.pair, side), "active_customers_end")
        for side in ("reference", "whatif")
    }
    reading = (
        ": the dissatisfied had been held by the switching cost - hostages set free"
        if share[1] > share[0]
        else ""
    )
    text = (
        f"In the year before month {change} the company lost {lost['whatif'][0]:.1f} "
        f"customers a month, {_share(share[0])} of them dissatisfied. When switching got "
        f"cheap it lost {lost['whatif'][1]:.1f} a month (against {lost['reference'][1]:.1f} "
        f"had switching costs stayed high), {_share(share[1])} of them dissatisfied{reading}. "
        f"{number(end['whatif'])} customers are left at the end instead of "
        f"{number(end['reference'])}{_size_note(lesson)}."
    )
    return Finding(
        text,
        {
            "change_month": change,
            "lost_before": lost["whatif"][0],
            "lost_after": lost["whatif"][1],
            "reference_lost_after": lost["reference"][1],
            "dissatisfied_leavers_before": share[0],
            "dissatisfied_leavers_after": share[1],
            "customers_end": end["whatif"],
            "reference_customers_end": end["reference"],
        },
    )


SAME_DEFECTS = 0.1
"""Shipped defect rates within this share of each other count as "about the same"."""


def recovery_paradox(lesson: Lesson, runs: LessonRuns) -> Finding:
    """Same defects, better recovery: resolved complaints, satisfaction and customers."""
    keys = (
        "defects_shipped_ppm",
        "recovery_rate",
        "mean_satisfaction_end",
        "retention_rate_annual",
        "active_customers_end",
        "complaints_filed",
    )
    ref = {key: mean_summary(runs.pair.reference, key) for key in keys}
    what = {key: mean_summary(runs.pair.whatif, key) for key in keys}
    kept = what["active_customers_end"] - ref["active_customers_end"]
    per_100 = 100 * kept / ref["complaints_filed"] if ref["complaints_filed"] else float("nan")
    ppm = (ref["defects_shipped_ppm"], what["defects_shipped_ppm"])
    same = abs(ppm[1] - ppm[0]) <= SAME_DEFECTS * ppm[0]
    text = (
        f"With {'about the same' if same else 'different'} defects ({ppm[0]:,.0f} against "
        f"{ppm[1]:,.0f} ppm shipped), resolving "
        f"{_share(what['recovery_rate'])} of complaints instead of {_share(ref['recovery_rate'])} "
        f"{_moves(ref['mean_satisfaction_end'], what['mean_satisfaction_end'])} satisfaction "
        f"at the end from {ref['mean_satisfaction_end']:.3f} to "
        f"{what['mean_satisfaction_end']:.3f} and retention from "
        f"{_share(ref['retention_rate_annual'])} to {_share(what['retention_rate_annual'])} a "
        f"year: {kept:+.0f} customers at the end, about {per_100:.0f} per 100 complaints"
        f"{_size_note(lesson)}."
    )
    return Finding(
        text,
        {
            **{f"reference_{key}": value for key, value in ref.items()},
            **{f"whatif_{key}": value for key, value in what.items()},
            "customers_kept": kept,
        },
    )


def _first_year(runs: Sequence[RunResult]) -> float:
    """Discounted profit of months 1-12, mean over the runs (currency)."""
    return float(
        sum(run.timeseries["discounted_profit"].iloc[:12].sum() for run in runs) / len(runs)
    )


def capability_trap(lesson: Lesson, runs: LessonRuns) -> Finding:
    """Defending output against protecting improvement time (the reference): the first
    year's discounted profit, capability and the defect rate at the end, and the NPV."""
    pair = runs.pair
    keys = ("npv", "capability_end", "defect_rate_produced")
    ref = {key: mean_summary(pair.reference, key) for key in keys}
    what = {key: mean_summary(pair.whatif, key) for key in keys}
    ref["first_year"], what["first_year"] = _first_year(pair.reference), _first_year(pair.whatif)
    years = pair.whatif[0].config.simulation.horizon_months / 12
    gain = what["first_year"] - ref["first_year"]
    loss = ref["npv"] - what["npv"]
    trapped = gain > 0 and loss > 0 and what["capability_end"] < ref["capability_end"]
    first = (
        f"wins the first year ({_money(gain)} more discounted profit in months 1-12)"
        if gain > 0
        else f"does not win the first year ({_money(-gain)} less discounted profit)"
    )
    text = (
        f"Defending output ({lesson.portfolio}) {first}, and ends {years:g} years with "
        f"capability {what['capability_end']:.2f} against {ref['capability_end']:.2f} when "
        f"improvement time is protected, a defect rate of {_share(what['defect_rate_produced'])}"
        f" against {_share(ref['defect_rate_produced'])}, and an NPV "
        f"{_money(abs(loss))} {'lower' if loss > 0 else 'higher'}"
        f"{': the capability trap' if trapped else ''}{_size_note(lesson)}."
    )
    return Finding(
        text,
        {
            **{f"reference_{key}": value for key, value in ref.items()},
            **{f"whatif_{key}": value for key, value in what.items()},
            "first_year_gain": gain,
            "npv_loss": loss,
            "trapped": float(trapped),
        },
    )


def _defect_rate(runs: Sequence[RunResult]) -> float:
    """Defective units over units produced, pooled over the runs."""
    produced = sum(run.summary["units_produced"] for run in runs)
    return sum(run.summary["defects_produced"] for run in runs) / produced


def funnel(lesson: Lesson, runs: LessonRuns) -> Finding:
    """Adjusting a stable process after each measured unit (the what-if's policy) against
    leaving it alone: the defect rate produced against what theory says for the process
    alone (rule 2 with no drift: the setting is minus the last result's noise, so each
    unit varies with twice the variance: 2 Phi(-3 Cpk / sqrt 2) out of specification
    instead of 2 Phi(-3 Cpk)), and what it costs downstream."""
    pair = runs.pair
    config = pair.whatif[0].config
    policy = config.operations.adjustment_policy
    cpk = config.operations.process_capability_cpk
    rate = {"reference": _defect_rate(pair.reference), "whatif": _defect_rate(pair.whatif)}
    keys = ("defects_shipped_ppm", "external_failure_cost", "mean_satisfaction_end", "npv")
    ref = {key: mean_summary(pair.reference, key) for key in keys}
    what = {key: mean_summary(pair.whatif, key) for key in keys}
    numbers = {
        "reference_defect_rate": rate["reference"],
        "whatif_defect_rate": rate["whatif"],
        **{f"reference_{key}": value for key, value in ref.items()},
        **{f"whatif_{key}": value for key, value in what.items()},
    }
    theory = ""
    if policy == "rule2" and config.quality.drift_rate_per_month == 0.0:
        alone, tampered = process_defect_share(cpk), process_defect_share(cpk / math.sqrt(2))
        numbers["theory_extra"] = tampered - alone
        theory = (
            f" (theory for the process alone at Cpk {cpk:g}: {_share(alone)} left alone, "
            f"{_share(tampered)} under rule 2, {100 * (tampered - alone):.2f} percentage "
            "points more)"
        )
    moves = _moves(rate["reference"], rate["whatif"])
    text = (
        f"Moving the setting after each measured unit ({policy}) {moves} the defect rate "
        f"from {_share(rate['reference'])} to "
        f"{_share(rate['whatif'])}{theory}. Shipped defects go from "
        f"{ref['defects_shipped_ppm']:,.0f} to {what['defects_shipped_ppm']:,.0f} ppm, "
        f"external failure costs from {_money(ref['external_failure_cost'])} to "
        f"{_money(what['external_failure_cost'])}, NPV from {_money(ref['npv'])} to "
        f"{_money(what['npv'])}: tampering with a stable process adds the last result's "
        f"noise to the next{_size_note(lesson)}."
    )
    return Finding(text, numbers)


TARP_ORDER: tuple[str, ...] = (
    SILENT,
    OUTCOMES[False, False],
    OUTCOMES[True, False],
    OUTCOMES[True, True],
)
"""TARP's order of the share who buy again after a problem: lowest to highest."""

TARP_WORDS = {
    SILENT: "kept silent",
    OUTCOMES[False, False]: "complained, unresolved",
    OUTCOMES[True, False]: "complained, resolved slowly",
    OUTCOMES[True, True]: "complained, resolved fast",
    NO_PROBLEM: "had no problem",
}
"""How the finding names each row of the TARP table (first complaints)."""


def _interval(row: pd.Series) -> str:
    return f"{_share(row['ci_low'])} to {_share(row['ci_high'])}"


def tarp(lesson: Lesson, runs: LessonRuns) -> Finding:
    """TARP's table from the what-if's traced runs: of the customers who had a problem, the
    share who bought again by what they did about it and how the complaint ended (Wilson
    intervals), whether the order silent < unresolved < slow < fast holds, and which
    neighbouring steps are told apart by their intervals."""
    journeys = [run.journeys for run in runs.pair.whatif]
    if any(journey is None for journey in journeys):
        raise ConfigError(f"lesson {lesson.name!r}: finding 'tarp' needs trace_customers = true")
    table = tarp_table(journeys).set_index("context")
    shown = [*TARP_ORDER, NO_PROBLEM]
    if (table.loc[list(TARP_ORDER), "decisions"] == 0).any():
        empty = [c for c in TARP_ORDER if table.at[c, "decisions"] == 0]
        return Finding(
            f"No repurchase decision followed {', '.join(empty)} in these runs: the order "
            "cannot be told (more seeds, or more problems).",
            {},
        )
    share = table["stay_share"]
    steps = list(itertools.pairwise(TARP_ORDER))
    holds = all(share[low] < share[high] for low, high in steps)
    apart = [
        (low, high) for low, high in steps if table.at[low, "ci_high"] < table.at[high, "ci_low"]
    ]
    close = [f"{low} and {high}" for low, high in steps if (low, high) not in apart]
    told = (
        f"{_share(share[SILENT])} of the customers who kept silent bought again, "
        f"{_share(share[OUTCOMES[False, False]])} after an unresolved complaint, "
        f"{_share(share[OUTCOMES[True, False]])} after a slow resolution and "
        f"{_share(share[OUTCOMES[True, True]])} after a fast one"
    )
    verdict = (
        "TARP's order (silent < unresolved < slow < fast) holds"
        if holds
        else "TARP's order (silent < unresolved < slow < fast) does not hold here"
    )
    overlap = (
        f"; the intervals overlap between {', and between '.join(close)} (more seeds would "
        "tell whether they differ)"
        if close
        else "; the intervals tell every step apart"
    )
    fast, none = share[OUTCOMES[True, True]], share[NO_PROBLEM]
    paradox = (
        f"More stay after a fast resolution ({_share(fast)}) than among the customers who had "
        f"no problem at all ({_share(none)}): the recovery paradox"
        if fast > none
        else f"Fewer stay after a fast resolution ({_share(fast)}) than among the customers "
        f"who had no problem at all ({_share(none)}): no recovery paradox here"
    )
    text = (
        f"After a problem, {told} (the table: 95 % Wilson intervals). {verdict}"
        f"{overlap}. {paradox}. Pooled over seeds {', '.join(map(str, runs.pair.seeds))}; "
        "first complaints only (a repeat complaint earns less credit)."
    )
    rows = tuple(
        {
            "context": TARP_WORDS[c],
            "decisions": f"{int(table.at[c, 'decisions']):,}",
            "stay_share": _share(share[c]),
            "interval": _interval(table.loc[c]),
        }
        for c in shown
    )
    numbers = {f"stay_{c.replace(' ', '_')}": float(share[c]) for c in shown}
    numbers["order_holds"] = float(holds)
    numbers["steps_apart"] = float(len(apart))
    return Finding(text, numbers, rows)


FINDINGS: dict[str, Callable[[Lesson, LessonRuns], Finding]] = {
    "cost_of_quality_curve": cost_of_quality_curve,
    "worse_before_better": worse_before_better,
    "hostages": hostages,
    "recovery_paradox": recovery_paradox,
    "tarp": tarp,
    "capability_trap": capability_trap,
    "funnel": funnel,
}
"""Every finding a lesson can name, by key."""


def finding_for(lesson: Lesson, runs: LessonRuns) -> Finding:
    """The lesson's finding, computed from its runs."""
    return FINDINGS[lesson.finding](lesson, runs)
