"""Sensitivity charts render real analyses to readable PNG files."""

from __future__ import annotations

import matplotlib.image
import pandas as pd
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


def test_morris_labels_never_overlap():
    """Twelve points in a crowd: each label is moved up past those placed before it."""
    from matplotlib.text import Text

    from sqm_sim.plots.sensitivity import place_labels
    from sqm_sim.plots.style import new_figure

    fig = new_figure(6, 4)
    ax = fig.subplots()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    points = [(1.0 + 0.1 * i, 1.0 + 0.05 * i, f"parameter number {i}") for i in range(12)]
    place_labels(ax, points)
    fig.canvas.draw()
    # the text's own box (an annotation's extent also holds its line to the point)
    boxes = [Text.get_window_extent(text) for text in ax.texts]
    assert len(boxes) == 12
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            assert not first.overlaps(second), (first, second)


def test_negative_indices_are_explained_and_the_note_shown():
    indices = pd.DataFrame(
        [
            {
                "kpi": "npv",
                "parameter": p,
                "label": p,
                "index": i,
                "value": v,
                "ci_low": v - 0.1,
                "ci_high": v + 0.1,
            }
            for p, values in {"a": (0.6, 0.7), "b": (-0.02, 0.05)}.items()
            for i, v in zip(("S1", "ST"), values, strict=True)
        ]
    )
    fig = plot_indices(indices, "npv", "sobol", note="quick size")
    ax = fig.axes[0]
    assert "below 0: estimation noise" in ax.get_xlabel()
    assert ax.get_title().endswith("\nquick size")
    positive = indices.assign(value=indices["value"].abs())
    assert "below 0" not in plot_indices(positive, "npv", "sobol").axes[0].get_xlabel()
