"""A company's monthly history (CSV) as ``sqm-sim calibrate`` reads it.

One row per month, a ``month`` column (1, 2, 3, ... or ``YYYY-MM``, consecutive) and any
subset of the observed columns of :data:`OBSERVED`, each mapped to the model's monthly
time-series column it is compared with. Everything that could make the fit meaningless is
refused with one :class:`~sqm_sim.config.ConfigError` that names the column and the line
of the file: an unknown column, a gap or a repeat in the months, a non-numeric cell, a
negative count, a fraction where a whole count is expected, a share outside 0-1 (a
percentage given for a share), too few months.

A blank cell is a month the company did not record that series: it is read as NaN
(unobserved) and left out of the calibration's distance for that series and month
(:func:`sqm_sim.experiments.calibration.block_statistics`). A column blank in every row,
or with fewer observed months than :data:`MIN_HISTORY_MONTHS`, is refused.
"""

from __future__ import annotations

import csv
import difflib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import ConfigError

MONTH_COLUMN = "month"
"""The column that numbers the months (1, 2, ... or YYYY-MM)."""

MIN_HISTORY_MONTHS = 6
"""Fewest months of history a calibration accepts (two quarterly blocks), and fewest
observed (non-blank) months of each series."""


@dataclass(frozen=True)
class Observed:
    """One column a history may hold: the model's column it is compared with, its kind
    (``count``: whole, >= 0; ``money``: >= 0; ``ppm``: 0 to 1e6; ``share``: 0 to 1) and
    where a company finds it."""

    model_column: str
    kind: str
    where: str


OBSERVED: dict[str, Observed] = {
    "shipped_ppm": Observed(
        "defects_shipped_ppm",
        "ppm",
        "defective units shipped per million shipped (QA, field returns)",
    ),
    "complaints": Observed("complaints_filed", "count", "complaints logged (customer service)"),
    "warranty_claims": Observed("warranty_claims", "count", "warranty claims (claims register)"),
    "customers_lost": Observed("customers_lost", "count", "customers who stopped buying (CRM)"),
    "customers_acquired": Observed("customers_acquired", "count", "new customers (CRM)"),
    "active_customers": Observed("active_customers", "count", "customers at month end (CRM)"),
    "retention_rate_annual": Observed(
        "retention_rate_annual", "share", "annualised share of customers kept, 0-1 (CRM)"
    ),
    "revenue": Observed("revenue", "money", "sales invoiced in the month (ledger)"),
    "cost_of_quality": Observed(
        "coq_total", "money", "prevention + appraisal + internal + external failure (ledger)"
    ),
}
"""History columns and the model's time-series columns they are compared with."""

KIND_WORDS = {
    "count": "a whole number of at least 0",
    "money": "an amount of at least 0",
    "ppm": "parts per million, 0 to 1,000,000",
    "share": "a share between 0 and 1",
}


@dataclass(frozen=True)
class History:
    """Observed monthly series: ``table`` has one row per month (1..N, the model's
    periods) and one column per observed history column; ``source`` names the file."""

    table: pd.DataFrame
    source: str

    @property
    def months(self) -> int:
        """Number of months of history."""
        return len(self.table)

    @property
    def columns(self) -> list[str]:
        """The observed history columns, in file order."""
        return list(self.table.columns)

    def observed(self) -> dict[str, np.ndarray]:
        """Per column, which months hold a value (False: a blank cell, unobserved)."""
        return {name: self.table[name].notna().to_numpy() for name in self.columns}


def _where(path: Path, line: int, month: object) -> str:
    return f"{path} line {line} (month {month})"


