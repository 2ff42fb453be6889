"""Helpers shared by the tests: configuration fragments with a known meaning."""

from __future__ import annotations

import math
from typing import Any

from sqm_sim import Config


def fixed_loyalty(repurchase_probability: float) -> dict[str, Any]:
    """Overrides that make every repurchase decision a coin with the given probability:
    every segment's logistic loyalty has zero slopes and intercept logit(p); +-40 for the
    certain cases (the logistic of 40 is exactly 1.0 in double precision, that of -40 is
    4e-18, so a decision to stay never happens in practice)."""
    p = repurchase_probability
    intercept = 40.0 if p >= 1.0 else -40.0 if p <= 0.0 else math.log(p / (1.0 - p))
    overrides: dict[str, Any] = {}
    for segment in Config().segments:
        overrides[f"segments.{segment}.loyalty_intercept"] = intercept
        for weight in ("satisfaction_weight", "switching_cost_weight", "price_weight"):
            overrides[f"segments.{segment}.{weight}"] = 0.0
    return overrides


FREE_FULL_WALLET: dict[str, Any] = {
    "market.contract_share": 0.0,
    "customers.share_of_wallet_floor": 1.0,
}
"""Overrides that switch off contracts and share of wallet: every customer decides freely
after each experience and orders once per purchase cycle whatever their satisfaction (the
reduced cases that pin other equations)."""


NO_ACQUISITION: dict[str, Any] = {
    "acquisition.marketing_rate_per_year": 0.0,
    "acquisition.referral_rate_per_year": 0.0,
    "environment.competitor_churn_per_year": 0.0,
}
"""Overrides that switch off every inflow of new customers."""


def mean_interval(values: Any, confidence: float = 0.99) -> tuple[float, float]:
    """Two-sided t confidence interval for the mean of independent observations."""
    import numpy as np
    from scipy import stats

    sample = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + confidence / 2, len(sample) - 1) * stats.sem(sample)
    return float(sample.mean() - half), float(sample.mean() + half)


_RUNS: dict[tuple[str, int], Any] = {}


def simulate_cached(config: Config, seed: int) -> Any:
    """``simulate`` memoised on (config fingerprint, seed): runs are pure functions of both,
    so tests that look at several KPIs of the same runs simulate them once."""
    from sqm_sim import simulate

    key = (config.fingerprint(), seed)
    if key not in _RUNS:
        _RUNS[key] = simulate(config, seed)
    return _RUNS[key]


def paired_runs(config_a: Config, config_b: Config, seeds: range, kpi: str) -> list[float]:
    """KPI differences a - b over the same seeds (common random numbers)."""
    return [
        simulate_cached(config_a, seed).summary[kpi] - simulate_cached(config_b, seed).summary[kpi]
        for seed in seeds
    ]


# -- results folders for the plot and report tests ---------------------------------------

TINY_RESULTS_SETS: dict[str, Any] = {
    "simulation.horizon_months": 9,
    "market.initial_customers": 150,
    "market.prospects": 100,
    "environment.competitor_customers": 150,
    "finance.fixed_cost_per_month": 5000.0,
}
"""A small company over 9 months: a comparison of three portfolios with three seeds runs in
about a second."""

SEARCH_MENU = """
budget_per_year = 30000.0
[[initiatives]]
kind = "qa_system"
name = "qa"
duration_months = 2
one_off_cost = 10000.0
[[initiatives]]
kind = "customer_service"
name = "desk"
duration_months = 2
one_off_cost = 15000.0
"""
"""A menu of two affordable initiatives: four portfolios to search."""


def _cli(argv: list[str]) -> None:
    from sqm_sim.cli import main

    sets = [arg for key, value in TINY_RESULTS_SETS.items() for arg in ("--set", f"{key}={value}")]
    code = main([*argv, *sets, "--backend", "serial", "--quiet"])
    assert code == 0, f"sqm-sim {' '.join(argv)} exited with {code}"


def write_compare_folder(out: Any) -> Any:
    """``sqm-sim compare`` of none, process_first and balanced on the tiny baseline, three
    common seeds, into ``out``; returns ``out``."""
    _cli(
        [
            "compare",
            "baseline",
            "--portfolios",
            "none",
            "process_first",
            "balanced",
            "--replications",
            "3",
            "--out",
            str(out),
        ]
    )
    return out


def write_search_folder(out: Any) -> Any:
    """``sqm-sim search`` over :data:`SEARCH_MENU` (two seeds) into ``out``; returns it."""
    menu = out.parent / f"{out.name}-menu.toml"
    menu.write_text(SEARCH_MENU, encoding="utf-8")
    _cli(["search", "baseline", "--menu", str(menu), "--replications", "2", "--out", str(out)])
    return out


def write_run_folder(out: Any, result: Any) -> Any:
    """``result`` (a RunResult) written as ``sqm-sim run --out`` would; returns ``out``."""
    from sqm_sim.report.run_files import write_run
    from sqm_sim.run.provenance import run_manifest, utc_now

    now = utc_now()
    write_run(result, out, run_manifest(result.config, [result.seed], now, now), "parquet")
    return out


def check_png(data: bytes, min_bytes: int = 10_000) -> tuple[int, int]:
    """Assert that ``data`` is a PNG image of plausible size that is not blank; return its
    (height, width) in pixels."""
    import io

    import matplotlib.image
    import numpy as np

    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert len(data) > min_bytes, f"PNG of only {len(data)} bytes"
    pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
    height, width = pixels.shape[:2]
    assert height >= 200, f"image only {height} pixels high"
    assert width >= 400, f"image only {width} pixels wide"
    assert float(np.var(pixels[..., :3])) > 0.0, "blank image"
    return height, width


def raw_kpi_keys(text: str) -> list[str]:
    """The KPI keys and index keys a reader should not meet in ``text``: every summary key
    or time-series column of the KPI catalogue that is not a plain word (it has an
    underscore, or is ``npv``), and the Morris index key ``mu_star``, each as a whole word
    (a dotted parameter key's last part does not count)."""
    import re

    from sqm_sim.run.catalogue import COLUMNS, SUMMARY_KPIS

    keys = {key for key in SUMMARY_KPIS if "_" in key or key == "npv"}
    keys |= {kpi.name for kpi in COLUMNS if "_" in kpi.name}
    keys.add("mu_star")
    words = set(re.findall(r"(?<![\w.])[a-z][a-z0-9_]*(?!\w|\.\w)", text))
    return sorted(words & keys)


def prose(html: str) -> str:
    """What a reader reads as sentences in an HTML report: its text without tables,
    images, styles and scripts (tables keep the CSV's keys in a column of their own)."""
    import html as html_module
    import re

    for tag in ("style", "script", "table"):
        html = re.sub(rf"<{tag}\b.*?</{tag}>", " ", html, flags=re.DOTALL)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", html))
