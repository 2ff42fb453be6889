"""Lessons as data: the shipped lessons load, a wrong entry is refused by name, a new
lesson needs only a file entry, and each finding states numbers computed from the runs."""

from __future__ import annotations

import dataclasses
import math
from itertools import pairwise
from types import SimpleNamespace

import pandas as pd
import pytest
from scipy import stats

from sqm_sim.app.findings import crossover_month, finding_for
from sqm_sim.app.lessons import LessonRuns, load_lessons, run_lesson, sweep_means
from sqm_sim.app.whatif import RunCache, mean_summary, monthly_band, whatif_config
from sqm_sim.config import ConfigError
from sqm_sim.experiments.voice import tarp_table
from sqm_sim.models.units import DAYS_PER_MONTH
from sqm_sim.report.numbers import number

LESSON = """
[[lessons]]
name = "my_lesson"
title = "Inspection is not quality"
explanation = "More inspection catches defects but makes none fewer."
scenario = "baseline"
finding = "{finding}"
replications = 1
levers = {{ "quality.inspection_coverage" = {coverage} }}
"""
GOOD = LESSON.format(finding="hostages", coverage=1.0)


def by_name():
    return {lesson.name: lesson for lesson in load_lessons()}


def test_the_shipped_lessons_load():
    names = set(by_name())
    assert {
        "quality_is_free",
        "worse_before_better",
        "hostages_and_deregulation",
        "recovery_paradox",
        "voice_and_recovery",
        "capability_trap",
        "the_funnel",
    } <= names


def test_a_new_lesson_is_a_file_entry(tmp_path):
    path = tmp_path / "lessons.toml"
    path.write_text(LESSON.format(finding="recovery_paradox", coverage=1.0))
    (lesson,) = load_lessons(path)
    assert lesson.slider_values()["quality.inspection_coverage"] == 1.0
    assert lesson.seeds == (1,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (LESSON.format(finding="nosuch", coverage=1.0), "finding = 'nosuch'"),
        (LESSON.format(finding="hostages", coverage='"x"'), "quality.inspection_coverage = 'x'"),
        (GOOD.replace("quality.inspection_coverage", "quality.nosuch"), "not a slider"),
        (GOOD.replace('scenario = "baseline"', 'scenario = "nosuch"'), "unknown scenario"),
        (GOOD.replace("replications = 1", "replications = 0"), "replications = 0"),
        (GOOD.replace("replications = 1", "colour = 1"), "unknown field"),
        (GOOD + "trace_customers = 1\n", r"trace_customers = 1 \(allowed: true or false\)"),
        (
            GOOD + 'settings = { "service.nosuch" = 1.0 }\n',
            r"lesson 'my_lesson': settings: .*service\.nosuch",
        ),
        (
            GOOD + 'settings = { "service.recovery_quality" = 0.9 }\n',
            "settings.service.recovery_quality is a slider",
        ),
        (
            GOOD + 'whatif_settings = { "operations.adjustment_policy" = "rule9" }\n',
            r"lesson 'my_lesson': whatif_settings: .*adjustment_policy",
        ),
        (
            GOOD + 'whatif_settings = { "service.recovery_quality" = 0.9 }\n',
            "whatif_settings.service.recovery_quality is a slider",
        ),
    ],
)
def test_a_wrong_lesson_is_refused_naming_it(tmp_path, text, message):
    path = tmp_path / "lessons.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_lessons(path)


def test_crossover_is_the_month_the_gap_stops_being_negative():
    gap = pd.Series([-1.0, -3.0, 2.0, -1.0, 0.0, 4.0], index=range(1, 7))
    assert crossover_month(gap) == 5
    assert crossover_month(pd.Series([-1.0, -2.0], index=[1, 2])) is None
    assert crossover_month(pd.Series([1.0, 2.0], index=[1, 2])) is None


@pytest.mark.slow  # a lesson's sweep of runs, 5-8 s
def test_quality_is_free_finds_the_lowest_cost_of_quality_of_its_sweep():
    lesson = by_name()["quality_is_free"]
    runs = run_lesson(lesson)
    finding = finding_for(lesson, runs)
    coq = {level: mean_summary(r, "coq_total") for level, r in runs.sweep.items()}
    best = min(coq, key=coq.__getitem__)
    assert finding.numbers["best_level"] == best
    assert 0 < best < max(coq)  # an interior minimum: the U-shape of the curve
    assert coq[best] < coq[0.0]
    assert coq[best] < coq[max(coq)]
    assert f"prevention spend of {number(best, 'currency')} a month" in finding.text


