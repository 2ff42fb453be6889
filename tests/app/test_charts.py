"""Chart options carry exactly the numbers of the runs: means, and bands only when asked."""

from __future__ import annotations

import pandas as pd

from sqm_sim.app.charts import coq_chart, monthly_chart, sweep_chart


def band(mean, low, high):
    return pd.DataFrame({"month": [1, 2], "mean": mean, "low": low, "high": high})


def test_a_monthly_chart_has_a_line_per_side_and_bands_when_asked():
    reference = band([1.0, 2.0], [0.5, 1.5], [1.5, 3.0])
    whatif = band([2.0, 4.0], [1.0, 3.0], [3.0, 5.0])
    plain = monthly_chart("t", reference, whatif, with_band=False)
    assert [s["name"] for s in plain["series"]] == ["reference", "what-if"]
    assert plain["series"][1]["data"] == [2.0, 4.0]
    banded = monthly_chart("t", reference, whatif, with_band=True)
    assert len(banded["series"]) == 6
    base, height = banded["series"][1], banded["series"][2]
    assert base["data"] == [0.5, 1.5]
    assert height["data"] == [1.0, 1.5]  # stacked on the base: up to high
    assert base["stack"] == height["stack"]
    assert base["stackStrategy"] == height["stackStrategy"] == "all"  # bands below zero
    assert banded["xAxis"]["data"] == [1, 2]


def test_the_cost_of_quality_chart_has_a_bar_per_category_and_side():
    option = coq_chart(
        {"Prevention": 0.0, "Appraisal": 10.4}, {"Prevention": 5.0, "Appraisal": 9.6}
    )
    assert option["xAxis"]["data"] == ["Prevention", "Appraisal"]
    assert [s["data"] for s in option["series"]] == [[0, 10], [5, 10]]


def test_a_sweep_chart_keeps_the_true_spacing_of_its_values():
    option = sweep_chart("t", "x", [0.0, 1000.0, 2500.0], {"a": [1.0, 2.0, 3.4]})
    assert option["xAxis"]["type"] == "value"
    assert (option["xAxis"]["min"], option["xAxis"]["max"]) == (0.0, 2500.0)
    assert option["series"][0]["data"] == [[0.0, 1], [1000.0, 2], [2500.0, 3]]
