"""Sensitivity charts render real analyses to readable PNG files."""

from __future__ import annotations

import matplotlib.image
import pytest

from sqm_sim.plots.sensitivity import plot_indices, plot_morris, plot_tornado
from sqm_sim.sensitivity import parse_sensitivity, run_sensitivity

SPACE = [
    {"key": "finance.unit_price", "low": 100.0, "high": 140.0},
    {"key": "environment.switching_cost", "low": 0.2, "high": 0.8},
    {"key": "service.recovery_quality", "low": 0.3, "high": 1.0},
]


def outcome(method: str, n: int):
    spec = parse_sensitivity(
        {
            "method": method,
            "n": n,
            "space": SPACE,
            "kpis": ["npv"],
            "overrides": {"simulation.horizon_months": 3},
            "noise_points": 0,
            "replications": 2 if method == "oat" else 1,
            "bootstrap": 50,
        }
    )
    return run_sensitivity(spec)


@pytest.mark.parametrize(
    ("method", "n", "draw"),
    [
        ("sobol", 8, lambda o: plot_indices(o.indices, "npv", "sobol")),
        ("morris", 4, lambda o: plot_morris(o.indices, "npv")),
        ("oat", 1, lambda o: plot_tornado(o.tornado, "npv")),
    ],
)
def test_chart_renders_a_non_blank_image(tmp_path, method, n, draw):
    figure = draw(outcome(method, n))
    path = tmp_path / f"{method}.png"
    figure.savefig(path, dpi=100)
    assert path.stat().st_size > 10_000
    pixels = matplotlib.image.imread(path)
    height, width = pixels.shape[:2]
    assert width >= 600
    assert height >= 300
    assert pixels[..., :3].std() > 0.05  # not a blank canvas
    # every parameter is named on the chart
    texts = {t.get_text() for ax in figure.axes for t in ax.get_yticklabels() + ax.texts}
    if method != "morris":
        assert any("unit price" in text for text in texts)