def _sweep_of(rows: dict[float, tuple[float, float, float]]) -> LessonRuns:
    """A stand-in sweep: at each level one run with (coq_total, external failure, npv)."""
    keys = ("coq_total", "external_failure_cost", "npv")
    sweep = {
        level: (SimpleNamespace(summary=dict(zip(keys, values, strict=True))),)
        for level, values in rows.items()
    }
    return LessonRuns(pair=None, sweep=sweep)  # type: ignore[arg-type]


def test_the_cost_of_quality_finding_says_where_profit_peaks_beyond_the_books():
    """Hand sweeps: the PAF minimum at none (prevention does not pay on the books) or at
    1,000, and NPV highest at 5,000: beyond it, the hidden cost of lost sales is named."""
    lesson = dataclasses.replace(by_name()["quality_is_free"], size="full")
    at_none = finding_for(
        lesson,
        _sweep_of(
            {0.0: (100.0, 80.0, -5.0), 1000.0: (110.0, 70.0, 3.0), 5000.0: (300.0, 20.0, 9.0)}
        ),
    )
    assert at_none.numbers["best_level"] == 0.0
    assert at_none.text.startswith("Total cost of quality is lowest with no prevention (100):")
    assert "NPV is highest at 5,000 a month, beyond the cost-of-quality minimum" in at_none.text
    interior = finding_for(
        lesson,
        _sweep_of({0.0: (100.0, 80.0, 9.0), 1e3: (90.0, 60.0, 3.0), 5e3: (300.0, 20.0, 1.0)}),
    )
    assert "prevention spend of 1,000 a month: 90 against 100 at 0 (10.00 % less)" in interior.text
    assert interior.text.endswith("NPV is highest at 0 a month.")  # no hidden-cost sentence


@pytest.mark.slow  # a lesson's sweep of runs, 5-8 s
def test_worse_before_better_measures_the_cumulative_profit_gap():
    lesson = dataclasses.replace(by_name()["worse_before_better"], replications=1)
    runs = run_lesson(lesson)
    finding = finding_for(lesson, runs)
    gap = (
        monthly_band(runs.pair.whatif, "cumulative_profit")["mean"]
        - monthly_band(runs.pair.reference, "cumulative_profit")["mean"]
    )
    assert finding.numbers["worst_gap"] == gap.min() < 0
    assert finding.numbers["worst_month"] == gap.idxmin() + 1
    assert finding.numbers["end_gap"] == gap.iloc[-1]
    assert f"month {finding.numbers['worst_month']}" in finding.text


def test_hostages_counts_who_leaves_before_and_after_the_change():
    lesson = by_name()["hostages_and_deregulation"]
    runs = run_lesson(lesson)
    finding = finding_for(lesson, runs)
    numbers = finding.numbers
    assert numbers["change_month"] == 30
    whatif = runs.pair.whatif
    after = sum(run.timeseries["customers_lost"].iloc[30:42].sum() for run in whatif)
    assert numbers["lost_after"] == pytest.approx(after / (12 * len(whatif)))
    tables = [run.customers for run in whatif]
    days = 30 * DAYS_PER_MONTH, 42 * DAYS_PER_MONTH
    leavers = [t[(t["lost_day"] >= days[0]) & (t["lost_day"] < days[1])] for t in tables]
    unhappy = sum(int((t["satisfaction_end"] < 0.5).sum()) for t in leavers)
    assert whatif[0].config.customers.dissatisfied_threshold == 0.5
    assert numbers["dissatisfied_leavers_after"] == unhappy / sum(len(t) for t in leavers)
    set_free = numbers["dissatisfied_leavers_after"] > numbers["dissatisfied_leavers_before"]
    assert ("hostages set free" in finding.text) == set_free
    assert number(numbers["customers_end"]) in finding.text


