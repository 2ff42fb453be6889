"""The class game: teams decide year by year on one market and seed, a leaderboard after
each year, and a debrief against the best portfolio found by search.

The market (:file:`game.toml`): a scenario at a run size, a number of years, one seed, a
yearly budget and a menu of initiatives. Each year a team decides (:class:`YearDecision`)
which initiatives of the menu to start in that year's first month, the prevention spend
(currency/month) and the inspection coverage (share) for that year.

**Continuation by replay.** A team's state after year y is not a paused simulation: it is
the run from month 0 to month 12 y of the config that holds its decisions of years 1..y
(:func:`team_config`), on the game's seed. Initiatives chosen in year k start at month
12 (k - 1); year 1's prevention and inspection are the config's own values, and those of a
later year k are portfolio rules that ``set`` the lever at the yearly review of month
12 (k - 1) (a rule on profit below 10^15, which every reported month satisfies, reviewed
yearly and needing 12 (k - 1) reported months, fires exactly then). Nothing of a later
year acts before it starts and every random stream is the seed's (common random numbers),
so the replay's first 12 (k - 1) months are those of the run after year k - 1, bit for
bit (tests/app/test_game.py checks it).

**Validation** is the command line's: the decisions become a portfolio and overrides of
the config, validated as ``sqm-sim run`` validates them (a year over budget, initiatives
of one kind overlapping, a value out of range: the same :class:`ConfigError` message).

**Debrief.** The search of :mod:`sqm_sim.experiments.search` over the same menu and
budget, on the same market, horizon and seed, with every initiative starting in month 0
and the scenario's own prevention and inspection: the best fixed portfolio a planner
with the simulator would have chosen, against what each team did year by year.

Games live in this process (:func:`new_game`, :func:`find_game`); a game is shared by the
browsers that join it, and its state changes under its lock.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..config import Config, ConfigError, PortfolioSettings
from ..config.files import read_toml
from ..config.rules import CADENCE_MONTHS
from ..experiments import Menu, SerialBackend, run_plan, search_portfolios
from ..models.initiatives import portfolio_spend_by_month
from ..run import RunResult, simulate
from ..scenarios import load_scenario
from ..scenarios.sizes import SIZES, at_size

GAME_FILE = Path(__file__).with_name("game.toml")
MONTHS_PER_YEAR = CADENCE_MONTHS["yearly"]
PREVENTION = "quality.prevention_spend_per_month"
INSPECTION = "quality.inspection_coverage"
ALWAYS_BELOW = 1e15
"""Profit (currency/month) below which every reported month lies: the scheduling rule's
threshold (the largest a rule takes)."""
TEAM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,23}")
"""A team's name: letters, digits, spaces, _ and -, 1-24 characters, not starting with a
space or punctuation."""
MAX_TEAMS = 30

LEADERBOARD_KPIS: tuple[tuple[str, str], ...] = (
    ("profit", "Cumulative profit"),
    ("mean_satisfaction_end", "Satisfaction at the end"),
    ("active_customers_end", "Customers at the end"),
    ("retention_rate_annual", "Retention per year"),
    ("coq_total", "Cost of quality, to date"),
    ("defects_shipped_ppm", "Defects shipped"),
)
"""The summary keys a year's results show (the first ranks the teams) and their labels
(units: the KPI catalogue's)."""


@dataclass(frozen=True)
class GameSettings:
    """The market every team plays: scenario, run size, years, seed, budget (currency per
    year, in the run size's money) and the menu of initiatives (portfolio-file tables
    without start_month)."""

    scenario: str
    size: str
    years: int
    seed: int
    budget_per_year: float
    menu: tuple[Mapping[str, Any], ...]

    def base(self) -> Config:
        """The scenario at the game's size, without a portfolio, for the whole game."""
        config = at_size(load_scenario(self.scenario), self.size)
        return config.with_overrides(
            {"portfolio": {}, "simulation.horizon_months": MONTHS_PER_YEAR * self.years}
        )

    @property
    def menu_names(self) -> tuple[str, ...]:
        """The menu's initiative names, in file order."""
        return tuple(str(item["name"]) for item in self.menu)

    def start_values(self) -> tuple[float, float]:
        """The scenario's own prevention spend and inspection coverage (year 1's default)."""
        quality = self.base().quality
        return quality.prevention_spend_per_month, quality.inspection_coverage


def load_game_settings(path: Path = GAME_FILE) -> GameSettings:
    """The game file, checked: a wrong entry raises :class:`ConfigError` naming it."""
    data = read_toml(path)
    allowed = {"scenario", "size", "years", "seed", "budget_per_year", "menu"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"game file {path}: unknown field(s) {', '.join(unknown)}")
    years = data.get("years", 3)
    if not isinstance(years, int) or not 1 <= years <= 10:
        raise ConfigError(f"game file {path}: years = {years!r} (allowed: 1 <= years <= 10)")
    size = data.get("size", "quick")
    if size not in SIZES:
        raise ConfigError(f"game file {path}: size = {size!r} (allowed: {', '.join(SIZES)})")
    menu = tuple(dict(item) for item in data.get("menu", ()))
    timed = [str(item.get("name")) for item in menu if "start_month" in item]
    if timed:
        raise ConfigError(
            f"game file {path}: menu initiative {timed[0]!r} has a start_month; leave it out "
            "(an initiative starts in the year a team chooses it)"
        )
    settings = GameSettings(
        scenario=str(data.get("scenario", "baseline")),
        size=size,
        years=years,
        seed=int(data.get("seed", 1)),
        budget_per_year=float(data["budget_per_year"]),
        menu=menu,
    )
    Menu(settings.base(), menu, settings.budget_per_year)  # names and tables, checked
    return settings


@cache
def shipped_game() -> GameSettings:
    """The game as shipped (:data:`GAME_FILE`)."""
    return load_game_settings()


_NOT_EFFECTS = {"kind", "name", "one_off_cost", "recurring_cost_per_month", "duration_months"}


def menu_rows(settings: GameSettings) -> list[dict[str, str]]:
    """The menu as the page lists it: name, kind, months of implementation, spend in the
    first 12 months if started at a year's start (currency, training hours included), and
    the other fields (effects) in words."""
    base = settings.base()
    rows = []
    for item in settings.menu:
        initiatives = PortfolioSettings.model_validate({"initiatives": [item]}).initiatives
        spend = sum(portfolio_spend_by_month(initiatives, MONTHS_PER_YEAR, base.workforce))
        effects = ", ".join(
            f"{key.replace('_', ' ')} {value:g}"
            for key, value in item.items()
            if key not in _NOT_EFFECTS
        )
        rows.append(
            {
                "name": str(item["name"]),
                "kind": str(item["kind"]).replace("_", " "),
                "months": str(item.get("duration_months", "")),
                "first_year": f"{spend:,.0f}",
                "effects": effects,
            }
        )
    return rows


@dataclass(frozen=True)
class YearDecision:
    """One team's decisions for one year: initiatives of the menu to start in its first
    month, prevention spend (currency/month) and inspection coverage (share of units)."""

    initiatives: tuple[str, ...]
    prevention_spend_per_month: float
    inspection_coverage: float


def _initiative_name(name: str, year: int) -> str:
    return f"{name}_year{year}"


def _set_rule(lever: str, value: float, year: int) -> dict[str, Any]:
    """A rule that sets ``lever`` to ``value`` from the first month of ``year`` (>= 2) on."""
    return {
        "name": f"year{year}_{lever.rsplit('.', 1)[1]}",
        "kpi": "profit",
        "when": "below",
        "threshold": ALWAYS_BELOW,
        "for_months": MONTHS_PER_YEAR * (year - 1),
        "cadence": "yearly",
        "action": "set",
        "lever": lever,
        "value": value,
    }


def team_portfolio(
    settings: GameSettings, team: str, decisions: Sequence[YearDecision]
) -> dict[str, Any]:
    """The portfolio table of a team's decisions: the chosen initiatives, each starting in
    the first month of its year (named ``<initiative>_year<k>``), and from year 2 on the
    rules that set prevention and inspection; unknown initiatives raise."""
    menu = dict(zip(settings.menu_names, settings.menu, strict=True))
    initiatives: list[dict[str, Any]] = []
    rules: list[dict[str, Any]] = []
    for year, decision in enumerate(decisions, start=1):
        for name in decision.initiatives:
            if name not in menu:
                raise ConfigError(
                    f"year {year}: initiative {name!r} is not on the game's menu (allowed: "
                    f"{', '.join(settings.menu_names)})"
                )
            start = MONTHS_PER_YEAR * (year - 1)
            initiatives.append(
                {**menu[name], "name": _initiative_name(name, year), "start_month": start}
            )
        if year > 1:
            rules.append(_set_rule(PREVENTION, decision.prevention_spend_per_month, year))
            rules.append(_set_rule(INSPECTION, decision.inspection_coverage, year))
    table: dict[str, Any] = {
        "name": f"team {team}",
        "budget_per_year": settings.budget_per_year,
        "initiatives": initiatives,
    }
    if rules:
        table["rules"] = rules
    return table


def team_config(settings: GameSettings, team: str, decisions: Sequence[YearDecision]) -> Config:
    """The config of a team's decisions so far: the game's market over the years decided
    (12 months each), year 1's prevention and inspection, and the team's portfolio;
    validated as the command line validates a run (raises :class:`ConfigError`)."""
    if not 1 <= len(decisions) <= settings.years:
        raise ConfigError(
            f"{len(decisions)} years of decisions: the game has 1 to {settings.years} years"
        )
    first = decisions[0]
    return settings.base().with_overrides(
        {
            "simulation.horizon_months": MONTHS_PER_YEAR * len(decisions),
            PREVENTION: first.prevention_spend_per_month,
            INSPECTION: first.inspection_coverage,
            "portfolio": team_portfolio(settings, team, decisions),
        }
    )


Runner = Callable[[Config, int], RunResult]


@dataclass
class Team:
    """A team of a game: its decisions and, after each year, the replayed run up to it."""

    name: str
    decisions: list[YearDecision] = field(default_factory=list)
    runs: list[RunResult] = field(default_factory=list)
    deciding: bool = False

    @property
    def years_played(self) -> int:
        """Years decided and run."""
        return len(self.runs)


@dataclass(frozen=True)
class Standing:
    """One team's line of the leaderboard after a year (rank 1 = the most profit)."""

    rank: int
    team: str
    values: dict[str, float]


@dataclass(frozen=True)
class Debrief:
    """The search's best fixed portfolio on the game's market, and every finished team's
    NPV against it (currency)."""

    best_portfolio: str
    best_npv: float
    method: str
    evaluated: int
    teams: dict[str, float]


class Game:
    """One game: its market, its teams, and (once computed) its debrief. Shared by the
    browsers that join it; changes happen under :attr:`lock`."""

    def __init__(self, game_id: str, settings: GameSettings) -> None:
        self.id = game_id
        self.settings = settings
        self.teams: dict[str, Team] = {}
        self.lock = threading.Lock()
        self.version = 0
        """Counts changes, so that a page redraws only when something happened."""
        self._search: tuple[str, float, str, int] | None = None
        self._search_lock = threading.Lock()  # one search per game, however many ask

    def join(self, name: str) -> Team:
        """The team called ``name``, created when new (a browser that joins with a known
        name plays on as that team)."""
        name = name.strip()
        if not TEAM_NAME.fullmatch(name):
            raise ConfigError(
                f"team name {name!r}: allowed 1-24 letters, digits, spaces, _ or -, "
                "starting with a letter or digit"
            )
        with self.lock:
            if name not in self.teams:
                if len(self.teams) >= MAX_TEAMS:
                    raise ConfigError(f"this game has its {MAX_TEAMS} teams already")
                self.teams[name] = Team(name)
                self.version += 1
            return self.teams[name]

    def decide(self, team: Team, decision: YearDecision, run: Runner = simulate) -> RunResult:
        """Play ``team``'s next year: validate the decisions so far plus ``decision`` (a
        :class:`ConfigError` leaves the team as it was), replay from month 0 on the game's
        seed, record the run."""
        with self.lock:
            if team.deciding:
                raise ConfigError(f"team {team.name}: the last year is still running")
            if team.years_played >= self.settings.years:
                raise ConfigError(
                    f"team {team.name} has played all {self.settings.years} years of the game"
                )
            decisions = [*team.decisions, decision]
            config = team_config(self.settings, team.name, decisions)
            team.deciding = True
        try:
            result = run(config, self.settings.seed)
        finally:
            with self.lock:
                team.deciding = False
        with self.lock:
            team.decisions.append(decision)
            team.runs.append(result)
            self.version += 1
        return result

    def leaderboard(self, year: int) -> list[Standing]:
        """The teams that have played ``year``, by cumulative profit to its end (most
        first; equal profits share a rank), with their results then."""
        with self.lock:
            played = [
                (t.name, t.runs[year - 1].summary)
                for t in self.teams.values()
                if t.years_played >= year
            ]
        key = LEADERBOARD_KPIS[0][0]
        played.sort(key=lambda item: (-item[1][key], item[0]))
        return [
            Standing(
                1 + sum(other[key] > summary[key] for _, other in played),
                name,
                {kpi: float(summary[kpi]) for kpi, _ in LEADERBOARD_KPIS},
            )
            for name, summary in played
        ]

    def latest_year(self) -> int:
        """The latest year any team has played (0 before the first)."""
        with self.lock:
            return max((team.years_played for team in self.teams.values()), default=0)

    def search_best(self) -> tuple[str, float, str, int]:
        """(best portfolio, its NPV, the search's method, portfolios evaluated): the search
        over the game's menu and budget on its market and seed, run once per game (a
        second caller waits for the first's)."""
        with self._search_lock:
            return self._run_search()

    def _run_search(self) -> tuple[str, float, str, int]:
        if self._search is None:
            settings = self.settings
            menu = Menu(settings.base(), settings.menu, settings.budget_per_year)
            backend = SerialBackend()
            found = search_portfolios(
                menu,
                [settings.seed],
                lambda plan: run_plan(plan, backend=backend, quiet=True),
                kpi="npv",
            )
            best = found.best
            self._search = (
                str(best["portfolio"]),
                float(best["mean"]),
                found.method,
                len(found.table),
            )
        return self._search

    def debrief(self) -> Debrief:
        """The search's best against every team that has played every year (NPV of the
        whole game, currency)."""
        best, npv, method, evaluated = self.search_best()
        with self.lock:
            teams = {
                t.name: float(t.runs[-1].summary["npv"])
                for t in self.teams.values()
                if t.years_played == self.settings.years
            }
        return Debrief(best, npv, method, evaluated, teams)


_GAMES: dict[str, Game] = {}
_GAMES_LOCK = threading.Lock()
MAX_GAMES = 200
"""Games kept in the server's memory (the oldest goes first)."""


def new_game(settings: GameSettings | None = None) -> Game:
    """A new game with a fresh id, kept on the server."""
    game_id = secrets.token_hex(4)
    game = Game(game_id, settings or shipped_game())
    with _GAMES_LOCK:
        _GAMES[game_id] = game
        while len(_GAMES) > MAX_GAMES:
            _GAMES.pop(next(iter(_GAMES)))
    return game


def find_game(game_id: str) -> Game | None:
    """The game with ``game_id``, or None."""
    with _GAMES_LOCK:
        return _GAMES.get(game_id)