def _month_numbers(path: Path, values: list[tuple[int, str]]) -> list[int]:
    """Month numbers of the ``month`` column (``(line, text)`` pairs), refusing gaps,
    repeats and text that is no month."""
    as_periods = all(len(v.strip()) == 7 and v.strip()[4] == "-" for _, v in values)
    numbers: list[int] = []
    previous_line = 0
    for line, text in values:
        try:
            if as_periods:
                period = pd.Period(text.strip(), freq="M")
                number = period.year * 12 + period.month
            else:
                number = int(text.strip())
        except ValueError:
            raise ConfigError(
                f"{path} line {line}: month = {text!r} is neither a month number (1, 2, ...) "
                "nor YYYY-MM"
            ) from None
        if numbers and number != numbers[-1] + 1:
            what = "repeats" if number == numbers[-1] else "does not follow"
            raise ConfigError(
                f"{path} line {line}: month {text.strip()} {what} the month of line "
                f"{previous_line}; months must be consecutive, one row each, without gaps"
            )
        numbers.append(number)
        previous_line = line
    return numbers


def _check_value(path: Path, column: str, line: int, month: object, text: str) -> float:
    """The cell's value; NaN for a blank cell (a month not observed)."""
    where = _where(path, line, month)
    kind = OBSERVED[column].kind
    if text.strip() == "":
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(
            f"{where}: column '{column}' = {text!r} is not a number; give {KIND_WORDS[kind]}"
        ) from None
    problem = None
    if not math.isfinite(value):
        problem = "is not finite"
    elif value < 0:
        problem = "is negative"
    elif kind == "count" and value != int(value):
        problem = "is not a whole count"
    elif kind == "share" and value > 1:
        problem = "is above 1 (a percentage? divide by 100)"
    elif kind == "ppm" and value > 1e6:
        problem = "is above 1,000,000 ppm"
    if problem:
        raise ConfigError(
            f"{where}: column '{column}' = {text.strip()} {problem}; expected {KIND_WORDS[kind]}"
        )
    return value


def read_history(path: str | Path) -> History:
    """The monthly history in the CSV file ``path`` (see the module docstring)."""
    source = Path(path)
    try:
        with source.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise ConfigError(f"history file not found: {source}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read history file {source}: {exc}") from None
    numbered = [(i + 1, row) for i, row in enumerate(rows) if any(c.strip() for c in row)]
    if not numbered:
        raise ConfigError(f"history file {source} is empty")
    header_line, first = numbered[0]
    header = [name.strip() for name in first]
    if MONTH_COLUMN not in header:
        raise ConfigError(
            f"{source} line {header_line}: no '{MONTH_COLUMN}' column (1, 2, ... or YYYY-MM)"
        )
    allowed = ", ".join(OBSERVED)
    for name in header:
        if name != MONTH_COLUMN and name not in OBSERVED:
            close = difflib.get_close_matches(name, list(OBSERVED), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ConfigError(
                f"{source} line {header_line}: unknown column '{name}'{hint} (allowed: "
                f"{MONTH_COLUMN}, {allowed})"
            )
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise ConfigError(f"{source} line {header_line}: column '{twice[0]}' appears twice")
    observed = [name for name in header if name != MONTH_COLUMN]
    if not observed:
        raise ConfigError(f"{source} line {header_line}: no observed column (allowed: {allowed})")
    body = numbered[1:]
    for line, row in body:
        if len(row) != len(header):
            raise ConfigError(f"{source} line {line}: {len(row)} cells for {len(header)} columns")
    month_at = header.index(MONTH_COLUMN)
    _month_numbers(source, [(line, row[month_at]) for line, row in body])
    values = {
        name: [
            _check_value(source, name, line, row[month_at], row[header.index(name)])
            for line, row in body
        ]
        for name in observed
    }
    if len(body) < MIN_HISTORY_MONTHS:
        raise ConfigError(
            f"{source}: {len(body)} month(s) of history; at least {MIN_HISTORY_MONTHS} are needed"
        )
    for name, column in values.items():
        observed = sum(not math.isnan(v) for v in column)
        if observed == 0:
            raise ConfigError(
                f"{source}: column '{name}' is blank in every row; give its monthly values "
                "or leave the column out"
            )
        if observed < MIN_HISTORY_MONTHS:
            raise ConfigError(
                f"{source}: column '{name}' has {observed} observed month(s) "
                f"({len(column) - observed} blank); at least {MIN_HISTORY_MONTHS} are needed"
            )
    table = pd.DataFrame(values, index=pd.Index(np.arange(1, len(body) + 1), name="period"))
    return History(table, str(source))
