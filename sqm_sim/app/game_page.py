"""The class game's pages (NiceGUI): ``/game`` starts or joins a game, ``/game/<id>`` plays it.

UI only: the game, its teams, the replayed runs, the leaderboard and the debrief are
:mod:`sqm_sim.app.game`'s. A game lives on the server and is shared by every browser that
opens its address; which team a browser tab plays is that tab's own state (the page
function runs once per visit). The shared parts (leaderboard, chart) redraw when the
game changes (a timer compares the game's change counter).
"""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from ..config import ConfigError
from ..report.numbers import number
from ..run.catalogue import SUMMARY_KPIS
from . import charts
from .game import (
    INSPECTION,
    LEADERBOARD_KPIS,
    PREVENTION,
    Game,
    Team,
    YearDecision,
    find_game,
    menu_rows,
    new_game,
)
from .levers import lever
from .page import error_label

MENU_COLUMNS = [
    {"name": "name", "label": "initiative", "field": "name", "align": "left"},
    {"name": "kind", "label": "kind", "field": "kind", "align": "left"},
    {"name": "months", "label": "implementation (months)", "field": "months", "align": "right"},
    {
        "name": "first_year",
        "label": "spend in its first 12 months (currency)",
        "field": "first_year",
        "align": "right",
    },
    {"name": "effects", "label": "what it does", "field": "effects", "align": "left"},
]


def _unit(key: str) -> str:
    return SUMMARY_KPIS[key].unit


BOARD_COLUMNS = [
    {"name": "rank", "label": "rank", "field": "rank", "align": "right"},
    {"name": "team", "label": "team", "field": "team", "align": "left"},
    *(
        {"name": key, "label": f"{label} ({_unit(key)})", "field": key, "align": "right"}
        for key, label in LEADERBOARD_KPIS
    ),
]

YEARS_COLUMNS = [
    {"name": "year", "label": "year", "field": "year", "align": "right"},
    {
        "name": "initiatives",
        "label": "initiatives started",
        "field": "initiatives",
        "align": "left",
    },
    {
        "name": "prevention",
        "label": "prevention (currency/month)",
        "field": "prevention",
        "align": "right",
    },
    {"name": "inspection", "label": "inspection coverage", "field": "inspection", "align": "right"},
    {
        "name": "profit",
        "label": "cumulative profit (currency)",
        "field": "profit",
        "align": "right",
    },
]


def _header(subtitle: str) -> None:
    ui.query("body").classes("bg-grey-1")
    with ui.header().classes("items-center bg-blue-grey-9 q-py-sm"):
        ui.label("sqm_sim classroom: the class game").classes("text-h6")
        ui.label(subtitle).classes("text-caption opacity-80")
        ui.space()
        ui.link("what-if page", "/").classes("text-white")


def game_start() -> None:
    """``/game``: start a new game or join one by its code."""
    ui.page_title("sqm_sim class game")
    _header("teams decide year by year on the same market and seed")

    def start() -> None:
        ui.navigate.to(f"/game/{new_game().id}")

    def join() -> None:
        code = (code_box.value or "").strip()
        if find_game(code) is None:
            message.text = f"no game {code!r} on this server: start a new one"
            return
        ui.navigate.to(f"/game/{code}")

    with ui.card().classes("w-full max-w-xl"):
        ui.label(
            "One person starts a game and gives its address (or code) to the teams; each "
            "team opens it in its own browser."
        ).classes("text-body1")
        ui.button("Start a new game", icon="flag", on_click=start).props('data-testid="new-game"')
        with ui.row().classes("items-end gap-2"):
            code_box = ui.input("game code").props('data-testid="game-code"').classes("w-40")
            ui.button("Join", on_click=join).props('outline data-testid="join-game"')
        message = ui.label().classes("text-negative").props('data-testid="game-missing"')


def _effects_text(decision: YearDecision) -> str:
    return ", ".join(decision.initiatives) or "none"


def game_play(game_id: str) -> None:
    """``/game/<id>``: join the game as a team, decide each year, see every team's results."""
    ui.page_title("sqm_sim class game")
    game = find_game(game_id)
    if game is None:
        _header("no such game")
        ui.label(f"There is no game {game_id!r} on this server (games end when it stops).")
        ui.link("Start a new game", "/game")
        return
    _build(game)


