"""Scenario discovery: in which region of the uncertain factors does a portfolio fail?

Given the futures drawn (one row of factor values each) and whether a portfolio missed its
goal in each, two views of the failure region:

- **PRIM**, the patient rule induction method (Friedman & Fisher 1999), as used for
  scenario discovery by Bryant & Lempert (2010), through the maintained ``prim`` package
  (Project Platypus; the EMA Workbench's algorithm). PRIM peels a box, ``peel_alpha`` of
  the futures at a time, from the whole space towards the failures; every step of the
  *peeling trajectory* trades *coverage* (share of all failures inside the box) for
  *density* (share of the futures inside the box that fail). The box reported is the step
  with the largest coverage whose density reaches ``min_density`` (and restricts at least
  one factor). Each restriction has a *quasi-p-value*: the one-sided binomial probability
  of a density at least as high if that restriction were dropped (Bryant & Lempert 2010);
  restrictions with a quasi-p-value above ``significance`` are flagged as not significant.
- **CART** (a classification tree, ``sklearn.tree.DecisionTreeClassifier``): the leaves
  where failure is the majority, each a rule with its futures and failures.

Both libraries load only when an analysis runs (start-up of the command line stays light).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import ConfigError

SIGNIFICANCE = 0.05
"""A box restriction whose quasi-p-value exceeds this is flagged as not significant."""


@dataclass
class FailureBox:
    """What PRIM found for one portfolio. ``found``: whether a box meets the density target;
    ``reason``: why not, when not; ``trajectory``: one row per peeling/pasting step
    (``step``, ``coverage``, ``density``, ``mass``, ``restricted``); ``limits``: one row per
    restricted factor of the chosen box (``factor``, ``low``, ``high``, ``range_low``,
    ``range_high``, ``qp_value``, ``significant``); ``step``, ``coverage``, ``density``,
    ``mass`` of the chosen box; ``futures`` and ``failures`` counted over all futures."""

    found: bool
    futures: int
    failures: int
    reason: str = ""
    trajectory: pd.DataFrame = field(default_factory=pd.DataFrame)
    limits: pd.DataFrame = field(default_factory=pd.DataFrame)
    step: int | None = None
    coverage: float = math.nan
    density: float = math.nan
    mass: float = math.nan


def check_share(name: str, value: float, *, upper_inclusive: bool = False) -> float:
    """``value`` if it lies in (0, 1) (or (0, 1]); :class:`ConfigError` naming it otherwise."""
    ok = 0.0 < value <= 1.0 if upper_inclusive else 0.0 < value < 1.0
    if not ok:
        allowed = "0 < value <= 1" if upper_inclusive else "0 < value < 1"
        raise ConfigError(f"{name} = {value!r}: allowed {allowed}")
    return float(value)


def prim_box(
    x: pd.DataFrame,
    fails: np.ndarray | pd.Series,
    *,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    min_density: float = 0.8,
    significance: float = SIGNIFICANCE,
) -> FailureBox:
    """Run PRIM on factor values ``x`` (one row per future, numeric columns) and the failure
    flags ``fails`` (see the module docstring)."""
    check_share("peel_alpha", peel_alpha)
    check_share("paste_alpha", paste_alpha)
    check_share("mass_min", mass_min)
    check_share("min_density", min_density, upper_inclusive=True)
    flags = np.asarray(fails, bool)
    if len(flags) != len(x):
        raise ValueError(f"{len(x)} futures but {len(flags)} failure flags")
    n, failures = len(flags), int(flags.sum())
    if failures == 0:
        return FailureBox(False, n, 0, "it meets the goal in every future drawn: no failure box")
    if failures == n:
        return FailureBox(False, n, n, "it misses the goal in every future drawn: no box needed")
    if failures / n >= min_density:
        return FailureBox(
            False,
            n,
            failures,
            f"it misses the goal in {failures / n:.0%} of the futures drawn, already at the "
            f"density target {min_density:.2f} without any restriction: failure is the rule "
            "here, not a region",
        )
    import prim  # maintained PRIM; imports matplotlib, so only here

    data = x.reset_index(drop=True).astype(float)
    finder = prim.Prim(
        data,
        flags.astype(float),
        threshold=0.5,
        threshold_type=">",
        peel_alpha=peel_alpha,
        paste_alpha=paste_alpha,
        mass_min=mass_min,
    )
    box = finder.find_box()
    path = box.peeling_trajectory.reset_index(drop=True)
    trajectory = pd.DataFrame(
        {
            "step": np.arange(len(path)),
            "coverage": path["coverage"].to_numpy(float),
            "density": path["density"].to_numpy(float),
            "mass": path["mass"].to_numpy(float),
            "restricted": path["res dim"].to_numpy(int),
        }
    )
    eligible = trajectory[
        (trajectory["density"] >= min_density - 1e-12) & (trajectory["restricted"] > 0)
    ]
    if eligible.empty:
        best = float(trajectory["density"].max())
        return FailureBox(
            False,
            n,
            failures,
            f"no box reaches the density target {min_density:.2f} (the densest box on the "
            f"peeling trajectory has {best:.2f}, the share of failures overall is "
            f"{failures / n:.2f})",
            trajectory,
        )
    chosen = int(eligible.sort_values(["coverage", "step"], ascending=[False, True]).iloc[0].step)
    box.select(chosen)
    found = box.limits
    lows, highs = data.min(), data.max()
    limits = pd.DataFrame(
        {
            "factor": [str(name) for name in found.index],
            "low": found["min"].to_numpy(float),
            "high": found["max"].to_numpy(float),
            "range_low": [float(lows[name]) for name in found.index],
            "range_high": [float(highs[name]) for name in found.index],
            "qp_value": found["qp values"].to_numpy(float),
        }
    )
    limits["significant"] = limits["qp_value"] <= significance
    row = trajectory.iloc[chosen]
    return FailureBox(
        True,
        n,
        failures,
        "",
        trajectory,
        limits,
        chosen,
        float(row["coverage"]),
        float(row["density"]),
        float(row["mass"]),
    )


def cart_rules(
    x: pd.DataFrame, fails: np.ndarray | pd.Series, max_depth: int = 3, min_leaf: int | None = None
) -> tuple[pd.DataFrame, float]:
    """A classification tree of the failures: (one row per leaf where failure is the majority:
    ``rule``, ``futures``, ``failures``, ``density``, ``coverage``; the tree's share of
    futures classified right). A fixed ``random_state`` makes it reproducible."""
    flags = np.asarray(fails, bool)
    if flags.all() or not flags.any():
        return pd.DataFrame(columns=["rule", "futures", "failures", "density", "coverage"]), 1.0
    from sklearn.tree import DecisionTreeClassifier

    leaf_size = min_leaf if min_leaf is not None else max(3, len(flags) // 20)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf_size, random_state=0)
    data = x.reset_index(drop=True).astype(float)
    tree.fit(data.to_numpy(), flags)
    structure = tree.tree_
    names = list(data.columns)
    leaves = tree.apply(data.to_numpy())
    total = int(flags.sum())
    rows = []

    def walk(node: int, conditions: list[str]) -> None:
        left, right = structure.children_left[node], structure.children_right[node]
        if left == right:  # a leaf
            inside = leaves == node
            failed = int(flags[inside].sum())
            count = int(inside.sum())
            if count and failed / count > 0.5:
                rows.append(
                    {
                        "rule": " and ".join(conditions) or "everywhere",
                        "futures": count,
                        "failures": failed,
                        "density": failed / count,
                        "coverage": failed / total,
                    }
                )
            return
        name, cut = names[structure.feature[node]], float(structure.threshold[node])
        walk(left, [*conditions, f"{name} <= {cut:.4g}"])
        walk(right, [*conditions, f"{name} > {cut:.4g}"])

    walk(0, [])
    accuracy = float((tree.predict(data.to_numpy()) == flags).mean())
    table = pd.DataFrame(rows, columns=["rule", "futures", "failures", "density", "coverage"])
    return table.sort_values("coverage", ascending=False).reset_index(drop=True), accuracy
