"""Scenario discovery and robust choice on functions whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sqm_sim.config import ConfigError
from sqm_sim.experiments.discovery import cart_rules, prim_box
from sqm_sim.experiments.robust import choices, robust_table

PEEL_ALPHA = 0.05
A_LOW, B_HIGH = 0.5, 0.3
"""The known failure box: a > 0.5 and b < 0.3 (c plays no part)."""


def _synthetic(seed: int, n: int = 1000) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 3)), columns=["a", "b", "c"])
    return x, ((x["a"] > A_LOW) & (x["b"] < B_HIGH)).to_numpy()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_prim_recovers_a_known_box(seed):
    """Each peel removes a share PEEL_ALPHA of the box's futures along one face; for uniform
    futures that moves the face by PEEL_ALPHA times the box's width in that dimension, so the
    box of largest coverage at full density has each restricted face within one peel of the
    true limit (about 0.025 in a, whose box width is 0.5, and 0.015 in b, width 0.3). The
    empirical quantile of the ~150 futures in the box adds a standard error of about
    sqrt(0.05 * 0.95 / 150) = 0.018 of the width. Tolerance: two peels of the true width."""
    x, fails = _synthetic(seed)
    box = prim_box(x, fails, peel_alpha=PEEL_ALPHA, min_density=1.0)
    assert box.found
    limits = box.limits.set_index("factor")
    assert set(limits.index) == {"a", "b"}  # c is not restricted
    assert limits.loc["a", "low"] == pytest.approx(A_LOW, abs=2 * PEEL_ALPHA * (1 - A_LOW))
    assert limits.loc["b", "high"] == pytest.approx(B_HIGH, abs=2 * PEEL_ALPHA * B_HIGH)
    # the free faces stay at the sample's edges (no restriction there)
    assert limits.loc["a", "high"] == pytest.approx(x["a"].max())
    assert limits.loc["b", "low"] == pytest.approx(x["b"].min())
    assert box.density == 1.0
    assert box.coverage >= 1 - 2 * 2 * PEEL_ALPHA  # at most one peel lost at each of 2 faces
    assert limits["significant"].all()
    trajectory = box.trajectory
    assert trajectory["coverage"].iloc[0] == 1.0  # the whole space holds every failure
    assert trajectory["density"].iloc[0] == pytest.approx(fails.mean())


def test_a_portfolio_that_never_fails_has_no_failure_box():
    x, _ = _synthetic(4, 200)
    box = prim_box(x, np.zeros(len(x), bool))
    assert not box.found
    assert box.limits.empty
    assert "meets the goal in every future" in box.reason
    rules, accuracy = cart_rules(x, np.zeros(len(x), bool))
    assert rules.empty
    assert accuracy == 1.0


def test_failures_scattered_at_random_give_no_dense_box():
    """Failures independent of the factors at a base rate of 0.2: a box of density 0.8
    would need 4 times the base rate, which no box of mass >= 0.05 of 400 futures reaches
    by chance (binomial tail below 1e-9 for 20 futures)."""
    rng = np.random.default_rng(5)
    x = pd.DataFrame(rng.uniform(size=(400, 3)), columns=["a", "b", "c"])
    box = prim_box(x, rng.uniform(size=400) < 0.2, min_density=0.8)
    assert not box.found
    assert "no box reaches the density target" in box.reason


def test_cart_finds_the_known_box_as_one_rule():
    x, fails = _synthetic(6)
    rules, accuracy = cart_rules(x, fails, max_depth=2)
    assert accuracy > 0.98
    top = rules.iloc[0]
    assert "a > 0.4" in top["rule"] or "a > 0.5" in top["rule"]
    assert "b <= 0.2" in top["rule"] or "b <= 0.3" in top["rule"]
    assert top["density"] > 0.95


@pytest.mark.parametrize(
    ("setting", "value"), [("peel_alpha", 0.0), ("min_density", 1.5), ("mass_min", 1.0)]
)
def test_bad_prim_settings_name_the_setting_and_the_allowed_range(setting, value):
    x, fails = _synthetic(7, 100)
    with pytest.raises(ConfigError, match=rf"{setting} = {value!r}: allowed 0 < value"):
        prim_box(x, fails, **{setting: value})


def test_robust_views_on_a_hand_table():
    # futures x portfolios: A is steady, B is best in two futures but collapses in one
    values = pd.DataFrame(
        {"A": [10.0, 10.0, 10.0, 10.0], "B": [12.0, 13.0, 0.0, 9.0], "none": [5.0] * 4}
    )
    meets = values.sub(values["none"], axis=0) >= 0
    meets["none"] = np.nan
    table = robust_table(values, meets).set_index("portfolio")
    # regret: A max(2, 3, 0, 0) = 3; B max(0, 0, 10, 1) = 10; none max(7, 8, 5, 5) = 8
    assert table["max_regret"].to_dict() == {"A": 3.0, "B": 10.0, "none": 8.0}
    assert table.loc["A", "satisficing"] == 1.0
    assert table.loc["B", "satisficing"] == 0.75
    assert np.isnan(table.loc["none", "satisficing"])
    assert table.loc["B", "best_share"] == 0.5
    assert choices(table.reset_index()) == {
        "minimax_regret": ["A"],
        "satisficing": ["A"],
        "best_in_most_futures": ["A", "B"],
    }


def test_failure_everywhere_above_the_density_target_is_no_region():
    x, _ = _synthetic(8, 100)
    fails = np.ones(100, bool)
    fails[:5] = False
    box = prim_box(x, fails, min_density=0.8)
    assert not box.found
    assert "failure is the rule here, not a region" in box.reason
