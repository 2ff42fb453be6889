"""``sqm-sim explore``: bad input fails before any run with one clear line (exit 2); a tiny
exploration runs, resumes and writes its tables; a portfolio that never misses its goal has
no failure box."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sqm_sim.cli.main import main

from .conftest import TINY

EXAMPLE = Path(__file__).resolve().parents[2] / "experiments" / "explore" / "explore_baseline.toml"

FACTORS = """
[[factors]]
key = "environment.competitor_quality_trend_per_year"
low = 0.0
high = 0.05

[[factors]]
key = "portfolio.capability_project.cpk_gain"
low = 0.0
high = 0.4
"""


def _spec(tmp_path: Path, body: str = "", factors: str = FACTORS, **top: object) -> Path:
    settings = {
        "scenario": "baseline",
        "size": "full",
        "portfolios": ["none", "balanced"],
        "samples": 4,
        "replications": 1,
        **top,
    }
    lines = [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    overrides = ", ".join(f'"{k}" = {json.dumps(v)}' for k, v in TINY.items())
    lines.append(f"overrides = {{ {overrides} }}")
    path = tmp_path / "spec.toml"
    path.write_text("\n".join(lines) + "\n" + textwrap.dedent(body) + factors, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"factors": FACTORS.replace("competitor_quality_trend_per_year", "competitor_qualty")},
            "factor unknown key 'environment.competitor_qualty'; did you mean",
        ),
        (
            {"factors": FACTORS.replace("high = 0.05", "high = 0.0")},
            "factor 'environment.competitor_quality_trend_per_year': low = 0 must be below "
            "high = 0 (empty or inverted range)",
        ),
        (
            {"factors": FACTORS.replace("capability_project", "capability_projekt")},
            "factor 'portfolio.capability_projekt.cpk_gain': no candidate portfolio holds "
            "that initiative field (their initiatives: capability_project",
        ),
        (
            {"factors": FACTORS.replace("high = 0.05", "high = 1.5")},
            "factor 'environment.competitor_quality_trend_per_year': high = 1.5 is outside "
            "the key's range (-1 <= value <= 1, unit: 1/year)",
        ),
        (
            {
                "factors": FACTORS.replace(
                    "competitor_quality_trend_per_year", "technology_shock_months"
                )
            },
            "factor 'environment.technology_shock_months' is a list: only numeric keys",
        ),
        ({"portfolios": ["none", "balancd"]}, "unknown portfolio 'balancd'; did you mean"),
        (
            {"body": "[goal]\nportfolios = ['process_first']\n"},
            "goal.portfolios: unknown portfolio 'process_first' (allowed: the candidates "
            "none, balanced)",
        ),
        ({"body": "[prim]\nmin_density = 1.5\n"}, "prim.min_density = 1.5: Input should be"),
        ({"samples": 0}, "samples = 0: Input should be greater than or equal to 2"),
        ({"kpi": "npvv"}, "kpi: unknown KPI 'npvv' (did you mean npv"),
    ],
    ids=[
        "unknown key",
        "empty range",
        "unknown initiative",
        "out of range",
        "not a number",
        "unknown portfolio",
        "goal portfolio",
        "density",
        "samples",
        "kpi",
    ],
)
def test_bad_input_exits_2_with_one_clear_line(tmp_path, capsys, change, message):
    change = dict(change)
    body = str(change.pop("body", ""))
    factors = str(change.pop("factors", FACTORS))
    path = _spec(tmp_path, body, factors, **change)
    code = main(["explore", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing ran, nothing written


def test_the_shipped_example_validates(capsys):
    assert main(["explore", str(EXAMPLE), "--dry-run"]) == 0
    assert "futures x 3 portfolios" in capsys.readouterr().out


def test_a_tiny_exploration_runs_resumes_and_reports_no_box_when_nothing_fails(tmp_path, capsys):
    # a goal no portfolio can miss: lose more than a billion against doing nothing
    path = _spec(tmp_path, "[goal]\nthreshold = -1e9\n")
    out = tmp_path / "out"
    argv = ["explore", str(path), "--out", str(out), "--backend", "serial", "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    facts = first["facts"]
    assert facts["runs"] == 8  # 4 futures x 2 portfolios x 1 seed
    assert facts["ran"] == 8
    box = facts["boxes"]["balanced"]
    assert (box["found"], box["failures"]) == (False, 0)
    assert "meets the goal in every future drawn" in " ".join(first["headline"])
    robust = pd.read_parquet(out / "robust.parquet").set_index("portfolio")
    assert robust.loc["balanced", "satisficing"] == 1.0
    values = pd.read_csv(out / "values.csv")
    assert len(values) == 8
    futures = pd.read_csv(out / "futures.csv")
    key = "environment.competitor_quality_trend_per_year"
    # a Latin hypercube: one future in each quarter of every factor's range
    strata = sorted((futures[key] / 0.05 * 4).astype(int))
    assert strata == [0, 1, 2, 3]
    assert main(argv) == 0  # rerun: everything found in the folder
    assert json.loads(capsys.readouterr().out)["facts"]["ran"] == 0
    assert (out / "report.md").is_file()
    from sqm_sim.report import build_report

    report = build_report(out)
    headings = re.findall(r"<h2>(.*?)</h2>", report)
    assert headings[:2] == ["Executive summary", "What was run"]
    assert {"Where each portfolio fails", "Robust choice"} <= set(headings)
    assert "Recommendation:" in report


class _Result:
    """What the engine reads of a run: a summary (and no time series)."""

    def __init__(self, npv: float) -> None:
        self.summary = {"npv": npv}
        self.timeseries = None


TREND_EDGE, GAIN_EDGE = 0.03, 0.2
"""The synthetic failure region: a competitor improving faster than 3 %/yr and a capability
project delivering less than 0.2 Cpk."""


def synthetic_run(config, seed):
    """NPV 100 for none; balanced earns 10 more, or 10 less inside the failure region."""
    if not config.portfolio.initiatives:
        return _Result(100.0)
    trend = config.environment.competitor_quality_trend_per_year
    gain = next(i.cpk_gain for i in config.portfolio.initiatives if i.name == "capability_project")
    inside = trend > TREND_EDGE and gain < GAIN_EDGE
    return _Result(90.0 if inside else 110.0)


def test_explore_recovers_a_planted_failure_region_and_says_it(tmp_path):
    """The whole pipeline (futures, cells, engine, goal, PRIM, sentence) on a model whose
    failure region is known. The factors are a Latin hypercube of 100 futures, so values
    are spaced by range / 100; PRIM's faces land within one peel (5 % of the box's futures)
    of the edge: tolerance two peels of the box's width plus three sample spacings."""
    from sqm_sim.experiments.explore import parse_explore, run_explore
    from sqm_sim.report.exploration_files import box_sentences

    spec = parse_explore(
        {
            "scenario": "baseline",
            "size": "full",
            "portfolios": ["none", "balanced"],
            "samples": 100,
            "overrides": {"simulation.horizon_months": 6},
            "prim": {"min_density": 1.0},
            "factors": [
                {"key": "environment.competitor_quality_trend_per_year", "low": 0.0, "high": 0.05},
                {"key": "portfolio.capability_project.cpk_gain", "low": 0.0, "high": 0.4},
                {"key": "environment.switching_cost", "low": 0.1, "high": 0.9},
            ],
        }
    )
    outcome = run_explore(spec, run=synthetic_run)
    limits = outcome.tables["boxes"].set_index("factor")
    assert set(limits.index) == {
        "environment.competitor_quality_trend_per_year",
        "portfolio.capability_project.cpk_gain",
    }  # switching cost plays no part
    trend = limits.loc["environment.competitor_quality_trend_per_year"]
    gain = limits.loc["portfolio.capability_project.cpk_gain"]
    assert trend["low"] == pytest.approx(TREND_EDGE, abs=2 * 0.05 * 0.02 + 3 * 0.05 / 100)
    assert gain["high"] == pytest.approx(GAIN_EDGE, abs=2 * 0.05 * 0.2 + 3 * 0.4 / 100)
    box = outcome.facts["boxes"]["balanced"]
    assert box["density"] == 1.0
    sentence = box_sentences(outcome.facts, outcome.tables["boxes"])[0]
    assert sentence.startswith("balanced fails (its NPV (currency units) falls below none's) when ")
    above = re.search(r"competitor quality trend per year is above ([0-9.]+) \[1/year\]", sentence)
    below = re.search(r"cpk gain of capability_project is below ([0-9.]+) \[Cpk\]", sentence)
    assert above is not None
    assert below is not None
    assert float(above.group(1)) == pytest.approx(trend["low"], rel=0.01)  # 3 digits
    assert float(below.group(1)) == pytest.approx(gain["high"], rel=0.01)
    robust = outcome.tables["robust"].set_index("portfolio")
    inside = (
        (outcome.tables["futures"]["environment.competitor_quality_trend_per_year"] > 0.03)
        & (outcome.tables["futures"]["portfolio.capability_project.cpk_gain"] < 0.2)
    ).mean()
    assert robust.loc["balanced", "satisficing"] == pytest.approx(1 - inside)
    assert robust.loc["balanced", "max_regret"] == 10.0
