"""The ``[start_customers]`` table: the state of each customer present at month 0.

Without it every customer present at month 0 starts alike (``customers.initial_satisfaction``
and ``initial_expectation``, a segment and a personal standard drawn from the profile's
shares and ``expectation_spread``). With it, the month-0 customers take their segment,
satisfaction, expectation and personal standard from its rows: a calibrated profile
carries in it the customers who were still active at the end of the history
(:mod:`sqm_sim.experiments.start_state`). How the ``market.initial_customers`` customers
are dealt from the rows: :func:`sqm_sim.models.start_customers.dealt_rows`. Customers won
later still join at ``initial_satisfaction`` and ``initial_expectation``.

In a profile the table names a CSV file beside it::

    [start_customers]
    file = "start_customers.csv"    # relative to the profile file's folder

with one row per customer and the columns :data:`COLUMNS` (a header line, then one line
per customer). Loading the profile (:func:`with_start_customers`) reads the file into the
table's columns, so the configuration carries the rows themselves (a run on another
machine does not need the file, and the configuration's fingerprint covers them). A table
that already holds its rows (as a run's ``config.toml`` writes it) is not read again.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from pydantic import model_validator

from .config_error import ConfigError
from .errors import MAX_LISTED, repeated
from .fields import Section, param

TABLE = "start_customers"
"""The configuration's key of the table."""

COLUMNS = ("segment", "satisfaction", "expectation", "standard")
"""The CSV's required columns: the segment's name; satisfaction (0-1 scale); expectation
(0-1 scale and above, >= 0: what the customer expects of an experience, their personal
standard included, as the customer table's ``expectation_end``); the personal standard
(the offset of their expectation above what they experience, any finite number; the
customer table's ``personal_standard``)."""

OPTIONAL_COLUMNS = ("complaints", "contract", "renewal_in_days")
"""The CSV's optional columns: complaints closed so far (a whole number >= 0; without the
column 0: it shrinks the credit of a later recovery); under a contract (1) or not (0), and
the days from month 0 to the contract's next renewal (any finite number: negative if the
renewal date has passed without a decision yet; ignored without a contract), the two
columns together; without them each month-0 customer's contract is drawn (the profile's
``market.contract_share``, at a random point of the term)."""

WHOLE_NUMBERS = ("complaints", "contract")
"""Columns of whole numbers."""

MAX_CSV_BYTES = 20_000_000
"""Largest start-customer file read (bytes): about 200,000 rows."""


def location(file: str, column: str, row: int) -> str:
    """Where a cell is: ``FILE line L, column C`` (the header is line 1) when the rows were
    read from ``file``, else ``start_customers.C row R`` (rows counted from 1)."""
    if file:
        return f"{file} line {row + 2}, column {column}"
    return f"{TABLE}.{column} row {row + 1}"


class StartCustomerSettings(Section):
    """One customer present at month 0 per row: ``segment[i]``, ``satisfaction[i]``,
    ``expectation[i]`` and ``standard[i]`` describe customer i."""

    replaced_whole = True

    file: str = param(
        "",
        unit="path",
        description="CSV file of the rows (columns segment, satisfaction, expectation, "
        "standard), relative to the profile file; read when the profile is loaded",
        source="sqm-sim calibrate (start_customers.csv: the customers active at the end of "
        "the history)",
    )
    segment: tuple[str, ...] = param(
        (),
        unit="segment name",
        description="each month-0 customer's segment (a name under [segments])",
        source="the file",
        strict=False,
    )
    satisfaction: tuple[float, ...] = param(
        (),
        unit="0-1 scale",
        description="each month-0 customer's satisfaction",
        source="the file",
        strict=False,
    )
    expectation: tuple[float, ...] = param(
        (),
        unit="0-1 scale",
        description="each month-0 customer's expectation, personal standard included (>= 0)",
        source="the file",
        strict=False,
    )
    standard: tuple[float, ...] = param(
        (),
        unit="0-1 scale",
        description="each month-0 customer's personal standard (see customers.expectation_spread)",
        source="the file",
        strict=False,
    )

    complaints: tuple[int, ...] = param(
        (),
        unit="complaints",
        description="each month-0 customer's complaints closed so far (>= 0); empty: none",
        source="the file (optional column)",
        strict=False,
    )
    contract: tuple[int, ...] = param(
        (),
        unit="0 or 1",
        description="whether each month-0 customer buys under a contract (1) or not (0), "
        "with renewal_in_days; empty: drawn from market.contract_share",
        source="the file (optional column)",
        strict=False,
    )
    renewal_in_days: tuple[float, ...] = param(
        (),
        unit="days",
        description="days from month 0 to each contract customer's next renewal (negative: "
        "due at their next decision; ignored without a contract)",
        source="the file (optional column)",
        strict=False,
    )

    @property
    def rows(self) -> int:
        """The number of customers the table describes."""
        return len(self.satisfaction)

    @model_validator(mode="after")
    def _consistent(self) -> StartCustomerSettings:
        lengths = {name: len(getattr(self, name)) for name in COLUMNS}
        if not any(lengths.values()):
            where = f"{self.file}: " if self.file else ""
            raise ValueError(
                f"{where}no customers: give at least one row (columns {', '.join(COLUMNS)})"
                + ("; a file is read only when a profile file is loaded" if self.file else "")
            )
        lengths.update(
            {name: len(getattr(self, name)) for name in OPTIONAL_COLUMNS if getattr(self, name)}
        )
        if len(set(lengths.values())) > 1:
            counts = ", ".join(f"{name} {count}" for name, count in lengths.items())
            raise ValueError(f"the columns must have one value per customer (got {counts})")
        if bool(self.contract) != bool(self.renewal_in_days):
            raise ValueError(
                "contract and renewal_in_days go together: give both columns or neither"
            )
        problems = cell_problems(self)
        if problems:
            raise ValueError(listed(problems))
        return self


