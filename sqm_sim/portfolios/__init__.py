"""Shipped initiative portfolios (TOML files in this folder) and the portfolio loader.

A portfolio file holds ``name``, ``description``, ``budget_per_year`` and a list of
``[[initiatives]]`` tables, each with a ``kind`` (see ``sqm-sim params portfolio`` and
:mod:`sqm_sim.config.initiatives`). It is validated together with the scenario it is
applied to: timing against the horizon, spend against the budget.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import Config
from ..config.files import read_toml, resolve, shipped_names

PORTFOLIO_DIR = Path(__file__).parent


def shipped_portfolios() -> list[tuple[str, str]]:
    """(name, description) of every shipped portfolio."""
    return [
        (name, str(read_toml(PORTFOLIO_DIR / f"{name}.toml").get("description", "")))
        for name in shipped_names(PORTFOLIO_DIR)
    ]


def load_portfolio(name_or_path: str | Path) -> dict[str, Any]:
    """The data of a shipped portfolio (by name) or of a portfolio file (by path)."""
    path = resolve(name_or_path, PORTFOLIO_DIR, "portfolio")
    data = read_toml(path)
    data.pop("description", None)
    data.setdefault("name", path.stem)
    return data


def with_portfolio(config: Config, name_or_path: str | Path) -> Config:
    """``config`` running the given portfolio instead of its own."""
    return config.with_overrides({"portfolio": load_portfolio(name_or_path)})
