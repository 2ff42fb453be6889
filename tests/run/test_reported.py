"""The report a manager reads during a run is the run's own time series, month by month."""

from __future__ import annotations

import numpy as np
import pytest

from sqm_sim import simulate
from sqm_sim.config.rules import rule_kpis
from sqm_sim.run.collector import MonthlyCollector
from sqm_sim.run.reported import MonthlyReport

WATCH_ALL = {
    "name": "watch",
    "kpi": "units_produced",
    "when": "below",
    "threshold": 0.0,
    "action": "hire",
    "hire_share": 0.1,
}


def test_every_reported_column_equals_the_final_monthly_time_series(make_config, monkeypatch):
    """Record what the manager was shown at each month start (a rule that never fires makes
    the run ask for it) and compare it with the final time series: equal in every column,
    for every month closed so far, whatever the reporting period."""
    config = make_config(
        {
            "simulation.horizon_months": 14,
            "simulation.report_period_months": 3,
            "portfolio": {"name": "watching", "rules": [WATCH_ALL]},
        }
    )
    shown: list[dict[str, np.ndarray]] = []
    update = MonthlyReport.update

    def spy(self, samples, entries):
        report = update(self, samples, entries)
        shown.append({k: v.copy() for k, v in report.items()})
        return report

    monkeypatch.setattr(MonthlyReport, "update", spy)
    simulate(config, seed=3)
    monthly = simulate(
        config.with_overrides({"simulation.report_period_months": 1, "portfolio": {"rules": []}}),
        seed=3,
    ).timeseries
    assert len(shown) == 13  # months 1 .. 13
    for month, report in enumerate(shown, start=1):
        assert set(report) == set(rule_kpis())
        for column, values in report.items():
            assert len(values) == month
            expected = monthly[column].to_numpy(dtype=float)[:month]
            np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-9, err_msg=column)


def test_collector_so_far_has_one_row_per_closed_month():
    import simpy

    env = simpy.Environment()
    collector = MonthlyCollector(env, 3)
    collector.attach(lambda: {"now": env.now})
    env.run(until=40.0)
    assert collector.so_far()["now"].tolist() == pytest.approx([30.4375])