def listed(problems: list[str]) -> str:
    """At most :data:`MAX_LISTED` problems in one line, the rest counted."""
    more = len(problems) - MAX_LISTED
    return "; ".join(problems[:MAX_LISTED]) + (f"; ... and {more:,} more" if more > 0 else "")


def _bad_number(value: float, lowest: float | None, highest: float | None) -> str:
    """Why a number is not allowed ('' if it is)."""
    if math.isnan(value):
        return "not a number (NaN); give a number"
    if not math.isfinite(value):
        return "infinite; give a finite number"
    if lowest is not None and highest is not None and not lowest <= value <= highest:
        return f"outside {lowest:g} to {highest:g}"
    if lowest is not None and value < lowest:
        return f"below {lowest:g}"
    return ""


_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "satisfaction": (0.0, 1.0),
    "expectation": (0.0, None),
    "standard": (None, None),
    "complaints": (0.0, None),
    "contract": (0.0, 1.0),
    "renewal_in_days": (None, None),
}
"""The allowed range of each numeric column (None: unbounded)."""


def cell_problems(table: StartCustomerSettings) -> list[str]:
    """Every number of ``table`` outside its column's range, one sentence each."""
    problems = []
    for column, (lowest, highest) in _BOUNDS.items():
        for row, value in enumerate(getattr(table, column)):
            why = _bad_number(value, lowest, highest)
            if why:
                problems.append(f"{location(table.file, column, row)} = {value!r}: {why}")
    return problems


def segment_problems(table: StartCustomerSettings, segments: set[str]) -> list[str]:
    """Every row whose segment is not one of ``segments``."""
    allowed = ", ".join(sorted(segments))
    return [
        f"{location(table.file, 'segment', row)} = {name!r}: not a segment of this "
        f"configuration (allowed: {allowed})"
        for row, name in enumerate(table.segment)
        if name not in segments
    ]


def read_rows(path: Path, shown: str) -> dict[str, list[Any]]:
    """The columns of the start-customer CSV at ``path`` (named ``shown`` in messages):
    the segment names as text, the other columns as numbers. A missing or unknown column,
    an empty file, a blank cell or a cell that is no number is a :class:`ConfigError`
    naming the file, line and column; the ranges are checked by
    :class:`StartCustomerSettings`."""
    if not path.is_file():
        raise ConfigError(f"start_customers.file: {shown} not found (looked at {path})")
    if path.stat().st_size > MAX_CSV_BYTES:
        raise ConfigError(f"{shown} is larger than {MAX_CSV_BYTES:,} bytes")
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            lines = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"{shown} is not a CSV file of UTF-8 text: {exc}") from None
    if not any(cell.strip() for line in lines for cell in line):
        raise ConfigError(f"{shown} is empty: give a header line {','.join(COLUMNS)}")
    header = [name.strip() for name in lines[0]]
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS + OPTIONAL_COLUMNS]
    twice = repeated(header)
    if missing or unknown or twice:
        parts = [f"missing column {', '.join(missing)}"] if missing else []
        parts += [f"unknown column {', '.join(repr(u) for u in unknown)}"] if unknown else []
        parts += [f"repeated column {', '.join(twice)}"] if twice else []
        raise ConfigError(
            f"{shown}: {'; '.join(parts)} (the columns: {', '.join(COLUMNS)}; optional: "
            f"{', '.join(OPTIONAL_COLUMNS)})"
        )
    body = lines[1:]
    while body and not any(cell.strip() for cell in body[-1]):
        body.pop()  # blank lines at the end
    if not body:
        raise ConfigError(f"{shown} holds no customers: one line per customer after the header")
    columns: dict[str, list[Any]] = {name: [] for name in header}
    problems = []
    for row, line in enumerate(body):
        if len(line) != len(header):
            problems.append(f"{shown} line {row + 2}: {len(line)} cells for {len(header)} columns")
            continue
        for name, cell in zip(header, line, strict=True):
            text = cell.strip()
            if name == "segment":
                columns[name].append(text)
                continue
            try:
                number = float(text)
            except ValueError:
                what = "a blank cell" if not text else f"{text!r} is not a number"
                problems.append(f"{location(shown, name, row)}: {what}; give a number")
                continue
            if name in WHOLE_NUMBERS:
                if not number.is_integer():
                    problems.append(f"{location(shown, name, row)} = {text!r}: give a whole number")
                    continue
                columns[name].append(int(number))
            else:
                columns[name].append(number)
    if problems:
        raise ConfigError(listed(problems))
    return columns


def with_start_customers(data: dict[str, Any], folder: Path, origin: str) -> dict[str, Any]:
    """``data`` (a scenario or profile file's settings, read from ``folder``) with the rows
    of its ``[start_customers]`` file read into the table (see the module docstring);
    ``data`` itself when it has no such table or the table holds its rows already."""
    table = data.get(TABLE)
    if not isinstance(table, dict) or any(name in table for name in COLUMNS):
        return data
    file = table.get("file")
    if not isinstance(file, str) or not file:
        raise ConfigError(
            f"invalid configuration ({origin}): {TABLE}.file = {file!r}: give the CSV file of "
            f"the customers present at month 0 (columns {', '.join(COLUMNS)}), relative to "
            "the profile file"
        )
    try:
        rows = read_rows(folder / file, file)
    except ConfigError as exc:
        raise ConfigError(f"invalid configuration ({origin}): {exc}") from None
    return {**data, TABLE: {**table, **rows}}
