"""How sentences name a KPI and a parameter: by what it is, not by its key.

A KPI is named by its label (:func:`~sqm_sim.report.summary_table.readable_kpi`) with its
unit from the KPI catalogue (:mod:`sqm_sim.run.catalogue`): ``npv`` -> "NPV (currency
units)". A parameter is named by its description and unit from the parameter schema (what
``sqm-sim params`` prints), with its key in parentheses for ``--set``. Machine-readable
outputs (CSV, JSON, Parquet columns) keep the keys; only text for reading uses these names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from ..run.catalogue import unit_words
from ..run.kpis import kpi_doc
from .numbers import number
from .summary_table import readable_kpi

if TYPE_CHECKING:
    from ..config import Config


def kpi_label(key: str) -> str:
    """A KPI as a sentence names it: its label, lower case unless it starts with an
    abbreviation, with its unit: ``npv`` -> "NPV (currency units)",
    ``retention_rate_annual`` -> "retention rate annual (%)", ``defects_shipped_ppm`` ->
    "defects shipped (ppm)". A key the catalogue does not know keeps its name."""
    try:
        unit = unit_words(kpi_doc(key)[0])
    except KeyError:
        return key
    label = readable_kpi(key)
    first = label.split(" ")[0]
    if not any(char.isupper() for char in first[1:]):  # not an abbreviation: NPV, CoQ
        label = label[0].lower() + label[1:]
    if key.endswith("_end") and label.endswith(" end"):  # a level at the horizon
        label = label.removesuffix(" end") + " at the end"
    words = label.split(" ")
    if unit and words[-1] == unit and len(words) > 1:  # "defects shipped ppm": unit once
        label = " ".join(words[:-1])
    return f"{label} ({unit})" if unit else label


def capitalised(text: str) -> str:
    """``text`` with its first letter upper case (a KPI label opening a sentence)."""
    return text[:1].upper() + text[1:]


@cache
def _default_config() -> Config:
    from ..config import Config

    return Config()


def parameter_label(key: str, config: Config | None = None, *, short: bool = False) -> str:
    """A parameter as a sentence names it: the first clause of its schema description
    (up to a ";" or ": ") and its unit, with the key in parentheses:
    ``quality.inspection_coverage`` -> "share of finished units inspected before they go to
    stock [share of units] (quality.inspection_coverage)"; ``short``: the key's last part in
    words, "inspection coverage" (many parameters in one sentence: a design point).
    ``config`` documents initiative keys (``portfolio.<name>.<field>``) of its portfolio; a
    key neither knows keeps its name."""
    from ..config import ConfigError
    from ..config.keys import parameter_info
    from .exploration_files import factor_name

    if short:
        return factor_name(key)
    try:
        info = parameter_info(config or _default_config(), key)
    except ConfigError:
        info = None
    if info is None:
        return key
    what = re.split(r";|: ", info.description)[0].strip()
    unit = f" [{info.unit}]" if info.unit and info.unit != "-" else ""
    return f"{what}{unit} ({key})"


DOTTED_KEY = re.compile(r"(?<![\w.])[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+(?![\w.])")
"""A dotted config key in a text (``finance.annual_discount_rate``)."""


def with_parameter_words(text: str, config: Config | None = None) -> str:
    """``text`` with every dotted key the parameter schema knows written as
    :func:`parameter_label` says (unknown dotted words stay as they are)."""
    return DOTTED_KEY.sub(lambda match: parameter_label(match.group(0), config), text)


def kpi_words(key: str) -> str:
    """A KPI with its meaning, for the line that says which KPI an analysis ranks by:
    "NPV (currency units): net present value of monthly profit at discount rate for NPV
    [1/year] (finance.annual_discount_rate)"."""
    try:
        meaning = kpi_doc(key)[1]
    except KeyError:
        return key
    return f"{kpi_label(key)}: {with_parameter_words(_kpis_in_words(meaning))}"


def _kpis_in_words(text: str) -> str:
    """``text`` (a KPI's formula) with the KPI keys it names written as words:
    "(1 - churn_rate_monthly)^12" -> "(1 - churn rate monthly)^12"."""
    from ..run.catalogue import COLUMNS, SUMMARY_KPIS

    keys = {*SUMMARY_KPIS, *(kpi.name for kpi in COLUMNS)}
    return re.sub(
        r"(?<![\w.])[a-z][a-z0-9]*_[a-z0-9_]+(?!\w)",
        lambda match: (
            match.group(0).replace("_", " ") if match.group(0) in keys else match.group(0)
        ),
        text,
    )


def settings_words(settings: Mapping[str, Any], config: Config | None = None) -> str:
    """Parameter settings (``--set`` overrides, a design point) in words, each as
    :func:`parameter_label` names it with its value: "simulated time span [months]
    (simulation.horizon_months) = 24; ..."."""
    return "; ".join(
        f"{parameter_label(key, config)} = {number(value)}" for key, value in settings.items()
    )