def test_the_recovery_paradox_compares_recovery_on_the_same_seeds():
    lesson = by_name()["recovery_paradox"]
    runs = run_lesson(lesson)
    finding = finding_for(lesson, runs)
    numbers = finding.numbers
    assert numbers["whatif_recovery_rate"] > numbers["reference_recovery_rate"] + 0.4
    assert numbers["customers_kept"] == (
        mean_summary(runs.pair.whatif, "active_customers_end")
        - mean_summary(runs.pair.reference, "active_customers_end")
    )
    ppm = numbers["reference_defects_shipped_ppm"], numbers["whatif_defects_shipped_ppm"]
    same = abs(ppm[1] - ppm[0]) <= 0.1 * ppm[0]
    words = "about the same" if same else "different"
    assert f"With {words} defects ({ppm[0]:,.0f} against {ppm[1]:,.0f} ppm" in finding.text
    higher = numbers["whatif_mean_satisfaction_end"] > numbers["reference_mean_satisfaction_end"]
    assert ("lifts satisfaction" in finding.text) == higher


def test_a_sweep_names_kpis_of_the_catalogue(tmp_path):
    path = tmp_path / "lessons.toml"
    sweep = 'sweep_key = "quality.inspection_coverage"\nsweep_values = [0.0, 1.0]\n'
    path.write_text(GOOD + sweep + 'sweep_kpis = ["coq_total", "nosuch"]\n')
    with pytest.raises(ConfigError, match="sweep_kpis names 'nosuch'"):
        load_lessons(path)
    path.write_text(GOOD + sweep + 'sweep_kpis = ["appraisal_cost"]\n')
    (lesson,) = load_lessons(path)
    runs = run_lesson(dataclasses.replace(lesson, size="quick"))
    means = sweep_means(lesson, runs)
    assert list(means) == ["appraisal_cost"]
    assert means["appraisal_cost"][0] < means["appraisal_cost"][1]  # inspecting all costs more
    assert means["appraisal_cost"][1] == mean_summary(runs.sweep[1.0], "appraisal_cost")


def test_a_lessons_settings_apply_to_both_sides_under_the_sliders():
    lesson = by_name()["voice_and_recovery"]
    runs = run_lesson(dataclasses.replace(lesson, replications=1))
    for run in (runs.pair.reference[0], runs.pair.whatif[0]):
        assert run.config.service.fast_resolution_days == 0.25
        assert run.config.operations.design_defect_ppm == 3000.0
        assert run.config.operations.process_capability_cpk == 0.8
        assert run.journeys is not None  # traced: the finding reads the journeys


def test_voice_and_recovery_states_the_tarp_table_of_its_traced_runs():
    lesson = by_name()["voice_and_recovery"]
    runs = run_lesson(lesson)
    finding = finding_for(lesson, runs)
    table = tarp_table(run.journeys for run in runs.pair.whatif).set_index("context")
    order = ["silent", "unresolved", "resolved slowly", "resolved fast"]
    for context in order:
        share = table.at[context, "stay_share"]
        assert finding.numbers[f"stay_{context.replace(' ', '_')}"] == share
        assert number(share, "share") in finding.text
    holds = all(table.at[a, "stay_share"] < table.at[b, "stay_share"] for a, b in pairwise(order))
    assert finding.numbers["order_holds"] == holds
    assert ("holds;" in finding.text) == holds
    rows = {row["context"]: row for row in finding.table}
    assert rows["kept silent"]["decisions"] == f"{table.at['silent', 'decisions']:,}"
    low, high = table.at["resolved fast", "ci_low"], table.at["resolved fast", "ci_high"]
    assert rows["complained, resolved fast"]["interval"] == (
        f"{number(low, 'share')} to {number(high, 'share')}"
    )


def test_the_tarp_finding_needs_traced_runs():
    lesson = dataclasses.replace(by_name()["voice_and_recovery"], replications=1)
    runs = run_lesson(dataclasses.replace(lesson, trace_customers=False), RunCache())
    with pytest.raises(ConfigError, match="needs trace_customers = true"):
        finding_for(lesson, runs)


