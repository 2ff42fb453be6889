"""Chart options (Apache ECharts, as NiceGUI's ``ui.echart`` takes them) built from the
runs' numbers: a monthly line per side with its replication band, and the cost of quality
by category. Plain dicts, so tests read exactly what the page plots."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..models.units import DAYS_PER_MONTH

REFERENCE_COLOUR = "#7f7f7f"
WHATIF_COLOUR = "#1f77b4"


def _rounded(values: pd.Series) -> list[float]:
    return [round(float(v), 4) for v in values]


def _base(title: str, categories: Sequence[Any], axis_name: str) -> dict[str, Any]:
    return {
        "animation": False,
        "title": {"text": title, "left": 0, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 26, "left": 0},
        "toolbox": {"right": 0, "feature": {"saveAsImage": {"title": "PNG", "pixelRatio": 2}}},
        "grid": {"left": 64, "right": 16, "top": 64, "bottom": 36},
        "xAxis": {
            "type": "category",
            "data": list(categories),
            "name": axis_name,
            "nameLocation": "middle",
            "nameGap": 24,
        },
        "yAxis": {"type": "value", "scale": True},
        "series": [],
    }


def band_series(name: str, band: pd.DataFrame, colour: str, with_band: bool) -> list[dict]:
    """The mean line of one side and, with ``with_band``, its low-high band (a stacked
    transparent base plus the band's height)."""
    series: list[dict[str, Any]] = [
        {
            "name": name,
            "type": "line",
            "data": _rounded(band["mean"]),
            "showSymbol": False,
            "lineStyle": {"color": colour, "width": 2},
            "itemStyle": {"color": colour},
        }
    ]
    if with_band:
        stack = f"band-{name}"
        series += [
            {
                "name": f"{name} band",
                "type": "line",
                "data": _rounded(band["low"]),
                "stack": stack,
                "stackStrategy": "all",  # negative lows too (ECharts stacks same signs only)
                "lineStyle": {"opacity": 0},
                "showSymbol": False,
                "tooltip": {"show": False},
            },
            {
                "name": f"{name} band",
                "type": "line",
                "data": _rounded(band["high"] - band["low"]),
                "stack": stack,
                "stackStrategy": "all",
                "lineStyle": {"opacity": 0},
                "areaStyle": {"color": colour, "opacity": 0.2},
                "showSymbol": False,
                "tooltip": {"show": False},
            },
        ]
    return series


def monthly_chart(
    title: str, reference: pd.DataFrame, whatif: pd.DataFrame, with_band: bool
) -> dict[str, Any]:
    """Reference and what-if month by month (bands from :func:`whatif.monthly_band`)."""
    option = _base(title, list(reference["month"]), "month")
    option["series"] = band_series("reference", reference, REFERENCE_COLOUR, with_band)
    option["series"] += band_series("what-if", whatif, WHATIF_COLOUR, with_band)
    option["legend"]["data"] = ["reference", "what-if"]
    return option


def coq_chart(reference: Mapping[str, float], whatif: Mapping[str, float]) -> dict[str, Any]:
    """Whole-run cost of quality by category, reference beside what-if (currency)."""
    categories = [label.replace(" ", "\n") for label in reference]  # fits at 800 px wide
    option = _base("Cost of quality by category (currency, whole run)", categories, "")
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}}
    option["yAxis"] = {"type": "value"}
    option["xAxis"]["axisLabel"] = {"interval": 0, "lineHeight": 14}
    option["grid"]["bottom"] = 44  # room for two-line category labels
    option["series"] = [
        {
            "name": name,
            "type": "bar",
            "data": [round(float(v)) for v in values.values()],
            "itemStyle": {"color": colour},
        }
        for name, values, colour in (
            ("reference", reference, REFERENCE_COLOUR),
            ("what-if", whatif, WHATIF_COLOUR),
        )
    ]
    return option


def sweep_chart(
    title: str, x_name: str, x: Sequence[float], lines: Mapping[str, Sequence[float]]
) -> dict[str, Any]:
    """Several KPIs over a lever's values (a lesson's sweep: the cost-of-quality curve), on a
    value axis so that uneven steps (0, 1,000, 2,500, ...) keep their true spacing."""
    option = _base(title, [], x_name)
    option["xAxis"] = {
        "type": "value",
        "name": x_name,
        "nameLocation": "middle",
        "nameGap": 28,
        "min": min(x),
        "max": max(x),
    }
    option["series"] = [
        {
            "name": name,
            "type": "line",
            "data": [[float(at), round(float(v))] for at, v in zip(x, values, strict=True)],
        }
        for name, values in lines.items()
    ]
    option["legend"]["bottom"] = 0  # a long legend wraps below the axis, not over it
    del option["legend"]["top"]
    option["grid"].update(top=40, bottom=96)
    return option