def _build(game: Game) -> None:
    settings = game.settings
    base = settings.base()
    prevention_lever, inspection_lever = lever(PREVENTION), lever(INSPECTION)
    start_prevention, start_inspection = settings.start_values()
    state: dict[str, Any] = {"team": None, "seen": -1}
    _header(f"game {game.id}: {settings.years} years, every team on seed {settings.seed}")

    with ui.element("div").classes("flex flex-col lg:flex-row lg:flex-nowrap gap-4 w-full"):
        with ui.column().classes("w-full lg:w-[460px] shrink-0 gap-3"):
            with ui.card().classes("w-full gap-1").props('data-testid="market"'):
                ui.label("The market").classes("text-h6")
                ui.label(
                    f"The {settings.scenario} company at the {settings.size} size "
                    f"({base.market.initial_customers:,} customers), {settings.years} years "
                    f"of 12 months, the same random seed ({settings.seed}) for every team: "
                    "differences between teams come from their decisions, not luck. "
                    f"Game code: {game.id} (other teams open this page's address)."
                ).classes("text-body2")
                ui.label(
                    f"Budget for initiatives: {number(settings.budget_per_year, 'currency')} "
                    "currency a year. An initiative starts in the first month of the year "
                    "you choose it; its one-off cost is spread over its implementation and "
                    "its running cost continues to the end of the game, counting against "
                    "later years' budgets. Prevention and inspection are running costs "
                    "(in the cost of quality and the profit), outside that budget."
                ).classes("text-body2")
            with ui.card().classes("w-full gap-2").props('data-testid="decide"'):
                with ui.row().classes("w-full items-end gap-2 no-wrap") as join_row:
                    team_box = (
                        ui.input("team name").props('data-testid="team-name"').classes("grow")
                    )
                    join_button = ui.button("Join as this team").props('data-testid="join"')
                team_label = ui.label().classes("text-h6").props('data-testid="team"')
                year_label = ui.label().classes("text-subtitle1").props('data-testid="year"')
                with ui.column().classes("w-full gap-0") as form:
                    ui.label("Initiatives to start this year").classes("text-subtitle2")
                    picks = {
                        row["name"]: ui.checkbox(
                            f"{row['name']} ({row['first_year']} in its first 12 months)"
                        ).props(f'data-testid="pick-{row["name"]}"')
                        for row in menu_rows(settings)
                    }
                    prevention = (
                        ui.number(
                            f"{prevention_lever.label} ({prevention_lever.unit})",
                            value=start_prevention,
                            step=500,
                            format="%.0f",
                        )
                        .classes("w-full")
                        .props('data-testid="prevention"')
                    )
                    inspection = (
                        ui.number(
                            f"{inspection_lever.label} ({inspection_lever.unit}, 0-1)",
                            value=start_inspection,
                            step=0.05,
                            format="%.2f",
                        )
                        .classes("w-full")
                        .props('data-testid="inspection"')
                    )
                    with ui.row().classes("items-center gap-2 q-mt-sm"):
                        decide_button = ui.button("Decide and play the year", icon="play_arrow")
                        decide_button.props('data-testid="play"')
                        busy = ui.spinner(size="md")
                        busy.visible = False
                form.visible = False
                error_box = error_label("game-error")
                years_table = (
                    ui.table(columns=YEARS_COLUMNS, rows=[], row_key="year")
                    .classes("w-full")
                    .props('dense flat bordered wrap-cells data-testid="years"')
                )
                years_table.visible = False

        with ui.column().classes("w-full min-w-0 gap-3"):
            with ui.card().classes("w-full gap-2").props('data-testid="leaderboard-card"'):
                with ui.row().classes("w-full items-center gap-3"):
                    ui.label("Leaderboard").classes("text-h6")
                    year_caption = ui.label("after year").classes("text-body2")
                    board_year = ui.toggle([1], value=1).props('data-testid="board-year"')
                    year_caption.bind_visibility_from(board_year, "visible")
                    board_year.visible = False
                board_note = ui.label("No team has played a year yet.").classes("text-body2")
                board = (
                    ui.table(columns=BOARD_COLUMNS, rows=[], row_key="team")
                    .classes("w-full")
                    .props('dense flat bordered wrap-cells data-testid="leaderboard"')
                )
                board.visible = False
                chart = ui.echart({"series": []}).classes("w-full h-72 bg-white")
                chart.visible = False
            with ui.card().classes("w-full gap-2").props('data-testid="debrief-card"') as debrief:
                ui.label("Debrief").classes("text-h6")
                ui.label(
                    "After the last year: the best fixed portfolio the search finds on the "
                    "same market, budget and seed (every initiative from month 0, the "
                    "scenario's own prevention and inspection), against each team's "
                    "year-by-year play, by net present value of the whole game."
                ).classes("text-body2")
                debrief_button = ui.button("Compare with the search's best", icon="search")
                debrief_button.props('data-testid="debrief"')
                debrief_spinner = ui.spinner(size="md")
                debrief_spinner.visible = False
                debrief_text = ui.label().classes("text-body1").props('data-testid="debrief-text"')
            debrief.visible = False
            with ui.card().classes("w-full gap-1"):
                ui.label("The menu").classes("text-h6")
                ui.table(columns=MENU_COLUMNS, rows=menu_rows(settings), row_key="name").classes(
                    "w-full"
                ).props('dense flat bordered wrap-cells data-testid="menu"')

    def team() -> Team | None:
        return state["team"]

    def show_team() -> None:
        current = team()
        if current is None:
            return
        played = current.years_played
        team_label.text = f"Team {current.name}"
        finished = played >= settings.years
        year_label.text = (
            f"All {settings.years} years played: see the debrief"
            if finished
            else f"Year {played + 1} of {settings.years}: your decisions"
        )
        form.visible = not finished
        debrief.visible = finished
        for box in picks.values():
            box.value = False
        years_table.rows = [
            {
                "year": year,
                "initiatives": _effects_text(decision),
                "prevention": number(decision.prevention_spend_per_month, "currency"),
                "inspection": number(decision.inspection_coverage, "share"),
                "profit": number(result.summary["profit"], "currency"),
            }
            for year, (decision, result) in enumerate(
                zip(current.decisions, current.runs, strict=True), start=1
            )
        ]
        years_table.visible = played > 0
        years_table.update()

    def show_board(force: bool = False) -> None:
        if game.version == state["seen"] and not force:
            return
        state["seen"] = game.version
        latest = game.latest_year()
        if latest == 0:
            return
        years = list(range(1, latest + 1))
        if board_year.options != years:
            board_year.options = years
            board_year.value = latest
            board_year.update()
        board_year.visible = latest > 1
        year = int(board_year.value or latest)
        standings = game.leaderboard(year)
        board.rows = [
            {
                "rank": line.rank,
                "team": line.team,
                **{key: number(line.values[key], _unit(key)) for key, _ in LEADERBOARD_KPIS},
            }
            for line in standings
        ]
        board.visible = True
        board.update()
        board_note.text = (
            f"After year {year}: {len(standings)} team(s), ranked by cumulative profit "
            f"(currency) to the end of the year."
        )
        with game.lock:
            lines = {
                name: list(entry.runs[-1].timeseries["profit"].cumsum())
                for name, entry in game.teams.items()
                if entry.runs
            }
        chart.options.clear()
        chart.options.update(
            charts.teams_chart("Cumulative profit month by month (currency), each team", lines)
        )
        chart.visible = True
        chart.update()

    board_year.on_value_change(lambda: show_board(force=True))
    ui.timer(1.0, show_board)

    def join() -> None:
        try:
            state["team"] = game.join(team_box.value or "")
        except ConfigError as exc:
            error_box.text = str(exc)
            error_box.visible = True
            return
        error_box.visible = False
        join_row.visible = False
        show_team()
        show_board(force=True)

    join_button.on_click(join)
    team_box.on("keydown.enter", join)

    async def play() -> None:
        current = team()
        if current is None:
            return
        empty = [box.label for box in (prevention, inspection) if box.value is None]
        if empty:
            error_box.text = f"{empty[0]}: empty (allowed: a number)"
            error_box.visible = True
            return
        decision = YearDecision(
            tuple(name for name, box in picks.items() if box.value),
            float(prevention.value),
            float(inspection.value),
        )
        busy.visible = True
        decide_button.set_enabled(False)
        try:
            await run.io_bound(game.decide, current, decision)
        except ConfigError as exc:
            error_box.text = str(exc)
            error_box.visible = True
            return
        finally:
            busy.visible = False
            decide_button.set_enabled(True)
        error_box.visible = False
        show_team()
        show_board(force=True)

    decide_button.on_click(play)

    async def compare() -> None:
        debrief_spinner.visible = True
        debrief_button.set_enabled(False)
        debrief_text.text = "searching the menu's affordable portfolios on the game's seed..."
        try:
            result = await run.io_bound(game.debrief)
        finally:
            debrief_spinner.visible = False
            debrief_button.set_enabled(True)
        ranked = sorted(result.teams.items(), key=lambda item: -item[1])
        teams = "; ".join(f"team {name} {number(npv, 'currency')}" for name, npv in ranked)
        current = team()
        own = result.teams.get(current.name) if current is not None else None
        gap = (
            f" Your team is {number(abs(own - result.best_npv), 'currency')} "
            f"{'above' if own > result.best_npv else 'below'} it."
            if own is not None
            else ""
        )
        debrief_text.text = (
            f"The search ({result.method}, {result.evaluated} affordable portfolios) finds "
            f"{result.best_portfolio} best: net present value "
            f"{number(result.best_npv, 'currency')} currency over the "
            f"{settings.years} years. Teams that finished (net present value, currency): "
            f"{teams}.{gap}"
        )

    debrief_button.on_click(compare)