def test_a_lessons_settings_are_in_the_run_sizes_terms_and_whatif_settings_one_sided():
    lesson = by_name()["the_funnel"]
    runs = run_lesson(dataclasses.replace(lesson, replications=1))
    reference, whatif = runs.pair.reference[0].config, runs.pair.whatif[0].config
    assert reference.operations.adjustment_policy == "none"
    assert whatif.operations.adjustment_policy == "rule2"
    for config in (reference, whatif):
        assert config.quality.drift_rate_per_month == 0.0
        assert config.operations.process_capability_cpk == 1.0
    trap = by_name()["capability_trap"]
    config = whatif_config(
        trap.scenario, trap.portfolio, trap.slider_values(), "quick", trap.settings
    )
    # applied after the quick size's scaling: as written, not shrunk or cut to 24 months
    assert config.market.initial_customers == 380
    assert config.simulation.horizon_months == 60


def test_the_funnel_raises_the_defect_rate_as_theory_says():
    """Rule 2 with no drift: each unit varies with twice the variance, so the process part
    of the defect rate rises from 2 Phi(-3) to 2 Phi(-3 / sqrt 2), +0.0312 at Cpk 1. The
    setting is drawn once a day (about 730 days a seed, 3 seeds), so the measured rise has
    a standard deviation below sqrt(0.034 / 2,190 + 0.034 / 20,000) < 0.0045 (a daily
    share's variance is below its mean): 0.02 is more than 4 sd."""
    lesson = by_name()["the_funnel"]
    runs = run_lesson(lesson)
    finding = finding_for(lesson, runs)
    numbers = finding.numbers
    produced = sum(run.summary["units_produced"] for run in runs.pair.whatif)
    assert produced > 20_000
    defects = sum(run.summary["defects_produced"] for run in runs.pair.whatif)
    assert numbers["whatif_defect_rate"] == defects / produced
    theory = 2 * stats.norm.cdf(-3 / math.sqrt(2)) - 2 * stats.norm.cdf(-3)
    assert numbers["theory_extra"] == pytest.approx(theory, rel=1e-9)
    rise = numbers["whatif_defect_rate"] - numbers["reference_defect_rate"]
    assert rise == pytest.approx(theory, abs=0.02)
    assert f"lifts the defect rate from {number(numbers['reference_defect_rate'], 'share')}" in (
        finding.text
    )
    assert numbers["whatif_npv"] < numbers["reference_npv"]
    assert f"NPV from {number(numbers['reference_npv'], 'currency')}" in finding.text


@pytest.mark.slow
def test_the_capability_trap_wins_the_first_year_and_loses_the_five():
    """The shipped preset (3 seeds, 60 months at the quick size): the rule that cuts
    improvement time wins the first year and ends with lower capability and NPV (12 seeds
    with paired intervals: tests/test_capability_trap.py)."""
    lesson = by_name()["capability_trap"]
    runs = run_lesson(lesson)
    finding = finding_for(lesson, runs)
    numbers = finding.numbers
    first_year = [
        float(run.timeseries["discounted_profit"].iloc[:12].sum()) for run in runs.pair.whatif
    ]
    assert numbers["whatif_first_year"] == pytest.approx(sum(first_year) / len(first_year))
    assert numbers["first_year_gain"] > 0
    assert numbers["npv_loss"] == pytest.approx(
        mean_summary(runs.pair.reference, "npv") - mean_summary(runs.pair.whatif, "npv")
    )
    assert numbers["npv_loss"] > 0
    assert numbers["whatif_capability_end"] < 0.1 < 0.45 < numbers["reference_capability_end"]
    assert numbers["trapped"] == 1.0
    assert finding.text.startswith("Defending output (cut_improvement_when_late) wins the first")
    assert "the capability trap" in finding.text


def test_a_lesson_cancelled_between_runs_stops_there():
    """Cancel is checked before every run: cancelled at once, nothing runs; cancelled after
    the third run (the pair and the first sweep value), the lesson stops there (None)."""
    lesson = dataclasses.replace(
        by_name()["quality_is_free"], replications=1, sweep_values=(0.0, 1000.0, 5000.0)
    )
    assert lesson.runs == 5  # the pair, then three sweep values, one seed each
    done: list[int] = []

    def count(finished: int, total: int) -> None:
        assert total == lesson.runs
        done.append(finished)

    assert run_lesson(lesson, RunCache(), count, cancelled=lambda: True) is None
    assert done == []
    runs = run_lesson(lesson, RunCache(), count, cancelled=lambda: len(done) >= 3)
    assert runs is None
    assert done == [1, 2, 3]