def teams_chart(title: str, lines: Mapping[str, Sequence[float]]) -> dict[str, Any]:
    """One line per team month by month (the class game: cumulative profit), on the
    months of the longest line; a team that has played fewer years has a shorter line."""
    months = max((len(values) for values in lines.values()), default=0)
    option = _base(title, list(range(1, months + 1)), "month")
    option["series"] = [
        {"name": name, "type": "line", "data": [round(float(v)) for v in values]}
        for name, values in lines.items()
    ]
    option["legend"]["data"] = list(lines)
    return option


PROBLEM_COLOUR = "#d62728"
VOICE_COLOUR = "#ff7f0e"
RESOLVED_COLOUR = "#2ca02c"
EXPECTATION_COLOUR = "#9467bd"


def _month_axis(day: float) -> float:
    """Position of ``day`` (days since the start) on a month axis where month m (numbered
    from 1, as the story and the monthly charts number them) runs from m to m + 1."""
    return round(day / DAYS_PER_MONTH + 1, 3)


def _at(row: Any) -> list[float]:
    return [_month_axis(float(row.day)), round(float(row.satisfaction), 4)]


def _markers(
    name: str, rows: pd.DataFrame, symbol: str, colour: str, size: int = 10
) -> dict[str, Any]:
    """Events as points on the satisfaction line, each named by the trace's detail (a
    problem and its claim share a point: the problem's marker is larger, drawn beneath)."""
    return {
        "name": name,
        "type": "scatter",
        "symbol": symbol,
        "symbolSize": size,
        "itemStyle": {"color": colour},
        "data": [{"name": str(row.detail), "value": _at(row)} for row in rows.itertuples()],
        "z": 5,
    }


def journey_chart(title: str, events: pd.DataFrame, left_day: float | None) -> dict[str, Any]:
    """One customer's satisfaction and expectation after each event (0-1 scale; steps: a
    value holds until the next event) against the month (month m from m to m + 1), with markers for
    delivery problems, claims and complaints, their outcomes, and the month they left."""
    option = _base(title, [], "month")
    option["xAxis"] = {
        "type": "value",
        "name": "month",
        "nameLocation": "middle",
        "nameGap": 24,
        "min": int(_month_axis(float(events["day"].iloc[0]))),  # the month they joined
    }
    option["yAxis"] = {"type": "value", "name": "0-1 scale", "min": 0, "max": 1}
    option["tooltip"] = {"trigger": "item"}
    option["grid"].update(top=72, right=56)  # room for the "left" label at the right end
    line = [_at(row) for row in events.itertuples()]
    expectation = [
        [point[0], round(float(value), 4)]
        for point, value in zip(line, events["expectation"], strict=True)
    ]
    satisfaction: dict[str, Any] = {
        "name": "satisfaction",
        "type": "line",
        "step": "end",
        "data": line,
        "showSymbol": False,
        "lineStyle": {"color": WHATIF_COLOUR, "width": 2},
        "itemStyle": {"color": WHATIF_COLOUR},
    }
    if left_day is not None:
        month = _month_axis(left_day)
        satisfaction["markLine"] = {
            "symbol": "none",
            "silent": True,
            "lineStyle": {"color": PROBLEM_COLOUR, "type": "dashed"},
            "label": {"formatter": f"left (month {int(month)})", "position": "end"},
            "data": [{"xAxis": month}],
        }
    event = events["event"]
    problems = events[
        ((event == "delivery") & (events["detail"] != "ok")) | (event == "cancelled")
    ].assign(detail=lambda t: t["detail"].where(t["event"] != "cancelled", "cancelled"))
    closed = events[event == "closed"]
    option["series"] = [
        satisfaction,
        {
            "name": "expectation",
            "type": "line",
            "step": "end",
            "data": expectation,
            "showSymbol": False,
            "lineStyle": {"color": EXPECTATION_COLOUR, "width": 1.5, "type": "dashed"},
            "itemStyle": {"color": EXPECTATION_COLOUR},
        },
        _markers("delivery problem", problems, "triangle", PROBLEM_COLOUR, 18),
        _markers(
            "claim or complaint",
            events[event.isin(["claim", "complaint"])].assign(
                detail=lambda t: t["event"].astype(str) + " (" + t["detail"] + ")"
            ),
            "diamond",
            VOICE_COLOUR,
        ),
        _markers("resolved", closed[closed["detail"] != "unresolved"], "circle", RESOLVED_COLOUR),
        _markers("unresolved", closed[closed["detail"] == "unresolved"], "rect", "#444444"),
    ]
    option["legend"]["data"] = [series["name"] for series in option["series"]]
    return option
